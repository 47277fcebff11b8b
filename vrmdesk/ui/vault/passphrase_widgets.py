"""The parts of choosing a passphrase and keeping a recovery key, shared by the create-vault
wizard and the change-passphrase dialog.

``NewPassphraseForm``: typed twice, with a strength meter (zxcvbn through the core); a weak one
is not accepted. ``RecoveryKeyPanel``: the key in large type with copy, save and print, and a
tick box saying it was kept, which the caller waits for.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from vrmshare.fileutil import atomic_write_bytes

from vrmdesk.store import strength
from vrmdesk.ui.widgets.icons import icon

METER_COLOURS = ("#c0392b", "#e67e22", "#d4ac0d", "#27ae60", "#1e8449")


def password_field(accessible: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(accessible)
    return field


class NewPassphraseForm(QWidget):
    """A new passphrase, typed twice; ``changed`` whenever acceptability may have changed."""

    changed = Signal()

    def __init__(self, first_label: str = "&Passphrase:", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.first = password_field("Passphrase")
        self.second = password_field("Passphrase again")
        self.meter = QProgressBar()
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(False)  # the words go in the advice line below it
        self.meter.setFixedHeight(8)
        self.meter.setAccessibleName("Passphrase strength")
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.match = QLabel()
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow(first_label, self.first)
        self.form.addRow("", self.meter)
        self.form.addRow("", self.advice)
        self.form.addRow("&Again:", self.second)
        self.form.addRow("", self.match)
        self.first.textChanged.connect(self._update)
        self.second.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        result = strength.assess(self.first.text())
        self.meter.setValue(result.score if self.first.text() else 0)
        self.meter.setFormat(result.label if self.first.text() else "")
        self.meter.setStyleSheet(
            f"QProgressBar::chunk {{ background: {METER_COLOURS[result.score]}; }}"
        )
        self.advice.setText(
            f"<b>{result.label.capitalize()}.</b> {result.advice}"
            if self.first.text()
            else result.advice
        )
        if self.second.text() and self.second.text() != self.first.text():
            self.match.setText("The two passphrases differ.")
        else:
            self.match.setText("")
        self.changed.emit()

    def passphrase(self) -> str:
        return self.first.text()

    def is_acceptable(self) -> bool:
        text = self.first.text()
        return bool(text) and text == self.second.text() and strength.assess(text).acceptable


class RecoveryKeyPanel(QWidget):
    """Shows a recovery key once; ``kept`` turns on when the person says it was kept."""

    kept_changed = Signal(bool)

    def __init__(self, folder: Callable[[], Path], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._folder = folder
        self.recovery_key = ""
        self.key = QLabel()
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setWeight(QFont.Weight.Bold)
        self.key.setFont(font)
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key.setAccessibleName("Recovery key")
        self.copy = QPushButton(icon("file"), "&Copy")
        self.copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.recovery_key))
        self.save = QPushButton(icon("save"), "&Save to file…")
        self.save.clicked.connect(lambda: self.save_to_file())
        self.print_ = QPushButton("&Print…")
        self.print_.clicked.connect(self.print_key)
        self.kept = QCheckBox("I have &kept the recovery key somewhere safe")
        self.kept.toggled.connect(self.kept_changed)
        self.saved_to = QLabel()
        buttons = QHBoxLayout()
        for button in (self.copy, self.save, self.print_):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.key)
        layout.addLayout(buttons)
        layout.addWidget(self.saved_to)
        layout.addWidget(self.kept)

    def set_key(self, recovery_key: str) -> None:
        self.recovery_key = recovery_key
        self.key.setText(recovery_key)

    def text_for_paper(self) -> str:
        return (
            "vrmdesk recovery key\n\n"
            f"Vault: {self._folder()}\n\n"
            f"    {self.recovery_key}\n\n"
            "Use it with “Use the recovery key…” in the unlock dialog, or with\n"
            "`vrmdesk passwd --recovery-key`, to set a new passphrase.\n"
        )

    def save_to_file(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self,
                "Save the recovery key",
                str(Path.home() / "vrmdesk-recovery-key.txt"),
                "Text files (*.txt)",
            )
        if not path:
            return
        try:
            atomic_write_bytes(Path(path), self.text_for_paper().encode())
        except OSError as exc:
            self.saved_to.setText(f"Could not save: {exc.strerror}")
            return
        self.saved_to.setText(f"Saved to {path}")

    def print_key(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        if QPrintDialog(printer, self).exec():
            document = QTextDocument()
            document.setPlainText(self.text_for_paper())
            document.print_(printer)

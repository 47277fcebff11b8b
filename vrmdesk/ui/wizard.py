"""First run: a wizard that creates a vault.

1. Passphrase, typed twice, with a strength meter (zxcvbn) — a weak one is refused.
2. The vault is made off the UI thread (key derivation is slow on purpose).
3. The recovery key, shown once, with copy, save to file and print, and a confirmation that it
   was kept before the wizard can finish.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
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
    QWizard,
    QWizardPage,
)

from vrmdesk.errors import VrmError
from vrmdesk.fileutil import atomic_write_bytes
from vrmdesk.store import keystore, strength
from vrmdesk.store.vault import Vault
from vrmdesk.ui.errors import explain
from vrmdesk.ui.icons import icon
from vrmdesk.ui.tasks import TaskRunner

METER_COLOURS = ("#c0392b", "#e67e22", "#d4ac0d", "#27ae60", "#1e8449")


class PassphrasePage(QWizardPage):
    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.setTitle("Choose a passphrase")
        self.setSubTitle(
            f"It protects everything in the new vault in {folder}. Several unrelated words "
            "are easy to remember and hard to guess."
        )
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.setAccessibleName("Passphrase")
        self.second = QLineEdit()
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        self.second.setAccessibleName("Passphrase again")
        self.meter = QProgressBar()
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(False)  # the words go in the advice line below it
        self.meter.setFixedHeight(8)
        self.meter.setAccessibleName("Passphrase strength")
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.match = QLabel()
        self.remember = QCheckBox("&Remember on this device (OS keyring)")
        available, reason = keystore.availability()
        if not available:
            self.remember.setEnabled(False)
            self.remember.setToolTip(reason)
            self.remember.setText(f"Remember on this device — not available: {reason}")
        form = QFormLayout(self)
        form.addRow("&Passphrase:", self.first)
        form.addRow("", self.meter)
        form.addRow("", self.advice)
        form.addRow("&Again:", self.second)
        form.addRow("", self.match)
        form.addRow("", self.remember)
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
            f"<b>{result.label.capitalize()}.</b> {result.advice}" if self.first.text() else result.advice
        )
        if self.second.text() and self.second.text() != self.first.text():
            self.match.setText("The two passphrases differ.")
        else:
            self.match.setText("")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        text = self.first.text()
        return bool(text) and text == self.second.text() and strength.assess(text).acceptable


class CreatingPage(QWizardPage):
    """Makes the vault off the UI thread; Next is enabled when it is done."""

    def __init__(self, wizard: CreateVaultWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Creating the vault")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setAccessibleName("Creating the vault")
        self.message = QLabel("Deriving the key from your passphrase and setting up the vault…")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        self.done = False

    def initializePage(self) -> None:
        if self.done:
            return
        self.wizard_.create_vault(self)

    def finished(self, error: str | None) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        if error:
            self.message.setText(f"The vault could not be created: {error}")
        else:
            self.done = True
            self.message.setText("The vault is ready.")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.done


class RecoveryPage(QWizardPage):
    def __init__(self, wizard: CreateVaultWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Your recovery key")
        self.setSubTitle(
            "If you forget the passphrase, this key is the only way back into the vault. It is "
            "shown only now: print it or save it somewhere safe, away from this computer."
        )
        self.key = QLabel()
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setWeight(QFont.Weight.Bold)
        self.key.setFont(font)
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key.setAccessibleName("Recovery key")
        self.copy = QPushButton(icon("file"), "&Copy")
        self.copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.wizard_.recovery_key))
        self.save = QPushButton(icon("save"), "&Save to file…")
        self.save.clicked.connect(self.save_to_file)
        self.print_ = QPushButton("&Print…")
        self.print_.clicked.connect(self.print_key)
        self.kept = QCheckBox("I have &kept the recovery key somewhere safe")
        self.kept.toggled.connect(self.completeChanged)
        self.saved_to = QLabel()
        buttons = QHBoxLayout()
        for b in (self.copy, self.save, self.print_):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.key)
        layout.addLayout(buttons)
        layout.addWidget(self.saved_to)
        layout.addWidget(self.kept)

    def initializePage(self) -> None:
        self.key.setText(self.wizard_.recovery_key)

    def text_for_paper(self) -> str:
        return (
            "vrmdesk recovery key\n\n"
            f"Vault: {self.wizard_.folder}\n\n"
            f"    {self.wizard_.recovery_key}\n\n"
            "Use it with “Use the recovery key…” in the unlock dialog, or with\n"
            "`vrmdesk passwd --recovery-key`, to set a new passphrase.\n"
        )

    def save_to_file(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Save the recovery key", str(Path.home() / "vrmdesk-recovery-key.txt"),
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

    def isComplete(self) -> bool:
        return self.kept.isChecked()


class CreateVaultWizard(QWizard):
    """``exec()`` returns Accepted with ``self.vault`` open."""

    def __init__(self, folder: Path, parent: QWidget | None = None, *, kdf=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.setWindowTitle("Create your vrmdesk vault")
        self.setWindowIcon(icon("vrmdesk", color="#2f6f5e"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.folder = Path(folder)
        self.kdf = kdf  # tests pass a fast profile; the product calibrates
        self.vault: Vault | None = None
        self.recovery_key = ""
        self.runner = TaskRunner(self)
        self.passphrase_page = PassphrasePage(self.folder)
        self.creating_page = CreatingPage(self)
        self.recovery_page = RecoveryPage(self)
        for page in (self.passphrase_page, self.creating_page, self.recovery_page):
            self.addPage(page)
        self.resize(620, 460)

    def create_vault(self, page: CreatingPage) -> None:
        passphrase = self.passphrase_page.first.text()
        remember = self.passphrase_page.remember.isChecked()
        folder, kdf = self.folder, self.kdf

        def work(task):  # type: ignore[no-untyped-def]
            vault, recovery_key = Vault.create(folder, passphrase, kdf=kdf)
            if remember:
                try:
                    vault.remember(True)
                except VrmError:
                    pass
            return vault, recovery_key

        def done(result) -> None:  # type: ignore[no-untyped-def]
            self.vault, self.recovery_key = result
            page.finished(None)
            self.button(QWizard.WizardButton.BackButton).setEnabled(False)

        def failed(exc: BaseException) -> None:
            page.finished(explain(exc))

        self.runner.start(work, on_done=done, on_error=failed, receiver=self)

    def reject(self) -> None:
        if self.vault is not None:  # made but the key not confirmed: keep it, it is usable
            self.vault.close()
            self.vault = None
        super().reject()

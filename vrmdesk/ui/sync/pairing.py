"""Pair a device…: this device's pairing code (selectable text, Copy, and a QR code), a field for
the other device's code, and the comparison string both devices must show before anything is
stored. Pairing goes both ways: each device enters the other's code."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import VrmError
from vrmdesk.sync import engine
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.editors.form_rows import ErrorLabel

QR_SIZE = 260  # at most, in pixels


def qr_side(width: int) -> int:
    """The QR image's side on screen: its width divided by a whole number (every module the
    same number of pixels, so a camera reads it), at most :data:`QR_SIZE`."""
    for k in range(1, width + 1):
        if width % k == 0 and width // k <= QR_SIZE:
            return width // k
    return width


class PairDialog(QDialog):
    #: a device was paired: its engine.DeviceView
    paired = Signal(object)

    def __init__(self, controller: VaultController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Pair a device")
        self.setAccessibleName("Pair a device")
        self.code: Any = None  # the other device's code, read and compared

        vault = controller.vault
        own = engine.own_code(vault)
        self.own_code = QPlainTextEdit(own)
        self.own_code.setReadOnly(True)
        self.own_code.setAccessibleName("This device's pairing code")
        self.own_code.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.own_code.setWordWrapMode(self.own_code.wordWrapMode().WrapAnywhere)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.own_code.setFont(mono)
        self.own_code.setFixedHeight(self.own_code.fontMetrics().lineSpacing() * 5 + 12)
        self.copy = QPushButton("&Copy the code")
        self.copy.setAutoDefault(False)
        self.copy.clicked.connect(self.copy_code)
        self.qr = QLabel()
        self.qr.setAccessibleName("This device's pairing code as a QR code")
        pixmap = QPixmap()
        pixmap.loadFromData(engine.qr_png(own), "PNG")
        side = qr_side(pixmap.width())
        self.qr.setPixmap(
            pixmap.scaled(
                side,
                side,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.FastTransformation,  # whole pixels per module: sharp
            )
        )
        self.qr.setFixedSize(side, side)

        mine = QGroupBox("1. This device")
        how = QLabel(
            "On the other device choose Sync → Pair a device… and enter this code there "
            "(paste it, or scan the picture with a phone and send it over)."
        )
        how.setWordWrap(True)
        text_side = QVBoxLayout()
        text_side.addWidget(how)
        text_side.addWidget(self.own_code)
        text_side.addWidget(self.copy, 0, Qt.AlignmentFlag.AlignLeft)
        text_side.addStretch(1)
        mine_layout = QHBoxLayout(mine)
        mine_layout.addLayout(text_side, 1)
        mine_layout.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignTop)

        theirs = QGroupBox("2. The other device")
        self.other_code = QLineEdit()
        self.other_code.setAccessibleName("The other device's pairing code")
        self.other_code.setPlaceholderText("VRMSYNC1:…  (the other device's code)")
        self.other_code.textChanged.connect(self._code_edited)
        self.code_error = ErrorLabel()
        self.code_error.setAccessibleName("Pairing code problem")
        self.other_name = QLineEdit()
        self.other_name.setAccessibleName("A name for the other device")
        self.other_name.setPlaceholderText("optional: the name it gives itself otherwise")
        self.compare_button = QPushButton("C&ompare")
        self.compare_button.clicked.connect(self.compare)
        self.compare_button.setDefault(True)  # Enter in the field compares (never pairs)
        code_row = QHBoxLayout()
        code_row.addWidget(self.other_code, 1)
        code_row.addWidget(self.compare_button)
        code_box = QVBoxLayout()
        code_box.addLayout(code_row)
        code_box.addWidget(self.code_error)
        form = QFormLayout(theirs)
        code_label = QLabel("Its &code:")
        code_label.setBuddy(self.other_code)
        form.addRow(code_label, code_box)
        form.addRow("Its &name:", self.other_name)

        # 3. the comparison, shown once a valid code is entered
        self.check = QFrame()
        self.check.setFrameShape(QFrame.Shape.StyledPanel)
        self.check.setAccessibleName("Compare the devices")
        self.comparison = QLabel()
        self.comparison.setAccessibleName("Comparison string")
        self.comparison.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        big = QFont(mono)
        big.setPointSizeF(max(self.font().pointSizeF(), 9.0) * 2.0)
        big.setBold(True)
        self.comparison.setFont(big)
        self.comparison.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.question = QLabel()
        self.question.setWordWrap(True)
        self.question.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.same = QPushButton("&Yes, the same: pair")
        self.same.clicked.connect(self.confirm)
        self.differ = QPushButton("No, they &differ")
        self.differ.setAutoDefault(False)
        self.differ.clicked.connect(self.refuse)
        answers = QHBoxLayout()
        answers.addStretch(1)
        answers.addWidget(self.same)
        answers.addWidget(self.differ)
        answers.addStretch(1)
        check_layout = QVBoxLayout(self.check)
        check_layout.addWidget(self.question)
        check_layout.addWidget(self.comparison)
        check_layout.addLayout(answers)
        self.check.hide()

        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setAccessibleName("Pairing outcome")
        self.outcome.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("C&lose")
        buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(mine)
        layout.addWidget(theirs)
        layout.addWidget(self.check)
        layout.addWidget(self.outcome)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(760, self.sizeHint().height())
        self.other_code.setFocus()

    def copy_code(self) -> None:
        QGuiApplication.clipboard().setText(self.own_code.toPlainText())
        self.controller.status.emit("This device's pairing code is on the clipboard.")

    def _code_edited(self) -> None:
        """Another code: whatever was compared no longer holds."""
        self.code = None
        self.check.hide()
        self.code_error.set_text("")

    def compare(self) -> None:
        """Read the code typed; a malformed one is refused beside the field, a good one shows
        the string to compare."""
        text = self.other_code.text().strip()
        if not text:
            self.code_error.set_text("Enter the other device's pairing code (VRMSYNC1:…).")
            return
        vault = self.controller.vault
        try:
            code = engine.read_code(text)
            shown = engine.comparison(vault, code)
        except VrmError as exc:
            self.code = None
            self.check.hide()
            self.code_error.set_text(str(exc))
            self.other_code.setFocus()
            return
        self.code = code
        self.code_error.set_text("")
        self.outcome.hide()
        self.comparison.setText(shown)
        self.question.setText(
            f"Once {code.name!r} has this device's code, it shows a string too. "
            "Does the other device show the same?"
        )
        self.check.show()
        self.same.setFocus()  # an answer needs a press of its own

    def confirm(self) -> None:
        if self.code is None:
            return
        name = self.other_name.text().strip() or None
        try:
            device = engine.pair(self.controller.vault, self.code, name=name)
        except VrmError as exc:
            self.check.hide()
            self.code_error.set_text(str(exc))
            return
        self.code = None
        self.check.hide()
        self.other_code.blockSignals(True)
        self.other_code.clear()
        self.other_code.blockSignals(False)
        self.other_name.clear()
        self._tell(
            f"Paired with {device.name!r}. If you have not yet, enter this device's code on "
            "it too: pairing goes both ways."
        )
        self.controller.notify({"sync"}, f"Paired with the device {device.name!r}.")
        self.paired.emit(device)

    def refuse(self) -> None:
        """The strings differ: nothing is stored."""
        self.code = None
        self.check.hide()
        self._tell(
            "Not paired: nothing was stored. The strings must be the same on both devices; "
            "check that the code is the other device's own, and enter it again."
        )
        self.other_code.setFocus()
        self.other_code.selectAll()

    def _tell(self, text: str) -> None:
        self.outcome.setText(text)
        self.outcome.show()

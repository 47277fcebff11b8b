"""Buttons that look and speak alike everywhere.

- :class:`AppStyle`: Fusion without the style's stock pictures on dialog buttons (Qt's tick,
  cross and floppy disk on OK, Cancel and Save beside the program's own line icons): every
  ``QDialogButtonBox`` and message box shows words only; buttons that carry an icon get one of
  the program's (``widgets/icons.py``). :func:`install_style` sets it on the application.
- :func:`ask_action`: a question answered by the action's name ("Delete vendor") or Cancel,
  never Yes/No.
- :func:`save_cancel`: the Save (default) and Cancel buttons of an editing dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QProxyStyle,
    QStyle,
    QWidget,
)


class AppStyle(QProxyStyle):
    """The program's style: ``base`` (Fusion) with no stock icons on dialog buttons."""

    def __init__(self, base: QStyle | str = "Fusion") -> None:
        super().__init__(base)

    def styleHint(self, hint: QStyle.StyleHint, *args: Any) -> int:
        if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
            return 0
        return super().styleHint(hint, *args)


def install_style(app: QApplication) -> None:
    app.setStyle(AppStyle())


def ask_action(
    parent: QWidget | None, title: str, text: str, action: str, *, cancel: str = "Cancel"
) -> bool:
    """Ask ``text``; True when the person presses the button named ``action`` (the default is
    ``cancel``, so Enter or Escape changes nothing)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton)
    box.setParent(parent, box.windowFlags())
    do = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    keep = box.addButton(cancel, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is do


def save_cancel(dialog: QDialog, save: Callable[[], object]) -> QDialogButtonBox:
    """ "&Save" (the default button: Enter saves) calling ``save``, "&Cancel" rejecting."""
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
    save_button = box.button(QDialogButtonBox.StandardButton.Save)
    save_button.setText("&Save")
    save_button.setDefault(True)
    box.button(QDialogButtonBox.StandardButton.Cancel).setText("&Cancel")
    box.accepted.connect(save)
    box.rejected.connect(dialog.reject)
    return box

"""What several widget tests do the same way (a module, not conftest: tests import from it).

A modal dialog runs its own event loop, so a test schedules what a person would do to it before
the call that opens it:

    when_modal(unlock_with(qtbot, "passphrase"))
    window.lock()          # the unlock dialog opens; the passphrase is typed and Enter pressed
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from vrmdesk.ui.vault.unlock import UnlockDialog

Act = Callable[[QWidget], None]


def when_modal(act: Act, kind: type[QWidget] = QWidget) -> None:
    """Do ``act`` to the next modal dialog (of ``kind``) once it is up."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind) or not dialog.isVisible():
            QTimer.singleShot(20, poll)
            return
        act(dialog)

    QTimer.singleShot(0, poll)


def unlock_with(qtbot, text: str) -> Act:  # type: ignore[no-untyped-def]
    """Type ``text`` into the unlock dialog and press Enter."""

    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, UnlockDialog)
        qtbot.keyClicks(dialog.passphrase, text)
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)

    return act


def press_escape(qtbot) -> Act:  # type: ignore[no-untyped-def]
    return lambda dialog: qtbot.keyClick(dialog, Qt.Key.Key_Escape)


def vendor_id(controller, name: str) -> int:  # type: ignore[no-untyped-def]
    """The id of the demo vault's vendor of that name."""
    from vrmdesk.store.services import records

    with controller.session() as s:
        return records.find_vendor(s, name).id


def edit_field(qtbot, controller, kind: str, record_id: int, field: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Open the editor of a record, replace one text field with ``text``, press Save."""
    from vrmdesk.ui.editors.record_editor import RecordEditor

    dialog = RecordEditor(controller, kind, record_id)
    qtbot.addWidget(dialog)
    dialog.show()
    line = dialog.field(field).edit
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible(), dialog.general_error.text()

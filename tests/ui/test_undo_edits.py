"""Undo for edits: Ctrl+Z after an edit puts the values back, Ctrl+Shift+Z does it again; a stack
of steps across kinds (deletes among them), named in the Edit menu, forgotten on lock."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select
from ui_helpers import edit_field as edit

from vrmdesk.store import models as m
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.editors.record_editor import RecordEditor

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(controller, qtbot):  # type: ignore[no-untyped-def]
    from vrmdesk.ui.app.main_window import MainWindow

    win = MainWindow(controller, Preferences())
    qtbot.addWidget(win)
    win.show()
    controller.notify({"*"})
    return win


def id_of(controller, cls, **where) -> int:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        query = select(cls.id).filter_by(**where)
        return s.scalars(query).one()


def value(controller, cls, record_id: int, name: str):  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return getattr(s.get(cls, record_id), name)


def press(qtbot, window, key, modifiers) -> None:  # type: ignore[no-untyped-def]
    window.activateWindow()
    qtbot.keyClick(window, key, modifiers)


def test_ctrl_z_puts_an_edit_back_and_ctrl_shift_z_does_it_again(window, controller, qtbot):  # type: ignore[no-untyped-def]
    undo, redo = window.commands.undo, window.commands.redo
    assert not undo.isEnabled() and not redo.isEnabled()
    dishwasher = id_of(controller, m.Asset, name="Dishwasher")
    edit(qtbot, controller, "asset", dishwasher, "name", "Bosch dishwasher")
    assert value(controller, m.Asset, dishwasher, "name") == "Bosch dishwasher"
    assert undo.isEnabled() and undo.text() == "&Undo edit of Bosch dishwasher"
    assert not redo.isEnabled()

    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert value(controller, m.Asset, dishwasher, "name") == "Dishwasher"
    assert not undo.isEnabled() and undo.text() == "&Undo"
    assert redo.isEnabled() and redo.text() == "&Redo edit of Bosch dishwasher"
    assert window.statusBar().currentMessage() == "Undid the edit of Bosch dishwasher."

    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert value(controller, m.Asset, dishwasher, "name") == "Bosch dishwasher"
    assert undo.text() == "&Undo edit of Bosch dishwasher" and not redo.isEnabled()


def test_several_steps_across_kinds_undo_in_turn(window, controller, qtbot):  # type: ignore[no-untyped-def]
    undo = window.commands.undo
    bosch = id_of(controller, m.Vendor, name="Bosch Home Appliances")
    oven = id_of(controller, m.Asset, name="Oven")
    with controller.session() as s:
        ticket = s.scalars(select(m.Ticket).where(m.Ticket.vendor_id == bosch)).first()
        ticket_id, ticket_title = ticket.id, ticket.title
    edit(qtbot, controller, "vendor", bosch, "name", "BSH Home")
    edit(qtbot, controller, "ticket", ticket_id, "title", "Door seal leaks")
    controller.delete_record("asset", oven)
    edit(qtbot, controller, "vendor", bosch, "notes", "Ask for the supervisor.")
    assert undo.text() == "&Undo edit of BSH Home"

    press(qtbot, window, Qt.Key.Key_Z, CTRL)  # the notes
    assert value(controller, m.Vendor, bosch, "notes") != "Ask for the supervisor."
    assert undo.text() == "&Undo delete of thing “Oven”"
    press(qtbot, window, Qt.Key.Key_Z, CTRL)  # the oven comes back
    assert value(controller, m.Asset, oven, "name") == "Oven"
    assert undo.text() == "&Undo edit of Door seal leaks"
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert value(controller, m.Ticket, ticket_id, "title") == ticket_title
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert value(controller, m.Vendor, bosch, "name") == "Bosch Home Appliances"
    assert not undo.isEnabled()

    # redo goes forward again in order; a new edit forgets what could be redone
    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert value(controller, m.Ticket, ticket_id, "title") == "Door seal leaks"
    assert window.commands.redo.text() == "&Redo delete of thing “Oven”"
    edit(qtbot, controller, "asset", oven, "location", "Cellar")
    assert not window.commands.redo.isEnabled()


def test_an_unchanged_save_is_no_step(window, controller, qtbot):  # type: ignore[no-untyped-def]
    dishwasher = id_of(controller, m.Asset, name="Dishwasher")
    dialog = RecordEditor(controller, "asset", dishwasher)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not window.commands.undo.isEnabled()


def test_undo_of_a_record_deleted_since_is_told_and_changes_nothing(window, controller, qtbot):  # type: ignore[no-untyped-def]
    oven = id_of(controller, m.Asset, name="Oven")
    edit(qtbot, controller, "asset", oven, "name", "Big oven")
    with controller.session() as s:  # deleted some other way (no undo step of its own)
        s.delete(s.get(m.Asset, oven))
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert window.statusBar().currentMessage() == f"There is no asset {oven}."
    assert not window.commands.undo.isEnabled() and not window.commands.redo.isEnabled()


def test_locking_forgets_every_step(window, controller, qtbot):  # type: ignore[no-untyped-def]
    dishwasher = id_of(controller, m.Asset, name="Dishwasher")
    edit(qtbot, controller, "asset", dishwasher, "name", "Bosch dishwasher")
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    edit(qtbot, controller, "asset", dishwasher, "location", "Basement")
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert window.commands.redo.isEnabled()
    controller.lock()
    assert not window.commands.undo.isEnabled() and window.commands.undo.text() == "&Undo"
    assert not window.commands.redo.isEnabled() and window.commands.redo.text() == "&Redo"
    assert controller.undo_text == "" and controller.redo_text == ""

"""One vocabulary through the real widgets: a direction is "From them"/"To them" in the timeline,
the quick capture and the record editor; the status bar and the delete question say "thing";
the delete question is answered by the action's name, not Yes/No."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from sqlalchemy import select

from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.editors.quick_capture import QuickCaptureDialog
from vrmdesk.ui.editors.record_editor import RecordEditor
from vrmdesk.ui.things.page import ThingsPage
from vrmdesk.ui.timeline.model import INBOUND_ROLE
from vrmdesk.ui.timeline.view import TimelineView

OLD_WORDS = ("received", "sent", "inbound", "outbound")


def answer_next_question(qtbot, press: str, seen: list[list[str]]) -> None:  # type: ignore[no-untyped-def]
    """When the next message box opens: note its buttons' texts, then press the one named
    ``press`` (as a person does, with the mouse)."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        buttons = box.findChildren(QPushButton)
        seen.append([b.text().replace("&", "") for b in buttons])
        target = next((b for b in buttons if b.text().replace("&", "") == press), None)
        if target is None:  # not the buttons expected: close it, the test says what it saw
            box.reject()
            return
        qtbot.mouseClick(target, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, answer)


def test_the_timeline_says_from_them_and_to_them(controller, qtbot) -> None:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        bosch = records.find_vendor(s, "Bosch Home Appliances").id
    view = TimelineView(controller)
    qtbot.addWidget(view)
    view.set_vendor(bosch)
    directions = [view.direction.itemText(i) for i in range(view.direction.count())]
    assert directions == ["Both ways", "From them", "To them"]
    model = view.model
    assert model.rowCount() > 1
    said: dict[bool, str] = {}
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        said[index.data(INBOUND_ROLE)] = index.data(Qt.ItemDataRole.ToolTipRole)
    assert said[True].startswith("From them by ") and said[False].startswith("To them by ")
    assert not any(word in text.lower() for text in said.values() for word in OLD_WORDS)


def test_quick_capture_and_the_record_editor_use_the_same_words(controller, qtbot) -> None:  # type: ignore[no-untyped-def]
    capture = QuickCaptureDialog(controller)
    qtbot.addWidget(capture)
    assert [b.text().replace("&", "") for b in capture.direction.buttons.values()] == [
        "From them",
        "To them",
    ]
    with controller.session() as s:
        letter = s.scalars(select(m.Interaction.id)).first()
    editor = RecordEditor(controller, "interaction", letter)
    qtbot.addWidget(editor)
    combo = editor.field("direction").combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["From them", "To them"]


def test_deleting_a_thing_asks_with_the_actions_name_and_the_status_bar_says_thing(
    controller,
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    page = ThingsPage(controller, Preferences())
    qtbot.addWidget(page)
    page.resize(1030, 700)
    page.show()
    with controller.session() as s:
        tv = s.scalar(select(m.Asset.id).where(m.Asset.name == "Television"))
    page.show_asset(tv)
    assert page.panel.title.text() == "Television"
    messages: list[str] = []
    controller.status.connect(messages.append)
    seen: list[list[str]] = []

    answer_next_question(qtbot, "Cancel", seen)
    qtbot.mouseClick(page.panel.delete_button, Qt.MouseButton.LeftButton)
    assert sorted(seen[0]) == ["Cancel", "Delete thing"]  # never Yes / No
    with controller.session() as s:
        assert s.get(m.Asset, tv) is not None  # Cancel changed nothing

    answer_next_question(qtbot, "Delete thing", seen)
    qtbot.mouseClick(page.panel.delete_button, Qt.MouseButton.LeftButton)
    with controller.session() as s:
        assert s.get(m.Asset, tv) is None
    assert messages[-1] == "Deleted the thing “Television”. Undo with Ctrl+Z."
    assert "asset" not in " ".join(messages)


def test_deleting_a_vendor_asks_delete_vendor_or_cancel(controller, qtbot) -> None:  # type: ignore[no-untyped-def]
    from vrmdesk.ui.editors.record_actions import confirm_delete

    with controller.session() as s:
        vendor = records.create(s, m.Vendor, name="Nobody GmbH").id
    seen: list[list[str]] = []
    answer_next_question(qtbot, "Delete vendor", seen)
    assert confirm_delete(None, controller, "vendor", vendor, "Nobody GmbH")
    assert sorted(seen[0]) == ["Cancel", "Delete vendor"]

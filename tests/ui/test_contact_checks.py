"""E-mail addresses, phone numbers and web addresses typed into the editors: a wrong one is told
under its field and nothing is saved."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.ui.editors.record_editor import RecordEditor


def count(controller, cls) -> int:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return int(s.scalar(select(func.count()).select_from(cls)))


def type_into(qtbot, editor: RecordEditor, name: str, text: str) -> None:  # type: ignore[no-untyped-def]
    edit = editor.field(name).focus_target()
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, text)


@pytest.mark.parametrize(
    ("field", "text", "told"),
    [
        ("email", "jo at example", "not an e-mail address"),
        ("phone", "ask the front desk", "not a phone number"),
    ],
)
def test_a_contacts_address_or_number_is_checked(controller, qtbot, field, text, told) -> None:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        vendor = records.find_vendor(s, "Bosch Home Appliances").id
    before = count(controller, m.Contact)
    editor = RecordEditor(controller, "contact", None, defaults={"vendor_id": vendor})
    qtbot.addWidget(editor)
    editor.show()
    type_into(qtbot, editor, "name", "Jo")
    type_into(qtbot, editor, field, text)
    assert not editor.save()
    assert told in editor.rows.row_for(field).error.text()
    assert count(controller, m.Contact) == before


@pytest.mark.parametrize(
    ("channel", "text", "told"),
    [("phone", "+49 30 ++", "not a phone number"), ("web_portal", "portal", "not a web address")],
)
def test_a_channel_is_checked_by_its_kind(controller, qtbot, channel, text, told) -> None:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        vendor = records.find_vendor(s, "Bosch Home Appliances").id
    before = count(controller, m.Channel)
    editor = RecordEditor(controller, "channel", None, defaults={"vendor_id": vendor})
    qtbot.addWidget(editor)
    editor.show()
    editor.field("channel").set_value(channel)
    type_into(qtbot, editor, "value", text)
    assert not editor.save()
    assert told in editor.rows.row_for("value").error.text()
    assert count(controller, m.Channel) == before

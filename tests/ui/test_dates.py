"""Dates typed into the editors as a person writes them: exactly that date, or "not a date".

Before, the editors used Qt's sectioned date edit, and ``2026-11-30`` typed with its dashes was
saved as 2026-12-11. Each test types into the real field with key presses and reads what was
stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import select

from vrmdesk.store import models as m
from vrmdesk.ui.editors.dates import DateField, parse_date
from vrmdesk.ui.editors.record_editor import RecordEditor
from vrmdesk.ui.editors.specs import SPECS
from vrmdesk.ui.widgets.dates import show_date

#: every date field a person types into, with the record it is tried on
DATE_FIELDS = [
    (m.RECORD_BY_KIND[kind], spec.name)
    for kind, specs in SPECS.items()
    for spec in specs
    if spec.kind == "date"
]


@pytest.fixture
def locale() -> Iterator[object]:
    """Run a test in another locale (``locale("en_US")``); the default comes back afterwards."""
    before = QLocale()

    def use(name: str) -> None:
        QLocale.setDefault(QLocale(name))

    yield use
    QLocale.setDefault(before)


def first_id(controller, cls) -> int:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return int(s.scalars(select(cls.id).order_by(cls.id)).first())


def stored(controller, cls, record_id: int, name: str):  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return getattr(s.get(cls, record_id), name)


def open_editor(qtbot, controller, cls, record_id: int) -> RecordEditor:  # type: ignore[no-untyped-def]
    dialog = RecordEditor(controller, cls.kind, record_id)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def retype(qtbot, field: DateField, text: str) -> None:  # type: ignore[no-untyped-def]
    """What a person does: click into the field, select all of it, type the new date."""
    field.edit.setFocus()
    qtbot.keyClick(field.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field.edit, text)


def safe_dates_for(cls: type[m.Record], name: str) -> list[str]:
    """Dates that the record's own rules accept in this field (an end after its start …)."""
    if name in (
        "opened_on",
        "registered_on",
        "performed_on",
        "started_on",
        "starts_on",
        "since",
        "purchase_date",
    ):
        return ["2024-06-30", "2020-03-15"]
    return ["2027-11-30", "2028-03-15", "2029-01-20"]


@pytest.mark.parametrize(("cls", "name"), DATE_FIELDS, ids=lambda v: getattr(v, "kind", v))
def test_a_date_typed_with_dashes_is_saved_as_typed(cls, name, controller, qtbot):
    record_id = first_id(controller, cls)
    if name == "closed_on":  # kept only on a ticket that is closed
        with controller.session() as s:
            record_id = s.scalars(
                select(m.Ticket.id).where(
                    m.Ticket.status.in_([m.TicketStatus.CLOSED, m.TicketStatus.RESOLVED])
                )
            ).first()
    for text in safe_dates_for(cls, name):
        dialog = open_editor(qtbot, controller, cls, record_id)
        field = dialog.field(name)
        retype(qtbot, field, text)
        assert field.value() == date.fromisoformat(text)
        assert dialog.save(), dialog.general_error.text() or [
            (r.title, r.error.label.text()) for r in dialog.rows.rows if r.error.label.text()
        ]
        assert stored(controller, cls, record_id, name) == date.fromisoformat(text)


def test_the_issue_examples_on_follow_up_on(controller, qtbot):
    ticket_id = first_id(controller, m.Ticket)
    for typed in ("2026-11-30", "2025-03-15", "2027-01-20", "2024-06-30", "20261130"):
        dialog = open_editor(qtbot, controller, m.Ticket, ticket_id)
        retype(qtbot, dialog.field("follow_up_on"), typed)
        assert dialog.save()
        expected = parse_date(typed)
        assert stored(controller, m.Ticket, ticket_id, "follow_up_on") == expected
    assert expected == date(2026, 11, 30)


def test_an_empty_date_field_takes_a_typed_date_too(controller, qtbot):
    vendor_id = first_id(controller, m.Vendor)
    dialog = open_editor(qtbot, controller, m.Vendor, vendor_id)
    since = dialog.field("since")
    since.edit.clear()
    qtbot.keyClicks(since.edit, "2026-11-30")
    assert since.input.understood.text() == QLocale().toString(
        QDate(2026, 11, 30), "ddd d MMM yyyy"
    )
    assert dialog.save()
    assert stored(controller, m.Vendor, vendor_id, "since") == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("locale_name", "typed"),
    [
        ("en_GB", "30/11/2026"),
        ("en_GB", "1/2/2026"),
        ("en_US", "11/30/26"),
        ("en_US", "11/30/2026"),
        ("de_DE", "30.11.2026"),
        ("de_DE", "30.11.26"),
        ("ja_JP", "2026/11/30"),
    ],
)
def test_the_locales_short_form_is_read_in_that_locale(
    locale_name, typed, locale, controller, qtbot
):
    locale(locale_name)
    expected = date(2026, 2, 1) if typed == "1/2/2026" else date(2026, 11, 30)
    ticket_id = first_id(controller, m.Ticket)
    dialog = open_editor(qtbot, controller, m.Ticket, ticket_id)
    follow_up = dialog.field("follow_up_on")
    retype(qtbot, follow_up, typed)
    qtbot.keyClick(follow_up.edit, Qt.Key.Key_Return)  # Enter saves
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert follow_up.edit.text() == show_date(expected)  # shown in the style chosen
    assert stored(controller, m.Ticket, ticket_id, "follow_up_on") == expected


@pytest.mark.parametrize(
    "typed", ["2026-02-30", "2026-13-01", "30-11-2026", "tomorrow", "2026-11", "99999999"]
)
def test_text_that_names_no_date_is_refused_and_nothing_is_saved(typed, controller, qtbot):
    ticket_id = first_id(controller, m.Ticket)
    before = stored(controller, m.Ticket, ticket_id, "follow_up_on")
    dialog = open_editor(qtbot, controller, m.Ticket, ticket_id)
    retype(qtbot, dialog.field("follow_up_on"), typed)
    assert not dialog.save()
    message = dialog.rows.row_for("follow_up_on").error.text()
    assert message.startswith(
        f"“{typed}” is not a date: type it as {show_date(date(date.today().year, 11, 30))}"
    )
    assert dialog.field("follow_up_on").input.understood.text() == ""
    assert stored(controller, m.Ticket, ticket_id, "follow_up_on") == before


def test_a_required_date_cannot_be_left_empty(controller, qtbot):
    ticket_id = first_id(controller, m.Ticket)
    before = stored(controller, m.Ticket, ticket_id, "opened_on")
    dialog = open_editor(qtbot, controller, m.Ticket, ticket_id)
    opened = dialog.field("opened_on")
    retype(qtbot, opened, "")
    qtbot.keyClick(opened.edit, Qt.Key.Key_Backspace)
    assert not dialog.save()
    assert dialog.rows.row_for("opened_on").error.text().startswith("A date is needed here")
    assert stored(controller, m.Ticket, ticket_id, "opened_on") == before


def test_the_calendar_picks_a_day(controller, qtbot):
    ticket_id = first_id(controller, m.Ticket)
    dialog = open_editor(qtbot, controller, m.Ticket, ticket_id)
    follow_up = dialog.field("follow_up_on")
    qtbot.mouseClick(follow_up.input.calendar_button, Qt.MouseButton.LeftButton)
    popup = follow_up.input._popup
    assert popup is not None and popup.isVisible()
    popup.calendar.setSelectedDate(QDate(2027, 1, 20))
    qtbot.keyClick(popup.calendar.focusWidget() or popup.calendar, Qt.Key.Key_Return)
    assert not popup.isVisible()
    assert follow_up.value() == date(2027, 1, 20)
    assert dialog.save()
    assert stored(controller, m.Ticket, ticket_id, "follow_up_on") == date(2027, 1, 20)


def test_quick_capture_when_takes_a_typed_date(controller, qtbot):
    from vrmdesk.ui.editors.quick_capture import QuickCaptureDialog

    dialog = QuickCaptureDialog(controller, None, vendor_id=first_id(controller, m.Vendor))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(dialog)
    dialog.show()
    retype(qtbot, dialog.when, "2025-03-15")
    dialog.when.time.setTime(dialog.when.time.time().fromString("09:45", "HH:mm"))
    qtbot.keyClicks(dialog.subject.edit, "Asked about the invoice")
    assert dialog.save()
    with controller.session() as s:
        saved = s.get(m.Interaction, dialog.interaction_id)
        assert (saved.occurred_at.date(), saved.occurred_at.strftime("%H:%M")) == (
            date(2025, 3, 15),
            "09:45",
        )

"""One date style: every list, page and editor shows dates as Settings says, an editor reads back
what it shows, and times kept in UTC are shown in local time."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from PySide6.QtCore import QLocale, QPoint, Qt
from PySide6.QtWidgets import QDialogButtonBox, QRadioButton
from sqlalchemy import select

from vrmdesk.store import models as m
from vrmdesk.store.services.dashboard import AttentionItem
from vrmdesk.ui.app.settings_dialog import SettingsDialog
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.editors.record_editor import RecordEditor
from vrmdesk.ui.home.page import LINES
from vrmdesk.ui.widgets import dates
from vrmdesk.ui.widgets.date_format_box import DateFormatBox


@pytest.fixture(autouse=True)
def default_style() -> Iterator[None]:
    before = QLocale()
    yield
    dates.set_style(dates.DEFAULT_STYLE)
    QLocale.setDefault(before)


def retype(qtbot, edit, text: str) -> None:  # type: ignore[no-untyped-def]
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, text)


@pytest.mark.parametrize(
    ("style", "locale", "typed"),
    [
        ("medium", "en_GB", "17 Dec 2026"),
        ("medium", "de_DE", "17 Dez. 2026"),
        ("system", "en_US", "12/17/2026"),
        ("system", "de_DE", "17.12.2026"),
        ("iso", "en_US", "2026-12-17"),
    ],
)
def test_a_date_typed_as_it_is_shown_saves_as_that_day(style, locale, typed, controller, qtbot):  # type: ignore[no-untyped-def]
    QLocale.setDefault(QLocale(locale))
    dates.set_style(style)
    assert dates.show_date(date(2026, 12, 17)) in (typed, typed.replace(".", "", 1))
    with controller.session() as s:
        ticket = s.scalars(select(m.Ticket.id).order_by(m.Ticket.id)).first()
    editor = RecordEditor(controller, "ticket", ticket)
    qtbot.addWidget(editor)
    editor.show()
    field = editor.field("follow_up_on")
    retype(qtbot, field.edit, dates.show_date(date(2026, 12, 17)))
    assert editor.save(), editor.rows.row_for("follow_up_on").error.text()
    with controller.session() as s:
        assert s.get(m.Ticket, ticket).follow_up_on == date(2026, 12, 17)
    again = RecordEditor(controller, "ticket", ticket)
    qtbot.addWidget(again)
    assert again.field("follow_up_on").edit.text() == dates.show_date(date(2026, 12, 17))


def test_home_gives_every_date_its_year() -> None:
    item = AttentionItem(
        "agreement", 1, "Telekom", "Mobile contract", date(2026, 11, 9), date(2026, 12, 9)
    )
    line = LINES["notice"](item)
    assert "renews 9 Dec 2026" in line and "give notice by 9 Nov 2026" in line


def test_the_settings_choice_is_used_and_kept(qtbot) -> None:  # type: ignore[no-untyped-def]
    prefs = Preferences()
    dialog = SettingsDialog(prefs)
    qtbot.addWidget(dialog)
    dialog.show()
    box = dialog.findChild(DateFormatBox)
    assert box is not None and box.buttons["medium"].isChecked()
    iso = box.buttons["iso"]
    assert isinstance(iso, QRadioButton) and iso.text().endswith("-12-17")
    qtbot.mouseClick(iso, Qt.MouseButton.LeftButton, pos=QPoint(8, iso.height() // 2))
    assert iso.isChecked()
    qtbot.mouseClick(
        dialog.button_box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    assert prefs.date_format == "iso" and dates.style() == "iso"
    assert dates.show_date(date(2026, 12, 17)) == "2026-12-17"


def test_times_kept_in_utc_are_shown_in_local_time() -> None:
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    try:
        noon_utc = datetime(2026, 2, 2, 12, 0)
        assert dates.show_datetime(noon_utc, utc=True) == "2 Feb 2026, 13:00"
        assert dates.show_datetime(noon_utc) == "2 Feb 2026, 12:00"  # kept as local already
    finally:
        if before is None:
            os.environ.pop("TZ")
        else:
            os.environ["TZ"] = before
        time.tzset()

"""Settings → "Keep a calendar file up to date": the .ics is rewritten after an edit made in the
window, holds titles only unless the person chose more, and a failed write is told once."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from sqlalchemy import select

from vrmdesk.interchange import calendar
from vrmdesk.store import models as m
from vrmdesk.ui.app.settings_dialog import SettingsDialog
from vrmdesk.ui.core import preferences as settings
from vrmdesk.ui.editors.record_editor import RecordEditor
from vrmdesk.ui.interchange.calendar_feed import ms_to_next_midnight


@pytest.fixture
def window(qtbot, controller, tmp_path):  # type: ignore[no-untyped-def]
    from vrmdesk.ui.app.main_window import MainWindow

    prefs = settings.Preferences(calendar_path=str(tmp_path / "feed" / "deadlines.ics"))
    (tmp_path / "feed").mkdir()
    win = MainWindow(controller, prefs)
    qtbot.addWidget(win)
    win.show()
    controller.notify({"*"})  # as the application does once the vault is open
    return win


def expected(controller, window, detail: str) -> bytes:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return calendar.calendar_bytes(
            s, controller.vault.header.vault_id, window.prefs.lead(), detail=detail
        )


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    """Click a check box or radio button on its box (its centre may be past its text)."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))


def test_the_feed_follows_an_edit_and_holds_titles_unless_chosen(qtbot, controller, window):  # type: ignore[no-untyped-def]
    feed = Path(window.prefs.calendar_path)
    qtbot.waitUntil(feed.exists, timeout=10000)
    assert feed.read_bytes() == expected(controller, window, "titles")
    assert b"Bosch" not in feed.read_bytes()  # no vendor names: titles only

    shown = feed.read_bytes().replace(b"\r\n ", b"")  # the lines unfolded
    with controller.session() as s:
        warranty_id, title = next(
            (w.id, w.title) for w in s.scalars(select(m.Warranty)) if w.title.encode() in shown
        )
    editor = RecordEditor(controller, "warranty", warranty_id, None)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.keyClicks(editor.field("title").edit, " (extended)")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    edited = f"{title} (extended)".encode()
    qtbot.waitUntil(lambda: edited in feed.read_bytes().replace(b"\r\n ", b""), timeout=10000)

    window.open_settings()
    dialog = window.findChild(SettingsDialog)
    box = dialog.calendar
    assert box.keep.isChecked() and box.target.edit.text() == str(feed)
    assert box.buttons["titles"].isChecked()
    click(qtbot, box.buttons["full"])
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert settings.load().calendar_detail == "full"
    full = expected(controller, window, "full")
    qtbot.waitUntil(lambda: feed.read_bytes() == full, timeout=10000)
    assert b"Bosch" in feed.read_bytes()


def test_a_folder_gone_is_told_once_in_the_status_bar(qtbot, controller, window):  # type: ignore[no-untyped-def]
    feed = Path(window.prefs.calendar_path)
    qtbot.waitUntil(feed.exists, timeout=10000)
    feed.unlink()
    feed.parent.rmdir()
    told: list[str] = []
    window.calendar_feed.failed.connect(told.append)
    statuses: list[str] = []
    controller.status.connect(statuses.append)
    for _ in range(3):
        controller.notify({"ticket"})
        window.calendar_feed.write_now()
        qtbot.wait(100)
    qtbot.waitUntil(lambda: bool(told), timeout=10000)
    qtbot.wait(300)
    assert len(told) == 1 and "does not exist" in told[0]
    assert [s for s in statuses if "calendar" in s] == told  # in the status bar, once


def test_settings_refuse_a_calendar_file_in_no_folder(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    prefs = settings.Preferences()
    dialog = SettingsDialog(prefs)
    qtbot.addWidget(dialog)
    dialog.show()
    box = dialog.calendar
    assert not box.keep.isChecked() and not box.target.edit.isEnabled()
    click(qtbot, box.keep)
    box.target.edit.selectAll()
    qtbot.keyClicks(box.target.edit, str(tmp_path / "nowhere" / "d.ics"))
    assert not dialog.ok.isEnabled() and "does not exist" in box.target.problem_label.text()
    box.target.edit.selectAll()
    qtbot.keyClicks(box.target.edit, str(tmp_path / "d.ics"))
    assert dialog.ok.isEnabled()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert (prefs.calendar_path, prefs.calendar_detail) == (str(tmp_path / "d.ics"), "titles")


def test_the_day_turns_a_minute_after_midnight() -> None:
    assert ms_to_next_midnight(datetime(2025, 3, 4, 23, 59)) == 2 * 60_000
    assert ms_to_next_midnight(datetime(2025, 3, 4, 0, 0)) == 24 * 3600_000 + 60_000

"""The sync status in the window's status bar: what it says for each state of the engine's
status, what a click opens, and the text after a real sync."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import Qt

from vrmdesk.sync import engine
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.sync.status import describe

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def status(**changes: Any) -> SimpleNamespace:
    values: dict[str, Any] = {
        "set_up": True,
        "folder": Path("/home/me/Sync/vrmdesk"),
        "device": "a" * 32,
        "name": "Laptop",
        "last_sync": NOW - timedelta(minutes=2),
        "last_report": None,
        "unsent": 0,
        "waiting": 0,
        "conflicts": 0,
        "devices": 1,
    }
    values.update(changes)
    return SimpleNamespace(**values)


def test_what_the_status_says() -> None:
    assert describe(status(set_up=False, folder=None), running=False).text == "Sync: not set up"
    assert describe(status(set_up=False), running=False).click == "set_up"
    assert describe(status(), running=False, now=NOW).text == "Synced 2 min ago"
    assert describe(status(), running=True, now=NOW).text == "Syncing…"
    assert describe(status(last_sync=None), running=False).text == "Not synced yet"
    waiting = describe(status(waiting=3), running=False, now=NOW)
    assert waiting.text == "Synced 2 min ago · 3 sets waiting"
    one = describe(status(conflicts=1), running=False, now=NOW)
    assert one.text == "Synced 2 min ago · 1 conflict" and one.click == "conflicts"
    assert describe(status(conflicts=2), running=False, now=NOW).text.endswith("2 conflicts")
    assert describe(status(), running=False, now=NOW).click == "sync"
    hours = describe(status(last_sync=NOW - timedelta(hours=3)), running=False, now=NOW)
    assert hours.text == "Synced 3 h ago"


def test_problems_are_short_in_the_text_and_whole_in_the_tooltip() -> None:
    report = SimpleNamespace(
        problems=[{"kind": "gap", "device": "b" * 32, "set": 4, "message": "Set 4 is missing."}]
    )
    shown = describe(status(last_report=report), running=False, now=NOW)
    assert shown.text == "Synced 2 min ago · 1 problem" and shown.warning
    assert "Set 4 is missing." in shown.tip
    skipped = SimpleNamespace(problems=[{"kind": "before-pairing", "message": "Skipped 1 to 1."}])
    before = describe(status(last_report=skipped), running=False, now=NOW)
    assert before.text == "Synced 2 min ago" and not before.warning  # by design, not a problem
    assert "Skipped 1 to 1." in before.tip
    failed = describe(status(), running=False, problem="The sync folder is not there.")
    assert failed.text == "Sync failed" and "not there" in failed.tip and failed.warning


@pytest.fixture
def window(controller, qtbot):  # type: ignore[no-untyped-def]
    from vrmdesk.ui.app.main_window import MainWindow

    win = MainWindow(controller, Preferences())
    qtbot.addWidget(win)
    win.show()
    return win


def test_after_a_sync_it_says_when_and_a_click_syncs_again(window, controller, tmp_path, qtbot):  # type: ignore[no-untyped-def]
    shown = window.sync.status
    qtbot.waitUntil(lambda: shown.isVisible())  # a moment after the window
    assert shown.text() == "Sync: not set up"
    engine.init(controller.vault, tmp_path / "shared")
    window.sync.syncer.start()
    qtbot.waitUntil(lambda: shown.text() == "Synced just now", timeout=20000)
    assert "Click to sync now" in shown.toolTip()
    said: list[str] = []
    controller.status.connect(said.append)
    qtbot.mouseClick(shown, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(s.startswith("Synced: ") for s in said), timeout=20000)
    assert said[0] == "Syncing…"


def test_the_menu_and_f5_sync_now_and_locking_hides_the_status(window, controller, tmp_path, qtbot):  # type: ignore[no-untyped-def]
    sync_now = window.commands.sync_now
    assert sync_now.shortcut().toString() == "F5"
    assert sync_now in window.commands.sync_menu.actions()
    qtbot.waitUntil(lambda: window.sync.status.ready)
    engine.init(controller.vault, tmp_path / "shared")
    window.sync.syncer.start()
    qtbot.waitUntil(lambda: window.sync.syncer.running is None, timeout=20000)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.statusBar().currentMessage() == "Syncing…"
    controller.lock()
    assert not window.sync.status.isVisible()
    assert not sync_now.isEnabled()

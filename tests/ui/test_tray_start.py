"""Reminders when the window is closed, as a person meets them: Settings → Reminders turns "Start at
login in the tray" on (the XDG autostart entry, under XDG_CONFIG_HOME) and off again, and "Keep
running in the tray" makes closing the window lock it into the tray while Quit still quits;
started with ``--tray`` (as at login), the program waits in the tray, locked, until its icon's
Unlock is used."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from ui_helpers import unlock_with, when_modal
from vault_templates import demo_folder

from vrmdesk import desktop
from vrmdesk.ui.app.application import Application
from vrmdesk.ui.app.settings_dialog import SettingsDialog
from vrmdesk.ui.core import preferences as settings

PASS = "tray pass"
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


@pytest.fixture
def with_tray(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return demo_folder(tmp_path / "v", PASS)


def tick(qtbot, box) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(box, LEFT, pos=QPoint(8, box.height() // 2))  # on the box, not past its text


def open_reminders(qtbot, prefs, controller) -> SettingsDialog:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog(prefs, controller=controller)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    bar = dialog.tabs.tabBar()
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(dialog.tabs.indexOf(dialog.reminder_tab)).center())
    assert dialog.tabs.currentWidget() is dialog.reminder_tab
    return dialog


def test_start_at_login_writes_the_autostart_entry_and_removes_it(
    qtbot, controller, config_home: Path
) -> None:  # type: ignore[no-untyped-def]
    entry = config_home / "autostart" / f"{desktop.APP_ID}.desktop"
    prefs = settings.Preferences()
    dialog = open_reminders(qtbot, prefs, controller)
    assert not dialog.reminder_tab.at_login.isChecked()
    tick(qtbot, dialog.reminder_tab.at_login)
    qtbot.mouseClick(dialog.ok, LEFT)
    assert not dialog.isVisible()
    lines = entry.read_text().splitlines()
    assert "Exec=" + desktop.exec_line([*desktop.launcher(), "--tray"]) in lines
    dialog = open_reminders(qtbot, prefs, controller)  # shown as it is
    assert dialog.reminder_tab.at_login.isChecked()
    tick(qtbot, dialog.reminder_tab.at_login)
    qtbot.mouseClick(dialog.ok, LEFT)
    assert not entry.exists()


def test_an_autostart_entry_that_cannot_be_written_is_told_and_nothing_is_kept(
    qtbot, controller, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the config folder would be")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
    prefs = settings.Preferences()
    dialog = open_reminders(qtbot, prefs, controller)
    tick(qtbot, dialog.reminder_tab.keep_in_tray)
    tick(qtbot, dialog.reminder_tab.at_login)
    qtbot.mouseClick(dialog.ok, LEFT)
    assert dialog.isVisible() and dialog.tabs.currentWidget() is dialog.reminder_tab
    assert "Could not change" in dialog.reminder_tab.login_problem.text()
    assert prefs.close_to_tray is False  # OK refused: nothing of the dialog kept


@pytest.fixture
def application(qtbot, folder: Path, with_tray: None) -> Iterator[Application]:  # type: ignore[no-untyped-def]
    application = Application(QApplication.instance(), folder)  # type: ignore[arg-type]
    yield application
    application.shutdown()
    if application.tray is not None:
        application.tray.hide()
    QApplication.instance().setQuitOnLastWindowClosed(True)  # type: ignore[union-attr]


def test_keep_running_in_the_tray_locks_on_close_and_quit_still_quits(
    qtbot, application: Application
) -> None:  # type: ignore[no-untyped-def]
    when_modal(unlock_with(qtbot, PASS))
    assert application.start()
    window = application.window
    assert window is not None and application.controller is not None
    qtbot.addWidget(window)
    dialog = open_reminders(qtbot, application.prefs, application.controller)
    assert not dialog.reminder_tab.keep_in_tray.isChecked()  # the default: closing quits
    tick(qtbot, dialog.reminder_tab.keep_in_tray)
    qtbot.mouseClick(dialog.ok, LEFT)
    assert application.prefs.close_to_tray

    assert not window.close()  # the window's close button: kept running, locked, in the tray
    assert not window.isVisible() and not application.controller.is_open
    assert application.tray is not None and application.tray.isVisible()
    assert application.tray.unlock_action.isVisible()
    when_modal(unlock_with(qtbot, PASS))
    application.tray.unlock_action.trigger()
    assert application.controller.is_open and window.isVisible()

    window.commands.quit.trigger()  # File → Quit: it quits, setting or not
    assert not window.isVisible() and window.quitting


def test_closing_the_window_quits_when_the_setting_is_off(qtbot, application) -> None:  # type: ignore[no-untyped-def]
    when_modal(unlock_with(qtbot, PASS))
    assert application.start()
    qtbot.addWidget(application.window)
    assert application.window.close()
    assert not application.window.isVisible()


def test_started_in_the_tray_it_waits_locked_until_unlock(qtbot, application) -> None:  # type: ignore[no-untyped-def]
    assert application.start_in_tray()
    tray = application.tray
    assert tray is not None and tray.isVisible() and tray.toolTip() == "vrmdesk — locked"
    assert application.window is None and application.controller is None  # nothing opened yet
    when_modal(lambda dialog: dialog.reject())  # Cancel: it keeps waiting in the tray
    tray.unlock_action.trigger()
    assert application.window is None and tray.isVisible()
    assert not QApplication.quitOnLastWindowClosed()
    when_modal(unlock_with(qtbot, PASS))
    tray.unlock_action.trigger()
    assert application.window is not None and application.window.isVisible()
    qtbot.addWidget(application.window)
    assert application.controller is not None and application.controller.is_open
    assert QApplication.quitOnLastWindowClosed()


def test_without_a_tray_the_tray_start_opens_as_usual(qtbot, folder: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: False))
    application = Application(QApplication.instance(), folder)  # type: ignore[arg-type]
    try:
        assert not application.start_in_tray()
    finally:
        application.shutdown()

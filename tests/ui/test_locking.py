"""Unlocking and locking as a person does it: Enter after a typo, Cancel on the lock dialog,
and nothing of the vault left on screen while it is locked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget
from ui_helpers import press_escape, unlock_with, when_modal
from vault_templates import demo_folder

from vrmdesk.ui.app.application import Application
from vrmdesk.ui.vault.unlock import UnlockDialog

PASS = "right one"


def make_demo(folder: Path) -> None:
    demo_folder(folder, PASS)


@pytest.fixture
def application(qtbot, tmp_path: Path) -> Iterator[Application]:
    """The program started on a demo vault, unlocked by typing the passphrase and Enter."""
    folder = tmp_path / "v"
    make_demo(folder)
    app = QApplication.instance()
    application = Application(app, folder)  # type: ignore[arg-type]
    when_modal(unlock_with(qtbot, PASS))
    assert application.start()
    qtbot.addWidget(application.window)
    yield application
    application.shutdown()
    if application.tray is not None:
        application.tray.hide()


# -- 2. Enter after a wrong passphrase ------------------------------------------------------------
def test_enter_after_a_wrong_passphrase_unlocks_and_does_not_cancel(qtbot, tmp_path):
    folder = tmp_path / "v"
    make_demo(folder)
    dialog = UnlockDialog(folder)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    rejected: list[bool] = []
    dialog.rejected.connect(lambda: rejected.append(True))
    qtbot.keyClicks(dialog.passphrase, "wrong one")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.error.isVisible, timeout=10000)
    assert dialog.unlock_button.isDefault()
    assert dialog.focusWidget() is dialog.passphrase
    qtbot.keyClicks(dialog.passphrase, PASS)  # the wrong text is selected: typing replaces it
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert not rejected
    assert dialog.vault is not None and dialog.vault.is_open
    dialog.vault.close()


def test_enter_after_two_wrong_passphrases_still_means_unlock(qtbot, tmp_path):
    folder = tmp_path / "v"
    make_demo(folder)
    dialog = UnlockDialog(folder)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    for attempt in ("first typo", "second typo"):
        qtbot.keyClicks(dialog.passphrase, attempt)
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
        qtbot.waitUntil(
            lambda: dialog.error.isVisible() and dialog.unlock_button.isEnabled(), timeout=10000
        )
        assert dialog.isVisible() and dialog.unlock_button.isDefault()
    qtbot.keyClicks(dialog.passphrase, PASS)
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    dialog.vault.close()


# -- 3. Cancel on the lock dialog ---------------------------------------------------------------
def test_escape_on_the_lock_dialog_leaves_the_program_running_locked(application, qtbot):
    window = application.window
    quits: list[bool] = []
    application.app.aboutToQuit.connect(lambda: quits.append(True))
    when_modal(press_escape(qtbot))
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert not application.controller.is_open
    assert not quits and not application.quitting
    assert window.isVisible()  # no tray here (offscreen): the window stays, locked
    assert window.content.currentWidget() is window.locked_page
    # … and unlocking again brings the vault back
    when_modal(unlock_with(qtbot, PASS))
    qtbot.mouseClick(window.locked_page.unlock_button, Qt.MouseButton.LeftButton)
    assert application.controller.is_open
    assert window.content.currentWidget() is window.splitter
    assert window.pages["home"].headline.text()  # filled again


def test_cancel_on_the_lock_dialog_keeps_the_program_in_the_tray(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    folder = tmp_path / "v"
    make_demo(folder)
    application = Application(QApplication.instance(), folder)  # type: ignore[arg-type]
    when_modal(unlock_with(qtbot, PASS))
    assert application.start()
    qtbot.addWidget(application.window)
    try:
        assert application.tray is not None
        when_modal(lambda dialog: dialog.reject())  # the Cancel button's slot
        application.window.commands.lock.trigger()
        assert not application.controller.is_open and not application.quitting
        assert not application.window.isVisible() and application.tray.isVisible()
        unlock = application.tray.unlock_action
        assert unlock.isEnabled()
        when_modal(unlock_with(qtbot, PASS))
        unlock.trigger()
        assert application.controller.is_open and application.window.isVisible()
    finally:
        application.shutdown()
        application.tray.hide()


# -- 4. Nothing of the vault on screen while locked --------------------------------------------
def test_the_locked_window_shows_nothing_of_the_vault(application, qtbot):
    window = application.window
    home = window.pages["home"]
    assert any("(" in s.title.text() for s in home.sections.values())  # counts while unlocked
    assert window.vault_name in window.windowTitle()
    application.controller.status.emit(
        "14 reminders: Television: Extended warranty ends on 17 Dec 2026"
    )
    assert window.statusBar().currentMessage()
    when_modal(press_escape(qtbot))
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.windowTitle() == "vrmdesk — locked"
    assert window.statusBar().currentMessage() == ""
    assert window.status_label.text() == ""
    assert all("(" not in s.title.text() for s in home.sections.values())
    assert all(s.list.count() == 0 for s in home.sections.values())
    assert home.headline.text() == ""
    assert window.content.currentWidget() is window.locked_page
    # while locked, commands that need the vault are off (a shortcut does nothing)
    actions = window.commands
    for action in (
        actions.search,
        actions.capture,
        actions.new_vendor,
        actions.share,
        actions.backup,
        actions.lock,
        actions.import_reply,
        actions.identity,
        *actions.go,
    ):
        assert not action.isEnabled(), action.text()
    assert actions.quit.isEnabled() and actions.unlock.isEnabled()
    # a message that arrives while locked is not shown either
    application.controller.status.emit("Saved the vendor “Bosch”.")
    assert window.statusBar().currentMessage() == ""


def test_no_visible_widget_names_a_record_while_locked(application, qtbot):
    """Walk every widget a person could see: none shows a vendor's or a thing's name."""
    from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QLabel, QLineEdit

    from vrmdesk.store import models as m

    window = application.window
    with application.controller.session() as s:
        names = [v.name for v in s.query(m.Vendor)] + [a.name for a in s.query(m.Asset)]
    window.show_page("vendors")
    window.open_record("vendor", 1)
    qtbot.wait(50)
    when_modal(press_escape(qtbot))
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    shown: list[str] = [window.windowTitle(), window.statusBar().currentMessage()]
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, (QLabel, QLineEdit, QAbstractButton)):
            shown.append(widget.text())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            shown += [str(model.index(r, 0).data()) for r in range(model.rowCount())]
    leaked = [text for text in shown for name in names if name in text]
    assert not leaked


def test_a_question_open_when_the_vault_locks_is_closed_and_answers_no(application, qtbot):
    from PySide6.QtWidgets import QMessageBox

    from vrmdesk.store import models as m
    from vrmdesk.ui.editors.record_actions import confirm_delete

    window = application.window
    with application.controller.session() as s:
        bosch = s.query(m.Vendor).filter_by(name="Bosch Home Appliances").one().id
    seen: list[str] = []

    def lock_while_asked(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        when_modal(press_escape(qtbot))  # then the unlock dialog: Cancel
        application.lock()  # the idle timer fires while the question is up
        seen.append("visible" if box.isVisible() else "closed")

    when_modal(lock_while_asked)
    assert not confirm_delete(
        window, application.controller, "vendor", bosch, "Bosch Home Appliances"
    )
    assert seen == [
        "Delete the vendor “Bosch Home Appliances”?\n\nUndo brings it back (Ctrl+Z).",
        "closed",
    ]
    when_modal(unlock_with(qtbot, PASS))
    application.unlock()
    with application.controller.session() as s:
        assert s.get(m.Vendor, bosch) is not None  # not deleted


def test_quitting_while_work_is_written_asks_and_no_keeps_it_running(application, qtbot):
    import threading

    from PySide6.QtWidgets import QMessageBox

    from vrmdesk.ui.core.progress import run_with_progress

    window = application.window
    release = threading.Event()
    finished: list[str] = []
    run_with_progress(
        window,
        application.controller,
        "Writing bosch.vrmshare…",
        lambda task: release.wait(10) and "written",
        finished.append,
        lambda exc: None,
    )
    asked: list[str] = []

    def answer_no(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        qtbot.keyClick(box, Qt.Key.Key_Return)  # the default answer: No

    when_modal(answer_no)
    assert not window.close()  # the window's close button, or Quit from the tray
    assert asked and asked[0].startswith("Writing bosch.vrmshare is not finished")
    assert window.isVisible() and not application.quitting
    release.set()
    qtbot.waitUntil(lambda: finished == ["written"], timeout=5000)
    assert application.controller.tasks.running_work() == []

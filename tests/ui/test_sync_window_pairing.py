"""Sync in the window: Set up sync… with a folder, pairing two real vaults through the Pair a
device… dialog (the same comparison string on both, confirmed), a bad code refused beside the
field, and the Devices dialog renaming and revoking."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QInputDialog, QLineEdit, QMessageBox
from ui_helpers import when_modal

from vrmdesk.sync import engine
from vrmdesk.sync.device import default_name
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.sync.devices import DevicesDialog
from vrmdesk.ui.sync.pairing import PairDialog
from vrmdesk.ui.sync.setup import SetUpDialog

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def window(controller, qtbot):  # type: ignore[no-untyped-def]
    from vrmdesk.ui.app.main_window import MainWindow

    win = MainWindow(controller, Preferences())
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """The folder another program replicates (made by the person, as Syncthing would)."""
    folder = tmp_path / "shared"
    folder.mkdir()
    return folder


def pair_dialog(qtbot, controller) -> PairDialog:  # type: ignore[no-untyped-def]
    dialog = PairDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_set_up_sync_from_the_status_with_a_chosen_folder(window, controller, shared, qtbot):  # type: ignore[no-untyped-def]
    status = window.sync.status
    qtbot.waitUntil(lambda: status.isVisible())  # a moment after the window
    assert status.text() == "Sync: not set up"
    qtbot.mouseClick(status, LEFT)
    dialog = window.sync.dialogs["set_up"]
    assert isinstance(dialog, SetUpDialog) and dialog.isVisible()
    assert dialog.name.text() == default_name()  # the host name until the person says

    qtbot.keyClicks(dialog.folder, str(shared.parent))  # where the chooser starts
    qtbot.mouseClick(dialog.browse, LEFT)
    chooser = dialog.file_dialog
    assert isinstance(chooser, QFileDialog) and chooser.isVisible()
    qtbot.waitUntil(lambda: chooser.directory().absolutePath() == str(shared.parent))
    name_field = chooser.findChild(QLineEdit, "fileNameEdit")
    qtbot.keyClicks(name_field, shared.name)
    [choose] = [
        b
        for b in chooser.findChild(QDialogButtonBox).buttons()
        if chooser.findChild(QDialogButtonBox).buttonRole(b)
        == QDialogButtonBox.ButtonRole.AcceptRole
    ]
    qtbot.mouseClick(choose, LEFT)
    qtbot.waitUntil(lambda: dialog.folder.text() == str(shared))

    dialog.name.selectAll()
    qtbot.keyClicks(dialog.name, "Laptop")
    qtbot.mouseClick(dialog.ok, LEFT)
    qtbot.waitUntil(lambda: closed(dialog))  # set up off the UI thread
    assert closed(dialog)
    assert engine.is_set_up(controller.vault)
    assert engine.status(controller.vault).name == "Laptop"
    assert (shared / "vrmsync.json").is_file()
    # set up: it syncs at once, and the status says so
    qtbot.waitUntil(lambda: status.text().startswith("Synced just now"), timeout=20000)


def closed(dialog) -> bool:  # type: ignore[no-untyped-def]
    """Gone from the screen (closed, or already deleted by the window that opened it)."""
    import shiboken6

    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def test_a_folder_that_cannot_be_used_is_refused_and_nothing_is_set_up(controller, tmp_path, qtbot):  # type: ignore[no-untyped-def]
    dialog = SetUpDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.ok, LEFT)  # no folder at all
    assert dialog.isVisible() and "Choose the folder" in dialog.folder_error.text()
    qtbot.keyClicks(dialog.folder, str(tmp_path / "no" / "such" / "place"))
    qtbot.mouseClick(dialog.ok, LEFT)
    qtbot.waitUntil(lambda: dialog.folder_error.text() != "")  # refused off the UI thread
    qtbot.waitUntil(dialog.ok.isEnabled)
    assert dialog.isVisible()
    assert "does not exist" in dialog.folder_error.text()
    assert not engine.is_set_up(controller.vault)


def test_two_vaults_pair_after_seeing_the_same_string(controller, second_controller, shared, qtbot):  # type: ignore[no-untyped-def]
    engine.init(controller.vault, shared, name="Laptop")
    engine.init(second_controller.vault, shared, name="Desktop")
    laptop, desktop = pair_dialog(qtbot, controller), pair_dialog(qtbot, second_controller)

    assert not laptop.qr.pixmap().isNull()  # the code as a QR code, to scan
    qtbot.mouseClick(laptop.copy, LEFT)
    laptop_code = laptop.own_code.toPlainText()
    assert QGuiApplication.clipboard().text() == laptop_code
    assert laptop_code.startswith("VRMSYNC1:")

    # each types the other's code
    qtbot.keyClicks(laptop.other_code, desktop.own_code.toPlainText())
    qtbot.keyClicks(laptop.other_name, "Study desktop")
    qtbot.mouseClick(laptop.compare_button, LEFT)
    qtbot.keyClicks(desktop.other_code, laptop_code)
    qtbot.keyClick(desktop.other_code, Qt.Key.Key_Return)
    assert laptop.check.isVisible() and desktop.check.isVisible(), desktop.code_error.text()
    shown = laptop.comparison.text()
    assert len(shown.replace(" ", "")) >= 12
    assert desktop.comparison.text() == shown  # both show the same
    assert "Does the other device show the same?" in laptop.question.text()
    assert engine.devices(controller.vault) == []  # nothing stored before the answer

    qtbot.mouseClick(laptop.same, LEFT)
    qtbot.mouseClick(desktop.same, LEFT)
    assert not laptop.check.isVisible()
    assert "Paired with 'Study desktop'" in laptop.outcome.text()
    assert [d.name for d in engine.devices(controller.vault)] == ["Study desktop"]
    assert [d.name for d in engine.devices(second_controller.vault)] == ["Laptop"]


def test_a_malformed_code_is_refused_beside_the_field(controller, shared, qtbot):  # type: ignore[no-untyped-def]
    engine.init(controller.vault, shared)
    dialog = pair_dialog(qtbot, controller)
    qtbot.keyClicks(dialog.other_code, "VRMSYNC1:NOTACODE")
    qtbot.mouseClick(dialog.compare_button, LEFT)
    assert dialog.code_error.text()  # a clear message next to the field
    assert not dialog.check.isVisible()
    dialog.other_code.clear()
    qtbot.keyClicks(dialog.other_code, dialog.own_code.toPlainText())  # its own code
    qtbot.mouseClick(dialog.compare_button, LEFT)
    if dialog.check.isVisible():  # read, but pairing with itself is refused
        qtbot.mouseClick(dialog.same, LEFT)
    assert "own" in dialog.code_error.text()
    assert engine.devices(controller.vault) == []


def test_strings_that_differ_store_nothing(controller, second_controller, shared, qtbot):  # type: ignore[no-untyped-def]
    engine.init(controller.vault, shared)
    engine.init(second_controller.vault, shared)
    dialog = pair_dialog(qtbot, controller)
    qtbot.keyClicks(dialog.other_code, engine.own_code(second_controller.vault))
    qtbot.mouseClick(dialog.compare_button, LEFT)
    qtbot.mouseClick(dialog.differ, LEFT)
    assert not dialog.check.isVisible()
    assert "nothing was stored" in dialog.outcome.text()
    assert engine.devices(controller.vault) == []


def test_devices_are_renamed_and_revoked(controller, second_controller, shared, qtbot):  # type: ignore[no-untyped-def]
    engine.init(controller.vault, shared, name="Laptop")
    engine.init(second_controller.vault, shared, name="Desktop")
    engine.pair(controller.vault, engine.read_code(engine.own_code(second_controller.vault)))
    dialog = DevicesDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 0).text() == "Desktop"
    assert "Laptop" in dialog.this_device.text()

    def rename(box) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(box, QInputDialog)
        line = box.findChild(QLineEdit)
        line.selectAll()
        qtbot.keyClicks(line, "Kitchen PC")
        qtbot.keyClick(line, Qt.Key.Key_Return)

    when_modal(rename, QInputDialog)
    qtbot.mouseClick(dialog.rename_button, LEFT)
    assert dialog.table.item(0, 0).text() == "Kitchen PC"
    assert engine.devices(controller.vault)[0].name == "Kitchen PC"

    said: list[str] = []

    def revoke(box) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(box, QMessageBox)
        said.append(box.text())
        [button] = [b for b in box.buttons() if b.text() == "Revoke device"]
        qtbot.mouseClick(button, LEFT)

    when_modal(revoke, QMessageBox)
    qtbot.mouseClick(dialog.revoke_button, LEFT)
    assert "gets no further change sets" in said[0] and "ignored" in said[0]
    assert engine.devices(controller.vault)[0].revoked_at is not None
    assert dialog.table.item(0, 4).text()  # when it was revoked
    assert not dialog.revoke_button.isEnabled()


def test_pairing_before_set_up_asks_for_the_folder_first(window, controller, qtbot):  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: window.sync.status.isVisible())
    window.commands.pair_device.trigger()  # Sync → Pair a device…
    assert "pair" not in window.sync.dialogs
    assert window.sync.dialogs["set_up"].isVisible()
    assert window.statusBar().currentMessage().startswith("Set up sync first")

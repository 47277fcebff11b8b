"""Changing the passphrase from the window, and giving the vault a new key when someone may
know it: typed as a person types, checked against what then opens the vault."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from ui_helpers import when_modal

from vrmdesk.errors import WrongPassphrase
from vrmdesk.store import keys
from vrmdesk.store.vault import Vault
from vrmdesk.ui.vault import passphrase_dialog
from vrmdesk.ui.vault.passphrase_dialog import ChangePassphraseDialog, RecoveryKeyDialog

OLD = "pw"  # the demo vault's passphrase in tests/ui/conftest.py
NEW = "glacier lantern orbit pickle"


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys, "calibrate", keys.fast_params_for_tests)


def fill(qtbot, dialog: ChangePassphraseDialog, current: str, new: str, rotate: bool) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(dialog.current, current)
    qtbot.keyClicks(dialog.new.first, new)
    qtbot.keyClicks(dialog.new.second, new)
    if rotate:
        qtbot.mouseClick(dialog.rotate, Qt.MouseButton.LeftButton)


def folder_of(controller) -> Path:  # type: ignore[no-untyped-def]
    return controller.vault.folder


def test_a_changed_passphrase_opens_the_vault_and_the_old_one_does_not(controller, qtbot):
    folder = folder_of(controller)
    dialog = ChangePassphraseDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.ok.isEnabled()
    fill(qtbot, dialog, OLD, NEW, rotate=False)
    assert dialog.ok.isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=20000):
        qtbot.keyClick(dialog.new.second, Qt.Key.Key_Return)
    controller.lock()
    with pytest.raises(WrongPassphrase):
        Vault.open(folder, OLD)
    Vault.open(folder, NEW).close()


def test_a_wrong_current_passphrase_changes_nothing(controller, qtbot):
    folder = folder_of(controller)
    before = (folder / "vault.json").read_bytes()
    dialog = ChangePassphraseDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    fill(qtbot, dialog, "not it", NEW, rotate=True)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=20000)
    assert dialog.error.text() == "The current passphrase is not right; nothing was changed."
    assert dialog.isVisible() and (folder / "vault.json").read_bytes() == before


def test_someone_may_know_it_gives_a_new_key_and_shows_the_new_recovery_key_once(controller, qtbot):
    folder = folder_of(controller)
    old_header = (folder / "vault.json").read_bytes()
    shown: list[str] = []

    def keep_it(dialog: QWidget) -> None:
        assert isinstance(dialog, RecoveryKeyDialog)
        assert not dialog.done_button.isEnabled()
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # not yet: the key would be lost
        assert dialog.isVisible()
        shown.append(dialog.panel.key.text())
        dialog.panel.kept.setChecked(True)
        qtbot.mouseClick(dialog.done_button, Qt.MouseButton.LeftButton)

    when_modal(keep_it, RecoveryKeyDialog)
    dialog = ChangePassphraseDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    fill(qtbot, dialog, OLD, NEW, rotate=True)
    with qtbot.waitSignal(dialog.accepted, timeout=60000):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert shown and shown[0] == dialog.recovery_key
    assert controller.vault.unseen_recovery_key is None  # acknowledged once shown
    assert controller.is_open
    with controller.session() as s:  # the window goes on working on the new key
        from vrmdesk.store import models as m

        assert s.query(m.Vendor).count() > 0
    controller.lock()
    (folder / "old.json").write_bytes(old_header)
    with pytest.raises(WrongPassphrase):
        Vault.open(folder, OLD)
    Vault.open(folder, recovery_key=shown[0]).close()
    Vault.open(folder, NEW).close()


def test_a_recovery_key_never_shown_is_shown_at_the_next_unlock(controller, qtbot, monkeypatch):
    shown: list[str] = []
    folder = folder_of(controller)
    rotated = controller.vault.rotate_key(NEW)  # a crash came before the key was shown
    controller.lock()
    vault = Vault.open(folder, NEW)
    assert vault.unseen_recovery_key == rotated.recovery_key
    controller.replace(vault)

    def keep_it(dialog: QWidget) -> None:
        shown.append(dialog.panel.key.text())  # type: ignore[attr-defined]
        dialog.panel.kept.setChecked(True)  # type: ignore[attr-defined]
        dialog.accept()

    when_modal(keep_it, RecoveryKeyDialog)
    passphrase_dialog.show_unseen_recovery_key(None, controller)
    assert shown == [rotated.recovery_key]
    assert controller.vault.unseen_recovery_key is None

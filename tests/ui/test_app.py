"""Getting in and locking: the create-vault wizard, the unlock dialog, auto-lock, the home page."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from vault_templates import demo_folder

from vrmdesk.store import keys
from vrmdesk.store.tempcopies import TempCopies
from vrmdesk.store.vault import Vault
from vrmdesk.ui.core import preferences as settings
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.vault.create_wizard import CreateVaultWizard
from vrmdesk.ui.vault.unlock import UnlockDialog


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """QSettings in a private folder, so tests never touch the user's."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings")
    )
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


def make_demo(folder: Path, passphrase: str = "pw") -> None:
    demo_folder(folder, passphrase)


def test_wizard_creates_a_vault_and_shows_the_recovery_key_once(qtbot, tmp_path):
    folder = tmp_path / "new"
    wizard = CreateVaultWizard(folder, kdf=keys.fast_params_for_tests())
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.passphrase_page
    qtbot.keyClicks(page.first, "abc")
    qtbot.keyClicks(page.second, "abc")
    assert not page.isComplete()  # too weak
    assert "weak" in page.meter.format()
    page.first.setText("glacier lantern orbit pickle")
    page.second.setText("glacier lantern orbit pickl")
    assert not page.isComplete() and "differ" in page.match.text()
    page.second.setText("glacier lantern orbit pickle")
    assert page.isComplete()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.creating_page.isComplete(), timeout=10000)
    assert (folder / "vault.json").exists()
    wizard.next()
    recovery = wizard.recovery_page
    assert recovery.key.text() == wizard.recovery_key and len(wizard.recovery_key) == 47
    assert not recovery.isComplete()
    saved = tmp_path / "key.txt"
    recovery.save_to_file(str(saved))
    assert wizard.recovery_key in saved.read_text()
    recovery.kept.setChecked(True)
    assert recovery.isComplete()
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    wizard.vault.close()
    with Vault.open(folder, recovery_key=wizard.recovery_key) as vault:
        assert vault.is_open


def test_unlock_wrong_then_right_passphrase(qtbot, tmp_path):
    folder = tmp_path / "v"
    make_demo(folder, "right one")
    dialog = UnlockDialog(folder)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.passphrase, "wrong one")
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10000)
    assert "not right" in dialog.error.text()
    assert dialog.vault is None
    dialog.passphrase.setText("right one")
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert dialog.vault is not None and dialog.vault.is_open
    dialog.vault.close()


def test_unlock_names_a_damaged_vault_and_offers_backups(qtbot, tmp_path):
    folder = tmp_path / "v"
    make_demo(folder)
    (folder / "vault.json").write_text("{ broken")
    dialog = UnlockDialog(folder)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.passphrase.setText("pw")
    dialog.try_unlock()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10000)
    assert "damaged" in dialog.error.text() and "backup" in dialog.error.text().lower()


def test_remember_is_greyed_out_with_the_reason_without_a_keyring(qtbot, tmp_path):
    folder = tmp_path / "v"
    make_demo(folder)
    dialog = UnlockDialog(folder)
    qtbot.addWidget(dialog)
    assert not dialog.remember.isEnabled()
    assert "keyring" in dialog.remember_reason.text().lower()


@pytest.fixture
def window(qtbot, tmp_path):
    from vrmdesk.ui.app.main_window import MainWindow

    folder = tmp_path / "v"
    make_demo(folder)
    controller = VaultController(Vault.open(folder, "pw"), TempCopies())
    win = MainWindow(controller, settings.Preferences())
    qtbot.addWidget(win)
    win.show()
    controller.notify({"*"})
    yield win
    controller.lock()


def test_home_lists_what_needs_attention_and_opens_it(window, qtbot):
    home = window.pages["home"]
    warranties = home.sections["warranties"].list
    assert warranties.count() >= 3
    assert "attention" in home.headline.text()
    opened = []
    home.open_record.disconnect()
    home.open_record.connect(lambda kind, rid: opened.append((kind, rid)))
    warranties.itemActivated.emit(warranties.item(0))
    assert opened and opened[0][0] == "warranty"


def test_auto_lock_empties_every_view(window, qtbot):
    locked = []
    window.lock_requested.connect(lambda: (locked.append(True), window.controller.lock()))
    window.idle.set_interval_ms(50)
    qtbot.waitUntil(lambda: bool(locked), timeout=3000)
    assert not window.controller.is_open
    home = window.pages["home"]
    assert all(section.list.count() == 0 for section in home.sections.values())
    assert home.headline.text() == ""


def test_activity_postpones_auto_lock(window, qtbot):
    # keys 300 ms apart for 1.8 s against a 1 s idle limit: without the keys it would have
    # locked; the gaps leave room for a loaded machine (each key changes the page shown)
    window.idle.set_interval_ms(1000)
    fired = []
    window.idle.idle.connect(lambda: fired.append(True))
    for n in range(6):
        qtbot.wait(300)
        qtbot.keyClick(window.nav, Qt.Key.Key_Down if n % 2 == 0 else Qt.Key.Key_Up)
    assert not fired
    qtbot.waitUntil(lambda: bool(fired), timeout=5000)


def test_reminders_come_once_per_unlocked_session(window):
    reminders = window.reminders
    first = reminders.check()
    assert any(r.title == "Warranty ending soon" for r in first)
    assert reminders.check() == []


def test_enter_in_the_passphrase_field_unlocks(qtbot, tmp_path):
    folder = tmp_path / "v"
    make_demo(folder, "right one")
    dialog = UnlockDialog(folder)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.focusWidget() is dialog.passphrase
    qtbot.keyClicks(dialog.passphrase, "right one")
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    dialog.vault.close()


def test_my_signing_key_shows_its_fingerprint_and_saves_the_public_jwk(window, qtbot, tmp_path):
    import json

    from vrmshare.identity import thumbprint

    from vrmdesk.share.identity import ensure_identity
    from vrmdesk.ui.share.identity import IdentityDialog

    dialog = IdentityDialog(window.controller, window)
    qtbot.addWidget(dialog)
    with window.controller.session() as s:
        expected = ensure_identity(s).fingerprint
    assert dialog.label.text() == expected
    target = tmp_path / "me.jwk"
    dialog.save_public_key(str(target))
    saved = json.loads(target.read_text())
    assert "d" not in saved  # never the private part
    assert thumbprint(saved).replace(" ", "") == expected.replace(" ", "")


def test_only_the_page_on_screen_refreshes_and_a_page_catches_up_when_shown(window, monkeypatch):
    from vrmdesk.store import models as m
    from vrmdesk.store.services import records

    vendors = window.pages["vendors"]
    refreshed: list[set[str]] = []
    real = vendors.refresh
    monkeypatch.setattr(vendors, "refresh", lambda kinds: (refreshed.append(kinds), real(kinds)))
    with window.controller.session() as session:
        new_id = records.create(session, m.Vendor, name="Zebra Repairs").id
    window.controller.notify({"vendor"})
    window.controller.notify({"ticket"})
    assert refreshed == []  # home is on screen: not even the first fill ("*") reached vendors
    window.open_record("vendor", new_id)  # shows the page, which catches up, then the vendor
    assert refreshed == [{"*", "vendor", "ticket"}]
    assert vendors.current_vendor_id() == new_id
    window.controller.notify({"vendor"})
    assert refreshed[-1] == {"vendor"}  # on screen now: refreshed at once

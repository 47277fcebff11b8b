"""Mail accounts from the window, against a real Dovecot: File → Mail accounts…, Add… typed like a
person (a wrong password refused in the dialog, nothing stored; the self-signed certificate shown
by its fingerprint and trusted with a press), the list without the password, Remove with its
confirmation, then File → Fetch mail now reading the account that was added."""

from __future__ import annotations

import mail_corpus as corpus
import pytest
from dovecot_server import PASSWORD, USER
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from vrmdesk.mail import accounts, addresses
from vrmdesk.store.tempcopies import TempCopies
from vrmdesk.ui.app.main_window import MainWindow
from vrmdesk.ui.app.settings_dialog import SettingsDialog
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.mail.accounts_dialog import AddAccountDialog, MailAccountsDialog


@pytest.fixture
def window(qtbot, vault):  # type: ignore[no-untyped-def]
    controller = VaultController(vault, TempCopies())
    win = MainWindow(controller, Preferences())
    qtbot.addWidget(win)
    win.show()
    yield win
    controller.lock()


def stored(window) -> list[accounts.AccountRow]:  # type: ignore[no-untyped-def]
    with window.controller.session() as s:
        return accounts.list_accounts(s)


def open_accounts(qtbot, window) -> MailAccountsDialog:  # type: ignore[no-untyped-def]
    window.commands.mail_accounts.trigger()
    qtbot.waitUntil(lambda: window.findChild(MailAccountsDialog) is not None)
    dialog = window.findChild(MailAccountsDialog)
    assert dialog.isVisible()
    return dialog


def start_adding(qtbot, dialog, server, password: str) -> AddAccountDialog:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    add = dialog.adding
    assert add is not None and add.isVisible()
    assert add.port.value() == accounts.IMAPS_PORT
    assert add.folders.text() == "INBOX"
    assert add.password.echoMode() == add.password.EchoMode.Password
    qtbot.keyClicks(add.host, "127.0.0.1")
    add.port.clear()
    qtbot.keyClicks(add.port, str(server.imaps_port))
    qtbot.keyClicks(add.user, USER)
    qtbot.keyClicks(add.password, password)
    return add


def press_add(qtbot, add: AddAccountDialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(add.add_button, Qt.MouseButton.LeftButton)
    assert add.busy.isVisible() and not add.add_button.isEnabled()  # checking, off the UI thread
    qtbot.waitUntil(lambda: add.running is None, timeout=30000)


def test_add_refused_then_trusted_listed_fetched_and_removed(qtbot, window, bosch, server):  # type: ignore[no-untyped-def]
    server.deliver(
        [
            corpus.raw(
                sender="Agent <agent@support.bosch.example>",
                message_id="<acc1@bosch.example>",
                subject="Your repair",
                body="Hello,\nthe part is on its way.\n",
            )
        ]
    )
    dialog = open_accounts(qtbot, window)
    assert dialog.table.rowCount() == 0 and dialog.empty.isVisible()
    assert not dialog.remove_button.isEnabled()

    # the keyring is not usable in the tests: the choice is off, and says why
    add = start_adding(qtbot, dialog, server, "not it")
    assert not add.keyring.isEnabled()
    assert add.keyring_reason.text().startswith("Not available here:")

    # first the certificate: self-signed, shown by its fingerprint; nothing stored yet
    press_add(qtbot, add)
    assert add.certificate.isVisible()
    assert add.cert_fingerprint.text().replace("\n", ":") == accounts.format_fingerprint(
        server.fingerprint
    )
    assert not add.error.text()
    assert stored(window) == []

    # trusted, the check goes on: the wrong password is refused, in red, and nothing is stored
    qtbot.mouseClick(add.trust, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: add.running is None, timeout=30000)
    assert add.error.text() == f"The server refused the user name or password for {USER}@127.0.0.1."
    assert add.isVisible() and stored(window) == []

    # a folder that is not there: told, nothing stored (the fingerprint stays trusted)
    add.password.clear()
    qtbot.keyClicks(add.password, PASSWORD)
    add.folders.clear()
    qtbot.keyClicks(add.folders, "INBOX, Nowhere")
    press_add(qtbot, add)
    assert add.error.text() == f"{USER} at 127.0.0.1 has no folder 'Nowhere'."
    assert not add.certificate.isVisible() and stored(window) == []

    # the right folders: stored with the fingerprint, the dialog closes, the list shows it
    add.folders.clear()
    qtbot.keyClicks(add.folders, "INBOX")
    with qtbot.waitSignal(add.added, timeout=30000):
        qtbot.mouseClick(add.add_button, Qt.MouseButton.LeftButton)
    assert not add.isVisible()
    (row,) = stored(window)
    assert (row.host, row.port, row.user, row.folders) == (
        "127.0.0.1",
        server.imaps_port,
        USER,
        ["INBOX"],
    )
    assert row.trusted_fingerprint == server.fingerprint and not row.use_keyring
    with window.controller.session() as s:
        assert USER in addresses.own_addresses(s)
    assert dialog.table.rowCount() == 1 and not dialog.empty.isVisible()
    cells = [dialog.table.item(0, c).text() for c in range(dialog.table.columnCount())]
    assert cells == [
        f"{USER} at 127.0.0.1",
        f"TLS, port {server.imaps_port}",
        "INBOX",
        "in the vault",
        accounts.format_fingerprint(server.fingerprint),
    ]
    assert not any(PASSWORD in c for c in cells)

    # File → Fetch mail now reads the account just added
    with qtbot.waitSignal(window.mail_fetcher.fetched, timeout=30000) as fetched:
        window.commands.fetch_mail.trigger()
    assert (fetched.args[0].imported, fetched.args[0].problems) == (1, [])

    # Remove asks first; Cancel keeps it, Remove removes it; the mail fetched stays
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    box = dialog.confirming
    assert isinstance(box, QMessageBox) and "mail already fetched" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert len(stored(window)) == 1
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    box = dialog.confirming
    remove = next(b for b in box.buttons() if b.text() == "&Remove")
    remove.click()
    assert stored(window) == [] and dialog.table.rowCount() == 0
    assert window.statusBar().currentMessage().endswith("the mail fetched stays.")
    assert fetched.args[0].imported == 1


def test_cancel_during_the_check_stores_nothing(qtbot, window, server):  # type: ignore[no-untyped-def]
    dialog = open_accounts(qtbot, window)
    add = start_adding(qtbot, dialog, server, PASSWORD)
    add.fingerprint = server.fingerprint  # as if trusted: the check would pass
    qtbot.mouseClick(add.add_button, Qt.MouseButton.LeftButton)
    assert add.busy.isVisible()
    add.buttons.button(add.buttons.StandardButton.Cancel).click()
    assert not add.isVisible()
    window.controller.tasks.wait()
    qtbot.wait(100)  # the check's answer, had it been delivered
    assert stored(window) == [] and dialog.table.rowCount() == 0


def test_starttls_moves_the_default_port_and_empty_fields_are_named(qtbot, window):  # type: ignore[no-untyped-def]
    dialog = open_accounts(qtbot, window)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    add = dialog.adding
    add.starttls.setChecked(True)
    assert add.port.value() == accounts.IMAP_PORT
    add.starttls.setChecked(False)
    assert add.port.value() == accounts.IMAPS_PORT
    qtbot.mouseClick(add.add_button, Qt.MouseButton.LeftButton)
    assert add.error.text() == "Give the server's host name." and add.running is None


def test_settings_mail_box_opens_the_accounts(qtbot, window):  # type: ignore[no-untyped-def]
    settings = SettingsDialog(window.prefs, window, controller=window.controller)
    qtbot.addWidget(settings)
    settings.show()
    qtbot.mouseClick(settings.mail.accounts_button, Qt.MouseButton.LeftButton)
    dialog = settings.mail.findChild(MailAccountsDialog)
    assert dialog is not None and dialog.isVisible()
    with window.controller.session() as s:  # as the Add dialog does, its address becomes mine
        accounts.add_account(s, host="imap.example", user="me@mine.example", password="pw")
    dialog.refresh()
    assert dialog.table.rowCount() == 1
    dialog.reject()
    assert settings.mail.own.toPlainText() == "me@mine.example"  # shown, to keep or change

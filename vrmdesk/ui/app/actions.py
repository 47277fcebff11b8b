"""The main window's actions: menus, shortcuts and mnemonics in one place."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar, QToolBar

from vrmdesk.ui.widgets.icons import icon


class Window(Protocol):
    """What the actions call on the main window (its slots), without importing it."""

    unlock_requested: SignalInstance

    def open_search(self) -> None: ...
    def quick_capture(self) -> None: ...
    def request_lock(self) -> None: ...
    def quit_program(self) -> bool: ...
    def undo(self) -> None: ...
    def redo(self) -> None: ...
    def new_record(self, kind: str) -> None: ...
    def import_reply(self) -> None: ...
    def open_bundle(self) -> object: ...
    def import_data(self) -> None: ...
    def import_archive(self) -> None: ...
    def import_mail(self) -> None: ...
    def fetch_mail_now(self) -> None: ...
    def mail_accounts(self) -> None: ...
    def export_data(self, fmt: str) -> None: ...
    def share_with_vendor(self) -> None: ...
    def backup_now(self) -> None: ...
    def restore_backup(self) -> None: ...
    def change_passphrase(self) -> None: ...
    def open_settings(self) -> None: ...
    def close(self) -> bool: ...
    def about(self) -> None: ...
    def show_identity(self) -> None: ...
    def sync_now(self) -> None: ...
    def set_up_sync(self) -> None: ...
    def pair_device(self) -> None: ...
    def sync_devices(self) -> None: ...
    def sync_conflicts(self) -> None: ...
    def show_page(self, key: str) -> None: ...
    def menuBar(self) -> QMenuBar: ...
    def addToolBar(self, title: str) -> QToolBar: ...
    def addAction(self, action: QAction) -> None: ...


Slot = Callable[[], Any]


class Actions:
    def __init__(self, window: Window) -> None:
        if not isinstance(window, QObject):  # the window owns its actions
            raise TypeError(f"{window!r} cannot own actions")
        w = window

        def act(
            text: str,
            slot: Slot,
            shortcut: str | QKeySequence.StandardKey | list[str] | None = None,
            icon_name: str | None = None,
            tip: str = "",
        ) -> QAction:
            action = QAction(text, w)
            if icon_name:
                action.setIcon(icon(icon_name))
            if isinstance(shortcut, list):
                action.setShortcuts([QKeySequence(s) for s in shortcut])
            elif shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(tip or text.replace("&", ""))
            action.setStatusTip(tip or text.replace("&", "").rstrip("…"))
            action.triggered.connect(lambda checked=False: slot())
            return action

        self.search = act(
            "&Search…", w.open_search, ["Ctrl+K", "Ctrl+F"], "search", "Search everything (Ctrl+K)"
        )
        self.capture = act(
            "&Quick capture…",
            w.quick_capture,
            "Ctrl+I",
            "capture",
            "Record an interaction (Ctrl+I)",
        )
        self.lock = act("&Lock", w.request_lock, "Ctrl+L", "lock", "Lock the vault (Ctrl+L)")
        self.unlock = act("&Unlock…", w.unlock_requested.emit, None, "lock", "Unlock the vault")
        self.unlock.setVisible(False)
        self.undo = act("&Undo", w.undo, QKeySequence.StandardKey.Undo, "undo")
        self.undo.setEnabled(False)
        self.redo = act("&Redo", w.redo, ["Ctrl+Shift+Z", "Ctrl+Y"])
        self.redo.setEnabled(False)
        self.new_vendor = act(
            "New &vendor…", lambda: w.new_record("vendor"), "Ctrl+Shift+V", "vendor"
        )
        self.new_thing = act("New &thing…", lambda: w.new_record("asset"), "Ctrl+Shift+T", "thing")
        self.new_ticket = act(
            "New tic&ket…", lambda: w.new_record("ticket"), "Ctrl+Shift+K", "ticket"
        )
        self.new_agreement = act(
            "New &agreement…", lambda: w.new_record("agreement"), None, "calendar"
        )
        self.import_reply = act(
            "&Import a vendor's reply…",
            w.import_reply,
            "Ctrl+Shift+I",
            "inbound",
            "Import a signed reply bundle from a vendor",
        )
        self.open_bundle = act(
            "&Open a bundle…",
            w.open_bundle,
            "Ctrl+O",
            "inbound",
            "Read and verify any share bundle, and reply to it as a vendor (no vault needed)",
        )
        self.import_data = act(
            "I&mport…",
            w.import_data,
            None,
            "inbound",
            "Import a spreadsheet (CSV, HomeBox, Warracker) or an address book (vCard)",
        )
        self.import_archive = act(
            "Import an &archive…",
            w.import_archive,
            None,
            None,
            "Rebuild a vault from its archive, into this new, empty vault",
        )
        self.export_archive = act(
            "&Everything (archive)…",
            lambda: w.export_data("archive"),
            None,
            None,
            "Export the whole vault, files included, as one encrypted archive",
        )
        self.import_mail = act(
            "Import ma&il…",
            w.import_mail,
            None,
            "mail",
            "Import e-mail: .eml files, an mbox file, a Maildir or Thunderbird folder",
        )
        self.fetch_mail = act(
            "&Fetch mail now",
            w.fetch_mail_now,
            None,
            "mail",
            "Fetch new mail from the mail accounts",
        )
        self.mail_accounts = act(
            "Mail a&ccounts…",
            w.mail_accounts,
            None,
            None,
            "The IMAP accounts mail is fetched from: add, list, remove",
        )
        self.export_csv = act(
            "&Spreadsheet (CSV)…",
            lambda: w.export_data("csv"),
            None,
            None,
            "Export one kind of record as a CSV spreadsheet",
        )
        self.export_vcard = act(
            "&Address book (vCard)…",
            lambda: w.export_data("vcard"),
            None,
            None,
            "Export the vendors and their contacts as an address book",
        )
        self.export_calendar = act(
            "&Calendar (.ics)…",
            lambda: w.export_data("calendar"),
            None,
            "calendar",
            "Export the deadlines from today on, with reminders, for a calendar",
        )
        self.share = act(
            "S&hare with the vendor…",
            w.share_with_vendor,
            "Ctrl+Shift+S",
            "outbound",
            "Export a signed bundle for the vendor shown",
        )
        self.backup = act("&Back up now", w.backup_now, "Ctrl+Shift+B", "backup")
        self.restore = act("&Restore a backup…", w.restore_backup, None, "backup")
        self.passwd = act(
            "Change the &passphrase…",
            w.change_passphrase,
            None,
            "lock",
            "Change the passphrase; give the vault a new key if someone may know it",
        )
        self.settings = act(
            "&Settings…", w.open_settings, "Ctrl+,", "settings", "Settings (Ctrl+,)"
        )
        # the platform's own key for it too, where it has one (it has none on Linux)
        standard = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
        self.settings.setShortcuts(
            [QKeySequence("Ctrl+,"), *(k for k in standard if k != QKeySequence("Ctrl+,"))]
        )
        self.quit = act("&Quit", w.quit_program, QKeySequence.StandardKey.Quit)
        self.about = act("&About vrmdesk", w.about)
        self.identity = act(
            "My &signing key…",
            w.show_identity,
            None,
            "lock",
            "The fingerprint vendors check my bundles against; export the public key",
        )
        self.sync_now = act(
            "Sync &now",
            w.sync_now,
            "F5",
            "sync",
            "Exchange changes with the other devices through the sync folder now (F5)",
        )
        self.set_up_sync = act(
            "&Set up sync…",
            w.set_up_sync,
            None,
            None,
            "Sync this vault with your other devices through a folder they share",
        )
        self.pair_device = act(
            "&Pair a device…",
            w.pair_device,
            None,
            None,
            "Pair this device with another: exchange codes and compare the strings",
        )
        self.sync_devices = act(
            "&Devices…", w.sync_devices, None, None, "The paired devices: rename, revoke"
        )
        self.sync_conflicts = act(
            "&Conflicts…",
            w.sync_conflicts,
            None,
            None,
            "Edits made on two devices at once: choose the value to keep",
        )
        self.go = [
            act(f"&{n}. {label}", partial(w.show_page, key), f"Ctrl+{n}", icon_name)
            for n, (key, label, icon_name) in enumerate(
                (
                    ("home", "Home", "home"),
                    ("vendors", "Vendors", "vendor"),
                    ("things", "Things", "thing"),
                    ("unsorted", "Unsorted mail", "mail"),
                ),
                1,
            )
        ]

    def install(self, window: Window) -> None:
        bar = window.menuBar()
        file_menu = bar.addMenu("&File")
        for action in (
            self.share,
            self.import_reply,
            self.open_bundle,
            None,
            self.import_data,
            self.import_archive,
            self.import_mail,
            self.fetch_mail,
            self.mail_accounts,
        ):
            file_menu.addSeparator() if action is None else file_menu.addAction(action)
        self.export_menu = file_menu.addMenu("&Export")
        for action in (
            self.export_csv,
            self.export_vcard,
            self.export_calendar,
            None,
            self.export_archive,
        ):
            self.export_menu.addSeparator() if action is None else self.export_menu.addAction(
                action
            )
        for action in (
            None,
            self.backup,
            self.restore,
            None,
            self.passwd,
            self.lock,
            self.unlock,
            None,
            self.quit,
        ):
            file_menu.addSeparator() if action is None else file_menu.addAction(action)
        edit = bar.addMenu("&Edit")
        for action in (
            self.undo,
            self.redo,
            None,
            self.capture,
            self.new_vendor,
            self.new_thing,
            self.new_ticket,
            self.new_agreement,
            None,
            self.settings,
        ):
            edit.addSeparator() if action is None else edit.addAction(action)
        view = bar.addMenu("&View")
        for action in (*self.go, None, self.search):
            view.addSeparator() if action is None else view.addAction(action)
        self.sync_menu = bar.addMenu("S&ync")
        for action in (
            self.sync_now,
            self.sync_conflicts,
            None,
            self.set_up_sync,
            self.pair_device,
            self.sync_devices,
        ):
            self.sync_menu.addSeparator() if action is None else self.sync_menu.addAction(action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.identity)
        help_menu.addAction(self.about)
        self.toolbar = toolbar = window.addToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        for action in (
            self.search,
            self.capture,
            self.new_vendor,
            self.new_thing,
            self.fetch_mail,
            self.undo,
            self.lock,
        ):
            toolbar.addAction(action)

    def set_locked(self, locked: bool) -> None:
        """While locked only Unlock, Quit and About work; everything else needs the vault."""
        for action in self.needing_the_vault():
            action.setEnabled(not locked)
        self.undo.setEnabled(False)
        self.redo.setEnabled(False)
        self.unlock.setVisible(locked)
        self.unlock.setEnabled(locked)
        self.lock.setVisible(not locked)
        self.toolbar.setVisible(not locked)  # nothing on it works while locked

    def needing_the_vault(self) -> list[QAction]:
        keep = {
            id(self.quit),
            id(self.about),
            id(self.unlock),
            id(self.undo),
            id(self.redo),
            id(self.settings),
            id(self.open_bundle),
        }
        return [
            a for a in vars(self).values() if isinstance(a, QAction) and id(a) not in keep
        ] + self.go

    def set_undo_label(self, action: str) -> None:
        """What Undo would undo ("edit of Bosch dishwasher"), or "" for nothing."""
        self.undo.setEnabled(bool(action))
        self.undo.setText(f"&Undo {action}" if action else "&Undo")
        self.undo.setToolTip(f"Undo {action} (Ctrl+Z)" if action else "Nothing to undo")

    def set_redo_label(self, action: str) -> None:
        """What Redo would do again, or "" for nothing."""
        self.redo.setEnabled(bool(action))
        self.redo.setText(f"&Redo {action}" if action else "&Redo")
        self.redo.setToolTip(f"Redo {action} (Ctrl+Shift+Z)" if action else "Nothing to redo")

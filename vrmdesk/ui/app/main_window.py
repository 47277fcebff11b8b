"""The main window: wiring only. Pages, dialogs and actions live in their own modules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QObject, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import VrmError
from vrmdesk.store.services import editing, records
from vrmdesk.ui.app.actions import Actions
from vrmdesk.ui.app.idle import IdleWatcher
from vrmdesk.ui.app.reminders import Reminders
from vrmdesk.ui.core import preferences as settings
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.pages import Page
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.home.page import HomePage
from vrmdesk.ui.interchange.calendar_feed import CalendarFeed
from vrmdesk.ui.mail.fetching import MailFetcher
from vrmdesk.ui.mail.unsorted_page import UnsortedPage
from vrmdesk.ui.sync.commands import SyncCommands
from vrmdesk.ui.things.page import ThingsPage
from vrmdesk.ui.tickets.page import TicketsPage
from vrmdesk.ui.vault.backups import BackupScheduler
from vrmdesk.ui.vendors.page import VendorsPage
from vrmdesk.ui.widgets.icons import icon

PAGES = (
    ("home", "Home", "home"),
    ("vendors", "Vendors", "vendor"),
    ("things", "Things", "thing"),
    ("tickets", "Tickets", "ticket"),
    ("unsorted", "Unsorted", "mail"),
)
LOCKED_TITLE = "vrmdesk — locked"


class LockedPage(QWidget):
    """What the window shows while the vault is locked: nothing of the vault, and a way back in."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("The vault is locked")
        picture = QLabel()
        picture.setPixmap(icon("lock").pixmap(64, 64))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel("The vault is locked.")
        font = text.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        text.setFont(font)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.unlock_button = QPushButton(icon("lock"), "&Unlock…")
        self.unlock_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(picture)
        layout.addWidget(text)
        layout.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)


class MainWindow(QMainWindow):
    #: the user (or the idle timer) locked the vault; the app shows the unlock dialog
    lock_requested = Signal()
    #: the user asks to unlock the locked vault (the lock screen's button, File → Unlock)
    unlock_requested = Signal()

    def __init__(
        self, controller: VaultController, prefs: Preferences, tray: QSystemTrayIcon | None = None
    ) -> None:
        super().__init__()
        self.controller = controller
        self.prefs = prefs
        #: set by the application: closing the window locks it into the tray instead of quitting
        #: when this returns True (the "keep running in the tray" setting); Quit skips it
        self.close_to_tray: Callable[[], bool] | None = None
        self.quitting = False
        self.vault_name = controller.vault.folder.name
        self.setWindowTitle(f"vrmdesk — {self.vault_name}")
        self.setWindowIcon(icon("vrmdesk", color="#2f6f5e"))
        self.setAccessibleName("vrmdesk main window")
        self.viewers: list[QWidget] = []  # the bundles open in viewers (File ▸ Open a bundle…)
        self.reply_import: QObject | None = None  # the last reply import started from a file

        self.nav = QListWidget()
        self.nav.setAccessibleName("Sections")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setMaximumWidth(180)
        self.stack = QStackedWidget()
        self.vendors_page = VendorsPage(controller, prefs)
        self.things_page = ThingsPage(controller, prefs)
        self.tickets_page = TicketsPage(controller, prefs)
        self.unsorted_page = UnsortedPage(controller, prefs)
        self.home_page = HomePage(controller, prefs)
        self.home_page.start.connect(self._start)
        self.pages: dict[str, Page] = {
            "home": self.home_page,
            "vendors": self.vendors_page,
            "things": self.things_page,
            "tickets": self.tickets_page,
            "unsorted": self.unsorted_page,
        }
        for key, label, icon_name in PAGES:
            item = QListWidgetItem(icon(icon_name), label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
            page = self.pages[key]
            page.open_record.connect(self.open_record)
            self.stack.addWidget(page)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.stack.currentChanged.connect(self._page_shown)
        self._page_shown(self.stack.currentIndex())
        self.unsorted_page.count_changed.connect(self._show_unsorted_count)

        self.splitter = QSplitter()
        self.splitter.setObjectName("main-splitter")
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([170, 1030])
        self.locked_page = LockedPage()
        self.locked_page.unlock_button.clicked.connect(self.unlock_requested)
        self.content = QStackedWidget()
        self.content.addWidget(self.splitter)
        self.content.addWidget(self.locked_page)
        self.setCentralWidget(self.content)

        self.commands = Actions(self)
        self.commands.install(self)
        self.things_page.set_new_action(self.commands.new_thing)
        self.vendors_page.set_new_action(self.commands.new_vendor)
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        self.sync = SyncCommands(controller, self)
        self.statusBar().addPermanentWidget(self.sync.status)
        controller.status.connect(self.show_status)
        controller.undo_changed.connect(self.commands.set_undo_label)
        controller.redo_changed.connect(self.commands.set_redo_label)
        controller.locked.connect(self._show_locked)
        controller.unlocked.connect(self._show_unlocked)

        self.idle = IdleWatcher(self)
        self.idle.set_minutes(prefs.auto_lock_minutes)
        self.idle.idle.connect(self.request_lock)
        self.reminders = Reminders(controller, prefs, self, tray=tray)
        self.calendar_feed = CalendarFeed(controller, prefs, self)
        self.mail_fetcher = MailFetcher(controller, prefs.mail_fetch_minutes, self)
        self.backups = BackupScheduler(controller, prefs, self)

        self.resize(1200, 780)
        self._restore_geometry()
        self.nav.setCurrentRow(0)
        self.sync.start()

    # -- locked and unlocked -----------------------------------------------------------------
    def show_status(self, text: str) -> None:
        """A message in the status bar; none while the vault is locked (they speak of its
        records)."""
        if self.controller.is_open:
            self.statusBar().showMessage(text, 6000)

    def _show_locked(self) -> None:
        """Nothing of the vault stays on screen: the pages emptied themselves, this hides the
        rest."""
        self.setWindowTitle(LOCKED_TITLE)
        for widget in QApplication.topLevelWidgets():  # a question still naming a record …
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()
        self.statusBar().clearMessage()
        self.status_label.clear()
        self.content.setCurrentWidget(self.locked_page)
        self.commands.set_locked(True)
        self.idle.set_interval_ms(0)
        self.locked_page.unlock_button.setFocus()

    def _show_unlocked(self) -> None:
        self.vault_name = self.controller.vault.folder.name
        self.setWindowTitle(f"vrmdesk — {self.vault_name}")
        self.content.setCurrentWidget(self.splitter)
        self.commands.set_locked(False)
        self.idle.set_minutes(self.prefs.auto_lock_minutes)

    # -- navigation --------------------------------------------------------------------------
    def show_page(self, key: str) -> None:
        self.nav.setCurrentRow([k for k, _, _ in PAGES].index(key))

    def _page_shown(self, index: int) -> None:
        """Only the page on screen refreshes on a change; one coming into sight catches up (the
        Unsorted page always refreshes: its count is the navigation's badge)."""
        current = self.stack.widget(index)
        for page in self.pages.values():
            page.set_out_of_sight(page is not current and page is not self.unsorted_page)

    def _show_unsorted_count(self, count: int) -> None:
        """The Unsorted entry of the navigation with its badge: how many messages wait."""
        item = self.nav.item([k for k, _, _ in PAGES].index("unsorted"))
        item.setText(f"Unsorted ({count:,})" if count else "Unsorted")
        item.setData(
            Qt.ItemDataRole.AccessibleTextRole,
            f"Unsorted, {count} message{'' if count == 1 else 's'} waiting"
            if count
            else "Unsorted",
        )

    def open_record(self, kind: str, record_id: int) -> None:
        """Show any record where it lives: a ticket in its view on the Tickets page, anything
        else on its vendor's page or its thing's page."""
        if kind == "ticket":
            self.show_page("tickets")
            if not self.tickets_page.show_ticket(record_id):
                self.statusBar().showMessage(f"There is no ticket {record_id}.", 6000)
            return
        try:
            with self.controller.session() as session:
                home, home_id = records.home_of(session, kind, record_id)
        except VrmError as exc:
            self.statusBar().showMessage(str(exc), 6000)
            return
        if home == "vendor":
            self.show_page("vendors")
            self.vendors_page.show_vendor(home_id, kind, record_id)
        else:
            self.show_page("things")
            self.things_page.show_asset(home_id, kind, record_id)

    # -- commands (called by actions) ---------------------------------------------------------
    def _start(self, command: str) -> None:
        """A new vault's Home asks where to begin: the command of its button."""
        {
            "new_vendor": lambda: self.new_record("vendor"),
            "import_data": self.import_data,
            "import_mail": self.import_mail,
        }[command]()

    def open_search(self) -> None:
        from vrmdesk.ui.search.dialog import SearchDialog

        dialog = SearchDialog(self.controller, self)
        dialog.open_record.connect(self.open_record)
        dialog.open()

    def quick_capture(self) -> None:
        from vrmdesk.ui.editors.quick_capture import QuickCaptureDialog

        QuickCaptureDialog(self.controller, self, **self.capture_selection()).open()

    def capture_selection(self) -> dict[str, int | None]:
        """What quick capture starts with: the vendor, thing and ticket selected on the page
        shown (the dialog fills in what they imply)."""
        shown = self.stack.currentWidget()
        chosen: dict[str, int | None] = {"vendor_id": None, "asset_id": None, "ticket_id": None}
        if shown is self.tickets_page:
            chosen["ticket_id"] = self.tickets_page.selected_ticket_id()
        elif shown is self.things_page:
            chosen["asset_id"] = self.things_page.current_asset_id()
        else:
            page = self.vendors_page.page
            chosen["vendor_id"] = page.vendor_id
            if shown is self.vendors_page and page.tabs.currentWidget() is page.tickets:
                chosen["ticket_id"] = page.tickets.current_id()
            elif shown is self.vendors_page and page.tabs.currentWidget() is page.things:
                chosen["asset_id"] = page.things.current_id()
        return chosen

    def new_record(self, kind: str) -> None:
        from vrmdesk.ui.editors.record_editor import edit_record

        defaults: dict[str, object] = {}
        vendor_id = self.vendors_page.current_vendor_id()
        if vendor_id and "vendor_id" in editing.fields_of(kind):
            defaults["vendor_id"] = vendor_id
        new_id = edit_record(self, self.controller, kind, defaults=defaults)
        if new_id is not None:
            self.open_record(kind, new_id)

    def undo(self) -> None:
        if not self.controller.undo():
            self.statusBar().showMessage("Nothing to undo.", 4000)

    def redo(self) -> None:
        if not self.controller.redo():
            self.statusBar().showMessage("Nothing to redo.", 4000)

    def open_settings(self) -> None:
        from vrmdesk.ui.app.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.prefs, self, controller=self.controller)

        def saved() -> None:
            settings.save(self.prefs)
            self.idle.set_minutes(self.prefs.auto_lock_minutes)
            self.mail_fetcher.set_minutes(self.prefs.mail_fetch_minutes)
            self.backups.check()  # a schedule just turned on may be due at once
            self.controller.notify({"*"}, "Settings saved.")  # the calendar file follows too

        dialog.accepted.connect(saved)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def import_data(self) -> None:
        from vrmdesk.ui.interchange.wizard import import_file

        import_file(self, self.controller)

    def import_archive(self) -> None:
        from vrmdesk.ui.interchange.archive import import_archive

        import_archive(self, self.controller)

    def import_mail(self) -> None:
        from vrmdesk.ui.mail.importing import import_mail

        vendor_id = (
            self.vendors_page.current_vendor_id()
            if self.stack.currentWidget() is self.vendors_page
            else None
        )
        import_mail(self, self.controller, self.prefs.mail_max_file_size, vendor_id=vendor_id)

    def fetch_mail_now(self) -> None:
        """Fetch mail from the IMAP accounts now (the hook in ``MailFetcher``)."""
        self.mail_fetcher.fetch_mail_now()

    def mail_accounts(self) -> None:
        from vrmdesk.ui.mail.accounts_dialog import open_accounts

        if self.controller.is_open:
            open_accounts(self, self.controller)

    def export_data(self, fmt: str) -> None:
        if fmt == "archive":
            from vrmdesk.ui.interchange.archive import export_archive

            export_archive(self, self.controller)
            return
        from vrmdesk.ui.interchange.exports import export

        export(self, self.controller, fmt, self.prefs.lead())

    def import_reply(self) -> None:
        from vrmdesk.ui.share.import_reply import import_reply_dialog

        import_reply_dialog(self, self.controller)

    def import_reply_file(self, path: Path, identities: list[Any] | None = None) -> None:
        """Import the reply in ``path`` (a double-clicked file, or one the viewer shows),
        asking to unlock first when the vault is locked."""
        from vrmdesk.ui.share.import_reply import import_reply_dialog

        if not self.controller.is_open:
            self.unlock_requested.emit()  # the unlock dialog, modal; cancelled: stays locked
            if not self.controller.is_open:
                return
        self.reply_import = import_reply_dialog(self, self.controller, path, identities)

    def open_bundle(self, path: Path | None = None) -> QWidget | None:
        """A share bundle in the viewer (no vault needed); a reply in it can be imported."""
        from vrmdesk.ui.viewer.window import choose_bundle, open_viewer

        if path is None:
            path = choose_bundle(self)
            if path is None:
                return None
        viewer = open_viewer(path, import_reply=self.import_reply_file)
        self.viewers.append(viewer)
        viewer.destroyed.connect(
            lambda *_: self.viewers.remove(viewer) if viewer in self.viewers else None
        )
        return viewer

    def share_with_vendor(self) -> None:
        vendor_id = self.vendors_page.current_vendor_id()
        if vendor_id is None:
            self.show_page("vendors")
            self.statusBar().showMessage("Choose the vendor to share with first.", 6000)
            return
        from vrmdesk.ui.share.wizard import share_with_vendor

        share_with_vendor(self, self.controller, vendor_id)

    def show_identity(self) -> None:
        from vrmdesk.ui.share.identity import IdentityDialog

        IdentityDialog(self.controller, self).open()

    def sync_now(self) -> None:
        self.sync.sync_now()

    def set_up_sync(self) -> None:
        self.sync.set_up()

    def pair_device(self) -> None:
        self.sync.pair()

    def sync_devices(self) -> None:
        self.sync.devices()

    def sync_conflicts(self) -> None:
        self.sync.conflicts()

    def backup_now(self) -> None:
        from vrmdesk.ui.vault.backups import backup_now

        backup_now(self, self.controller, self.prefs)

    def restore_backup(self) -> None:
        from vrmdesk.ui.vault.backups import restore_backup

        restore_backup(self, self.controller, self.request_lock, self.prefs)

    def change_passphrase(self) -> None:
        from vrmdesk.ui.vault.passphrase_dialog import ChangePassphraseDialog

        ChangePassphraseDialog(self.controller, self).open()

    def request_lock(self) -> None:
        if self.controller.is_open:
            self.lock_requested.emit()

    def about(self) -> None:
        from vrmdesk import __version__

        QMessageBox.about(
            self,
            "About vrmdesk",
            f"<b>vrmdesk {__version__}</b><p>Your side of every vendor relationship, encrypted "
            "on your own machine.</p>",
        )

    def for_each_page(self, fn: Callable[[Page], None]) -> None:
        for page in self.pages.values():
            fn(page)

    # -- window state ------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        store = settings.qsettings()
        geometry = store.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = store.value("window/splitter")
        if isinstance(state, QByteArray):
            self.splitter.restoreState(state)

    def save_state(self) -> None:
        store = settings.qsettings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/splitter", self.splitter.saveState())
        for page in self.pages.values():
            page.save_state(store)
        store.sync()

    def quit_program(self) -> bool:
        """Quit (File → Quit, the tray's Quit): close the window even where closing it would keep
        the program in the tray. False when the person chose to stay."""
        self.quitting = True
        if self.close():
            return True
        self.quitting = False
        return False

    def closeEvent(self, event: QCloseEvent) -> None:
        """Quitting while work is being written asks first (the default answer keeps it running)."""
        running = self.controller.tasks.running_work()
        if not running and not self.quitting and self.close_to_tray and self.close_to_tray():
            event.ignore()  # locked and hidden: the tray icon unlocks it again
            return
        if running:
            answer = QMessageBox.question(
                self,
                "Quit vrmdesk?",
                f"{running[0].rstrip('…')} is not finished. Quitting now cancels it and nothing "
                "of it is kept.\n\nQuit anyway?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.save_state()
        super().closeEvent(event)

"""Starting the desktop application: unlock (or create) a vault, then the main window.

Locking (Ctrl+L or idle time) closes the store, empties every view, deletes temporary copies and
shows the unlock dialog over the emptied window.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QSystemTrayIcon, QWidget

from vrmdesk.desktop import APP_ID
from vrmdesk.errors import VrmError
from vrmdesk.store.keys import KdfParams
from vrmdesk.store.paths import default_vault_dir, remembered_key, vault_exists
from vrmdesk.store.tempcopies import TempCopies
from vrmdesk.ui.app.display import display_problem
from vrmdesk.ui.app.instance import InstanceServer, send_to_running, server_name
from vrmdesk.ui.app.tray import Tray
from vrmdesk.ui.core import preferences as settings
from vrmdesk.ui.core.errors import install_excepthook
from vrmdesk.ui.widgets import dates
from vrmdesk.ui.widgets.buttons import install_style
from vrmdesk.ui.widgets.icons import icon

if TYPE_CHECKING:  # the database library comes with the unlock, after the dialog is shown
    from vrmdesk.store.vault import Vault
    from vrmdesk.ui.app.main_window import MainWindow
    from vrmdesk.ui.core.controller import VaultController


class NoDisplay(VrmError):
    """There is no screen to open the desktop application on."""


def make_app() -> QApplication:
    existing = QApplication.instance()
    if existing is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("vrmdesk")
    app.setOrganizationName("vrmdesk")
    app.setDesktopFileName(APP_ID)  # the menu entry it belongs to (Wayland app id)
    app.setWindowIcon(icon("vrmdesk", color="#2f6f5e"))
    # Fusion draws with the palette, and Qt gives it the system's light or dark scheme.
    install_style(app)
    return app


def obtain_vault(
    folder: Path, parent: QWidget | None = None, *, kdf: KdfParams | None = None
) -> tuple[Vault | None, Path]:
    """Unlock the vault in ``folder`` (or create it through the wizard). None if cancelled."""
    from vrmdesk.ui.vault.unlock import UnlockDialog

    while True:
        if not vault_exists(folder):
            # only here: the wizard creates a vault, so it loads SQLAlchemy and the models,
            # which the unlock dialog loads on a worker while the passphrase is typed
            from vrmdesk.ui.vault.create_wizard import CreateVaultWizard

            wizard = CreateVaultWizard(folder, parent, kdf=kdf)
            if wizard.exec() == QDialog.DialogCode.Accepted and wizard.vault is not None:
                return wizard.vault, folder
            return None, folder
        try:
            remembered = _open_remembered(folder)
        except Exception:
            remembered = None
        if remembered is not None:
            return remembered, folder
        dialog = UnlockDialog(folder, parent, preload=_import_the_window)
        result = dialog.exec()
        if result == QDialog.DialogCode.Accepted and dialog.vault is not None:
            return dialog.vault, dialog.folder
        if dialog.wants_new_vault:
            folder = dialog.folder
            continue
        return None, folder


def _import_the_window() -> None:
    """Import the main window and its pages (modules only: no widget is made off the GUI
    thread), on the unlock dialog's worker while the passphrase is typed, so that after the
    unlock only building the window is left."""
    import vrmdesk.ui.app.main_window  # noqa: F401


def _open_remembered(folder: Path) -> Vault | None:
    """The vault opened with the key this device remembers; None when it remembers none (found
    without loading the database library, so the unlock dialog comes at once)."""
    data_key = remembered_key(folder)
    if data_key is None:
        return None
    from vrmdesk.store.vault import Vault

    return Vault.open(folder, data_key=data_key)


class Application(QObject):
    """Holds the controller, the window and the tray icon for one run of the program.

    Once a vault was unlocked in this run, cancelling the unlock dialog after a lock leaves the
    program running, locked: in the tray where there is one, else in its window's lock screen.
    Only Quit (or closing the window, unless the setting keeps it in the tray) ends it. Started
    with ``--tray`` (at login), it waits in the tray, locked, until its icon is clicked.
    """

    def __init__(self, app: QApplication, folder: Path) -> None:
        super().__init__(app)
        self.app = app
        self.folder = folder
        self.prefs = settings.load()
        dates.set_style(self.prefs.date_format)
        self.temp_copies = TempCopies()
        self.controller: VaultController | None = None
        self.window: MainWindow | None = None
        self.tray: Tray | None = Tray(self) if Tray.available() else None
        self.quitting = False
        self._unlocking = False
        self.server: InstanceServer | None = None
        self._pending: list[Path] = []  # bundles handed over before the window was made
        app.aboutToQuit.connect(self.shutdown)

    # -- one running instance ------------------------------------------------------------------
    def listen(self, name: str) -> bool:
        """Take later starts' handovers on ``name`` (see :mod:`vrmdesk.ui.app.instance`)."""
        self.server = InstanceServer(name, self)
        self.server.message.connect(self.handle_message)
        return self.server.listen()

    def handle_message(self, message: dict[str, list[str] | bool]) -> None:
        """A later start's handover (checked by ``instance.parse_message``): bring the window
        (or the unlock dialog) forward, open the files."""
        opened = message.get("open")
        paths = [Path(p) for p in opened] if isinstance(opened, list) else []
        if self.window is None:  # still starting: the unlock dialog is up
            self._pending.extend(paths)
            modal = QApplication.activeModalWidget()
            if modal is not None:
                modal.raise_()
                modal.activateWindow()
            return
        self.show_window()
        if not paths and self.controller is not None and not self.controller.is_open:
            QTimer.singleShot(0, self.unlock)
        for path in paths:
            QTimer.singleShot(0, lambda p=path: self.open_path(p))

    def open_path(self, path: Path) -> None:
        """A bundle given on a command line: a reply to my import, anything else to the viewer."""
        from vrmshare.verify import peek_purpose  # the bundle code only when one comes

        if self.window is None:
            self._pending.append(path)
            return
        if peek_purpose(path) == "reply":
            self.show_window()
            self.window.import_reply_file(path)
        else:
            self.window.open_bundle(path)

    def start(self) -> bool:
        TempCopies.clear_stale()
        vault, self.folder = obtain_vault(self.folder)
        if vault is None:
            return False
        self.prefs.last_vault = str(self.folder)
        settings.save(self.prefs)
        from vrmdesk.ui.app.main_window import MainWindow
        from vrmdesk.ui.core.controller import VaultController

        self.controller = VaultController(vault, self.temp_copies, self)
        self.window = MainWindow(self.controller, self.prefs, tray=self.tray)
        self.window.close_to_tray = self._close_to_tray
        self.window.lock_requested.connect(self.lock)
        self.window.unlock_requested.connect(self.unlock)
        if self.tray is not None:
            tray = self.tray
            tray.unlock_requested.connect(self.unlock)
            tray.show_requested.connect(self.show_window)
            tray.quit_requested.connect(self.quit)
            self.controller.locked.connect(lambda: tray.set_locked(True))
            self.controller.unlocked.connect(lambda: tray.set_locked(False))
            tray.show()
        self.window.show()
        self.controller.notify({"*"})
        self._show_unseen_recovery_key()
        pending, self._pending = self._pending, []
        for path in pending:
            QTimer.singleShot(0, lambda p=path: self.open_path(p))
        return True

    def start_in_tray(self) -> bool:
        """Wait in the tray, locked, for a click that unlocks (then as :meth:`start`); False
        where there is no tray (the caller starts at once instead)."""
        if self.tray is None:
            return False
        self.tray.set_locked(True)
        self.tray.unlock_requested.connect(self._start_from_tray)
        self.tray.quit_requested.connect(self.app.quit)
        # a cancelled unlock dialog is the only window closed: the program keeps waiting
        self.app.setQuitOnLastWindowClosed(False)
        self.tray.show()
        return True

    def _start_from_tray(self) -> None:
        if self._unlocking or self.window is not None:
            return
        assert self.tray is not None
        self.tray.unlock_requested.disconnect(self._start_from_tray)
        self.tray.quit_requested.disconnect(self.app.quit)
        self._unlocking = True
        try:
            started = self.start()
        finally:
            self._unlocking = False
        if started:
            self.app.setQuitOnLastWindowClosed(True)
        else:
            self.start_in_tray()

    def _close_to_tray(self) -> bool:
        """Closing the window, with the setting on and a tray: lock and hide instead of quitting."""
        if self.tray is None or not self.prefs.close_to_tray or self.controller is None:
            return False
        assert self.window is not None
        self.window.save_state()
        if self.controller.is_open:
            self.controller.lock()
        self.window.hide()
        self.tray.showMessage(
            "vrmdesk is locked",
            "It keeps running here. Click the icon to unlock; Quit in its menu ends it.",
            QSystemTrayIcon.MessageIcon.Information,
        )
        return True

    def _show_unseen_recovery_key(self) -> None:
        from vrmdesk.ui.vault.passphrase_dialog import show_unseen_recovery_key

        assert self.controller is not None
        show_unseen_recovery_key(self.window, self.controller)

    def lock(self) -> None:
        """Lock now, then offer to unlock again."""
        assert self.controller is not None
        self.controller.lock()
        self.unlock()

    def unlock(self) -> bool:
        """Show the unlock dialog over the locked window; cancelled, the program stays locked."""
        assert self.controller is not None and self.window is not None
        if self.controller.is_open:
            self.show_window()
            return True
        if self._unlocking:  # the dialog is up already (a second click on the tray icon)
            return False
        self._unlocking = True
        try:
            self.show_window()
            vault, folder = obtain_vault(self.folder, self.window)
        finally:
            self._unlocking = False
        if vault is None:
            self._stay_locked()
            return False
        self.folder = folder
        self.controller.replace(vault)
        self._show_unseen_recovery_key()
        return True

    def _stay_locked(self) -> None:
        if self.tray is not None and self.window is not None:
            self.window.hide()
            self.tray.showMessage(
                "vrmdesk is locked",
                "It keeps running here. Click the icon to unlock.",
                QSystemTrayIcon.MessageIcon.Information,
            )

    def show_window(self) -> None:
        if self.window is not None:
            self.window.show()
            self.window.raise_()
            self.window.activateWindow()

    def quit(self) -> None:
        if self.window is not None and not self.window.quit_program():  # the person chose to stay
            return
        self.quitting = True
        self.app.quit()

    def shutdown(self) -> None:
        if self.server is not None:
            self.server.close()
        if self.controller is not None:
            self.controller.lock()
        self.temp_copies.clear()


def _is_reply(bundle: Path) -> bool:
    from vrmshare.verify import peek_purpose

    return peek_purpose(bundle) == "reply"


def run(folder: Path | None, bundle: Path | None = None, *, tray: bool = False) -> int:
    """The desktop application; a :class:`NoDisplay` (told in one line) when there is no screen.

    A vrmdesk already running on the vault gets the start handed over (its window comes
    forward, it opens ``bundle``). Else ``bundle`` that is not a reply opens in the viewer
    alone (no vault); a reply is imported once the vault is unlocked. With ``tray``, it waits
    in the tray, locked, where there is a tray (else starts as usual).
    """
    problem = display_problem()
    if problem is not None:
        raise NoDisplay(problem)
    app = make_app()
    install_excepthook()
    prefs = settings.load()
    if folder is None:
        folder = (
            Path(prefs.last_vault)
            if prefs.last_vault and vault_exists(Path(prefs.last_vault))
            else default_vault_dir()
        )
    name = server_name(folder)
    message = {"open": [str(bundle.resolve())]} if bundle is not None else {"raise": True}
    if send_to_running(name, message):
        return 0
    if bundle is not None and not _is_reply(bundle):
        from vrmdesk.ui.viewer.window import open_viewer

        viewer = open_viewer(bundle)  # noqa: F841  (kept alive until the program ends)
        return app.exec()
    application = Application(app, folder)
    application.listen(name)
    if bundle is not None:
        application.open_path(bundle)  # once the window is there
    if tray and application.start_in_tray():
        return app.exec()
    if not application.start():
        return 0
    return app.exec()

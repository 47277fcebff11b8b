"""Backup and restore from the window, off the UI thread, and automatic backups on a schedule
(Settings → Backups: where, how often, how many kept)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from vrmdesk.store import backup
from vrmdesk.store.paths import OpenVault
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.core.progress import run_with_progress
from vrmdesk.ui.core.tasks import Task
from vrmdesk.ui.widgets.dates import show_datetime


def backed_up(info: backup.BackupInfo) -> str:
    """Where the backup went: its name, its folder and its size."""
    return f"Backed up to {info.path.name} in {info.path.parent} ({info.size / 1e6:.1f} MB)."


#: how often the schedule is looked at while the vault is unlocked
CHECK_EVERY_MS = 10 * 60 * 1000


def backup_target(controller: VaultController, prefs: Preferences | None) -> Path:
    """The folder backups of the open vault go into as the preferences say."""
    vault = controller.vault
    if prefs is None or not prefs.backup_folder:
        return vault.paths.backups
    return backup.folder_for(Path(prefs.backup_folder), vault.paths)


def newest_backup(folder: Path) -> datetime | None:
    return backup.newest_in(folder)


def _make(vault: OpenVault, prefs: Preferences | None, reason: str) -> backup.BackupInfo:
    if prefs is None or not prefs.backup_folder:
        keep = backup.KEEP if prefs is None else max(1, prefs.backup_keep)
        return backup.make_backup(vault, reason, keep=keep)
    return backup.make_backup(
        vault, reason, into=Path(prefs.backup_folder), keep=max(1, prefs.backup_keep)
    )


def backup_now(
    parent: QWidget, controller: VaultController, prefs: Preferences | None = None
) -> None:
    vault = controller.vault
    chosen = None if prefs is None else Preferences(**vars(prefs))  # as it is now

    def work(task: Task) -> backup.BackupInfo:
        return _make(vault, chosen, "")

    def done(info: backup.BackupInfo) -> None:
        controller.status.emit(backed_up(info))

    def failed(exc: BaseException) -> None:
        QMessageBox.warning(parent, "Backup failed", explain(exc))

    run_with_progress(parent, controller, "Backing up the vault…", work, done, failed)


def restore_backup(
    parent: QWidget,
    controller: VaultController,
    request_lock: Callable[[], None],
    prefs: Preferences | None = None,
) -> None:
    """Restoring replaces the open vault's database: lock (``request_lock``), then restore in
    the unlock dialog and unlock again."""
    vault = controller.vault
    found = backup.backups_to_restore(
        vault.folder, Path(prefs.backup_folder) if prefs and prefs.backup_folder else None
    )
    if not found:
        QMessageBox.information(parent, "Restore a backup", "There are no backups yet.")
        return
    labels = [
        f"{show_datetime(b.taken)}  {b.reason or 'backup'}"
        + ("" if b.path.parent == vault.paths.backups else f"  in {b.path.parent}")
        for b in found
    ]
    choice, ok = QInputDialog.getItem(
        parent, "Restore a backup", "Backups, newest first:", labels, 0, False
    )
    if not ok:
        return
    QMessageBox.information(
        parent,
        "Restore a backup",
        "The vault will be locked. In the unlock dialog, choose “Restore a backup…” and pick "
        f"{choice.strip()}; the vault as it is now is kept as a backup first.",
    )
    request_lock()


class BackupScheduler(QObject):
    """Makes a backup when the schedule says one is due, while the vault is unlocked: shortly
    after an unlock and then every ten minutes it looks, off the UI thread, at the newest backup
    in the folder; a failure is told in the status bar once, not every ten minutes."""

    def __init__(
        self, controller: VaultController, prefs: Preferences, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.prefs = prefs
        self.running = False
        self.last_problem = ""
        self.made: list[backup.BackupInfo] = []
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        controller.unlocked.connect(self.soon)
        self.soon()

    def soon(self) -> None:
        """Look in a few seconds (after an unlock: the window first)."""
        QTimer.singleShot(5000, self, self.check)

    def check(self) -> bool:
        """Start a backup if one is due (True when one was started)."""
        prefs = self.prefs
        if self.running or not self.controller.is_open or prefs.backup_schedule == "off":
            return False
        vault = self.controller.vault
        if not vault.writable:
            return False
        chosen = Preferences(**vars(prefs))
        self.running = True

        def work(task: Task) -> backup.BackupInfo | None:
            if chosen.backup_folder:
                folder = backup.folder_for(Path(chosen.backup_folder), vault.paths)
            else:
                folder = vault.paths.backups
            newest = backup.newest_in(folder)
            if not backup.backup_due(newest, chosen.backup_schedule, datetime.now(UTC)):
                return None
            return _make(vault, chosen, "scheduled")

        self.controller.run(
            work, on_done=self._done, on_error=self._failed, receiver=self, label="Backing up"
        )
        return True

    def _done(self, info: backup.BackupInfo | None) -> None:
        self.running = False
        self.last_problem = ""
        if info is not None:
            self.made.append(info)
            self.controller.status.emit(backed_up(info))

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        problem = explain(exc)
        if problem != self.last_problem:
            self.last_problem = problem
            self.controller.status.emit(f"The automatic backup failed: {problem}")

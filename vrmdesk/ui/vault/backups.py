"""Backup and restore from the window, off the UI thread."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from vrmdesk.store import backup
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.progress import run_with_progress
from vrmdesk.ui.core.tasks import Task
from vrmdesk.ui.widgets.dates import show_datetime


def backed_up(info: backup.BackupInfo) -> str:
    """Where the backup went: its name, its folder and its size."""
    return f"Backed up to {info.path.name} in {info.path.parent} ({info.size / 1e6:.1f} MB)."


def backup_now(parent: QWidget, controller: VaultController) -> None:
    vault = controller.vault

    def work(task: Task) -> backup.BackupInfo:
        return backup.make_backup(vault)

    def done(info: backup.BackupInfo) -> None:
        controller.status.emit(backed_up(info))

    def failed(exc: BaseException) -> None:
        QMessageBox.warning(parent, "Backup failed", explain(exc))

    run_with_progress(parent, controller, "Backing up the vault…", work, done, failed)


def restore_backup(
    parent: QWidget, controller: VaultController, request_lock: Callable[[], None]
) -> None:
    """Restoring replaces the open vault's database: lock (``request_lock``), then restore in
    the unlock dialog and unlock again."""
    found = backup.list_backups(controller.vault)
    if not found:
        QMessageBox.information(parent, "Restore a backup", "There are no backups yet.")
        return
    labels = [f"{show_datetime(b.taken)}  {b.reason or 'backup'}" for b in found]
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

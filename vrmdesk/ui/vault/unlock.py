"""The unlock dialog: passphrase (or recovery key), "remember on this device", other vaults,
backups.

Key derivation takes about half a second on purpose, so it runs off the UI thread while the
dialog shows that it is working.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import KeyringUnavailable, VaultDamaged, WrongPassphrase
from vrmdesk.store import keystore
from vrmdesk.store.paths import vault_exists
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.tasks import Task, TaskRunner
from vrmdesk.ui.widgets.dates import show_datetime
from vrmdesk.ui.widgets.icons import icon

if TYPE_CHECKING:  # the database library comes when the vault is opened, after the dialog shows
    from vrmdesk.store import backup
    from vrmdesk.store.vault import Vault

#: a smoke test of an installed program (tests/packaging): "dialog" prints a line when this
#: dialog shows and cancels it, so the program ends cleanly there
SMOKE_ENV = "VRMDESK_SMOKE"


def _load_the_vault(task: Task) -> None:
    """Import what opening a vault needs (SQLAlchemy, the models), so the unlock does not wait
    for it; a failure is left for the unlock itself to tell."""
    import vrmdesk.store.vault  # noqa: F401


class UnlockDialog(QDialog):
    """``exec()`` returns Accepted with ``self.vault`` open; ``self.folder`` may have changed."""

    def __init__(
        self,
        folder: Path,
        parent: QWidget | None = None,
        *,
        runner: TaskRunner | None = None,
        preload: Callable[[], None] | None = None,
    ) -> None:
        """``preload`` runs on the worker after the database library is imported, while the
        passphrase is typed (the program imports its main window there)."""
        super().__init__(parent)
        self.setWindowTitle("Unlock vrmdesk")
        self.preload = preload
        self.setWindowIcon(icon("vrmdesk", color="#2f6f5e"))
        self.folder = Path(folder)
        self.vault: Vault | None = None
        self.wants_new_vault = False
        self.runner = runner or TaskRunner(self)
        self._warmed = False

        self.where = QLabel()
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.passphrase.setPlaceholderText("Your passphrase")
        self.remember = QCheckBox("&Remember on this device")
        self.remember.setAccessibleName("Remember on this device")
        self.remember_reason = QLabel()
        self.remember_reason.setWordWrap(True)
        self.remember_reason.setStyleSheet("color: palette(mid);")
        available, reason = keystore.availability()
        if not available:
            self.remember.setEnabled(False)
            self.remember.setToolTip(reason)
            self.remember_reason.setText(f"Not available here: {reason}")
        else:
            self.remember_reason.hide()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setAccessibleName("Error")
        self.error.hide()
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setAccessibleName("Information")
        self.info.hide()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName("Unlocking")
        self.busy.hide()

        form = QFormLayout()
        form.addRow("&Passphrase:", self.passphrase)
        form.addRow("", self.remember)
        form.addRow("", self.remember_reason)

        self.buttons = QDialogButtonBox()
        self.unlock_button = self.buttons.addButton(
            "&Unlock", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.unlock_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        # Enter never means Cancel, even when focus passed over it while the key was derived
        self.cancel_button.setAutoDefault(False)
        self.buttons.accepted.connect(self.try_unlock)
        self.buttons.rejected.connect(self.reject)

        self.other = QPushButton("Open &another vault…")
        self.other.clicked.connect(self.choose_other)
        self.recovery = QPushButton("Use the reco&very key…")
        self.recovery.clicked.connect(self.use_recovery_key)
        self.restore = QPushButton("Restore a &backup…")
        self.restore.clicked.connect(self.restore_backup)
        extra = QHBoxLayout()
        for button in (self.other, self.recovery, self.restore):
            button.setAutoDefault(False)  # Enter in the passphrase field means Unlock
            extra.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.info)
        layout.addWidget(self.busy)
        layout.addLayout(extra)
        layout.addWidget(self.buttons)
        self._show_folder()
        self.setMinimumWidth(540)
        self.resize(540, self.sizeHint().height())
        self._fit()

    def _fit(self) -> None:
        """Grow (or shrink) to the height the wrapped lines need at this width, so the keyring
        note, the error and the progress bar are never squeezed into each other. A layout's
        minimum size ignores the height a wrapped label needs for its width; ask for it."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        width = max(self.width(), self.minimumWidth())
        need = (
            layout.totalHeightForWidth(width)
            if layout.hasHeightForWidth()
            else layout.totalSizeHint().height()
        )
        self.setMinimumHeight(need)
        if self.height() != need:
            self.resize(width, need)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            width = max(hint.width(), self.minimumWidth())
            return QSize(width, max(hint.height(), layout.totalHeightForWidth(width)))
        return hint

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.passphrase.setFocus()
        if os.environ.get(SMOKE_ENV) == "dialog":  # tests/packaging: the installed program got here
            print("vrmdesk: the unlock dialog is shown", flush=True)
            QTimer.singleShot(0, self.reject)
        if not self._warmed:  # the database library loads while the person types
            self._warmed = True
            preload = self.preload

            def warm(task: Task) -> None:
                _load_the_vault(task)
                if preload is not None:
                    preload()

            self.runner.start(warm, on_error=lambda exc: None, receiver=self)

    def _show_folder(self) -> None:
        self.where.setText(f"<b>Vault</b><br>{self.folder}")

    def show_error(self, text: str) -> None:
        self.info.hide()
        self.error.setText(text)
        self.error.show()
        self._fit()

    def _set_busy(self, busy: bool) -> None:
        """While the key is derived nothing can be pressed twice; the typing stays where it was.

        The passphrase field turns read-only rather than disabled: a disabled field gives its
        focus away (to Cancel, the only button left), and Enter would then have meant Cancel.
        """
        self.busy.setVisible(busy)
        self._fit()
        self.passphrase.setReadOnly(busy)
        for widget in (self.unlock_button, self.other, self.recovery, self.restore):
            widget.setEnabled(not busy)
        if not busy:
            self.unlock_button.setDefault(True)

    # -- unlocking ---------------------------------------------------------------------------
    def try_unlock(
        self, *, recovery_key: str | None = None, new_passphrase: str | None = None
    ) -> None:
        passphrase = self.passphrase.text()
        if not passphrase and recovery_key is None:
            self.show_error("Type your passphrase.")
            return
        folder, remember = self.folder, self.remember.isChecked()
        self.error.hide()
        self._set_busy(True)  # fits the dialog to what is shown now

        def work(task: Task) -> Vault:
            from vrmdesk.store.vault import Vault  # the database library, on the worker

            if recovery_key is not None:
                vault = Vault.open(folder, recovery_key=recovery_key)
                if new_passphrase:
                    vault.reset_passphrase(new_passphrase)
            else:
                vault = Vault.open(folder, passphrase)
            if remember:
                with contextlib.suppress(KeyringUnavailable):  # unlocked, not remembered
                    vault.remember(True)
            return vault

        self.runner.start(work, on_done=self._unlocked, on_error=self._failed, receiver=self)

    def _unlocked(self, vault: Vault) -> None:
        self._set_busy(False)
        self.vault = vault
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, WrongPassphrase):
            self.show_error(str(exc))
            self.passphrase.selectAll()
            self.passphrase.setFocus()
        elif isinstance(exc, VaultDamaged):
            self.show_error(f"{exc}\n\nUse “Restore a backup…” below to go back to a backup.")
        else:
            self.show_error(explain(exc))

    # -- alternatives ------------------------------------------------------------------------
    def choose_other(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, "Open a vault folder", str(self.folder.parent)
        )
        if not chosen:
            return
        folder = Path(chosen)
        if not vault_exists(folder):
            answer = QMessageBox.question(
                self,
                "No vault there",
                f"There is no vault in {folder}. Create a new vault there?",
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.folder = folder
                self.wants_new_vault = True
                self.reject()
            return
        self.folder = folder
        self.error.hide()
        self._show_folder()

    def use_recovery_key(self) -> None:
        key, ok = QInputDialog.getText(
            self, "Recovery key", "The recovery key (the groups of five characters):"
        )
        if not ok or not key.strip():
            return
        new, ok = QInputDialog.getText(
            self, "New passphrase", "Choose a new passphrase:", QLineEdit.EchoMode.Password
        )
        if not ok or not new:
            return
        again, ok = QInputDialog.getText(
            self, "New passphrase", "The new passphrase again:", QLineEdit.EchoMode.Password
        )
        if not ok:
            return
        if again != new:
            self.show_error("The two passphrases differ; nothing was changed.")
            return
        self.try_unlock(recovery_key=key, new_passphrase=new)

    def restore_backup(self) -> None:
        from vrmdesk.store import backup
        from vrmdesk.ui.core import preferences

        other = preferences.load().backup_folder  # Settings → Backups, on this device
        found = backup.backups_to_restore(self.folder, Path(other) if other else None)
        if not found:
            elsewhere = f" or in {other}" if other else ""
            self.show_error(f"There are no backups in {self.folder / 'backups'}{elsewhere}.")
            return
        labels = [
            f"{show_datetime(b.taken)}  {b.reason or 'backup'}  ({b.size / 1e6:.1f} MB)"
            + ("" if b.path.parent == self.folder / "backups" else f"  in {b.path.parent}")
            for b in found
        ]
        choice, ok = QInputDialog.getItem(
            self, "Restore a backup", "Backups, newest first:", labels, 0, False
        )
        if not ok:
            return
        chosen = found[labels.index(choice)]
        passphrase = self.passphrase.text()
        if not passphrase:
            self.show_error("Type your passphrase first: restoring needs it.")
            return
        folder = self.folder
        self._set_busy(True)

        def work(task: Task) -> backup.BackupInfo | None:
            return backup.restore(folder, chosen.path, passphrase=passphrase)

        def done(safety: backup.BackupInfo | None) -> None:
            self._set_busy(False)
            kept = f" The vault as it was is kept as {safety.path.name}." if safety else ""
            self.error.hide()
            self.info.setText(
                f"Restored the backup of {show_datetime(chosen.taken)}.{kept} Unlock to continue."
            )
            self.info.show()
            self._fit()

        self.runner.start(work, on_done=done, on_error=self._failed, receiver=self)

"""Change the passphrase, and, when it (or the recovery key) may be known to someone, give the
vault a new key.

A plain change rewraps the data key (a second or two of key derivation, off the UI thread).
"Someone may know it" rotates the data key itself: the records, every file and every backup are
encrypted again, with a progress dialog whose Cancel works until the point of no return, then a
new recovery key is shown once (``RecoveryKeyDialog``) and only then forgotten by the vault.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import WrongPassphrase
from vrmdesk.store import rotation
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.progress import run_with_progress
from vrmdesk.ui.core.tasks import Task
from vrmdesk.ui.vault.passphrase_widgets import NewPassphraseForm, RecoveryKeyPanel, password_field

ERROR_STYLE = "color: #c0392b;"


class ChangePassphraseDialog(QDialog):
    def __init__(self, controller: VaultController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Change the passphrase")
        self.current = password_field("Current passphrase")
        self.new = NewPassphraseForm("&New passphrase:")
        self.rotate = QCheckBox(
            "Someone may &know my passphrase or recovery key: give the vault a new key"
        )
        note = QLabel(
            "The records, every file and every backup are encrypted again under a new "
            "key, and you get a new recovery key. This takes a while on a large vault."
        )
        note.setWordWrap(True)
        note.setEnabled(False)  # the muted colour
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setAccessibleName("Problem")
        self.new.form.insertRow(0, "&Current passphrase:", self.current)  # one column of fields
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("C&hange")
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.change)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.new)
        layout.addWidget(self.rotate)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.new.changed.connect(self._update)
        self.current.textChanged.connect(self._update)
        controller.locked.connect(self.reject)
        self.recovery_key: str | None = None
        self.setMinimumWidth(560)
        self._update()

    def _update(self) -> None:
        self.ok.setEnabled(bool(self.current.text()) and self.new.is_acceptable())

    def _busy(self, busy: bool) -> None:
        for widget in (self.current, self.new, self.rotate, self.ok):
            widget.setEnabled(not busy)
        if not busy:
            self._update()

    def change(self) -> None:
        if not self.ok.isEnabled():
            return
        old, new, rotate = self.current.text(), self.new.passphrase(), self.rotate.isChecked()
        vault = self.controller.vault
        self.error.setText("")
        self._busy(True)

        def work(task: Task) -> str | None:
            def progress(done: int, total: int, what: str) -> None:
                task.check()  # a cancel before the point of no return stops it, changing nothing
                task.progress(done * 1000 // max(total, 1), 1000, what)

            vault.header.unlock_with_passphrase(old)  # the person proves it is theirs
            if not rotate:
                vault.change_passphrase(old, new)
                return None
            return vault.rotate_key(new, progress=progress).recovery_key

        title = "Giving the vault a new key…" if rotate else "Changing the passphrase…"
        run_with_progress(
            self,
            self.controller,
            title,
            work,
            self._done,
            self._failed,
            no_cancel_after=rotation.FINISHING,
        )

    def _done(self, recovery_key: str | None) -> None:
        self._busy(False)
        if recovery_key is not None:
            self.recovery_key = recovery_key
            self.controller.clear_undo()  # its snapshots name the files under the old key
            self.controller.notify({"*"})  # the database was reopened under the new key
            show_new_recovery_key(self, self.controller, recovery_key)
            self.controller.status.emit("The vault has a new key and a new passphrase.")
        else:
            self.controller.status.emit("The passphrase is changed.")
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        if isinstance(exc, WrongPassphrase):
            self.error.setText("The current passphrase is not right; nothing was changed.")
            self.current.selectAll()
            self.current.setFocus()
            return
        self.error.setText(f"Nothing was changed: {explain(exc)}")


class RecoveryKeyDialog(QDialog):
    """The new recovery key, shown once; it closes only when the person says it was kept."""

    def __init__(
        self, controller: VaultController, recovery_key: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your new recovery key")
        intro = QLabel(
            "The old recovery key no longer opens the vault. This one does, if you "
            "forget the passphrase. It is shown only now: print it or save it somewhere "
            "safe, away from this computer."
        )
        intro.setWordWrap(True)
        self.panel = RecoveryKeyPanel(lambda: controller.vault.folder)
        self.panel.set_key(recovery_key)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.done_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.done_button.setText("&Done")
        self.done_button.setEnabled(False)
        self.panel.kept_changed.connect(self.done_button.setEnabled)
        self.buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.panel)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    def reject(self) -> None:
        if self.panel.kept.isChecked():  # Escape before the key was kept would lose it
            super().reject()


def show_new_recovery_key(
    parent: QWidget | None, controller: VaultController, recovery_key: str
) -> None:
    """Show the key until the person has kept it, then let the vault forget it."""
    dialog = RecoveryKeyDialog(controller, recovery_key, parent)
    dialog.exec()
    dialog.deleteLater()
    if controller.is_open:
        controller.vault.acknowledge_recovery_key()


def show_unseen_recovery_key(parent: QWidget | None, controller: VaultController) -> None:
    """After an unlock: a key rotation that a crash cut short left a recovery key never shown."""
    key = controller.vault.unseen_recovery_key if controller.is_open else None
    if key:
        show_new_recovery_key(parent, controller, key)

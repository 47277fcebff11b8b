"""The Security and Backups tabs of Settings.

Security: the idle lock, the passphrase (ChangePassphraseDialog), a new recovery key (the old one
stops working; the new one is shown once, as after a change of key) and "remember on this
device" (the OS keyring). Backups: where they go, and how often they are made and how many are
kept (``BackupScheduler`` in ``backups.py`` makes them).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import KeyringUnavailable, WrongPassphrase
from vrmdesk.store import keystore
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.core.tasks import Task
from vrmdesk.ui.editors.form_rows import ErrorLabel
from vrmdesk.ui.vault.passphrase_widgets import password_field
from vrmdesk.ui.widgets.dates import show_datetime

SCHEDULE_LABELS = {"off": "Off", "daily": "Every day", "weekly": "Every week"}


def where_note(text: str) -> QLabel:
    """The line at the top of a tab saying where its settings are kept."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setEnabled(False)  # the muted colour
    return label


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setEnabled(False)
    return label


def stacked(field: QWidget, *below: QWidget) -> QWidget:
    """A field with its hint and its error line right under it, as one row of a form."""
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(field, 0, Qt.AlignmentFlag.AlignLeft)  # its own width; the hint wraps wide
    for widget in below:
        layout.addWidget(widget)
    return column


def add_field(
    form: QFormLayout, label: str, field: QWidget, hint_text: str, error: ErrorLabel
) -> None:
    """A row of ``form``: the label (its mnemonic goes to the field), the field, its hint and
    its error line under it."""
    caption = QLabel(label)
    caption.setBuddy(field)
    form.addRow(caption, stacked(field, hint(hint_text), error))


def compact_form() -> QFormLayout:
    """A form whose fields keep their own width (a spin box does not run across the tab)."""
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
    return form


def _open(controller: VaultController | None) -> bool:
    return controller is not None and controller.is_open


class SecurityTab(QWidget):
    def __init__(self, prefs: Preferences, controller: VaultController | None) -> None:
        super().__init__()
        self.controller = controller
        unlocked = _open(controller)

        self.auto_lock = QSpinBox()
        self.auto_lock.setRange(0, 240)
        self.auto_lock.setSuffix(" min")
        self.auto_lock.setSpecialValueText("never")
        self.auto_lock.setValue(prefs.auto_lock_minutes)
        self.auto_lock.setAccessibleName("Lock after idle minutes")
        lock_form = compact_form()
        lock_form.addRow("&Lock after idle:", self.auto_lock)

        passphrase_box = QGroupBox("Passphrase")
        self.change_button = QPushButton("C&hange the passphrase…")
        self.change_button.setEnabled(unlocked)
        self.change_button.clicked.connect(self.change_passphrase)
        row = QVBoxLayout(passphrase_box)
        row.addWidget(
            hint(
                "Changing it takes a moment. If someone may know it, the dialog can give the "
                "vault a new key as well."
            )
        )
        row.addWidget(self.change_button, 0, Qt.AlignmentFlag.AlignLeft)

        recovery_box = QGroupBox("Recovery key")
        self.recovery_passphrase = password_field("Current passphrase for a new recovery key")
        self.recovery_passphrase.setPlaceholderText("your current passphrase")
        self.recovery_button = QPushButton("Make a &new recovery key")
        self.recovery_button.setEnabled(unlocked)
        self.recovery_passphrase.setEnabled(unlocked)
        self.recovery_button.clicked.connect(self.new_recovery_key)
        self.recovery_passphrase.returnPressed.connect(self.new_recovery_key)
        self.recovery_error = ErrorLabel()
        self.recovery_error.setAccessibleName("Recovery key problem")
        self.recovery_done = hint("")
        self.recovery_done.hide()
        recovery_row = QHBoxLayout()
        recovery_row.addWidget(self.recovery_passphrase, 1)
        recovery_row.addWidget(self.recovery_button)
        recovery = QVBoxLayout(recovery_box)
        recovery.addWidget(
            hint(
                "The recovery key opens the vault if the passphrase is forgotten. It is kept "
                "nowhere, so it cannot be shown again: a new one is shown once, and the one you "
                "have now stops working at once (here and in the backups' key copies)."
            )
        )
        recovery.addLayout(recovery_row)
        recovery.addWidget(self.recovery_error)
        recovery.addWidget(self.recovery_done)

        device_box = QGroupBox("This device")
        self.remember = QCheckBox("&Remember the vault on this device (unlock without typing)")
        self.remember.setAccessibleName("Remember on this device")
        self.remember_reason = hint("")
        self.remember_error = ErrorLabel()
        available, reason = keystore.availability()
        self.was_remembered = False
        if unlocked and available:
            assert controller is not None
            self.was_remembered = controller.vault.is_remembered()
            self.remember_reason.setText(
                f"The vault's key is kept in the system keyring ({reason}); anyone logged in as "
                "you can then open it. Turning this off forgets it there."
            )
        else:
            self.remember.setEnabled(False)
            self.remember_reason.setText(
                f"Not available here: {reason}" if not available else "Unlock the vault first."
            )
        self.remember.setChecked(self.was_remembered)
        device = QVBoxLayout(device_box)
        device.addWidget(self.remember)
        device.addWidget(self.remember_reason)
        device.addWidget(self.remember_error)

        layout = QVBoxLayout(self)
        layout.addWidget(
            where_note(
                "Kept on this device: the idle lock and whether the vault is remembered. The "
                "passphrase and the recovery key belong to the vault"
                + ("." if unlocked else ": unlock it to change them.")
            )
        )
        layout.addLayout(lock_form)
        layout.addWidget(passphrase_box)
        layout.addWidget(recovery_box)
        layout.addWidget(device_box)
        layout.addStretch(1)

    # -- right away: the passphrase and the recovery key -----------------------------------------
    def change_passphrase(self) -> None:
        from vrmdesk.ui.vault.passphrase_dialog import ChangePassphraseDialog

        if _open(self.controller):
            assert self.controller is not None
            dialog = ChangePassphraseDialog(self.controller, self)
            dialog.finished.connect(dialog.deleteLater)
            dialog.open()

    def new_recovery_key(self) -> None:
        if not _open(self.controller) or not self.recovery_button.isEnabled():
            return
        assert self.controller is not None
        passphrase = self.recovery_passphrase.text()
        if not passphrase:
            self.recovery_error.set_text("Type your current passphrase first.")
            self.recovery_passphrase.setFocus()
            return
        self.recovery_error.set_text("")
        self.recovery_done.hide()
        self._busy(True)
        vault = self.controller.vault

        def work(task: Task) -> str:
            return vault.new_recovery_key(passphrase)

        self.controller.run(
            work,
            on_done=self._recovery_made,
            on_error=self._recovery_failed,
            receiver=self,
            label="Making a new recovery key",
        )

    def _busy(self, busy: bool) -> None:
        self.recovery_button.setEnabled(not busy)
        self.recovery_passphrase.setReadOnly(busy)

    def _recovery_made(self, recovery_key: str) -> None:
        from vrmdesk.ui.vault.passphrase_dialog import show_new_recovery_key

        self._busy(False)
        self.recovery_passphrase.clear()
        assert self.controller is not None
        show_new_recovery_key(self.window(), self.controller, recovery_key)
        self.recovery_done.setText("A new recovery key was made; the old one no longer works.")
        self.recovery_done.show()
        self.controller.status.emit("The vault has a new recovery key.")

    def _recovery_failed(self, exc: BaseException) -> None:
        self._busy(False)
        if isinstance(exc, WrongPassphrase):
            self.recovery_error.set_text(
                "The passphrase is not right; the recovery key is unchanged."
            )
            self.recovery_passphrase.selectAll()
            self.recovery_passphrase.setFocus()
        else:
            self.recovery_error.set_text(f"The recovery key is unchanged: {explain(exc)}")

    # -- on OK ------------------------------------------------------------------------------------
    def apply_remember(self) -> bool:
        """Keep or forget the key in the keyring; False (with the reason shown) if refused."""
        wanted = self.remember.isChecked()
        if not self.remember.isEnabled() or wanted == self.was_remembered:
            return True
        assert self.controller is not None
        try:
            self.controller.vault.remember(wanted)
        except KeyringUnavailable as exc:
            self.remember_error.set_text(str(exc))
            return False
        self.was_remembered = wanted
        return True

    def apply(self, prefs: Preferences) -> None:
        prefs.auto_lock_minutes = self.auto_lock.value()


class BackupsTab(QWidget):
    def __init__(self, prefs: Preferences, controller: VaultController | None) -> None:
        super().__init__()
        self.controller = controller
        self.beside = QCheckBox("Keep them beside the &vault (in its backups folder)")
        self.beside.setChecked(not prefs.backup_folder)
        self.folder = QLineEdit(prefs.backup_folder)
        self.folder.setAccessibleName("Backup folder")
        self.folder.setPlaceholderText("a folder on another disk, for example")
        self.choose = QPushButton("C&hoose…")
        self.choose.clicked.connect(self.choose_folder)
        self.folder_error = ErrorLabel()
        self.folder_error.setAccessibleName("Backup folder problem")
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.choose)
        self.schedule = QComboBox()
        self.schedule.setAccessibleName("Automatic backups")
        for key, label in SCHEDULE_LABELS.items():
            self.schedule.addItem(label, key)
        self.schedule.setCurrentIndex(
            max(
                0,
                list(SCHEDULE_LABELS).index(prefs.backup_schedule)
                if prefs.backup_schedule in SCHEDULE_LABELS
                else 0,
            )
        )
        self.keep = QSpinBox()
        self.keep.setRange(1, 100)
        self.keep.setSuffix(" copies")
        self.keep.setValue(max(1, prefs.backup_keep))
        self.keep.setAccessibleName("Backups kept")
        self.newest = hint("")
        self.newest.setAccessibleName("Newest backup")

        where_box = QGroupBox("Where")
        where = QVBoxLayout(where_box)
        where.addWidget(self.beside)
        where.addLayout(folder_row)
        where.addWidget(self.folder_error)
        where.addWidget(
            hint(
                "In another folder they go into a folder of their own named after the vault. "
                "A backup is the encrypted database: it opens with the vault's passphrase. "
                "Attachments stay in the vault's folder."
            )
        )
        when_box = QGroupBox("When")
        when = compact_form()
        when.addRow("&Automatic backups:", self.schedule)
        when.addRow("&Keep the newest:", self.keep)
        when_layout = QVBoxLayout(when_box)
        when_layout.addLayout(when)
        when_layout.addWidget(hint("Made in the background while the vault is unlocked, when due."))
        when_layout.addWidget(self.newest)

        layout = QVBoxLayout(self)
        layout.addWidget(
            where_note("Kept on this device (a folder here may not exist on another).")
        )
        layout.addWidget(where_box)
        layout.addWidget(when_box)
        layout.addStretch(1)
        self.beside.toggled.connect(self._update)
        self.folder.textChanged.connect(lambda: self.folder_error.set_text(""))
        self._update()
        self._show_newest(prefs)

    def _update(self) -> None:
        elsewhere = not self.beside.isChecked()
        self.folder.setEnabled(elsewhere)
        self.choose.setEnabled(elsewhere)
        if not elsewhere:
            self.folder_error.set_text("")

    def _show_newest(self, prefs: Preferences) -> None:
        from vrmdesk.ui.vault.backups import backup_target, newest_backup

        if not _open(self.controller):
            self.newest.setText("")
            return
        assert self.controller is not None
        try:
            folder = backup_target(self.controller, prefs)
            taken = newest_backup(folder)
        except Exception:  # a folder not there now: nothing to say about it
            self.newest.setText("")
            return
        self.newest.setText(
            f"Newest backup: {show_datetime(taken)}, in {folder}."
            if taken
            else f"No backup yet in {folder}."
        )

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, "The backup folder", self.folder.text() or str(Path.home())
        )
        if chosen:
            self.folder.setText(chosen)

    def problem(self) -> str:
        """What is wrong with the folder ("" when nothing), shown under it."""
        from vrmdesk.store.backup import folder_problem  # the database library: after unlock

        if self.beside.isChecked():
            return ""
        text = self.folder.text().strip()
        if not text:
            return "Choose the backup folder, or keep the backups beside the vault."
        return folder_problem(Path(text).expanduser())

    def check(self) -> bool:
        problem = self.problem()
        self.folder_error.set_text(problem)
        if problem:
            self.folder.setFocus()
        return not problem

    def apply(self, prefs: Preferences) -> None:
        folder = (
            "" if self.beside.isChecked() else str(Path(self.folder.text().strip()).expanduser())
        )
        prefs.backup_folder = folder
        prefs.backup_schedule = str(self.schedule.currentData())
        prefs.backup_keep = self.keep.value()

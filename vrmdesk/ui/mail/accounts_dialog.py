"""Mail accounts (Settings → Mail → Mail accounts…, File → Mail accounts…): the IMAP accounts
listed without their passwords, one added after the core has checked it with the server, one
removed (the mail fetched from it stays).

Adding checks first, off the UI thread (``imap.check``: log in, examine every folder): a refused
password or a missing folder is shown in the dialog and nothing is stored; a certificate the
system does not trust is shown by its fingerprint, which the person compares with what the
provider says before pressing "Trust this certificate" (the check runs again trusting exactly
that one). Only a check that passed stores the account (``accounts.add_account``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import VrmError
from vrmdesk.mail import accounts, imap
from vrmdesk.mail.accounts import AccountRow
from vrmdesk.store import keystore
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.tasks import Task
from vrmdesk.ui.editors.form_rows import ErrorLabel

COLUMNS = ("Account", "Security", "Folders", "Password", "Trusted certificate")


def password_place(row: AccountRow) -> str:
    return "in the keyring" if row.use_keyring else "in the vault"


def fingerprint_lines(digits: str) -> str:
    """The formatted fingerprint in two lines of 16 bytes, easier to compare than one long one."""
    shown = accounts.format_fingerprint(digits)
    return "\n".join(shown[i : i + 48].strip(":") for i in range(0, len(shown), 48))


def security(row: AccountRow) -> str:
    return f"{'STARTTLS' if row.starttls else 'TLS'}, port {row.port}"


class AddAccountDialog(QDialog):
    """Host, port, user, password, folders, STARTTLS, keyring; Add checks, then stores."""

    #: the account was checked and stored (its AccountRow)
    added = Signal(object)

    def __init__(self, controller: VaultController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a mail account")
        self.controller = controller
        self.running: Task | None = None
        self.fingerprint = ""  # the certificate the person chose to trust
        self.offered = ""  # the untrusted certificate's fingerprint, shown

        self.host = QLineEdit()
        self.host.setAccessibleName("Server")
        self.host.setPlaceholderText("imap.example.com")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(accounts.IMAPS_PORT)
        self.port.setAccessibleName("Port")
        self.starttls = QCheckBox("Use S&TARTTLS (plain IMAP upgraded, usually port 143)")
        self.starttls.setAccessibleName("Use STARTTLS")
        self.user = QLineEdit()
        self.user.setAccessibleName("User name")
        self.user.setPlaceholderText("me@example.com")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.folders = QLineEdit(", ".join(accounts.DEFAULT_FOLDERS))
        self.folders.setAccessibleName("Folders, comma-separated")
        self.keyring = QCheckBox("&Keep the password in the system keyring")
        self.keyring.setAccessibleName("Keep the password in the system keyring")
        self.keyring_reason = QLabel()
        self.keyring_reason.setWordWrap(True)
        self.keyring_reason.setStyleSheet("color: palette(mid);")
        usable, reason = keystore.availability()
        if usable:
            self.keyring_reason.setText("Otherwise it is kept in the vault, encrypted.")
        else:
            self.keyring.setEnabled(False)
            self.keyring.setToolTip(reason)
            self.keyring_reason.setText(f"Not available here: {reason} It is kept in the vault.")

        form = QFormLayout()
        for text, field in (
            ("&Server:", self.host),
            ("P&ort:", self.port),
            ("", self.starttls),
            ("&User name:", self.user),
            ("&Password:", self.password),
            ("&Folders:", self.folders),
        ):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, field)
        folders_hint = QLabel("Comma-separated; a folder named like Sent is mail I sent.")
        folders_hint.setWordWrap(True)
        folders_hint.setStyleSheet("color: palette(mid);")
        form.addRow("", folders_hint)
        form.addRow("", self.keyring)
        form.addRow("", self.keyring_reason)

        # the check under way: a busy bar and what it does
        self.busy = QWidget()
        busy_row = QHBoxLayout(self.busy)
        busy_row.setContentsMargins(0, 0, 0, 0)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumWidth(120)
        self.busy_text = QLabel()
        busy_row.addWidget(self.busy_bar)
        busy_row.addWidget(self.busy_text, 1)
        self.busy.hide()
        self.error = ErrorLabel()
        self.error.setAccessibleName("Error")

        # a certificate not trusted by the system: its fingerprint, to compare, and a choice
        self.certificate = QFrame()
        self.certificate.setFrameShape(QFrame.Shape.StyledPanel)
        cert_layout = QVBoxLayout(self.certificate)
        self.cert_text = QLabel()
        self.cert_text.setWordWrap(True)
        self.cert_fingerprint = QLabel()
        self.cert_fingerprint.setAccessibleName("Certificate fingerprint")
        self.cert_fingerprint.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.cert_fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.trust = QPushButton("T&rust this certificate")
        self.trust.setAccessibleName("Trust this certificate")
        self.trust.clicked.connect(self._trust)
        trust_row = QHBoxLayout()
        trust_row.addStretch(1)
        trust_row.addWidget(self.trust)
        cert_layout.addWidget(self.cert_text)
        cert_layout.addWidget(self.cert_fingerprint)
        cert_layout.addLayout(trust_row)
        self.certificate.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = self.buttons.addButton("&Add", QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setDefault(True)
        self.buttons.accepted.connect(self._add)
        self.buttons.rejected.connect(self.reject)

        self.column = layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.certificate)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.starttls.toggled.connect(self._starttls_toggled)
        self.host.textChanged.connect(self._server_changed)
        self.port.valueChanged.connect(self._server_changed)
        self.starttls.toggled.connect(self._server_changed)
        for edit in (self.user, self.password, self.folders):
            edit.textChanged.connect(self._edited)
        self.setMinimumWidth(max(560, self.sizeHint().width()))
        self.resize(self.minimumWidth(), self.sizeHint().height())

    def _say(self, text: str) -> None:
        self.error.set_text(text)
        self._fit()

    def _fit(self) -> None:
        """Grow downwards to what is shown now (a message, the certificate); never narrower."""
        layout = self.column
        layout.activate()
        width = self.width()
        needed = (
            layout.totalHeightForWidth(width)
            if layout.hasHeightForWidth()
            else layout.totalSizeHint().height()
        )
        if needed > self.height():
            self.resize(width, needed)

    # -- the form ----------------------------------------------------------------------------
    def _starttls_toggled(self, on: bool) -> None:
        """The port follows STARTTLS while it is the other mode's default."""
        if on and self.port.value() == accounts.IMAPS_PORT:
            self.port.setValue(accounts.IMAP_PORT)
        elif not on and self.port.value() == accounts.IMAP_PORT:
            self.port.setValue(accounts.IMAPS_PORT)

    def _edited(self) -> None:
        """What was said was about what was typed before."""
        if self.running is None:
            self.error.set_text("")

    def _server_changed(self) -> None:
        """Another server: the certificate shown (or trusted) was the one before's."""
        if self.running is None:
            self._edited()
            self.fingerprint = self.offered = ""
            self.certificate.hide()

    def typed_folders(self) -> list[str]:
        return list(dict.fromkeys(f.strip() for f in self.folders.text().split(",") if f.strip()))

    def _trial(self) -> accounts.Settings | None:
        """The settings to check, or None with the reason shown."""
        host, user = self.host.text().strip(), self.user.text().strip()
        for value, field, what in (
            (host, self.host, "Give the server's host name."),
            (user, self.user, "Give the user name."),
            (self.password.text(), self.password, "Give the password."),
        ):
            if not value:
                self._say(what)
                field.setFocus()
                return None
        try:
            with self.controller.session() as session:
                known = accounts.list_accounts(session)
        except VrmError as exc:
            self._say(explain(exc))
            return None
        for row in known:
            if row.host == host and row.user == user:
                self._say(f"There is an account for {user} at {host} already.")
                self.user.setFocus()
                return None
        folders = tuple(self.typed_folders()) or accounts.DEFAULT_FOLDERS
        return accounts.Settings(
            0,
            host,
            self.port.value(),
            user,
            self.password.text(),
            folders,
            self.starttls.isChecked(),
            self.fingerprint,
        )

    # -- checking off the UI thread ----------------------------------------------------------
    def _add(self) -> None:
        if self.running is not None:
            return
        trial = self._trial()
        if trial is None:
            return
        self.error.set_text("")
        self.certificate.hide()
        self._set_busy(f"Checking {trial.user} at {trial.host}:{trial.port}…")

        def work(task: Task) -> list[str]:
            return imap.check(trial)

        self.running = task = self.controller.run(
            work,
            on_done=lambda missing: self._checked(task, trial, missing),
            on_error=lambda exc: self._refused(task, exc),
            receiver=self,
        )

    def _trust(self) -> None:
        self.fingerprint = self.offered
        self._add()

    def _set_busy(self, text: str) -> None:
        self.busy_text.setText(text)
        self.busy.show()
        self._fit()
        for widget in (self.host, self.port, self.starttls, self.user, self.password):
            widget.setEnabled(False)
        self.folders.setEnabled(False)
        self.add_button.setEnabled(False)

    def _idle(self) -> None:
        self.running = None
        self.busy.hide()
        for widget in (self.host, self.port, self.starttls, self.user, self.password):
            widget.setEnabled(True)
        self.folders.setEnabled(True)
        self.add_button.setEnabled(True)

    def _checked(self, task: Task, trial: accounts.Settings, missing: Any) -> None:
        if task.cancelled or task is not self.running:
            return
        self._idle()
        if missing:
            names = ", ".join(repr(f) for f in missing)
            self._say(f"{trial.user} at {trial.host} has no folder {names}.")
            self.folders.setFocus()
            return
        try:
            with self.controller.session() as session:
                row = accounts.add_account(
                    session,
                    host=trial.host,
                    port=trial.port,
                    user=trial.user,
                    password=trial.password,
                    folders=trial.folders,
                    starttls=trial.starttls,
                    trusted_fingerprint=trial.trusted_fingerprint,
                    use_keyring=self.keyring.isChecked(),
                )
        except VrmError as exc:
            self._say(explain(exc))
            return
        self.controller.notify(
            {"mail_account"}, f"Added the mail account {row.user} at {row.host}."
        )
        self.added.emit(row)
        self.accept()

    def _refused(self, task: Task, exc: BaseException) -> None:
        if task.cancelled or task is not self.running:
            return
        self._idle()
        if isinstance(exc, imap.UntrustedCertificate) and exc.fingerprint:
            self._offer(exc.fingerprint)
            return
        self._say(explain(exc))
        if isinstance(exc, imap.LoginRefused):
            self.password.setFocus()
            self.password.selectAll()

    def _offer(self, fingerprint: str) -> None:
        host = self.host.text().strip()
        self.offered = fingerprint
        if self.fingerprint:  # trusted one, the server showed another
            told = (
                f"The certificate of {host} changed while it was checked: this one is not the "
                "one you trusted. Compare its SHA-256 fingerprint again:"
            )
        else:
            told = (
                f"The certificate of {host} is not trusted by this system. If its SHA-256 "
                "fingerprint is the one your provider or the server's administrator shows, "
                "trust exactly this certificate:"
            )
        self.fingerprint = ""
        self.cert_text.setText(told)
        self.cert_fingerprint.setText(fingerprint_lines(fingerprint))
        self.certificate.show()
        self._fit()
        self.trust.setFocus()

    def reject(self) -> None:
        """Cancel: a check under way is abandoned (its answer ignored, nothing stored)."""
        if self.running is not None:
            self.running.cancel()
            self.running = None
        super().reject()


class MailAccountsDialog(QDialog):
    """The accounts, with Add… and Remove."""

    def __init__(self, controller: VaultController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mail accounts")
        self.controller = controller
        self.rows: list[AccountRow] = []
        self.adding: AddAccountDialog | None = None
        self.confirming: QMessageBox | None = None

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Mail accounts")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.empty = QLabel(
            "No mail account yet: add one, and File → Fetch mail now brings its mail."
        )
        self.empty.setWordWrap(True)
        self.error = ErrorLabel()
        self.error.setAccessibleName("Error")
        note = QLabel("Removing an account keeps the mail already fetched from it.")
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(mid);")

        self.add_button = QPushButton("&Add…")
        self.add_button.clicked.connect(self.add)
        self.remove_button = QPushButton("&Remove")
        self.remove_button.clicked.connect(self.remove)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.table.itemSelectionChanged.connect(self._update)
        self.refresh()
        self.resize(760, 320)

    def refresh(self) -> None:
        try:
            with self.controller.session() as session:
                self.rows = accounts.list_accounts(session)
        except VrmError as exc:
            self.rows = []
            self.error.set_text(explain(exc))
        self.table.setRowCount(len(self.rows))
        for n, row in enumerate(self.rows):
            cells = (
                f"{row.user} at {row.host}",
                security(row),
                ", ".join(row.folders),
                password_place(row),
                accounts.format_fingerprint(row.trusted_fingerprint)
                if row.trusted_fingerprint
                else "(the system's trust store)",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(n, column, item)
        self.empty.setVisible(not self.rows)
        if self.rows and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        self._update()

    def selected(self) -> AccountRow | None:
        chosen = self.table.selectionModel().selectedRows()
        return self.rows[chosen[0].row()] if chosen else None

    def _update(self) -> None:
        self.remove_button.setEnabled(self.selected() is not None)

    def add(self) -> None:
        dialog = AddAccountDialog(self.controller, self)
        dialog.added.connect(lambda _row: self.refresh())
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda _r: setattr(self, "adding", None))
        self.adding = dialog
        dialog.open()

    def remove(self) -> None:
        row = self.selected()
        if row is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Remove the mail account",
            f"Remove the account {row.user} at {row.host}? The mail already fetched from it "
            "stays in the vault; its mail is no longer fetched.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        yes = box.addButton("&Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def answered() -> None:
            self.confirming = None
            box.deleteLater()
            if box.clickedButton() is yes:
                self._remove(row)

        box.finished.connect(answered)
        self.confirming = box
        box.open()

    def _remove(self, row: AccountRow) -> None:
        try:
            with self.controller.session() as session:
                accounts.remove_account(session, row.id)
        except VrmError as exc:
            self.error.set_text(explain(exc))
            return
        self.error.set_text("")
        self.controller.notify(
            {"mail_account"},
            f"Removed the mail account {row.user} at {row.host}; the mail fetched stays.",
        )
        self.refresh()


def open_accounts(parent: QWidget, controller: VaultController) -> MailAccountsDialog:
    dialog = MailAccountsDialog(controller, parent)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog

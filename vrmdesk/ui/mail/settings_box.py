"""The mail part of Settings: my own e-mail addresses (kept in the vault: they decide what I sent),
the size above which an attachment of a message is left out, how often mail is fetched, and the
IMAP accounts (Mail accounts…, ``accounts_dialog``)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
)

from vrmdesk.errors import VrmError
from vrmdesk.mail import addresses
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.editors.form_rows import ErrorLabel


class MailSettingsBox(QGroupBox):
    def __init__(self, prefs: Preferences, controller: VaultController | None) -> None:
        super().__init__("Mail")
        self.controller = controller
        self.own = QPlainTextEdit()
        self.own.setAccessibleName("My own e-mail addresses, one a line")
        self.own.setTabChangesFocus(True)
        self.own.setPlaceholderText("me@example.com")
        self.own.setFixedHeight(self.own.fontMetrics().lineSpacing() * 4 + 12)
        self.own_error = ErrorLabel()
        self.known: list[str] = []
        if controller is not None and controller.is_open:
            with controller.session() as session:
                self.known = addresses.own_addresses(session)
            self.own.setPlainText("\n".join(self.known))
        else:
            self.own.setEnabled(False)
            self.own.setPlaceholderText("unlock the vault to see or change them")
        own_hint = QLabel("Mail from these addresses is mine, going out; the rest comes in.")
        own_hint.setWordWrap(True)
        own_hint.setEnabled(False)
        self.cap = QSpinBox()
        self.cap.setRange(1, 2048)
        self.cap.setSuffix(" MB")
        self.cap.setValue(prefs.mail_attachment_cap_mb)
        self.cap.setAccessibleName("Largest attachment kept, in MB")
        self.fetch = QSpinBox()
        self.fetch.setRange(0, 24 * 60)
        self.fetch.setSuffix(" min")
        self.fetch.setSpecialValueText("only when asked")
        self.fetch.setValue(prefs.mail_fetch_minutes)
        self.fetch.setAccessibleName("Fetch mail every minutes")
        self.accounts_button = QPushButton("Mail a&ccounts…")
        self.accounts_button.setToolTip("The IMAP accounts mail is fetched from")
        self.accounts_button.clicked.connect(self.open_accounts)
        self.accounts_button.setEnabled(controller is not None and controller.is_open)
        form = QFormLayout(self)
        label = QLabel("My &own addresses:")
        label.setBuddy(self.own)
        form.addRow(label, self.own)
        form.addRow("", own_hint)
        form.addRow("", self.own_error)
        form.addRow("Leave out &attachments larger than:", self.cap)
        form.addRow("Fetch mail &every:", self.fetch)
        form.addRow("IMAP accounts:", self.accounts_button)
        self.own.textChanged.connect(lambda: self.own_error.set_text(""))

    def open_accounts(self) -> None:
        from vrmdesk.ui.mail.accounts_dialog import open_accounts

        if self.controller is None or not self.controller.is_open:
            return
        dialog = open_accounts(self, self.controller)
        dialog.finished.connect(self._reload_addresses)

    def _reload_addresses(self) -> None:
        """An account added may have made its address mine: shown, unless typed over."""
        if self.controller is None or not self.controller.is_open:
            return
        if sorted(addresses.normalise(a) for a in self.typed_addresses()) != sorted(self.known):
            return
        with self.controller.session() as session:
            self.known = addresses.own_addresses(session)
        self.own.setPlainText("\n".join(self.known))

    def typed_addresses(self) -> list[str]:
        return [line.strip() for line in self.own.toPlainText().splitlines() if line.strip()]

    def apply(self, prefs: Preferences) -> bool:
        """Keep what was chosen; False (with the reason shown) when an address is refused."""
        if self.own.isEnabled() and self.controller is not None and self.controller.is_open:
            typed = self.typed_addresses()
            if sorted(addresses.normalise(a) for a in typed) != sorted(self.known):
                try:
                    with self.controller.session() as session:
                        self.known = addresses.set_own_addresses(session, typed)
                except VrmError as exc:
                    self.own_error.set_text(str(exc))
                    self.own.setFocus()
                    return False
        prefs.mail_attachment_cap_mb = self.cap.value()
        prefs.mail_fetch_minutes = self.fetch.value()
        return True

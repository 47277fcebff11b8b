"""Fetching mail from the IMAP accounts: on demand (File → Fetch mail now) and every N minutes
while the vault is unlocked (Settings).

The fetch itself is not wired in yet: ``fetch_mail_now`` is the one hook for it. Until then it
says how to add an account and does nothing else.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from vrmdesk.ui.core.controller import VaultController

NO_ACCOUNT = "No mail account yet: add one with vrmdesk mail account add"


class MailFetcher(QObject):
    def __init__(
        self, controller: VaultController, minutes: int, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._scheduled)
        controller.locked.connect(self.timer.stop)
        controller.unlocked.connect(self._restart)
        self.minutes = 0
        self.set_minutes(minutes)

    def set_minutes(self, minutes: int) -> None:
        """Fetch every ``minutes`` while unlocked (0: only on demand)."""
        self.minutes = max(0, minutes)
        self._restart()

    def _restart(self) -> None:
        self.timer.stop()
        if self.minutes and self.controller.is_open:
            self.timer.start(self.minutes * 60_000)

    def _scheduled(self) -> None:
        if self.controller.is_open:
            self.fetch_mail_now()

    def fetch_mail_now(self) -> None:
        """Fetch new mail from every account (the hook for the IMAP fetch, not wired in yet)."""
        self.controller.status.emit(NO_ACCOUNT)

"""Fetching mail from the IMAP accounts: on demand (File → Fetch mail now) and every N minutes
while the vault is unlocked (Settings), off the UI thread and one fetch at a time; the status bar
says what came in, or why an account could not be read (once, not every N minutes)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from vrmdesk.mail import accounts, capture, imap
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.tasks import Task

NO_ACCOUNT = "No mail account yet: add one with File → Mail accounts…"


class MailFetcher(QObject):
    #: a fetch ended: what it brought (a capture.Outcome)
    fetched = Signal(object)

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
        self.running: Task | None = None
        self._told = ""  # the last problem said, not repeated by the timer
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
            self.fetch_mail_now(asked=False)

    def fetch_mail_now(self, *, asked: bool = True) -> None:
        """Fetch new mail from every account, off the UI thread (one fetch at a time).

        ``asked``: the person asked (File → Fetch mail now), so every outcome is said; the
        timer's fetches say only what came in, and a problem once until it changes.
        """
        controller = self.controller
        if not controller.is_open or self.running is not None:
            return
        with controller.session() as session:
            if not accounts.list_accounts(session):
                if asked:
                    controller.status.emit(NO_ACCOUNT)
                return
        vault = controller.vault

        def work(task: Task) -> capture.Outcome:
            def progress(done: int, total: int, text: str) -> None:
                task.progress(done, total, text)

            return imap.fetch_all(vault, progress=progress, cancelled=lambda: task.cancelled)

        if asked:
            controller.status.emit("Fetching mail…")
        self.running = controller.run(
            work,
            on_done=lambda outcome: self._done(outcome, asked),
            on_error=lambda exc: self._failed(exc, asked),
            receiver=self,
            label="fetching mail",
        )

    def _done(self, outcome: Any, asked: bool) -> None:
        self.running = None
        assert isinstance(outcome, capture.Outcome)
        new = outcome.imported + outcome.offers + outcome.unsorted
        if new:
            self.controller.notify({"*"}, f"Mail fetched: {outcome.summary()}.")
        problem = "; ".join(p.reason for p in outcome.problems)
        if problem and (asked or problem != self._told):
            self.controller.status.emit(f"Mail: {problem}")
        elif not new and asked:
            self.controller.status.emit("No new mail.")
        self._told = problem
        self.fetched.emit(outcome)

    def _failed(self, exc: BaseException, asked: bool) -> None:
        self.running = None
        said = f"Mail could not be fetched: {explain(exc)}"
        if asked or said != self._told:
            self.controller.status.emit(said)
        self._told = said

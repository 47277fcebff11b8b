"""Keeping a chosen ``.ics`` file up to date, so a calendar that subscribes to it (or a synced
folder) has the deadlines even while vrmdesk is closed.

Set in Settings (a path, and titles only or with vendor names and notes). The file is rewritten
whole and atomically by the core (``calendar.write_calendar``), off the UI thread: when the vault
is unlocked, a moment after the last change (changes in a burst make one write), and just after
midnight (the file holds the deadlines from today on). A write that fails (the folder is gone)
is told once in the status bar, not again until it has worked once more.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.core.tasks import Task

if TYPE_CHECKING:  # the iCalendar writer is imported for a write, not with the window
    from vrmdesk.interchange import calendar

DEBOUNCE_MS = 1500


def ms_to_next_midnight(now: datetime | None = None) -> int:
    """From ``now`` to a minute after the next midnight (the day has turned for sure)."""
    now = now or datetime.now()
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time())
    return int((midnight - now).total_seconds() * 1000) + 60_000


class CalendarFeed(QObject):
    #: the file was written (its path, the number of events)
    written = Signal(str, int)
    #: writing failed (the message, told once in the status bar)
    failed = Signal(str)

    def __init__(
        self, controller: VaultController, prefs: Preferences, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.prefs = prefs
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.write_now)
        self.midnight = QTimer(self)
        self.midnight.setSingleShot(True)
        self.midnight.timeout.connect(self._new_day)
        self.midnight.start(ms_to_next_midnight())
        self._writing = False
        self._again = False
        self._told = ""  # the failure told last (not told again until a write works)
        controller.changed.connect(self.schedule)
        controller.unlocked.connect(self.schedule)
        controller.locked.connect(self.debounce.stop)

    @property
    def path(self) -> Path | None:
        return Path(self.prefs.calendar_path).expanduser() if self.prefs.calendar_path else None

    def schedule(self, *_: object) -> None:
        """Write a moment from now (each change in the meantime restarts the wait)."""
        if self.path is not None:
            self.debounce.start()

    def _new_day(self) -> None:
        self.midnight.start(ms_to_next_midnight())
        self.schedule()

    def write_now(self) -> None:
        out = self.path
        if out is None or not self.controller.is_open:
            return
        from vrmdesk.interchange import calendar

        if self._writing:  # one write at a time; the latest state follows this one
            self._again = True
            return
        controller, lead = self.controller, self.prefs.lead()
        detail: calendar.Detail = "full" if self.prefs.calendar_detail == "full" else "titles"
        vault_id = controller.vault.header.vault_id

        def work(task: Task) -> int:
            with controller.session() as session:
                return calendar.write_calendar(session, vault_id, out, lead, detail=detail)

        self._writing = True
        controller.run(
            work, on_done=lambda n: self._done(out, n), on_error=self._failed, receiver=self
        )

    def _finished(self) -> None:
        self._writing = False
        if self._again:
            self._again = False
            self.schedule()

    def _done(self, out: Path, events: int) -> None:
        self._told = ""
        self._finished()
        self.written.emit(str(out), events)

    def _failed(self, exc: BaseException) -> None:
        self._finished()
        message = f"The calendar file is not up to date: {explain(exc)}"
        if message != self._told:
            self._told = message
            self.controller.status.emit(message)
            self.failed.emit(message)

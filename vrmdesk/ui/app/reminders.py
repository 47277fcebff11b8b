"""Tray notifications for warranties ending, follow-ups, service and notice deadlines."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QSystemTrayIcon

from vrmdesk.store.services import dashboard
from vrmdesk.store.services.reminders import Reminder, reminders
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.widgets.dates import show_date

CHECK_EVERY_MS = 30 * 60 * 1000


class Reminders(QObject):
    """Checks every half hour while the vault is unlocked; shown in the tray, else the status
    bar."""

    def __init__(
        self,
        controller: VaultController,
        prefs: Preferences,
        parent: QObject | None = None,
        tray: QSystemTrayIcon | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.prefs = prefs
        self.shown: set[str] = set()
        self.tray = tray
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        controller.locked.connect(self.shown.clear)
        QTimer.singleShot(2000, self.check)

    def due(self) -> list[Reminder]:
        """Reminders not yet shown in this unlocked session."""
        if not self.controller.is_open or not self.prefs.reminders_enabled:
            return []
        with self.controller.session() as session:
            found = reminders(dashboard.dashboard(session, self.prefs.lead()), show_date)
        return [r for r in found if r.key not in self.shown]

    def check(self) -> list[Reminder]:
        new = self.due()
        for reminder in new:
            self.shown.add(reminder.key)
        if not new:
            return new
        if self.tray is not None:
            if len(new) == 1:
                self.tray.showMessage(
                    new[0].title, new[0].message, QSystemTrayIcon.MessageIcon.Information
                )
            else:
                body = "\n".join(r.message for r in new[:5]) + ("\n…" if len(new) > 5 else "")
                self.tray.showMessage(
                    f"{len(new)} reminders", body, QSystemTrayIcon.MessageIcon.Information
                )
        else:
            self.controller.status.emit(
                f"{len(new)} reminder{'s' if len(new) > 1 else ''}: {new[0].message}"
            )
        return new

"""The sync status in the status bar: "Sync: not set up", "Syncing…", "Synced 2 min ago",
"3 sets waiting", "1 conflict"; what went wrong in its tooltip. A click does what the status asks
for: set up, open the conflicts, or sync now. It reads again after each sync and every minute
(the "ago")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QToolButton, QWidget

from vrmdesk.errors import VaultBusy, VrmError
from vrmdesk.ui.sync.syncer import Syncer, sync_engine
from vrmdesk.ui.sync.words import ago, counted
from vrmdesk.ui.widgets.icons import icon

#: what the engine reports that needs nothing of the person
NOT_PROBLEMS = {"before-pairing"}


@dataclass
class Shown:
    text: str
    tip: str
    #: what a click does: "set_up", "conflicts" or "sync"
    click: str
    warning: bool = False


def describe(
    status: Any, *, running: bool, problem: str = "", now: datetime | None = None
) -> Shown:
    """What the status says for an ``engine.Status`` (pure: the tests call it too)."""
    if not status.set_up:
        return Shown(
            "Sync: not set up",
            "This vault syncs with no other device yet. Click to set up sync.",
            "set_up",
        )
    parts: list[str] = []
    tips: list[str] = []
    if running:
        parts.append("Syncing…")
    elif problem:
        parts.append("Sync failed")
        tips.append(problem)
    elif status.last_sync is not None:
        parts.append(f"Synced {ago(status.last_sync, now)}")
    else:
        parts.append("Not synced yet")
    if status.waiting:
        parts.append(f"{counted(status.waiting, 'set')} waiting")
        tips.append(
            f"{counted(status.waiting, 'change set')} of other devices cannot be applied yet "
            "(still arriving, or behind a missing one)."
        )
    report = status.last_report
    found = list(getattr(report, "problems", None) or [])
    # sets written before the pairing are skipped by design (the catch-up brings their changes)
    problems = [p for p in found if not (isinstance(p, dict) and p.get("kind") in NOT_PROBLEMS)]
    if problems:
        parts.append(counted(len(problems), "problem"))
    tips += [str(p.get("message", p)) if isinstance(p, dict) else str(p) for p in found]
    if status.conflicts:
        parts.append(counted(status.conflicts, "conflict"))
    if status.folder is not None:
        tips.append(
            f"Folder: {status.folder}; {counted(status.devices, 'paired device')}; "
            f"this device: {status.name}."
        )
    if status.conflicts:
        tips.append("Click to see the conflicts.")
        click = "conflicts"
    else:
        tips.append("Click to sync now (F5).")
        click = "sync"
    warning = bool(problem or problems)
    return Shown(" · ".join(parts), "\n".join(tips), click, warning)


class SyncStatus(QToolButton):
    """The status bar's sync button."""

    #: clicked: "set_up", "conflicts" or "sync"
    wanted = Signal(str)

    def __init__(self, syncer: Syncer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.syncer = syncer
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setObjectName("sync-status")
        self.setAccessibleName("Sync status")
        self.shown: Shown | None = None
        self.clicked.connect(self._clicked)
        syncer.started.connect(self.refresh)
        syncer.finished.connect(self.refresh)
        syncer.changed.connect(self._ready)
        syncer.controller.changed.connect(self._data_changed)
        self.minute = QTimer(self)
        self.minute.timeout.connect(self.refresh)
        self.minute.start(60_000)
        #: False until the syncer first started (a moment after the window showed)
        self.ready = False
        self.hide()

    def _ready(self) -> None:
        self.ready = True
        self.refresh()

    def refresh(self) -> None:
        controller = self.syncer.controller
        if not self.ready:
            return
        if not controller.is_open:
            self.shown = None
            self.setText("")
            self.setToolTip("")
            self.hide()
            return
        try:
            status = sync_engine().status(controller.vault)
        except VaultBusy:
            return  # the vault busy with a long unit of work (an import): asked again soon
        except VrmError as exc:
            self.shown = Shown("Sync failed", str(exc), "sync", True)
        else:
            self.shown = describe(
                status, running=self.syncer.running is not None, problem=self.syncer.problem
            )
        self.setText(self.shown.text)
        self.setToolTip(self.shown.tip)
        self.setAccessibleDescription(self.shown.tip)
        self.setIcon(icon("warning") if self.shown.warning else icon("sync"))
        self.show()

    def _data_changed(self, kinds: object) -> None:
        """A conflict resolved, a device paired: the counts may have changed."""
        if self.syncer.running is None:
            self.refresh()

    def _clicked(self) -> None:
        if self.shown is not None:
            self.wanted.emit(self.shown.click)

"""When a sync runs, while the vault is unlocked and set up for sync (issue 15, item 6):

- on unlock (and when the window opens over an unlocked vault);
- a few seconds after a change made in this window (``controller.changed``), debounced: many
  edits in a row make one sync;
- when the folder changes: a file watcher on the folder, ``devices/``, ``blobs/`` and the other
  devices' folders, and, where a watcher misses something (a network share), a slow poll of
  ``engine.folder_signature``;
- on demand (Sync → Sync now, F5, a click on the status).

One sync at a time, off the UI thread (:mod:`vrmdesk.ui.core.tasks`); a reason to sync while one
runs makes one more afterwards. After a sync that applied changes every page refreshes (as after
an import). Locking stops the timers and the watcher and cancels a running sync (the controller
waits for it: the engine commits only at its end, so nothing is half-written).
"""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from vrmdesk.errors import VaultBusy, VrmError
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.tasks import Task

NOT_SET_UP = "Sync is not set up yet: Sync → Set up sync…"
DEVICE_FOLDER = re.compile(r"[0-9a-f]{32}")


def sync_engine() -> Any:
    """:mod:`vrmdesk.sync.engine`, imported when first needed: it brings the signing code,
    which the window does not load to show itself (tests/ui/test_startup_imports.py)."""
    from vrmdesk.sync import engine

    return engine


#: seconds a sync waits for the window's unit of work to end before it goes ahead anyway
EXCLUSIVE_WAIT = 10.0
#: seconds between the tries of a sync that found the vault written meanwhile
RETRY_AFTER = (0.2, 0.5, 1.0)


def sync_retrying(vault: Any, task: Task, exclusive: Any) -> Any:
    """``engine.sync_now``, tried again when a change saved in the window meanwhile made
    SQLite refuse the sync's write ("database is locked": the sync is one unit of work, rolled
    back whole, so trying again is safe)."""
    engine = sync_engine()
    for pause in (*RETRY_AFTER, None):
        held = exclusive.acquire(timeout=EXCLUSIVE_WAIT)  # no unit of work of the window meanwhile
        try:
            return engine.sync_now(vault, progress=task.progress, cancelled=lambda: task.cancelled)
        except VaultBusy:
            if pause is None or task.cancelled:
                raise VaultBusy(
                    "The vault was busy with other changes; the sync is tried again shortly."
                ) from None
        finally:
            if held:
                exclusive.release()
        time.sleep(pause)
    raise AssertionError("unreachable")


def is_device(path: Path) -> bool:
    """A device's own folder in the sync folder (named by its id)."""
    return DEVICE_FOLDER.fullmatch(path.name) is not None


class Syncer(QObject):
    #: a sync started
    started = Signal()
    #: a sync ended: its engine.Report, or None when it failed (``problem`` says why)
    finished = Signal(object)
    #: set up, locked, unlocked …: whatever shows the status reads it again
    changed = Signal()

    #: milliseconds: after the last change made here, after the folder's last change, the poll
    CHANGE_DELAY = 3000
    FOLDER_DELAY = 1000
    POLL_INTERVAL = 30_000

    def __init__(self, controller: VaultController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.running: Task | None = None
        self.again = False  # a reason to sync came while one ran
        self.problem = ""  # why the last sync failed ("" when it did not)
        self.report: Any = None  # the last engine.Report of this run of the program
        self.active = False  # unlocked and set up: the timers and the watcher are on
        self._own_device = ""
        self._folder: Path | None = None
        self._signature: tuple[Any, ...] | None = None
        self._notifying = False  # our own notify after a sync is no change made here

        self.after_change = QTimer(self)
        self.after_change.setSingleShot(True)
        self.after_change.timeout.connect(lambda: self.sync_now(asked=False))
        self.after_folder = QTimer(self)
        self.after_folder.setSingleShot(True)
        self.after_folder.timeout.connect(self._poll)
        self.poll = QTimer(self)
        self.poll.timeout.connect(self._poll)
        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(self._folder_changed)

        controller.changed.connect(self._data_changed)
        controller.locked.connect(self.stop)
        # after the unlock's refresh of every page (``changed``), which is no change made here
        controller.unlocked.connect(lambda: QTimer.singleShot(0, self, self.start))

    # -- on and off --------------------------------------------------------------------------
    def is_set_up(self) -> bool:
        if not self.controller.is_open:
            return False
        try:
            return bool(sync_engine().is_set_up(self.controller.vault))
        except VrmError:
            return False

    def start(self) -> None:
        """Unlocked (or just set up): watch the folder, poll it, and sync now."""
        self.stop()
        if not self.is_set_up():
            self.changed.emit()
            return
        self.active = True
        self._watch()
        self.poll.start(self.POLL_INTERVAL)
        self.changed.emit()
        self.sync_now(asked=False)

    def stop(self) -> None:
        """Locked: no timer, no watcher; a running sync is cancelled by the lock itself."""
        self.active = False
        self.again = False
        for timer in (self.after_change, self.after_folder, self.poll):
            timer.stop()
        watched = self.watcher.directories() + self.watcher.files()
        if watched:
            self.watcher.removePaths(watched)
        self._signature = None
        if not self.controller.is_open:
            self.running = None
            self.problem = ""
            self.report = None
        self.changed.emit()

    # -- reasons to sync ---------------------------------------------------------------------
    def _data_changed(self, kinds: object) -> None:
        """A change made here (an edit, an import, an undo …): sync a few seconds after the
        last one."""
        if self.active and not self._notifying:
            self.after_change.start(self.CHANGE_DELAY)

    def _folder_changed(self, path: str) -> None:
        """Something in the folder came or went. Our own folder changes as we write: not a
        reason; nor are ``blobs/`` and ``devices/`` while we write into them."""
        if not self.active:
            return
        changed = Path(path)
        if self._own_device and changed.name == self._own_device:
            return
        if self.running is not None:
            if self._folder is not None and changed.parent == self._folder and is_device(changed):
                self.again = True  # another device's folder: it wrote while we synced
            return
        self._watch()  # a new device's folder
        self.after_folder.start(self.FOLDER_DELAY)

    def _poll(self) -> None:
        """Sync if the folder's signature changed since the last sync ended: the slow poll
        where the watcher misses a change (a network share), and after the watcher's events
        (our own writes do not count: the signature was taken after them)."""
        if not self.active or self.running is not None:
            return
        try:
            signature = sync_engine().folder_signature(self.controller.vault)
        except (VrmError, OSError):
            signature = None
        if signature != self._signature:
            self.sync_now(asked=False)

    def _watch(self) -> None:
        """Watch the folder, ``devices/``, ``blobs/`` and every other device's folder."""
        try:
            status = sync_engine().status(self.controller.vault)
        except VrmError:
            return
        self._own_device = status.device
        self._folder = Path(status.folder) if status.folder else None
        if self._folder is None:
            return
        paths = [self._folder, self._folder / "devices", self._folder / "blobs"]
        with contextlib.suppress(OSError):
            paths += [
                p
                for p in self._folder.iterdir()
                if p.is_dir() and is_device(p) and p.name != self._own_device
            ]
        known = set(self.watcher.directories())
        new = [str(p) for p in paths if str(p) not in known and p.is_dir()]
        if new:
            self.watcher.addPaths(new)

    # -- the sync ----------------------------------------------------------------------------
    def sync_now(self, *, asked: bool = True) -> bool:
        """Start a sync off the UI thread; one running already makes one more afterwards.
        ``asked``: the person asked, so every outcome is said in the status bar. False when
        nothing started."""
        controller = self.controller
        if not controller.is_open:
            return False
        if self.running is not None:
            self.again = True
            return False
        if not self.is_set_up():
            if asked:
                controller.status.emit(NOT_SET_UP)
            return False
        self.after_change.stop()
        self.after_folder.stop()
        self.again = False
        vault = controller.vault

        def work(task: Task) -> tuple[Any, tuple[Any, ...] | None]:
            report = sync_retrying(vault, task, controller.exclusive)
            try:
                signature = sync_engine().folder_signature(vault)
            except (VrmError, OSError):
                signature = None
            return report, signature

        task: Task | None = None

        def done(result: Any) -> None:
            if self.running is task:
                self._done(result, asked)

        def failed(exc: BaseException) -> None:
            if self.running is task:
                self._failed(exc, asked)

        task = self.running = controller.run(work, on_done=done, on_error=failed, receiver=self)
        if asked:
            controller.status.emit("Syncing…")
        self.started.emit()
        return True

    def _done(self, result: tuple[Any, tuple[Any, ...] | None], asked: bool) -> None:
        self.running = None
        if not self.controller.is_open:
            return
        report, self._signature = result
        self.report = report
        self.problem = ""
        summary = report.summary()
        if report.applied:
            self._notifying = True  # the pages refresh; that is not a change made here
            try:
                self.controller.notify({"*"}, f"Synced: {summary}")
            finally:
                self._notifying = False
        elif asked:
            self.controller.status.emit(f"Synced: {summary}")
        self._watch()
        self.finished.emit(report)
        self._next()

    def _failed(self, exc: BaseException, asked: bool) -> None:
        self.running = None
        if not self.controller.is_open:
            return
        said = explain(exc)
        if isinstance(exc, VaultBusy) and self.active:
            self.after_change.start(self.CHANGE_DELAY)  # once the window's writes are done
        if asked or said != self.problem:
            self.controller.status.emit(f"Sync failed: {said}")
        self.problem = said
        self.finished.emit(None)
        self._next()

    def _next(self) -> None:
        if self.again and self.active:
            self.again = False
            self.sync_now(asked=False)

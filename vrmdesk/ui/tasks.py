"""Work off the UI thread, with progress and cancel, whose results come back on the UI thread.

``TaskRunner.start(fn, on_done=…, on_error=…, receiver=…)`` runs ``fn(task)`` on a worker of a
QThreadPool. ``fn`` reports with ``task.progress(done, total, text)`` and looks at
``task.cancelled`` (or calls ``task.check()``, which raises :class:`Cancelled`) between steps.
The callbacks are delivered through a QObject parented to ``receiver``: if the receiver (a closed
window) is gone by then, nothing is delivered.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class Cancelled(Exception):
    """Raised inside a task when the user cancelled it."""


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int, str)


class Task:
    def __init__(self, relay: _Relay) -> None:
        self._relay = relay
        self._cancel = threading.Event()
        self.finished = threading.Event()

    # -- inside the worker ------------------------------------------------------------------
    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def progress(self, done: int, total: int = 0, text: str = "") -> None:
        try:
            self._relay.progressed.emit(done, total, text)
        except RuntimeError:  # the receiver is gone
            pass

    # -- from the UI ------------------------------------------------------------------------
    def cancel(self) -> None:
        self._cancel.set()

    @property
    def progressed(self):  # type: ignore[no-untyped-def]
        """Signal(done, total, text), delivered on the UI thread."""
        return self._relay.progressed


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[Task], Any], task: Task, relay: _Relay, runner: TaskRunner) -> None:
        super().__init__()
        self.fn, self.task, self.relay, self.runner = fn, task, relay, runner

    def run(self) -> None:
        try:
            result = self.fn(self.task)
        except BaseException as exc:  # delivered to on_error on the UI thread
            self._emit(self.relay.failed, exc)
        else:
            self._emit(self.relay.done, result)
        finally:
            self.task.finished.set()
            self.runner._forget(self.task)

    @staticmethod
    def _emit(signal: Any, value: Any) -> None:
        try:
            signal.emit(value)
        except RuntimeError:
            pass


class TaskRunner(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self._running: set[Task] = set()
        self._lock = threading.Lock()

    def start(
        self,
        fn: Callable[[Task], Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        receiver: QObject,
    ) -> Task:
        relay = _Relay(receiver)
        task = Task(relay)

        def finish_ok(result: Any) -> None:
            relay.deleteLater()
            if on_done is not None:
                on_done(result)

        def finish_error(exc: BaseException) -> None:
            relay.deleteLater()
            if isinstance(exc, Cancelled):
                return
            if on_error is not None:
                on_error(exc)
            else:
                raise exc

        relay.done.connect(finish_ok)
        relay.failed.connect(finish_error)
        with self._lock:
            self._running.add(task)
        self.pool.start(_Runnable(fn, task, relay, self))
        return task

    def _forget(self, task: Task) -> None:
        with self._lock:
            self._running.discard(task)

    def cancel_all(self) -> None:
        with self._lock:
            for task in self._running:
                task.cancel()

    def wait(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)

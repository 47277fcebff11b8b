"""Work off the UI thread, with progress and cancel, whose results come back on the UI thread.

``TaskRunner.start(fn, on_done=…, on_error=…, receiver=…)`` runs ``fn(task)`` on a worker of a
QThreadPool. ``fn`` reports with ``task.progress(done, total, text)`` and looks at
``task.cancelled`` (or calls ``task.check()``, which raises :class:`Cancelled`) between steps.
The callbacks are delivered through a QObject parented to ``receiver``: if the receiver (a closed
window) is gone by then, nothing is delivered.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, SignalInstance, Slot


class Cancelled(Exception):
    """Raised inside a task when the user cancelled it."""


class _Relay(QObject):
    """Lives on the UI thread. The worker emits the ``_from_worker`` signals; Qt queues them to
    this object's slots (a connection to a plain Python function would run on the worker), which
    run the callbacks and re-emit ``progressed`` on the UI thread."""

    _done_from_worker = Signal(object)
    _failed_from_worker = Signal(object)
    _progress_from_worker = Signal(int, int, str)
    progressed = Signal(int, int, str)

    def __init__(
        self,
        receiver: QObject,
        on_done: Callable[[Any], None],
        on_failed: Callable[[BaseException], None],
    ) -> None:
        super().__init__(receiver)
        self._on_done = on_done
        self._on_failed = on_failed
        self._done_from_worker.connect(self._deliver_done)
        self._failed_from_worker.connect(self._deliver_failed)
        self._progress_from_worker.connect(self.progressed)

    @Slot(object)
    def _deliver_done(self, result: Any) -> None:
        self.deleteLater()
        self._on_done(result)

    @Slot(object)
    def _deliver_failed(self, exc: BaseException) -> None:
        self.deleteLater()
        self._on_failed(exc)


class Task:
    def __init__(self, relay: _Relay) -> None:
        self._relay = relay
        self._cancel = threading.Event()
        self.finished = threading.Event()
        self.label = ""

    # -- inside the worker ------------------------------------------------------------------
    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def progress(self, done: int, total: int = 0, text: str = "") -> None:
        with contextlib.suppress(RuntimeError):  # the receiver is gone
            self._relay._progress_from_worker.emit(done, total, text)

    # -- from the UI ------------------------------------------------------------------------
    def cancel(self) -> None:
        self._cancel.set()

    @property
    def progressed(self) -> SignalInstance:
        """Signal(done, total, text), delivered on the UI thread."""
        return self._relay.progressed


class _Runnable(QRunnable):
    def __init__(
        self, fn: Callable[[Task], Any], task: Task, relay: _Relay, runner: TaskRunner
    ) -> None:
        super().__init__()
        # Python keeps the runnable alive (in TaskRunner._running) until it is finished; Qt must
        # not delete it behind Python's back.
        self.setAutoDelete(False)
        self.fn, self.task, self.relay, self.runner = fn, task, relay, runner

    def run(self) -> None:
        try:
            result = self.fn(self.task)
        except BaseException as exc:  # delivered to on_error on the UI thread
            self._emit(self.relay._failed_from_worker, exc)
        else:
            self._emit(self.relay._done_from_worker, result)
        finally:
            self.task.finished.set()

    @staticmethod
    def _emit(signal: Any, value: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the receiver is gone
            signal.emit(value)


def _shared_pool() -> QThreadPool:
    pool = QThreadPool.globalInstance()
    pool.setMaxThreadCount(max(2, pool.maxThreadCount()))
    return pool


class TaskRunner(QObject):
    """Starts tasks on the application's shared thread pool and keeps them until they end."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = _shared_pool()
        self._running: dict[Task, _Runnable] = {}
        self._lock = threading.Lock()

    def start(
        self,
        fn: Callable[[Task], Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        receiver: QObject,
        label: str = "",
    ) -> Task:
        """``label`` names work a person would not want to lose by quitting ("Writing
        b.vrmshare…")."""

        def finish_ok(result: Any) -> None:
            self._forget(task)
            if on_done is not None:
                on_done(result)

        def finish_error(exc: BaseException) -> None:
            self._forget(task)
            if isinstance(exc, Cancelled):
                return
            if on_error is not None:
                on_error(exc)
            else:
                raise exc

        relay = _Relay(receiver, finish_ok, finish_error)
        task = Task(relay)
        task.label = label
        runnable = _Runnable(fn, task, relay, self)
        with self._lock:
            self._running[task] = runnable
        self.pool.start(runnable)
        return task

    def _forget(self, task: Task) -> None:
        with self._lock:
            self._running.pop(task, None)

    def running_work(self) -> list[str]:
        """The labels of the labelled tasks still running (what quitting now would cut short)."""
        with self._lock:
            return [
                task.label for task in self._running if task.label and not task.finished.is_set()
            ]

    def cancel_all(self) -> None:
        with self._lock:
            for task in self._running:
                task.cancel()

    def wait(self, msecs: int = 30000) -> bool:
        """Wait until this runner's tasks have finished (not the whole shared pool's)."""
        with self._lock:
            tasks = list(self._running)
        return all(task.finished.wait(msecs / 1000) for task in tasks)

"""How the desktop application tells a failure: one helper for every refused or failed task, and
a last line of defence for what nothing caught (a bug), so no traceback reaches a person.
"""

from __future__ import annotations

import sys
import threading
from types import TracebackType

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from vrmshare.fileutil import is_disk_full, storage_error

from vrmdesk import crashlog
from vrmdesk.errors import VrmError


def explain(exc: BaseException) -> str:
    """One line for a person: the core's own message, a full disk, a file refused, or a bug."""
    if isinstance(exc, VrmError):
        return str(exc)
    if is_disk_full(exc):
        return "The disk is full: that could not be finished. Free some space and try again."
    if isinstance(exc, OSError):
        return str(
            storage_error(exc, f"the work on {exc.filename}" if exc.filename else "the work")
        )
    return crashlog.one_line(exc, crashlog.record(exc, "the desktop application"))


class _Reporter:
    """Shows one message at a time; more errors while it is up are logged, not stacked."""

    def __init__(self) -> None:
        self.box: QMessageBox | None = None

    def report(self, exc: BaseException) -> None:
        text = explain(exc)
        print(f"vrmdesk: {text}", file=sys.stderr)
        app = QApplication.instance()
        if app is None or self.box is not None:
            return
        parent = QApplication.activeWindow()
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "vrmdesk",
            text,
            QMessageBox.StandardButton.Ok,
            parent if isinstance(parent, QWidget) else None,
        )
        box.finished.connect(self._closed)
        self.box = box
        box.open()

    def _closed(self) -> None:
        if self.box is not None:
            self.box.deleteLater()
        self.box = None


_reporter = _Reporter()


def report(exc: BaseException) -> None:
    """Tell ``exc`` (from any thread: shown on the UI thread)."""
    app = QApplication.instance()
    if app is not None and threading.current_thread() is not threading.main_thread():
        QTimer.singleShot(0, app, lambda: _reporter.report(exc))
        return
    _reporter.report(exc)


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        QApplication.quit()
        return
    if exc.__traceback__ is None:
        exc = exc.with_traceback(tb)
    report(exc)


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        report(args.exc_value)


def install_excepthook() -> None:
    """From now on an exception nothing caught is logged and shown in one line, never printed
    raw."""
    sys.excepthook = _excepthook
    threading.excepthook = _thread_hook

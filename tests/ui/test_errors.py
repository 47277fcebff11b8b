"""The desktop application's last line of defence: a bug in a slot is logged and told in one
line in a message box, the program goes on, and no traceback is printed."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from vrmdesk import crashlog
from vrmdesk.ui.core import errors


@pytest.fixture
def hook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    folder = tmp_path / "logs"
    monkeypatch.setattr(crashlog, "log_dir", lambda: folder)
    monkeypatch.setattr(crashlog, "_logger", None)
    before = sys.excepthook, threading.excepthook
    errors.install_excepthook()
    yield folder
    sys.excepthook, threading.excepthook = before
    if errors._reporter.box is not None:
        errors._reporter.box.done(0)
    if crashlog._logger is not None:
        for handler in crashlog._logger.handlers:
            handler.close()
        crashlog._logger.handlers.clear()


@pytest.mark.qt_no_exception_capture
def test_a_bug_in_a_slot_is_logged_and_shown_in_one_line(hook, qtbot, capfd):
    def broken() -> None:
        raise KeyError("Bosch" + " serial 4471")

    QTimer.singleShot(0, broken)
    qtbot.waitUntil(lambda: errors._reporter.box is not None, timeout=3000)
    box = errors._reporter.box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.text().startswith("Something went wrong inside vrmdesk (KeyError)")
    assert str(hook / "vrmdesk.log") in box.text()
    log = (hook / "vrmdesk.log").read_text()
    assert "builtins.KeyError" in log and "in broken" in log and "Bosch serial 4471" not in log
    err = capfd.readouterr().err
    assert "Traceback" not in err and "vrmdesk: Something went wrong" in err
    # a second bug while the first message is up is logged, not stacked as another box
    QTimer.singleShot(0, broken)
    qtbot.wait(50)
    assert errors._reporter.box is box
    assert QApplication.instance() is not None  # the program goes on


def test_explain_tells_full_disks_and_refused_files_without_logging(hook):
    import errno

    full = OSError(errno.ENOSPC, "No space left on device")
    assert errors.explain(full).startswith("The disk is full")
    refused = PermissionError(errno.EACCES, "Permission denied", "/srv/x.vrmshare")
    assert (
        errors.explain(refused)
        == "Could not finish the work on /srv/x.vrmshare: Permission denied."
    )
    assert not (hook / "vrmdesk.log").exists()

"""A progress dialog for a task running off the UI thread, with Cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.tasks import Task


def run_with_progress(
    parent: QWidget | None,
    controller: VaultController,
    label: str,
    fn: Callable[[Task], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    *,
    no_cancel_after: str | None = None,
) -> QProgressDialog:
    """A window-modal progress dialog over ``fn`` run off the UI thread; Cancel cancels the task.

    ``no_cancel_after``: when the task reports this text, the point of no return is passed and
    Cancel goes away (the work finishes either way).
    """
    dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
    dialog.setWindowTitle("vrmdesk")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)

    def finish() -> None:
        # the task is over: a late Cancel must not reach it, and the dialog goes away
        try:
            dialog.canceled.disconnect(task.cancel)
            dialog.reset()
            dialog.deleteLater()
        except RuntimeError:  # already gone (cancelled and deleted)
            pass

    def done(result: Any) -> None:
        finish()
        on_done(result)

    def failed(exc: BaseException) -> None:
        finish()
        on_error(exc)

    # the callbacks are tied to the parent, not the dialog, so they arrive even after a cancel
    task = controller.run(fn, on_done=done, on_error=failed, receiver=parent, label=label)

    def progressed(value: int, total: int, text: str) -> None:
        dialog.setMaximum(total)
        dialog.setValue(value)
        if text:
            dialog.setLabelText(text)
        if no_cancel_after is not None and text == no_cancel_after:
            dialog.setCancelButton(None)

    task.progressed.connect(progressed)
    # work that stops only at its next safe point (a batch committed) reports on after Cancel
    dialog.canceled.connect(lambda: task.progressed.disconnect(progressed))
    dialog.canceled.connect(task.cancel)
    dialog.canceled.connect(dialog.deleteLater)  # a cancelled task calls back nobody
    return dialog

"""A progress dialog for a task running off the UI thread, with Cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from vrmdesk.ui.controller import VaultController
from vrmdesk.ui.tasks import Task


def run_with_progress(
    parent: QWidget,
    controller: VaultController,
    label: str,
    fn: Callable[[Task], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
) -> QProgressDialog:
    dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
    dialog.setWindowTitle("vrmdesk")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)

    def done(result: Any) -> None:
        dialog.reset()
        on_done(result)

    def failed(exc: BaseException) -> None:
        dialog.reset()
        on_error(exc)

    task = controller.run(fn, on_done=done, on_error=failed, receiver=dialog)

    def progressed(value: int, total: int, text: str) -> None:
        dialog.setMaximum(total)
        dialog.setValue(value)
        if text:
            dialog.setLabelText(text)

    task.progressed.connect(progressed)
    dialog.canceled.connect(task.cancel)
    return dialog

"""The import wizard's last page: the import itself, off the UI thread in one transaction, with
progress and Cancel (which rolls it back: nothing imported), then what it did."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QVBoxLayout, QWizardPage

from vrmdesk.interchange.csv_import import ImportCancelled, Outcome
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.tasks import Task
from vrmdesk.ui.interchange.preview_page import plural
from vrmdesk.ui.interchange.state import ImportState, run_import
from vrmdesk.ui.share.items import ERROR_COLOR


class RunPage(QWizardPage):
    def __init__(self, wizard: ImportState) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Importing")
        self.setSubTitle("In one transaction: all of it is kept, or (on Cancel) none of it.")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        self.step = QLabel()
        self.cancel = QPushButton("&Cancel the import")
        self.cancel.clicked.connect(self.cancel_import)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.step)
        layout.addWidget(self.progress)
        layout.addWidget(self.cancel)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        self.task: Task | None = None
        self.finished = False

    def initializePage(self) -> None:
        self.setTitle("Importing")
        self.finished = False
        self.wizard_.imported = None
        self.summary.setText("")
        self.summary.setStyleSheet("")
        self.step.setText("Importing the rows, in one transaction…")
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel.show()
        self.cancel.setEnabled(True)
        choice, prepared = self.wizard_.choice, self.wizard_.prepared
        preview = self.wizard_.preview
        if choice is None:
            return
        controller = self.wizard_.controller
        # the preview lets a file with problems this far only with "skip" ticked
        skip = bool(preview is not None and (preview.problems or preview.more_problems))

        def work(task: Task) -> Outcome:
            return run_import(controller, choice, prepared, task, dry_run=False, skip_bad_rows=skip)

        label = f"Importing {choice.path.name}…"
        self.task = self.wizard_.start(work, self._done, self._failed, label)
        self.task.progressed.connect(self._progressed)
        self.completeChanged.emit()

    def _progressed(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        if text:
            self.step.setText(text)

    def cancel_import(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel.setEnabled(False)
            self.step.setText("Cancelling; nothing will be kept…")

    def _end(self, text: str, *, error: bool = False) -> None:
        self.setTitle("Not imported" if error or self.wizard_.imported is None else "Imported")
        self.task = None
        self.finished = True
        self.progress.hide()
        self.cancel.hide()
        self.summary.setText(text)
        self.summary.setStyleSheet(f"color: {ERROR_COLOR}" if error else "")
        self.completeChanged.emit()

    def _done(self, outcome: Outcome) -> None:
        self.wizard_.imported = outcome
        choice = self.wizard_.choice
        name = choice.path.name if choice is not None else "the file"
        if not outcome.committed:
            self.step.setText("Nothing was imported.")
            found = plural(len(outcome.problems) + outcome.more_problems, "problem")
            self._end(f"{found} stopped the import; the vault is as it was.", error=True)
            return
        self.step.setText(f"Imported {name}.")
        lines = [outcome.summary().capitalize() + "."]
        if outcome.vendors_created:
            shown = ", ".join(outcome.vendors_created[:5])
            more = len(outcome.vendors_created) - 5
            lines.append(f"New vendors: {shown}{f' and {more} more' if more > 0 else ''}.")
        lines.append("Importing the same file again changes nothing.")
        self._end("\n".join(lines))
        self.wizard_.controller.notify({"*"}, f"Imported {name}: {outcome.summary()}.")

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ImportCancelled):
            self.step.setText("Cancelled.")
            self._end("The import was cancelled; nothing was imported.")
            return
        self.step.setText("Nothing was imported.")
        self._end(explain(exc), error=True)

    def isComplete(self) -> bool:
        return self.finished

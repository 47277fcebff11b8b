"""The import wizard's preview: a dry run of the whole file (off the UI thread, rolled back),
what it would create, update or leave unchanged, and every problem by line and column."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from vrmdesk.interchange.csv_import import Outcome
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.tasks import Task
from vrmdesk.ui.interchange.state import ImportState, run_import
from vrmdesk.ui.share.items import ERROR_COLOR, readonly

ACTIONS = {
    "create": "New",
    "update": "Updated",
    "unchanged": "Unchanged",
    "problem": "Problem",
}


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _table(name: str, headers: list[str]) -> tuple[QTableView, QStandardItemModel]:
    model = QStandardItemModel(0, len(headers))
    model.setHorizontalHeaderLabels(headers)
    view = QTableView()
    view.setModel(model)
    model.setParent(view)
    view.setAccessibleName(name)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return view, model


def _titled(title: str, widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 4, 0, 0)
    label = QLabel(title)
    label.setBuddy(widget)
    layout.addWidget(label)
    layout.addWidget(widget, 1)
    return box


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportState) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("What the import will do")
        self.setSubTitle("Every row was checked; nothing is written until you press Import.")
        self.setButtonText(QWizard.WizardButton.NextButton, "&Import")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setAccessibleName("Checking the rows")
        self.rows, self.rows_model = _table("Rows", ["Line", "", "Record"])
        self.problems, self.problems_model = _table("Problems", ["Line", "Column", "Problem"])
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(_titled("&Rows (the first 200):", self.rows))
        self.problems_box = _titled("&Problems found:", self.problems)
        split.addWidget(self.problems_box)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.skip = QCheckBox("&Skip rows with problems and import the others")
        self.skip.toggled.connect(self.completeChanged)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOR}")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.busy)
        layout.addWidget(split, 1)
        layout.addWidget(self.notes)
        layout.addWidget(self.skip)
        layout.addWidget(self.error)
        self.task: Task | None = None

    def initializePage(self) -> None:
        self.wizard_.preview = None
        for model in (self.rows_model, self.problems_model):
            model.removeRows(0, model.rowCount())
        self.summary.setText("Checking every row of the file…")
        self.notes.setText("")
        self.error.setText("")
        self.skip.setChecked(False)
        self.skip.setEnabled(False)
        choice = self.wizard_.choice
        if choice is None:
            return
        self.skip.setVisible(not choice.is_vcard)  # an address book is imported whole or not
        self.busy.setRange(0, 0)
        self.busy.show()
        controller, prepared = self.wizard_.controller, self.wizard_.prepared

        def work(task: Task) -> Outcome:
            return run_import(controller, choice, prepared, task, dry_run=True)

        def progressed(done: int, total: int, text: str) -> None:
            self.busy.setRange(0, total)
            self.busy.setValue(done)

        self.task = self.wizard_.start(work, self._show, self._failed)
        self.task.progressed.connect(progressed)

    def cleanupPage(self) -> None:  # Back: the dry run is not wanted any more
        if self.task is not None:
            self.task.cancel()
        self.task = None
        self.wizard_.preview = None

    def _failed(self, exc: BaseException) -> None:
        self.task = None
        self.busy.hide()
        self.summary.setText("")
        self.error.setText(f"The file cannot be imported: {explain(exc)}")
        self.completeChanged.emit()

    def _show(self, outcome: Outcome) -> None:
        self.task = None
        self.busy.hide()
        self.wizard_.preview = outcome
        found = len(outcome.problems) + outcome.more_problems
        parts = [
            f"<b>{outcome.created:,} will be created</b>",
            f"{outcome.updated:,} updated",
            f"{outcome.unchanged:,} unchanged",
        ]
        if outcome.vendors_created:
            parts.append(f"{plural(len(outcome.vendors_created), 'new vendor')}")
        text = ", ".join(parts) + "."
        if found:
            text += (
                f" <span style='color:{ERROR_COLOR}'>{plural(found, 'problem')} in "
                f"{plural(outcome.skipped or found, 'row')}</span>: nothing is imported unless "
                "those rows are skipped."
            )
        elif outcome.created + outcome.updated == 0:
            text += " The vault holds all of it already."
        self.summary.setText(text)
        for row in outcome.preview:
            self.rows_model.appendRow(
                [
                    readonly(str(row.line)),
                    readonly(ACTIONS.get(row.action, row.action)),
                    readonly(row.title),
                ]
            )
        for problem in outcome.problems:
            self.problems_model.appendRow(
                [readonly(str(problem.line)), readonly(problem.column), readonly(problem.reason)]
            )
        if outcome.more_problems:
            self.problems_model.appendRow(
                [
                    readonly("…"),
                    readonly(""),
                    readonly(f"and {plural(outcome.more_problems, 'more problem')}"),
                ]
            )
        self.problems_box.setVisible(bool(found))
        self.skip.setEnabled(bool(found))
        self.notes.setText("\n".join(outcome.notes))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        outcome = self.wizard_.preview
        if outcome is None or self.wizard_.is_busy():
            return False
        if not (outcome.problems or outcome.more_problems):
            return True
        choice = self.wizard_.choice
        return self.skip.isChecked() and choice is not None and not choice.is_vcard

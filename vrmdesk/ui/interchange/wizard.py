"""File → Import…: a spreadsheet (CSV) or an address book (vCard) into the vault.

1. The file — what it holds, a preset (HomeBox, Warracker: picked when the header says so),
   its encoding, and what a first look found (``file_page``).
2. Which column is what — the first rows under a field chooser per column, the date order
   and decimal separator (``mapping_page``; CSV only). The last mapping for the same header
   row is offered again.
3. What it will do — a dry run of the whole file: created, updated, unchanged, problems by line
   and column, and "skip rows with problems" (``preview_page``).
4. Importing — one transaction with progress and Cancel, then what it did (``run_page``).

Reading, mapping and importing are the core's (``vrmdesk.interchange``); every step that reads
the whole file runs off the UI thread. Pages expose their widgets, so tests drive the wizard
without ``exec()``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget, QWizard

from vrmdesk.interchange.csv_import import Outcome, Prepared
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.tasks import Task
from vrmdesk.ui.interchange.file_page import FilePage
from vrmdesk.ui.interchange.mapping_page import MappingPage
from vrmdesk.ui.interchange.preview_page import PreviewPage
from vrmdesk.ui.interchange.run_page import RunPage
from vrmdesk.ui.interchange.state import (
    FILE_PAGE,
    MAPPING_PAGE,
    PREVIEW_PAGE,
    RUN_PAGE,
    Choice,
    Inspection,
)


class ImportWizard(QWizard):
    def __init__(
        self, controller: VaultController, parent: QWidget | None = None, path: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.choice: Choice | None = None
        self.inspection: Inspection | None = None
        self.prepared: Prepared | None = None
        self.preview: Outcome | None = None
        self.imported: Outcome | None = None
        self._tasks: set[Task] = set()
        self._close_when_done = False
        self.setWindowTitle("Import")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.file_page = FilePage(self, path)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.run_page = RunPage(self)
        self.setPage(FILE_PAGE, self.file_page)
        self.setPage(MAPPING_PAGE, self.mapping_page)
        self.setPage(PREVIEW_PAGE, self.preview_page)
        self.setPage(RUN_PAGE, self.run_page)
        self.resize(820, 620)
        controller.locked.connect(self._locked)  # nothing of the vault stays on screen

    # -- work off the UI thread -------------------------------------------------------------------
    def start(
        self,
        fn: Callable[[Task], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        label: str = "",
    ) -> Task:
        """Run ``fn`` off the UI thread; Back waits for it (a page's Next calls ``next()``).
        ``label`` names work that quitting would cut short."""

        def finish(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def deliver(value: Any) -> None:
                self._tasks.discard(task)
                self._set_busy()
                if self._close_when_done and not self._tasks:
                    super(ImportWizard, self).reject()
                    return
                callback(value)

            return deliver

        task = self.controller.run(
            fn,
            on_done=finish(on_done),
            on_error=finish(on_error),
            receiver=self,
            label=label,
        )
        self._tasks.add(task)
        self._set_busy()
        return task

    def is_busy(self) -> bool:
        return bool(self._tasks)

    def _set_busy(self) -> None:
        self.button(QWizard.WizardButton.BackButton).setEnabled(not self._tasks)
        page = self.currentPage()
        if page is not None:
            page.completeChanged.emit()

    # -- closing ----------------------------------------------------------------------------------
    def reject(self) -> None:
        """Cancel closes the wizard once running work is cancelled (an import rolls back)."""
        if self._tasks:
            self._close_when_done = True
            for task in self._tasks:
                task.cancel()
            return
        super().reject()

    def _locked(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        super().reject()


def import_file(
    parent: QWidget | None, controller: VaultController, path: Path | None = None
) -> Outcome | None:
    """Show the wizard (modal); what was imported, or None."""
    wizard = ImportWizard(controller, parent, path)
    try:
        wizard.exec()
        return wizard.imported
    finally:
        wizard.deleteLater()

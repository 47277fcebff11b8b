"""Inventory for the insurer…: filters, a preview (how many things, totals per currency), and
the PDF or the signed bundle written off the UI thread with progress and cancel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.interchange import inventory
from vrmdesk.store.services import things
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.progress import run_with_progress
from vrmdesk.ui.core.tasks import Task

ALL_LOCATIONS = "All locations"
ALL_CATEGORIES = "All categories"
NO_INSURER = "(choose the insurer)"


class InventoryDialog(QDialog):
    #: the path written (a PDF or a bundle)
    written = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        controller: VaultController,
        parent: QWidget | None = None,
        *,
        location: str = "",
        category: str = "",
        insurer: str = "",
    ) -> None:
        """``location`` and ``category``: the filters to start with (the Things page's);
        ``insurer``: the vendor the bundle goes to (opened from that vendor's page)."""
        super().__init__(parent)
        self.controller = controller
        self.busy = False
        self.setWindowTitle("Inventory for the insurer")
        self.location_combo = QComboBox()
        self.location_combo.setAccessibleName("Location")
        self.category_combo = QComboBox()
        self.category_combo.setAccessibleName("Category")
        self.insurer_combo = QComboBox()
        self.insurer_combo.setAccessibleName("Insurer")
        self.insurer_combo.setToolTip("The signed bundle is addressed to this vendor")
        with controller.session() as session:
            locations = things.locations(session)
            categories = things.categories(session)
            insurers = inventory.insurer_choices(session)
        self.location_combo.addItems([ALL_LOCATIONS, *locations])
        self.category_combo.addItems([ALL_CATEGORIES, *categories])
        self.insurer_combo.addItems([NO_INSURER, *insurers])
        for combo, start in (
            (self.location_combo, location),
            (self.category_combo, category),
            (self.insurer_combo, insurer),
        ):
            combo.setCurrentIndex(max(combo.findText(start), 0) if start else 0)

        self.preview_label = QLabel()
        self.preview_label.setAccessibleName("Preview")
        self.preview_label.setWordWrap(True)
        self.preview_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.status = QLabel()
        self.status.setAccessibleName("Outcome")
        self.status.setWordWrap(True)

        self.pdf_button = QPushButton("Save &PDF…")
        self.bundle_button = QPushButton("Save signed &bundle…")
        self.pdf_button.clicked.connect(self.save_pdf)
        self.bundle_button.clicked.connect(self.save_bundle)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.pdf_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.bundle_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("&Location:", self.location_combo)
        form.addRow("&Category:", self.category_combo)
        form.addRow("&Insurer (for the bundle):", self.insurer_combo)
        intro = QLabel(
            "A PDF listing each thing with its photo, maker, model, serial number, purchase "
            "date, price, location and warranty, with the totals per location in each currency; "
            "and the same things with their receipts as a bundle signed with your key, so the "
            "insurer can check that nothing was altered."
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        # many locations make a long list: it scrolls instead of growing the dialog off screen
        scroll = QScrollArea()
        scroll.setWidget(self.preview_label)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumHeight(180)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

        self.location_combo.currentIndexChanged.connect(self.update_preview)
        self.category_combo.currentIndexChanged.connect(self.update_preview)
        self.insurer_combo.currentIndexChanged.connect(self._enable)
        self.update_preview()

    # -- the selection --------------------------------------------------------------------------
    def filters(self) -> inventory.Filters:
        location = self.location_combo.currentText()
        category = self.category_combo.currentText()
        return inventory.Filters(
            location="" if self.location_combo.currentIndex() == 0 else location,
            category="" if self.category_combo.currentIndex() == 0 else category,
        )

    def insurer(self) -> str:
        return "" if self.insurer_combo.currentIndex() <= 0 else self.insurer_combo.currentText()

    def update_preview(self) -> None:
        with self.controller.session() as session:
            self.totals = inventory.preview(session, self.filters())
        totals = self.totals
        if not totals.count:
            self.preview_label.setText("No thing matches these filters: there is nothing to list.")
        else:
            noun = "thing" if totals.count == 1 else "things"
            lines = totals.lines()
            if totals.unpriced:
                lines.append(f"Without a price: {totals.unpriced}")
            body = "<br>".join(_escape(line) for line in lines)
            self.preview_label.setText(f"<b>{totals.count} {noun}</b>, totals:<br>{body}")
        self._enable()

    def _enable(self) -> None:
        some = bool(self.totals.count) and not self.busy
        self.pdf_button.setEnabled(some)
        self.bundle_button.setEnabled(some and bool(self.insurer()))
        self.location_combo.setEnabled(not self.busy)
        self.category_combo.setEnabled(not self.busy)

    # -- saving ---------------------------------------------------------------------------------
    def ask_path(self, suffix: str, title: str, pattern: str) -> Path | None:
        """The file to write (a save dialog; tests replace this)."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        base = Path(folder) if folder and Path(folder).is_dir() else Path.home()
        suggested = base / f"inventory-{date.today():%Y-%m-%d}{suffix}"
        chosen, _ = QFileDialog.getSaveFileName(self, title, str(suggested), pattern)
        return Path(chosen) if chosen else None

    def save_pdf(self) -> None:
        out = self.ask_path(".pdf", "Save the inventory as PDF", "PDF (*.pdf)")
        if out is None:
            return
        vault, filters = self.controller.vault, self.filters()

        def work(task: Task) -> Path:
            def progress(done: int, total: int) -> None:
                task.check()
                task.progress(done, total, f"Writing {out.name}: thing {done} of {total}…")

            return inventory.write_pdf(vault, filters, out, progress=progress).path

        self._run(f"Writing {out.name}…", work)

    def save_bundle(self) -> None:
        insurer = self.insurer()
        if not insurer:
            return
        out = self.ask_path(".vrmshare", "Save the signed bundle", "Share bundle (*.vrmshare)")
        if out is None:
            return
        vault, filters = self.controller.vault, self.filters()

        def work(task: Task) -> Path:
            def progress(done: int, total: int, text: str) -> None:
                task.check()
                task.progress(max(done, 0) // 1024, max(total // 1024, 1), text)

            result = inventory.write_bundle(vault, filters, insurer, out, progress=progress)
            return result.path

        self._run(f"Writing {out.name}…", work, notify={"disclosure"})

    def _run(
        self, label: str, work: Callable[[Task], Path], notify: set[str] | None = None
    ) -> None:
        self.busy = True
        self.status.setText("")
        self._enable()

        def done(path: Path) -> None:
            self.busy = False
            self._enable()
            self.status.setText(f"Saved {path.name} in {path.parent}.")
            if notify:
                self.controller.notify(notify, f"Saved {path.name}.")
            self.written.emit(path)

        def fail(exc: BaseException) -> None:
            self.busy = False
            self._enable()
            message = explain(exc)
            self.status.setText(f"Nothing was saved: {message}")
            self.failed.emit(message)

        self.progress = run_with_progress(self, self.controller, label, work, done, fail)
        self.progress.canceled.connect(self._cancelled)

    def _cancelled(self) -> None:
        if not self.busy:
            return
        self.busy = False
        self._enable()
        self.status.setText("Cancelled; nothing was saved.")
        self.failed.emit("cancelled")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

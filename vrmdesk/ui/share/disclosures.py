"""What I have told this vendor: every bundle exported to it, its details, and Re-export….

``DisclosuresView(controller, parent)`` is a panel for a vendor page: ``set_vendor(id)`` lists
the exports (date, purpose, records, files, encrypted?, SHA-256) newest first; choosing one shows
what left (records and fields, files, terms, what was left out); Re-export… builds the same
selection on the same terms again with a new created time (``vrmdesk.share.disclosures``).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import VrmError
from vrmdesk.share import disclosures
from vrmdesk.share.disclosures import DisclosureDetail, DisclosureRow
from vrmdesk.store.attachments import format_size
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.progress import run_with_progress
from vrmdesk.ui.core.tasks import Task
from vrmdesk.ui.widgets.dates import show_datetime
from vrmdesk.ui.widgets.icons import icon
from vrmdesk.ui.widgets.modelindex import NO_PARENT, AnyIndex

COLUMNS = ("Date", "Purpose", "Records", "Files", "Encrypted", "SHA-256")


class DisclosuresModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[DisclosureRow] = []

    def set_rows(self, rows: list[DisclosureRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                show_datetime(row.created, utc=True),
                row.purpose_label,
                str(row.records),
                str(row.files),
                "yes" if row.encrypted else "no",
                row.sha256[:16] + "…",
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 5:
                return row.sha256
            if column == 4 and row.encrypted:
                return row.encrypted_to
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def detail_html(detail: DisclosureDetail) -> str:
    """The details of one export as escaped HTML for the side panel."""
    e = escape
    row = detail.row
    parts = [
        f"<h3>{e(row.purpose_label)} · {show_datetime(row.created, utc=True)}</h3>",
        f"<p>{e(detail.summary())}</p>",
        "<table>",
        f"<tr><td><b>File</b></td><td>{e(row.path)}</td></tr>",
        f"<tr><td><b>SHA-256</b></td><td><tt>{e(row.sha256)}</tt></td></tr>",
        f"<tr><td><b>Bundle id</b></td><td><tt>{e(row.bundle_id)}</tt></td></tr>",
        f"<tr><td><b>Encrypted</b></td><td>{e(row.encrypted_to or 'no')}</td></tr>",
        "</table><h4>Terms</h4><table>",
    ]
    parts += [f"<tr><td><b>{e(k)}</b></td><td>{e(v)}</td></tr>" for k, v in detail.terms]
    parts.append("</table>")
    parts.append(f"<p><b>Left out:</b> {e(', '.join(detail.redacted) or 'nothing')}</p>")
    parts.append("<h4>Records and fields</h4><ul>")
    for noun, record_id, fields in detail.records:
        parts.append(f"<li>{e(noun)} {record_id}: {e(', '.join(fields))}</li>")
    parts.append("</ul>")
    if detail.files:
        parts.append("<h4>Files</h4><ul>")
        for name, size, sha256 in detail.files:
            parts.append(f"<li>{e(name)} ({e(format_size(size))}) <tt>{e(sha256[:16])}…</tt></li>")
        parts.append("</ul>")
    return "".join(parts)


class DisclosuresView(QWidget):
    """``reexported(result)`` after a re-export; ``failed(message)`` when one did not work."""

    reexported = Signal(object)
    failed = Signal(str)

    def __init__(self, controller: VaultController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.vendor_id: int | None = None
        self.busy = False
        self.model = DisclosuresModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Exports to this vendor")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.details = QTextBrowser()
        self.details.setAccessibleName("Export details")
        self.details.setOpenLinks(False)
        self.empty = QLabel(
            "Nothing has been shared with this vendor yet. Use Share… to send a "
            "signed bundle; every export is listed here."
        )
        self.empty.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reexport_button = QPushButton(icon("save"), "&Re-export…")
        self.reexport_button.setToolTip(
            "Build the same selection on the same terms again, with the records as they are now"
        )
        self.reexport_button.clicked.connect(self.ask_reexport)
        title = QLabel("<b>What I have told this vendor</b>")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.reexport_button)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        self.split = split
        controller.changed.connect(self._changed)
        controller.locked.connect(self.clear)
        self._update()

    # -- showing --------------------------------------------------------------------------------
    def set_vendor(self, vendor_id: int | None) -> None:
        self.vendor_id = vendor_id
        self.message.setText("")
        self.reload()

    def reload(self) -> None:
        if self.vendor_id is None or not self.controller.is_open:
            self.model.set_rows([])
        else:
            current = self.current_row()
            with self.controller.session() as session:
                self.model.set_rows(disclosures.for_vendor(session, self.vendor_id))
            if self.model.rows:
                ids = [r.id for r in self.model.rows]
                at = ids.index(current.id) if current is not None and current.id in ids else 0
                self.table.selectRow(at)
        self._update()

    def clear(self) -> None:
        self.vendor_id = None
        self.model.set_rows([])
        self.details.clear()
        self.message.setText("")
        self._update()

    def _changed(self, kinds: set[str]) -> None:
        if self.vendor_id is not None and ({"disclosure", "vendor", "*"} & set(kinds)):
            self.reload()

    def current_row(self) -> DisclosureRow | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.rows):
            return None
        return self.model.rows[index.row()]

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _show_current(self) -> None:
        row = self.current_row()
        if row is None:
            self.details.clear()
        else:
            try:
                with self.controller.session() as session:
                    self.details.setHtml(detail_html(disclosures.details(session, row.id)))
            except VrmError as exc:
                self.details.setPlainText(str(exc))
        self._update()

    def _update(self) -> None:
        has_rows = bool(self.model.rows)
        self.empty.setVisible(self.vendor_id is not None and not has_rows)
        self.split.setVisible(has_rows)
        self.reexport_button.setEnabled(
            has_rows and self.current_row() is not None and not self.busy
        )

    # -- re-exporting ---------------------------------------------------------------------------
    def ask_reexport(self) -> None:
        row = self.current_row()
        if row is None:
            return
        suggested = Path(row.path) if row.path else Path.home() / "bundle.vrmshare"
        stem = suggested.name.split(".vrmshare")[0]
        proposal = suggested.with_name(f"{stem}-again.vrmshare")
        path, _ = QFileDialog.getSaveFileName(
            self, "Re-export the bundle", str(proposal), "Share bundles (*.vrmshare *.vrmshare.age)"
        )
        if path:
            self.reexport_to(Path(path))

    def reexport_to(self, path: Path) -> None:
        """Re-export the chosen row to ``path`` off the UI thread (encrypted as the first was)."""
        row = self.current_row()
        if row is None or self.busy:
            return
        vault, disclosure_id = self.controller.vault, row.id

        def work(task: Task) -> Any:
            def progress(done: int, total: int, text: str) -> None:
                task.check()
                if done >= 0:
                    task.progress(done // 1024, max(total // 1024, 1), text)

            return disclosures.reexport(vault, disclosure_id, path, progress=progress)

        def finish(result: Any) -> None:
            dialog.deleteLater()  # reset() alone leaves a shown dialog (autoClose is off)
            self._done(result)

        def fail(exc: BaseException) -> None:
            dialog.deleteLater()
            self._failed(exc)

        self.busy = True
        self._update()
        self.message.setText("")
        dialog = run_with_progress(
            self, self.controller, f"Writing {path.name}…", work, finish, fail
        )
        dialog.canceled.connect(self._cancelled)

    def _cancelled(self) -> None:
        if self.busy:  # not when the export had finished already
            self._failed(VrmError("Cancelled; nothing was exported."))

    def _done(self, result: Any) -> None:
        self.busy = False
        self.message.setText(f"Exported again to {result.path} (SHA-256 {result.sha256}).")
        self.controller.notify({"disclosure"}, f"Exported {result.path.name} again.")
        self._update()
        self.reexported.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        text = explain(exc)
        self.message.setText(f"Not exported: {text}")
        self._update()
        self.failed.emit(text)

"""The Unsorted page: captured mail whose correspondent matches no vendor, waiting for a decision.

A table (date, from, subject, the start of the text) with the selected message's text under it.
Enter (or "Assign to vendor…") puts it on a vendor's timeline, optionally learning the sender's
domain so the rest of the list sorts itself; Delete (or "Dismiss…") takes it off the list for good
after a question (the core keeps no copy to bring back: its text and files go).
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QAbstractTableModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import VrmError
from vrmdesk.mail import sorting
from vrmdesk.mail.addresses import domain_of
from vrmdesk.mail.sorting import UnsortedRow
from vrmdesk.store.services import editing
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.pages import Page
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.mail.assign_dialog import AssignDialog, learnt_channel
from vrmdesk.ui.widgets.dates import show_datetime
from vrmdesk.ui.widgets.icons import icon
from vrmdesk.ui.widgets.modelindex import NO_PARENT, AnyIndex
from vrmdesk.ui.widgets.paged import reset_model
from vrmdesk.ui.widgets.tables import record_table

ID_ROLE = Qt.ItemDataRole.UserRole
#: what a change of these kinds may change on the list
SHOWS = {"*", "unsorted", "vendor", "channel", "interaction", "offer"}
COLUMNS = ("Date", "From", "Subject", "Text")


def sender(row: UnsortedRow) -> str:
    return f"{row.name} <{row.correspondent}>" if row.name else row.correspondent


def covered_by(channel: str, address: str) -> bool:
    """Would ``channel`` (``@example.com`` or an address), learnt, cover ``address``?"""
    if not channel.startswith("@"):
        return address.lower() == channel.lower()
    domain, theirs = channel[1:].lower(), domain_of(address)
    return theirs == domain or theirs.endswith("." + domain)


class UnsortedModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[UnsortedRow] = []

    def set_rows(self, rows: list[UnsortedRow]) -> None:
        reset_model(self, lambda: setattr(self, "rows", rows))

    def rowCount(self, parent: AnyIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (
                show_datetime(row.occurred_at, utc=True),
                sender(row),
                row.subject,
                row.preview,
            )[column]
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return icon("outbound" if row.direction == "outbound" else "inbound")
        if role == Qt.ItemDataRole.DecorationRole and column == 2:
            return icon("bell") if row.bulk else (icon("attach") if row.files else None)
        if role == Qt.ItemDataRole.ToolTipRole:
            notes = ["mailing-list mail: it becomes an offer"] if row.bulk else []
            if row.files:
                notes.append(f"{row.files} attached file{'s' if row.files != 1 else ''}")
            return "; ".join(notes) or None
        if role == ID_ROLE:
            return row.id
        return None

    def row_of(self, unsorted_id: int) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.id == unsorted_id), None)


class UnsortedPage(Page):
    #: how many messages wait (the navigation shows it as a badge)
    count_changed = Signal(int)

    def __init__(
        self, controller: VaultController, prefs: Preferences, parent: QWidget | None = None
    ) -> None:
        super().__init__(controller, prefs, parent)
        self.setAccessibleName("Unsorted mail")
        title = QLabel("Unsorted mail")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            "Mail whose sender matches no vendor. Assign a message to its vendor (Enter), "
            "or dismiss it (Delete)."
        )
        intro.setWordWrap(True)
        self.model = UnsortedModel(self)
        self.table = record_table(self.model, "Unsorted messages")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.assign_button = QPushButton(icon("vendor"), "&Assign to vendor…")
        self.assign_button.clicked.connect(self.assign)
        self.dismiss_button = QPushButton(icon("trash"), "&Dismiss…")
        self.dismiss_button.clicked.connect(self.dismiss)
        buttons = QHBoxLayout()
        buttons.addWidget(self.assign_button)
        buttons.addWidget(self.dismiss_button)
        buttons.addStretch(1)
        self.text = QLabel()
        self.text.setAccessibleName("The selected message")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setMargin(8)
        self.empty = QLabel(
            "No unsorted mail. Mail whose sender matches none of your vendors' e-mail "
            "addresses or domains waits here (File → Import mail…)."
        )
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.splitter = splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.text)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.empty)
        for keys, slot in (
            ([QKeySequence(QKeySequence.StandardKey.Delete)], self.dismiss),
            ([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)], self.assign),
        ):
            action = QAction(self.table)
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(slot)
            self.table.addAction(action)
        self.table.doubleClicked.connect(lambda _index: self.assign())
        #: the Assign dialog while it is open
        self.assign_dialog: AssignDialog | None = None
        self.table.selectionModel().selectionChanged.connect(self._update)
        self.model.modelReset.connect(self._update)
        self._update()

    # -- showing ---------------------------------------------------------------------------
    def refresh(self, kinds: set[str]) -> None:
        if kinds & SHOWS:
            self.reload()

    def reload(self) -> None:
        keep = self.current_row()
        at = self.table.currentIndex().row()
        with self.controller.session() as session:
            rows = sorting.unsorted(session)
        self.model.set_rows(rows)
        self._fit_columns()
        if rows:
            row = self.model.row_of(keep.id) if keep is not None else None
            self.table.selectRow(row if row is not None else min(max(at, 0), len(rows) - 1))
        self.count_changed.emit(len(rows))

    def clear(self) -> None:
        self.model.set_rows([])
        self.count_changed.emit(0)

    def _fit_columns(self) -> None:
        if not self.model.rows:
            return
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column, widest in enumerate((150, 260, 360)):
            header.resizeSection(column, min(header.sectionSize(column) + 12, widest))

    def current_row(self) -> UnsortedRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def select_id(self, unsorted_id: int) -> bool:
        row = self.model.row_of(unsorted_id)
        if row is not None:
            self.table.selectRow(row)
        return row is not None

    def _update(self) -> None:
        row = self.current_row()
        self.assign_button.setEnabled(row is not None)
        self.dismiss_button.setEnabled(row is not None)
        has_rows = bool(self.model.rows)
        self.splitter.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        if row is None:
            self.text.setText("")
            return
        self.text.setText(
            f"<b>{escape(row.subject)}</b><br>{escape(sender(row))} · "
            f"{show_datetime(row.occurred_at, utc=True)}"
            f"<p>{escape(row.preview) or '<i>(no text)</i>'}</p>"
        )

    # -- deciding --------------------------------------------------------------------------
    def others_covered(self, row: UnsortedRow) -> int:
        channel = learnt_channel(row.correspondent)
        return sum(
            1 for r in self.model.rows if r.id != row.id and covered_by(channel, r.correspondent)
        )

    def assign(self) -> None:
        row = self.current_row()
        if row is None:
            return
        with self.controller.session() as session:
            vendors = editing.vendor_choices(session)
        dialog = AssignDialog(row, vendors, self.others_covered(row), self)
        dialog.accepted.connect(lambda: self._assign(row, dialog))
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda _result: setattr(self, "assign_dialog", None))
        dialog.open()
        self.assign_dialog = dialog

    def _assign(self, row: UnsortedRow, dialog: AssignDialog) -> None:
        vendor_id = dialog.vendor_id()
        if vendor_id is None:
            return
        learn = dialog.learn_domain()
        try:
            with self.controller.session() as session:
                done = sorting.assign(session, row.id, vendor_id, learn_domain=learn)
                where = "offers" if done.record.kind == "offer" else "timeline"
        except VrmError as exc:
            QMessageBox.warning(self, "Not assigned", str(exc))
            return
        name = dialog.vendor.combo.currentText()
        message = f"“{row.subject}” is now on {name}'s {where}."
        if done.learnt:
            moved = done.also_sorted
            message += (
                f" Mail from {done.learnt} now goes to {name}: "
                f"{moved:,} more message{'' if moved == 1 else 's'} moved."
            )
        self.controller.notify({"unsorted", "interaction", "offer", "channel"}, message)

    def dismiss(self) -> None:
        row = self.current_row()
        if row is None:
            return
        files = (
            f" and its {row.files} attached file{'s' if row.files != 1 else ''}"
            if row.files
            else ""
        )
        answer = QMessageBox.question(
            self,
            "Dismiss the message",
            f"Dismiss “{row.subject}” from {sender(row)}?\n\nIts text{files} are deleted from "
            "the vault; importing it again will not bring it back. This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            with self.controller.session() as session:
                sorting.dismiss(session, self.controller.vault.attachments, row.id)
        except VrmError as exc:
            QMessageBox.warning(self, "Not dismissed", str(exc))
            return
        self.controller.notify({"unsorted"}, f"Dismissed “{row.subject}”.")

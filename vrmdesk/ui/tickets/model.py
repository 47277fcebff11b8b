"""The list of tickets: a page at a time from the core, sorted there, with the count of all.

Sorting a column asks the core for that order (``services.tickets.SORTS``): 50,000 tickets are
never loaded to sort them. ``fit_columns`` keeps the table as wide as its view: the date and
state columns as wide as their text, the rest sharing what is left (elided when too long).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QObject, Qt
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QHeaderView, QTableView

from vrmdesk.store.services import tickets, views
from vrmdesk.store.services.tickets import TicketFilter, TicketListRow
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.widgets.accents import accent
from vrmdesk.ui.widgets.dates import show_date
from vrmdesk.ui.widgets.icons import icon
from vrmdesk.ui.widgets.modelindex import NO_PARENT, AnyIndex
from vrmdesk.ui.widgets.paged import PagedRows, reset_model

ID_ROLE = Qt.ItemDataRole.UserRole
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


def day_text(day: date | None) -> str:
    return show_date(day)


@dataclass(frozen=True)
class Column:
    title: str
    sort: str
    text: Callable[[TicketListRow], str]
    #: share of the width left by the fixed columns (0: as wide as its text, fixed)
    weight: float = 0.0
    #: the widest text of a fixed column (its width)
    sample: str = ""


COLUMNS = (
    Column("Ticket", "title", lambda r: r.title, weight=2.6),
    Column("Vendor", "vendor", lambda r: r.vendor, weight=1.6),
    Column("Thing", "thing", lambda r: r.thing, weight=1.4),
    Column("State", "status", lambda r: views.label(r.status), sample="Waiting on vendor"),
    Column(
        "Follow up",
        "follow_up",
        lambda r: day_text(r.follow_up_on) if r.is_open else "",
        sample="00 Mmm 0000",
    ),
    Column("Opened", "opened", lambda r: day_text(r.opened_on), sample="00 Mmm 0000"),
    Column("Reference", "reference", lambda r: r.reference, weight=1.4),
)
FOLLOW_UP_COLUMN = next(i for i, c in enumerate(COLUMNS) if c.sort == "follow_up")


class TicketsModel(PagedRows, QAbstractTableModel):
    """The tickets the filter lets through, ``PAGE`` at a time as the view scrolls."""

    PAGE = tickets.PAGE

    def __init__(self, controller: VaultController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.filter = TicketFilter()
        self.sort_key = "follow_up"
        self.descending = False
        #: how many tickets the filter lets through (all pages)
        self.total = 0
        self._rows: list[TicketListRow] = []
        self._more = False
        self._busy = False
        #: read at least once since the last clear (sorting before that only notes the order)
        self.loaded = False

    # -- loading -----------------------------------------------------------------------------
    def set_filter(self, wanted: TicketFilter) -> None:
        self.filter = wanted
        self.reload()

    def reload(self, at_least: int = 0) -> None:
        """Read the first page again (or as many rows as were shown, ``at_least``)."""
        if not self.controller.is_open:
            self.clear()
            return
        limit = max(self.PAGE, -(-at_least // self.PAGE) * self.PAGE)
        with self.controller.session() as session:
            rows = self._query(session, 0, limit)
            total = tickets.count_tickets(session, self.filter)
        reset_model(self, lambda: self._set(rows, len(rows) == limit, total))
        self.loaded = True

    def _query(self, session: Any, offset: int, limit: int) -> list[TicketListRow]:
        return tickets.ticket_page(
            session,
            self.filter,
            sort=self.sort_key,
            descending=self.descending,
            offset=offset,
            limit=limit,
        )

    def _page(self, offset: int) -> list[TicketListRow]:
        with self.controller.session() as session:
            return self._query(session, offset, self.PAGE)

    def _set(self, rows: list[TicketListRow], more: bool, total: int) -> None:
        self._rows, self._more, self.total = rows, more, total

    def clear(self) -> None:
        reset_model(self, lambda: self._set([], False, 0))
        self.loaded = False

    def row(self, row: int) -> TicketListRow:
        return self._rows[row]

    def loaded_row_of(self, ticket_id: int) -> int | None:
        """The row of a ticket among those loaded (no further pages are read)."""
        return next((n for n, r in enumerate(self._rows) if r.id == ticket_id), None)

    # -- Qt ----------------------------------------------------------------------------------
    def columnCount(self, parent: AnyIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section].title
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(row, column)
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0:
            return self._icon(row)
        if role == Qt.ItemDataRole.ForegroundRole and column.sort == "follow_up":
            return self._colour(row, QApplication.palette())
        if role == ID_ROLE:
            return row.id
        if role == ROW_ROLE:
            return row
        return None

    @staticmethod
    def _tip(row: TicketListRow, column: Column) -> str | None:
        if column.sort == "follow_up" and row.follow_up_due():
            return "The follow-up date has come: time to chase the vendor."
        return column.text(row) or None

    @staticmethod
    def _icon(row: TicketListRow) -> QIcon:
        return icon("warning") if row.follow_up_due() else icon("ticket")

    @staticmethod
    def _colour(row: TicketListRow, palette: QPalette) -> QColor | None:
        return accent("warn", palette) if row.follow_up_due() else None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The view's header asks for an order: the core sorts, the first page is read again."""
        if not 0 <= column < len(COLUMNS):
            return
        key, descending = COLUMNS[column].sort, order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self.sort_key, self.descending):
            return
        self.sort_key, self.descending = key, descending
        if self.loaded and self.controller.is_open:
            self.reload()


class _FitOnResize(QObject):
    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.table = table
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            fit_columns(self.table)
        return False


def install_fitting(table: QTableView) -> None:
    """The columns fit the table's width, now and whenever it changes; no horizontal scrolling."""
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header.setMinimumSectionSize(40)
    _FitOnResize(table)
    fit_columns(table)


def fit_columns(table: QTableView) -> None:
    """Fixed columns as wide as their widest text; the others share the rest by weight."""
    header = table.horizontalHeader()
    metrics = table.fontMetrics()
    pad = 2 * table.style().pixelMetric(table.style().PixelMetric.PM_FocusFrameHMargin) + 18
    width = table.viewport().width()
    fixed = {
        n: max(metrics.horizontalAdvance(c.sample), metrics.horizontalAdvance(c.title) + 14) + pad
        for n, c in enumerate(COLUMNS)
        if not c.weight
    }
    left = max(width - sum(fixed.values()), 0)
    weights = sum(c.weight for c in COLUMNS)
    shares = {n: int(left * c.weight / weights) for n, c in enumerate(COLUMNS) if c.weight}
    if shares:
        first = next(iter(shares))
        shares[first] += left - sum(shares.values())  # what rounding left goes to the title
    for n in range(len(COLUMNS)):
        header.resizeSection(n, fixed.get(n, shares.get(n, 0)))

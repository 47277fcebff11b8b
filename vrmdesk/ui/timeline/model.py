"""A vendor's conversation as a list model, fetched a page at a time as the view scrolls.

It pages through ``services.timeline.entries`` (50 rows at a time, keyed on the last row
shown), so a vendor with 20,000 interactions costs only the pages seen.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    Qt,
)

from vrmdesk.store.services import timeline as tl
from vrmdesk.store.services import views
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.timeline.delegate import ENTRY_ROLE
from vrmdesk.ui.widgets import words
from vrmdesk.ui.widgets.dates import show_datetime
from vrmdesk.ui.widgets.icons import icon
from vrmdesk.ui.widgets.modelindex import NO_PARENT, AnyIndex
from vrmdesk.ui.widgets.paged import reset_model

ID_ROLE = Qt.ItemDataRole.UserRole
INBOUND_ROLE = Qt.ItemDataRole.UserRole + 2
Entry = tl.Entry


def describe(e: tl.Entry, ticket: str = "") -> str:
    """The whole entry in words (screen readers, tooltips): ``From them by email, 9 Dec 2026,
    14:05, ticket “Noisy pump”: Re: pump. The excerpt…``."""
    text = f"{words.direction(e.inbound)} by {views.label(e.channel).lower()}, "
    text += show_datetime(e.occurred_at)
    if ticket:
        text += f", ticket “{ticket}”"
    return f"{text}: {e.subject or '(no subject)'}. {e.excerpt}".strip()


class TimelineModel(QAbstractListModel):
    """Interactions of one vendor, newest first, fetched a page at a time."""

    PAGE = tl.PAGE

    def __init__(self, controller: VaultController, parent: Any = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.vendor_id: int | None = None
        self.filters: dict[str, Any] = {"channel": None, "ticket_id": None, "direction": None}
        self.ticket_titles: dict[int, str] = {}
        self._rows: list[Entry] = []
        self._next: tl.Cursor | None = None
        self._busy = False  # no fetching more while rows go in or the model resets

    # -- what to show -----------------------------------------------------------------------
    def set_vendor(
        self, vendor_id: int | None, ticket_titles: dict[int, str] | None = None
    ) -> None:
        self.vendor_id = vendor_id
        self.ticket_titles = dict(ticket_titles or {})
        self.filters = {"channel": None, "ticket_id": None, "direction": None}
        self.reload()

    def set_filters(
        self,
        *,
        channel: str | None = None,
        ticket_id: int | None = None,
        direction: str | None = None,
    ) -> None:
        self.filters = {
            "channel": channel or None,
            "ticket_id": ticket_id,
            "direction": direction or None,
        }
        self.reload()

    def reload(self, keep_loaded: bool = False) -> None:
        """Start again from the newest (after a new filter); after a change, ``keep_loaded``
        reloads as many rows as were shown, in one query, so the view keeps its place."""
        limit = max(self.PAGE, len(self._rows)) if keep_loaded else self.PAGE
        rows: list[Entry] = []
        cursor: tl.Cursor | None = None
        if self.vendor_id is not None and self.controller.is_open:
            rows, cursor = self._load(None, limit)
        reset_model(self, lambda: self._set(rows, cursor))

    def _set(self, rows: list[Entry], cursor: tl.Cursor | None) -> None:
        self._rows, self._next = rows, cursor

    def clear(self) -> None:
        self.vendor_id, self.ticket_titles = None, {}
        reset_model(self, lambda: self._set([], None))

    def _load(self, after: tl.Cursor | None, limit: int) -> tuple[list[Entry], tl.Cursor | None]:
        assert self.vendor_id is not None
        with self.controller.session() as session:
            page = tl.entries(session, self.vendor_id, after=after, limit=limit, **self.filters)
            return page.items, page.next

    # -- lazy fetching ----------------------------------------------------------------------
    def canFetchMore(self, parent: AnyIndex = NO_PARENT) -> bool:
        return (
            not parent.isValid()
            and self._next is not None
            and not self._busy
            and self.controller.is_open
        )

    def fetchMore(self, parent: AnyIndex = NO_PARENT) -> None:
        if self.canFetchMore(parent):
            self._append(self.PAGE)

    def _append(self, limit: int) -> None:
        rows, cursor = self._load(self._next, limit)
        if not rows:
            self._next = None
            return
        start = len(self._rows)
        self._busy = True
        try:
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            self._next = cursor
            self.endInsertRows()
        finally:
            self._busy = False

    def row_of(self, interaction_id: int) -> int | None:
        """The row of an interaction, fetching (in one query) as far down as it is."""
        for row, entry in enumerate(self._rows):
            if entry.id == interaction_id:
                return row
        if self.vendor_id is None:
            return None
        with self.controller.session() as session:
            position = views.timeline_position(
                session, self.vendor_id, interaction_id, **self.filters
            )
        if position is None:
            return None
        if position >= len(self._rows) and self._next is not None:
            self._append(position - len(self._rows) + 1)
        return position if position < len(self._rows) else None

    # -- the model --------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def entry(self, row: int) -> Entry:
        return self._rows[row]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        e = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return e.subject or e.excerpt[:80]
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return describe(e, self.ticket_titles.get(e.ticket_id or 0, ""))
        if role == Qt.ItemDataRole.DecorationRole:
            return icon("inbound" if e.inbound else "outbound")
        if role == ID_ROLE:
            return e.id
        if role == ENTRY_ROLE:
            return e
        if role == INBOUND_ROLE:
            return e.inbound
        return None

"""A vendor's conversation as a list model, fetched a page at a time as the view scrolls.

It pages through ``services.timeline.entries`` (50 rows at a time, keyed on the last row
shown), so a vendor with 20,000 interactions costs only the pages seen. Opened at a date
(:meth:`TimelineModel.jump_to`) it holds the entries around it and grows both ways: older rows
as the view scrolls down, newer ones (:meth:`TimelineModel.fetch_newer`) as it reaches the top.
``matching`` narrows it to the entries a find matches (the first page of a find is loaded off
the UI thread by the view, :meth:`TimelineModel.show_found`; further pages off the UI thread
too as it scrolls, since a common word's matches are read whole for each page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    Qt,
)

from vrmdesk.store.services import search, views
from vrmdesk.store.services import timeline as tl
from vrmdesk.store.vault import Vault
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.tasks import Cancelled, Task
from vrmdesk.ui.timeline.delegate import ENTRY_ROLE
from vrmdesk.ui.widgets import words
from vrmdesk.ui.widgets.dates import show_datetime
from vrmdesk.ui.widgets.icons import icon
from vrmdesk.ui.widgets.modelindex import NO_PARENT, AnyIndex
from vrmdesk.ui.widgets.paged import reset_model

ID_ROLE = Qt.ItemDataRole.UserRole
INBOUND_ROLE = Qt.ItemDataRole.UserRole + 2
Entry = tl.Entry


def found_page(
    vault: Vault, vendor_id: int, query: dict[str, Any], after: tl.Cursor | None, limit: int
) -> Callable[[Task], tl.EntryPage]:
    """Work for a worker thread: a page of what a find matches (a cancel stops the statement)."""

    def work(task: Task) -> tl.EntryPage:
        with vault.session() as session:
            try:
                return tl.entries(
                    session,
                    vendor_id,
                    after=after,
                    limit=limit,
                    cancelled=lambda: task.cancelled,
                    **query,
                )
            except search.Interrupted:
                raise Cancelled() from None

    return work


def describe(e: tl.Entry, ticket: str = "") -> str:
    """The whole entry in words (screen readers, tooltips): ``From them by email, 9 Dec 2026,
    14:05, ticket “Noisy pump”: Re: pump. The excerpt… 1 file attached: bill.pdf.``"""
    text = f"{words.direction(e.inbound)} by {views.label(e.channel).lower()}, "
    text += show_datetime(e.occurred_at)
    if ticket:
        text += f", ticket “{ticket}”"
    text = f"{text}: {e.subject or '(no subject)'}. {e.excerpt}".strip()
    if e.files:
        names = ", ".join(f.name for f in e.files)
        noun = "file" if len(e.files) == 1 else "files"
        text += f" {len(e.files)} {noun} attached: {names}."
    return text


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
        #: where newer entries go on from (None: the first row is the newest)
        self._newer: tl.Cursor | None = None
        #: the words a find narrows to (None: no find)
        self.matching: str | None = None
        #: why the find's words were shortened ("" when they were not)
        self.note = ""
        self._busy = False  # no fetching more while rows go in or the model resets
        #: a page of a find being read off the UI thread (none is asked for meanwhile)
        self._fetching: Task | None = None

    # -- what to show -----------------------------------------------------------------------
    def set_vendor(
        self, vendor_id: int | None, ticket_titles: dict[int, str] | None = None
    ) -> None:
        self.vendor_id = vendor_id
        self.ticket_titles = dict(ticket_titles or {})
        self.filters = {"channel": None, "ticket_id": None, "direction": None}
        self.matching, self.note = None, ""
        self._newer = None
        self.reload()

    @property
    def at_newest(self) -> bool:
        """The first row is the newest entry (not opened at a date further down)."""
        return self._newer is None

    def query(self) -> dict[str, Any]:
        """The filters and the find, as the timeline services take them."""
        return {**self.filters, "matching": self.matching}

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
        self._newer = None
        self.reload()

    def show_found(self, matching: str | None, page: tl.EntryPage | None = None) -> None:
        """Narrow to what ``matching`` finds, with its first page (loaded off the UI thread by
        the caller); None: the whole timeline again, from the newest."""
        self.matching = matching or None
        self._newer = None
        if self.matching is None or page is None:
            self.note = ""
            self.reload()
            return
        self.note = page.note
        reset_model(self, lambda: self._set(page.items, page.next))

    def jump_to(self, at: tl.Cursor) -> int | None:
        """Show the entries around ``at`` (a day's cursor, or an entry's); the row of the first
        entry at or before it (None: nothing to show)."""
        if self.vendor_id is None or not self.controller.is_open:
            return None
        with self.controller.session() as session:
            found = tl.around(session, self.vendor_id, at, limit=self.PAGE, **self.query())

        def change() -> None:
            self._set(found.items, found.older)
            self._newer = found.newer

        reset_model(self, change)
        return found.focus if found.items else None

    def fetch_newer(self) -> int:
        """Put the page of entries newer than the first row above it; how many came."""
        if self._newer is None or self._busy or self.vendor_id is None:
            return 0
        if not self.controller.is_open:
            return 0
        with self.controller.session() as session:
            page = tl.newer_entries(
                session, self.vendor_id, before=self._newer, limit=self.PAGE, **self.query()
            )
        if not page.items:
            self._newer = None
            return 0
        self._busy = True
        try:
            self.beginInsertRows(QModelIndex(), 0, len(page.items) - 1)
            self._rows[:0] = page.items
            self._newer = page.next
            self.endInsertRows()
        finally:
            self._busy = False
        return len(page.items)

    def reload(self, keep_loaded: bool = False) -> None:
        """Start again from the newest (after a new filter); after a change, ``keep_loaded``
        reloads as many rows as were shown, in one query, from the same first row (a timeline
        opened at a date stays there), so the view keeps its place."""
        limit = max(self.PAGE, len(self._rows)) if keep_loaded else self.PAGE
        start: tl.Cursor | None = None
        if keep_loaded and self._newer is not None and self._rows:
            first = self._rows[0].cursor
            start = tl.Cursor(first.occurred_at, first.id + 1)  # from the first row, included
        elif not keep_loaded:
            self._newer = None
        rows: list[Entry] = []
        cursor: tl.Cursor | None = None
        if self.vendor_id is not None and self.controller.is_open:
            rows, cursor = self._load(start, limit)
        reset_model(self, lambda: self._set(rows, cursor))

    def _set(self, rows: list[Entry], cursor: tl.Cursor | None) -> None:
        if self._fetching is not None:  # a page of what was shown before: not wanted now
            self._fetching.cancel()
            self._fetching = None
        self._rows, self._next = rows, cursor

    def clear(self) -> None:
        self.vendor_id, self.ticket_titles = None, {}
        self.matching, self.note, self._newer = None, "", None
        reset_model(self, lambda: self._set([], None))

    def _load(self, after: tl.Cursor | None, limit: int) -> tuple[list[Entry], tl.Cursor | None]:
        assert self.vendor_id is not None
        with self.controller.session() as session:
            page = tl.entries(session, self.vendor_id, after=after, limit=limit, **self.query())
            return page.items, page.next

    # -- lazy fetching ----------------------------------------------------------------------
    def canFetchMore(self, parent: AnyIndex = NO_PARENT) -> bool:
        return (
            not parent.isValid()
            and self._next is not None
            and not self._busy
            and self._fetching is None
            and self.controller.is_open
        )

    def fetchMore(self, parent: AnyIndex = NO_PARENT) -> None:
        if not self.canFetchMore(parent):
            return
        if self.matching is None:
            self._append(self.PAGE)
            return
        assert self.vendor_id is not None
        work = found_page(
            self.controller.vault, self.vendor_id, self.query(), self._next, self.PAGE
        )

        def done(page: tl.EntryPage) -> None:
            if self._fetching is task:
                self._fetching = None
                self._add(page.items, page.next)

        def failed(_exc: BaseException) -> None:
            if self._fetching is task:  # a page that could not be read: the find ends there
                self._fetching, self._next = None, None

        task = self.controller.run(work, on_done=done, on_error=failed, receiver=self)
        self._fetching = task

    @property
    def fetching(self) -> bool:
        """A further page of a find is being read."""
        return self._fetching is not None

    def _append(self, limit: int) -> None:
        self._add(*self._load(self._next, limit))

    def _add(self, rows: list[Entry], cursor: tl.Cursor | None) -> None:
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
        if self.vendor_id is None or self.matching is not None or self._newer is not None:
            return None  # counted from the newest, unfiltered by a find: not this list's rows
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

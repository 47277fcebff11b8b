"""Item models that fetch their rows a page at a time as the view scrolls (canFetchMore/fetchMore).

A model mixes in :class:`PagedRows` before its Qt base class, keeps ``_rows``, ``_more`` and
``_busy``, and implements ``_page(offset)`` (one page of rows from the core, starting there).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from vrmdesk.ui.widgets.modelindex import NO_PARENT, AnyIndex


class _Opened(Protocol):
    @property
    def is_open(self) -> bool: ...


class _PagedModel(Protocol):
    """What :class:`PagedRows` needs of the model it is mixed into (its Qt base gives the rest)."""

    PAGE: int
    _rows: list[Any]
    _more: bool
    _busy: bool

    @property
    def controller(self) -> _Opened: ...
    def _page(self, offset: int) -> list[Any]: ...
    def canFetchMore(self, parent: AnyIndex = ..., /) -> bool: ...
    def fetchMore(self, parent: AnyIndex = ..., /) -> None: ...
    def beginInsertRows(self, parent: AnyIndex, first: int, last: int, /) -> None: ...
    def endInsertRows(self) -> None: ...


class PagedRows:
    PAGE = 100
    _rows: list[Any]
    _more: bool
    _busy: bool  # no fetching more while rows go in or the model resets

    def _page(self, offset: int) -> list[Any]:
        raise NotImplementedError

    def canFetchMore(self: _PagedModel, parent: AnyIndex = NO_PARENT) -> bool:
        return not parent.isValid() and self._more and not self._busy and self.controller.is_open

    def fetchMore(self: _PagedModel, parent: AnyIndex = NO_PARENT) -> None:
        if not self.canFetchMore(parent):
            return
        rows = self._page(len(self._rows))
        self._more = len(rows) == self.PAGE
        if rows:
            self._busy = True
            try:
                self.beginInsertRows(NO_PARENT, len(self._rows), len(self._rows) + len(rows) - 1)
                self._rows.extend(rows)
                self.endInsertRows()
            finally:
                self._busy = False

    def row_of(self: _PagedModel, record_id: int) -> int | None:
        """The row showing ``record_id``, fetching further pages until it is found."""
        while True:
            for row, item in enumerate(self._rows):
                if item.id == record_id:
                    return row
            if not self.canFetchMore():
                return None
            self.fetchMore()

    def rowCount(self, parent: AnyIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)


def reset_model(model: Any, change: Callable[[], None]) -> None:
    """Reset a lazily fetched model around ``change`` (loaded beforehand, so a failed query
    leaves the model as it was). ``model._busy`` keeps it from fetching more meanwhile: views
    and Qt's model tester ask for more from inside the reset signals."""
    model._busy = True
    try:
        model.beginResetModel()
        change()
        model.endResetModel()
    finally:
        model._busy = False

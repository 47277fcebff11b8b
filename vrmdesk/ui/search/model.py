"""Search results for the search dialog: hits described for display, grouped by kind.

``describe`` turns the core's hits into plain rows (title, where the record lives, snippet) in the
worker that ran the query, from the core's descriptions (``services.hits``);
``SearchResultsModel`` holds them as a flat list of section headers and results, which the
dialog's delegate draws: a section for each kind, in the order of its best hit, and in it the
hits in the core's ranking.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QObject, Qt
from sqlalchemy.orm import Session

from vrmdesk.store.services import hits as hits_service
from vrmdesk.store.services.hits import DescribedHit
from vrmdesk.store.services.search import MARK_END, MARK_START, Hit
from vrmdesk.ui.widgets.dates import show_date
from vrmdesk.ui.widgets.modelindex import NO_PARENT, AnyIndex

#: kind -> (section header, icon); the filter offers kinds in this order
SECTIONS: dict[str, tuple[str, str]] = {
    "vendor": ("Vendors", "vendor"),
    "asset": ("Things", "thing"),
    "ticket": ("Tickets", "ticket"),
    "interaction": ("Conversation", "capture"),
    "warranty": ("Warranties", "warranty"),
    "agreement": ("Agreements", "calendar"),
    "service_event": ("Service history", "settings"),
    "registration": ("Registrations", "edit"),
    "offer": ("Offers", "bell"),
    "contact": ("Contacts", "vendor"),
    "channel": ("Channels", "open"),
    "account": ("Accounts", "vendor"),
    "attachment": ("Files", "file"),
}

KIND_ROLE = Qt.ItemDataRole.UserRole
ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: for the delegate, as HTML (escaped, the matched words in <b>): the title, the snippet
TITLE_HTML_ROLE = Qt.ItemDataRole.UserRole + 2
SNIPPET_HTML_ROLE = Qt.ItemDataRole.UserRole + 3
#: where the record lives (plain text)
CONTEXT_ROLE = Qt.ItemDataRole.UserRole + 4
IS_HEADER_ROLE = Qt.ItemDataRole.UserRole + 5
ICON_NAME_ROLE = Qt.ItemDataRole.UserRole + 6
#: the record's tags (a tuple of names), drawn as chips
TAGS_ROLE = Qt.ItemDataRole.UserRole + 7


@dataclass(frozen=True)
class Result:
    """One hit as shown: plain text fields (the snippet keeps the core's markers)."""

    kind: str
    id: int
    title: str
    context: str
    snippet: str
    icon: str
    tags: tuple[str, ...] = ()


def describe(session: Session, hits: Sequence[Hit], check: Callable[[], None]) -> list[Result]:
    """What a person needs to tell hits apart: a real title, where the record lives (the core
    reads it for all hits at once) and an icon; ``check`` may cancel between steps."""
    return [
        _result(d) for d in hits_service.describe(session, hits, check=check, show_date=show_date)
    ]


def _result(hit: DescribedHit) -> Result:
    icon_name = SECTIONS.get(hit.kind, ("", "file"))[1]
    if hit.inbound is not None:
        icon_name = "inbound" if hit.inbound else "outbound"
    return Result(
        hit.kind,
        hit.id,
        hit.title or SECTIONS.get(hit.kind, (hit.kind,))[0],
        hit.context,
        hit.snippet,
        icon_name,
        hit.tags,
    )


def snippet_html(snippet: str) -> str:
    """The core's snippet as HTML: everything escaped, the marked words in <b>."""
    return html.escape(snippet).replace(MARK_START, "<b>").replace(MARK_END, "</b>")


def mark_words(text: str, query: str) -> str:
    """``text`` as HTML with the starts of words typed in ``query`` in <b> (titles have no
    markers from the core; this is for the eye only)."""
    words = sorted({w for w in re.findall(r"\w+", query) if w}, key=len, reverse=True)
    if not words:
        return html.escape(text)
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + ")", re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        out.append(f"<b>{html.escape(match.group(0))}</b>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def plain(snippet: str) -> str:
    return snippet.replace(MARK_START, "").replace(MARK_END, "")


@dataclass(frozen=True)
class _Row:
    header: str
    result: Result | None = None


class SearchResultsModel(QAbstractListModel):
    """Section headers (not selectable) followed by their results, best first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []
        self._query = ""

    # -- filling ------------------------------------------------------------------------------
    def set_results(self, results: list[Result], query: str = "") -> None:
        by_kind: dict[str, list[Result]] = {}
        for result in results:
            by_kind.setdefault(result.kind, []).append(result)
        rows: list[_Row] = []
        # a section comes where its best hit ranks (dicts keep the order of first insertion),
        # so a record named by the words, ranked first by the core, is shown first
        for kind, results_of_kind in by_kind.items():
            rows.append(_Row(SECTIONS.get(kind, (kind.replace("_", " ").title(),))[0]))
            rows.extend(_Row("", result) for result in results_of_kind)
        self.beginResetModel()
        self._rows = rows
        self._query = query
        self.endResetModel()

    def clear(self) -> None:
        self.set_results([])

    # -- reading ------------------------------------------------------------------------------
    def result_count(self) -> int:
        return sum(1 for row in self._rows if row.result is not None)

    def result_at(self, row: int) -> Result | None:
        return self._rows[row].result if 0 <= row < len(self._rows) else None

    def row_of(self, kind: str, record_id: int) -> int | None:
        """The row of a result (None when it is not among them)."""
        return next(
            (
                i
                for i, row in enumerate(self._rows)
                if row.result is not None and (row.result.kind, row.result.id) == (kind, record_id)
            ),
            None,
        )

    def is_header(self, row: int) -> bool:
        return 0 <= row < len(self._rows) and self._rows[row].result is None

    @staticmethod
    def _snippet_is_title(result: Result) -> bool:
        """An offer's title is its text: its snippet would only say it again."""
        text = plain(result.snippet).strip("…").strip()
        return bool(text) and text in result.title

    def rowCount(self, parent: AnyIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid() or self.is_header(index.row()):
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        result = row.result
        if role == IS_HEADER_ROLE:
            return result is None
        if result is None:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return row.header
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            snippet = "" if self._snippet_is_title(result) else plain(result.snippet)
            tagged = "tags: " + ", ".join(result.tags) if result.tags else ""
            parts = [result.title, result.context, tagged, snippet]
            return " — ".join(p for p in parts if p)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain(result.snippet) or result.title
        if role == TITLE_HTML_ROLE:
            return mark_words(result.title, self._query)
        if role == SNIPPET_HTML_ROLE:
            return "" if self._snippet_is_title(result) else snippet_html(result.snippet)
        if role == CONTEXT_ROLE:
            return result.context
        if role == KIND_ROLE:
            return result.kind
        if role == ID_ROLE:
            return result.id
        if role == ICON_NAME_ROLE:
            return result.icon
        if role == TAGS_ROLE:
            return result.tags
        return None

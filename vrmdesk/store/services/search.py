"""Full-text search over every kind of record (SQLite FTS5, with snippets).

What a person types is never passed to FTS5 as query syntax: it is split into words, each
quoted, and the last one matches as a prefix (so results follow typing); a word given twice is
searched for once. A query is cut to :data:`MAX_TERMS` different words of at most
:data:`MAX_TERM_CHARS` characters (from at most :data:`MAX_QUERY_CHARS` characters of text), and
the result says so in its ``note``.

Every record holding all the words is found; the ranking reads a bounded part of the index,
whatever the query and the vault's size:

1. The window: the newest :data:`CANDIDATES` matches anywhere, read in the index's own (rowid)
   order, so the ``LIMIT`` ends the scan.
2. Name matches (the words in the index's title column: a vendor's, thing's or contact's name, a
   ticket's title, a message's subject), looked for in two rowid ranges read in ascending order
   from their lower bound, each ending where its range does: the window's own range, and the
   range of the kinds that have names of their own (every kind but messages and offers; their
   ids are few next to messages', so the range holds the oldest few messages and nothing newer).
   At most :data:`NAME_CANDIDATES` of each.
3. Ranking: name matches first, the shortest name first (the closest to being the name typed;
   newest first among equals), then the rest of the window, newest first; ``limit`` are kept.
4. Snippets for those only (a name match older than the window has none: its title shows).

Why not bm25: FTS5's bm25 weighs each word by how rare it is, and learns that by reading the
word's whole list of rows once per statement (``the``: 30 ms at the decade vault's size, five
times that at five times the size), so ranking even ten rows cost as much as ranking all of
them. A column filter read from the newest row down reads whole lists too, hence the ascending
ranges in step 2. What is still unbounded: a last word of four letters or more matched as a
prefix (``your``) has no prefix index (``prefix = '2 3'`` in ``store.fts``), so FTS5 merges the
lists of every word beginning with it.

Rowids are ``id * 16 + kind_code`` (see ``store.fts``), so "newest" means the highest ids.

Narrowing and paging. ``kinds`` keeps the kinds of record named; ``vendor_id`` the records of
one vendor (its own record, its contacts, channels, accounts, tickets, conversation, offers,
agreements, registrations and service, the things it made or sold and their warranties, and
the files on the vendor, its tickets, messages and things); ``since``/``until`` the records
whose own date (:data:`DATED`: a message's time, a ticket's opening, a thing's purchase …)
falls in those days, both included, so a kind without a date of its own (a vendor, a contact)
drops out. The filters restrict the two candidate passes above, so the ranking stays bounded;
each pass then walks the term's list until it has found its candidates among the records
allowed (for a narrow filter and a common word, the whole list, like the name pass). The
records allowed are read once per statement, from the tables' own indexes.

``offset`` pages through the ranked candidates: page *n* is ranks ``offset`` to
``offset + limit`` of the same ranking, so every page costs the same two candidate passes and
the snippets of its own rows only. ``Outcome.more`` says whether a further page has hits;
``Outcome.capped`` that the window was full, so older matches than the ranked ones exist and a
narrower search would reach them.

A running statement can be stopped: ``cancelled()`` is polled through SQLite's progress handler
and a true answer interrupts the statement; :func:`run` then answers ``cancelled=True``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from vrmdesk.errors import ValidationError
from vrmdesk.store import fts
from vrmdesk.store import models as m
from vrmdesk.store.fts import ROWID_SPAN

#: snippet highlight markers (private-use characters: they never occur in typed text)
MARK_START = "\ue000"
MARK_END = "\ue001"
_WORD = re.compile(r"\w+", re.UNICODE)

#: the most words of a query searched for (the rest are dropped, with a note)
MAX_TERMS = 12
#: the longest word searched for (longer words are cut, with a note)
MAX_TERM_CHARS = 64
#: the most characters of typed text read (a pasted page is cut, with a note)
MAX_QUERY_CHARS = 1000
#: the newest matches anywhere that are read (the window)
CANDIDATES = 1000
#: the most name matches read in each of the two ranges (they are shown first)
NAME_CANDIDATES = 200
#: messages and offers: their titles are subjects (or nothing), and they are most of the index
UNNAMED_TABLES = frozenset({"interactions", "offers"})
#: SQLite virtual-machine steps between two calls of ``cancelled()``
PROGRESS_STEPS = 1000


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int
    title: str
    snippet: str
    rank: float

    def snippet_with(self, start: str, end: str) -> str:
        return self.snippet.replace(MARK_START, start).replace(MARK_END, end)


@dataclass(frozen=True)
class Query:
    """Typed text made into an FTS5 query (``None``: nothing to search for)."""

    fts: str | None
    #: the FTS5 query restricted to the title column (a record's own name)
    in_title: str | None = None
    #: what was left out, for the person ("" when the query was taken whole)
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    hits: list[Hit] = field(default_factory=list)
    #: why the query was shortened ("" when it was not)
    note: str = ""
    #: the search was stopped by ``cancelled()`` before it answered
    cancelled: bool = False
    #: the ranked candidates go on after this page (ask again with ``offset + limit``)
    more: bool = False
    #: the window of candidates was full: older matches exist than those ranked
    capped: bool = False


@dataclass(frozen=True)
class Scope:
    """What a search is narrowed to (every field empty: everything)."""

    kinds: tuple[str, ...] = ()
    vendor_id: int | None = None
    #: the first and the last day (both included) of the records' own dates
    since: date | None = None
    until: date | None = None

    @property
    def narrowed(self) -> bool:
        return bool(self.kinds) or self.vendor_id is not None or self.dated

    @property
    def dated(self) -> bool:
        return self.since is not None or self.until is not None


#: kind -> (table, its own date column or None, the SQL condition "belongs to vendor :vendor")
_OF_VENDOR = "vendor_id = :vendor"
_VENDOR_ASSETS = "SELECT id FROM assets WHERE maker_id = :vendor OR seller_id = :vendor"
SCOPES: dict[str, tuple[str, str | None, str]] = {
    "vendor": ("vendors", None, "id = :vendor"),
    "contact": ("contacts", None, _OF_VENDOR),
    "channel": ("channels", None, _OF_VENDOR),
    "account": ("accounts", None, _OF_VENDOR),
    "asset": ("assets", "purchase_date", "maker_id = :vendor OR seller_id = :vendor"),
    "warranty": (
        "warranties",
        "starts_on",
        f"provider_id = :vendor OR asset_id IN ({_VENDOR_ASSETS})",
    ),
    "registration": ("registrations", "registered_on", _OF_VENDOR),
    "service_event": ("service_events", "performed_on", _OF_VENDOR),
    "ticket": ("tickets", "opened_on", _OF_VENDOR),
    "interaction": ("interactions", "occurred_at", _OF_VENDOR),
    "offer": ("offers", "received_at", _OF_VENDOR),
    "agreement": ("agreements", "started_on", _OF_VENDOR),
    "attachment": (
        "attachments",
        "created_at",
        "(owner_kind = 'vendor' AND owner_id = :vendor)"
        " OR (owner_kind = 'ticket'"
        " AND owner_id IN (SELECT id FROM tickets WHERE vendor_id = :vendor))"
        " OR (owner_kind = 'interaction'"
        " AND owner_id IN (SELECT id FROM interactions WHERE vendor_id = :vendor))"
        f" OR (owner_kind = 'asset' AND owner_id IN ({_VENDOR_ASSETS}))",
    ),
}
#: the date a date range looks at, by kind (kinds not here have none and drop out)
DATED: dict[str, str] = {kind: col for kind, (_, col, _) in SCOPES.items() if col is not None}
#: those of the date columns that hold a time (UTC): the range's days are local days
_TIMED = {"occurred_at", "received_at", "created_at"}


def prepare(user_text: str) -> Query:
    """The FTS5 query for ``user_text``: quoted words, the last a prefix, within the caps."""
    notes = []
    typing_on = not user_text.rstrip().endswith(tuple(" \"'"))
    if len(user_text) > MAX_QUERY_CHARS:
        user_text = user_text[:MAX_QUERY_CHARS]
        typing_on = False  # the word cut off is not the one being typed
        notes.append(f"only its first {MAX_QUERY_CHARS} characters were read")
    words = _WORD.findall(user_text)
    if not words:
        return Query(None, None, _note(notes))
    # a word given twice finds nothing more, and FTS5 would walk its list once a time
    last = words[-1].lower()
    words = [w for w in dict.fromkeys(w.lower() for w in words[:-1]) if w != last] + [last]
    if len(words) > MAX_TERMS:
        words = words[:MAX_TERMS]
        typing_on = False  # the word cut off is not the one being typed
        notes = [f"only its first {MAX_TERMS} words were searched for"]
    if any(len(w) > MAX_TERM_CHARS for w in words):
        words = [w[:MAX_TERM_CHARS] for w in words]
        notes.append(f"words were cut to {MAX_TERM_CHARS} characters")
    quoted = [f'"{word}"' for word in words]
    if typing_on and len(words[-1]) >= 2:
        quoted[-1] += "*"
    fts = " ".join(quoted)
    return Query(fts, f"title : ({fts})", _note(notes))


def _note(notes: list[str]) -> str:
    return ("The search was shortened: " + "; ".join(notes) + ".") if notes else ""


def fts_query(user_text: str) -> str | None:
    return prepare(user_text).fts


class _Interrupted(Exception):
    pass


@contextmanager
def _stoppable(session: Session, cancelled: Callable[[], bool] | None) -> Iterator[None]:
    """Poll ``cancelled()`` every :data:`PROGRESS_STEPS` steps of SQLite while inside."""
    if cancelled is None:
        yield
        return
    raw = session.connection().connection.dbapi_connection
    handler = getattr(raw, "set_progress_handler", None)
    if handler is None:  # a driver without one: cancel is then checked between statements
        yield
        return
    handler(lambda: 1 if cancelled() else 0, PROGRESS_STEPS)
    try:
        yield
    except OperationalError as exc:
        if "interrupt" in str(exc.orig).lower():
            raise _Interrupted() from exc
        raise
    finally:
        handler(None, 0)


#: for other services' full-text reads: stop a statement when ``cancelled()`` says so
stoppable = _stoppable
Interrupted = _Interrupted


def _kind_filter(kinds: Sequence[str] | None) -> str:
    if not kinds:
        return ""
    codes = sorted({m.RECORD_BY_KIND[k].kind_code for k in kinds if k in m.RECORD_BY_KIND})
    return f" AND (rowid % {ROWID_SPAN}) IN ({', '.join(str(c) for c in codes) or 'NULL'})"


def _utc_text(day: date) -> str:
    """The start of a local day as the vault stores a time (UTC, no zone)."""
    utc = datetime.combine(day, time()).astimezone(UTC).replace(tzinfo=None)
    return f"{utc:%Y-%m-%d %H:%M:%S}"


def _scope_filter(scope: Scope) -> tuple[str, dict[str, Any]]:
    """The condition (and its parameters) that keeps a candidate pass inside ``scope``.

    The records allowed are selected by ``+rowid IN (SELECT …)``: SQLite reads the subquery
    once per statement, and the ``+`` keeps it from being handed to FTS5 as a rowid list.
    """
    if scope.vendor_id is None and not scope.dated:
        return "", {}
    if scope.since is not None and scope.until is not None and scope.since > scope.until:
        raise ValidationError("The first day comes after the last day.", field="until")
    params: dict[str, Any] = {}
    if scope.vendor_id is not None:
        params["vendor"] = int(scope.vendor_id)
    if scope.since is not None:
        params["since_day"] = f"{scope.since:%Y-%m-%d}"
        params["since_time"] = _utc_text(scope.since)
    if scope.until is not None:
        after = scope.until + timedelta(days=1)
        params["after_day"] = f"{after:%Y-%m-%d}"
        params["after_time"] = _utc_text(after)
    parts = []
    for kind, (table, column, of_vendor) in SCOPES.items():
        if scope.kinds and kind not in scope.kinds:
            continue
        conditions = []
        if scope.vendor_id is not None:
            conditions.append(f"({of_vendor})")
        if scope.dated:
            if column is None:
                continue
            unit = "time" if column in _TIMED else "day"
            if scope.since is not None:
                conditions.append(f"{column} >= :since_{unit}")
            if scope.until is not None:
                conditions.append(f"{column} < :after_{unit}")
        code = m.RECORD_BY_KIND[kind].kind_code
        parts.append(
            f"SELECT id * {ROWID_SPAN} + {code} FROM {table} WHERE {' AND '.join(conditions)}"
        )
    if not parts:
        return " AND 0", params
    return f" AND +rowid IN ({' UNION ALL '.join(parts)})", params


def run(
    session: Session,
    user_text: str,
    *,
    limit: int = 50,
    offset: int = 0,
    kinds: Sequence[str] | None = None,
    scope: Scope | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Outcome:
    """Search for ``user_text``: the ``limit`` hits ranked from ``offset`` on (0: the best),
    within ``scope`` (``kinds`` alone may be given instead), a note if the query was
    shortened. A date range whose first day is after its last is a ``ValidationError``."""
    query = prepare(user_text)
    scope = scope or Scope(kinds=tuple(kinds or ()))
    restrict, params = _scope_filter(scope)
    if query.fts is None or limit <= 0:
        return Outcome([], query.note)
    if cancelled is not None and cancelled():
        return Outcome([], query.note, cancelled=True)
    try:
        with _stoppable(session, cancelled):
            page = _search(
                session, query, limit, max(0, offset), _kind_filter(scope.kinds), restrict, params
            )
    except _Interrupted:
        return Outcome([], query.note, cancelled=True)
    return Outcome(page.hits, query.note, more=page.more, capped=page.capped)


def search(
    session: Session,
    user_text: str,
    *,
    limit: int = 50,
    offset: int = 0,
    kinds: list[str] | None = None,
    scope: Scope | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Hit]:
    """The hits of :func:`run` alone (empty when cancelled)."""
    return run(
        session,
        user_text,
        limit=limit,
        offset=offset,
        kinds=kinds,
        scope=scope,
        cancelled=cancelled,
    ).hits


@dataclass(frozen=True)
class _Page:
    hits: list[Hit]
    more: bool
    capped: bool


def _search(
    session: Session,
    query: Query,
    limit: int,
    offset: int,
    kind_filter: str,
    restrict: str = "",
    params: dict[str, Any] | None = None,
) -> _Page:
    # Each statement evaluates its MATCH once: a rowid list in "rowid IN (…)" would make SQLite
    # run the MATCH once per value, and a prefix's doclist is rebuilt each time.
    match = f"FROM search_index WHERE search_index MATCH :q{kind_filter}"
    scoped = params or {}
    # ORDER BY rowid DESC is the index's own order read backwards: the LIMIT stops the scan
    newest = text(f"SELECT rowid {match}{restrict} ORDER BY rowid DESC LIMIT :n")
    window = [
        row for (row,) in session.execute(newest, {**scoped, "q": query.fts, "n": CANDIDATES})
    ]
    if not window:
        return _Page([], False, False)
    named = _named(session, match + restrict, {**scoped, "q": query.in_title}, window[-1])
    in_window = set(window)
    by_name = sorted(named, key=lambda r: (named[r], -r))
    ranked = by_name + [row for row in window if row not in named]
    best = ranked[offset : offset + limit]
    more = len(ranked) > offset + limit
    capped = len(window) >= CANDIDATES or len(named) >= NAME_CANDIDATES
    if not best:
        return _Page([], more, capped)
    # Snippets from the whole query for the rows in the window; a name match older than the
    # window gets its row from the name query. That snippet has no marks, as the name query
    # matches no body: it is left out, and the title shows.
    shown = _shown(session, match, query.in_title, [r for r in best if r not in in_window])
    shown.update(_shown(session, match, query.fts, [r for r in best if r in in_window]))
    hits = []
    for place, row in enumerate(best, start=offset):
        if row not in shown:  # changed between the statements (another connection wrote)
            continue
        kind, title, snip = shown[row]
        snippet = snip if MARK_START in snip else ""
        hits.append(Hit(kind, row // ROWID_SPAN, title, snippet, float(place)))
    return _Page(hits, more, capped)


def _named(session: Session, match: str, params: dict[str, Any], low: int) -> dict[int, int]:
    """Rowid → length of the name, of the name matches in the two ranges (module docstring).

    Each range is read upwards from its lower bound (FTS5 seeks to it) and ends at its upper
    one; read downwards, a column filter reads the words' whole lists."""
    ranged = text(f"SELECT rowid, length(title) {match} AND rowid BETWEEN :low AND :high LIMIT :n")
    named: dict[int, int] = {}
    named_high = _named_kinds_high(session)
    ranges = [(low, 2**62)]
    if named_high < low:
        ranges.append((0, named_high))
    for lower, upper in ranges:
        bounds = {**params, "low": lower, "high": upper, "n": NAME_CANDIDATES}
        named.update((row, size) for row, size in session.execute(ranged, bounds))
    return named


def _named_kinds_high(session: Session) -> int:
    """The highest rowid a record of a kind with a name of its own can have."""
    tables = [table for table in fts.INDEXED if table not in UNNAMED_TABLES]
    union = " UNION ALL ".join(f"SELECT max(id) AS top FROM {table}" for table in tables)
    top = session.execute(text(f"SELECT max(top) FROM ({union})")).scalar()
    return (int(top or 0) + 1) * ROWID_SPAN


def _shown(
    session: Session, match: str, query_text: str | None, rows: list[int]
) -> dict[int, tuple[str, str, str]]:
    """Kind, title and snippet of ``rows``, all among the matches of ``query_text``."""
    if not rows:
        return {}
    ids = ", ".join(str(int(row)) for row in rows)
    # "+rowid" keeps the list from being handed to FTS5 as a constraint (see above); the bounds
    # make the scan start at the oldest row wanted and end at the newest
    sql = text(
        "SELECT rowid, kind, title, "
        f"snippet(search_index, 2, '{MARK_START}', '{MARK_END}', '…', 12) "
        f"{match} AND rowid BETWEEN :low AND :high AND +rowid IN ({ids})"
    )
    params = {"q": query_text, "low": min(rows), "high": max(rows)}
    return {row: (kind, title, snip) for row, kind, title, snip in session.execute(sql, params)}

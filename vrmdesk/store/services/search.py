"""Full-text search over every kind of record (SQLite FTS5, ranked by bm25, with snippets).

What a person types is never passed to FTS5 as query syntax: it is split into words, each
quoted, and the last one matches as a prefix (so results follow typing); a word given twice is
searched for once. A query is cut to :data:`MAX_TERMS` different words of at most
:data:`MAX_TERM_CHARS` characters (from at most :data:`MAX_QUERY_CHARS` characters of text), and
the result says so in its ``note``.

The work is bounded whatever the query and the vault's size: bm25 is computed only for a
bounded set of candidates, never for every match.

1. Name matches: the newest :data:`NAME_CANDIDATES` records whose own name (the index's title
   column) matches, read in the index's rowid order (the LIMIT ends the scan), each with its
   bm25 for the name alone.
2. The window: the newest :data:`CANDIDATES` matches anywhere, the same way, each with its bm25
   (title weighted 4, body 1).
3. Ranking: name matches first, by their bm25, then the rest of the window by theirs; the best
   ``limit`` are kept. A name match older than the window still comes first.
4. Snippets for those only (a name match older than the window has none: its title shows).

The name pass walks the term's list in FTS5 until it has found its matches in the title column:
no ranking and no SQL per row, but for a common word that rarely names anything it reads the
whole list (about 10 ms for ``the`` at decade size).

Rowids are ``id * 16 + kind_code`` (see ``store.fts``), so "newest" means the highest ids; for a
word that matches fewer than :data:`CANDIDATES` records the ranking is over all of them, as before.

A running statement can be stopped: ``cancelled()`` is polled through SQLite's progress handler
and a true answer interrupts the statement; :func:`run` then answers ``cancelled=True``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

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
#: the newest matches anywhere that are ranked
CANDIDATES = 1000
#: the newest matches in a record's own name that are ranked (and shown first)
NAME_CANDIDATES = 200
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


def run(
    session: Session,
    user_text: str,
    *,
    limit: int = 50,
    kinds: Sequence[str] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Outcome:
    """Search for ``user_text``: the best ``limit`` hits, a note if the query was shortened."""
    query = prepare(user_text)
    if query.fts is None or limit <= 0:
        return Outcome([], query.note)
    if cancelled is not None and cancelled():
        return Outcome([], query.note, cancelled=True)
    try:
        with _stoppable(session, cancelled):
            hits = _search(session, query, limit, _kind_filter(kinds))
    except _Interrupted:
        return Outcome([], query.note, cancelled=True)
    return Outcome(hits, query.note)


def search(
    session: Session,
    user_text: str,
    *,
    limit: int = 50,
    kinds: list[str] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Hit]:
    """The hits of :func:`run` alone (empty when cancelled)."""
    return run(session, user_text, limit=limit, kinds=kinds, cancelled=cancelled).hits


def _search(session: Session, query: Query, limit: int, kind_filter: str) -> list[Hit]:
    # Each statement evaluates its MATCH once: a rowid list in "rowid IN (…)" would make SQLite
    # run the MATCH once per value, and a prefix's doclist is rebuilt each time.
    match = f"FROM search_index WHERE search_index MATCH :q{kind_filter}"
    # bm25 weights: kind (unindexed) 0, title 4, body 1 — a match in a name counts for more.
    # ORDER BY rowid DESC is the index's own order: the LIMIT stops the scan, and bm25 is
    # computed only for the rows it lets through.
    newest = text(
        f"SELECT rowid, bm25(search_index, 0.0, 4.0, 1.0) {match} ORDER BY rowid DESC LIMIT :n"
    )
    named: dict[int, float] = dict(
        session.execute(newest, {"q": query.in_title, "n": NAME_CANDIDATES}).all()
    )
    window: dict[int, float] = dict(
        session.execute(newest, {"q": query.fts, "n": CANDIDATES}).all()
    )
    rest = sorted((row for row in window if row not in named), key=lambda r: (window[r], -r))
    first = sorted(named, key=lambda r: (named[r], -r))[:limit]
    best = first + rest[: limit - len(first)]
    if not best:
        return []
    # Snippets from the whole query for the rows in the window (its scan ends there); a name
    # match older than the window gets its row from the name query, whose scan ends among the
    # name matches (where the whole query's would run on to the oldest of them). That snippet
    # has no marks, as the name query matches no body: it is left out, and the title shows.
    shown = _shown(session, match, query.in_title, [r for r in first if r not in window])
    shown.update(_shown(session, match, query.fts, [r for r in best if r in window]))
    hits = []
    for row in best:
        if row not in shown:  # changed between the statements (another connection wrote)
            continue
        kind, title, snip = shown[row]
        snippet = snip if MARK_START in snip else ""
        score = named[row] if row in named else window[row]
        hits.append(Hit(kind, row // ROWID_SPAN, title, snippet, score))
    return hits


def _shown(
    session: Session, match: str, fts: str | None, rows: list[int]
) -> dict[int, tuple[str, str, str]]:
    """Kind, title and snippet of ``rows``, all among the matches of ``fts``."""
    if not rows:
        return {}
    ids = ", ".join(str(int(row)) for row in rows)
    # "+rowid" keeps the list from being handed to FTS5 as a constraint (see above); the lower
    # bound ends the scan at the oldest row wanted
    sql = text(
        "SELECT rowid, kind, title, "
        f"snippet(search_index, 2, '{MARK_START}', '{MARK_END}', '…', 12) "
        f"{match} AND rowid >= :low AND +rowid IN ({ids})"
    )
    return {
        row: (kind, title, snip)
        for row, kind, title, snip in session.execute(sql, {"q": fts, "low": min(rows)})
    }

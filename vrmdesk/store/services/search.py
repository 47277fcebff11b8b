"""Full-text search over every kind of record (SQLite FTS5, ranked by bm25, with snippets).

What a person types is never passed to FTS5 as query syntax: it is split into words, each
quoted, and the last one matches as a prefix (so results follow typing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from vrmdesk.store import models as m
from vrmdesk.store.fts import ROWID_SPAN

#: snippet highlight markers (private-use characters: they never occur in typed text)
MARK_START = "\ue000"
MARK_END = "\ue001"
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int
    title: str
    snippet: str
    rank: float

    def snippet_with(self, start: str, end: str) -> str:
        return self.snippet.replace(MARK_START, start).replace(MARK_END, end)


def fts_query(user_text: str) -> str | None:
    words = _WORD.findall(user_text)
    if not words:
        return None
    quoted = [f'"{word}"' for word in words]
    if not user_text.rstrip().endswith(tuple(" \"'")) and len(words[-1]) >= 2:
        quoted[-1] += "*"
    return " ".join(quoted)


def search(
    session: Session, user_text: str, *, limit: int = 50, kinds: list[str] | None = None
) -> list[Hit]:
    query = fts_query(user_text)
    if query is None:
        return []
    params: dict[str, object] = {"q": query, "limit": limit}
    kind_filter = ""
    if kinds:
        names = [k for k in kinds if k in m.RECORD_BY_KIND]
        kind_filter = " AND kind IN (" + ", ".join(f"'{k}'" for k in names) + ")"
    # bm25 weights: kind (unindexed) 0, title 4, body 1 — a match in a name counts for more.
    sql = text(
        "SELECT rowid, kind, title, "
        f"snippet(search_index, 2, '{MARK_START}', '{MARK_END}', '…', 12) AS snip, "
        "bm25(search_index, 0.0, 4.0, 1.0) AS score "
        f"FROM search_index WHERE search_index MATCH :q{kind_filter} "
        "ORDER BY score LIMIT :limit"
    )
    hits = []
    for rowid, kind, title, snip, score in session.execute(sql, params):
        snippet = snip if MARK_START in snip else ""
        hits.append(Hit(kind, rowid // ROWID_SPAN, title, snippet, score))
    return hits

"""Search hits described for display: a real title, where the record lives, and when.

The index (``search.search``) knows a hit's kind, id, indexed title and snippet. What a person
needs to tell hits apart (a ticket's vendor, a warranty's thing, the day of a message) is read
here for all hits together: one query per kind of record among them, one per kind of owner of
the files among them, one per kind of page they live on (vendor, thing), and one for the tags
of them all, not a query per hit. :func:`records.home_of` then finds every record it asks for
in the session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vrmdesk.errors import VrmError
from vrmdesk.store import models as m
from vrmdesk.store.services import records, tags
from vrmdesk.store.services.search import Hit

Key = tuple[str, int]


@dataclass(frozen=True)
class DescribedHit:
    """One hit, ready to show (the snippet keeps the index's highlight markers)."""

    kind: str
    id: int
    #: the record's own title, else the index's ("" when neither has one)
    title: str
    #: where it lives and when: "Bosch Home Appliances · 03 Feb 2026" ("" when nothing to say)
    context: str
    snippet: str
    #: an interaction's direction (True: the vendor wrote); None for other kinds
    inbound: bool | None = None
    #: the record's own tags, by name
    tags: tuple[str, ...] = ()


def _load(session: Session, wanted: dict[str, set[int]], into: dict[Key, m.Record]) -> None:
    """Load the records ``wanted`` (kind -> ids) that are not in ``into`` yet: a query per kind."""
    for kind, ids in sorted(wanted.items()):
        cls = m.RECORD_BY_KIND.get(kind)
        missing = sorted(i for i in ids if (kind, i) not in into)
        if cls is None or not missing:
            continue
        for record in session.scalars(select(cls).where(cls.id.in_(missing))):
            into[(kind, record.id)] = record


def _group(keys: Iterable[Key]) -> dict[str, set[int]]:
    grouped: dict[str, set[int]] = {}
    for kind, record_id in keys:
        grouped.setdefault(kind, set()).add(record_id)
    return grouped


def _home(session: Session, record: m.Record) -> Key:
    try:
        return records.home_of(session, record.kind, record.id)
    except VrmError:  # a file whose record is gone: it lives nowhere else
        return record.kind, record.id


def describe(
    session: Session,
    hits: Sequence[Hit],
    *,
    check: Callable[[], None] | None = None,
    show_date: Callable[[datetime], str] = lambda d: f"{d:%d %b %Y}",
) -> list[DescribedHit]:
    """The hits in their order, described; ``check()`` is called between queries (a cancel),
    ``show_date`` writes a message's or offer's day (the interface passes its date style)."""
    step = check or (lambda: None)
    # held here: the session keeps loaded records only while something refers to them
    loaded: dict[Key, m.Record] = {}
    _load(session, _group((hit.kind, hit.id) for hit in hits), loaded)
    step()
    owners = [(r.owner_kind, r.owner_id) for r in loaded.values() if isinstance(r, m.Attachment)]
    _load(session, _group(owners), loaded)
    step()
    homes = {key: _home(session, record) for key, record in loaded.items()}
    _load(session, _group(homes.values()), loaded)
    step()
    tagged = tags.tags_of_records(session, ((hit.kind, hit.id) for hit in hits))
    out = []
    for hit in hits:
        step()
        record = loaded.get((hit.kind, hit.id))
        if record is None:  # gone since the index was written
            out.append(DescribedHit(hit.kind, hit.id, hit.title, "", hit.snippet.strip()))
            continue
        named = records.title_of(record)
        generic = named.startswith(f"{record.kind.replace('_', ' ')} ")
        parts = []
        home = homes[(hit.kind, hit.id)]
        if home != (record.kind, record.id) and home in loaded:
            parts.append(records.title_of(loaded[home]))
        when = getattr(record, "occurred_at", None) or getattr(record, "received_at", None)
        if isinstance(when, datetime):
            parts.append(show_date(when))
        out.append(
            DescribedHit(
                hit.kind,
                hit.id,
                hit.title if generic else named,
                " · ".join(parts),
                hit.snippet.strip(),
                record.direction == m.Direction.INBOUND
                if isinstance(record, m.Interaction)
                else None,
                tuple(tagged.get((hit.kind, hit.id), ())),
            )
        )
    return out

"""A vendor's conversation over time: interactions newest first, page by page.

Pages are keyed on ``(occurred_at, id)`` of the last row shown, so page 400 of a 20,000-entry
timeline costs what page 1 does (an index range scan, no OFFSET). The same cursor works the
other way (:func:`newer_entries`), so a timeline can open at a date (:func:`around`) and grow
in both directions.

``matching`` narrows a timeline to the entries whose subject or text match typed words, through
the full-text index (the words made safe and capped by ``search.prepare``): the index's matches
are read once per page and the vendor's timeline is walked in its own index order until a page
is full, so a page costs the same wherever it is. ``cancelled()`` stops a running statement.

Each entry carries its files (name, size, type): one query for the whole page.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import Integer, Select, column, select, text, tuple_
from sqlalchemy.orm import Session

from vrmdesk.store import models as m
from vrmdesk.store.fts import ROWID_SPAN
from vrmdesk.store.services import search
from vrmdesk.store.services.files import AttachedFile

T = TypeVar("T")

PAGE = 50
EXCERPT_CHARS = 400


@dataclass(frozen=True)
class Cursor:
    occurred_at: datetime
    id: int


@dataclass
class Page(Generic[T]):
    """A page of a timeline; ``next`` goes on after its last item (None: it was the last)."""

    items: list[T]
    next: Cursor | None
    #: why typed words were shortened ("" when they were not; see ``search.prepare``)
    note: str = ""


def day_cursor(day: date) -> Cursor:
    """The cursor just after the end of ``day``: the page after it starts with that day's last
    entry (or the newest before it), and the entries newer than it are those after the day."""
    return Cursor(datetime.combine(day + timedelta(days=1), time.min), 0)


def _filtered(
    vendor_id: int,
    channel: m.InteractionChannel | str | None,
    ticket_id: int | None,
    direction: m.Direction | str | None,
    matching: str | None,
) -> tuple[Select[m.Interaction], str]:
    """The vendor's interactions with these filters, and the note of a shortened ``matching``."""
    query = select(m.Interaction).where(m.Interaction.vendor_id == vendor_id)
    if channel:
        query = query.where(m.Interaction.channel == m.InteractionChannel(channel))
    if direction:
        query = query.where(m.Interaction.direction == m.Direction(direction))
    if ticket_id is not None:
        query = query.where(m.Interaction.ticket_id == ticket_id)
    note = ""
    if matching is not None:
        prepared = search.prepare(matching)
        note = prepared.note
        if prepared.fts is None:  # nothing to search for (only punctuation): nothing matches
            return query.where(m.Interaction.id.is_(None)), note
        # the index's matches among interactions, read once (an uncorrelated IN is evaluated
        # once per statement); the walk down the vendor's index then stops at a full page
        matches = text(
            "SELECT rowid FROM search_index WHERE search_index MATCH :q "
            f"AND rowid % {ROWID_SPAN} = {m.Interaction.kind_code}"
        ).bindparams(q=prepared.fts)
        rowid = m.Interaction.id * ROWID_SPAN + m.Interaction.kind_code
        query = query.where(rowid.in_(matches.columns(column("rowid", Integer))))
    return query, note


def _run(
    session: Session, query: Select[Any], cancelled: Callable[[], bool] | None
) -> list[m.Interaction]:
    with search.stoppable(session, cancelled):
        return list(session.scalars(query))


def timeline(
    session: Session,
    vendor_id: int,
    *,
    after: Cursor | None = None,
    limit: int = PAGE,
    channel: m.InteractionChannel | str | None = None,
    ticket_id: int | None = None,
    direction: m.Direction | str | None = None,
    matching: str | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Page[m.Interaction]:
    """A page of the (filtered) timeline, newest first, older than ``after``."""
    query, note = _filtered(vendor_id, channel, ticket_id, direction, matching)
    if after is not None:
        # a row-value comparison, which SQLite turns into an index range (an OR would not be)
        query = query.where(
            tuple_(m.Interaction.occurred_at, m.Interaction.id)
            < tuple_(after.occurred_at, after.id)
        )
    query = query.order_by(m.Interaction.occurred_at.desc(), m.Interaction.id.desc()).limit(
        limit + 1
    )
    rows = _run(session, query, cancelled)
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = Cursor(rows[-1].occurred_at, rows[-1].id) if more and rows else None
    return Page(rows, cursor, note)


def newer(
    session: Session,
    vendor_id: int,
    *,
    before: Cursor,
    limit: int = PAGE,
    channel: m.InteractionChannel | str | None = None,
    ticket_id: int | None = None,
    direction: m.Direction | str | None = None,
    matching: str | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Page[m.Interaction]:
    """The ``limit`` entries just newer than ``before``, newest first (shown above it);
    ``next`` is where still newer ones go on from (None: these reach the newest)."""
    query, note = _filtered(vendor_id, channel, ticket_id, direction, matching)
    query = (
        query.where(
            tuple_(m.Interaction.occurred_at, m.Interaction.id)
            > tuple_(before.occurred_at, before.id)
        )
        .order_by(m.Interaction.occurred_at, m.Interaction.id)
        .limit(limit + 1)
    )
    rows = _run(session, query, cancelled)
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = Cursor(rows[-1].occurred_at, rows[-1].id) if more and rows else None
    return Page(rows[::-1], cursor, note)


@dataclass(frozen=True, slots=True)
class Entry:
    """One interaction as a timeline shows it: plain values, no ORM object (sessions are short).

    A timeline scrolled to its end holds one of these per message (100,000 for the big vendor
    of the 5x benchmark vault), so it is kept small: slots, and the excerpt's text without its
    "…", which would make Python store the whole string two bytes a character."""

    id: int
    occurred_at: datetime
    inbound: bool
    channel: str
    subject: str
    #: the start of the text, in one line (see :attr:`excerpt`)
    text: str
    ticket_id: int | None
    #: the files attached to it, oldest first
    files: tuple[AttachedFile, ...] = ()
    #: the text goes on after :attr:`text`
    cut: bool = False

    @property
    def excerpt(self) -> str:
        """The start of the text, with "…" where it was cut."""
        return self.text + "…" if self.cut else self.text

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.occurred_at, self.id)


def files_of(session: Session, interaction_ids: list[int]) -> dict[int, tuple[AttachedFile, ...]]:
    """The files of these interactions (one query, through the owner index), oldest first."""
    if not interaction_ids:
        return {}
    query = (
        select(m.Attachment)
        .where(
            m.Attachment.owner_kind == m.Interaction.kind,
            m.Attachment.owner_id.in_(interaction_ids),
        )
        .order_by(m.Attachment.id)
    )
    found: dict[int, list[AttachedFile]] = {}
    for a in session.scalars(query):
        found.setdefault(a.owner_id, []).append(
            AttachedFile(a.id, a.name, a.media_type, a.size, a.created_at)
        )
    return {owner: tuple(rows) for owner, rows in found.items()}


def entry_of(i: m.Interaction, files: tuple[AttachedFile, ...] = ()) -> Entry:
    body = " ".join((i.body or "").split())
    cut = len(body) > EXCERPT_CHARS
    return Entry(
        i.id,
        i.occurred_at,
        i.direction == m.Direction.INBOUND,
        sys.intern(str(i.channel)),
        i.subject,
        body[: EXCERPT_CHARS - 1] if cut else body,
        i.ticket_id,
        files,
        cut,
    )


EntryPage = Page[Entry]


def _as_entries(session: Session, page: Page[m.Interaction]) -> EntryPage:
    files = files_of(session, [i.id for i in page.items])
    return EntryPage([entry_of(i, files.get(i.id, ())) for i in page.items], page.next, page.note)


def entries(
    session: Session,
    vendor_id: int,
    *,
    after: Cursor | None = None,
    limit: int = PAGE,
    channel: m.InteractionChannel | str | None = None,
    ticket_id: int | None = None,
    direction: m.Direction | str | None = None,
    matching: str | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> EntryPage:
    """A page of :func:`timeline` as plain entries (with their files), for a view."""
    page = timeline(
        session,
        vendor_id,
        after=after,
        limit=limit,
        channel=channel,
        ticket_id=ticket_id,
        direction=direction,
        matching=matching,
        cancelled=cancelled,
    )
    return _as_entries(session, page)


def newer_entries(
    session: Session,
    vendor_id: int,
    *,
    before: Cursor,
    limit: int = PAGE,
    channel: m.InteractionChannel | str | None = None,
    ticket_id: int | None = None,
    direction: m.Direction | str | None = None,
    matching: str | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> EntryPage:
    """A page of :func:`newer` as plain entries (with their files), newest first."""
    page = newer(
        session,
        vendor_id,
        before=before,
        limit=limit,
        channel=channel,
        ticket_id=ticket_id,
        direction=direction,
        matching=matching,
        cancelled=cancelled,
    )
    return _as_entries(session, page)


@dataclass
class Around:
    """A timeline opened at a point: ``items`` newest first, ``focus`` the row of the first
    entry at or before the point (the oldest shown if none is), and where each end goes on."""

    items: list[Entry]
    focus: int
    older: Cursor | None
    newer: Cursor | None


def around(
    session: Session,
    vendor_id: int,
    at: Cursor,
    *,
    limit: int = PAGE,
    channel: m.InteractionChannel | str | None = None,
    ticket_id: int | None = None,
    direction: m.Direction | str | None = None,
    matching: str | None = None,
) -> Around:
    """The entries around ``at`` (a :func:`day_cursor`, or an entry's own): up to ``limit``
    older ones from it and half as many newer ones above it, two index range scans."""
    filters: dict[str, Any] = {
        "channel": channel,
        "ticket_id": ticket_id,
        "direction": direction,
        "matching": matching,
    }
    above = newer_entries(session, vendor_id, before=at, limit=max(limit // 2, 1), **filters)
    # an entry's own cursor: it is the first row of the page below (included, so <= not <)
    start = Cursor(at.occurred_at, at.id + 1) if at.id else at
    below = entries(session, vendor_id, after=start, limit=limit, **filters)
    focus = len(above.items) if below.items else max(len(above.items) - 1, 0)
    return Around(above.items + below.items, focus, below.next, above.next)

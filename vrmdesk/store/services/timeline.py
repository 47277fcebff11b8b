"""A vendor's conversation over time: interactions newest first, page by page.

Pages are keyed on ``(occurred_at, id)`` of the last row shown, so page 400 of a 20,000-entry
timeline costs what page 1 does (an index range scan, no OFFSET).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from vrmdesk.store import models as m

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


def timeline(
    session: Session,
    vendor_id: int,
    *,
    after: Cursor | None = None,
    limit: int = PAGE,
    channel: m.InteractionChannel | str | None = None,
    ticket_id: int | None = None,
    direction: m.Direction | str | None = None,
) -> Page[m.Interaction]:
    query = select(m.Interaction).where(m.Interaction.vendor_id == vendor_id)
    if channel:
        query = query.where(m.Interaction.channel == m.InteractionChannel(channel))
    if direction:
        query = query.where(m.Interaction.direction == m.Direction(direction))
    if ticket_id is not None:
        query = query.where(m.Interaction.ticket_id == ticket_id)
    if after is not None:
        # a row-value comparison, which SQLite turns into an index range (an OR would not be)
        query = query.where(
            tuple_(m.Interaction.occurred_at, m.Interaction.id)
            < tuple_(after.occurred_at, after.id)
        )
    query = query.order_by(m.Interaction.occurred_at.desc(), m.Interaction.id.desc()).limit(
        limit + 1
    )
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = Cursor(rows[-1].occurred_at, rows[-1].id) if more and rows else None
    return Page(rows, cursor)


@dataclass(frozen=True)
class Entry:
    """One interaction as a timeline shows it: plain values, no ORM object (sessions are short)."""

    id: int
    occurred_at: datetime
    inbound: bool
    channel: str
    subject: str
    excerpt: str
    ticket_id: int | None


def entry_of(i: m.Interaction) -> Entry:
    body = " ".join((i.body or "").split())
    if len(body) > EXCERPT_CHARS:
        body = body[: EXCERPT_CHARS - 1] + "…"
    return Entry(
        i.id,
        i.occurred_at,
        i.direction == m.Direction.INBOUND,
        str(i.channel),
        i.subject,
        body,
        i.ticket_id,
    )


EntryPage = Page[Entry]


def entries(
    session: Session,
    vendor_id: int,
    *,
    after: Cursor | None = None,
    limit: int = PAGE,
    channel: m.InteractionChannel | str | None = None,
    ticket_id: int | None = None,
    direction: m.Direction | str | None = None,
) -> EntryPage:
    """A page of :func:`timeline` as plain entries, for a view that only shows them."""
    page = timeline(
        session,
        vendor_id,
        after=after,
        limit=limit,
        channel=channel,
        ticket_id=ticket_id,
        direction=direction,
    )
    return EntryPage([entry_of(i) for i in page.items], page.next)

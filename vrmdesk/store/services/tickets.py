"""Tickets across every vendor: the Tickets page's list, one ticket's view, and logging on it.

The list is one query with the page's filters (state, vendor, thing, tag, follow-up overdue),
sorted by a column and read a page at a time (``offset``/``limit``), with its count beside it:
a vault of 50,000 tickets opens the page at the cost of its first page. A ticket's view reads
the ticket and the newest part of its conversation (bounded). Logging a call or a message
records the interaction and changes the ticket's state and follow-up date in one unit of work;
quick capture records an interaction the same way, with the follow-up date of its ticket.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from vrmdesk.errors import NotFound, ValidationError
from vrmdesk.store import models as m
from vrmdesk.store.services import records, rules, timeline
from vrmdesk.store.services.editing import Captured

#: the state filter's value for "any state that is not resolved or closed"
UNRESOLVED = "unresolved"
#: how many rows a page of the list holds
PAGE = 100
#: the conversation a ticket's view shows: its newest this many interactions
CONVERSATION_LIMIT = 200
#: the columns the list can be sorted by
SORTS = ("follow_up", "title", "vendor", "thing", "status", "opened", "reference")
#: what logging on a ticket may change of the ticket itself
TICKET_CHANGES = frozenset({"status", "follow_up_on"})


@dataclass(frozen=True)
class TicketFilter:
    """What the list shows. ``state``: a status, :data:`UNRESOLVED`, or None (every ticket)."""

    state: str | None = UNRESOLVED
    vendor_id: int | None = None
    asset_id: int | None = None
    tag: str | None = None
    #: only open tickets whose follow-up date has come (today or earlier)
    overdue: bool = False
    #: the day "overdue" is counted from (today when None)
    on: date | None = None


@dataclass(frozen=True)
class TicketListRow(rules.TicketState):
    id: int
    title: str
    reference: str
    status: str
    vendor_id: int
    vendor: str
    asset_id: int | None
    thing: str
    opened_on: date
    follow_up_on: date | None


def _state(value: str) -> list[m.TicketStatus]:
    if value == UNRESOLVED:
        return list(m.OPEN_TICKET_STATUSES)
    try:
        return [m.TicketStatus(value)]
    except ValueError:
        choices = ", ".join([UNRESOLVED, *(s.value for s in m.TicketStatus)])
        raise ValidationError(
            f"{value!r} is not a ticket state (choose from {choices}).", field="state"
        ) from None


def _where(wanted: TicketFilter) -> list[ColumnElement[bool]]:
    """The conditions of the filter on ``tickets``."""
    t = m.Ticket
    where: list[ColumnElement[bool]] = []
    if wanted.state:
        where.append(t.status.in_(_state(wanted.state)))
    if wanted.vendor_id is not None:
        where.append(t.vendor_id == wanted.vendor_id)
    if wanted.asset_id is not None:
        where.append(t.asset_id == wanted.asset_id)
    if wanted.tag:
        tagged = (
            select(m.Tagging.id)
            .join(m.Tag, m.Tag.id == m.Tagging.tag_id)
            .where(
                m.Tagging.owner_kind == t.kind,
                m.Tagging.owner_id == t.id,
                m.Tag.name == wanted.tag.strip(),
            )
        )
        where.append(exists(tagged))
    if wanted.overdue:
        where.append(t.status.in_(m.OPEN_TICKET_STATUSES))
        where.append(t.follow_up_on <= (wanted.on or rules.today()))
    return where


def _order(sort: str, descending: bool) -> list[ColumnElement[Any]]:
    t = m.Ticket
    columns: dict[str, Any] = {
        "title": t.title,
        "vendor": m.Vendor.name,
        "status": t.status,
        "opened": t.opened_on,
        "reference": t.reference,
    }
    if sort in ("follow_up", "thing"):
        # tickets without a follow-up date (about no thing) come last either way
        column = t.follow_up_on if sort == "follow_up" else m.Asset.name
        first = (column.desc() if descending else column.asc()).nulls_last()
        return [first, t.opened_on.desc(), t.id.desc()]
    if sort not in columns:
        raise ValidationError(
            f"The list cannot be sorted by {sort!r} (choose from {', '.join(SORTS)}).",
            field="sort",
        )
    column = columns[sort]
    return [column.desc() if descending else column.asc(), t.id.desc()]


def ticket_page(
    session: Session,
    wanted: TicketFilter | None = None,
    *,
    sort: str = "follow_up",
    descending: bool = False,
    offset: int = 0,
    limit: int = PAGE,
) -> list[TicketListRow]:
    """One page of the tickets the filter lets through, sorted by ``sort`` (see :data:`SORTS`).

    Two queries: the page's ids in order (joining the vendor or the thing only to sort by its
    name), then those rows with their vendor's and thing's names.
    """
    wanted = wanted or TicketFilter()
    t = m.Ticket
    order = _order(sort, descending)
    ids_query = select(t.id)
    if sort == "vendor":
        ids_query = ids_query.join(m.Vendor, m.Vendor.id == t.vendor_id)
    elif sort == "thing":
        ids_query = ids_query.outerjoin(m.Asset, m.Asset.id == t.asset_id)
    ids_query = ids_query.where(*_where(wanted)).order_by(*order)
    ids = list(session.scalars(ids_query.offset(max(offset, 0)).limit(max(limit, 0))))
    if not ids:
        return []
    query = (
        select(
            t.id,
            t.title,
            t.reference,
            t.status,
            t.vendor_id,
            m.Vendor.name,
            t.asset_id,
            m.Asset.name,
            t.opened_on,
            t.follow_up_on,
        )
        .join(m.Vendor, m.Vendor.id == t.vendor_id)
        .outerjoin(m.Asset, m.Asset.id == t.asset_id)
        .where(t.id.in_(ids))
    )
    rows = {
        row[0]: TicketListRow(
            id=row[0],
            title=row[1],
            reference=row[2],
            status=str(row[3]),
            vendor_id=row[4],
            vendor=row[5],
            asset_id=row[6],
            thing=row[7] or "",
            opened_on=row[8],
            follow_up_on=row[9],
        )
        for row in session.execute(query)
    }
    return [rows[i] for i in ids if i in rows]


def count_tickets(session: Session, wanted: TicketFilter | None = None) -> int:
    """How many tickets the filter lets through (the list's count)."""
    query = select(func.count()).select_from(m.Ticket).where(*_where(wanted or TicketFilter()))
    return int(session.scalar(query) or 0)


def has_tickets(session: Session) -> bool:
    """Whether the vault holds any ticket at all (the page explains tickets when not)."""
    return session.scalar(select(m.Ticket.id).limit(1)) is not None


@dataclass(frozen=True)
class FilterChoices:
    """What the page's filters offer: vendors and things that have tickets, tags on tickets."""

    vendors: list[tuple[int, str]]
    things: list[tuple[int, str]]
    tags: list[str]


def filter_choices(session: Session, *, with_things: bool = True) -> FilterChoices:
    """The filters' choices; ``with_things=False`` leaves the (longest) list of things out."""
    t = m.Ticket
    vendors = select(m.Vendor.id, m.Vendor.name).where(
        exists(select(t.id).where(t.vendor_id == m.Vendor.id))
    )
    tags = (
        select(m.Tag.name)
        .join(m.Tagging, m.Tagging.tag_id == m.Tag.id)
        .where(m.Tagging.owner_kind == t.kind)
        .distinct()
    )
    return FilterChoices(
        vendors=[(i, n) for i, n in session.execute(vendors.order_by(m.Vendor.name, m.Vendor.id))],
        things=thing_choices(session) if with_things else [],
        tags=sorted(session.scalars(tags), key=str.casefold),
    )


def thing_choices(session: Session, vendor_id: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the things that have tickets (with this vendor, when given), by name."""
    t = m.Ticket
    has = select(t.id).where(t.asset_id == m.Asset.id)
    if vendor_id is not None:
        has = has.where(t.vendor_id == vendor_id)
    query = select(m.Asset.id, m.Asset.name).where(exists(has))
    return [(i, n) for i, n in session.execute(query.order_by(m.Asset.name, m.Asset.id))]


# -- one ticket --------------------------------------------------------------------------------
@dataclass(frozen=True)
class TicketDetail(rules.TicketState):
    id: int
    title: str
    reference: str
    status: str
    opened_on: date
    closed_on: date | None
    follow_up_on: date | None
    vendor_id: int
    vendor: str
    asset_id: int | None
    thing: str
    notes: str
    tags: tuple[str, ...]


def ticket_detail(session: Session, ticket_id: int) -> TicketDetail:
    """One ticket as its view shows it (NotFound if it is gone)."""
    ticket = records.get(session, m.Ticket, ticket_id)
    tags = session.scalars(
        select(m.Tag.name)
        .join(m.Tagging, m.Tagging.tag_id == m.Tag.id)
        .where(m.Tagging.owner_kind == ticket.kind, m.Tagging.owner_id == ticket.id)
        .order_by(m.Tag.name)
    )
    return TicketDetail(
        id=ticket.id,
        title=ticket.title,
        reference=ticket.reference,
        status=str(ticket.status),
        opened_on=ticket.opened_on,
        closed_on=ticket.closed_on,
        follow_up_on=ticket.follow_up_on,
        vendor_id=ticket.vendor_id,
        vendor=ticket.vendor.name,
        asset_id=ticket.asset_id,
        thing=records.title_of(ticket.asset) if ticket.asset is not None else "",
        notes=ticket.notes,
        tags=tuple(tags),
    )


class Conversation(NamedTuple):
    """A ticket's interactions, oldest first (newest last); ``total`` counts all of them, and
    ``entries`` holds the newest :data:`CONVERSATION_LIMIT` when there are more."""

    entries: list[timeline.Entry]
    total: int


def conversation(
    session: Session, ticket_id: int, *, limit: int = CONVERSATION_LIMIT
) -> Conversation:
    """The interactions linked to a ticket, as its view shows them (newest last)."""
    records.get(session, m.Ticket, ticket_id)
    i = m.Interaction
    total = session.scalar(select(func.count()).where(i.ticket_id == ticket_id)) or 0
    newest = session.scalars(
        select(i)
        .where(i.ticket_id == ticket_id)
        .order_by(i.occurred_at.desc(), i.id.desc())
        .limit(max(limit, 0))
    )
    entries = [timeline.entry_of(x) for x in newest]
    entries.reverse()
    return Conversation(entries, int(total))


class Logged(NamedTuple):
    """An interaction recorded on a ticket, and what the ticket is now."""

    interaction_id: int
    ticket_id: int
    vendor: str
    ticket: str
    status: str
    follow_up_on: date | None


def log_on_ticket(
    session: Session,
    ticket_id: int,
    interaction: Mapping[str, Any],
    ticket_changes: Mapping[str, Any] | None = None,
) -> Logged:
    """Record a call or a message on a ticket and change the ticket in the same unit of work.

    ``interaction`` holds the interaction's fields (channel, direction, occurred_at, subject,
    body …); its vendor and ticket are the ticket's, its thing the ticket's unless given.
    ``ticket_changes`` may set the ticket's ``status`` and ``follow_up_on`` (None clears it).
    Anything refused raises :class:`ValidationError` naming the field; then nothing is written
    (the caller's session rolls back).
    """
    changes = dict(ticket_changes or {})
    unknown = set(changes) - TICKET_CHANGES
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationError(f"Logging on a ticket cannot change its {name!r}.", field=name)
    ticket = records.get(session, m.Ticket, ticket_id)
    fields = dict(interaction)
    if fields.get("vendor_id") not in (None, ticket.vendor_id):
        raise ValidationError("That ticket is with another vendor.", field="ticket_id")
    if fields.get("ticket_id") not in (None, ticket.id):
        raise ValidationError("This interaction is logged on another ticket.", field="ticket_id")
    fields["vendor_id"], fields["ticket_id"] = ticket.vendor_id, ticket.id
    if fields.get("asset_id") is None:
        fields["asset_id"] = ticket.asset_id
    created = records.create(session, m.Interaction, **fields)
    if changes:
        records.update(session, m.Ticket, ticket.id, **changes)
    return Logged(
        created.id,
        ticket.id,
        ticket.vendor.name,
        ticket.title,
        str(ticket.status),
        ticket.follow_up_on,
    )


def capture(session: Session, values: Mapping[str, Any]) -> Captured:
    """Record an interaction as quick capture gives it; a ``follow_up_on`` in ``values`` is the
    follow-up date of its ticket (refused without a ticket), set in the same unit of work."""
    fields = dict(values)
    has_follow_up = "follow_up_on" in fields
    follow_up = fields.pop("follow_up_on", None)
    ticket_id = fields.get("ticket_id")
    if ticket_id is None:
        if follow_up is not None:
            raise ValidationError(
                "A follow-up date belongs to a ticket: choose the ticket, or clear the date.",
                field="follow_up_on",
            )
        interaction = records.create(session, m.Interaction, **fields)
        return Captured(interaction.id, interaction.vendor.name)
    ticket = session.get(m.Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"There is no ticket {ticket_id}.", field="ticket_id")
    if ticket.vendor_id != fields.get("vendor_id"):
        raise ValidationError("That ticket is with another vendor.", field="ticket_id")
    changes = {"follow_up_on": follow_up} if has_follow_up else {}
    logged = log_on_ticket(session, ticket.id, fields, changes)
    return Captured(logged.interaction_id, logged.vendor)


class CaptureContext(NamedTuple):
    """What quick capture starts with: the vendor, thing and ticket of what is selected."""

    vendor_id: int | None = None
    asset_id: int | None = None
    ticket_id: int | None = None
    follow_up_on: date | None = None


def capture_context(
    session: Session,
    *,
    vendor_id: int | None = None,
    asset_id: int | None = None,
    ticket_id: int | None = None,
) -> CaptureContext:
    """Fill in what a selection implies: a ticket's vendor, thing and follow-up date; a thing's
    maker (else its seller) when no vendor is shown. Records that are gone are left out."""
    ticket = session.get(m.Ticket, ticket_id) if ticket_id is not None else None
    if ticket is not None:
        return CaptureContext(
            ticket.vendor_id, asset_id or ticket.asset_id, ticket.id, ticket.follow_up_on
        )
    asset = session.get(m.Asset, asset_id) if asset_id is not None else None
    vendor = session.get(m.Vendor, vendor_id) if vendor_id is not None else None
    if vendor is None and asset is not None:
        vendor_id = asset.maker_id or asset.seller_id
        vendor = session.get(m.Vendor, vendor_id) if vendor_id is not None else None
    return CaptureContext(
        vendor.id if vendor is not None else None, asset.id if asset is not None else None
    )

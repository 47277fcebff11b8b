"""Read-only views for the vendor pages: plain rows, ready to show, one query per list.

The GUI lists vendors (with last contact, open tickets, warranties ending soon and how much
needs attention, for sorting and badges), shows one vendor's details, contacts, channels and
accounts, and finds an interaction's place in a timeline. The rows of a vendor's tables (things,
tickets, offers, agreements) are in ``vendor_tables.py``. Functions return frozen dataclasses
(never ORM objects), page with ``offset``/``limit`` so a view can fetch lazily, and take ``on``
(today) for tests.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from vrmdesk.store import models as m
from vrmdesk.store.services import records, rules, tags
from vrmdesk.store.services.dashboard import Lead

SORTS = ("name", "last_contact", "attention")


def label(value: enum.Enum | str | None) -> str:
    """'service_provider' -> 'Service provider' (enum values as a person reads them)."""
    if value is None:
        return ""
    text = str(value.value if isinstance(value, enum.Enum) else value).replace("_", " ")
    return text[:1].upper() + text[1:]


def _since(on: date, days: int = 365) -> datetime:
    return datetime.combine(on - timedelta(days=days), datetime.min.time())


# -- the vendor list --------------------------------------------------------------------------
@dataclass(frozen=True)
class VendorRow:
    id: int
    name: str
    vendor_kind: str
    status: str
    last_contact: datetime | None
    open_tickets: int
    expiring_warranties: int
    follow_ups_due: int
    waiting_on_me: int
    notices_due: int
    offers_last_year: int
    offer_limit: int | None
    #: offers in the last year on channels my contact policy does not allow this vendor
    off_channel_offers: int = 0

    @property
    def over_policy(self) -> bool:
        over_limit = self.offer_limit is not None and self.offers_last_year > self.offer_limit
        return over_limit or self.off_channel_offers > 0

    @property
    def attention(self) -> int:
        """How many things about this vendor want me to act."""
        return (
            self.expiring_warranties
            + self.follow_ups_due
            + self.waiting_on_me
            + self.notices_due
            + int(self.over_policy)
        )


def _count(cls: type[m.Record], *where: Any) -> Any:
    return select(func.count()).select_from(cls).where(*where).correlate(m.Vendor).scalar_subquery()


# -- the vendor list narrowed to a tag (the tags themselves: services.tags) ---------------------
def _tagged(kind: str, tag: Any) -> Any:
    """SELECT the ids of the records of ``kind`` that carry the tag named ``tag`` (a name, or a
    bound parameter that will hold one)."""
    return (
        select(m.Tagging.owner_id)
        .join(m.Tag, m.Tag.id == m.Tagging.tag_id)
        .where(m.Tagging.owner_kind == kind, m.Tag.name == tag)
    )


@functools.cache
def _vendor_query(sort: str, by_name: bool, by_tag: bool, limited: bool) -> Select[Any]:
    """The vendor list's statement, built once for each shape and reused with new parameters
    (``on``, ``warranty_until``, ``notice_until``, ``follow_until``, ``since``, ``needle``,
    ``tag``, ``offset``, ``limit``): the list runs it on every keystroke in its filter, and
    building the statement with its eight subqueries cost more than running it."""
    v = m.Vendor
    on, since = bindparam("on", type_=Date()), bindparam("since", type_=DateTime())
    open_ticket = and_(m.Ticket.vendor_id == v.id, m.Ticket.status.in_(m.OPEN_TICKET_STATUSES))
    allowed = func.json_each(v.allowed_channels).table_valued("value")
    last = (
        select(func.max(m.Interaction.occurred_at))
        .where(m.Interaction.vendor_id == v.id)
        .correlate(v)
        .scalar_subquery()
    )
    columns = {
        "last": last,
        "open": _count(m.Ticket, open_ticket),
        "expiring": _count(
            m.Warranty,
            m.Warranty.provider_id == v.id,
            m.Warranty.void.is_(False),
            m.Warranty.starts_on <= on,
            m.Warranty.ends_on >= on,
            m.Warranty.ends_on <= bindparam("warranty_until", type_=Date()),
        ),
        "follow": _count(
            m.Ticket,
            open_ticket,
            m.Ticket.follow_up_on <= bindparam("follow_until", type_=Date()),
        ),
        "mine": _count(
            m.Ticket, m.Ticket.vendor_id == v.id, m.Ticket.status == m.TicketStatus.WAITING_ON_ME
        ),
        "notices": _count(
            m.Agreement,
            m.Agreement.vendor_id == v.id,
            m.Agreement.notice_deadline >= on,
            m.Agreement.notice_deadline <= bindparam("notice_until", type_=Date()),
        ),
        "offers": _count(m.Offer, m.Offer.vendor_id == v.id, m.Offer.received_at >= since),
        "off_channel": _count(
            m.Offer,
            m.Offer.vendor_id == v.id,
            m.Offer.received_at >= since,
            func.json_array_length(v.allowed_channels) > 0,
            ~exists().select_from(allowed).where(allowed.c.value == m.Offer.channel),
        ),
    }
    labelled = {key: col.label(key) for key, col in columns.items()}
    query = select(v.id, v.name, v.vendor_kind, v.status, v.max_offers_per_year, *labelled.values())
    if by_name:
        query = query.where(v.name.ilike(bindparam("needle", type_=String()), escape="\\"))
    if by_tag:
        query = query.where(v.id.in_(_tagged(v.kind, bindparam("tag", type_=String()))))
    if sort == "last_contact":
        query = query.order_by(labelled["last"].desc(), v.name, v.id)
    elif sort == "attention":
        over = case(
            (
                and_(
                    v.max_offers_per_year.is_not(None), labelled["offers"] > v.max_offers_per_year
                ),
                1,
            ),
            (labelled["off_channel"] > 0, 1),
            else_=0,
        )
        score = (
            labelled["expiring"]
            + labelled["follow"]
            + labelled["mine"]
            + labelled["notices"]
            + over
        )
        query = query.order_by(score.desc(), labelled["open"].desc(), v.name, v.id)
    else:
        query = query.order_by(v.name, v.id)
    query = query.offset(bindparam("offset", type_=Integer()))
    if limited:
        query = query.limit(bindparam("limit", type_=Integer()))
    return query


def vendor_rows(
    session: Session,
    text: str = "",
    sort: str = "name",
    *,
    offset: int = 0,
    limit: int | None = None,
    lead: Lead | None = None,
    on: date | None = None,
    tag: str | None = None,
) -> list[VendorRow]:
    """Vendors whose name contains ``text`` (and that carry ``tag``, if given), sorted by name,
    last contact or attention needed."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    lead, on = lead or Lead(), on or rules.today()
    needle, tag = text.strip(), (tag or "").strip()
    params: dict[str, Any] = {
        "on": on,
        "since": _since(on),
        "warranty_until": on + timedelta(days=lead.warranty_days),
        "notice_until": on + timedelta(days=lead.notice_days),
        "follow_until": on + timedelta(days=lead.follow_up_days),
        "offset": offset,
    }
    if needle:
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["needle"] = f"%{escaped}%"
    if tag:
        params["tag"] = tag
    if limit is not None:
        params["limit"] = limit
    query = _vendor_query(sort, bool(needle), bool(tag), limit is not None)
    return [
        VendorRow(
            id=r.id,
            name=r.name,
            vendor_kind=str(r.vendor_kind),
            status=str(r.status),
            last_contact=r.last,
            open_tickets=r.open,
            expiring_warranties=r.expiring,
            follow_ups_due=r.follow,
            waiting_on_me=r.mine,
            notices_due=r.notices,
            offers_last_year=r.offers,
            offer_limit=r.max_offers_per_year,
            off_channel_offers=r.off_channel,
        )
        for r in session.execute(query, params)
    ]


# -- one vendor -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    """A small record shown as one line: a contact, a channel, an account number."""

    id: int
    kind: str
    title: str
    detail: str
    #: where the item reaches the vendor (empty when it does not): a view shows these as links
    email: str = ""
    phone: str = ""
    web: str = ""
    #: a contact's role
    role: str = ""


#: a channel's value is an address of this sort
_CHANNEL_LINK = {
    m.ChannelKind.EMAIL: "email",
    m.ChannelKind.PHONE: "phone",
    m.ChannelKind.WEB_PORTAL: "web",
    m.ChannelKind.FORUM: "web",
    m.ChannelKind.SOCIAL: "web",
}


@dataclass(frozen=True)
class VendorCard:
    id: int
    name: str
    vendor_kind: str
    status: str
    website: str
    since: date | None
    notes: str
    max_offers_per_year: int | None
    allowed_channels: tuple[str, ...]
    #: the vendor's tags, by name
    tags: tuple[str, ...] = ()

    @property
    def policy(self) -> str:
        """My contact policy for this vendor, in words."""
        limit = self.max_offers_per_year
        parts = []
        if limit is not None:
            parts.append(
                "no offers"
                if limit == 0
                else f"at most {limit} offer{'s' if limit != 1 else ''} a year"
            )
        if self.allowed_channels:
            parts.append("only by " + ", ".join(label(c).lower() for c in self.allowed_channels))
        return ("; ".join(parts) or "no limits stated").capitalize()


def vendor_card(session: Session, vendor_id: int) -> VendorCard:
    v = records.get(session, m.Vendor, vendor_id)
    return VendorCard(
        id=v.id,
        name=v.name,
        vendor_kind=str(v.vendor_kind),
        status=str(v.status),
        website=v.website,
        since=v.since,
        notes=v.notes or "",
        max_offers_per_year=v.max_offers_per_year,
        allowed_channels=tuple(v.allowed_channels or ()),
        tags=tuple(tags.tags_of(session, v)),
    )


def _item(record: m.Record) -> Item:
    if isinstance(record, m.Contact):
        detail = " · ".join(x for x in (record.role, record.email, record.phone) if x)
        return Item(
            record.id,
            record.kind,
            record.name,
            detail,
            email=record.email or "",
            phone=record.phone or "",
            role=record.role or "",
        )
    if isinstance(record, m.Channel):
        link, value = _CHANNEL_LINK.get(m.ChannelKind(record.channel)), record.value.strip()
        return Item(
            record.id,
            record.kind,
            record.label or label(record.channel),
            f"{label(record.channel)}: {record.value}",
            email=value if link == "email" else "",
            phone=value if link == "phone" else "",
            web=value if link == "web" else "",
        )
    assert isinstance(record, m.Account)
    return Item(record.id, record.kind, record.number, record.label)


def vendor_items(
    session: Session, vendor_id: int, kind: str, *, offset: int = 0, limit: int | None = None
) -> list[Item]:
    """A vendor's contacts, channels or account numbers (``kind``) as one-line items."""
    cls = {"contact": m.Contact, "channel": m.Channel, "account": m.Account}[kind]
    return [
        _item(r)
        for r in records.list_records(session, cls, vendor_id=vendor_id, limit=limit, offset=offset)
    ]


def timeline_position(
    session: Session,
    vendor_id: int,
    interaction_id: int,
    *,
    channel: str | None = None,
    ticket_id: int | None = None,
    direction: str | None = None,
) -> int | None:
    """Row of an interaction in the (filtered) timeline, newest first; None if filtered out."""
    i = m.Interaction
    target = session.get(i, interaction_id)
    if target is None or target.vendor_id != vendor_id:
        return None
    if (channel and str(target.channel) != channel) or (
        direction and str(target.direction) != direction
    ):
        return None
    if ticket_id is not None and target.ticket_id != ticket_id:
        return None
    query = (
        select(func.count())
        .select_from(i)
        .where(
            i.vendor_id == vendor_id,
            tuple_(i.occurred_at, i.id) > tuple_(target.occurred_at, target.id),  # an index range
        )
    )
    if channel:
        query = query.where(i.channel == m.InteractionChannel(channel))
    if direction:
        query = query.where(i.direction == m.Direction(direction))
    if ticket_id is not None:
        query = query.where(i.ticket_id == ticket_id)
    return session.scalar(query) or 0


def new_thing_defaults(card: VendorCard) -> dict[str, int]:
    """A thing added on a vendor's page: made by the vendor if it is a maker, else sold by it."""
    role = "maker_id" if card.vendor_kind == m.VendorKind.MAKER.value else "seller_id"
    return {role: card.id}

"""What needs attention now: the queries behind the home dashboard and ``vrmdesk info``."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from vrmdesk.store import models as m
from vrmdesk.store.services.rules import today


@dataclass(frozen=True)
class Lead:
    """How far ahead each reminder looks (Settings in the GUI)."""

    warranty_days: int = 60
    notice_days: int = 30
    service_days: int = 14
    waiting_days: int = 14
    #: a ticket's follow-up shows this many days before its day (0: on the day, and after)
    follow_up_days: int = 0


@dataclass(frozen=True)
class PolicyBreach:
    vendor: m.Vendor
    offers_last_year: int
    limit: int | None
    off_channel: int

    @property
    def reason(self) -> str:
        parts = []
        if self.limit is not None and self.offers_last_year > self.limit:
            parts.append(
                f"{self.offers_last_year} offers in the last year (you allow {self.limit})"
            )
        if self.off_channel:
            parts.append(f"{self.off_channel} on channels you did not allow")
        return "; ".join(parts)


@dataclass
class Dashboard:
    expiring_warranties: list[m.Warranty] = field(default_factory=list)
    follow_ups_due: list[m.Ticket] = field(default_factory=list)
    waiting_too_long: list[m.Ticket] = field(default_factory=list)
    notice_deadlines: list[m.Agreement] = field(default_factory=list)
    service_due: list[m.ServiceEvent] = field(default_factory=list)
    over_policy: list[PolicyBreach] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(
            len(items)
            for items in (
                self.expiring_warranties,
                self.follow_ups_due,
                self.waiting_too_long,
                self.notice_deadlines,
                self.service_due,
                self.over_policy,
            )
        )


def _unmarked(section: str, kind: str, record_id: Any, about: Any, on: date) -> ColumnElement[bool]:
    """The item is neither acknowledged nor snoozed (see :class:`models.AttentionMark`): no
    mark of it says what it says now (its day) and holds on ``on``."""
    mark = m.AttentionMark
    return ~exists().where(
        mark.section == section,
        mark.kind == kind,
        mark.record_id == record_id,
        mark.about == cast(about, String),
        or_(mark.until.is_(None), mark.until > on),
    )


def expiring_warranties(
    session: Session, within_days: int = 60, on: date | None = None
) -> list[m.Warranty]:
    return list(session.scalars(_expiring_warranties(within_days, on)))


def _expiring_warranties(within_days: int, on: date | None) -> Select[m.Warranty]:
    on = on or today()
    return (
        select(m.Warranty)
        .options(joinedload(m.Warranty.asset), joinedload(m.Warranty.provider))
        .where(
            m.Warranty.void.is_(False),
            m.Warranty.ends_on >= on,
            m.Warranty.ends_on <= on + timedelta(days=within_days),
            m.Warranty.starts_on <= on,
            _unmarked("warranties", "warranty", m.Warranty.id, m.Warranty.ends_on, on),
        )
        .order_by(m.Warranty.ends_on, m.Warranty.id)
    )


def follow_ups_due(
    session: Session, on: date | None = None, within_days: int = 0
) -> list[m.Ticket]:
    return list(session.scalars(_follow_ups_due(on, within_days)))


def _follow_ups_due(on: date | None, within_days: int = 0) -> Select[m.Ticket]:
    on = on or today()
    return (
        select(m.Ticket)
        .options(joinedload(m.Ticket.vendor))
        .where(
            m.Ticket.follow_up_on <= on + timedelta(days=within_days),
            m.Ticket.status.in_(m.OPEN_TICKET_STATUSES),
            _unmarked("follow_ups", "ticket", m.Ticket.id, m.Ticket.follow_up_on, on),
        )
        .order_by(m.Ticket.follow_up_on, m.Ticket.id)
    )


def waiting_too_long(session: Session, days: int = 14, on: date | None = None) -> list[m.Ticket]:
    """Tickets waiting on the vendor, opened over ``days`` ago, with no word from it since."""
    return list(session.scalars(_waiting_too_long(days, on)))


def waiting_since() -> ColumnElement[str]:
    """What a ticket waiting on the vendor is about, for a mark (``AttentionMark.about``): the
    day the vendor last wrote on it, or the day it was opened; a new word from the vendor
    changes it, so a ticket acknowledged shows again once it has waited too long again."""
    last_inbound = (
        select(func.max(func.date(m.Interaction.occurred_at)))
        .where(
            m.Interaction.ticket_id == m.Ticket.id,
            m.Interaction.direction == m.Direction.INBOUND,
        )
        .correlate(m.Ticket)
        .scalar_subquery()
    )
    return func.coalesce(last_inbound, cast(m.Ticket.opened_on, String))


def _waiting_too_long(days: int, on: date | None) -> Select[m.Ticket]:
    on = on or today()
    cutoff = datetime.combine(on - timedelta(days=days), datetime.min.time())
    recent_inbound = exists().where(
        m.Interaction.ticket_id == m.Ticket.id,
        m.Interaction.direction == m.Direction.INBOUND,
        m.Interaction.occurred_at >= cutoff,
    )
    return (
        select(m.Ticket)
        .options(joinedload(m.Ticket.vendor))
        .where(
            m.Ticket.status == m.TicketStatus.WAITING_ON_VENDOR,
            m.Ticket.opened_on <= cutoff.date(),
            ~recent_inbound,
            _unmarked("waiting", "ticket", m.Ticket.id, waiting_since(), on),
        )
        .order_by(m.Ticket.opened_on, m.Ticket.id)
    )


def notice_deadlines(
    session: Session, within_days: int = 30, on: date | None = None
) -> list[m.Agreement]:
    return list(session.scalars(_notice_deadlines(within_days, on)))


def _notice_deadlines(within_days: int, on: date | None) -> Select[m.Agreement]:
    on = on or today()
    return (
        select(m.Agreement)
        .options(joinedload(m.Agreement.vendor))
        .where(
            m.Agreement.notice_deadline >= on,
            m.Agreement.notice_deadline <= on + timedelta(days=within_days),
            _unmarked("notices", "agreement", m.Agreement.id, m.Agreement.notice_deadline, on),
        )
        .order_by(m.Agreement.notice_deadline, m.Agreement.id)
    )


def service_due(
    session: Session, within_days: int = 14, on: date | None = None
) -> list[m.ServiceEvent]:
    """The latest service of each kind (asset and description) whose next one is due."""
    return list(session.scalars(_service_due(within_days, on)))


def _service_due(within_days: int, on: date | None) -> Select[m.ServiceEvent]:
    on = on or today()
    later = aliased(m.ServiceEvent)
    superseded = exists().where(
        later.asset_id == m.ServiceEvent.asset_id,
        later.description == m.ServiceEvent.description,
        later.performed_on > m.ServiceEvent.performed_on,
    )
    return (
        select(m.ServiceEvent)
        .options(joinedload(m.ServiceEvent.asset))
        .join(m.Asset, m.Asset.id == m.ServiceEvent.asset_id)
        .where(
            m.ServiceEvent.next_due <= on + timedelta(days=within_days),
            m.Asset.status == m.AssetStatus.IN_USE,
            ~superseded,
            _unmarked("service", "service_event", m.ServiceEvent.id, m.ServiceEvent.next_due, on),
        )
        .order_by(m.ServiceEvent.next_due, m.ServiceEvent.id)
    )


def offers_in_year(session: Session, vendor_id: int, on: date | None = None) -> int:
    on = on or today()
    since = datetime.combine(on - timedelta(days=365), datetime.min.time())
    return (
        session.scalar(
            select(func.count()).where(m.Offer.vendor_id == vendor_id, m.Offer.received_at >= since)
        )
        or 0
    )


def over_contact_policy(session: Session, on: date | None = None) -> list[PolicyBreach]:
    """Vendors that sent more offers in the last year than I allow, or used channels I did not.

    One grouped query (a query per vendor read several times the pages on a large vault).
    """
    on = on or today()
    since = datetime.combine(on - timedelta(days=365), datetime.min.time())
    allowed = func.json_each(m.Vendor.allowed_channels).table_valued("value")
    has_allowed = func.json_array_length(m.Vendor.allowed_channels) > 0
    off_channel = case(
        (and_(has_allowed, m.Offer.channel.not_in(select(allowed.c.value))), 1), else_=0
    )
    rows = session.execute(
        select(m.Vendor, func.count(m.Offer.id), func.sum(off_channel))
        .join(m.Offer, and_(m.Offer.vendor_id == m.Vendor.id, m.Offer.received_at >= since))
        .where(m.Vendor.max_offers_per_year.is_not(None) | has_allowed)
        .group_by(m.Vendor.id)
        .order_by(m.Vendor.name)
    ).all()
    breaches = []
    for vendor, count, off in rows:
        limit = vendor.max_offers_per_year
        if (limit is not None and count > limit) or off:
            breaches.append(PolicyBreach(vendor, count, limit, off or 0))
    if not breaches:
        return breaches
    mark = m.AttentionMark
    acknowledged = {
        (record_id, about)
        for record_id, about in session.execute(
            select(mark.record_id, mark.about).where(
                mark.section == "over_policy", or_(mark.until.is_(None), mark.until > on)
            )
        )
    }
    return [b for b in breaches if (b.vendor.id, b.reason) not in acknowledged]


def dashboard(session: Session, lead: Lead | None = None, on: date | None = None) -> Dashboard:
    lead = lead or Lead()
    return Dashboard(
        expiring_warranties=expiring_warranties(session, lead.warranty_days, on),
        follow_ups_due=follow_ups_due(session, on, lead.follow_up_days),
        waiting_too_long=waiting_too_long(session, lead.waiting_days, on),
        notice_deadlines=notice_deadlines(session, lead.notice_days, on),
        service_due=service_due(session, lead.service_days, on),
        over_policy=over_contact_policy(session, on),
    )


# -- the home page: the dashboard as plain rows ---------------------------------------------
@dataclass(frozen=True)
class AttentionItem:
    """One thing on the home page, with the record that opens from it (``kind``, ``id``)."""

    kind: str
    id: int
    #: whose it is: the thing's name (warranty, service) or the vendor's
    whose: str
    #: what it is: the warranty's or ticket's or agreement's title, what the service is, or
    #: why a vendor is over my contact policy
    what: str
    #: the day it is about: a warranty's end, a follow-up, a ticket's opening, a notice
    #: deadline, a service due (None for a vendor over my policy)
    day: date | None = None
    #: an agreement's renewal
    renews_on: date | None = None
    #: its day is past (a follow-up or a service that is late, not only near)
    overdue: bool = False


#: the home page's sections, in the order it shows them (the fields of :class:`Attention`)
SECTIONS = ("warranties", "follow_ups", "waiting", "notices", "service", "over_policy")


@dataclass(frozen=True)
class Attention:
    """The dashboard's lists, each of :class:`AttentionItem` (a field per list).

    A list may hold only the first of its items (``attention(limit=…)``); ``counts`` has the
    full number of each list that was cut, :meth:`count` of any.
    """

    warranties: tuple[AttentionItem, ...] = ()
    follow_ups: tuple[AttentionItem, ...] = ()
    waiting: tuple[AttentionItem, ...] = ()
    notices: tuple[AttentionItem, ...] = ()
    service: tuple[AttentionItem, ...] = ()
    over_policy: tuple[AttentionItem, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, section: str) -> int:
        """How many items the section has in all (its list may hold only the first)."""
        items: tuple[AttentionItem, ...] = getattr(self, section)
        return self.counts.get(section, len(items))

    @property
    def total(self) -> int:
        return sum(self.count(section) for section in SECTIONS)


Row = TypeVar("Row")


def _first(session: Session, query: Select[Row], limit: int | None) -> tuple[Sequence[Row], int]:
    """The first ``limit`` rows of ``query`` (all of them for None) and how many it has in all;
    counted by the database only when the rows run to the limit."""
    if limit is None:
        rows = session.scalars(query).all()
        return rows, len(rows)
    rows = session.scalars(query.limit(limit)).all()
    if len(rows) < limit:
        return rows, len(rows)
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return rows, count or 0


def _late(day: date | None, on: date) -> bool:
    return day is not None and day < on


def attention(
    session: Session,
    lead: Lead | None = None,
    on: date | None = None,
    *,
    limit: int | None = None,
    whole: Collection[str] = (),
) -> Attention:
    """:func:`dashboard` as plain rows, for a view that only shows them: each section's first
    ``limit`` items (all of them for None, and for the sections named in ``whole``)."""
    lead = lead or Lead()
    on = on or today()
    counts: dict[str, int] = {}

    def first(section: str, query: Select[Row]) -> Sequence[Row]:
        rows, counts[section] = _first(session, query, None if section in whole else limit)
        return rows

    warranties = first("warranties", _expiring_warranties(lead.warranty_days, on))
    follow_ups = first("follow_ups", _follow_ups_due(on, lead.follow_up_days))
    waiting = first("waiting", _waiting_too_long(lead.waiting_days, on))
    notices = first("notices", _notice_deadlines(lead.notice_days, on))
    service = first("service", _service_due(lead.service_days, on))
    breaches = over_contact_policy(session, on)  # one grouped query: cut here
    counts["over_policy"] = len(breaches)
    if limit is not None and "over_policy" not in whole:
        breaches = breaches[:limit]
    return Attention(
        warranties=tuple(
            AttentionItem("warranty", w.id, w.asset.name, w.title, w.ends_on) for w in warranties
        ),
        follow_ups=tuple(
            AttentionItem(
                "ticket",
                t.id,
                t.vendor.name,
                t.title,
                t.follow_up_on,
                overdue=_late(t.follow_up_on, on),
            )
            for t in follow_ups
        ),
        waiting=tuple(
            AttentionItem("ticket", t.id, t.vendor.name, t.title, t.opened_on) for t in waiting
        ),
        notices=tuple(
            AttentionItem("agreement", a.id, a.vendor.name, a.title, a.notice_deadline, a.renews_on)
            for a in notices
        ),
        service=tuple(
            AttentionItem(
                "service_event",
                e.id,
                e.asset.name,
                e.description,
                e.next_due,
                overdue=_late(e.next_due, on),
            )
            for e in service
        ),
        over_policy=tuple(
            AttentionItem("vendor", b.vendor.id, b.vendor.name, b.reason) for b in breaches
        ),
        counts=counts,
    )

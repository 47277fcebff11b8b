"""What needs attention now: the queries behind the home dashboard and ``vrmdesk info``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, exists, func, select
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


def expiring_warranties(
    session: Session, within_days: int = 60, on: date | None = None
) -> list[m.Warranty]:
    on = on or today()
    query = (
        select(m.Warranty)
        .options(joinedload(m.Warranty.asset), joinedload(m.Warranty.provider))
        .where(
            m.Warranty.void.is_(False),
            m.Warranty.ends_on >= on,
            m.Warranty.ends_on <= on + timedelta(days=within_days),
            m.Warranty.starts_on <= on,
        )
        .order_by(m.Warranty.ends_on, m.Warranty.id)
    )
    return list(session.scalars(query))


def follow_ups_due(session: Session, on: date | None = None) -> list[m.Ticket]:
    on = on or today()
    query = (
        select(m.Ticket)
        .options(joinedload(m.Ticket.vendor))
        .where(m.Ticket.follow_up_on <= on, m.Ticket.status.in_(m.OPEN_TICKET_STATUSES))
        .order_by(m.Ticket.follow_up_on, m.Ticket.id)
    )
    return list(session.scalars(query))


def waiting_too_long(session: Session, days: int = 14, on: date | None = None) -> list[m.Ticket]:
    """Tickets waiting on the vendor, opened over ``days`` ago, with no word from it since."""
    on = on or today()
    cutoff = datetime.combine(on - timedelta(days=days), datetime.min.time())
    recent_inbound = exists().where(
        m.Interaction.ticket_id == m.Ticket.id,
        m.Interaction.direction == m.Direction.INBOUND,
        m.Interaction.occurred_at >= cutoff,
    )
    query = (
        select(m.Ticket)
        .options(joinedload(m.Ticket.vendor))
        .where(
            m.Ticket.status == m.TicketStatus.WAITING_ON_VENDOR,
            m.Ticket.opened_on <= cutoff.date(),
            ~recent_inbound,
        )
        .order_by(m.Ticket.opened_on, m.Ticket.id)
    )
    return list(session.scalars(query))


def notice_deadlines(
    session: Session, within_days: int = 30, on: date | None = None
) -> list[m.Agreement]:
    on = on or today()
    query = (
        select(m.Agreement)
        .options(joinedload(m.Agreement.vendor))
        .where(
            m.Agreement.notice_deadline >= on,
            m.Agreement.notice_deadline <= on + timedelta(days=within_days),
        )
        .order_by(m.Agreement.notice_deadline, m.Agreement.id)
    )
    return list(session.scalars(query))


def service_due(
    session: Session, within_days: int = 14, on: date | None = None
) -> list[m.ServiceEvent]:
    """The latest service of each kind (asset and description) whose next one is due."""
    on = on or today()
    later = aliased(m.ServiceEvent)
    superseded = exists().where(
        later.asset_id == m.ServiceEvent.asset_id,
        later.description == m.ServiceEvent.description,
        later.performed_on > m.ServiceEvent.performed_on,
    )
    query = (
        select(m.ServiceEvent)
        .options(joinedload(m.ServiceEvent.asset))
        .join(m.Asset, m.Asset.id == m.ServiceEvent.asset_id)
        .where(
            m.ServiceEvent.next_due <= on + timedelta(days=within_days),
            m.Asset.status == m.AssetStatus.IN_USE,
            ~superseded,
        )
        .order_by(m.ServiceEvent.next_due, m.ServiceEvent.id)
    )
    return list(session.scalars(query))


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
    return breaches


def dashboard(session: Session, lead: Lead | None = None, on: date | None = None) -> Dashboard:
    lead = lead or Lead()
    return Dashboard(
        expiring_warranties=expiring_warranties(session, lead.warranty_days, on),
        follow_ups_due=follow_ups_due(session, on),
        waiting_too_long=waiting_too_long(session, lead.waiting_days, on),
        notice_deadlines=notice_deadlines(session, lead.notice_days, on),
        service_due=service_due(session, lead.service_days, on),
        over_policy=over_contact_policy(session, on),
    )

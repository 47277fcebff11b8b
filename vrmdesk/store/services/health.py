"""Relationship health: how a relationship with one vendor is going, at a glance."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vrmdesk.store import models as m
from vrmdesk.store.services.dashboard import offers_in_year
from vrmdesk.store.services.rules import add_months, today


@dataclass(frozen=True)
class MonthCount:
    month: date  # first day of the month
    inbound: int
    outbound: int


@dataclass(frozen=True)
class Health:
    months: list[MonthCount]
    last_contact: datetime | None
    open_tickets: int
    median_response: timedelta | None
    responses_measured: int
    offers_last_year: int
    offer_limit: int | None

    @property
    def over_policy(self) -> bool:
        return self.offer_limit is not None and self.offers_last_year > self.offer_limit


def monthly_counts(
    session: Session, vendor_id: int, months: int = 12, on: date | None = None
) -> list[MonthCount]:
    """Interactions per month, inbound and outbound, for the last ``months`` months."""
    on = on or today()
    first = add_months(on.replace(day=1), -(months - 1))
    month = func.strftime("%Y-%m", m.Interaction.occurred_at)
    rows = session.execute(
        select(month, m.Interaction.direction, func.count())
        .where(
            m.Interaction.vendor_id == vendor_id,
            m.Interaction.occurred_at >= datetime.combine(first, datetime.min.time()),
        )
        .group_by(month, m.Interaction.direction)
    ).all()
    counts: dict[tuple[str, str], int] = {(ym, str(d)): n for ym, d, n in rows}
    out = []
    for i in range(months):
        start = add_months(first, i)
        key = start.strftime("%Y-%m")
        out.append(
            MonthCount(
                start,
                counts.get((key, m.Direction.INBOUND.value), 0),
                counts.get((key, m.Direction.OUTBOUND.value), 0),
            )
        )
    return out


def response_times(session: Session, vendor_id: int) -> list[timedelta]:
    """On each ticket: from each message of mine to the vendor's next answer."""
    rows = session.execute(
        select(m.Interaction.ticket_id, m.Interaction.occurred_at, m.Interaction.direction)
        .where(m.Interaction.vendor_id == vendor_id, m.Interaction.ticket_id.is_not(None))
        .order_by(m.Interaction.ticket_id, m.Interaction.occurred_at, m.Interaction.id)
    ).all()
    delays: list[timedelta] = []
    waiting_since: dict[int | None, datetime] = {}  # ticket_id: never None, as asked for
    for ticket_id, when, direction in rows:
        if direction == m.Direction.OUTBOUND:
            waiting_since.setdefault(ticket_id, when)
        elif ticket_id in waiting_since:
            delays.append(when - waiting_since.pop(ticket_id))
    return delays


def vendor_health(
    session: Session, vendor_id: int, months: int = 12, on: date | None = None
) -> Health:
    vendor = session.get(m.Vendor, vendor_id)
    last = session.scalar(
        select(func.max(m.Interaction.occurred_at)).where(m.Interaction.vendor_id == vendor_id)
    )
    open_tickets = (
        session.scalar(
            select(func.count()).where(
                m.Ticket.vendor_id == vendor_id, m.Ticket.status.in_(m.OPEN_TICKET_STATUSES)
            )
        )
        or 0
    )
    delays = response_times(session, vendor_id)
    median = (
        timedelta(seconds=statistics.median(d.total_seconds() for d in delays)) if delays else None
    )
    return Health(
        months=monthly_counts(session, vendor_id, months, on),
        last_contact=last,
        open_tickets=open_tickets,
        median_response=median,
        responses_measured=len(delays),
        offers_last_year=offers_in_year(session, vendor_id, on),
        offer_limit=vendor.max_offers_per_year if vendor else None,
    )

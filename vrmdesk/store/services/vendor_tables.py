"""The rows of a vendor page's tables: its things, tickets, offers and agreements.

Like ``views.py``: frozen dataclasses, not ORM objects; ``offset``/``limit`` for lazy views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from vrmdesk.store import models as m
from vrmdesk.store.services import records, rules
from vrmdesk.store.services.dashboard import Lead
from vrmdesk.store.services.views import label


@dataclass(frozen=True)
class ThingRow:
    id: int
    name: str
    category: str
    role: str  # "maker", "seller" or "maker and seller"
    purchase_date: date | None
    status: str
    #: the best cover the thing has (active before expiring before not started …), or None
    warranty_state: str | None
    warranty_ends: date | None
    warranties: tuple[str, ...]  # one line per warranty, for a tooltip
    expiring: int = 0  # how many of its warranties end soon


_COVER_RANK = {
    m.WarrantyState.ACTIVE: 0,
    m.WarrantyState.EXPIRING: 1,
    m.WarrantyState.NOT_STARTED: 2,
    m.WarrantyState.EXPIRED: 3,
    m.WarrantyState.VOID: 4,
}


def vendor_things(
    session: Session,
    vendor_id: int,
    *,
    offset: int = 0,
    limit: int | None = None,
    lead: Lead | None = None,
    on: date | None = None,
) -> list[ThingRow]:
    """Things this vendor made or sold, with the state of their best warranty."""
    lead, on = lead or Lead(), on or rules.today()
    query = (
        select(m.Asset)
        .options(selectinload(m.Asset.warranties))
        .where(or_(m.Asset.maker_id == vendor_id, m.Asset.seller_id == vendor_id))
        .order_by(m.Asset.name, m.Asset.id)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = []
    for asset in session.scalars(query):
        roles = [
            r
            for r, col in (("maker", asset.maker_id), ("seller", asset.seller_id))
            if col == vendor_id
        ]
        states = [(rules.warranty_state(w, on, lead.warranty_days), w) for w in asset.warranties]
        best = min(
            states, key=lambda sw: (_COVER_RANK[sw[0]], -sw[1].ends_on.toordinal()), default=None
        )
        rows.append(
            ThingRow(
                id=asset.id,
                name=asset.name,
                category=asset.category,
                role=" and ".join(roles),
                purchase_date=asset.purchase_date,
                status=str(asset.status),
                warranty_state=str(best[0]) if best else None,
                warranty_ends=best[1].ends_on if best else None,
                warranties=tuple(
                    f"{w.title or 'Warranty'}: {label(s)}, ends {w.ends_on:%d %b %Y}"
                    for s, w in states
                ),
                expiring=sum(1 for s, _ in states if s == m.WarrantyState.EXPIRING),
            )
        )
    return rows


@dataclass(frozen=True)
class TicketRow(rules.TicketState):
    id: int
    title: str
    reference: str
    status: str
    opened_on: date
    closed_on: date | None
    follow_up_on: date | None
    thing: str
    messages: int
    last_message: datetime | None


def vendor_tickets(
    session: Session, vendor_id: int, *, offset: int = 0, limit: int | None = None
) -> list[TicketRow]:
    """A vendor's tickets: open ones first, then newest first."""
    t, i = m.Ticket, m.Interaction
    messages = select(func.count()).where(i.ticket_id == t.id).correlate(t).scalar_subquery()
    last = select(func.max(i.occurred_at)).where(i.ticket_id == t.id).correlate(t).scalar_subquery()
    query = (
        select(t, m.Asset.name, messages, last)
        .outerjoin(m.Asset, m.Asset.id == t.asset_id)
        .where(t.vendor_id == vendor_id)
        .order_by(
            case((t.status.in_(m.OPEN_TICKET_STATUSES), 0), else_=1),
            t.opened_on.desc(),
            t.id.desc(),
        )
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        TicketRow(
            id=tk.id,
            title=tk.title,
            reference=tk.reference,
            status=str(tk.status),
            opened_on=tk.opened_on,
            closed_on=tk.closed_on,
            follow_up_on=tk.follow_up_on,
            thing=thing or "",
            messages=n,
            last_message=when,
        )
        for tk, thing, n, when in session.execute(query)
    ]


@dataclass(frozen=True)
class OfferRow:
    id: int
    received_at: datetime
    channel: str
    #: the whole text on one line (the view elides it to its column)
    content: str
    #: False when my contact policy does not allow this channel for this vendor
    allowed_channel: bool


def vendor_offers(
    session: Session, vendor_id: int, *, offset: int = 0, limit: int | None = None
) -> list[OfferRow]:
    vendor = records.get(session, m.Vendor, vendor_id)
    allowed = set(vendor.allowed_channels or ())
    query = (
        select(m.Offer)
        .where(m.Offer.vendor_id == vendor_id)
        .order_by(m.Offer.received_at.desc(), m.Offer.id.desc())
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        OfferRow(
            o.id,
            o.received_at,
            str(o.channel),
            " ".join(o.content.split()) or records.title_of(o),
            not allowed or str(o.channel) in allowed,
        )
        for o in session.scalars(query)
    ]


@dataclass(frozen=True)
class AgreementRow:
    id: int
    title: str
    started_on: date
    renews_on: date | None
    notice_deadline: date | None
    cost: str
    period: str


def vendor_agreements(
    session: Session, vendor_id: int, *, offset: int = 0, limit: int | None = None
) -> list[AgreementRow]:
    query = select(m.Agreement).where(m.Agreement.vendor_id == vendor_id)
    query = query.order_by(*rules.DEFAULT_ORDER[m.Agreement]).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [
        AgreementRow(
            a.id,
            a.title,
            a.started_on,
            a.renews_on,
            a.notice_deadline,
            rules.format_amount(a.cost_minor, a.currency),
            str(a.period),
        )
        for a in session.scalars(query)
    ]

"""The things a person owns, across vendors: the queries behind the Things page.

``asset_rows`` is one pass over the assets (with their maker's and seller's names) and one over
the warranties, so a list of 5,000 things with 10,000 warranties loads in a fraction of a second.
Each row carries the *best* warranty state of the thing: the state of the warranty that covers it
best today (an active one beats one that is expiring, which beats one not started yet, …).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased, joinedload

from vrmdesk.store import models as m
from vrmdesk.store.services import rules

#: how good a warranty state is for its thing, best first
STATE_RANK: dict[m.WarrantyState, int] = {
    m.WarrantyState.ACTIVE: 0,
    m.WarrantyState.EXPIRING: 1,
    m.WarrantyState.NOT_STARTED: 2,
    m.WarrantyState.EXPIRED: 3,
    m.WarrantyState.VOID: 4,
}


@dataclass(frozen=True, slots=True)
class AssetRow:
    """One thing as a list shows it (plain values: safe to keep after the session ends)."""

    id: int
    name: str
    category: str
    maker: str
    seller: str
    model: str
    serial_number: str
    location: str
    purchase_date: date | None
    status: m.AssetStatus
    #: the best warranty state, None when the thing has no warranty
    warranty_state: m.WarrantyState | None = None
    #: when the warranty giving that state ends
    warranty_ends_on: date | None = None
    warranty_title: str = ""


@dataclass(frozen=True, slots=True)
class WarrantyRow:
    id: int
    title: str
    provider: str
    starts_on: date
    ends_on: date
    coverage: m.Coverage
    state: m.WarrantyState
    how_to_claim: str


@dataclass(frozen=True, slots=True)
class RegistrationRow:
    id: int
    vendor: str
    registered_on: date
    registration_ref: str
    data_given: str
    marketing_consent: bool


@dataclass(frozen=True, slots=True)
class ServiceRow:
    id: int
    performed_on: date
    description: str
    performed_by: str
    vendor: str
    cost: str
    interval_months: int | None
    next_due: date | None
    #: a later service of the same kind was done: this one's ``next_due`` no longer applies
    superseded: bool = False


@dataclass(frozen=True, slots=True)
class TicketRow:
    id: int
    title: str
    vendor_id: int
    vendor: str
    reference: str
    status: m.TicketStatus
    opened_on: date
    follow_up_on: date | None


@dataclass
class AssetDetail:
    """Everything the page of one thing shows."""

    id: int
    name: str
    category: str
    maker_id: int | None
    maker: str
    seller_id: int | None
    seller: str
    model: str
    serial_number: str
    purchase_date: date | None
    price: str
    order_number: str
    location: str
    status: m.AssetStatus
    notes: str
    #: the thing's tags, by name
    tags: tuple[str, ...] = ()
    warranties: list[WarrantyRow] = field(default_factory=list)
    registrations: list[RegistrationRow] = field(default_factory=list)
    service: list[ServiceRow] = field(default_factory=list)
    tickets: list[TicketRow] = field(default_factory=list)

    @property
    def next_service_due(self) -> date | None:
        """The earliest next service among the latest service of each kind (as the dashboard)."""
        dues = [s.next_due for s in self.service if s.next_due is not None and not s.superseded]
        return min(dues) if dues else None


def best_warranty(
    warranties: list[tuple[str, m.WarrantyState, date]],
) -> tuple[str, m.WarrantyState, date] | None:
    """Of (title, state, ends_on) triples, the one that covers best (the latest end on a tie)."""
    if not warranties:
        return None
    return min(warranties, key=lambda w: (STATE_RANK[w[1]], -w[2].toordinal()))


def asset_rows(session: Session, on: date | None = None) -> list[AssetRow]:
    """Every thing, by name, with maker, seller and best warranty state."""
    on = on or rules.today()
    maker = aliased(m.Vendor)
    seller = aliased(m.Vendor)
    warranties: dict[int, list[tuple[str, m.WarrantyState, date]]] = {}
    query_w = select(
        m.Warranty.asset_id,
        m.Warranty.title,
        m.Warranty.void,
        m.Warranty.starts_on,
        m.Warranty.ends_on,
    )
    for w in session.execute(query_w):
        state = rules.warranty_state(w, on)
        warranties.setdefault(w.asset_id, []).append((w.title, state, w.ends_on))
    query = (
        select(
            m.Asset.id,
            m.Asset.name,
            m.Asset.category,
            m.Asset.model,
            m.Asset.serial_number,
            m.Asset.location,
            m.Asset.purchase_date,
            m.Asset.status,
            maker.name.label("maker"),
            seller.name.label("seller"),
        )
        .outerjoin(maker, maker.id == m.Asset.maker_id)
        .outerjoin(seller, seller.id == m.Asset.seller_id)
        .order_by(m.Asset.name, m.Asset.id)
    )
    rows = []
    for a in session.execute(query):
        best = best_warranty(warranties.get(a.id, []))
        rows.append(
            AssetRow(
                id=a.id,
                name=a.name,
                category=a.category or "",
                maker=a.maker or "",
                seller=a.seller or "",
                model=a.model or "",
                serial_number=a.serial_number or "",
                location=a.location or "",
                purchase_date=a.purchase_date,
                status=a.status,
                warranty_state=best[1] if best else None,
                warranty_ends_on=best[2] if best else None,
                warranty_title=best[0] if best else "",
            )
        )
    return rows


def categories(session: Session) -> list[str]:
    """The distinct categories in use, sorted (for a filter and for completing a new one)."""
    return _distinct(session, m.Asset.category)


def locations(session: Session) -> list[str]:
    return _distinct(session, m.Asset.location)


def _distinct(session: Session, column: InstrumentedAttribute[str]) -> list[str]:
    values = session.scalars(select(column).where(column != "").distinct())
    return sorted({v for v in values if v}, key=str.casefold)


def asset_choices(session: Session) -> list[tuple[int, str]]:
    """(id, label) of every thing for a picker; the model is added where there is one."""
    query = select(m.Asset.id, m.Asset.name, m.Asset.model).order_by(m.Asset.name, m.Asset.id)
    return [(a.id, f"{a.name} ({a.model})" if a.model else a.name) for a in session.execute(query)]


def related_tickets(session: Session, asset_id: int) -> list[m.Ticket]:
    """Tickets about a thing: linked to it, or holding an interaction linked to it."""
    via_interactions = select(m.Interaction.ticket_id).where(
        m.Interaction.asset_id == asset_id, m.Interaction.ticket_id.is_not(None)
    )
    query = (
        select(m.Ticket)
        .options(joinedload(m.Ticket.vendor))
        .where(or_(m.Ticket.asset_id == asset_id, m.Ticket.id.in_(via_interactions)))
        .order_by(m.Ticket.opened_on.desc(), m.Ticket.id.desc())
    )
    return list(session.scalars(query))


def asset_detail(session: Session, asset_id: int, on: date | None = None) -> AssetDetail:
    """One thing with its warranties (and their states), registrations, service and tickets."""
    from vrmdesk.store.services import records, tags

    on = on or rules.today()
    asset = records.get(session, m.Asset, asset_id)
    detail = AssetDetail(
        id=asset.id,
        name=asset.name,
        category=asset.category,
        maker_id=asset.maker_id,
        maker=asset.maker.name if asset.maker else "",
        seller_id=asset.seller_id,
        seller=asset.seller.name if asset.seller else "",
        model=asset.model,
        serial_number=asset.serial_number,
        purchase_date=asset.purchase_date,
        price=rules.format_amount(asset.price_minor, asset.currency),
        order_number=asset.order_number,
        location=asset.location,
        status=asset.status,
        notes=asset.notes or "",
        tags=tuple(tags.tags_of(session, asset)),
    )
    warranties = session.scalars(
        select(m.Warranty)
        .options(joinedload(m.Warranty.provider))
        .where(m.Warranty.asset_id == asset_id)
        .order_by(*rules.DEFAULT_ORDER[m.Warranty])
    )
    detail.warranties = [
        WarrantyRow(
            id=w.id,
            title=w.title,
            provider=w.provider.name if w.provider else "",
            starts_on=w.starts_on,
            ends_on=w.ends_on,
            coverage=w.coverage,
            state=rules.warranty_state(w, on),
            how_to_claim=w.how_to_claim or "",
        )
        for w in warranties
    ]
    registrations = session.scalars(
        select(m.Registration)
        .options(joinedload(m.Registration.vendor))
        .where(m.Registration.asset_id == asset_id)
        .order_by(*rules.DEFAULT_ORDER[m.Registration])
    )
    detail.registrations = [
        RegistrationRow(
            id=r.id,
            vendor=r.vendor.name,
            registered_on=r.registered_on,
            registration_ref=r.registration_ref,
            data_given=r.data_given or "",
            marketing_consent=r.marketing_consent,
        )
        for r in registrations
    ]
    events = session.scalars(
        select(m.ServiceEvent)
        .options(joinedload(m.ServiceEvent.vendor))
        .where(m.ServiceEvent.asset_id == asset_id)
        .order_by(*rules.DEFAULT_ORDER[m.ServiceEvent])
    )
    seen: set[str] = set()  # newest first: the first of each description is the latest
    for e in events:
        kind_of_service = e.description or ""
        detail.service.append(
            ServiceRow(
                id=e.id,
                performed_on=e.performed_on,
                description=e.description or "",
                performed_by=e.performed_by,
                vendor=e.vendor.name if e.vendor else "",
                cost=rules.format_amount(e.cost_minor, e.currency),
                interval_months=e.interval_months,
                next_due=e.next_due,
                superseded=kind_of_service in seen,
            )
        )
        seen.add(kind_of_service)
    detail.tickets = [
        TicketRow(
            id=t.id,
            title=t.title,
            vendor_id=t.vendor_id,
            vendor=t.vendor.name,
            reference=t.reference,
            status=t.status,
            opened_on=t.opened_on,
            follow_up_on=t.follow_up_on,
        )
        for t in related_tickets(session, asset_id)
    ]
    return detail

"""Requests for quotes (intentcasting): one request to several vendors, their quotes side by side.

    request = quotes.create_request(session, quotes.RequestDraft(subject=…, vendors=[…]))
    quotes.record_sent(session, request.id, vendor_id, bundle_id, sent_at)   # per bundle
    quotes.record_quote(session, …)           # the importer, for a vendor's signed vrm:Quote
    view = quotes.show(session, request.id)    # the quotes, price, validity, response, health
    decision = quotes.accept(session, request.id, "Installer A")

The bundles themselves are built by :mod:`vrmdesk.share.rfq` (this layer writes no file). A
request goes out "for this request only, no marketing, kept N days"; accepting a quote puts the
decision on every vendor's timeline it went to and drafts a thank-you/decline for the others.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from vrmshare.text import has_lone_surrogate

from vrmdesk.errors import NotFound, ValidationError
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.services.health import vendor_health
from vrmdesk.store.services.rules import format_amount, parse_amount, today

STATES = ("open", "decided", "withdrawn")
DEFAULT_RETENTION_DAYS = 90
MAX_CONSTRAINTS = 50
_CURRENCY = re.compile(r"[A-Z]{3}")


def check_currency(code: str, what: str = "The currency") -> str:
    """An ISO 4217 code as three capital letters (``eur`` is taken as ``EUR``)."""
    code = (code or "").strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise ValidationError(
            f"{what} must be a three-letter ISO 4217 code such as EUR or USD.", field="currency"
        )
    return code


@dataclass
class RequestDraft:
    """What a person asks for, before it is checked."""

    subject: str = ""
    body: str = ""
    vendors: Sequence[str | int] = ()
    constraints: Sequence[str] = ()
    budget: str | None = None
    currency: str | None = None
    wanted_by: date | None = None
    asset_ids: Sequence[int] = ()
    retention_days: int = DEFAULT_RETENTION_DAYS


@dataclass(frozen=True)
class Checked:
    vendors: list[m.Vendor]
    subject: str
    body: str
    constraints: list[str]
    budget_minor: int | None
    currency: str | None
    wanted_by: date | None
    asset_ids: list[int]
    retention_days: int


def _text(value: str, what: str, field_name: str, limit: int) -> str:
    value = (value or "").strip()
    if has_lone_surrogate(value):
        raise ValidationError(f"{what} is not valid text.", field=field_name)
    if len(value) > limit:
        raise ValidationError(f"{what} is too long (at most {limit} characters).", field_name)
    return value


def check(session: Session, draft: RequestDraft, on: date | None = None) -> Checked:
    """The draft checked: known vendors (at least one), a subject, a budget with its currency,
    a wanted-by date not past, things that exist. Raises ValidationError / NotFound."""
    if not draft.vendors:
        raise ValidationError("Choose at least one vendor to ask for a quote.", field="vendors")
    vendors: list[m.Vendor] = []
    for name in draft.vendors:
        vendor = records.find_vendor(session, name)
        if vendor not in vendors:
            vendors.append(vendor)
    subject = _text(draft.subject, "The subject", "subject", 500)
    if not subject:
        raise ValidationError("Give the request a subject (what you want a quote for).", "subject")
    body = _text(draft.body, "The text", "body", 10000)
    constraints = [
        _text(c, "A constraint", "constraints", 1000) for c in draft.constraints if c.strip()
    ]
    if len(constraints) > MAX_CONSTRAINTS:
        raise ValidationError(f"At most {MAX_CONSTRAINTS} constraints.", field="constraints")
    budget = parse_amount(draft.budget, "budget") if draft.budget not in (None, "") else None
    currency = None
    if budget is not None:
        if budget <= 0:
            raise ValidationError("The budget must be more than zero.", field="budget")
        if not draft.currency:
            raise ValidationError("Give the budget's currency (for example EUR).", "currency")
        currency = check_currency(draft.currency, "The budget's currency")
    elif draft.currency:
        currency = check_currency(draft.currency, "The budget's currency")
    if draft.wanted_by is not None and draft.wanted_by < (on or today()):
        raise ValidationError("The wanted-by date is in the past.", field="wanted_by")
    days = draft.retention_days
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 36500:
        raise ValidationError(
            "The retention must be a whole number of days from 0 to 36500.", "retention_days"
        )
    asset_ids = list(dict.fromkeys(int(a) for a in draft.asset_ids))
    for asset_id in asset_ids:
        if session.get(m.Asset, asset_id) is None:
            raise NotFound(f"There is no thing with id {asset_id}.", field="asset_ids")
    return Checked(
        vendors, subject, body, constraints, budget, currency, draft.wanted_by, asset_ids, days
    )


def create_request(session: Session, checked: Checked, *, uid: str | None = None) -> m.QuoteRequest:
    """Store the checked request (state ``open``); its @id is ``uid`` or a new one."""
    request = m.QuoteRequest(
        uid=uid or f"urn:uuid:{uuid.uuid4()}",
        subject=checked.subject,
        body=checked.body,
        constraints=checked.constraints,
        budget_minor=checked.budget_minor,
        currency=checked.currency,
        wanted_by=checked.wanted_by,
        retention_days=checked.retention_days,
        asset_ids=checked.asset_ids,
        state="open",
    )
    session.add(request)
    session.flush()
    return request


def get(session: Session, request_id: int) -> m.QuoteRequest:
    request = session.get(m.QuoteRequest, request_id)
    if request is None:
        raise NotFound(f"There is no quote request {request_id}.", field="id")
    return request


def record_sent(
    session: Session, request_id: int, vendor_id: int, bundle_id: str, sent_at: datetime
) -> m.QuoteRecipient:
    """One bundle of the request gone to a vendor, and on its timeline."""
    request = get(session, request_id)
    recipient = m.QuoteRecipient(
        request_id=request.id, vendor_id=vendor_id, bundle_id=bundle_id, sent_at=sent_at
    )
    session.add(recipient)
    records.create(
        session,
        m.Interaction,
        vendor_id=vendor_id,
        occurred_at=sent_at,
        direction=m.Direction.OUTBOUND,
        channel=m.InteractionChannel.NOTE,
        subject=f"Request for a quote: {request.subject}"[:500],
        body=_request_text(request),
    )
    return recipient


def _request_text(request: m.QuoteRequest) -> str:
    lines = [request.body] if request.body else []
    lines += [f"- {c}" for c in request.constraints]
    if request.budget_minor is not None:
        lines.append(f"Budget: {format_amount(request.budget_minor, request.currency)}")
    if request.wanted_by is not None:
        lines.append(f"Wanted by: {request.wanted_by.isoformat()}")
    lines.append(f"Terms: quote only, no marketing, delete within {request.retention_days} days.")
    return "\n".join(lines)


def recipient_for(session: Session, bundle_id: str) -> m.QuoteRecipient | None:
    """The recipient row of the request bundle ``bundle_id`` (a Disclosure's)."""
    return session.scalar(select(m.QuoteRecipient).where(m.QuoteRecipient.bundle_id == bundle_id))


def record_quote(
    session: Session,
    recipient: m.QuoteRecipient,
    *,
    price_minor: int,
    currency: str,
    valid_until: date,
    message: str,
    received_at: datetime,
    bundle_id: str,
    uid: str,
) -> m.Quote:
    """A vendor's quote against the request it was sent (the importer checked its signature)."""
    quote = m.Quote(
        request_id=recipient.request_id,
        vendor_id=recipient.vendor_id,
        price_minor=price_minor,
        currency=currency,
        valid_until=valid_until,
        message=message,
        received_at=max(received_at, recipient.sent_at),
        bundle_id=bundle_id,
        uid=uid,
    )
    session.add(quote)
    session.flush()
    return quote


# -- reading --------------------------------------------------------------------------------
@dataclass(frozen=True)
class HealthSummary:
    open_tickets: int
    median_response_days: float | None
    last_contact: datetime | None
    over_policy: bool

    def describe(self) -> str:
        parts = [f"{self.open_tickets} open ticket{'s' if self.open_tickets != 1 else ''}"]
        if self.median_response_days is not None:
            parts.append(f"answers in {self.median_response_days:g} d (median)")
        if self.over_policy:
            parts.append("over my contact policy")
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "open_tickets": self.open_tickets,
            "median_response_days": self.median_response_days,
            "last_contact": self.last_contact.isoformat() if self.last_contact else None,
            "over_policy": self.over_policy,
        }


def health_summary(session: Session, vendor_id: int, on: date | None = None) -> HealthSummary:
    health = vendor_health(session, vendor_id, on=on)
    median = health.median_response
    return HealthSummary(
        health.open_tickets,
        round(median.total_seconds() / 86400, 1) if median is not None else None,
        health.last_contact,
        health.over_policy,
    )


@dataclass(frozen=True)
class QuoteRow:
    id: int
    vendor_id: int
    vendor: str
    price_minor: int
    currency: str
    valid_until: date
    expired: bool
    message: str
    sent_at: datetime | None
    received_at: datetime
    response: timedelta | None  # from the request sent to the quote signed
    health: HealthSummary
    accepted: bool

    @property
    def response_days(self) -> float | None:
        if self.response is None:
            return None
        return round(self.response.total_seconds() / 86400, 1)

    @property
    def price(self) -> str:
        return format_amount(self.price_minor, self.currency)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "vendor": self.vendor,
            "price": f"{self.price_minor // 100}.{self.price_minor % 100:02d}",
            "price_minor": self.price_minor,
            "currency": self.currency,
            "valid_until": self.valid_until.isoformat(),
            "expired": self.expired,
            "message": self.message,
            "received_at": self.received_at.isoformat(),
            "response_days": self.response_days,
            "health": self.health.to_json(),
            "accepted": self.accepted,
        }


@dataclass(frozen=True)
class RecipientRow:
    vendor_id: int
    vendor: str
    sent_at: datetime
    bundle_id: str
    quoted: bool


@dataclass(frozen=True)
class RequestView:
    id: int
    uid: str
    subject: str
    body: str
    constraints: list[str]
    budget_minor: int | None
    currency: str | None
    wanted_by: date | None
    retention_days: int
    state: str
    created: datetime
    recipients: list[RecipientRow] = field(default_factory=list)
    quotes: list[QuoteRow] = field(default_factory=list)

    @property
    def budget(self) -> str:
        return format_amount(self.budget_minor, self.currency)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "uid": self.uid,
            "subject": self.subject,
            "text": self.body,
            "constraints": self.constraints,
            "budget": self.budget or None,
            "wanted_by": self.wanted_by.isoformat() if self.wanted_by else None,
            "retention_days": self.retention_days,
            "state": self.state,
            "created": self.created.isoformat(),
            "vendors": [
                {"vendor": r.vendor, "sent_at": r.sent_at.isoformat(), "quoted": r.quoted}
                for r in self.recipients
            ],
            "quotes": [q.to_json() for q in self.quotes],
        }


def show(session: Session, request_id: int, on: date | None = None) -> RequestView:
    """The request with its quotes side by side, cheapest first within a currency."""
    request = get(session, request_id)
    on = on or today()
    sent = {r.vendor_id: r for r in request.recipients}
    rows = session.scalars(select(m.Quote).where(m.Quote.request_id == request.id)).all()
    health: dict[int, HealthSummary] = {}
    quotes = []
    for q in rows:
        if q.vendor_id not in health:
            health[q.vendor_id] = health_summary(session, q.vendor_id, on)
        recipient = sent.get(q.vendor_id)
        response = q.received_at - recipient.sent_at if recipient is not None else None
        quotes.append(
            QuoteRow(
                q.id,
                q.vendor_id,
                q.vendor.name,
                q.price_minor,
                q.currency,
                q.valid_until,
                q.valid_until < on,
                q.message,
                recipient.sent_at if recipient else None,
                q.received_at,
                response,
                health[q.vendor_id],
                q.id == request.accepted_quote_id,
            )
        )
    quotes.sort(key=lambda q: (q.currency, q.price_minor, q.vendor.casefold()))
    quoted = {q.vendor_id for q in quotes}
    return RequestView(
        request.id,
        request.uid,
        request.subject,
        request.body,
        list(request.constraints),
        request.budget_minor,
        request.currency,
        request.wanted_by,
        request.retention_days,
        request.state,
        request.created_at,
        [
            RecipientRow(r.vendor_id, r.vendor.name, r.sent_at, r.bundle_id, r.vendor_id in quoted)
            for r in sorted(request.recipients, key=lambda r: r.vendor.name.casefold())
        ],
        quotes,
    )


@dataclass(frozen=True)
class RequestRow:
    id: int
    subject: str
    state: str
    created: datetime
    vendors: int
    quotes: int
    accepted: str  # the vendor whose quote was accepted, or ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subject": self.subject,
            "state": self.state,
            "created": self.created.isoformat(),
            "vendors": self.vendors,
            "quotes": self.quotes,
            "accepted": self.accepted or None,
        }


def list_requests(session: Session) -> list[RequestRow]:
    """Every request, newest first, with how many vendors it went to and how many quoted."""
    sent = (
        select(m.QuoteRecipient.request_id, func.count().label("n"))
        .group_by(m.QuoteRecipient.request_id)
        .subquery()
    )
    quoted = (
        select(m.Quote.request_id, func.count().label("n")).group_by(m.Quote.request_id).subquery()
    )
    accepted = (
        select(m.Vendor.name)
        .join(m.Quote, m.Quote.vendor_id == m.Vendor.id)
        .where(m.Quote.id == m.QuoteRequest.accepted_quote_id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            m.QuoteRequest,
            func.coalesce(sent.c.n, 0),
            func.coalesce(quoted.c.n, 0),
            accepted,
        )
        .outerjoin(sent, sent.c.request_id == m.QuoteRequest.id)
        .outerjoin(quoted, quoted.c.request_id == m.QuoteRequest.id)
        .order_by(m.QuoteRequest.created_at.desc(), m.QuoteRequest.id.desc())
    ).all()
    return [
        RequestRow(r.id, r.subject, r.state, r.created_at, n_sent, n_quoted, name or "")
        for r, n_sent, n_quoted, name in rows
    ]


# -- deciding -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Letter:
    """A message drafted for the person to send (vrmdesk sends nothing itself)."""

    vendor_id: int
    vendor: str
    subject: str
    body: str


@dataclass(frozen=True)
class Decision:
    request_id: int
    accepted: QuoteRow
    letters: list[Letter]


def _vendor_quote(view: RequestView, vendor: str | int) -> QuoteRow:
    text = str(vendor).strip()
    matches = [
        q
        for q in view.quotes
        if q.vendor.casefold() == text.casefold() or (text.isdigit() and q.vendor_id == int(text))
    ]
    if not matches:
        names = ", ".join(sorted({q.vendor for q in view.quotes})) or "none yet"
        raise NotFound(
            f"{text!r} has sent no quote for request {view.id} (quotes from: {names}).", "vendor"
        )
    return max(matches, key=lambda q: (q.received_at, q.id))  # its latest


def accept(
    session: Session, request_id: int, vendor: str | int, on: date | None = None
) -> Decision:
    """Accept the vendor's (latest) quote: the request is decided, the decision is on every
    timeline it went to, and the other vendors get a drafted thank-you/decline."""
    request = get(session, request_id)
    if request.state != "open":
        raise ValidationError(
            f"Quote request {request.id} is {request.state} already; nothing changed.", "id"
        )
    view = show(session, request_id, on)
    chosen = _vendor_quote(view, vendor)
    if chosen.expired:
        raise ValidationError(
            f"The quote of {chosen.vendor} was valid until {chosen.valid_until.isoformat()}; "
            "ask for a new one rather than accept an expired quote.",
            "vendor",
        )
    now = m.utcnow().replace(microsecond=0)
    request.state = "decided"
    request.accepted_quote_id = chosen.id
    request.decided_at = now
    for recipient in view.recipients:
        mine = recipient.vendor_id == chosen.vendor_id
        records.create(
            session,
            m.Interaction,
            vendor_id=recipient.vendor_id,
            occurred_at=now,
            direction=m.Direction.OUTBOUND,
            channel=m.InteractionChannel.NOTE,
            subject=(
                f"Quote accepted: {request.subject}"
                if mine
                else f"Quote request decided (another offer chosen): {request.subject}"
            )[:500],
            body=(
                f"Accepted the quote of {chosen.price}, valid until "
                f"{chosen.valid_until.isoformat()}."
                if mine
                else f"Went with another vendor's quote for {request.subject!r}."
            ),
        )
    session.flush()
    return Decision(request.id, chosen, letters(session, request.id))


def withdraw(session: Session, request_id: int) -> m.QuoteRequest:
    """Withdraw an open request (I no longer want it); its quotes stay, none can be accepted."""
    request = get(session, request_id)
    if request.state != "open":
        raise ValidationError(
            f"Quote request {request.id} is {request.state} already; nothing changed.", "id"
        )
    request.state = "withdrawn"
    request.decided_at = m.utcnow().replace(microsecond=0)
    session.flush()
    return request


def letters(session: Session, request_id: int) -> list[Letter]:
    """The thank-you/decline drafted for each vendor not chosen (once the request is decided)."""
    request = get(session, request_id)
    if request.state != "decided":
        return []
    view = show(session, request_id)
    chosen = next((q for q in view.quotes if q.accepted), None)
    out = []
    for recipient in view.recipients:
        if chosen is not None and recipient.vendor_id == chosen.vendor_id:
            continue
        quoted = recipient.quoted
        thanks = "Thank you for your quote" if quoted else "Thank you for looking at my request"
        body = (
            f"Hello {recipient.vendor},\n\n"
            f"{thanks} for {request.subject!r} (my request of "
            f"{recipient.sent_at.date().isoformat()}).\n\n"
            "I have decided to go with another offer this time, so I will not take yours up. "
            f"As my request's terms said, please delete what I sent with it; "
            "do not use it for marketing.\n\n"
            "Kind regards"
        )
        out.append(
            Letter(recipient.vendor_id, recipient.vendor, f"Re: {request.subject}"[:500], body)
        )
    return out

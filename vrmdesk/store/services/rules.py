"""The rules of each kind of record: defaults, derived fields and what is refused."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, MutableMapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Any, Protocol
from urllib.parse import urlsplit

from pyrage import x25519
from sqlalchemy import select
from sqlalchemy.orm import Session

from vrmdesk.errors import ValidationError
from vrmdesk.store import models as m

EXPIRING_DAYS = 60


def add_months(start: date, months: int) -> date:
    """``start`` plus whole months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def today() -> date:
    return date.today()


class WarrantyDates(Protocol):
    """What a warranty's state follows from: a Warranty, or a row of these three columns."""

    @property
    def void(self) -> bool: ...

    @property
    def starts_on(self) -> date: ...

    @property
    def ends_on(self) -> date: ...


def warranty_state(
    warranty: WarrantyDates, on: date | None = None, within_days: int = EXPIRING_DAYS
) -> m.WarrantyState:
    on = on or today()
    if warranty.void:
        return m.WarrantyState.VOID
    if on < warranty.starts_on:
        return m.WarrantyState.NOT_STARTED
    if warranty.ends_on < on:
        return m.WarrantyState.EXPIRED
    if warranty.ends_on <= on + timedelta(days=within_days):
        return m.WarrantyState.EXPIRING
    return m.WarrantyState.ACTIVE


def parse_amount(text: str | int | None, field: str = "price_minor") -> int | None:
    """'1,299.00' or '1299' -> 129900 minor units (cents); blank -> None."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    cleaned = str(text).strip().replace(",", "").replace(" ", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        amount = Decimal("NaN")
    exponent = amount.as_tuple().exponent  # an int for a finite amount
    if not amount.is_finite() or not isinstance(exponent, int) or exponent < -2:
        raise ValidationError(f"{text!r} is not an amount (for example 1299.00).", field=field)
    return int(amount * 100)


def format_amount(minor: int | None, currency: str | None) -> str:
    if minor is None:
        return ""
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    return f"{sign}{minor // 100:,}.{minor % 100:02d} {currency or ''}".strip()


# -- defaults, applied before the caller's fields -------------------------------------------
def apply_defaults(
    session: Session,
    obj: m.Record,
    fields: MutableMapping[str, Any],
    *,
    find: Callable[[type[m.Record], int], m.Record | None] | None = None,
) -> None:
    """Fill in what a new record takes by default; ``find`` looks up a related record (by
    default ``session.get``)."""
    now = datetime.now().replace(microsecond=0)
    if isinstance(obj, m.Ticket):
        fields.setdefault("opened_on", today())
    elif isinstance(obj, m.Interaction):
        fields.setdefault("occurred_at", now)
    elif isinstance(obj, m.Offer):
        fields.setdefault("received_at", now)
    elif isinstance(obj, m.Registration):
        fields.setdefault("registered_on", today())
    elif isinstance(obj, m.ServiceEvent):
        fields.setdefault("performed_on", today())
    elif isinstance(obj, m.Agreement):
        fields.setdefault("started_on", today())
    elif isinstance(obj, m.Warranty) and not fields.get("starts_on"):
        asset_id = fields.get("asset_id")
        asset = (find or session.get)(m.Asset, asset_id) if asset_id else None
        if isinstance(asset, m.Asset) and asset.purchase_date is not None:
            fields["starts_on"] = asset.purchase_date


# -- validation, after the fields are set ---------------------------------------------------
def _required(obj: object, field: str, message: str) -> None:
    value = getattr(obj, field)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(message, field=field)


def _not_before(obj: object, later: str, earlier: str, message: str) -> None:
    a, b = getattr(obj, later), getattr(obj, earlier)
    if a is not None and b is not None and a < b:
        raise ValidationError(message, field=later)


def _amount(obj: object, amount_field: str, currency_field: str = "currency") -> None:
    amount = getattr(obj, amount_field)
    if amount is None:
        return
    if amount < 0:
        raise ValidationError("An amount cannot be negative.", field=amount_field)
    code = (getattr(obj, currency_field) or "").upper()
    if len(code) != 3 or not code.isalpha():
        raise ValidationError(
            "An amount needs its currency as a three-letter code (EUR, USD, GBP …).",
            field=currency_field,
        )
    setattr(obj, currency_field, code)


def _non_negative(obj: object, field: str, label: str) -> None:
    value = getattr(obj, field)
    if value is not None and value < 0:
        raise ValidationError(f"The {label} cannot be negative.", field=field)


def is_email_address(text: str) -> bool:
    """``name@example.com``: an RFC 5322 addr-spec (the stdlib's parser) with a dotted domain."""
    text = text.strip()
    if not text or any(ch.isspace() for ch in text) or text.count("@") != 1:
        return False
    try:
        address = Address(addr_spec=text)
    except (HeaderParseError, ValueError, IndexError):
        return False
    labels = address.domain.split(".")
    return bool(address.username) and len(labels) >= 2 and all(labels) and address.addr_spec == text


def _email(field: str, value: str | None) -> None:
    if value and not is_email_address(value):
        raise ValidationError(
            f"“{value}” is not an e-mail address (for example service@example.com).", field=field
        )


def is_web_address(text: str) -> bool:
    """``https://example.com/…``, or a bare host name such as ``example.com``."""
    text = text.strip()
    if not text or any(ch.isspace() for ch in text):
        return False
    parts = urlsplit(text if "://" in text else f"https://{text}")
    host = parts.hostname or ""
    return parts.scheme in ("http", "https") and "." in host.strip(".") and ".." not in host


_PHONE = re.compile(
    r"(?P<number>\+?[\d\s().\-/]+?)(?:\s*(?:ext\.?|x|#|;ext=)\s*\d{1,6})?", re.IGNORECASE
)


def is_phone_number(text: str) -> bool:
    """``+49 30 4471 220``, ``(030) 4471-220``, ``030/4471220``, ``+1 555 0100 ext. 12``: digits
    with the separators people write, a ``+`` only in front, an extension at the end; 3 to 20
    digits in all (E.164 allows 15, a trunk prefix and an extension add some)."""
    match = _PHONE.fullmatch(text.strip())
    if match is None:
        return False
    number: str = match.group("number")
    digits = sum(ch.isdigit() for ch in number)
    return 3 <= digits <= 20


def _phone(field: str, value: str | None) -> None:
    if value and not is_phone_number(value):
        raise ValidationError(
            f"“{value}” is not a phone number: digits, with spaces, dashes or brackets "
            "(for example +49 30 4471 220).",
            field=field,
        )


def _web(field: str, value: str | None) -> None:
    if value and not is_web_address(value):
        raise ValidationError(
            f"“{value}” is not a web address (for example example.com or "
            "https://example.com/support).",
            field=field,
        )


AGE_RECIPIENT_FORM = (
    "The vendor's encryption key must be an age public key (one word that starts with age1)."
)


def is_age_recipient(text: str) -> bool:
    """An age X25519 recipient (``age1…``), as age itself parses it."""
    try:
        x25519.Recipient.from_str(text.strip())
    except Exception:  # pyrage raises its own RecipientError, or ValueError for junk
        return False
    return True


def case_reference_pattern(pattern: str) -> re.Pattern[str]:
    """A vendor's case reference pattern compiled (without case), or a ValidationError saying
    what is wrong with it."""
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValidationError(
            f"The case reference pattern is not a regular expression: {exc}.",
            field="case_reference_pattern",
        ) from None


def _vendor(session: Session, obj: m.Vendor) -> None:
    _required(obj, "name", "A vendor needs a name.")
    _web("website", obj.website)
    clash = session.scalar(
        select(m.Vendor.id).where(m.Vendor.name == obj.name, m.Vendor.id != (obj.id or -1))
    )
    if clash is not None:
        raise ValidationError(f"There is a vendor named {obj.name!r} already.", field="name")
    _non_negative(obj, "max_offers_per_year", "number of offers a year")
    channels = list(obj.allowed_channels or [])
    valid = {c.value for c in m.InteractionChannel}
    unknown = [c for c in channels if c not in valid]
    if unknown:
        raise ValidationError(
            f"Unknown channel {unknown[0]!r} (choose from {', '.join(sorted(valid))}).",
            field="allowed_channels",
        )
    if obj.age_recipient and not is_age_recipient(obj.age_recipient):
        raise ValidationError(AGE_RECIPIENT_FORM, field="age_recipient")
    if obj.case_reference_pattern:
        case_reference_pattern(obj.case_reference_pattern)


def _asset(session: Session, obj: m.Asset) -> None:
    _required(obj, "name", "A thing needs a name.")
    _amount(obj, "price_minor")


def _warranty(session: Session, obj: m.Warranty) -> None:
    _required(obj, "asset_id", "A warranty belongs to a thing: choose one.")
    if obj.starts_on is None:
        raise ValidationError(
            "A warranty needs a start date (the thing has no purchase date to start from).",
            field="starts_on",
        )
    if obj.end_date is None and obj.months is None:
        raise ValidationError(
            "A warranty needs an end date or a length in months.", field="end_date"
        )
    if obj.months is not None and obj.months <= 0:
        raise ValidationError("The length must be at least one month.", field="months")
    _not_before(obj, "end_date", "starts_on", "A warranty cannot end before it starts.")
    obj.ends_on = obj.end_date or add_months(obj.starts_on, obj.months or 0)


def _registration(session: Session, obj: m.Registration) -> None:
    _required(obj, "asset_id", "A registration is of a thing: choose one.")
    _required(obj, "vendor_id", "A registration is with a vendor: choose one.")


def _service_event(session: Session, obj: m.ServiceEvent) -> None:
    _required(obj, "asset_id", "A service event is on a thing: choose one.")
    _required(obj, "description", "Say what was done.")
    _amount(obj, "cost_minor")
    if obj.interval_months is not None and obj.interval_months <= 0:
        raise ValidationError("The interval must be at least one month.", field="interval_months")
    if obj.interval_months and obj.next_due is None:
        obj.next_due = add_months(obj.performed_on, obj.interval_months)
    _not_before(obj, "next_due", "performed_on", "The next service cannot be due before this one.")


def _ticket(session: Session, obj: m.Ticket) -> None:
    _required(obj, "vendor_id", "A ticket is with a vendor: choose one.")
    _required(obj, "title", "A ticket needs a title.")
    if obj.status in (m.TicketStatus.RESOLVED, m.TicketStatus.CLOSED) and obj.closed_on is None:
        obj.closed_on = max(today(), obj.opened_on)
    if obj.status in m.OPEN_TICKET_STATUSES:
        obj.closed_on = None
    _not_before(obj, "closed_on", "opened_on", "A ticket cannot be closed before it was opened.")


def _interaction(session: Session, obj: m.Interaction) -> None:
    _required(obj, "vendor_id", "An interaction is with a vendor: choose one.")
    if not (obj.subject or "").strip() and not (obj.body or "").strip():
        raise ValidationError("Write a subject or some text.", field="body")
    if obj.ticket_id is not None:
        ticket = session.get(m.Ticket, obj.ticket_id)
        if ticket is not None and ticket.vendor_id != obj.vendor_id:
            raise ValidationError("That ticket is with another vendor.", field="ticket_id")


def _offer(session: Session, obj: m.Offer) -> None:
    _required(obj, "vendor_id", "An offer is from a vendor: choose one.")


def _agreement(session: Session, obj: m.Agreement) -> None:
    _required(obj, "vendor_id", "An agreement is with a vendor: choose one.")
    _required(obj, "title", "An agreement needs a title.")
    _amount(obj, "cost_minor")
    _non_negative(obj, "notice_days", "notice period")
    _not_before(obj, "renews_on", "started_on", "An agreement cannot renew before it starts.")
    obj.notice_deadline = (
        obj.renews_on - timedelta(days=obj.notice_days or 0) if obj.renews_on else None
    )


def _contact(session: Session, obj: m.Contact) -> None:
    _required(obj, "name", "A contact needs a name.")
    _email("email", obj.email)
    _phone("phone", obj.phone)


def is_mail_domain(text: str) -> bool:
    """``@example.com`` or ``example.com``: a whole domain, as an e-mail channel may hold."""
    name = text.strip().removeprefix("@")
    labels = name.split(".")
    return (
        len(labels) >= 2
        and all(labels)
        and all(ch.isalnum() or ch in "-." for ch in name)
        and not name.startswith("-")
    )


def _channel(session: Session, obj: m.Channel) -> None:
    _required(obj, "value", "A channel needs an address, number or handle.")
    value = obj.value
    mail_ok = is_mail_domain(value) or is_email_address(value)
    if obj.channel == m.ChannelKind.EMAIL and not mail_ok:
        raise ValidationError(
            f"“{value}” is not an e-mail address or a domain (for example "
            "service@example.com, or @example.com for all of its addresses).",
            field="value",
        )
    if obj.channel == m.ChannelKind.PHONE:
        _phone("value", value)
    if obj.channel == m.ChannelKind.WEB_PORTAL:
        _web("value", value)


def _account(session: Session, obj: m.Account) -> None:
    _required(obj, "number", "An account needs its number.")


def _attachment(session: Session, obj: m.Attachment) -> None:
    _required(obj, "name", "An attachment needs a file name.")


VALIDATORS: dict[type[m.Record], Callable[[Session, Any], None]] = {
    m.Vendor: _vendor,
    m.Asset: _asset,
    m.Warranty: _warranty,
    m.Registration: _registration,
    m.ServiceEvent: _service_event,
    m.Ticket: _ticket,
    m.Interaction: _interaction,
    m.Offer: _offer,
    m.Agreement: _agreement,
    m.Contact: _contact,
    m.Channel: _channel,
    m.Account: _account,
    m.Attachment: _attachment,
}


def validate(session: Session, obj: m.Record) -> None:
    VALIDATORS[type(obj)](session, obj)


DEFAULT_ORDER: dict[type[m.Record], tuple[Any, ...]] = {
    m.Vendor: (m.Vendor.name,),
    m.Asset: (m.Asset.name, m.Asset.id),
    m.Warranty: (m.Warranty.ends_on, m.Warranty.id),
    m.Ticket: (m.Ticket.opened_on.desc(), m.Ticket.id.desc()),
    m.Interaction: (m.Interaction.occurred_at.desc(), m.Interaction.id.desc()),
    m.Offer: (m.Offer.received_at.desc(), m.Offer.id.desc()),
    m.Agreement: (m.Agreement.title, m.Agreement.id),
    m.ServiceEvent: (m.ServiceEvent.performed_on.desc(), m.ServiceEvent.id.desc()),
    m.Registration: (m.Registration.registered_on.desc(), m.Registration.id.desc()),
}


class TicketState:
    """What a row showing a ticket can say of it: open or not, its follow-up due (a mixin for
    the plain rows of the ticket lists; the row holds ``status`` and ``follow_up_on``)."""

    status: str
    follow_up_on: date | None

    @property
    def is_open(self) -> bool:
        return self.status in {s.value for s in m.OPEN_TICKET_STATUSES}

    def follow_up_due(self, on: date | None = None) -> bool:
        on = on or today()
        return self.is_open and self.follow_up_on is not None and self.follow_up_on <= on

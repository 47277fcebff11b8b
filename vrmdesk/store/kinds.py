"""The kinds the domain model names: plain enums, without SQLAlchemy.

:mod:`vrmdesk.store.models` maps them to columns; code that must not load the database layer
(the vendor's side of a share bundle, :mod:`vrmdesk.share.reply`) takes them from here.
"""

from __future__ import annotations

import enum


class VendorKind(enum.StrEnum):
    MAKER = "maker"
    RETAILER = "retailer"
    SERVICE_PROVIDER = "service_provider"
    SUPPLIER = "supplier"
    PUBLIC_BODY = "public_body"
    OTHER = "other"


class RelationshipStatus(enum.StrEnum):
    ACTIVE = "active"
    DORMANT = "dormant"
    ENDED = "ended"


class ChannelKind(enum.StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    WEB_PORTAL = "web_portal"
    FORUM = "forum"
    SOCIAL = "social"
    POSTAL = "postal"


class AssetStatus(enum.StrEnum):
    IN_USE = "in_use"
    SOLD = "sold"
    DISPOSED = "disposed"


class Coverage(enum.StrEnum):
    PARTS_AND_LABOUR = "parts_and_labour"
    PARTS = "parts"
    LABOUR = "labour"
    ACCIDENTAL = "accidental"
    OTHER = "other"


class WarrantyState(enum.StrEnum):
    ACTIVE = "active"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    VOID = "void"
    NOT_STARTED = "not_started"


class TicketStatus(enum.StrEnum):
    OPEN = "open"
    WAITING_ON_VENDOR = "waiting_on_vendor"
    WAITING_ON_ME = "waiting_on_me"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_TICKET_STATUSES = (
    TicketStatus.OPEN,
    TicketStatus.WAITING_ON_VENDOR,
    TicketStatus.WAITING_ON_ME,
)


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class InteractionChannel(enum.StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    CHAT = "chat"
    FORUM = "forum"
    SOCIAL = "social"
    LETTER = "letter"
    VISIT = "visit"
    NOTE = "note"


class BillingPeriod(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    ONE_OFF = "one_off"

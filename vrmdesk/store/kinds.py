"""The kinds the domain model names: plain enums, without SQLAlchemy.

:mod:`vrmdesk.store.models` maps them to columns. A ticket's status and a message's channel are
words of the bundle format too (a vendor's reply sets them), so they are the ``vrmshare``
distribution's (:mod:`vrmshare.vocabulary`), named here with the rest.
"""

from __future__ import annotations

import enum

from vrmshare.vocabulary import InteractionChannel, TicketStatus

__all__ = [
    "OPEN_TICKET_STATUSES",
    "AssetStatus",
    "BillingPeriod",
    "ChannelKind",
    "Coverage",
    "Direction",
    "InteractionChannel",
    "RelationshipStatus",
    "TicketStatus",
    "VendorKind",
    "WarrantyState",
]


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


OPEN_TICKET_STATUSES = (
    TicketStatus.OPEN,
    TicketStatus.WAITING_ON_VENDOR,
    TicketStatus.WAITING_ON_ME,
)


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class BillingPeriod(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    ONE_OFF = "one_off"

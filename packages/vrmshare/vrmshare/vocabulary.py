"""The words of the bundle format that a vendor's reply sets: a ticket's status, a message's
channel (``vrm:status``, ``vrm:channel``). vrmdesk's vault stores the same words
(``vrmdesk.store.kinds`` names these enums among its own)."""

from __future__ import annotations

import enum


class TicketStatus(enum.StrEnum):
    OPEN = "open"
    WAITING_ON_VENDOR = "waiting_on_vendor"
    WAITING_ON_ME = "waiting_on_me"
    RESOLVED = "resolved"
    CLOSED = "closed"


class InteractionChannel(enum.StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    CHAT = "chat"
    FORUM = "forum"
    SOCIAL = "social"
    LETTER = "letter"
    VISIT = "visit"
    NOTE = "note"

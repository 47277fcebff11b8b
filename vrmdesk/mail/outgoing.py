"""Going out: "Write e-mail" on a vendor, a ticket or a message, as a ``mailto:`` URL that the
person's own mail program opens (vrmdesk sends nothing itself; the sent mail comes back as
outbound when the Sent folder is imported or fetched).

To whom: the vendor's first e-mail channel that is an address (a domain is no address to write
to); failing that, for a message its correspondent, else the last address the vendor wrote from.
The subject carries the ticket's case reference (``Re: Repair [Case #12345]``), so the vendor's
answer lands on the ticket again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from vrmdesk.errors import ValidationError
from vrmdesk.mail import references
from vrmdesk.store import models as m
from vrmdesk.store.services import records

_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|antw|fwd?|wg)\s*:\s*)+", re.IGNORECASE)


def mailto_url(to: str = "", subject: str = "", body: str = "") -> str:
    """A ``mailto:`` URL (RFC 6068): the address and every header value percent-encoded as
    UTF-8, a space as ``%20`` (a ``+`` would stay a plus in a mail program)."""
    url = "mailto:" + quote(to.strip(), safe="@")
    fields = [(name, value) for name, value in (("subject", subject), ("body", body)) if value]
    if fields:
        url += "?" + "&".join(f"{name}={quote(value, safe='')}" for name, value in fields)
    return url


@dataclass(frozen=True)
class Draft:
    """What "Write e-mail" opens: to whom (may be empty: no address known) and the subject."""

    to: str
    subject: str
    vendor: str

    @property
    def url(self) -> str:
        return mailto_url(self.to, self.subject)


def case_tag(reference: str) -> str:
    """How a case reference goes into a subject: ``[Case #12345]``, or ``[SR 1-234]`` as is."""
    reference = reference.strip()
    if not reference:
        return ""
    return f"[Case #{reference}]" if reference[0].isdigit() else f"[{reference}]"


def with_reference(subject: str, reference: str) -> str:
    """``subject`` with the case reference added, unless it carries it already."""
    tag = case_tag(reference)
    if not tag or references.key(reference) in references.key(subject):
        return subject
    return f"{subject} {tag}".strip()


def reply_subject(subject: str) -> str:
    """``Re: subject``, without piling up ``Re: Re: AW:``."""
    bare = _REPLY_PREFIX.sub("", subject).strip()
    return f"Re: {bare}" if bare else ""


def vendor_address(session: Session, vendor_id: int) -> str:
    """The vendor's first e-mail channel that is an address (not a domain), else ""."""
    values = session.scalars(
        select(m.Channel.value)
        .where(m.Channel.vendor_id == vendor_id, m.Channel.channel == m.ChannelKind.EMAIL)
        .order_by(m.Channel.id)
    )
    for value in values:
        text = value.strip().strip("<>")
        if "@" in text and not text.startswith("@") and not text.endswith("@"):
            return text
    return ""


def _last_correspondent(session: Session, vendor_id: int) -> str:
    return (
        session.scalar(
            select(m.Interaction.correspondent)
            .where(
                m.Interaction.vendor_id == vendor_id,
                m.Interaction.direction == m.Direction.INBOUND,
                m.Interaction.correspondent != "",
            )
            .order_by(m.Interaction.occurred_at.desc())
            .limit(1)
        )
        or ""
    )


def _last_subject(session: Session, ticket_id: int) -> str:
    return (
        session.scalar(
            select(m.Interaction.subject)
            .where(m.Interaction.ticket_id == ticket_id, m.Interaction.subject != "")
            .order_by(m.Interaction.occurred_at.desc())
            .limit(1)
        )
        or ""
    )


def draft_for(session: Session, kind: str, record_id: int) -> Draft:
    """The e-mail to write about a vendor, a ticket or an interaction (a message)."""
    message: m.Interaction | None = None
    ticket: m.Ticket | None = None
    if kind == "vendor":
        vendor = records.get(session, m.Vendor, record_id)
    elif kind == "ticket":
        ticket = records.get(session, m.Ticket, record_id)
        vendor = records.get(session, m.Vendor, ticket.vendor_id)
    elif kind == "interaction":
        message = records.get(session, m.Interaction, record_id)
        vendor = records.get(session, m.Vendor, message.vendor_id)
        if message.ticket_id is not None:
            ticket = records.get(session, m.Ticket, message.ticket_id)
    else:
        raise ValidationError(f"An e-mail cannot be written about a {kind}.", field="kind")
    to = vendor_address(session, vendor.id)
    if not to and message is not None and message.direction == m.Direction.INBOUND:
        to = message.correspondent
    to = to or _last_correspondent(session, vendor.id)
    subject = ""
    if message is not None:
        subject = reply_subject(message.subject)
    elif ticket is not None:
        last = _last_subject(session, ticket.id)
        subject = reply_subject(last) if last else ticket.title
    if ticket is not None:
        subject = with_reference(subject or ticket.title, ticket.reference)
    return Draft(to=to, subject=subject, vendor=vendor.name)

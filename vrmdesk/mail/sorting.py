"""The decisions a person makes about captured mail: the Unsorted list (assign to a vendor,
optionally learning the sender's domain, or dismiss), offer or conversation, and a ticket
opened from a message.

Every decision about a sender is remembered (``MailSender``), so the next message from that
address goes where the last one was put.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vrmdesk.errors import ValidationError
from vrmdesk.mail import references
from vrmdesk.mail.addresses import FREE_MAIL, VendorDirectory, domain_of, remember_sender
from vrmdesk.store import models as m
from vrmdesk.store.attachments import AttachmentStore
from vrmdesk.store.services import records


@dataclass(frozen=True)
class UnsortedRow:
    id: int
    occurred_at: datetime
    direction: str
    correspondent: str
    name: str
    subject: str
    bulk: bool
    files: int
    #: the start of the text, on one line (for a list to show beside the subject)
    preview: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "occurred_at": self.occurred_at.isoformat(),
            "direction": self.direction,
            "correspondent": self.correspondent,
            "name": self.name,
            "subject": self.subject,
            "bulk": self.bulk,
            "files": self.files,
        }


def unsorted(session: Session) -> list[UnsortedRow]:
    """The Unsorted list, newest first (dismissed ones are not on it)."""
    rows = session.scalars(
        select(m.UnsortedMail)
        .where(m.UnsortedMail.dismissed.is_(False))
        .order_by(m.UnsortedMail.occurred_at.desc(), m.UnsortedMail.id.desc())
    ).all()
    return [
        UnsortedRow(
            id=row.id,
            occurred_at=row.occurred_at,
            direction=row.direction.value,
            correspondent=row.correspondent,
            name=row.correspondent_name,
            subject=row.subject,
            bulk=row.bulk,
            files=len(AttachmentStore.for_owner(session, row)),
            preview=preview_of(row.body),
        )
        for row in rows
    ]


PREVIEW_CHARS = 300


def preview_of(text: str) -> str:
    """The start of a message's text on one line, cut at ``PREVIEW_CHARS`` with an ellipsis."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"


def _move_attachments(session: Session, source: m.Record, target: m.Record) -> None:
    for attachment in AttachmentStore.for_owner(session, source):
        attachment.owner_kind = target.kind
        attachment.owner_id = target.id


def _become(session: Session, mail: m.UnsortedMail, vendor_id: int) -> m.Interaction | m.Offer:
    record: m.Interaction | m.Offer
    if mail.bulk and mail.direction == m.Direction.INBOUND:
        record = records.create(
            session,
            m.Offer,
            vendor_id=vendor_id,
            received_at=mail.occurred_at,
            channel=m.InteractionChannel.EMAIL,
            content=f"{mail.subject}\n\n{mail.body}".strip(),
        )
    else:
        record = records.create(
            session,
            m.Interaction,
            vendor_id=vendor_id,
            occurred_at=mail.occurred_at,
            direction=mail.direction,
            channel=m.InteractionChannel.EMAIL,
            subject=mail.subject or "(no subject)",
            body=mail.body,
        )
        record.in_reply_to = mail.in_reply_to
        record.capture_notes = mail.capture_notes
    record.correspondent = mail.correspondent
    _move_attachments(session, mail, record)
    message_id = mail.message_id
    session.delete(mail)
    session.flush()  # the unsorted row gives up the message id before the record takes it
    record.message_id = message_id
    session.flush()
    return record


@dataclass
class Assigned:
    #: the interaction or offer the message became
    record: m.Interaction | m.Offer
    #: the channel learnt ("@example.com"), or "" when none was
    learnt: str
    #: other Unsorted messages the learnt channel sorted too
    also_sorted: int


def assign(
    session: Session, unsorted_id: int, vendor_id: int, *, learn_domain: bool = False
) -> Assigned:
    """Put an Unsorted message on a vendor's timeline (or its offers, if it is bulk mail).

    With ``learn_domain`` the sender's domain becomes an e-mail channel of the vendor (its
    address, for a free-mail domain that everybody shares) and every other Unsorted message
    that the vendor's channels now cover is sorted the same way.
    """
    mail = records.get(session, m.UnsortedMail, unsorted_id)
    if mail.dismissed:
        raise ValidationError("That message was dismissed.", field="unsorted_id")
    records.get(session, m.Vendor, vendor_id)
    address = mail.correspondent
    record = _become(session, mail, vendor_id)
    remember_sender(session, address, vendor_id=vendor_id)
    learnt = ""
    also = 0
    if learn_domain and "@" in address:
        domain = domain_of(address)
        learnt = address if domain in FREE_MAIL else f"@{domain}"
        existing = session.scalar(
            select(m.Channel).where(
                m.Channel.vendor_id == vendor_id,
                m.Channel.channel == m.ChannelKind.EMAIL,
                m.Channel.value == learnt,
            )
        )
        if existing is None:
            records.create(
                session,
                m.Channel,
                vendor_id=vendor_id,
                channel=m.ChannelKind.EMAIL,
                value=learnt,
                label="learnt from mail",
            )
        also = sort_unsorted(session)
    return Assigned(record, learnt, also)


def sort_unsorted(session: Session) -> int:
    """Sort every Unsorted message that a vendor's channels (or a remembered sender) now cover."""
    directory = VendorDirectory(session)
    sorted_now = 0
    pending = session.scalars(
        select(m.UnsortedMail).where(m.UnsortedMail.dismissed.is_(False))
    ).all()
    for mail in pending:
        vendor_id = directory.vendor_for(mail.correspondent)
        if vendor_id is not None:
            _become(session, mail, vendor_id)
            sorted_now += 1
    return sorted_now


def dismiss(session: Session, attachments: AttachmentStore, unsorted_id: int) -> None:
    """Take a message off the Unsorted list for good; its files go, its id stays (once only)."""
    mail = records.get(session, m.UnsortedMail, unsorted_id)
    attachments.remove_for_owners(session, mail.kind, [mail.id])
    mail.dismissed = True
    mail.body = ""
    session.flush()


def reclassify(
    session: Session, kind: str, record_id: int, *, offer: bool
) -> m.Interaction | m.Offer:
    """An interaction becomes an offer (``offer=True``) or an offer conversation; its sender is
    remembered, so the next message from it is sorted the same way."""
    record: m.Interaction | m.Offer
    if offer:
        interaction = records.get(session, m.Interaction, record_id)
        if kind != "interaction":
            raise ValidationError("Only an interaction can become an offer.", field="kind")
        record = records.create(
            session,
            m.Offer,
            vendor_id=interaction.vendor_id,
            received_at=interaction.occurred_at,
            channel=interaction.channel,
            content=f"{interaction.subject}\n\n{interaction.body}".strip(),
        )
        message_id, address = interaction.message_id, interaction.correspondent
        _move_attachments(session, interaction, record)
        session.delete(interaction)
    else:
        the_offer = records.get(session, m.Offer, record_id)
        if kind != "offer":
            raise ValidationError("Only an offer can become conversation.", field="kind")
        subject, _, body = the_offer.content.partition("\n\n")
        record = records.create(
            session,
            m.Interaction,
            vendor_id=the_offer.vendor_id,
            occurred_at=the_offer.received_at,
            direction=m.Direction.INBOUND,
            channel=the_offer.channel,
            subject=subject[:500] or "(no subject)",
            body=body,
        )
        message_id, address = the_offer.message_id, the_offer.correspondent
        _move_attachments(session, the_offer, record)
        session.delete(the_offer)
    session.flush()
    record.correspondent = address
    if message_id:
        record.message_id = message_id
    remember_sender(session, address, offer=offer)
    return record


def set_case_reference_pattern(session: Session, vendor_id: int, pattern: str) -> None:
    """A vendor's case reference pattern (a regular expression; empty: the usual forms)."""
    references.compile_pattern(pattern)
    records.get(session, m.Vendor, vendor_id).case_reference_pattern = pattern.strip()
    session.flush()


def open_ticket(
    session: Session, interaction_id: int, *, title: str = "", reference: str = ""
) -> m.Ticket:
    """A ticket opened from a message: its subject as title, the case reference found in it
    (the vendor's pattern, else the usual forms), and the message's thread on it."""
    interaction = records.get(session, m.Interaction, interaction_id)
    vendor = records.get(session, m.Vendor, interaction.vendor_id)
    if not reference:
        found = references.references_in(interaction.subject, vendor.case_reference_pattern)
        reference = found[0][0] if found else ""
    ticket = records.create(
        session,
        m.Ticket,
        vendor_id=vendor.id,
        title=(title or interaction.subject or "Ticket from a message")[:200],
        reference=reference,
        opened_on=interaction.occurred_at.date(),
    )
    for member in thread_of(session, interaction):
        member.ticket_id = ticket.id
    session.flush()
    return ticket


def thread_of(session: Session, interaction: m.Interaction) -> list[m.Interaction]:
    """The vendor's interactions linked to this one by Message-ID / In-Reply-To, either way."""
    members = {interaction.id: interaction}
    frontier = [interaction]
    while frontier:
        current = frontier.pop()
        parents = [p for p in current.in_reply_to.split() if p]
        linked: list[m.Interaction] = []
        if parents:
            linked += session.scalars(
                select(m.Interaction).where(
                    m.Interaction.vendor_id == interaction.vendor_id,
                    m.Interaction.message_id.in_(parents),
                )
            ).all()
        if current.message_id:
            linked += session.scalars(
                select(m.Interaction).where(
                    m.Interaction.vendor_id == interaction.vendor_id,
                    m.Interaction.in_reply_to.contains(current.message_id),
                )
            ).all()
        for row in linked:
            if row.id not in members:
                members[row.id] = row
                frontier.append(row)
    return list(members.values())

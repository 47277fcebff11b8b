"""Importing a vendor's signed reply into the vault: pin its key, merge its records, once.

    verified = verify_bundle(path, identities=…)          # no vault needed
    with vault.session() as session:                       # one transaction
        result = import_reply(session, verified, confirm_key=ask)

Refused (ReplyRefused, nothing written): not a reply; ``in_reply_to`` not a bundle in my
Disclosure log; addressed to another key; its vendor deleted since; signed by a key other than
the one pinned to that vendor; a first-contact key the person did not confirm. Records may only
touch what that disclosure shared: messages become inbound interactions on the vendor's
timeline (linked to the ticket or thing they are about), a case reference or status is merged
into the ticket, a warranty confirmation and a correction are recorded on the timeline (a
correction is never applied silently), a MyTerms answer (vrm:TermsAnswer) sets the state of
the agreement that bundle proffered (refused whole if it answers terms never proffered or names
an agreement not on the roster). ImportedRecord maps every reply @id to what it became and
ImportedBundle records the import, so importing the same reply twice changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session
from vrmshare import roster
from vrmshare.errors import ReplyRefused
from vrmshare.identity import display_fingerprint
from vrmshare.layout import NS
from vrmshare.verify import (
    EARLIEST,
    LATEST,
    VerifiedBundle,
    real_date,
    real_time,
    reply_validator,
    schema_error,
)

from vrmdesk.share.identity import ensure_identity
from vrmdesk.store import models as m
from vrmdesk.store.services import myterms, quotes
from vrmdesk.store.services.rules import format_amount, parse_amount

ConfirmKey = Callable[[str, str], bool]
R = TypeVar("R", bound=m.Record)
_SINGULAR = {
    "messages": "message",
    "ticket updates": "ticket update",
    "warranty confirmations": "warranty confirmation",
    "corrections": "correction",
    "terms answers": "terms answer",
    "quotes": "quote",
}


@dataclass
class ReplyCheck:
    """What a person is asked before an import (computed without writing anything)."""

    vendor_id: int
    vendor_name: str
    fingerprint: str
    thumbprint: str
    first_contact: bool
    already_imported: bool
    disclosure_id: int


@dataclass
class ImportResult:
    bundle_id: str
    vendor_id: int
    vendor_name: str
    fingerprint: str
    first_contact: bool
    already_imported: bool
    counts: dict[str, int] = field(default_factory=dict)

    def message(self) -> str:
        if self.already_imported:
            return f"This reply from {self.vendor_name} was imported before; nothing changed."
        parts = [
            f"{n} {what if n != 1 else _SINGULAR.get(what, what)}"
            for what, n in self.counts.items()
            if n and what != "ignored"
        ]
        return f"Imported the reply from {self.vendor_name}: {', '.join(parts) or 'nothing new'}."


def check_reply(session: Session, verified: VerifiedBundle) -> ReplyCheck:
    """Everything but the person's confirmation: raises ReplyRefused, writes nothing.

    Besides the checks below, every record must lie within the bounds of
    ``schema/reply.schema.json`` (lengths, types, real dates, at most 1000 records).
    """
    manifest = verified.manifest
    if verified.purpose != "reply" or not verified.in_reply_to:
        raise ReplyRefused(
            "This bundle is not a reply (its purpose is not 'reply' or it answers "
            "no bundle); only replies are imported."
        )
    reason = schema_error(reply_validator(), manifest, "This reply")
    if reason is not None:
        raise ReplyRefused(f"{reason} (nothing imported)")
    if real_time(manifest["created"]) is None:
        raise ReplyRefused("This reply's created time is not a real time; nothing imported.")
    disclosure = session.scalar(
        select(m.Disclosure).where(m.Disclosure.bundle_id == verified.in_reply_to)
    )
    if disclosure is None:
        raise ReplyRefused(
            f"This reply answers {verified.in_reply_to}, which is not a bundle in "
            "your disclosure log; refused."
        )
    addressed = manifest["recipient"].get("key_thumbprint")
    if addressed and session.get(m.Meta, "identity_ed25519") is not None:
        mine = ensure_identity(session).thumbprint
        if addressed != mine:
            raise ReplyRefused("This reply is addressed to another key than this vault's; refused.")
    _check_terms_answers(session, verified, disclosure)
    vendor = session.get(m.Vendor, disclosure.vendor_id) if disclosure.vendor_id else None
    if vendor is None:
        raise ReplyRefused(
            f"The vendor {disclosure.vendor_name!r} that bundle went to has been "
            "deleted; nothing to import into."
        )
    thumb = verified.sender_thumbprint
    pinned = session.scalar(select(m.VendorKey).where(m.VendorKey.vendor_id == vendor.id))
    if pinned is not None and pinned.thumbprint != thumb:
        raise ReplyRefused(
            f"This reply is signed by key {display_fingerprint(thumb)}, not the key pinned for "
            f"{vendor.name} ({display_fingerprint(pinned.thumbprint)}); refused."
        )
    if pinned is None:
        other = session.scalar(select(m.VendorKey).where(m.VendorKey.thumbprint == thumb))
        if other is not None:
            raise ReplyRefused("This reply's key is pinned to another vendor; refused.")
    done = session.scalar(
        select(m.ImportedBundle).where(m.ImportedBundle.bundle_id == verified.bundle_id)
    )
    if done is None:
        _check_quotes(session, verified, disclosure)
    return ReplyCheck(
        vendor.id,
        vendor.name,
        display_fingerprint(thumb),
        thumb,
        pinned is None,
        done is not None,
        disclosure.id,
    )


def _check_terms_answers(
    session: Session, verified: VerifiedBundle, disclosure: m.Disclosure
) -> None:
    """A vrm:TermsAnswer must answer the MyTerms agreement that bundle proffered, with an
    agreement of the roster; else the whole reply is refused (nothing imported)."""
    answers = [r for r in verified.records if r.get("@type") == roster.ANSWER_TYPE]
    if not answers:
        return
    if len(answers) > 1:
        raise ReplyRefused("This reply answers the proffered terms more than once; refused.")
    answer = answers[0]
    proffered = myterms.by_proffer(session, disclosure.bundle_id)
    if disclosure.purpose != "terms_proffer" or proffered is None:
        raise ReplyRefused(
            "This reply accepts or answers terms never proffered: the bundle it answers "
            f"({disclosure.bundle_id}) proffered no MyTerms agreement; refused, nothing imported."
        )
    said = answer.get("vrm:agreement")
    said_id = said.get("id") if isinstance(said, dict) else None
    if not roster.is_on_roster(said_id):
        raise ReplyRefused(
            f"This reply answers terms {str(said_id)[:64]!r}, which are not on the MyTerms "
            "roster; refused, nothing imported."
        )
    shared = {c.get("uid") for c in disclosure.contents}
    if said_id != proffered.agreement_id or ref_id(answer.get("about")) not in shared:
        raise ReplyRefused(
            f"This reply answers {said_id}, but the bundle it answers proffered "
            f"{proffered.agreement_id}; refused, nothing imported."
        )
    if answer.get("vrm:answer") not in roster.ANSWERS:
        raise ReplyRefused("This reply's answer to the proffered terms is not one; refused.")
    if answer["vrm:answer"] == "alternative_offered":
        other = answer.get("vrm:alternative")
        other_id = other.get("id") if isinstance(other, dict) else None
        if not roster.is_on_roster(other_id):
            raise ReplyRefused(
                f"This reply offers {str(other_id)[:64]!r} instead, which is not on the MyTerms "
                "roster; refused, nothing imported."
            )


def _check_quotes(session: Session, verified: VerifiedBundle, disclosure: m.Disclosure) -> None:
    """A ``vrm:Quote`` answers the quote request that bundle carried, while it is still valid."""
    found = [r for r in verified.records if r.get("@type") == "vrm:Quote"]
    if not found:
        return
    request_uids = {c.get("uid") for c in disclosure.contents if c.get("kind") == "quote_request"}
    recipient = quotes.recipient_for(session, disclosure.bundle_id)
    if disclosure.purpose != "quote_request" or not request_uids or recipient is None:
        raise ReplyRefused(
            "This reply holds a quote, but the bundle it answers is not a request for quotes "
            f"sent to {disclosure.vendor_name}; refused."
        )
    today = datetime.now(UTC).date()
    for record in found:
        if ref_id(record.get("about")) not in request_uids:
            raise ReplyRefused(
                "This reply quotes for a request that was never sent to "
                f"{disclosure.vendor_name}; refused."
            )
        until = real_date(record.get("validUntil"))
        if until is None or until < today:
            raise ReplyRefused(
                f"This quote was valid until {record.get('validUntil')}; it has expired, "
                "so it is not imported (ask the vendor for a new one)."
            )


def import_reply(
    session: Session, verified: VerifiedBundle, *, confirm_key: ConfirmKey
) -> ImportResult:
    """Import a verified reply in the caller's transaction (its ``with vault.session()``).

    ``confirm_key(vendor_name, fingerprint)`` is called on first contact only; False refuses.
    """
    check = check_reply(session, verified)
    result = ImportResult(
        verified.bundle_id,
        check.vendor_id,
        check.vendor_name,
        check.fingerprint,
        check.first_contact,
        check.already_imported,
    )
    if check.already_imported:
        return result
    if check.first_contact:
        if not confirm_key(check.vendor_name, check.fingerprint):
            raise ReplyRefused(
                f"The key of {check.vendor_name} was not confirmed; nothing imported."
            )
        session.add(
            m.VendorKey(
                vendor_id=check.vendor_id, thumbprint=check.thumbprint, jwk=verified.sender_key
            )
        )
    disclosure = session.get(m.Disclosure, check.disclosure_id)
    assert disclosure is not None
    shared = {c["uid"]: (c["kind"], int(c["id"])) for c in disclosure.contents if c.get("uid")}
    merger = _Merger(session, verified, check, shared)
    for record in verified.records:
        merger.merge(record)
    result.counts = merger.counts
    session.add(
        m.ImportedBundle(
            bundle_id=verified.bundle_id,
            vendor_id=check.vendor_id,
            in_reply_to=verified.in_reply_to or "",
            bundle_sha256=verified.bundle_sha256,
        )
    )
    session.flush()
    return result


def ref_id(value: Any) -> str | None:
    """A reference to a record: ``{"@id": "urn:uuid:…"}`` (or the bare @id string)."""
    if isinstance(value, dict):
        value = value.get("@id")
    return value if isinstance(value, str) else None


def _local_uid(bundle_id: str, record_uid: str) -> str:
    """The ImportedRecord key of a reply record that merges into one of mine (unique per reply)."""
    return f"urn:uuid:{uuid.uuid5(NS, f'{bundle_id}:{record_uid}')}"


def _when(value: Any, default: datetime) -> datetime:
    """An RFC 3339 time as naive UTC, if it is one within the years a bundle may speak of."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except (ValueError, OverflowError):
            return default
        return parsed if EARLIEST <= parsed < LATEST else default
    return default


class _Merger:
    def __init__(
        self,
        session: Session,
        verified: VerifiedBundle,
        check: ReplyCheck,
        shared: dict[str, tuple[str, int]],
    ) -> None:
        self.session = session
        self.verified = verified
        self.check = check
        self.shared = shared
        sent = real_time(verified.manifest["created"])
        assert sent is not None  # check_reply refused any other
        self.sent = sent
        self.counts = {
            "messages": 0,
            "ticket updates": 0,
            "warranty confirmations": 0,
            "corrections": 0,
            "terms answers": 0,
            "quotes": 0,
            "ignored": 0,
        }

    def _seen(self, key: str) -> bool:
        return (
            self.session.scalar(select(m.ImportedRecord.id).where(m.ImportedRecord.uid == key))
            is not None
        )

    def _remember(self, key: str, kind: str, record_id: int) -> None:
        self.session.add(
            m.ImportedRecord(
                uid=key, bundle_id=self.verified.bundle_id, kind=kind, record_id=record_id
            )
        )

    def _target(self, uid: object, cls: type[R]) -> R | None:
        """My record behind an @id, only if it was shared in the bundle answered."""
        key = ref_id(uid)
        found = self.shared.get(key) if key is not None else None
        if found is None or found[0] != cls.kind:
            return None
        return self.session.get(cls, found[1])

    def _links(self, about: object) -> dict[str, int | None]:
        ticket = self._target(about, m.Ticket)
        if ticket is not None and ticket.vendor_id == self.check.vendor_id:
            return {"ticket_id": ticket.id, "asset_id": ticket.asset_id}
        asset = self._target(about, m.Asset)
        if asset is not None:
            return {"ticket_id": None, "asset_id": asset.id}
        warranty = self._target(about, m.Warranty)
        if warranty is not None:
            return {"ticket_id": None, "asset_id": warranty.asset_id}
        return {"ticket_id": None, "asset_id": None}

    def _note(
        self, key: str, subject: str, body: str, about: Any, when: datetime, channel: str
    ) -> None:
        try:
            kind = m.InteractionChannel(channel)
        except ValueError:
            kind = m.InteractionChannel.NOTE
        interaction = m.Interaction(
            vendor_id=self.check.vendor_id,
            occurred_at=when,
            direction=m.Direction.INBOUND,
            channel=kind,
            subject=subject[:500],
            body=body[:100_000],
            **self._links(about),
        )
        self.session.add(interaction)
        self.session.flush()
        self._remember(key, "interaction", interaction.id)

    def merge(self, record: dict[str, Any]) -> None:
        """Merge one record of the reply, counted by what it became (or as ignored)."""
        by_type: dict[str, Callable[[dict[str, Any]], str | None]] = {
            "Message": self._message,
            "vrm:SupportTicket": self._ticket_update,
            "WarrantyPromise": self._warranty_confirmation,
            "vrm:Correction": self._correction,
            roster.ANSWER_TYPE: self._terms_answer,
            "vrm:Quote": self._quote,
        }
        kind = record.get("@type")
        merge_one = by_type.get(kind) if isinstance(kind, str) else None
        counted = merge_one(record) if merge_one is not None else None
        self.counts[counted or "ignored"] += 1

    # -- one merger per type of record: what it is counted as, or None (ignored) --------------
    def _message(self, record: dict[str, Any]) -> str | None:
        uid = record["@id"]
        if self._seen(uid):
            return None
        text = record.get("text")
        self._note(
            uid,
            str(record.get("headline") or f"Reply from {self.check.vendor_name}"),
            text if isinstance(text, str) else "",
            record.get("about"),
            _when(record.get("dateSent"), self.sent),
            str(record.get("vrm:channel", "email")),
        )
        return "messages"

    def _ticket_update(self, record: dict[str, Any]) -> str | None:
        uid = record["@id"]
        ticket = self._target(uid, m.Ticket)
        key = _local_uid(self.verified.bundle_id, uid)
        if ticket is None or ticket.vendor_id != self.check.vendor_id or self._seen(key):
            return None
        reference = record.get("identifier")
        if isinstance(reference, str) and reference:
            ticket.reference = reference[:200]
        self._set_status(ticket, record.get("vrm:status"))
        self._remember(key, "ticket", ticket.id)
        return "ticket updates"

    def _set_status(self, ticket: m.Ticket, status: object) -> None:
        """The vendor's status for the ticket, if it is one; a ticket it closes is closed then."""
        if not isinstance(status, str) or status not in {s.value for s in m.TicketStatus}:
            return
        ticket.status = m.TicketStatus(status)
        done = ticket.status in (m.TicketStatus.RESOLVED, m.TicketStatus.CLOSED)
        if done and ticket.closed_on is None:
            ticket.closed_on = self.sent.date()

    def _warranty_confirmation(self, record: dict[str, Any]) -> str | None:
        if record.get("vrm:confirmed") is not True:
            return None
        uid = record["@id"]
        warranty = self._target(uid, m.Warranty)
        key = _local_uid(self.verified.bundle_id, uid)
        if warranty is None or self._seen(key):
            return None
        through = real_date(record.get("vrm:validThrough"))
        suffix = f", valid through {through.isoformat()}" if through is not None else ""
        line = f"Confirmed by {self.check.vendor_name} on {self.sent.date()}{suffix}."
        warranty.notes = f"{warranty.notes}\n{line}".strip()
        title = f"Warranty confirmed: {warranty.title or 'warranty'}"
        self._note(key, title, line, uid, self.sent, "note")
        return "warranty confirmations"

    def _correction(self, record: dict[str, Any]) -> str | None:
        uid = record["@id"]
        about = ref_id(record.get("about"))
        if self._seen(uid) or about is None or about not in self.shared:
            return None
        field_name, value = str(record.get("field", "")), record.get("value")
        note = record.get("note")
        body = f"{self.check.vendor_name} says {field_name} should be: {value}"
        if isinstance(note, str) and note:
            body += f"\n{note}"
        title = f"Correction proposed: {field_name}"[:500]
        self._note(uid, title, body, about, self.sent, "note")
        return "corrections"

    def _terms_answer(self, record: dict[str, Any]) -> str | None:
        """The vendor's answer to my proffered terms (checked by _check_terms_answers)."""
        key = _local_uid(self.verified.bundle_id, record["@id"])
        if self._seen(key) or self.verified.in_reply_to is None:
            return None
        other = record.get("vrm:alternative")
        row = myterms.record_answer(
            self.session,
            self.verified.in_reply_to,
            answer=record["vrm:answer"],
            alternative_id=other.get("id") if isinstance(other, dict) else None,
            answer_bundle_id=self.verified.bundle_id,
            when=self.sent,
        )
        self._remember(key, "terms_agreement", row.id)
        return "terms answers"

    def _quote(self, record: dict[str, Any]) -> str | None:
        """A quote against the request (checked in :func:`_check_quotes`), on the timeline."""
        uid = record["@id"]
        recipient = quotes.recipient_for(self.session, self.verified.in_reply_to or "")
        until = real_date(record.get("validUntil"))
        if self._seen(uid) or recipient is None or until is None:
            return None
        price = parse_amount(str(record.get("price")), "price")
        text = record.get("text")
        message = text if isinstance(text, str) else ""
        quote = quotes.record_quote(
            self.session,
            recipient,
            price_minor=price or 0,
            currency=str(record.get("priceCurrency")),
            valid_until=until,
            message=message[:100_000],
            received_at=self.sent,
            bundle_id=self.verified.bundle_id,
            uid=uid,
        )
        request = recipient.request
        line = f"Quote: {format_amount(quote.price_minor, quote.currency)}, valid until {until}"
        body = f"{line}.\n\n{message}".strip()
        self._note(
            _local_uid(self.verified.bundle_id, uid),
            f"Quote for {request.subject}"[:500],
            body,
            None,
            self.sent,
            "note",
        )
        self._remember(uid, "quote", quote.id)
        return "quotes"

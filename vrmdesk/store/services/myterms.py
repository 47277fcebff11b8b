"""MyTerms (IEEE 7012) agreements with vendors: what I proffered, its state, and its history.

The roster itself is data of the share layer (:mod:`vrmshare.roster`, readable by a vendor
without a vault); this module keeps the vault's side: one
:class:`~vrmdesk.store.models.TermsAgreement` per proffer, the newest of a vendor being the one
in play, and every change on the vendor's timeline (an interaction, as rights requests record
theirs). States: ``proffered`` → ``accepted`` | ``alternative_offered`` | ``declined``; any of
them → ``withdrawn`` (by me). A new proffer to the same vendor withdraws the one before it.

An answer to a proffer I withdrew (or replaced) is kept as a signed record (its bundle id, a
note on the timeline) but changes nothing: the agreement stays withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vrmdesk.errors import NotFound, ValidationError
from vrmdesk.store import models as m
from vrmdesk.store.services import records

STATES = ("proffered", "accepted", "alternative_offered", "declined", "withdrawn")
STATE_WORDS = {
    "proffered": "proffered, waiting for the vendor's answer",
    "accepted": "accepted by the vendor: in force",
    "alternative_offered": "the vendor offered another agreement",
    "declined": "declined by the vendor",
    "withdrawn": "withdrawn by me",
}
#: what an answer record says -> the state it leads to
ANSWER_STATES = {
    "accepted": "accepted",
    "declined": "declined",
    "alternative_offered": "alternative_offered",
}


def _now() -> datetime:
    return m.utcnow()


@dataclass(frozen=True)
class AgreementRow:
    """One proffer, as ``vrmdesk terms list`` and the dialog show it."""

    id: int
    vendor_id: int
    vendor: str
    agreement: str
    version: str
    title: str
    state: str
    alternative: str | None
    proffered_at: datetime
    answered_at: datetime | None
    withdrawn_at: datetime | None
    proffer_bundle_id: str
    answer_bundle_id: str | None

    def to_json(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None

        return {
            "id": self.id,
            "vendor_id": self.vendor_id,
            "vendor": self.vendor,
            "agreement": self.agreement,
            "version": self.version,
            "title": self.title,
            "state": self.state,
            "alternative": self.alternative,
            "proffered": iso(self.proffered_at),
            "answered": iso(self.answered_at),
            "withdrawn": iso(self.withdrawn_at),
            "proffer_bundle_id": self.proffer_bundle_id,
            "answer_bundle_id": self.answer_bundle_id,
        }


def _row(found: m.TermsAgreement, vendor_name: str) -> AgreementRow:
    return AgreementRow(
        found.id,
        found.vendor_id,
        vendor_name,
        found.agreement_id,
        found.agreement_version,
        found.agreement_title,
        found.state,
        found.alternative_id,
        found.proffered_at,
        found.answered_at,
        found.withdrawn_at,
        found.proffer_bundle_id,
        found.answer_bundle_id,
    )


def _timeline(session: Session, vendor_id: int, when: datetime, subject: str, body: str) -> None:
    records.create(
        session,
        m.Interaction,
        vendor_id=vendor_id,
        occurred_at=when,
        direction=m.Direction.OUTBOUND,
        channel=m.InteractionChannel.NOTE,
        subject=subject[:500],
        body=body,
    )


def current(session: Session, vendor_id: int) -> m.TermsAgreement | None:
    """The vendor's newest proffer (whatever its state), or None."""
    return session.scalar(
        select(m.TermsAgreement)
        .where(m.TermsAgreement.vendor_id == vendor_id)
        .order_by(m.TermsAgreement.proffered_at.desc(), m.TermsAgreement.id.desc())
        .limit(1)
    )


def in_force(session: Session, vendor_id: int) -> m.TermsAgreement | None:
    """The agreement in force with the vendor: its newest proffer, if the vendor accepted it."""
    found = current(session, vendor_id)
    return found if found is not None and found.state == "accepted" else None


def record_proffer(
    session: Session,
    vendor_id: int,
    *,
    agreement_id: str,
    version: str,
    title: str,
    bundle_id: str,
    summary: str = "",
    when: datetime | None = None,
) -> m.TermsAgreement:
    """A proffer written (its bundle logged in the Disclosure log): state ``proffered``.

    One still open with the vendor (proffered, accepted, alternative offered) is withdrawn.
    """
    vendor = session.get(m.Vendor, vendor_id)
    if vendor is None:
        raise NotFound(f"There is no vendor {vendor_id}.", field="vendor_id")
    when = when or _now()
    before = current(session, vendor_id)
    if before is not None and before.state not in ("withdrawn", "declined"):
        before.state = "withdrawn"
        before.withdrawn_at = when
    row = m.TermsAgreement(
        vendor_id=vendor_id,
        agreement_id=agreement_id,
        agreement_version=version,
        agreement_title=title,
        state="proffered",
        proffered_at=when,
        proffer_bundle_id=bundle_id,
    )
    session.add(row)
    replaced = f"\nIt replaces {before.agreement_id}, now withdrawn." if before is not None else ""
    _timeline(
        session,
        vendor_id,
        when,
        f"My terms proffered: {agreement_id} ({title})",
        f"I proffered the MyTerms agreement {agreement_id} version {version} ({title}) to "
        f"{vendor.name} in the signed bundle {bundle_id}.{replaced}\n\n{summary}".rstrip(),
    )
    session.flush()
    return row


def by_proffer(session: Session, bundle_id: str) -> m.TermsAgreement | None:
    return session.scalar(
        select(m.TermsAgreement).where(m.TermsAgreement.proffer_bundle_id == bundle_id)
    )


def record_answer(
    session: Session,
    proffer_bundle_id: str,
    *,
    answer: str,
    alternative_id: str | None,
    answer_bundle_id: str,
    when: datetime | None = None,
) -> m.TermsAgreement:
    """The vendor's signed answer to a proffer: its new state, on the timeline.

    An answer to a proffer no longer in play (withdrawn, or replaced by a newer one) is noted
    on the timeline with its bundle id and changes no state.
    """
    if answer not in ANSWER_STATES:
        raise ValidationError(f"{answer!r} is not an answer to a proffer.", field="answer")
    row = by_proffer(session, proffer_bundle_id)
    if row is None:
        raise NotFound(f"No terms were proffered in {proffer_bundle_id}.", field="bundle_id")
    vendor = session.get(m.Vendor, row.vendor_id)
    name = vendor.name if vendor is not None else "The vendor"
    when = when or _now()
    words = {
        "accepted": f"{name} accepted {row.agreement_id} ({row.agreement_title})",
        "declined": f"{name} declined {row.agreement_id} ({row.agreement_title})",
        "alternative_offered": f"{name} offered {alternative_id} instead of {row.agreement_id}",
    }[answer]
    row.answer_bundle_id = answer_bundle_id
    if row.state == "withdrawn":
        _timeline(
            session,
            row.vendor_id,
            when,
            f"Answer to withdrawn terms: {words}",
            f"{words} in the signed reply {answer_bundle_id}, after I withdrew it"
            f"{' on ' + row.withdrawn_at.date().isoformat() if row.withdrawn_at else ''}. "
            "The agreement stays withdrawn.",
        )
        session.flush()
        return row
    row.state = ANSWER_STATES[answer]
    row.alternative_id = alternative_id if answer == "alternative_offered" else None
    row.answered_at = when
    _timeline(
        session,
        row.vendor_id,
        when,
        f"My terms: {words}",
        f"{words}, in the signed reply {answer_bundle_id} to my proffer {proffer_bundle_id}.",
    )
    session.flush()
    return row


def withdraw(session: Session, vendor_id: int, when: datetime | None = None) -> m.TermsAgreement:
    """I withdraw the agreement in play with the vendor (whatever its state but withdrawn)."""
    vendor = session.get(m.Vendor, vendor_id)
    if vendor is None:
        raise NotFound(f"There is no vendor {vendor_id}.", field="vendor_id")
    row = current(session, vendor_id)
    if row is None or row.state == "withdrawn":
        raise ValidationError(
            f"There are no terms in play with {vendor.name} to withdraw.", field="vendor_id"
        )
    when = when or _now()
    row.state = "withdrawn"
    row.withdrawn_at = when
    _timeline(
        session,
        vendor_id,
        when,
        f"My terms withdrawn: {row.agreement_id}",
        f"I withdrew the MyTerms agreement {row.agreement_id} ({row.agreement_title}) "
        f"proffered to {vendor.name} in {row.proffer_bundle_id}.",
    )
    session.flush()
    return row


def list_agreements(session: Session, vendor_id: int | None = None) -> list[AgreementRow]:
    """Every proffer (of one vendor, or of all), newest first within each vendor."""
    query = (
        select(m.TermsAgreement, m.Vendor.name)
        .join(m.Vendor, m.Vendor.id == m.TermsAgreement.vendor_id)
        .order_by(m.Vendor.name, m.TermsAgreement.proffered_at.desc(), m.TermsAgreement.id.desc())
    )
    if vendor_id is not None:
        query = query.where(m.TermsAgreement.vendor_id == vendor_id)
    return [_row(found, name) for found, name in session.execute(query)]

"""The corrected records that go with a request for rectification (GDPR Art. 16, CCPA "correct").

A vendor holds a picture of me that may be wrong; the vault holds the right one. With the letter
goes a signed bundle (purpose ``rights_request``) of exactly what the vendor's picture is made of,
as I now have it: the vendor's own record (my accounts and customer numbers with it, the contact
details I hold for it) and the things I registered with it, each with only its registrations with
this vendor — no warranties, service history, files, prices, locations or notes, as the letter
adds nothing the vendor does not already hold. The bundle is logged in the disclosure log like
every export; the letter names its file and my signing key's fingerprint, so the vendor can check
with ``vrmdesk share verify`` that the corrections are mine and unaltered.

    letter = rights.draft(session, vendor, "rectification", "gdpr",
                          enclosure=corrections.enclosure(session, "gdpr", path.name))
    written = corrections.write(vault, letter, path)       # before record_sent
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from vrmshare.terms import Terms

from vrmdesk.errors import ValidationError
from vrmdesk.share import export
from vrmdesk.share.identity import ensure_identity
from vrmdesk.share.slice import Selection
from vrmdesk.store import models as m
from vrmdesk.store.services import rights
from vrmdesk.store.vault import Vault

#: left out of the corrections: what the vendor does not hold because of the relationship
REDACTED = frozenset({"price", "cost", "order_number", "location", "notes", "message_text"})


def selection(session: Session, vendor_id: int) -> Selection:
    """The vendor and the things registered with it, with their registrations with it only."""
    assets = sorted(
        set(
            session.scalars(
                select(m.Registration.asset_id).where(m.Registration.vendor_id == vendor_id)
            )
        )
    )
    exclude: set[tuple[str, int]] = set()
    if assets:
        within = m.Registration.asset_id.in_(assets)
        exclude.update(
            ("registration", i)
            for i in session.scalars(
                select(m.Registration.id).where(within, m.Registration.vendor_id != vendor_id)
            )
        )
        exclude.update(
            ("warranty", i)
            for i in session.scalars(select(m.Warranty.id).where(m.Warranty.asset_id.in_(assets)))
        )
        exclude.update(
            ("service_event", i)
            for i in session.scalars(
                select(m.ServiceEvent.id).where(m.ServiceEvent.asset_id.in_(assets))
            )
        )
    return Selection(
        vendor_id=vendor_id,
        asset_ids=tuple(assets),
        redact=REDACTED,
        include_files=False,
        exclude=frozenset(exclude),
    )


def enclosure(session: Session, law_id: str, file_name: str) -> str:
    """The letter's paragraph naming the bundle's file and the key that signs it."""
    return rights.enclosure_text(law_id, file_name, ensure_identity(session).fingerprint)


def write(
    vault: Vault,
    letter: rights.Draft,
    out_path: Path,
    *,
    sender: str | None = None,
    created: str | None = None,
) -> export.ExportResult:
    """Write and log the corrections bundle of ``letter`` (a rectification request)."""
    if letter.right != "rectification":
        raise ValidationError(
            "Corrected records go with a request for rectification only.", field="right"
        )
    with vault.session() as session:
        chosen = selection(session, letter.vendor_id)
    terms = Terms(
        purpose="rights_request",
        purpose_note=f"The corrected records for my request for rectification under "
        f"{rights.law(letter.law).short} {letter.article} of {letter.sent_on.isoformat()}.",
        retention_days=0,
    )
    return export.export_bundle(vault, chosen, terms, out_path, created=created, sender=sender)

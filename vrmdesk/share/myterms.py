"""MyTerms on my side: proffering an agreement in a signed bundle, the one in force in every
later bundle's terms, and the proposal when a vendor exceeds my contact policy.

    result = proffer(vault, vendor_id, "SD-BASE", Path("bosch-terms.vrmshare"))

A proffer is a vrmshare/1 bundle of purpose ``terms_proffer`` whose one record is a
``vrm:TermsProffer`` (:mod:`vrmshare.roster`); it is written like an export (outside any
session, then logged in the Disclosure log with its SHA-256, the file removed again if the log
fails) and recorded as a :class:`~vrmdesk.store.models.TermsAgreement` in state ``proffered``.
The vendor answers with ``vrmdesk share reply --accept-terms`` (or ``--decline-terms``,
``--offer-terms ID``); :mod:`vrmdesk.share.importer` takes the answer in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session
from vrmshare import format as fmt
from vrmshare import layout
from vrmshare.errors import BundleError
from vrmshare.fileutil import is_disk_full, storage_error
from vrmshare.roster import PROPOSED_FOR_CONTACT_POLICY, Agreement, agreement
from vrmshare.terms import Terms

from vrmdesk.errors import ValidationError, VaultLocked
from vrmdesk.share.export import NO_SENDER, bundle_path, now_created, sender_name
from vrmdesk.share.identity import ensure_identity
from vrmdesk.share.in_force import with_agreement as with_agreement
from vrmdesk.store import models as m
from vrmdesk.store.services import dashboard
from vrmdesk.store.services import myterms as service

if TYPE_CHECKING:
    from vrmdesk.store.vault import Vault


@dataclass(frozen=True)
class ProfferResult:
    path: Path
    bundle_id: str
    sha256: str
    size: int
    agreement: Agreement
    vendor: str
    disclosure_id: int
    fingerprint: str
    encrypted_to: str


def _page(sender: str, fingerprint: str, vendor: str, created: str, chosen: Agreement) -> bytes:
    from html import escape as e

    summary = "".join(f"<p>{e(p)}</p>" for p in chosen.summary.split("\n\n"))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        f"<title>My terms for {e(vendor)}: {e(chosen.id)}</title>"
        "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:760px;margin:24px auto;"
        "padding:0 16px}p{white-space:pre-wrap}.terms{background:#fff8e1;border:2px solid "
        "#e0a800;border-radius:8px;padding:12px 18px}</style></head><body>\n"
        f"<h1>My terms for {e(vendor)}</h1>\n"
        f"<p>From {e(sender)} · {e(created)} · signing key <code>{e(fingerprint)}</code></p>\n"
        f'<section class="terms"><h2>{e(chosen.id)} version {e(chosen.version)}: '
        f"{e(chosen.title)}</h2>{summary}"
        f'<p>The agreement that binds: <a href="{e(chosen.url, quote=True)}">{e(chosen.url)}</a>'
        f" ({e(chosen.source)}).</p></section>\n"
        "<p>Answer with <code>vrmdesk share reply --accept-terms</code>, "
        "<code>--decline-terms</code> or <code>--offer-terms ID</code> (another agreement of "
        "the MyTerms roster); both sides keep the signed records.</p>\n</body></html>\n"
    ).encode()


def proffer(
    vault: Vault,
    vendor_id: int,
    agreement_id: str,
    out_path: Path,
    *,
    encrypt_to: str | None = None,
    created: str | None = None,
    sender: str | None = None,
) -> ProfferResult:
    """Write the signed ``terms_proffer`` bundle, log it, and record the proffer."""
    if not vault.writable:
        raise VaultLocked("This vault was opened read-only; a proffer needs to be logged.")
    chosen = agreement(agreement_id)
    encrypt_to = (encrypt_to or "").strip() or None
    path = bundle_path(out_path, encrypt_to)
    if not path.parent.is_dir():
        raise BundleError(f"The folder {path.parent} does not exist.")
    created = created or now_created()
    when = datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    with vault.session() as session:
        vendor = session.get(m.Vendor, vendor_id)
        if vendor is None:
            raise ValidationError(f"There is no vendor {vendor_id}.", field="vendor_id")
        vendor_name = vendor.name
        identity = ensure_identity(session)
        name = (sender or "").strip() or sender_name(session)
        if not name:
            raise ValidationError(NO_SENDER, field="sender_name")
        vault_id = vault.header.vault_id
        uid = layout.record_uid(vault_id, "terms_proffer", f"{vendor_id}:{created}")
        terms = Terms(purpose="terms_proffer", retention_days=0)
        manifest = {
            "format": layout.FORMAT,
            "created": created,
            "sender": {"name": name, "key": identity.public_jwk()},
            "recipient": {
                "name": vendor_name,
                "id": layout.record_uid(vault_id, "vendor", vendor_id),
            },
            "purpose": "terms_proffer",
            "purpose_note": f"{chosen.id}: {chosen.title}",
            "terms": terms.manifest_terms(),
            "in_reply_to": None,
            "records": [chosen.proffer_record(uid)],
            "redacted": [],
        }
        page = _page(name, identity.fingerprint, vendor_name, created, chosen)
        key, fingerprint = identity.private_key, identity.fingerprint
    index = fmt.BundleFile.from_bytes(layout.INDEX_NAME, page, "text/html")
    try:
        written = fmt.write_bundle(manifest, [index], key, path, encrypt_to=encrypt_to)
    except OSError as exc:
        if is_disk_full(exc):
            raise storage_error(exc, f"writing the bundle {path}") from None
        raise BundleError(f"The bundle could not be written to {path}: {exc.strerror}.") from None
    try:
        with vault.session() as session:
            disclosure = m.Disclosure(
                vendor_id=vendor_id,
                vendor_name=vendor_name,
                bundle_id=written.bundle_id,
                bundle_created=when,
                purpose="terms_proffer",
                terms={**terms.to_json(), "proffer": chosen.terms_entry()},
                contents=[{"kind": "terms_proffer", "id": 0, "uid": uid, "fields": []}],
                files=[],
                redacted=[],
                selection={},
                bundle_sha256=written.sha256,
                encrypted_to=encrypt_to or "",
                path=str(written.path),
            )
            session.add(disclosure)
            session.flush()
            service.record_proffer(
                session,
                vendor_id,
                agreement_id=chosen.id,
                version=chosen.version,
                title=chosen.title,
                bundle_id=written.bundle_id,
                summary=chosen.summary,
                when=when,
            )
            disclosure_id = disclosure.id
    except BaseException:
        written.path.unlink(missing_ok=True)
        raise
    return ProfferResult(
        written.path,
        written.bundle_id,
        written.sha256,
        written.size,
        chosen,
        vendor_name,
        disclosure_id,
        fingerprint,
        encrypt_to or "",
    )


@dataclass(frozen=True)
class Proposal:
    """A vendor over my contact policy, and the agreement vrmdesk proposes to proffer to it."""

    vendor_id: int
    vendor: str
    reason: str
    agreement: Agreement
    message: str

    def to_json(self) -> dict[str, object]:
        return {
            "vendor_id": self.vendor_id,
            "vendor": self.vendor,
            "reason": self.reason,
            "agreement": self.agreement.id,
            "message": self.message,
        }


def draft_message(vendor: str, chosen: Agreement, reason: str) -> str:
    """The text for the vendor: why, what the agreement means in plain words, how to answer."""
    return (
        f"Dear {vendor},\n\n"
        f"You have contacted me more than I agreed to ({reason}). From now on I offer our "
        f"dealings under the agreement {chosen.id} ({chosen.title}), proffered with this "
        "message as a signed MyTerms record.\n\n"
        f"What it means, in plain words:\n{chosen.summary}\n\n"
        f"The agreement's text: {chosen.url}\n\n"
        "Please accept it, offer another agreement of the same roster, or decline; your answer "
        "signed with your key is kept by both of us.\n\nKind regards"
    )


def proposal_for(vendor_id: int, vendor: str, reason: str, agreement_id: str = "") -> Proposal:
    chosen = agreement(agreement_id or PROPOSED_FOR_CONTACT_POLICY[0])
    return Proposal(vendor_id, vendor, reason, chosen, draft_message(vendor, chosen, reason))


def propose(session: Session) -> list[Proposal]:
    """The vendors over my contact policy with no agreement in force, each with the proposal
    (P2B1, #NoStalking, first: it is about being followed and pestered) and its drafted text."""
    proposals = []
    for breach in dashboard.over_contact_policy(session):
        if service.in_force(session, breach.vendor.id) is not None:
            continue
        proposals.append(proposal_for(breach.vendor.id, breach.vendor.name, breach.reason))
    return proposals

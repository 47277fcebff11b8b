"""What I have told each vendor: the log of exported bundles, their details, and re-export.

Every export leaves one :class:`~vrmdesk.store.models.Disclosure` row (see ``export.py``): when,
to whom, which records and fields, which files, on what terms, the bundle's SHA-256 and the
selection it was made from. :func:`reexport` builds the same selection on the same terms again,
with a new created time (so a new bundle id) and the records as they are now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from vrmshare.terms import PURPOSES, Terms

from vrmdesk.errors import NotFound, ValidationError
from vrmdesk.share.slice import Selection
from vrmdesk.store import models as m

if TYPE_CHECKING:
    from vrmdesk.share.export import ExportResult
    from vrmdesk.store.vault import Vault

SAME = "same"

KIND_NOUNS = {
    "vendor": "vendor",
    "asset": "thing",
    "warranty": "warranty",
    "registration": "registration",
    "service_event": "service",
    "ticket": "ticket",
    "interaction": "message",
    "agreement": "agreement",
    "quote_request": "quote request",
}


@dataclass(frozen=True)
class DisclosureRow:
    id: int
    created: datetime  # the bundle's created time (UTC)
    vendor_name: str
    purpose: str
    purpose_label: str
    records: int
    files: int
    encrypted_to: str
    sha256: str
    bundle_id: str
    path: str

    @property
    def encrypted(self) -> bool:
        return bool(self.encrypted_to)


@dataclass
class DisclosureDetail:
    row: DisclosureRow
    terms: list[tuple[str, str]]
    redacted: list[str]
    #: (kind noun, local id, fields) per record, in bundle order
    records: list[tuple[str, int, list[str]]] = field(default_factory=list)
    #: (name, size, sha256) per file
    files: list[tuple[str, int, str]] = field(default_factory=list)
    selection: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """Counts by kind: "1 vendor, 2 things, 3 warranties, 5 messages"."""
        counts: dict[str, int] = {}
        for noun, _, _ in self.records:
            counts[noun] = counts.get(noun, 0) + 1
        return ", ".join(f"{n} {noun if n == 1 else plural(noun)}" for noun, n in counts.items())


def plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"


def _row(d: m.Disclosure) -> DisclosureRow:
    return DisclosureRow(
        id=d.id,
        created=d.bundle_created,
        vendor_name=d.vendor_name,
        purpose=d.purpose,
        purpose_label=PURPOSES.get(d.purpose, d.purpose),
        records=len(d.contents or []),
        files=len(d.files or []),
        encrypted_to=d.encrypted_to or "",
        sha256=d.bundle_sha256,
        bundle_id=d.bundle_id,
        path=d.path or "",
    )


def for_vendor(session: Session, vendor_id: int) -> list[DisclosureRow]:
    """Every export to this vendor, newest first."""
    query = (
        select(m.Disclosure)
        .where(m.Disclosure.vendor_id == vendor_id)
        .order_by(m.Disclosure.bundle_created.desc(), m.Disclosure.id.desc())
    )
    return [_row(d) for d in session.scalars(query)]


def count_for_vendor(session: Session, vendor_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(m.Disclosure)
            .where(m.Disclosure.vendor_id == vendor_id)
        )
        or 0
    )


def details(session: Session, disclosure_id: int) -> DisclosureDetail:
    d = session.get(m.Disclosure, disclosure_id)
    if d is None:
        raise NotFound(f"There is no export {disclosure_id} in the log.")
    detail = DisclosureDetail(
        row=_row(d),
        terms=Terms.from_json(d.terms or {}).describe(),
        redacted=list(d.redacted or []),
        selection=dict(d.selection or {}),
    )
    for item in d.contents or []:
        kind = str(item.get("kind", ""))
        noun = "note" if kind.endswith("_note") else KIND_NOUNS.get(kind, kind)
        detail.records.append((noun, int(item.get("id", 0)), list(item.get("fields", []))))
    for f in d.files or []:
        detail.files.append(
            (str(f.get("name", "")), int(f.get("size", 0)), str(f.get("sha256", "")))
        )
    return detail


def reexport(
    vault: Vault,
    disclosure_id: int,
    out_path: Path,
    *,
    created: str | None = None,
    encrypt_to: str | None = SAME,
    sender: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> ExportResult:
    """Build the same selection on the same terms again, with a new created time.

    ``encrypt_to``: ``"same"`` encrypts to the recipient the first export used (if any), None
    or "" writes it unencrypted, an ``age1…`` recipient encrypts to that.
    """
    from vrmdesk.share.export import export_bundle

    with vault.session() as session:
        d = session.get(m.Disclosure, disclosure_id)
        if d is None:
            raise NotFound(f"There is no export {disclosure_id} in the log.")
        if d.vendor_id is None:
            raise ValidationError(
                f"{d.vendor_name} has been deleted since; this export cannot be made again."
            )
        if d.purpose == "terms_proffer":
            raise ValidationError(
                "A proffer of my terms is not exported again: proffer the agreement anew "
                "(My terms… on the vendor's page, or vrmdesk terms proffer)."
            )
        if any(c.get("kind") == "quote_request" for c in d.contents or []):
            raise ValidationError(
                "This bundle carried a request for quotes: write the request again with "
                "Request quotes… (vrmdesk rfq new), so the quotes answering it can be imported."
            )
        selection = Selection.from_json({**d.selection, "vendor_id": d.vendor_id})
        terms = Terms.from_json(d.terms or {})
        recipient = d.encrypted_to if encrypt_to == SAME else encrypt_to
    return export_bundle(
        vault,
        selection,
        terms,
        out_path,
        created=created,
        sender=sender,
        encrypt_to=recipient or None,
        progress=progress,
    )

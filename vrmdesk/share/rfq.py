"""Sending a request for quotes: one request, one signed bundle per vendor chosen.

    sent = send_request(vault, quotes.RequestDraft(...), Path("out"))
    for bundle in sent.bundles: print(bundle.vendor, bundle.path)

Every bundle (purpose ``quote_request``) holds the same ``vrm:QuoteRequest`` record (one @id,
the same fields) and the things chosen, on the request's terms: for this request only, no
marketing, kept at most N days, not passed on. Each bundle is logged in the Disclosure log like
any export, and each vendor's timeline shows the request. If one bundle cannot be written,
those already written are removed and nothing is recorded: a request goes out whole or not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from vrmshare.errors import BundleError
from vrmshare.terms import Terms

from vrmdesk.errors import ValidationError
from vrmdesk.share import export
from vrmdesk.share.schemaorg import decimal_amount
from vrmdesk.share.slice import Selection, SliceRecord
from vrmdesk.store import models as m
from vrmdesk.store.services import quotes
from vrmdesk.store.vault import Vault

RECORD_TYPE = "vrm:QuoteRequest"
QUOTE_TYPE = "vrm:Quote"
PURPOSE = "quote_request"
#: progress(vendor's name, bundles written so far, bundles in all)
Progress = Callable[[str, int, int], None]


def terms_for(retention_days: int, subject: str = "") -> Terms:
    """A request's terms: quote only, no marketing, kept ``retention_days``, not passed on."""
    return Terms(
        purpose=PURPOSE,
        purpose_note=subject[:10000],
        allowed_use="this_request_only",
        marketing=False,
        retention_days=retention_days,
        third_parties=False,
    )


def request_record(request: m.QuoteRequest) -> dict[str, Any]:
    """The ``vrm:QuoteRequest`` record every bundle of the request carries."""
    record: dict[str, Any] = {
        "@type": RECORD_TYPE,
        "@id": request.uid,
        "subject": request.subject,
        "text": request.body,
        "constraints": list(request.constraints),
    }
    if request.budget_minor is not None:
        record["budget"] = {
            "@type": "MonetaryAmount",
            "value": decimal_amount(request.budget_minor),
            "currency": request.currency,
        }
    if request.wanted_by is not None:
        record["wantedBy"] = request.wanted_by.isoformat()
    return record


@dataclass(frozen=True)
class SentBundle:
    vendor: str
    path: Path
    bundle_id: str
    disclosure_id: int


@dataclass(frozen=True)
class SentRequest:
    request_id: int
    uid: str
    bundles: list[SentBundle]


def _file_name(vendor: str, request_id: int, encrypted: bool) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", vendor).strip("-").lower()[:60] or "vendor"
    return f"{slug}-quote-request-{request_id}.vrmshare" + (".age" if encrypted else "")


def send_request(
    vault: Vault,
    draft: quotes.RequestDraft,
    out_dir: Path,
    *,
    sender: str | None = None,
    encrypt_to_each: bool = False,
    include_files: bool = False,
    created: str | None = None,
    progress: Progress | None = None,
) -> SentRequest:
    """Check the request, store it, and write one bundle per vendor into ``out_dir``.

    Refused before anything is written (ValidationError, BundleError): no vendor or an unknown
    one, no subject, no sender name, a folder that does not exist, a file already there, a
    vendor without an age recipient when ``encrypt_to_each``.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise BundleError(f"The folder {out_dir} does not exist.")
    created = created or export.now_created()
    sent_at = datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    with vault.session() as session:
        checked = quotes.check(session, draft, on=sent_at.date())
        if not ((sender or "").strip() or export.sender_name(session)):
            raise ValidationError(export.NO_SENDER, field="sender_name")
        if encrypt_to_each:
            missing = [v.name for v in checked.vendors if not v.age_recipient]
            if missing:
                raise ValidationError(
                    "No age recipient to encrypt to for " + ", ".join(missing) + ".",
                    field="encrypt_to",
                )
        request = quotes.create_request(session, checked)
        request_id = request.id
        uid = request.uid
        extra = SliceRecord(
            "quote_request", request.id, uid, f"Request: {request.subject}", request_record(request)
        )
        plan = [
            (v.id, v.name, v.age_recipient if encrypt_to_each else None) for v in checked.vendors
        ]
        paths = [out_dir / _file_name(name, request_id, bool(age)) for _, name, age in plan]
        taken = [p for p in paths if p.exists()]
        if taken:
            raise BundleError(f"{taken[0]} exists already; choose another folder.")
        asset_ids = tuple(checked.asset_ids)
        terms = terms_for(checked.retention_days, checked.subject)
    written: list[SentBundle] = []
    try:
        for (vendor_id, name, age), path in zip(plan, paths, strict=True):
            if progress is not None:
                progress(name, len(written), len(plan))
            selection = Selection(
                vendor_id=vendor_id, asset_ids=asset_ids, include_files=include_files
            )
            result = export.export_bundle(
                vault,
                selection,
                terms,
                path,
                created=created,
                sender=sender,
                encrypt_to=age,
                extra=[extra],
            )
            written.append(SentBundle(name, result.path, result.bundle_id, result.disclosure_id))
        with vault.session() as session:
            for (vendor_id, _, _), bundle in zip(plan, written, strict=True):
                quotes.record_sent(session, request_id, vendor_id, bundle.bundle_id, sent_at)
    except BaseException:
        _undo(vault, request_id, written)
        raise
    if progress is not None:
        progress("", len(written), len(plan))
    return SentRequest(request_id, uid, written)


def _undo(vault: Vault, request_id: int, written: list[SentBundle]) -> None:
    """Take back a request that did not go out whole: its files, log entries and rows."""
    for bundle in written:
        bundle.path.unlink(missing_ok=True)
    with vault.session() as session:
        ids = [b.disclosure_id for b in written]
        if ids:
            session.execute(delete(m.Disclosure).where(m.Disclosure.id.in_(ids)))
        request = session.get(m.QuoteRequest, request_id)
        if request is not None:
            session.delete(request)

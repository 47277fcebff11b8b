"""A vendor's side: its signing key, and a signed reply to a customer's bundle.

A reply is a vrmshare/1 bundle with purpose "reply" and ``in_reply_to`` the customer's
bundle_id. Its records answer records of that bundle (by their @id): Messages, a
vrm:SupportTicket carrying the case reference, a WarrantyPromise with "vrm:confirmed", and
vrm:Correction records. No Qt, no vault: a vendor runs this with only the bundle and its key.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwcrypto import jwk

from vrmshare import roster
from vrmshare.errors import ValidationError, VrmError
from vrmshare.fileutil import fsync_dir, read_regular, reporting
from vrmshare.format import BundleFile, WrittenBundle, output_path, public_jwk_of, write_bundle
from vrmshare.identity import display_fingerprint
from vrmshare.layout import NS
from vrmshare.verify import VerifiedBundle
from vrmshare.vocabulary import InteractionChannel, TicketStatus

#: what a reply may say (the customer's vault takes them as they are)
CHANNELS = tuple(c.value for c in InteractionChannel)
TICKET_STATUSES = tuple(s.value for s in TicketStatus)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_KEY_FILE_BYTES = 64 * 1024


class ReplyError(VrmError):
    """A reply cannot be built as asked (an unknown @id, no ticket to attach a case reference)."""


# -- keys -----------------------------------------------------------------------------------
def keygen(out: Path) -> dict[str, Any]:
    """Write a new Ed25519 private JWK to ``out`` (mode 0600, never over a file); its public JWK.

    The key is written to a temporary file in the same folder, synced, then linked to ``out``
    (which fails if ``out`` exists); a failure (a full disk: DiskFull) leaves no file behind.
    """
    out = Path(out)
    key = Ed25519PrivateKey.generate()
    private = json.loads(jwk.JWK.from_pyca(key).export_private())
    public = public_jwk_of(key)
    private.update(kid=public["kid"], use="sig", alg="EdDSA")
    if os.path.lexists(out):
        raise ReplyError(f"{out} exists; refusing to overwrite a key.")
    data = (json.dumps(private, indent=2, sort_keys=True) + "\n").encode("utf-8")
    what = f"writing the key {out}"
    with reporting(what):
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with reporting(what):
            with os.fdopen(fd, "wb") as handle:  # mkstemp makes it 0600
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(tmp, out)
            except FileExistsError:
                raise ReplyError(f"{out} exists; refusing to overwrite a key.") from None
            fsync_dir(out.parent)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return public


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """An Ed25519 private JWK file (as ``keygen`` writes it)."""
    raw = read_regular(Path(path), MAX_KEY_FILE_BYTES, ReplyError, "the signing key")
    try:
        data = json.loads(raw.decode("utf-8"))
        key = jwk.JWK(**data).get_op_key("sign")
    except (ValueError, TypeError, KeyError, jwk.InvalidJWKValue) as exc:
        raise ReplyError(f"{path} is not an Ed25519 private JWK ({str(exc)[:80]}).") from None
    except Exception as exc:  # jwcrypto raises its own kinds for a public-only key
        raise ReplyError(f"{path} is not an Ed25519 private JWK ({str(exc)[:80]}).") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ReplyError(f"{path} is not an Ed25519 private key.")
    return key


def fingerprint_of(key: Ed25519PrivateKey) -> str:
    return display_fingerprint(public_jwk_of(key)["kid"])


# -- the reply ------------------------------------------------------------------------------
@dataclass
class ReplyContent:
    messages: Sequence[str] = ()
    subject: str = ""
    channel: str = "email"
    case_reference: str | None = None
    ticket: str | None = None
    status: str | None = None
    confirm_warranty: str | None = None
    valid_through: str | None = None
    corrections: Sequence[tuple[str, str, str]] = field(default_factory=list)
    sender_name: str | None = None
    # -- MyTerms: the answer to a terms_proffer bundle (at most one of the three)
    accept_terms: bool = False
    decline_terms: bool = False
    offer_terms: str | None = None
    # a quote for a quote request (--quote PRICE --currency C --valid-until DATE)
    quote_price: str | None = None
    quote_currency: str | None = None
    quote_valid_until: str | None = None


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _by_type(original: VerifiedBundle) -> dict[str, str]:
    return {r["@id"]: r["@type"] for r in original.records}


def _ticket_uid(original: VerifiedBundle, wanted: str | None) -> str | None:
    types = _by_type(original)
    if wanted:
        if types.get(wanted) != "vrm:SupportTicket":
            raise ReplyError(f"{wanted} is not a support ticket in the bundle answered.")
        return wanted
    tickets = [i for i, t in types.items() if t == "vrm:SupportTicket"]
    return tickets[0] if len(tickets) == 1 else None


def _uid(in_reply_to: str, thumb: str, index: int, record: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(record, sort_keys=True).encode("utf-8")).hexdigest()
    return f"urn:uuid:{uuid.uuid5(NS, f'{in_reply_to}:{thumb}:{index}:{digest}')}"


def reply_records(
    original: VerifiedBundle, content: ReplyContent, thumb: str, created: str
) -> list[dict[str, Any]]:
    """The reply's records, checked against the bundle answered."""
    types = _by_type(original)
    if content.channel not in CHANNELS:
        raise ReplyError(f"--channel must be one of {', '.join(CHANNELS)}.")
    ticket, about = _answered(original, content)
    quote = _quote(original, content)
    records: list[dict[str, Any]] = []

    def add(record: dict[str, Any]) -> None:
        """A record of the reply's own, with an @id of its own (answers keep the one answered)."""
        record = {"@id": _uid(original.bundle_id, thumb, len(records), record), **record}
        records.append(record)

    if quote is not None:  # its --message goes into the quote
        add(quote)
    for message in [] if quote is not None else _messages(content, about, created):
        add(message)
    records += _ticket_update(content, ticket)
    records += _warranty_confirmation(content, types)
    for correction in _corrections(content, types):
        add(correction)
    for answer in _terms_answer(original, content):
        add(answer)
    if not records:
        raise ReplyError(
            "An empty reply: give --message, --case-reference, --confirm-warranty, --correct "
            "or --quote, or an answer to proffered terms (--accept-terms, --decline-terms, "
            "--offer-terms)."
        )
    return records


def _answered(original: VerifiedBundle, content: ReplyContent) -> tuple[str | None, str | None]:
    """The ticket the reply updates (named, or the only one), and what its messages are about:
    that ticket, else the only thing in the bundle, else nothing."""
    ticket = _ticket_uid(original, content.ticket)
    if content.ticket is None and ticket is None and (content.case_reference or content.status):
        raise ReplyError("The bundle holds no single ticket: name it with --ticket UID.")
    products = [i for i, t in _by_type(original).items() if t == "Product"]
    return ticket, ticket or (products[0] if len(products) == 1 else None)


def _messages(content: ReplyContent, about: str | None, created: str) -> list[dict[str, Any]]:
    messages = []
    for text in content.messages:
        message: dict[str, Any] = {
            "@type": "Message",
            "dateSent": created,
            "text": text,
            "vrm:direction": "inbound",
            "vrm:channel": content.channel,
        }
        if content.subject:
            message["headline"] = content.subject
        if about:
            message["about"] = {"@id": about}
        messages.append(message)
    return messages


def _ticket_update(content: ReplyContent, ticket: str | None) -> list[dict[str, Any]]:
    """The ticket's case reference and status, as the vendor gives them (if it does)."""
    if not (content.case_reference or content.status):
        return []
    if content.status and content.status not in TICKET_STATUSES:
        raise ReplyError(f"--status must be one of {', '.join(TICKET_STATUSES)}.")
    update: dict[str, Any] = {"@type": "vrm:SupportTicket", "@id": ticket}
    if content.case_reference:
        update["identifier"] = content.case_reference
    if content.status:
        update["vrm:status"] = content.status
    return [update]


def _warranty_confirmation(content: ReplyContent, types: dict[str, str]) -> list[dict[str, Any]]:
    if not content.confirm_warranty:
        if content.valid_through:
            raise ReplyError("--valid-through goes with --confirm-warranty.")
        return []
    if types.get(content.confirm_warranty) != "WarrantyPromise":
        raise ReplyError(f"{content.confirm_warranty} is not a warranty in the bundle answered.")
    confirmation: dict[str, Any] = {
        "@type": "WarrantyPromise",
        "@id": content.confirm_warranty,
        "vrm:confirmed": True,
    }
    if content.valid_through:
        if not _DATE.fullmatch(content.valid_through):
            raise ReplyError("--valid-through must be a date YYYY-MM-DD.")
        confirmation["vrm:validThrough"] = content.valid_through
    return [confirmation]


def _corrections(content: ReplyContent, types: dict[str, str]) -> list[dict[str, Any]]:
    corrections = []
    for target, field_name, value in content.corrections:
        if target not in types:
            raise ReplyError(f"{target} is not a record in the bundle answered.")
        corrections.append(
            {
                "@type": "vrm:Correction",
                "about": {"@id": target},
                "field": field_name,
                "value": value,
            }
        )
    return corrections


def _terms_answer(original: VerifiedBundle, content: ReplyContent) -> list[dict[str, Any]]:
    """The answer to the MyTerms agreement the bundle proffers (vrm:TermsAnswer), if asked for.

    Refused: two of --accept-terms, --decline-terms and --offer-terms; an answer to a bundle that
    proffers no terms; --offer-terms with an id not on the roster (or the one proffered).
    """
    given = [content.accept_terms, content.decline_terms, content.offer_terms is not None]
    if sum(given) == 0:
        return []
    if sum(given) > 1:
        raise ReplyError(
            "Give one answer to the proffered terms: --accept-terms, --decline-terms or "
            "--offer-terms ID, not two."
        )
    proffer = roster.proffer_of(original.records)
    if original.purpose != "terms_proffer" or proffer is None:
        raise ReplyError(
            "That bundle proffers no terms (its purpose is not 'terms_proffer'): there are no "
            "terms to accept, decline or answer with another agreement."
        )
    if not roster.is_on_roster(proffer.get("identifier"), proffer.get("version")):
        raise ReplyError(
            f"The bundle proffers {proffer.get('identifier')!r}, which is not an agreement on "
            "this vrmdesk's MyTerms roster; it cannot be answered."
        )
    if content.offer_terms is not None:
        try:
            alternative = roster.agreement(content.offer_terms)
        except ValidationError as exc:
            raise ReplyError(f"--offer-terms: {exc}") from None
        if alternative.id == proffer.get("identifier"):
            raise ReplyError(
                f"--offer-terms {alternative.id} is the agreement proffered: accept it instead."
            )
        return [roster.answer_record(proffer, "alternative_offered", alternative)]
    return [roster.answer_record(proffer, "accepted" if content.accept_terms else "declined")]


# -- a quote (the answer to a quote_request bundle) ------------------------------------------
_PRICE = re.compile(r"\d{1,12}(\.\d{1,2})?")
_CURRENCY = re.compile(r"[A-Z]{3}")


def _quote(original: VerifiedBundle, content: ReplyContent) -> dict[str, Any] | None:
    """The ``vrm:Quote`` record (without its @id), checked; None without ``--quote``."""
    if content.quote_price is None:
        if content.quote_currency or content.quote_valid_until:
            raise ReplyError("--currency and --valid-until go with --quote PRICE.")
        return None
    if original.purpose != "quote_request":
        raise ReplyError(
            f"--quote answers a quote request; that bundle's purpose is {original.purpose!r}."
        )
    requests = [r["@id"] for r in original.records if r.get("@type") == "vrm:QuoteRequest"]
    if len(requests) != 1:
        raise ReplyError("That bundle holds no single quote request (vrm:QuoteRequest) to quote.")
    if not content.quote_currency or not content.quote_valid_until:
        raise ReplyError("--quote needs --currency CODE and --valid-until YYYY-MM-DD.")
    price = content.quote_price.strip().replace(",", "")
    if not _PRICE.fullmatch(price) or not any(c in "123456789" for c in price):
        raise ReplyError(
            f"--quote {content.quote_price!r} is not a positive price (for example 1499.00)."
        )
    currency = content.quote_currency.strip().upper()
    if not _CURRENCY.fullmatch(currency):
        raise ReplyError(
            f"--currency {content.quote_currency!r} is not a three-letter ISO 4217 code (EUR)."
        )
    until = content.quote_valid_until.strip()
    try:
        valid = datetime.strptime(until, "%Y-%m-%d").date() if _DATE.fullmatch(until) else None
    except ValueError:
        valid = None
    if valid is None:
        raise ReplyError(f"--valid-until {until!r} is not a date YYYY-MM-DD.")
    if valid < datetime.now(UTC).date():
        raise ReplyError(f"--valid-until {until} is in the past; a quote must still be valid.")
    units, _, cents = price.partition(".")
    quote: dict[str, Any] = {
        "@type": "vrm:Quote",
        "about": {"@id": requests[0]},
        "price": f"{int(units)}.{cents.ljust(2, '0')}",
        "priceCurrency": currency,
        "validUntil": valid.isoformat(),
    }
    text = "\n\n".join(t for t in content.messages if t)
    if text:
        quote["text"] = text
    if content.subject:
        quote["headline"] = content.subject
    return quote


def _index_html(manifest: dict[str, Any]) -> bytes:
    rows = []
    for record in manifest["records"]:
        text = (
            record.get("text")
            or record.get("identifier")
            or record.get("value")
            or record.get("vrm:answer")
            or ""
        )
        if record.get("@type") == "vrm:Quote":
            price = f"{record['price']} {record['priceCurrency']}"
            text = f"{price}, valid until {record['validUntil']}"
        rows.append(f"<li><b>{html.escape(record['@type'])}</b> {html.escape(str(text))}</li>")
    page = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Reply from {html.escape(manifest['sender']['name'])}</title></head><body>\n"
        f"<h1>Reply from {html.escape(manifest['sender']['name'])}</h1>\n"
        f"<p>In reply to {html.escape(manifest['in_reply_to'])}, sent {manifest['created']}.</p>\n"
        f"<ul>\n{chr(10).join(rows)}\n</ul>\n</body></html>\n"
    )
    return page.encode("utf-8")


def build_reply_manifest(
    original: VerifiedBundle,
    key: Ed25519PrivateKey,
    content: ReplyContent,
    *,
    created: str | None = None,
) -> dict[str, Any]:
    """The reply's manifest (without files and bundle_id, which write_bundle adds)."""
    if original.purpose == "reply":
        raise ReplyError("That bundle is itself a reply; answer the customer's bundle.")
    created = created or _now()
    public = public_jwk_of(key)
    recipient = original.manifest["recipient"]
    return {
        "format": "vrmshare/1",
        "created": created,
        "sender": {"name": content.sender_name or recipient["name"], "key": public},
        "recipient": {"name": original.sender_name, "key_thumbprint": original.sender_thumbprint},
        "purpose": "reply",
        "terms": dict(original.manifest["terms"]),
        "in_reply_to": original.bundle_id,
        "records": reply_records(original, content, public["kid"], created),
        "redacted": [],
    }


def write_reply(
    original: VerifiedBundle,
    key: Ed25519PrivateKey,
    content: ReplyContent,
    out: Path,
    *,
    encrypt_to: str | None = None,
    created: str | None = None,
) -> WrittenBundle:
    """Build, sign and write the reply (optionally encrypted to the customer's age recipient).

    It is written at ``out`` exactly, or with ``.vrmshare`` (``.vrmshare.age`` when encrypted)
    added to a name without a suffix, as the export does.
    """
    manifest = build_reply_manifest(original, key, content, created=created)
    try:
        path = output_path(Path(out), bool(encrypt_to))
        index = BundleFile.from_bytes("index.html", _index_html(manifest), "text/html")
        with reporting(f"writing the reply {path}"):
            return write_bundle(manifest, [index], key, path, encrypt_to=encrypt_to)
    except (UnicodeEncodeError, ValueError) as exc:
        raise ReplyError(f"The reply cannot be written: {exc}.") from None

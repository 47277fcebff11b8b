"""Building customer bundles by hand for the format tests (before and beside the export side).

``customer_manifest`` makes a small manifest with a vendor, a product, a warranty and a ticket;
``make_bundle`` signs and writes it with ``write_bundle``; ``log_disclosure`` records it in a
vault's Disclosure log (with the @id -> record mapping) so a reply has something to answer.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from vrmshare.format import BundleFile, WrittenBundle, public_jwk_of, write_bundle
from vrmshare.layout import record_uid

VAULT_ID = "test-vault"
CREATED = "2026-11-20T10:00:00Z"
TERMS = {
    "allowed_use": "this_request_only",
    "marketing": False,
    "retention_days": 90,
    "third_parties": False,
}


def uid(kind: str, record_id: int, vault_id: str = VAULT_ID) -> str:
    return record_uid(vault_id, kind, record_id)


def customer_records(
    ids: dict[str, int] | None = None, vault_id: str = VAULT_ID
) -> list[dict[str, Any]]:
    ids = {"vendor": 1, "asset": 1, "warranty": 1, "ticket": 1, **(ids or {})}
    vendor = uid("vendor", ids["vendor"], vault_id)
    product = uid("asset", ids["asset"], vault_id)
    return [
        {"@type": "Organization", "@id": vendor, "name": "Acme Appliances"},
        {
            "@type": "Product",
            "@id": product,
            "name": "Dishwasher",
            "serialNumber": "SN-1",
            "manufacturer": vendor,
        },
        {
            "@type": "WarrantyPromise",
            "@id": uid("warranty", ids["warranty"], vault_id),
            "vrm:product": product,
            "vrm:provider": vendor,
            "vrm:validThrough": "2027-01-01",
        },
        {
            "@type": "vrm:SupportTicket",
            "@id": uid("ticket", ids["ticket"], vault_id),
            "name": "Leaks water",
            "vrm:status": "open",
            "vrm:product": product,
        },
    ]


def customer_manifest(
    *,
    records: list[dict[str, Any]] | None = None,
    created: str = CREATED,
    vendor_uid: str | None = None,
    purpose: str = "warranty_claim",
) -> dict[str, Any]:
    recs = customer_records() if records is None else records
    return {
        "format": "vrmshare/1",
        "created": created,
        "sender": {"name": "Alex Customer"},
        "recipient": {"name": "Acme Appliances", "id": vendor_uid or recs[0]["@id"]}
        if recs
        else {"name": "Acme Appliances"},
        "purpose": purpose,
        "purpose_note": "Dishwasher leaks",
        "terms": dict(TERMS),
        "in_reply_to": None,
        "records": recs,
        "redacted": ["price"],
    }


def sample_files(extra: dict[str, bytes] | None = None) -> list[BundleFile]:
    files = [
        BundleFile.from_bytes(
            "index.html", b"<!doctype html><title>Shared</title><p>Hi</p>\n", "text/html"
        )
    ]
    for index, (name, data) in enumerate((extra or {"receipt.txt": b"Receipt 42\n"}).items(), 1):
        media = "image/jpeg" if name.endswith(".jpg") else "text/plain"
        files.append(BundleFile.from_bytes(f"files/{index:03d}-{name}", data, media, name=name))
    return files


def make_bundle(
    out: Path,
    key: Ed25519PrivateKey | None = None,
    *,
    manifest: dict[str, Any] | None = None,
    files: list[BundleFile] | None = None,
    encrypt_to: str | None = None,
) -> WrittenBundle:
    key = key or Ed25519PrivateKey.generate()
    return write_bundle(
        manifest or customer_manifest(),
        sample_files() if files is None else files,
        key,
        out,
        encrypt_to=encrypt_to,
    )


def log_disclosure(
    session,
    written: WrittenBundle,
    manifest: dict[str, Any],
    vendor_id: int,
    contents: list[dict[str, Any]],
) -> None:  # type: ignore[no-untyped-def]
    """A Disclosure row for a bundle written by ``make_bundle`` (what export_bundle would log)."""
    from vrmdesk.store import models as m

    session.add(
        m.Disclosure(
            vendor_id=vendor_id,
            vendor_name=manifest["recipient"]["name"],
            bundle_id=written.bundle_id,
            bundle_created=datetime(2026, 11, 20, 10, 0, 0),
            purpose=manifest["purpose"],
            terms=manifest["terms"],
            contents=contents,
            files=[],
            redacted=manifest.get("redacted", []),
            selection={},
            bundle_sha256=written.sha256,
            encrypted_to="",
            path=str(written.path),
        )
    )
    session.flush()


def vault_bundle(
    session,
    vault_id: str,
    out: Path,
    key: Ed25519PrivateKey,  # type: ignore[no-untyped-def]
    vendor_name: str = "Acme Appliances",
) -> tuple[WrittenBundle, dict[str, Any]]:
    """A vendor, asset, warranty and ticket in the vault, a bundle about them and its Disclosure."""
    from vrmdesk.store import models as m

    vendor = m.Vendor(name=vendor_name)
    session.add(vendor)
    session.flush()
    asset = m.Asset(name="Dishwasher", maker_id=vendor.id)
    session.add(asset)
    session.flush()
    warranty = m.Warranty(
        asset_id=asset.id,
        provider_id=vendor.id,
        title="Maker warranty",
        starts_on=date(2025, 1, 1),
        ends_on=date(2027, 1, 1),
    )
    ticket = m.Ticket(
        vendor_id=vendor.id, asset_id=asset.id, title="Leaks water", opened_on=date(2026, 11, 1)
    )
    session.add_all([warranty, ticket])
    session.flush()
    ids = {"vendor": vendor.id, "asset": asset.id, "warranty": warranty.id, "ticket": ticket.id}
    manifest = customer_manifest(records=customer_records(ids, vault_id))
    manifest["recipient"]["name"] = vendor_name
    manifest["sender"]["key"] = public_jwk_of(key)
    written = make_bundle(out, key, manifest=manifest)
    contents = [
        {"kind": kind, "id": rid, "uid": record_uid(vault_id, kind, rid), "fields": []}
        for kind, rid in ids.items()
    ]
    log_disclosure(session, written, manifest, vendor.id, contents)
    return written, ids


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- hand-made (hostile) bundles ----------------------------------------------------------------
def sign_raw(raw: bytes, key: Ed25519PrivateKey, kid: str | None = None) -> bytes:
    """A detached compact JWS over ``raw`` whose header names ``kid`` (default: the key's own)."""
    import base64
    import json

    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    header = {"alg": "EdDSA", "kid": kid or public_jwk_of(key)["kid"], "typ": "vrmshare+jws"}
    protected = b64(json.dumps(header, sort_keys=True, separators=(",", ":")).encode())
    signature = key.sign(protected + b"." + b64(raw))
    return protected + b".." + b64(signature)


def zip_entries(path: Path, entries: list[tuple[str, bytes]], *, stored: bool = True) -> Path:
    """A plain ZIP of ``entries`` written by Python's zipfile, in that order."""
    import zipfile

    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in entries:
            zf.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data, compress_type=method)
    return path


def signed_bundle(
    path: Path,
    raw: bytes,
    files: list[tuple[str, bytes]],
    key: Ed25519PrivateKey,
    *,
    kid: str | None = None,
    stored: bool = True,
) -> Path:
    """A ZIP whose manifest bytes ``raw`` (whatever they say) carry a good signature by ``key``."""
    entries = [("manifest.json", raw), ("manifest.jws", sign_raw(raw, key, kid))]
    return zip_entries(path, entries + files, stored=stored)


def central_offsets(data: bytes) -> list[int]:
    """Where each central directory header starts (PK\\x01\\x02), in order."""
    out, pos = [], 0
    while (pos := data.find(b"PK\x01\x02", pos)) != -1:
        out.append(pos)
        pos += 4
    return out


def insert_shifted(data: bytes, at: int, blob: bytes) -> bytes:
    """``blob`` inserted at ``at``, with every central offset and the end record moved past it:
    the directory stays right, only the bytes between the entries lie."""
    import struct

    out = bytearray(data[:at] + blob + data[at:])
    for central in central_offsets(bytes(out)):
        offset = struct.unpack_from("<I", out, central + 42)[0]
        if offset >= at:
            struct.pack_into("<I", out, central + 42, offset + len(blob))
    end = len(out) - 22  # the end record, no comment
    struct.pack_into("<I", out, end + 16, struct.unpack_from("<I", out, end + 16)[0] + len(blob))
    return bytes(out)


def run_vrmdesk(
    args: list[str],
    *,
    timeout: float = 60,
    fsize: int | None = None,
    memory: int | None = None,
    input: str | None = None,
    env: dict[str, str] | None = None,
) -> tuple[int, str, str]:
    """``python -m vrmdesk.cli ARGS`` in a child process, optionally under RLIMIT_FSIZE (a full
    disk: Python ignores SIGXFSZ, so writes past the limit fail with EFBIG) or RLIMIT_AS."""
    import os
    import resource
    import subprocess
    import sys

    def limits() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    done = subprocess.run(
        [sys.executable, "-m", "vrmdesk.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limits,
        input=input,
        check=False,
        stdin=subprocess.DEVNULL if input is None else None,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})},
        cwd=Path(__file__).resolve().parents[1],
    )
    return done.returncode, done.stdout, done.stderr


def attach_to_a_thing(
    vault: Any, data: bytes, name: str = "receipt.bin", vendor_name: str = "Acme Appliances"
) -> tuple[int, Path]:
    """A vendor with a thing that has one attachment; (the vendor's id, the blob's path)."""
    import io

    from vrmdesk.store import models as m

    with vault.session() as session:
        vendor = m.Vendor(name=vendor_name)
        session.add(vendor)
        session.flush()
        asset = m.Asset(name="Dishwasher", maker_id=vendor.id)
        session.add(asset)
        session.flush()
        attachment = vault.attachments.add(
            session, asset, io.BytesIO(data), name=name, media_type="application/octet-stream"
        )
        return vendor.id, vault.attachments.path_of(attachment.blob_name)


def bytes_of(item: BundleFile) -> bytes:
    import io

    buffer = io.BytesIO()
    item.opener(buffer)
    return buffer.getvalue()


def hostile_bundle(
    path: Path,
    key: Ed25519PrivateKey,
    change: Any = None,
    *,
    manifest: dict[str, Any] | None = None,
    files: list[BundleFile] | None = None,
    literals: dict[str, str] | None = None,
    kid: str | None = None,
) -> Path:
    """A bundle signed by ``key`` whose manifest ``change(manifest)`` made whatever it likes.

    The JSON is written with ``ensure_ascii`` (so a lone surrogate is a ``\\ud800`` escape, as
    another program could write it); ``literals`` replaces a JSON string value (with its quotes)
    by raw JSON text, for what json.dumps cannot write (``1e400``).
    """
    import json

    from vrmshare.format import prepare_manifest

    files = sample_files() if files is None else files
    final = prepare_manifest(manifest or customer_manifest(), files, key)
    if change is not None:
        change(final)
    text = json.dumps(final, indent=2, sort_keys=True, ensure_ascii=True) + "\n"
    for placeholder, raw in (literals or {}).items():
        text = text.replace(json.dumps(placeholder), raw)
    entries = [(f.path_in_zip, bytes_of(f)) for f in files]
    return signed_bundle(path, text.encode("ascii"), entries, key, kid=kid)


def harmless(text: str) -> None:
    """No character a terminal acts on in ``text``, but the newlines that end printed lines."""
    import unicodedata

    for ch in text:
        assert ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp", "Cs"), repr(
            ch
        )


def vault_reply(session, vault_id: str, folder: Path, **content: Any) -> Path:  # type: ignore[no-untyped-def]
    """A bundle of mine about a vendor (``vault_bundle``, logged) and a vendor's signed reply
    to it with ``content`` (ReplyContent's fields), written in ``folder``; the reply's path."""
    from vrmshare.reply import ReplyContent, keygen, load_signing_key, write_reply
    from vrmshare.verify import verify_bundle

    from vrmdesk.share.identity import ensure_identity

    me = ensure_identity(session)
    written, _ = vault_bundle(session, vault_id, folder / "mine.vrmshare", me.private_key)
    keygen(folder / "vendor.jwk")
    return write_reply(
        verify_bundle(written.path),
        load_signing_key(folder / "vendor.jwk"),
        ReplyContent(**content),
        folder / "reply.vrmshare",
    ).path

"""Pairing: the code a device shows, reading another's, the comparison string, and the devices.

A pairing code is one line of text: ``VRMSYNC1:`` and the base32 (RFC 4648, no padding) of the
canonical JSON ``{"device", "name", "key", "age"}`` (device id, display name, Ed25519 public JWK,
age recipient). Its characters are all in the QR code's alphanumeric set, so its QR code stays
small. Reading a code refuses a malformed, truncated or other-version code with a clear message
(a ``PairingError``) and changes nothing.

Both devices then show the same comparison string: six groups of four digits from SHA-256 over
both devices' key thumbprints and age recipients, sorted, so the order of pairing does not
matter. If the strings differ, someone changed a code on the way: do not pair.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyrage
from pyrage import x25519
from sqlalchemy import select
from sqlalchemy.orm import Session
from vrmshare.errors import BundleMalformed, NotFound, ValidationError
from vrmshare.identity import canonical_public_jwk, ed25519_public_bytes
from vrmshare.text import printable

from vrmdesk.store.models import Meta, SyncDevice, utcnow
from vrmdesk.sync.changeset import canonical_json
from vrmdesk.sync.device import DEVICE_NAME_KEY, OwnDevice, ensure_device

PREFIX = "VRMSYNC1:"
_ANY_VERSION = re.compile(r"vrmsync(\d+):", re.IGNORECASE)
_DEVICE = re.compile(r"[0-9a-f]{32}")
_BASE32 = re.compile(r"[A-Z2-7]*")
MAX_CODE = 2000  # characters; a real code is about 330
MAX_NAME = 200


class PairingError(ValidationError):
    """A pairing code or a pairing was refused; the message says why."""


@dataclass(frozen=True)
class PairingCode:
    """What a pairing code says: the device id, its name, its public key and age recipient."""

    device: str
    name: str
    key: dict[str, Any]  # the canonical public JWK (kty, crv, x, kid, use, alg)
    age: str

    @property
    def thumbprint(self) -> str:
        return str(self.key["kid"])


def check_name(name: str) -> str:
    """A device name as it is kept: trimmed, printable, 1 to 200 characters."""
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise PairingError("A device needs a name.", field="name")
    if len(cleaned) > MAX_NAME:
        raise PairingError(f"A device name has at most {MAX_NAME} characters.", field="name")
    return printable(cleaned)


def set_own_name(session: Session, name: str) -> None:
    """Rename this device (what others see in its pairing code and card)."""
    ensure_device(session)
    row = session.get(Meta, DEVICE_NAME_KEY)
    assert row is not None
    row.value = check_name(name)
    session.flush()


# -- the code ------------------------------------------------------------------------------
def code_for(own: OwnDevice) -> str:
    """This device's pairing code, one line."""
    card = own.card()
    key = {k: card["key"][k] for k in ("kty", "crv", "x")}
    body = canonical_json(
        {"device": own.device, "name": own.name, "key": key, "age": own.age_recipient}
    )
    return PREFIX + base64.b32encode(body).decode("ascii").rstrip("=")


def own_code(session: Session) -> str:
    return code_for(ensure_device(session))


def qr_png(code: str, *, scale: int = 6) -> bytes:
    """The code as a QR code, PNG bytes (error correction M, a quiet zone of 4 modules)."""
    import segno

    out = io.BytesIO()
    segno.make(code, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_svg(code: str, *, scale: int = 6) -> bytes:
    """The code as a QR code, SVG bytes."""
    import segno

    out = io.BytesIO()
    segno.make(code, error="m", micro=False).save(out, kind="svg", scale=scale, border=4)
    return out.getvalue()


def read_code(text: str) -> PairingCode:
    """What the pairing code ``text`` says; a ``PairingError`` if it is not a whole, valid code.

    Blanks and line breaks anywhere (a code pasted from a mail, split over lines) are ignored,
    and so is the case of the letters.
    """
    squeezed = "".join(str(text).split())
    if not squeezed:
        raise PairingError("The pairing code is empty.")
    if len(squeezed) > MAX_CODE:
        raise PairingError("That is too long to be a pairing code.")
    version = _ANY_VERSION.match(squeezed)
    if version is None:
        raise PairingError("That is not a vrmdesk pairing code (it should start with VRMSYNC1:).")
    if version.group(1) != "1":
        raise PairingError(
            f"This pairing code is of version {version.group(1)}, which this vrmdesk does not "
            "read; update vrmdesk on this device."
        )
    body = squeezed[version.end() :].upper()
    if not _BASE32.fullmatch(body) or not body:
        raise PairingError("The pairing code has characters a code never has; check it.")
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
        data = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError):
        raise PairingError(
            "The pairing code is incomplete or mistyped (it does not decode); copy all of it."
        ) from None
    return _parse(data, raw)


def _parse(data: Any, raw: bytes) -> PairingCode:
    broken = PairingError("The pairing code is incomplete or mistyped; copy all of it.")
    if not isinstance(data, dict) or set(data) != {"device", "name", "key", "age"}:
        raise broken
    device, name, key, age = data["device"], data["name"], data["key"], data["age"]
    if not isinstance(device, str) or not _DEVICE.fullmatch(device):
        raise broken
    if not isinstance(name, str) or not isinstance(age, str) or not isinstance(key, dict):
        raise broken
    try:
        public = canonical_public_jwk(ed25519_public_bytes(key))
        x25519.Recipient.from_str(age)
    except (BundleMalformed, ValueError, pyrage.RecipientError):
        raise broken from None
    if canonical_json(data) != raw:
        raise broken  # one code, one spelling
    return PairingCode(device, check_name(name), public, age)


# -- the comparison string ---------------------------------------------------------------
def comparison(a_thumbprint: str, a_age: str, b_thumbprint: str, b_age: str) -> str:
    """Six groups of four digits, the same on both devices: compare them before pairing."""
    lines = sorted([f"{a_thumbprint} {a_age}", f"{b_thumbprint} {b_age}"])
    digest = hashlib.sha256(("vrmsync/1 pairing\n" + "\n".join(lines)).encode("ascii")).digest()
    digits = f"{int.from_bytes(digest, 'big') % 10**24:024d}"
    return " ".join(digits[i : i + 4] for i in range(0, 24, 4))


def comparison_with(session: Session, code: PairingCode) -> str:
    own = ensure_device(session)
    return comparison(own.thumbprint, own.age_recipient, code.thumbprint, code.age)


# -- the devices --------------------------------------------------------------------------
def pair(session: Session, code: PairingCode, *, name: str | None = None) -> SyncDevice:
    """Pair with the device whose code this is (after the person compared the strings)."""
    own = ensure_device(session)
    if code.device == own.device or code.thumbprint == own.thumbprint:
        raise PairingError("That is this device's own pairing code.")
    known = session.scalars(select(SyncDevice).where(SyncDevice.device == code.device)).first()
    if known is None:
        known = session.scalars(
            select(SyncDevice).where(SyncDevice.thumbprint == code.thumbprint)
        ).first()
    if known is not None:
        if known.revoked_at is not None:
            raise PairingError(
                f"The device {known.name!r} was revoked; a revoked device is not paired again."
            )
        if known.thumbprint != code.thumbprint or known.device != code.device:
            raise PairingError(
                f"The device {known.name!r} is paired with another key; this code does not "
                "match it. Revoke it first if it was set up again."
            )
        raise PairingError(f"This device is already paired (as {known.name!r}).")
    device = SyncDevice(
        device=code.device,
        name=check_name(name) if name is not None else code.name,
        jwk=code.key,
        thumbprint=code.thumbprint,
        age_recipient=code.age,
        last_set=0,
        last_sha256=None,
    )
    session.add(device)
    session.flush()
    return device


def list_devices(session: Session, *, include_revoked: bool = True) -> list[SyncDevice]:
    query = select(SyncDevice).order_by(SyncDevice.paired_at, SyncDevice.id)
    if not include_revoked:
        query = query.where(SyncDevice.revoked_at.is_(None))
    return list(session.scalars(query))


def find_device(session: Session, ref: str) -> SyncDevice:
    """The paired device named by ``ref``: its id, a unique beginning of it (4 characters or
    more), or its name."""
    ref = str(ref).strip()
    devices = list_devices(session)
    exact = [d for d in devices if ref in (d.device, d.name)]
    if len(exact) == 1:
        return exact[0]
    by_prefix = [d for d in devices if len(ref) >= 4 and d.device.startswith(ref.lower())]
    if len(exact) > 1 or len(by_prefix) > 1:
        raise PairingError(f"{printable(ref)!r} names more than one device; give its id.")
    if by_prefix:
        return by_prefix[0]
    raise NotFound(f"No paired device {printable(ref)!r}.")


def rename(session: Session, ref: str, name: str) -> SyncDevice:
    device = find_device(session, ref)
    device.name = check_name(name)
    session.flush()
    return device


def revoke(session: Session, ref: str, *, when: datetime | None = None) -> SyncDevice:
    """Revoke a device: it gets no further change sets, and what it writes is ignored."""
    device = find_device(session, ref)
    if device.revoked_at is None:
        device.revoked_at = when or utcnow()
        session.flush()
    return device


def recipients(session: Session) -> list[str]:
    """The age recipients of the paired, unrevoked devices (a set goes to them and to me)."""
    return [d.age_recipient for d in list_devices(session, include_revoked=False)]

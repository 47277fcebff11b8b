"""One change set: canonical JSON, signed as a compact JWS (EdDSA), encrypted with age.

Packing: the payload ``{"format": "vrmsync/1", "device", "set", "prev", "created", "changes"}``
is serialised canonically (:func:`canonical_json`), signed by the device's Ed25519 key as a
compact JWS (header exactly ``alg`` EdDSA, ``kid`` the key's thumbprint, ``typ`` vrmsync+jws)
with jwcrypto, and the JWS's ASCII bytes are age-encrypted to every recipient given.

Opening is the reverse, every step refusing with a :class:`SetRefused` whose ``kind`` says why:
``not-for-me`` (not encrypted to this device), ``damaged`` (age refuses the bytes: truncated,
bit-flipped), ``forged`` (not a JWS of the pinned key, or the signature does not hold),
``malformed`` (a signed payload that is not a change set of this format), ``misnumbered`` (its
device or number is not the file's), ``replayed`` (an older set under a newer number), ``chain``
(it does not name the previous set's hash). Nothing here touches the vault or the folder.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyrage
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from jwcrypto import jwk, jws
from pyrage import x25519
from vrmshare.errors import BundleMalformed, VrmError
from vrmshare.identity import Identity, ed25519_public_bytes, thumbprint

FORMAT = "vrmsync/1"
JWS_TYPE = "vrmsync+jws"
_CREATED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_DEVICE = re.compile(r"[0-9a-f]{32}")
PAYLOAD_KEYS = {"format", "device", "set", "prev", "created", "changes"}


class SetRefused(VrmError):
    """A change set that is not applied; ``kind`` is one of the module docstring's words."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def canonical_json(value: Any) -> bytes:
    """The one serialisation of ``value``: sorted keys, no blanks, UTF-8, no NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def created_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def payload_for(
    device: str, number: int, prev: str | None, changes: list[dict[str, Any]], created: str
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "device": device,
        "set": number,
        "prev": prev,
        "created": created,
        "changes": changes,
    }


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign(payload: dict[str, Any], signing: Identity) -> str:
    """The compact JWS (EdDSA) of ``payload``'s canonical JSON."""
    token = jws.JWS(canonical_json(payload))
    header = {"alg": "EdDSA", "kid": signing.thumbprint, "typ": JWS_TYPE}
    token.add_signature(
        jwk.JWK.from_pyca(signing.private_key),
        alg="EdDSA",
        protected=json.dumps(header, sort_keys=True, separators=(",", ":")),
    )
    return token.serialize(compact=True)


def pack(payload: dict[str, Any], signing: Identity, recipients: list[str]) -> bytes:
    """The bytes of a ``.vrmsync`` file: ``payload`` signed, then encrypted to ``recipients``."""
    token = sign(payload, signing)
    return pyrage.encrypt(
        token.encode("ascii"), [x25519.Recipient.from_str(r) for r in dict.fromkeys(recipients)]
    )


# -- opening ------------------------------------------------------------------------------
def decrypt(data: bytes, identity: x25519.Identity) -> bytes:
    """The JWS inside a set's file bytes; ``not-for-me`` or ``damaged`` if age refuses."""
    try:
        return pyrage.decrypt(data, [identity])
    except pyrage.DecryptError as exc:
        if "no matching keys" in str(exc).lower():
            raise SetRefused(
                "not-for-me",
                "this device cannot decrypt it: it is not encrypted to this device (written "
                "before the two were paired, or after this device was revoked), or its header "
                "was damaged",
            ) from None
        raise SetRefused(
            "damaged", f"it cannot be decrypted: truncated or damaged on the way ({exc})"
        ) from None


def _b64decode(text: str, what: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise SetRefused("forged", f"its {what} is not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise SetRefused("forged", f"its {what} is not base64url") from None


def verify(token: bytes, pinned_jwk: dict[str, Any]) -> dict[str, Any]:
    """The payload of the compact JWS ``token`` if the pinned key signed it (EdDSA only)."""
    try:
        parts = token.decode("ascii").split(".")
    except UnicodeDecodeError:
        raise SetRefused("forged", "it does not hold a signed change set") from None
    if len(parts) != 3 or not parts[1]:
        raise SetRefused("forged", "it does not hold a signed change set (a compact JWS)")
    header_b64, payload_b64, signature_b64 = parts
    try:
        header = json.loads(_b64decode(header_b64, "signature header"))
    except ValueError:
        raise SetRefused("forged", "its signature header is not JSON") from None
    if not isinstance(header, dict) or header.get("alg") != "EdDSA":
        raise SetRefused("forged", "it is not signed with EdDSA, the only algorithm accepted")
    if set(header) != {"alg", "kid", "typ"} or header.get("typ") != JWS_TYPE:
        raise SetRefused("forged", "its signature header is not that of a vrmsync change set")
    kid = thumbprint(pinned_jwk)
    if header.get("kid") != kid:
        raise SetRefused("forged", "it is signed by another key than the one paired for it")
    try:
        public = Ed25519PublicKey.from_public_bytes(ed25519_public_bytes(pinned_jwk))
    except (BundleMalformed, ValueError):
        raise SetRefused("forged", "the paired key is not an Ed25519 key") from None
    signature = _b64decode(signature_b64, "signature")
    try:
        public.verify(signature, f"{header_b64}.{payload_b64}".encode("ascii"))
    except InvalidSignature:
        raise SetRefused(
            "forged", "its signature does not hold: it was changed, or forged"
        ) from None
    raw = _b64decode(payload_b64, "payload")
    try:
        payload = json.loads(raw.decode("utf-8"))
    except ValueError:
        raise SetRefused("malformed", "its signed payload is not JSON") from None
    if not isinstance(payload, dict) or canonical_json(payload) != raw:
        raise SetRefused("malformed", "its signed payload is not a canonical change set")
    return payload


def check_payload(
    payload: dict[str, Any], *, device: str, number: int, prev: str | None
) -> list[dict[str, Any]]:
    """The changes of a verified payload, if it is set ``number`` of ``device`` after ``prev``."""
    if set(payload) != PAYLOAD_KEYS or payload.get("format") != FORMAT:
        raise SetRefused("malformed", f"it is not a {FORMAT} change set")
    got_device, got_set = payload["device"], payload["set"]
    if not isinstance(got_device, str) or not _DEVICE.fullmatch(got_device):
        raise SetRefused("malformed", "it names no device")
    if not isinstance(got_set, int) or isinstance(got_set, bool) or got_set < 1:
        raise SetRefused("malformed", "it has no set number")
    if not isinstance(payload["created"], str) or not _CREATED.fullmatch(payload["created"]):
        raise SetRefused("malformed", "it has no time of writing")
    got_prev = payload["prev"]
    if got_prev is not None and (not isinstance(got_prev, str) or not _SHA256.fullmatch(got_prev)):
        raise SetRefused("malformed", "its link to the previous set is not a SHA-256")
    changes = payload["changes"]
    if not isinstance(changes, list) or not all(isinstance(c, dict) for c in changes):
        raise SetRefused("malformed", "its changes are not a list of changes")
    if got_device != device:
        raise SetRefused("misnumbered", f"it is a set of device {got_device}, not of {device}")
    if got_set < number:
        raise SetRefused(
            "replayed", f"it is the older set {got_set} again, put in place of set {number}"
        )
    if got_set != number:
        raise SetRefused("misnumbered", f"it says it is set {got_set}, not {number}")
    if got_prev != prev:
        raise SetRefused(
            "chain",
            "it does not follow the set applied before it (its link to the previous set "
            "differs): the chain was rolled back, reordered or forked",
        )
    return changes


@dataclass(frozen=True)
class OpenedSet:
    number: int
    sha256: str  # of the file's bytes: the next set's ``prev``
    changes: list[dict[str, Any]]
    created: str


def open_set(
    data: bytes,
    identity: x25519.Identity,
    pinned_jwk: dict[str, Any],
    *,
    device: str,
    number: int,
    prev: str | None,
) -> OpenedSet:
    """Decrypt, verify and check the bytes of ``DIR/<device>/<number>.vrmsync``."""
    payload = verify(decrypt(data, identity), pinned_jwk)
    changes = check_payload(payload, device=device, number=number, prev=prev)
    return OpenedSet(number, sha256_hex(data), changes, payload["created"])

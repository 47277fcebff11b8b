"""A signing identity: an Ed25519 key pair (a vrmdesk vault keeps mine; a vendor keeps its own).

Its fingerprint is the RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key, shown in
groups of four so a person can compare it over the phone; the public key goes to vendors as a JWK.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwcrypto import jwk

from vrmshare.errors import BundleMalformed

_B64URL = re.compile(r"[A-Za-z0-9_-]{43}")


def ed25519_public_bytes(public_jwk: Any) -> bytes:
    """The 32 raw bytes of an Ed25519 public JWK's ``x``; refuses anything but the one encoding.

    base64url of 32 bytes ends in a character carrying two padding bits; decoders ignore them,
    so four spellings of ``x`` give the same key but four thumbprints. Only the canonical one
    (padding bits zero, no ``=``) is accepted, so one key has one thumbprint.
    """
    if (
        not isinstance(public_jwk, dict)
        or public_jwk.get("kty") != "OKP"
        or public_jwk.get("crv") != "Ed25519"
        or not isinstance(public_jwk.get("x"), str)
    ):
        raise BundleMalformed("The key is not an Ed25519 public JWK (kty OKP, crv Ed25519, x).")
    x = public_jwk["x"]
    if not _B64URL.fullmatch(x):
        raise BundleMalformed("The key's x is not base64url (43 characters, no padding).")
    raw = base64.urlsafe_b64decode(x + "=")
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != x:
        raise BundleMalformed(
            "The key's x is not canonical base64url (other padding bits): "
            "the same key written another way; refused."
        )
    return raw


def thumbprint(public_jwk: dict[str, Any]) -> str:
    """RFC 7638 thumbprint of an Ed25519 public JWK (43 base64url characters); canonical ``x``
    only."""
    ed25519_public_bytes(public_jwk)
    members = f'{{"crv":"Ed25519","kty":"OKP","x":"{public_jwk["x"]}"}}'
    digest = hashlib.sha256(members.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def canonical_public_jwk(raw: bytes) -> dict[str, Any]:
    """The public JWK vrmdesk writes and pins for the raw key: kty, crv, x, kid, use, alg."""
    out: dict[str, Any] = {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii"),
    }
    out.update(kid=thumbprint(out), use="sig", alg="EdDSA")
    return out


def display_fingerprint(thumb: str) -> str:
    """``AbCd EfGh …``: the thumbprint in groups of four for reading aloud."""
    return " ".join(thumb[i : i + 4] for i in range(0, len(thumb), 4))


def safety_number(thumb: str) -> str:
    """The thumbprint in a form to read aloud: 12 groups of 5 decimal digits.

    The thumbprint's 32 bytes (SHA-256 of the key's canonical JWK) read as one big-endian number,
    its last 60 decimal digits written in groups of five (``04213 88790 …``), like Signal's safety
    numbers: no letters to mix up (``l``, ``I``, ``1``), nothing that depends on case. Both sides
    compute it from the key alone, so it says no more and no less than the thumbprint (about 199
    of its 256 bits, more than any forgery could match).
    """
    padded = thumb + "=" * (-len(thumb) % 4)
    digest = base64.urlsafe_b64decode(padded.encode("ascii"))
    if len(digest) != 32:
        raise ValueError("a thumbprint is 32 bytes")
    digits = f"{int.from_bytes(digest, 'big') % 10**60:060d}"
    return " ".join(digits[i : i + 5] for i in range(0, 60, 5))


@dataclass(frozen=True)
class Identity:
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def jwk(self) -> jwk.JWK:
        return jwk.JWK.from_pyca(self.private_key)

    def public_jwk(self) -> dict[str, Any]:
        """The public key as a JWK with ``kid`` (its thumbprint), ``use`` and ``alg``."""
        return canonical_public_jwk(
            self.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )

    @property
    def thumbprint(self) -> str:
        return thumbprint(self.public_jwk())

    @property
    def fingerprint(self) -> str:
        return display_fingerprint(self.thumbprint)

    @property
    def safety_number(self) -> str:
        return safety_number(self.thumbprint)


def public_jwk_text(identity: Identity) -> str:
    """The public key as a JWK file's text, for vendors to pin or check against."""
    return json.dumps(identity.public_jwk(), indent=2, sort_keys=True) + "\n"

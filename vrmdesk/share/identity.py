"""My signing identity: an Ed25519 key pair made with the vault, the private key kept inside it.

Its fingerprint is the RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key, shown in
groups of four so a person can compare it over the phone; the public key goes to vendors as a JWK.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwcrypto import jwk
from sqlalchemy.orm import Session

from vrmdesk.store.models import Meta
from vrmdesk.store.vault import IDENTITY_META_KEY, new_signing_key


def thumbprint(public_jwk: dict[str, Any]) -> str:
    """RFC 7638 thumbprint of an Ed25519 public JWK (43 base64url characters)."""
    return jwk.JWK(**{k: public_jwk[k] for k in ("kty", "crv", "x")}).thumbprint()


def display_fingerprint(thumb: str) -> str:
    """``AbCd EfGh …``: the thumbprint in groups of four for reading aloud."""
    return " ".join(thumb[i : i + 4] for i in range(0, len(thumb), 4))


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
        public = json.loads(self.jwk.export_public())
        out = {"kty": public["kty"], "crv": public["crv"], "x": public["x"]}
        out.update(kid=thumbprint(out), use="sig", alg="EdDSA")
        return out

    @property
    def thumbprint(self) -> str:
        return thumbprint(self.public_jwk())

    @property
    def fingerprint(self) -> str:
        return display_fingerprint(self.thumbprint)


def ensure_identity(session: Session) -> Identity:
    """The vault's identity, made now if the vault predates it."""
    meta = session.get(Meta, IDENTITY_META_KEY)
    if meta is None:
        meta = Meta(key=IDENTITY_META_KEY, value=new_signing_key())
        session.add(meta)
        session.flush()
    raw = base64.b64decode(meta.value)
    return Identity(Ed25519PrivateKey.from_private_bytes(raw))


def public_jwk_text(identity: Identity) -> str:
    """The public key as a JWK file's text, for vendors to pin or check against."""
    return json.dumps(identity.public_jwk(), indent=2, sort_keys=True) + "\n"

"""My signing identity, kept in the vault: an Ed25519 key pair made with it.

What an identity is and shows (its thumbprint, fingerprint and safety number, its public JWK) is
the bundle format's (:mod:`vrmshare.identity`); this finds the vault's own.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session
from vrmshare.identity import Identity

from vrmdesk.store.models import Meta
from vrmdesk.store.vault import IDENTITY_META_KEY, new_signing_key


def ensure_identity(session: Session) -> Identity:
    """The vault's identity, made now if the vault predates it.

    The key is made with the vault (``vault.new_signing_key``) and kept in its Meta table.
    """
    meta = session.get(Meta, IDENTITY_META_KEY)
    if meta is None:
        meta = Meta(key=IDENTITY_META_KEY, value=new_signing_key())
        session.add(meta)
        session.flush()
    raw = base64.b64decode(meta.value)
    return Identity(Ed25519PrivateKey.from_private_bytes(raw))

"""This vault's own sync device: a device id, an Ed25519 signing key and an age identity.

They are made the first time sync needs them and kept in the vault's Meta table (inside the
encrypted database, like the vault's share identity in vrmdesk.share.identity). The device id is
32 lowercase hex characters (a uuid4's hex); it names the device's folder in the shared folder
and stamps its changes. The signing key is the device's own, not the share identity: a device
can be revoked without touching the key vendors have pinned.
"""

from __future__ import annotations

import base64
import platform
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyrage import x25519
from sqlalchemy.orm import Session
from vrmshare.identity import Identity

from vrmdesk.store import changelog
from vrmdesk.store.models import Meta
from vrmdesk.store.vault import new_signing_key

DEVICE_KEY_KEY = "sync_device_ed25519"
DEVICE_AGE_KEY = "sync_device_age"
DEVICE_NAME_KEY = "sync_device_name"


@dataclass(frozen=True)
class OwnDevice:
    """This vault's device: what it signs and decrypts with, and what it tells others."""

    device: str
    name: str
    signing: Identity
    age_identity: x25519.Identity

    @property
    def age_recipient(self) -> str:
        return str(self.age_identity.to_public())

    def public_jwk(self) -> dict[str, Any]:
        return self.signing.public_jwk()

    @property
    def thumbprint(self) -> str:
        return self.signing.thumbprint

    def card(self) -> dict[str, Any]:
        """The public card written to ``DIR/devices/<device>.json`` (and the pairing code's
        content): device id, name, public key, age recipient."""
        return {
            "device": self.device,
            "name": self.name,
            "key": self.public_jwk(),
            "age": self.age_recipient,
        }


def _meta(session: Session, key: str, make: str | None) -> str | None:
    row = session.get(Meta, key)
    if row is None:
        if make is None:
            return None
        row = Meta(key=key, value=make)
        session.add(row)
        session.flush()
    return row.value


def default_name() -> str:
    """A name for this device until the person gives one: the computer's name."""
    return (platform.node() or "this device").strip()[:200] or "this device"


def ensure_device(session: Session) -> OwnDevice:
    """This vault's sync device, made now (id and keys) if the vault has none yet."""
    device = changelog.device_id(session.connection())  # the one the change log stamps
    raw = _meta(session, DEVICE_KEY_KEY, new_signing_key())
    age = _meta(session, DEVICE_AGE_KEY, str(x25519.Identity.generate()))
    name = _meta(session, DEVICE_NAME_KEY, default_name())
    assert device is not None and raw is not None and age is not None and name is not None
    signing = Identity(Ed25519PrivateKey.from_private_bytes(base64.b64decode(raw)))
    return OwnDevice(device, name, signing, x25519.Identity.from_str(age))

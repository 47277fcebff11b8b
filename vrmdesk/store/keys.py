"""The vault's key hierarchy and its key header (``vault.json``).

    passphrase --Argon2id--> key-encryption key --AES-256-GCM unwrap--> data key
    recovery key --HKDF-SHA256--> key-encryption key --AES-256-GCM unwrap--> data key

The data key (256 random bits) is what SQLCipher and the attachment store use. Changing the
passphrase rewraps it and nothing else (the header copies beside the backups are rewritten too);
rotating it (see rotation.py, for a passphrase that may be known) makes a new data key and a new
recovery key. The header is plain JSON and holds nothing about the vault's content: the format,
the vault id, the KDF parameters and salt, the two wrapped copies of the data key, a key check
(an HMAC of the vault id under the data key: it tells a stale remembered key from the right one)
and a SHA-256 checksum that tells accidental damage apart from a wrong passphrase. The header
fields that decide how a key is derived are bound to each wrapped key as associated data.

While a key rotation is finishing, ``key_rotation`` says so (state ``switching``) and holds the new
recovery key sealed under the new data key, so that whoever finishes the rotation can show it;
once finished it stays (state ``unseen``) until the key has been shown.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from vrmshare.fileutil import atomic_write_bytes

from vrmdesk.errors import VaultDamaged, WrongPassphrase

FORMAT = "vrmdesk-vault/1"
DATA_KEY_BYTES = 32

# RFC 9106, second recommended option; the floor below which the product never goes.
MIN_ITERATIONS = 3
MIN_MEMORY_KIB = 64 * 1024
MIN_LANES = 4
# Calibration aims here and stops growing memory at MAX_MEMORY_KIB (then adds iterations).
TARGET_SECONDS = 0.7
MAX_MEMORY_KIB = 512 * 1024

# What a header may ask for, checked before deriving anything: a damaged or hostile vault.json
# must not make Argon2id run for hours or ask for a terabyte. The low end is Argon2's own
# minimum (8 KiB per lane): parameters weaker than the calibrated ones cannot unlock anything,
# because they are bound to the wrapped key, so refusing them protects nothing (and the tests'
# fast profile sits there). The floor for new parameters is calibrate()'s: RFC 9106's second
# option, never less.
ITERATIONS_RANGE = (1, 64)
LANES_RANGE = (1, 64)
MAX_LOAD_MEMORY_KIB = 4 * 1024 * 1024  # 4 GiB
MAX_WORK_KIB = 16 * 1024 * 1024  # iterations x memory: 16 GiB of passes, a minute on a slow machine
RANGE_TEXT = (
    f"iterations {ITERATIONS_RANGE[0]} to {ITERATIONS_RANGE[1]}, memory 8 KiB per lane to "
    f"{MAX_LOAD_MEMORY_KIB // 1024**2} GiB, lanes {LANES_RANGE[0]} to {LANES_RANGE[1]}, "
    f"iterations x memory at most {MAX_WORK_KIB // 1024**2} GiB"
)

RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # base32 without look-alikes (I, O, 0, 1)


@dataclass(frozen=True)
class KdfParams:
    iterations: int
    memory_kib: int
    lanes: int
    salt: bytes

    def check_range(self) -> None:
        """Refuse (ValueError, with the range) parameters that no vrmdesk writes."""
        values = (self.iterations, self.memory_kib, self.lanes)
        if (
            any(type(value) is not int for value in values)
            or not ITERATIONS_RANGE[0] <= self.iterations <= ITERATIONS_RANGE[1]
            or not LANES_RANGE[0] <= self.lanes <= LANES_RANGE[1]
            or not 8 * self.lanes <= self.memory_kib <= MAX_LOAD_MEMORY_KIB
            or self.iterations * self.memory_kib > MAX_WORK_KIB
        ):
            raise ValueError(
                f"key derivation parameters out of range ({RANGE_TEXT}; this one has "
                f"iterations {self.iterations!r}, memory {self.memory_kib!r} KiB, "
                f"lanes {self.lanes!r})"
            )

    def derive(self, passphrase: str) -> bytes:
        self.check_range()  # never start a derivation that would not end
        kdf = Argon2id(
            salt=self.salt,
            length=32,
            iterations=self.iterations,
            lanes=self.lanes,
            memory_cost=self.memory_kib,
        )
        return kdf.derive(passphrase.encode("utf-8"))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": "argon2id",
            "iterations": self.iterations,
            "memory_kib": self.memory_kib,
            "lanes": self.lanes,
            "salt": _b64(self.salt),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KdfParams:
        if data.get("name") != "argon2id":
            raise ValueError(f"unknown key derivation {data.get('name')!r}")
        params = cls(
            iterations=data["iterations"],
            memory_kib=data["memory_kib"],
            lanes=data["lanes"],
            salt=_unb64(data["salt"]),
        )
        params.check_range()  # JSON integers only: not "3", 3.5 or true
        if len(params.salt) < 16:
            raise ValueError("salt too short")
        return params


def calibrate(target_seconds: float = TARGET_SECONDS) -> KdfParams:
    """Argon2id parameters no weaker than RFC 9106's second option, costing about the target.

    Times the floor three times (the fastest counts: noise only ever adds), then scales memory
    (the cost an attacker feels most) and, past ``MAX_MEMORY_KIB``, iterations. The target sits
    in the middle of the 0.3-1.5 s band so a busy or quiet machine stays inside it.
    """
    salt = os.urandom(16)
    floor = KdfParams(MIN_ITERATIONS, MIN_MEMORY_KIB, MIN_LANES, salt)
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        floor.derive("calibration")
        timings.append(time.perf_counter() - start)
    elapsed = max(min(timings), 1e-3)
    scale = target_seconds / elapsed
    if scale <= 1:
        return floor
    memory = min(MAX_MEMORY_KIB, int(MIN_MEMORY_KIB * scale) // 1024 * 1024)
    memory = max(memory, MIN_MEMORY_KIB)
    iterations = max(MIN_ITERATIONS, round(MIN_ITERATIONS * scale * MIN_MEMORY_KIB / memory))
    iterations = min(iterations, ITERATIONS_RANGE[1], MAX_WORK_KIB // memory)  # always loadable
    return KdfParams(iterations, memory, MIN_LANES, salt)


def fast_params_for_tests() -> KdfParams:
    """A cheap profile for the test suite only; the product always calls :func:`calibrate`."""
    return KdfParams(1, 8 * 1024, 1, os.urandom(16))


def new_data_key() -> bytes:
    return secrets.token_bytes(DATA_KEY_BYTES)


def new_recovery_key() -> str:
    """A printable recovery key: 40 characters (200 bits) in groups of five."""
    chars = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(40))
    return "-".join(chars[i : i + 5] for i in range(0, 40, 5))


def normalize_recovery_key(text: str) -> str:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(cleaned[i : i + 5] for i in range(0, len(cleaned), 5))


def _recovery_kek(recovery_key: str, vault_id: str) -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=vault_id.encode(),
        info=b"vrmdesk recovery key-encryption key",
    )
    return hkdf.derive(normalize_recovery_key(recovery_key).encode())


def subkey(data_key: bytes, purpose: str) -> bytes:
    """A key for one purpose (attachment names, …) derived from the data key."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
    return hkdf.derive(data_key)


ROTATION_STATES = ("switching", "unseen")


def key_check(data_key: bytes, vault_id: str) -> str:
    """A value that shows whether a data key is this vault's, and reveals nothing of it."""
    return hmac.new(subkey(data_key, "vrmdesk key check"), vault_id.encode(), "sha256").hexdigest()


@dataclass
class Header:
    vault_id: str
    created: str
    kdf: KdfParams
    wrapped_passphrase: dict[str, str]
    wrapped_recovery: dict[str, str]
    key_check: str | None = None  # None in headers written before vrmdesk kept one
    key_rotation: dict[str, Any] | None = None  # {"state": …, "recovery_key": sealed}

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def create(cls, passphrase: str, data_key: bytes, recovery_key: str, kdf: KdfParams) -> Header:
        header = cls(
            vault_id=str(uuid.uuid4()),
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            kdf=kdf,
            wrapped_passphrase={},
            wrapped_recovery={},
        )
        header._wrap_all(passphrase, data_key, recovery_key)
        return header

    def _aad(self, which: str) -> bytes:
        """Associated data: the header fields that decide how this wrap's key is made."""
        bound: dict[str, Any] = {"format": FORMAT, "vault_id": self.vault_id, "wrap": which}
        if which == "passphrase":
            bound["kdf"] = self.kdf.to_json()
        return json.dumps(bound, sort_keys=True, separators=(",", ":")).encode()

    def _wrap_all(self, passphrase: str, data_key: bytes, recovery_key: str) -> None:
        self.rewrap(passphrase, data_key, self.kdf)
        kek = _recovery_kek(recovery_key, self.vault_id)
        self.wrapped_recovery = _wrap(kek, data_key, self._aad("recovery"))

    def rewrap(self, new_passphrase: str, data_key: bytes, kdf: KdfParams) -> None:
        """Change the passphrase: new KDF parameters and salt, a new passphrase wrap.

        The recovery wrap does not depend on the passphrase and stays as it is.
        """
        self.kdf = kdf
        kek = kdf.derive(new_passphrase)
        self.wrapped_passphrase = _wrap(kek, data_key, self._aad("passphrase"))
        self.key_check = key_check(data_key, self.vault_id)

    def replace_recovery_key(self, data_key: bytes, recovery_key: str) -> None:
        """Wrap the data key under a new recovery key; the old recovery key no longer opens it.

        A recovery key a key rotation kept sealed for showing is dropped with it: it was the
        old one, and the new one is shown instead.
        """
        if not self.fits(data_key):
            raise ValueError("the data key is not this header's")
        kek = _recovery_kek(recovery_key, self.vault_id)
        self.wrapped_recovery = _wrap(kek, data_key, self._aad("recovery"))
        if self.rotation_state == "unseen":
            self.key_rotation = None

    def fits(self, data_key: bytes) -> bool:
        """Whether ``data_key`` is this header's (True where an older header keeps no check)."""
        return self.key_check is None or hmac.compare_digest(
            self.key_check, key_check(data_key, self.vault_id)
        )

    # -- a key rotation that is finishing, or whose new recovery key was not shown yet -------------
    @property
    def rotation_state(self) -> str | None:
        return None if self.key_rotation is None else str(self.key_rotation["state"])

    def seal_recovery_key(self, data_key: bytes, recovery_key: str, state: str) -> None:
        sealed = _wrap(
            subkey(data_key, "vrmdesk sealed recovery key"),
            recovery_key.encode(),
            self._aad("sealed-recovery"),
        )
        self.key_rotation = {"state": state, "recovery_key": sealed}

    def unseal_recovery_key(self, data_key: bytes) -> str | None:
        if self.key_rotation is None:
            return None
        try:
            raw = _unwrap(
                subkey(data_key, "vrmdesk sealed recovery key"),
                self.key_rotation["recovery_key"],
                self._aad("sealed-recovery"),
            )
        except InvalidTag:
            return None
        return raw.decode("ascii")

    # -- unlocking -------------------------------------------------------------------------
    def unlock_with_passphrase(self, passphrase: str) -> bytes:
        try:
            kek = self.kdf.derive(passphrase)
            return _unwrap(kek, self.wrapped_passphrase, self._aad("passphrase"))
        except InvalidTag:
            raise WrongPassphrase("The passphrase is not right for this vault.") from None

    def unlock_with_recovery_key(self, recovery_key: str) -> bytes:
        kek = _recovery_kek(recovery_key, self.vault_id)
        try:
            return _unwrap(kek, self.wrapped_recovery, self._aad("recovery"))
        except InvalidTag:
            raise WrongPassphrase("The recovery key is not right for this vault.") from None

    # -- serialisation ---------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        body = {
            "format": FORMAT,
            "vault_id": self.vault_id,
            "created": self.created,
            "kdf": self.kdf.to_json(),
            "wrapped_keys": {
                "passphrase": self.wrapped_passphrase,
                "recovery": self.wrapped_recovery,
            },
        }
        if self.key_check is not None:
            body["key_check"] = self.key_check
        if self.key_rotation is not None:
            body["key_rotation"] = self.key_rotation
        body["checksum"] = _checksum(body)
        return body

    def save(self, path: Path) -> None:
        text = json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n"
        atomic_write_bytes(path, text.encode())

    @classmethod
    def load(cls, path: Path, backups_hint: str) -> Header:
        damaged = (
            f"The key header {path} is damaged ({{why}}). "
            f"Copies of it are kept beside each backup in {backups_hint}."
        )
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise VaultDamaged(damaged.format(why=exc.strerror or str(exc))) from None
        try:
            body = json.loads(raw.decode("utf-8"))
            if not isinstance(body, dict):
                raise ValueError("not a JSON object")
            if body.get("format") != FORMAT:
                raise ValueError(f"unknown format {body.get('format')!r}")
            if body.get("checksum") != _checksum(
                {k: v for k, v in body.items() if k != "checksum"}
            ):
                raise ValueError("checksum does not match")
            wrapped = body["wrapped_keys"]
            header = cls(
                vault_id=str(body["vault_id"]),
                created=str(body["created"]),
                kdf=KdfParams.from_json(body["kdf"]),
                wrapped_passphrase=_check_wrap(wrapped["passphrase"]),
                wrapped_recovery=_check_wrap(wrapped["recovery"]),
                key_check=_check_key_check(body.get("key_check")),
                key_rotation=_check_rotation(body.get("key_rotation")),
            )
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
            # AttributeError: a field of the wrong JSON type ("kdf": null, a number as salt)
            raise VaultDamaged(damaged.format(why=str(exc) or type(exc).__name__)) from None
        return header


def _wrap(kek: bytes, data_key: bytes, aad: bytes) -> dict[str, str]:
    nonce = os.urandom(12)
    ciphertext = AESGCM(kek).encrypt(nonce, data_key, aad)
    return {"nonce": _b64(nonce), "ciphertext": _b64(ciphertext)}


def _unwrap(kek: bytes, wrapped: dict[str, str], aad: bytes) -> bytes:
    return AESGCM(kek).decrypt(_unb64(wrapped["nonce"]), _unb64(wrapped["ciphertext"]), aad)


def _check_wrap(data: Any) -> dict[str, str]:
    if not isinstance(data, dict):
        raise ValueError("wrapped key is not an object")
    out = {k: str(data[k]) for k in ("nonce", "ciphertext")}
    if len(_unb64(out["nonce"])) != 12 or len(_unb64(out["ciphertext"])) != DATA_KEY_BYTES + 16:
        raise ValueError("wrapped key has the wrong length")
    return out


def _check_key_check(data: Any) -> str | None:
    if data is None:
        return None
    if not isinstance(data, str):
        raise TypeError("key check is not a string")
    if len(data) != 64 or set(data) - set("0123456789abcdef"):
        raise ValueError("key check is not 64 hexadecimal digits")
    return data


def _check_rotation(data: Any) -> dict[str, Any] | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise TypeError("key rotation is not an object")
    if data.get("state") not in ROTATION_STATES:
        raise ValueError("unknown key rotation state")
    sealed = data.get("recovery_key")
    if not isinstance(sealed, dict):
        raise TypeError("key rotation without its sealed recovery key")
    out = {k: str(sealed[k]) for k in ("nonce", "ciphertext")}
    if len(_unb64(out["nonce"])) != 12:
        raise ValueError("sealed recovery key has the wrong length")
    return {"state": data["state"], "recovery_key": out}


def _checksum(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(canonical).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise ValueError(f"bad base64: {exc}") from None

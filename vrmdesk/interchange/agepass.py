"""age files encrypted to a passphrase, streamed (the ``scrypt`` recipient of age v1).

Why this is written here: pyrage encrypts to a passphrase only all in memory
(``pyrage.passphrase.encrypt(bytes, str)``), and an archive of a vault with its attachments can
be many gigabytes. So the age v1 format (https://age-encryption.org/v1) is written and read here
for this one recipient type, from ``cryptography``'s primitives (scrypt, HKDF-SHA256,
HMAC-SHA256, ChaCha20-Poly1305), in 64 KiB chunks. The tests check it both ways against pyrage
and against the ``age`` command itself (``age -d`` asks for the passphrase and opens the file),
so the archive never depends on this program. Files encrypted to an X25519 recipient use
pyrage's own streaming calls.

Layout, as the specification has it::

    age-encryption.org/v1
    -> scrypt <salt, base64> <log2 of scrypt's N>
    <the file key wrapped with ChaCha20-Poly1305 under the scrypt key, base64>
    --- <HMAC-SHA256 of the header, under HKDF(file key, "header"), base64>
    <16-byte nonce>
    <payload: 64 KiB chunks, ChaCha20-Poly1305 under HKDF(file key, nonce, "payload")>
"""

from __future__ import annotations

import base64
import hmac
import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from hashlib import sha256
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from vrmdesk.errors import VrmError

INTRO = b"age-encryption.org/v1\n"
SCRYPT_LABEL = b"age-encryption.org/v1/scrypt"
CHUNK = 64 * 1024
TAG = 16
WORK_FACTOR = 18  # age's own default (about a second)
MAX_WORK_FACTOR = 22  # a file asking for more is refused (it would take minutes and GBs)
MAX_HEADER = 64 * 1024


class AgeError(VrmError):
    """Not an age file this can open, a wrong passphrase, or a damaged one."""


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _unb64(text: bytes) -> bytes:
    if not re.fullmatch(rb"[A-Za-z0-9+/]*", text) or len(text) % 4 == 1:
        raise AgeError("The encrypted file's header is damaged (bad base64).")
    data = base64.b64decode(text + b"=" * (-len(text) % 4))
    if _b64(data) != text:  # only the canonical encoding
        raise AgeError("The encrypted file's header is damaged (bad base64).")
    return data


def _hkdf(key: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt or None, info=info).derive(key)


def _scrypt_key(passphrase: str, salt: bytes, work: int) -> bytes:
    return Scrypt(salt=SCRYPT_LABEL + salt, length=32, n=1 << work, r=8, p=1).derive(
        passphrase.encode("utf-8")
    )


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class _Encrypting(io.RawIOBase):
    """A writable stream: what is written goes out encrypted, in chunks; close() ends it."""

    def __init__(self, out: BinaryIO, payload_key: bytes) -> None:
        self.out = out
        self.aead = ChaCha20Poly1305(payload_key)
        self.buffer = bytearray()
        self.counter = 0
        self.finished = False

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self.buffer += data
        while len(self.buffer) > CHUNK:  # keep one full chunk back: it may be the last
            self._chunk(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def _chunk(self, plain: bytes, *, last: bool) -> None:
        self.out.write(self.aead.encrypt(_nonce(self.counter, last), plain, None))
        self.counter += 1

    def finish(self) -> None:
        if not self.finished:
            self._chunk(bytes(self.buffer), last=True)
            self.buffer.clear()
            self.finished = True


@contextmanager
def encrypting(
    out: BinaryIO, passphrase: str, *, work_factor: int = WORK_FACTOR
) -> Iterator[io.RawIOBase]:
    """Write the header to ``out``, then yield a stream whose bytes go out encrypted."""
    if not passphrase:
        raise AgeError("An archive needs a passphrase (an empty one protects nothing).")
    file_key = os.urandom(16)
    salt = os.urandom(16)
    wrapped = ChaCha20Poly1305(_scrypt_key(passphrase, salt, work_factor)).encrypt(
        b"\x00" * 12, file_key, None
    )
    header = INTRO + b"-> scrypt " + _b64(salt) + b" " + str(work_factor).encode() + b"\n"
    body = _b64(wrapped)
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    if len(lines[-1]) == 64:
        lines.append(b"")
    header += b"\n".join(lines) + b"\n---"
    mac = hmac.new(_hkdf(file_key, b"", b"header"), header, sha256).digest()
    out.write(header + b" " + _b64(mac) + b"\n")
    nonce = os.urandom(16)
    out.write(nonce)
    stream = _Encrypting(out, _hkdf(file_key, nonce, b"payload"))
    yield stream
    stream.finish()


def is_passphrase_file(head: bytes) -> bool:
    """True when the start of a file is an age header whose recipient is a passphrase."""
    return head.startswith(INTRO + b"-> scrypt ")


def _read_header(source: BinaryIO) -> tuple[bytes, bytes, int, bytes, bytes]:
    """(the header up to ``---``, salt, work factor, wrapped key, MAC)."""
    raw = bytearray()
    while not raw.endswith(b"\n") or b"\n---" not in raw:
        byte = source.read(1)
        if not byte or len(raw) > MAX_HEADER:
            raise AgeError("This is not an age file (or its header is damaged).")
        raw += byte
    if not raw.startswith(INTRO):
        raise AgeError("This is not an age file (or its header is damaged).")
    lines = bytes(raw).split(b"\n")[1:-1]
    stanza = lines[0].split(b" ")
    if stanza[:2] != [b"->", b"scrypt"]:
        raise AgeError(
            "This file is encrypted to a key, not a passphrase: open it with its identity file."
        )
    if len(stanza) != 4 or not stanza[3].isdigit():
        raise AgeError("The encrypted file's header is damaged (scrypt stanza).")
    salt, work = _unb64(stanza[2]), int(stanza[3])
    body_lines = lines[1:-1]
    if len(lines) < 3 or not lines[-1].startswith(b"--- ") or not body_lines:
        raise AgeError(
            "An archive encrypted to a passphrase has one recipient only; this one "
            "has more, or its header is damaged."
        )
    if any(len(line) != 64 for line in body_lines[:-1]) or len(body_lines[-1]) >= 64:
        raise AgeError("The encrypted file's header is damaged (body lines).")
    if len(salt) != 16 or not 1 <= work <= MAX_WORK_FACTOR:
        raise AgeError(
            f"The encrypted file asks for an scrypt work factor of {work} (at most "
            f"{MAX_WORK_FACTOR} is opened) or its salt is damaged."
        )
    mac_line = lines[-1]
    header = bytes(raw)[: bytes(raw).rindex(b"\n---") + 4]
    return header, salt, work, _unb64(b"".join(body_lines)), _unb64(mac_line[4:])


def decrypt(source: BinaryIO, out: BinaryIO, passphrase: str) -> int:
    """Decrypt ``source`` into ``out``; the number of bytes written.

    A wrong passphrase, a changed byte anywhere, a truncated or extended file: :class:`AgeError`
    (and ``out`` may hold a prefix of the plaintext, which the caller discards).
    """
    header, salt, work, wrapped, mac = _read_header(source)
    try:
        file_key = ChaCha20Poly1305(_scrypt_key(passphrase, salt, work)).decrypt(
            b"\x00" * 12, wrapped, None
        )
    except InvalidTag:
        raise AgeError("The passphrase is not right for this archive.") from None
    if not hmac.compare_digest(
        hmac.new(_hkdf(file_key, b"", b"header"), header, sha256).digest(), mac
    ):
        raise AgeError("The encrypted file's header was changed.")
    nonce = source.read(16)
    if len(nonce) != 16:
        raise AgeError("The encrypted file is truncated.")
    aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    counter, written = 0, 0
    chunk = source.read(CHUNK + TAG)
    while True:
        following = source.read(CHUNK + TAG)
        last = not following
        if len(chunk) < TAG or (not last and len(chunk) != CHUNK + TAG):
            raise AgeError("The encrypted file is truncated or damaged.")
        try:
            plain = aead.decrypt(_nonce(counter, last), chunk, None)
        except InvalidTag:
            raise AgeError("The encrypted file is damaged or truncated.") from None
        if last and not plain and counter:
            raise AgeError("The encrypted file is damaged (an empty last chunk).")
        out.write(plain)
        written += len(plain)
        counter += 1
        if last:
            return written
        chunk = following

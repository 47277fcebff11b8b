"""A MIME message walked as it streams from a file: headers by the ``email`` package, bodies
decoded line by line.

``email.parser`` builds every part's payload in memory, several times its size (a 40 MB message
with a 30 MB attachment peaked at 225 MB), so only headers go through it (``BytesHeaderParser``
with ``policy.default``: RFC 2047 words, address lists, parameters); the walker finds the
boundaries itself and hands each leaf part to the caller as a readable stream that decodes its
transfer encoding (base64, quoted-printable, 7bit, 8bit, binary) as it is read. The caller reads
what it wants; the rest of the part is skipped. Nesting deeper than ``MAX_DEPTH`` is refused.
"""

from __future__ import annotations

import binascii
import contextlib
import functools
import io
from collections.abc import Callable
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import EmailPolicy
from typing import Any, BinaryIO

from vrmdesk.errors import VrmError

#: multiparts and attached messages inside each other, at most
MAX_DEPTH = 20
#: a header block longer than this is refused (a message that is all header is no message)
MAX_HEADER_BYTES = 1024 * 1024


class _Remembering(EmailPolicy):
    """``policy.default``, remembering the headers it parsed: ``email`` parses a header anew on
    every access, and a message's walk asks for each part's Content-Type five times; parts of
    many messages share the same ones (``application/pdf``, ``base64``)."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        return _parsed_header(self, name, value)


@functools.lru_cache(maxsize=4096)
def _parsed_header(policy_: EmailPolicy, name: str, value: str) -> Any:
    return EmailPolicy.header_fetch_parse(policy_, name, value)


POLICY = _Remembering()
_HEADERS = BytesHeaderParser(policy=POLICY)


class MailRefused(VrmError):
    """A message that is not taken (nested too deep, no message at all); the reason says why."""


class Lines:
    """The lines of a binary stream (each with its line ending), with push-back of one."""

    def __init__(self, source: BinaryIO) -> None:
        self.source = source
        self._back: bytes | None = None

    def readline(self) -> bytes:
        if self._back is not None:
            line, self._back = self._back, None
            return line
        return self.source.readline(1024 * 1024)

    def unread(self, line: bytes) -> None:
        self._back = line


def _boundary_of(line: bytes, boundaries: list[bytes]) -> tuple[bytes, bool] | None:
    """(boundary, closing) when ``line`` is a delimiter line of one of ``boundaries``."""
    if not line.startswith(b"--"):
        return None
    text = line.rstrip(b" \t\r\n")
    for boundary in reversed(boundaries):
        if text == b"--" + boundary:
            return boundary, False
        if text == b"--" + boundary + b"--":
            return boundary, True
    return None


def read_headers(lines: Lines, boundaries: list[bytes]) -> EmailMessage:
    """The header block up to its blank line (or a delimiter, or the end), parsed."""
    block = bytearray()
    while True:
        line = lines.readline()
        if not line:
            break
        if line in (b"\n", b"\r\n"):
            break
        if boundaries and _boundary_of(line, boundaries) is not None:
            lines.unread(line)
            break
        if not block and line.startswith(b"From ") and not boundaries:
            continue  # an mbox separator left at the start of a file
        block += line
        if len(block) > MAX_HEADER_BYTES:
            raise MailRefused("its header is larger than 1 MB")
    message = _HEADERS.parsebytes(bytes(block))
    assert isinstance(message, EmailMessage)
    return message


class PartReader(io.RawIOBase):
    """A leaf part's body, decoded, up to the next delimiter line of ``boundaries``."""

    def __init__(self, lines: Lines, boundaries: list[bytes], encoding: str) -> None:
        super().__init__()
        self.lines = lines
        self.boundaries = boundaries
        self.encoding = encoding
        #: the delimiter line that ended the part (b"" at the end of the stream)
        self.end: bytes | None = None
        self._pending = bytearray()
        self._eol = b""  # a raw line's ending, held back: before a delimiter it is not content
        self._b64 = bytearray()
        #: base64 that did not decode, or other damage met on the way
        self.damaged = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        target = memoryview(buffer).cast("B")
        while not self._pending and self.end is None:
            self._fill()
        n = min(len(target), len(self._pending))
        target[:n] = self._pending[:n]
        del self._pending[:n]
        return n

    def _fill(self) -> None:
        if self.encoding == "base64":
            self._fill_base64()
            return
        for _ in range(256):
            line = self.lines.readline()
            if not line or (self.boundaries and _boundary_of(line, self.boundaries)):
                self.end = line
                self._flush_base64(final=True)
                return
            self._take(line)
            if len(self._pending) >= 64 * 1024:
                return

    def _fill_base64(self) -> None:
        """``_fill`` for base64, the common case of attachments, in one tight loop: a 30 MB
        attachment is 400,000 lines, and a call or two less for each is a quarter of the time."""
        readline, boundaries = self.lines.readline, self.boundaries
        b64 = self._b64
        for _ in range(2048):
            line = readline()
            if not line or (
                boundaries and line.startswith(b"--") and _boundary_of(line, boundaries)
            ):
                self.end = line
                self._flush_base64(final=True)
                return
            b64 += line.strip()
            if len(b64) >= 64 * 1024:
                self._flush_base64(final=False)
                b64 = self._b64  # a new buffer, holding what did not make four characters
                return

    def _take(self, line: bytes) -> None:
        if self.encoding == "base64":
            self._b64 += line.strip()
            if len(self._b64) >= 4096:
                self._flush_base64(final=False)
        elif self.encoding == "quoted-printable":
            self._pending += binascii.a2b_qp(line)
        else:
            body = line.rstrip(b"\r\n")
            self._pending += self._eol + body
            self._eol = line[len(body) :]

    def _flush_base64(self, *, final: bool) -> None:
        data = bytes(self._b64)
        keep = b"" if final else data[len(data) - len(data) % 4 :]
        data = data[: len(data) - len(keep)]
        self._b64 = bytearray(keep)
        if not data:
            return
        try:
            self._pending += binascii.a2b_base64(data)
        except binascii.Error:
            self.damaged = True
            cleaned = data.rstrip(b"=")
            cleaned = cleaned[: len(cleaned) - len(cleaned) % 4]
            with contextlib.suppress(binascii.Error):
                self._pending += binascii.a2b_base64(cleaned)

    def drain(self) -> bytes:
        """Skip what is left; the delimiter line that ended it."""
        while self.end is None:
            self._pending.clear()
            self._fill()
        self._pending.clear()
        return self.end


#: called for every leaf part: its headers, its decoded body, and its depth
OnPart = Callable[[EmailMessage, PartReader, int], None]


def walk(source: BinaryIO, on_part: OnPart, *, top: EmailMessage | None = None) -> EmailMessage:
    """Walk one message from ``source``; its top-level headers (read first unless given)."""
    lines = Lines(source)
    if top is None:
        top = read_headers(lines, [])
    walk_body(lines, top, on_part)
    return top


def walk_body(lines: Lines, headers: EmailMessage, on_part: OnPart) -> None:
    """Walk the body of a message whose top-level ``headers`` were read from ``lines``."""
    _walk_part(lines, headers, [], 0, on_part)


def _encoding(headers: EmailMessage) -> str:
    value = str(headers.get("Content-Transfer-Encoding", "") or "").strip().lower()
    return value if value in ("base64", "quoted-printable") else "8bit"


def _walk_part(
    lines: Lines, headers: EmailMessage, boundaries: list[bytes], depth: int, on_part: OnPart
) -> bytes:
    """Walk one part; the delimiter line that ended it (b"" at the end of the stream)."""
    if depth > MAX_DEPTH:
        raise MailRefused(f"its parts are nested more than {MAX_DEPTH} levels deep")
    boundary = headers.get_boundary() if headers.get_content_maintype() == "multipart" else None
    if not boundary:
        reader = PartReader(lines, boundaries, _encoding(headers))
        on_part(headers, reader, depth)
        return reader.drain()
    mine = boundary.encode("utf-8", "surrogateescape")
    inner = [*boundaries, mine]
    end = _skip_to_delimiter(lines, inner)  # the preamble
    while True:
        found = _boundary_of(end, inner) if end else None
        if found is None:
            return end  # the stream ended inside the multipart
        which, closing = found
        if which != mine:
            return end  # an outer delimiter: this multipart was not closed
        if closing:
            return _skip_to_delimiter(lines, boundaries)  # the epilogue
        part = read_headers(lines, inner)
        end = _walk_part(lines, part, inner, depth + 1, on_part)


def _skip_to_delimiter(lines: Lines, boundaries: list[bytes]) -> bytes:
    while True:
        line = lines.readline()
        if not line or (boundaries and _boundary_of(line, boundaries)):
            return line

"""What a message says: its envelope (from the top-level headers) and its text and files (from
its parts as they stream by).

Headers are read with ``policy.default`` (RFC 2047 encoded words decoded); a header that does
not parse is read as its raw text, never an exception. Text is decoded in its declared charset;
bytes that do not decode are replaced and noted, an unknown charset is read as UTF-8 and noted.
Plain text is preferred; HTML-only mail becomes readable text with html2text (which fetches
nothing: it converts the markup it is given). Every other part is a file for the caller.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from vrmdesk.mail.mime import PartReader

#: the text of one message kept, at most (the rest is noted as left out)
TEXT_LIMIT = 2 * 1024 * 1024
_MSGID = re.compile(r"<[^<>\s]+>")
#: headers that make a message's digest when it has no Message-ID (the same in every copy)
DIGEST_HEADERS = ("date", "from", "to", "cc", "subject", "in-reply-to", "references")


def header_text(headers: EmailMessage, name: str) -> str:
    """A header's decoded text ("" when absent); a malformed one as its raw text."""
    try:
        value = headers.get(name)
    except Exception:  # the header classes of policy.default can fail on broken input
        raw = headers.get_all(name, failobj=[])
        value = raw[0] if raw else None
    if value is None:
        return ""
    text = str(value)
    # 8-bit bytes in a header arrive as surrogates: shown as replacement characters
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return " ".join(text.split())


def _addresses(headers: EmailMessage, *names: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name in names:
        text = header_text(headers, name)
        if text:
            found.extend(
                (display, address.lower()) for display, address in getaddresses([text]) if address
            )
    return [(d, a) for d, a in found if "@" in a]


def _message_ids(text: str) -> list[str]:
    return _MSGID.findall(text)


@dataclass
class Envelope:
    """What the top-level headers say."""

    message_id: str
    #: the messages it answers: In-Reply-To first, then References, newest first
    parents: list[str]
    occurred_at: datetime
    sender: tuple[str, str]
    recipients: list[tuple[str, str]]
    subject: str
    #: List-Unsubscribe, List-Id or Precedence: bulk/list/junk
    bulk: bool
    notes: list[str] = field(default_factory=list)


def envelope(headers: EmailMessage, *, now: datetime | None = None) -> Envelope:
    notes: list[str] = []
    ids = _message_ids(header_text(headers, "message-id"))
    message_id = ids[0] if ids else digest(headers)
    parents = _message_ids(header_text(headers, "in-reply-to"))
    for ref in reversed(_message_ids(header_text(headers, "references"))):
        if ref not in parents:
            parents.append(ref)
    occurred = _date(header_text(headers, "date"))
    if occurred is None:
        notes.append("The message has no date that could be read; the time of import is used.")
        occurred = now or datetime.now(UTC).replace(tzinfo=None)
    senders = _addresses(headers, "from") or _addresses(headers, "sender", "return-path")
    if not senders:
        display, address = parseaddr(header_text(headers, "from"))
        senders = [(display, address.lower())]
    precedence = header_text(headers, "precedence").lower()
    bulk = bool(
        header_text(headers, "list-unsubscribe") or header_text(headers, "list-id")
    ) or precedence in ("bulk", "list", "junk")
    return Envelope(
        message_id=message_id[:500],
        parents=[p[:500] for p in parents],
        occurred_at=occurred,
        sender=senders[0],
        recipients=_addresses(headers, "to", "cc", "delivered-to"),
        subject=header_text(headers, "subject")[:500],
        bulk=bulk,
        notes=notes,
    )


def digest(headers: EmailMessage) -> str:
    """A message's stand-in for a Message-ID: SHA-256 of the headers every copy shares."""
    h = hashlib.sha256()
    for name in DIGEST_HEADERS:
        h.update(name.encode() + b":" + header_text(headers, name).encode() + b"\n")
    return f"digest:{h.hexdigest()}"


def _date(text: str) -> datetime | None:
    if not text:
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when


# -- the parts ---------------------------------------------------------------------------------
#: stores one file of the message: (name, media type, the decoded stream) -> a note or None
StoreFile = Callable[[str, str, io.RawIOBase], str | None]


@dataclass
class Contents:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    #: attached messages, told in the text: "Subject — from … on …"
    attached: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: int = 0
    _kept: int = 0

    def text(self) -> str:
        if self.plain:
            body = "\n\n".join(t.strip("\n") for t in self.plain)
        elif self.html:
            body = "\n\n".join(html_to_text(t) for t in self.html)
        else:
            body = ""
        if self.attached:
            body += "".join(f"\n\n[Attached message: {a}]" for a in self.attached)
        return body.strip("\n")


class PartCollector:
    """The ``on_part`` of :func:`vrmdesk.mail.mime.walk`: text kept, files to ``store``."""

    def __init__(self, store: StoreFile) -> None:
        self.store = store
        self.contents = Contents()
        self._unnamed = 0

    def __call__(self, headers: EmailMessage, body: PartReader, depth: int) -> None:
        ctype = headers.get_content_type()
        disposition = (headers.get_content_disposition() or "").lower()
        filename = _filename(headers)
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            self._text(headers, body, ctype)
        elif ctype == "message/rfc822":
            self._message(headers, body)
        else:
            self._file(filename or self._name_for(headers, ctype), ctype, body)
        if body.damaged:
            self.contents.notes.append(f"A part ({ctype}) was damaged; what could be read is kept.")

    def _name_for(self, headers: EmailMessage, ctype: str) -> str:
        self._unnamed += 1
        cid = header_text(headers, "content-id").strip("<>")
        ext = {"text/plain": ".txt", "text/html": ".html", "image/png": ".png"}.get(ctype, "")
        if not ext and ctype.startswith("image/"):
            ext = "." + ctype.split("/", 1)[1]
        return (cid.split("@")[0] if cid else f"part-{self._unnamed}") + ext

    def _file(self, name: str, ctype: str, body: PartReader) -> None:
        note = self.store(name, ctype, body)
        self.contents.files += 1
        if note:
            self.contents.notes.append(note)

    def _text(self, headers: EmailMessage, body: PartReader, ctype: str) -> None:
        room = TEXT_LIMIT - self.contents._kept
        data = body.read(max(room, 0) + 1)
        if len(data) > room:
            data = data[:room]
            self.contents.notes.append("The text was longer than 2 MB; the rest is left out.")
        self.contents._kept += len(data)
        text = self._decode(data, headers.get_content_charset() or "us-ascii")
        (self.contents.plain if ctype == "text/plain" else self.contents.html).append(text)

    def _decode(self, data: bytes, charset: str) -> str:
        try:
            codec = codecs.lookup(charset).name
        except LookupError:
            self.contents.notes.append(f"Unknown charset {charset!r}: the text was read as UTF-8.")
            codec = "utf-8"
        if codec == "ascii":
            codec = "utf-8"  # mail that says us-ascii and is not: 8-bit text is usually UTF-8
        text = data.decode(codec, "replace").replace("\r\n", "\n")
        replaced = text.count("\ufffd") - data.count("\ufffd".encode())
        if replaced > 0:
            self.contents.notes.append(
                f"{replaced} byte{'s' if replaced != 1 else ''} of text did not decode as "
                f"{charset} and {'were' if replaced != 1 else 'was'} replaced with �."
            )
        return text

    def _message(self, headers: EmailMessage, body: PartReader) -> None:
        from email import policy
        from email.parser import BytesHeaderParser

        head = bytearray()
        source = _HeadKeeper(body, head)
        filename = _filename(headers)
        note = self.store(filename or "attached-message.eml", "message/rfc822", source)
        self.contents.files += 1
        if note:
            self.contents.notes.append(note)
        inner = BytesHeaderParser(policy=policy.default).parsebytes(bytes(head).split(b"\n\n")[0])
        assert isinstance(inner, EmailMessage)
        told = header_text(inner, "subject") or "(no subject)"
        sender = header_text(inner, "from")
        when = header_text(inner, "date")
        self.contents.attached.append(
            told + (f" — from {sender}" if sender else "") + (f" on {when}" if when else "")
        )


class _HeadKeeper(io.RawIOBase):
    """A stream passed through whose first 64 KB are kept (an attached message's headers)."""

    def __init__(self, source: PartReader, head: bytearray) -> None:
        super().__init__()
        self.source = source
        self.head = head

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        target = memoryview(buffer).cast("B")
        n = self.source.readinto(target)
        if len(self.head) < 65536:
            self.head += target[: min(n, 65536 - len(self.head))]
        return n


def _filename(headers: EmailMessage) -> str:
    try:
        name = headers.get_filename() or ""
    except Exception:
        name = ""
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    name = name.replace("/", "_").replace("\\", "_").replace("\x00", "").strip()
    return name[:200]


def html_to_text(markup: str) -> str:
    """Readable text of an HTML body: links kept as text, images left out, nothing fetched."""
    import html2text

    converter = html2text.HTML2Text()
    converter.ignore_images = True
    converter.body_width = 0
    converter.unicode_snob = True
    return converter.handle(markup).strip("\n")

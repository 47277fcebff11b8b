"""Where messages come from on disk: single ``.eml`` files, mbox files (Thunderbird's local
folders, a Google Takeout export) and Maildir folders, each message opened as a stream.

A folder that is no Maildir is searched for mbox and ``.eml`` files (a Thunderbird profile's
``Mail/Local Folders``, with its ``.msf`` index files passed over). Nothing is written to a
source: mbox files are read with ``mailbox.mbox(create=False)`` and never locked or flushed.
"""

from __future__ import annotations

import io
import mailbox
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

from vrmdesk.errors import VrmError
from vrmdesk.mail.capture import Message

#: files in a mail folder that hold no messages (Thunderbird's indexes, filters, Takeout's JSON)
NOT_MAIL = {".msf", ".dat", ".json", ".html", ".sqlite", ".txt", ".log", ".csv", ".ics", ".vcf"}
SENT_NAMES = {"sent", "sent items", "sent mail", "sent messages", "gesendet", "envoyés"}


class MailSourceError(VrmError):
    """A path given to import that holds no mail the importer reads."""


def is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def _starts_like_mbox(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"From "
    except OSError:
        return False


def _holds_mail(path: Path) -> bool:
    if path.name.startswith("."):
        return False
    if path.is_dir():  # a Maildir, or Thunderbird's subfolders (Inbox.sbd)
        return is_maildir(path) or path.suffix.lower() == ".sbd"
    suffix = path.suffix.lower()
    return (
        path.is_file() and suffix not in NOT_MAIL and (suffix == ".eml" or _starts_like_mbox(path))
    )


def is_mail_file(path: Path) -> bool:
    """A file that holds mail: an .eml file or an mbox file (as a dropped file is judged)."""
    return path.is_file() and _holds_mail(path)


def is_sent_folder(path: Path) -> bool:
    """A folder named like a Sent folder (its mail is mine, going out)."""
    name = path.name.lower().removesuffix(".mbox").removesuffix(".sbd").lstrip(".")
    return name in SENT_NAMES


def leaves(path: Path) -> Iterator[Path]:
    """The mail sources under ``path``: itself when it is a Maildir or a file, else the
    Maildirs, mbox and ``.eml`` files of its tree (a Thunderbird profile's folders)."""
    if is_maildir(path) or not path.is_dir():
        yield path
        return
    children = [c for c in sorted(path.iterdir()) if _holds_mail(c)]
    if not children:
        raise MailSourceError(f"{path} holds no mail (no Maildir, mbox or .eml files).")
    for child in children:
        yield from leaves(child)


def by_direction(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """The mail sources of ``paths``, split into (coming in, going out): a source is mine,
    going out, when it or a folder it is in (below the path given) is named like Sent —
    ``Local Folders/Sent``, ``Sent.sbd/2024``, a Maildir's ``.Sent``."""
    incoming: list[Path] = []
    outgoing: list[Path] = []
    for top in paths:
        for leaf in leaves(top):
            folders = [top / p for p in leaf.relative_to(top).parents if p != Path(".")]
            sent = any(is_sent_folder(f) for f in (top, leaf, *folders))
            (outgoing if sent else incoming).append(leaf)
    return incoming, outgoing


def messages_of(path: Path) -> Iterator[Message]:
    """Every message under ``path``, in the order the source holds them."""
    if is_maildir(path):
        yield from _maildir(path)
    elif path.is_dir():
        children = [c for c in sorted(path.iterdir()) if _holds_mail(c)]
        if not children:
            raise MailSourceError(f"{path} holds no mail (no Maildir, mbox or .eml files).")
        for child in children:
            yield from messages_of(child)
    elif path.is_file():
        if _starts_like_mbox(path):
            yield from _mbox(path)
        else:
            yield str(path), _opener(path)
    else:
        raise MailSourceError(f"{path} does not exist or is not a file or folder.")


def _opener(path: Path) -> Callable[[], BinaryIO]:
    return lambda: path.open("rb")


def _mbox(path: Path) -> Iterator[Message]:
    box = mailbox.mbox(path, create=False)
    try:
        keys = list(box.iterkeys())
        for number, key in enumerate(keys, 1):
            yield f"{path} (message {number})", _box_opener(box, key)
    finally:
        box.close()


def _maildir(path: Path) -> Iterator[Message]:
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in sorted(box.iterkeys()):
        yield f"{path} ({key})", _box_opener(box, key)


class _Chunks(io.RawIOBase):
    """A mailbox's file for one message (``mailbox``'s proxy, whose ``readline`` is Python,
    three calls deep) read in large chunks, so that a BufferedReader in front of it splits the
    lines in C: the MIME walker reads a message line by line, and a 50 KB attachment in base64
    is 700 lines."""

    def __init__(self, proxy: Any) -> None:
        self.proxy = proxy

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.proxy.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.proxy.close()
        super().close()


def _box_opener(box: mailbox.Mailbox[mailbox.Message], key: str) -> Callable[[], BinaryIO]:
    return lambda: cast(BinaryIO, io.BufferedReader(_Chunks(box.get_file(key)), 256 * 1024))

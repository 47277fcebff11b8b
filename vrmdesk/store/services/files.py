"""The files attached to a record, by the record's kind and id: list, attach, read, copy out.

A thin layer over the vault's :class:`~vrmdesk.store.attachments.AttachmentStore` for a caller
that names records by kind and id and shows plain rows (the GUI's files panel and its jobs).
Each function takes the caller's session; the store does the encrypting and decrypting, and
``on_chunk`` hooks report progress and may raise to cancel, as there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol, cast

from sqlalchemy.orm import Session

from vrmdesk.store import models as m
from vrmdesk.store.attachments import AttachmentStore
from vrmdesk.store.services import records
from vrmdesk.store.services.editing import record_class

if TYPE_CHECKING:
    from vrmdesk.store.tempcopies import TempCopies
    from vrmdesk.store.vault import Vault

OnChunk = Callable[[int], None]


class Readable(Protocol):
    """What attaching reads a file through (a caller's reader may count and cancel)."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class AttachedFile:
    id: int
    name: str
    media_type: str
    size: int
    #: when it was attached (UTC, naive, as stored)
    added: datetime


def files_of(session: Session, kind: str, record_id: int) -> list[AttachedFile]:
    """A record's files, oldest first (NotFound if the record is gone)."""
    owner = records.get(session, record_class(kind), record_id)
    return [
        AttachedFile(a.id, a.name, a.media_type, a.size, a.created_at)
        for a in AttachmentStore.for_owner(session, owner)
    ]


def attach(
    session: Session,
    store: AttachmentStore,
    kind: str,
    record_id: int,
    source: Readable,
    *,
    name: str,
    max_size: int,
) -> int:
    """Store what ``source`` reads as a file of the record; the new attachment's id."""
    owner = records.get(session, record_class(kind), record_id)
    # the store only calls read() on it: any reader will do
    attachment = store.add(session, owner, cast(BinaryIO, source), name=name, max_size=max_size)
    return attachment.id


def write_to(
    session: Session,
    store: AttachmentStore,
    attachment_id: int,
    target: BinaryIO,
    *,
    on_chunk: OnChunk | None = None,
) -> int:
    """Decrypt a file into ``target`` (a preview's buffer); the bytes written."""
    attachment = records.get(session, m.Attachment, attachment_id)
    return store.write_to(attachment, target, on_chunk=on_chunk)


def save_copy(
    session: Session,
    store: AttachmentStore,
    attachment_id: int,
    destination: Path,
    *,
    on_chunk: OnChunk | None = None,
) -> None:
    """The plaintext at ``destination``, whole or not at all."""
    attachment = records.get(session, m.Attachment, attachment_id)
    store.save_copy(attachment, destination, on_chunk=on_chunk)


def temporary_copy(
    session: Session,
    vault: Vault,
    copies: TempCopies,
    attachment_id: int,
    *,
    on_chunk: OnChunk | None = None,
) -> Path:
    """A private plaintext copy for another program (deleted with ``copies.clear()``)."""
    attachment = records.get(session, m.Attachment, attachment_id)
    return copies.copy_of(vault, attachment, on_chunk=on_chunk)

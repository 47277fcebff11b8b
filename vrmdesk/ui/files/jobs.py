"""The attachment work the files panel runs off the UI thread, with progress and cancel.

Each job takes the vault and a :class:`~vrmdesk.ui.core.tasks.Task`, touches no widget, reports
progress in thousandths and returns None (or False) when the user cancelled; whatever a cancel
interrupted is left undone by the core (no row, no stored content, no partial copy).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from vrmdesk.store.services import files
from vrmdesk.store.tempcopies import TempCopies
from vrmdesk.store.vault import Vault
from vrmdesk.ui.core.controller import EXCLUSIVE_WAIT, holding
from vrmdesk.ui.core.tasks import Cancelled, Task

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: progress is reported in thousandths (a byte count overflows a progress bar's int)
STEPS = 1000


class ProgressReader:
    """A file being attached: reports progress and stops at a cancel, chunk by chunk."""

    def __init__(self, source: BinaryIO, task: Task, done: int, total: int, label: str) -> None:
        self.source, self.task, self.done, self.total, self.label = source, task, done, total, label

    def read(self, size: int = -1) -> bytes:
        self.task.check()
        data = self.source.read(size)
        self.done += len(data)
        self.task.progress(self.done * STEPS // max(self.total, 1), STEPS, self.label)
        return data


def chunk_progress(task: Task, total: int, label: str) -> Callable[[int], None]:
    """An ``on_chunk`` hook for the core's readers: progress, and a cancel between chunks."""

    def on_chunk(written: int) -> None:
        task.check()
        task.progress(written * STEPS // max(total, 1), STEPS, label)

    return on_chunk


def attach_in(
    session: Session,
    task: Task,
    vault: Vault,
    kind: str,
    record_id: int,
    paths: list[tuple[Path, int]],
    max_size: int,
) -> None:
    """Attach ``(path, size)`` files to a record inside ``session``'s unit of work, with
    progress; ``Cancelled`` (from the progress) leaves the caller's transaction to roll back."""
    total = sum(size for _, size in paths)
    done = 0
    for path, size in paths:
        with path.open("rb") as handle:
            reader = ProgressReader(handle, task, done, total, f"Encrypting {path.name}…")
            files.attach(
                session,
                vault.attachments,
                kind,
                record_id,
                reader,
                name=path.name,
                max_size=max_size,
            )
        done += size


def attach_files(
    task: Task,
    vault: Vault,
    kind: str,
    record_id: int,
    paths: list[tuple[Path, int]],
    max_size: int,
) -> int | None:
    """Attach ``(path, size)`` files to a record in one transaction: a cancel attaches none."""
    try:
        with holding(vault.unit_lock, EXCLUSIVE_WAIT), vault.session() as session:
            attach_in(session, task, vault, kind, record_id, paths, max_size)
    except Cancelled:
        return None
    return len(paths)


def read_content(
    task: Task, vault: Vault, attachment_id: int, size: int, name: str
) -> bytes | None:
    """The plaintext in memory (for a preview: it never touches the disk)."""
    buffer = io.BytesIO()
    try:
        with vault.session() as session:
            files.write_to(
                session,
                vault.attachments,
                attachment_id,
                buffer,
                on_chunk=chunk_progress(task, size, f"Decrypting {name}…"),
            )
    except Cancelled:
        return None
    return buffer.getvalue()


def temporary_copy(
    task: Task, vault: Vault, copies: TempCopies, attachment_id: int, size: int, name: str
) -> Path | None:
    """A private plaintext copy for another program (deleted with ``copies.clear()``)."""
    try:
        with vault.session() as session:
            return files.temporary_copy(
                session,
                vault,
                copies,
                attachment_id,
                on_chunk=chunk_progress(task, size, f"Decrypting {name}…"),
            )
    except Cancelled:
        return None


def save_copy(
    task: Task, vault: Vault, attachment_id: int, size: int, name: str, destination: Path
) -> bool:
    """The plaintext at ``destination``, whole or not at all."""
    try:
        with vault.session() as session:
            files.save_copy(
                session,
                vault.attachments,
                attachment_id,
                destination,
                on_chunk=chunk_progress(task, size, f"Saving {name}…"),
            )
    except Cancelled:
        return False
    return True

"""Attachments: encrypted at rest, streamed, stored once per content, crash-safe.

Each content is one file under ``attachments/`` in the age format (pyrage, X25519), encrypted to
an identity kept inside the encrypted database; ``age -d -i identity.txt`` reads it, so the data
never depends on this program. Files are named by HMAC-SHA256 of the plaintext under a key
derived from the data key: identical contents are stored once, and a name tells nobody without
the key what is inside.

Writing streams the plaintext through the hashes and the encryptor into ``attachments/tmp``,
fsyncs, and renames into place before the database row that refers to it is committed, so a row
never points to a missing file. A crash in between leaves a file no row refers to; a marker file
(``attachments/.pending``) records that such work was under way, and the next open sweeps those
files away, keeping any that a backup still needs.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import io
import mimetypes
import os
import shutil
import stat
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

import pyrage
from pyrage import x25519
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from vrmshare.fileutil import (
    ByteSink,
    HashingReader,
    HashingWriter,
    create_private_file,
    disk_full,
    fsync_dir,
    is_disk_full,
    make_private_dir,
    open_private,
    reporting,
)

from vrmdesk.errors import AttachmentError, NotFound, ValidationError
from vrmdesk.store import backup, keys
from vrmdesk.store.models import Attachment, Blob, Meta, Record
from vrmdesk.store.paths import OpenVault

IDENTITY_KEY = "attachment_identity"
MAX_SIZE = 4 * 1024**3  # 4 GiB per file
CHUNK = 1024 * 1024


def format_size(size: int) -> str:
    """A byte count for people: 512 bytes, 14 KB, 3.2 MB, 1.5 GB."""
    if size < 1024:
        return f"{size} byte{'s' if size != 1 else ''}"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            break
    return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"


class _HashingReader(HashingReader):
    """Reads a content while hashing it, under the size limit; ``mac`` makes its name
    (HMAC-SHA256 of the plaintext under the name key)."""

    def __init__(self, source: BinaryIO, name_key: bytes, limit: int) -> None:
        self.mac = hmac.new(name_key, digestmod=hashlib.sha256)
        too_large = AttachmentError(f"The file is too large: the limit is {format_size(limit)}.")
        super().__init__(source, limit, lambda: too_large, also=[self.mac])


def name_key(data_key: bytes) -> bytes:
    """The key that names contents (HMAC-SHA256 of the plaintext) under this data key."""
    return keys.subkey(data_key, "vrmdesk attachment names")


def reencrypt(
    source: BinaryIO,
    identity: x25519.Identity,
    recipient: x25519.Recipient,
    name_key: bytes,
    target: BinaryIO,
) -> tuple[str, str, int]:
    """Decrypt an age stream with ``identity`` and encrypt it again to ``recipient`` into
    ``target``, in chunks: the plaintext passes through a pipe in memory, never through a file.

    Returns the content's name under ``name_key`` (as :meth:`AttachmentStore.add` makes it), its
    SHA-256 and its size. A stream that does not decrypt whole is :class:`AttachmentError`.
    """
    read_fd, write_fd = os.pipe()
    failed: list[BaseException] = []

    def decrypt() -> None:
        try:
            with os.fdopen(write_fd, "wb") as pipe:
                pyrage.decrypt_io(source, pipe, [identity])
        except BaseException as exc:
            failed.append(exc)

    worker = threading.Thread(target=decrypt, name="vrmdesk-reencrypt", daemon=True)
    worker.start()
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            reader = _HashingReader(pipe, name_key, MAX_SIZE)
            writer = HashingWriter(target)
            try:
                pyrage.encrypt_io(io.BufferedReader(reader, CHUNK), writer, [recipient])
            except pyrage.EncryptError as exc:
                for error in (reader.error, writer.error):
                    if error is not None:
                        raise error from None
                raise AttachmentError(f"The content could not be encrypted again: {exc}") from None
    finally:
        worker.join()  # the pipe's reading end is closed: a blocked writer gets EPIPE and ends
    if failed:
        if isinstance(failed[0], (pyrage.DecryptError, OSError)):
            raise AttachmentError(f"The content is damaged ({failed[0]}).") from None
        raise failed[0]
    return reader.mac.hexdigest(), reader.sha256.hexdigest(), reader.size


class AttachmentStore:
    def __init__(self, vault: OpenVault) -> None:
        self.vault = vault
        self.root = vault.paths.attachments
        self.tmp = self.root / "tmp"
        self.marker = self.root / ".pending"
        self._identity: x25519.Identity | None = None

    # -- set-up ------------------------------------------------------------------------------
    def load(self) -> None:
        """Read the identity once, when the vault opens (sessions must not nest later).

        A new (or emptied) vault gets one here.
        """
        if self.vault.writable:
            make_private_dir(self.root)
        with self.vault.session() as session:
            meta = session.get(Meta, IDENTITY_KEY)
            if meta is None:
                if session.scalar(select(func.count()).select_from(Blob)):
                    raise AttachmentError("This vault has lost its attachment key; it is damaged.")
                meta = Meta(key=IDENTITY_KEY, value=str(x25519.Identity.generate()))
                session.add(meta)
            self._identity = x25519.Identity.from_str(meta.value)

    def forget(self) -> None:
        self._identity = None

    @property
    def identity(self) -> x25519.Identity:
        if self._identity is None:
            raise AttachmentError("The vault is locked.")
        return self._identity

    def export_identity(self) -> str:
        """The age identity (AGE-SECRET-KEY-1…) for reading attachments with the age tool."""
        return str(self.identity)

    @property
    def _name_key(self) -> bytes:
        return name_key(self.vault.data_key)

    def path_of(self, blob_name: str) -> Path:
        return self.root / blob_name[:2] / blob_name

    # -- writing -----------------------------------------------------------------------------
    def add(
        self,
        session: Session,
        owner: Record,
        source: BinaryIO | Path,
        *,
        name: str | None = None,
        media_type: str | None = None,
        max_size: int = MAX_SIZE,
    ) -> Attachment:
        """Store a file (a path or a readable binary stream) and link it to ``owner``.

        The caller's session commits the link; the content is on disk before that. An exception
        raised by the stream's ``read`` (a caller's cancel) comes out unchanged, leaving nothing.
        """
        if owner.id is None:
            session.flush()
        if isinstance(source, Path):
            if not source.is_file():
                raise AttachmentError(f"{source} is not a file.")
            if source.stat().st_size > max_size:
                raise AttachmentError(
                    f"{source.name} is too large: the limit is {format_size(max_size)}."
                )
            name = name or source.name
            with source.open("rb") as handle:
                return self.add(
                    session, owner, handle, name=name, media_type=media_type, max_size=max_size
                )
        name = (name or "").strip()
        if not name:
            raise ValidationError("An attachment needs a file name.", field="name")
        media_type = media_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        blob = self._store_blob(session, source, max_size)
        attachment = Attachment(
            owner_kind=owner.kind,
            owner_id=owner.id,
            blob_name=blob.name,
            name=name,
            media_type=media_type,
            size=blob.size,
            sha256=blob.sha256,
        )
        session.add(attachment)
        session.flush()
        return attachment

    def store_blob(self, session: Session, source: BinaryIO, *, max_size: int = MAX_SIZE) -> Blob:
        """Store a content (read from ``source`` to its end) with no attachment linking to it yet.

        For bringing contents in before the rows that name them (an archive's import): the
        caller links it in the same unit of work. Should that fail, the file left on disk is
        unreferenced and swept by :meth:`recover`.
        """
        return self._store_blob(session, source, max_size)

    def _store_blob(self, session: Session, source: BinaryIO, max_size: int) -> Blob:
        make_private_dir(self.root)
        make_private_dir(self.tmp)
        self._mark_pending()
        reader = _HashingReader(source, self._name_key, max_size)
        tmp_path = self.tmp / f"{os.getpid()}-{os.urandom(8).hex()}"
        writer: HashingWriter | None = None
        try:
            with open_private(tmp_path) as out:
                writer = HashingWriter(out)  # keeps the OSError pyrage reports only as text
                pyrage.encrypt_io(
                    io.BufferedReader(reader, CHUNK), writer, [self.identity.to_public()]
                )
                out.flush()
                os.fsync(out.fileno())
        except BaseException as exc:
            tmp_path.unlink(missing_ok=True)
            if reader.error is not None:
                raise reader.error from None
            cause = writer.error if writer is not None and writer.error is not None else exc
            if isinstance(cause, OSError) and is_disk_full(cause):
                raise disk_full("storing the attachment") from None
            if isinstance(cause, (pyrage.EncryptError, OSError)):
                raise AttachmentError(f"The file could not be stored: {cause}") from None
            raise
        blob_name = reader.mac.hexdigest()
        existing = session.get(Blob, blob_name)
        final = self.path_of(blob_name)
        if existing is not None and final.exists():
            tmp_path.unlink()
            return existing
        with reporting("storing the attachment"):  # what is left in tmp/ goes with the sweep
            make_private_dir(final.parent)
            os.replace(tmp_path, final)
            fsync_dir(final.parent)
        if existing is not None:
            return existing
        blob = Blob(name=blob_name, size=reader.size, sha256=reader.sha256.hexdigest())
        session.add(blob)
        return blob

    # -- reading -----------------------------------------------------------------------------
    def write_to(
        self,
        attachment: Attachment,
        target: ByteSink,
        *,
        on_chunk: Callable[[int], None] | None = None,
    ) -> int:
        """Decrypt an attachment into a writable binary stream; checks its SHA-256.

        ``on_chunk(bytes_written)`` is called as the plaintext goes out; whatever it raises (a
        cancel) stops the work and comes out unchanged, as does an error writing to ``target``.
        """
        return self.write_blob_to(
            attachment.blob_name,
            attachment.sha256,
            target,
            shown_as=attachment.name,
            on_chunk=on_chunk,
        )

    def write_blob_to(
        self,
        blob_name: str,
        sha256: str,
        target: ByteSink,
        *,
        shown_as: str,
        on_chunk: Callable[[int], None] | None = None,
    ) -> int:
        """Decrypt a stored content into ``target``, checking it against its SHA-256 (hex);
        as :meth:`write_to`, for a content named by its blob (``shown_as`` names it in errors)."""
        writer = HashingWriter(target, on_chunk)
        try:
            with self.open_blob(blob_name, shown_as) as handle:
                pyrage.decrypt_io(handle, writer, [self.identity])
        except FileNotFoundError:
            raise AttachmentError(
                f"The content of {shown_as!r} is missing from the vault folder."
            ) from None
        except (pyrage.DecryptError, OSError) as exc:
            if writer.error is not None:
                raise writer.error from None
            raise AttachmentError(f"The content of {shown_as!r} is damaged ({exc}).") from None
        if writer.sha256.hexdigest() != sha256:
            raise AttachmentError(f"The content of {shown_as!r} is damaged (hash differs).")
        return writer.size

    def open_blob(self, blob_name: str, shown_as: str) -> BinaryIO:
        """The stored (encrypted) file, opened for reading only if it is a regular file.

        A link is not followed (it could lead out of the vault, to /dev/zero, …), and a FIFO or a
        device is not waited on: either is refused as :class:`AttachmentError`.
        """
        return self.open_regular(self.path_of(blob_name), shown_as)

    @staticmethod
    def open_regular(path: Path, shown_as: str) -> BinaryIO:
        """``path`` opened for reading if it is a regular file (see :meth:`open_blob`)."""
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        flags |= getattr(os, "O_BINARY", 0)
        not_regular = AttachmentError(
            f"The content of {shown_as!r} in the vault folder is not a regular file (a link, a "
            f"folder or a device stands at {path}); it was not read."
        )
        try:
            fd = os.open(path, flags)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
                raise not_regular from None
            raise
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise not_regular
            if hasattr(os, "set_blocking"):
                os.set_blocking(fd, True)
        except BaseException:
            os.close(fd)
            raise
        return os.fdopen(fd, "rb")

    def save_copy(
        self,
        attachment: Attachment,
        destination: Path,
        *,
        on_chunk: Callable[[int], None] | None = None,
    ) -> None:
        """Write the plaintext to ``destination`` (via a temporary file, renamed when whole).

        ``on_chunk`` as in :meth:`write_to`; a stop leaves neither the partial file nor a
        destination.
        """
        partial = destination.with_name(f".{destination.name}.partial")
        try:
            with partial.open("wb") as out:
                self.write_to(attachment, out, on_chunk=on_chunk)
            os.replace(partial, destination)
        finally:
            partial.unlink(missing_ok=True)

    def read_bytes(self, attachment: Attachment, limit: int = 64 * 1024**2) -> bytes:
        """The whole content in memory, for previews of small files only."""
        if attachment.size > limit:
            raise AttachmentError(f"{attachment.name!r} is too large to preview.")
        buffer = io.BytesIO()
        self.write_to(attachment, buffer)
        return buffer.getvalue()

    # -- listing and removing ----------------------------------------------------------------
    @staticmethod
    def for_owner(session: Session, owner: Record) -> list[Attachment]:
        query = (
            select(Attachment)
            .where(Attachment.owner_kind == owner.kind, Attachment.owner_id == owner.id)
            .order_by(Attachment.created_at, Attachment.id)
        )
        return list(session.scalars(query))

    def remove(self, session: Session, attachment_id: int) -> None:
        """Unlink one attachment; its content goes with the last link (swept on close)."""
        attachment = session.get(Attachment, attachment_id)
        if attachment is None:
            raise NotFound(f"There is no attachment {attachment_id}.")
        self._mark_pending()
        blob_name = attachment.blob_name
        session.delete(attachment)
        session.flush()
        remaining = session.scalar(
            select(func.count()).select_from(Attachment).where(Attachment.blob_name == blob_name)
        )
        if not remaining:
            blob = session.get(Blob, blob_name)
            if blob is not None:
                session.delete(blob)

    def remove_for_owners(self, session: Session, kind: str, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        query = select(Attachment.id).where(
            Attachment.owner_kind == kind, Attachment.owner_id.in_(ids)
        )
        for attachment_id in list(session.scalars(query)):
            self.remove(session, attachment_id)

    # -- crash recovery ----------------------------------------------------------------------
    def _mark_pending(self) -> None:
        if not self.marker.exists():
            make_private_dir(self.root)
            create_private_file(self.marker)
            fsync_dir(self.root)

    def recover(self) -> None:
        """Remove what interrupted or undone work left: temporary files and unreferenced content.

        Runs on open and on close, and does work only when the pending marker is there.
        """
        if not self.marker.exists():
            return
        shutil.rmtree(self.tmp, ignore_errors=True)
        with self.vault.session() as session:
            live = set(session.scalars(select(Blob.name)))
        candidates = {
            path.name: path
            for path in self.root.glob("??/*")
            if path.is_file() and path.name not in live
        }
        if candidates:
            for name in backup.blob_names_in_backups(self.vault):
                candidates.pop(name, None)
            for path in candidates.values():
                path.unlink(missing_ok=True)
        self.marker.unlink(missing_ok=True)

"""Rotating the data key: for a passphrase (or a recovery key) that may be known to someone.

Changing the passphrase only rewraps the data key; whoever learnt the old passphrase and kept a
copy of the old vault.json still has the key. Rotating makes a new data key and a new recovery
key and leaves nothing in the vault folder that the old key opens:

- ``vault.db`` is copied under the new key (SQLite's backup API re-encrypts every page);
- every attachment is decrypted and encrypted again, streaming, to a new age identity, under a
  new name (names are keyed hashes of the content), and the database's rows follow;
- every backup is re-encrypted the same way, and its header copy rewritten; a backup that does
  not open under the old key (damaged) cannot be, and is deleted with its header copy
  ("retired");
- vault.json gets the new wraps (new passphrase, new recovery key) and nothing else.

The work is journalled so that a SIGKILL at any point leaves a vault that opens:

1. *Preparing* (cancellable): everything new is written beside the old, as ``vault.db.rekey``,
   ``backups/*.db.rekey`` and ``attachments/rekey/``, while the live database's write lock is
   held. The vault itself is untouched: a kill (or a cancel, or a full disk) here leaves it as it
   was, with the old passphrase; the next writable open sweeps the staged files.
2. *The point of no return*: vault.json is replaced (atomically) by the new header, in state
   ``switching``, holding the new recovery key sealed under the new data key.
3. *Switching*: the staged files are renamed over the old ones, old attachment files are swept,
   header copies rewritten. Each step can be done again; a kill here leaves a vault that the new
   passphrase (or the new recovery key) opens, and that open finishes the switch.
4. The header's state becomes ``unseen``: the new recovery key stays sealed in it until the caller
   has shown it and calls :meth:`Vault.acknowledge_recovery_key`, so it is never lost to a kill.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3
from pyrage import x25519
from sqlalchemy import Engine
from vrmshare.fileutil import (
    create_private_file,
    disk_full,
    fsync_dir,
    is_disk_full_at,
    make_private_dir,
    open_private,
    reporting,
)

from vrmdesk.errors import AttachmentError, ValidationError, VaultError
from vrmdesk.store import backup, keys, keystore
from vrmdesk.store.attachments import IDENTITY_KEY, AttachmentStore, name_key, reencrypt
from vrmdesk.store.engine import PAGE_SIZE, driver_connection
from vrmdesk.store.paths import VaultPaths

Progress = Callable[[int, int, str], None]

STAGED = ".rekey"  # vault.db.rekey, backups/vault-….db.rekey
STAGED_ATTACHMENTS = "rekey"  # attachments/rekey/<new name>
FINISHING = "Finishing the change of key (it can no longer be cancelled)"
READY = "Ready to switch to the new key"


@dataclass(frozen=True)
class KeyRotation:
    """What :meth:`Vault.rotate_key` did. Show ``recovery_key`` once, then acknowledge it."""

    recovery_key: str
    attachments: int  # contents encrypted again
    backups: int  # backups re-encrypted
    retired_backups: tuple[str, ...]  # backups that did not open under the old key: deleted


class _Reporter:
    """Progress in bytes of work. Before the point of no return whatever the callback raises
    cancels; after it, the callback is told FINISHING and what it raises is ignored."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = max(total, 1)
        self.done = 0
        self.no_return = False

    def __call__(self, what: str, advance: int = 0) -> None:
        self.done = min(self.done + advance, self.total - 1)
        if self.progress is None:
            return
        if not self.no_return:
            self.progress(self.done, self.total, what)
            return
        with contextlib.suppress(Exception):  # a cancel comes too late: the switch goes on
            self.progress(self.total, self.total, FINISHING)


@dataclass
class Prepared:
    """A rotation past its point of no return: the new header is in place, the files are staged."""

    header: keys.Header
    new_key: bytes
    remembered: bool
    staged: _Staged

    def result(self, recovery_key: str) -> KeyRotation:
        self.staged.report("done", self.staged.report.total)
        return KeyRotation(
            recovery_key, self.staged.attachments, self.staged.backups, self.staged.retired
        )


def prepare(
    paths: VaultPaths,
    engine: Engine,
    header_now: keys.Header,
    old_key: bytes,
    old_identity: x25519.Identity,
    new_passphrase: str,
    *,
    kdf: keys.KdfParams | None = None,
    progress: Progress | None = None,
) -> tuple[Prepared, str]:
    """Everything up to and including the point of no return (see :meth:`Vault.rotate_key`).

    Stages the database, attachments and backups under a new key while holding the live
    database's write lock, then writes the new header. Returns what :func:`finish` needs and
    the new recovery key. Until the header is written, anything ``progress`` raises (a cancel),
    a full disk or an error removes what was staged and leaves the vault as it was.
    """
    if not new_passphrase:
        raise ValidationError("The new passphrase must not be empty.", field="passphrase")
    new_key = keys.new_data_key()
    recovery_key = keys.new_recovery_key()
    new_identity = x25519.Identity.generate()
    header = keys.Header(
        vault_id=header_now.vault_id,
        created=header_now.created,
        kdf=kdf or keys.calibrate(),
        wrapped_passphrase={},
        wrapped_recovery={},
    )
    header._wrap_all(new_passphrase, new_key, recovery_key)  # Argon2id: before anything else
    header.seal_recovery_key(new_key, recovery_key, "switching")
    remembered = keystore.recall(header.vault_id) is not None

    raw = engine.raw_connection()
    guard = driver_connection(raw)  # holds the write lock; the copies read on their own connection
    try:
        guard.execute("BEGIN IMMEDIATE")  # no other writer until the switch
        try:
            source = backup._connect(paths.db, old_key, readonly=True)
            try:
                staged = _stage(
                    paths, source, old_key, old_identity, new_key, new_identity, progress
                )
            finally:
                source.close()
        except BaseException as exc:
            full = is_disk_full_at(exc, paths.folder)  # before the clean-up makes room again
            guard.execute("ROLLBACK")
            sweep_staged(paths)
            if full:
                raise disk_full("changing the vault's key") from None
            raise
        staged.report.no_return = True
        with reporting(f"saving the new key header {paths.header}"):
            header.save(paths.header)  # the point of no return
        guard.execute("ROLLBACK")
    finally:
        raw.close()
    staged.report("switching")
    return Prepared(header, new_key, remembered, staged), recovery_key


def not_finished(exc: Exception) -> VaultError:
    return VaultError(
        f"The change of key could not be finished ({exc}). Open the vault again with the "
        "new passphrase: that finishes it."
    )


@dataclass
class _Staged:
    report: _Reporter
    attachments: int
    backups: int
    retired: tuple[str, ...]


def _stage(
    paths: VaultPaths,
    live: sqlcipher3.Connection,
    old_key: bytes,
    old_identity: x25519.Identity,
    new_key: bytes,
    new_identity: x25519.Identity,
    progress: Progress | None,
) -> _Staged:
    """Write everything new beside the old (the caller removes it all if this raises)."""
    live_blobs = dict(live.execute("SELECT name, sha256 FROM blobs").fetchall())
    wanted = set(live_blobs) | backup.blob_names_in_backups_of(paths.folder, old_key)
    files = sorted(
        path
        for path in paths.attachments.glob("??/*")
        if path.name in wanted and path.is_file() and not path.is_symlink()
    )
    backups = backup.list_backups(paths.folder)
    total = (
        sum(path.stat().st_size for path in files)
        + paths.db.stat().st_size
        + sum(info.size for info in backups)
        + 1
    )
    report = _Reporter(progress, total)
    report("Preparing the new key")

    mapping: dict[str, str] = {}
    staged_dir = paths.attachments / STAGED_ATTACHMENTS
    with reporting("encrypting the attachments again"):
        make_private_dir(paths.attachments)
        make_private_dir(staged_dir)
        for number, path in enumerate(files, 1):
            report(f"Encrypting attachments again ({number} of {len(files)})")
            try:
                mapping[path.name] = _reencrypt_one(
                    path, old_identity, new_identity, new_key, staged_dir, live_blobs.get(path.name)
                )
            except AttachmentError as exc:
                if path.name in live_blobs:
                    shown = live.execute(
                        "SELECT name FROM attachments WHERE blob_name = ?", (path.name,)
                    ).fetchone()
                    raise AttachmentError(
                        f"The attachment {shown[0] if shown else path.name!r} is damaged, so the "
                        f"key cannot be changed ({exc}). Remove it (or restore a backup) first."
                    ) from None
                # content only an old backup refers to: not carried over
            report("Encrypting attachments again", path.stat().st_size)

    report("Encrypting the database again")
    staged_db = paths.db.with_name(paths.db.name + STAGED)
    backup.copy_database(
        live,
        staged_db,
        new_key,
        journal_mode="WAL",
        what="changing the vault's key",
        pages_done=_pages(report, "Encrypting the database again"),
    )
    _adopt(staged_db, new_key, new_identity, mapping)

    done, retired = 0, []
    for number, info in enumerate(backups, 1):
        report(f"Encrypting the backups again ({number} of {len(backups)})")
        try:
            source = backup._connect(info.path, old_key)
            try:
                source.execute("SELECT count(*) FROM sqlite_master").fetchone()
                target = info.path.with_name(info.path.name + STAGED)
                backup.copy_database(
                    source,
                    target,
                    new_key,
                    journal_mode="DELETE",
                    what="changing the key of the backups",
                    pages_done=_pages(
                        report, f"Encrypting the backups again ({number} of {len(backups)})"
                    ),
                )
            finally:
                source.close()
            _adopt(target, new_key, new_identity, mapping)
            done += 1
        except sqlcipher3.DatabaseError as exc:
            if is_disk_full_at(exc, paths.folder):
                raise
            retired.append(info.path.name)  # damaged under the old key: it goes at the switch
    report(READY)
    return _Staged(report, len(mapping), done, tuple(retired))


def _pages(report: _Reporter, what: str) -> Callable[[int, int], None]:
    """A backup API progress callback that advances ``report`` by the pages copied."""
    copied = [0]

    def pages_done(done: int, _total: int) -> None:
        report(what, (done - copied[0]) * PAGE_SIZE)
        copied[0] = done

    return pages_done


def _reencrypt_one(
    path: Path,
    old_identity: x25519.Identity,
    new_identity: x25519.Identity,
    new_key: bytes,
    staged_dir: Path,
    sha256: str | None,
) -> str:
    """One content, encrypted again into ``staged_dir`` under its new name."""
    tmp = staged_dir / f".{os.getpid()}-{os.urandom(8).hex()}"
    try:
        with AttachmentStore.open_regular(path, path.name) as source, open_private(tmp) as out:
            name, digest, _size = reencrypt(
                source, old_identity, new_identity.to_public(), name_key(new_key), out
            )
            out.flush()
            os.fsync(out.fileno())
        if sha256 is not None and digest != sha256:
            raise AttachmentError("its content does not match its hash")
        os.replace(tmp, staged_dir / name)
    finally:
        tmp.unlink(missing_ok=True)
    return name


def _adopt(db: Path, key: bytes, identity: x25519.Identity, mapping: dict[str, str]) -> None:
    """In a staged copy: the new attachment identity, and the contents' new names."""
    conn = backup._connect(db, key)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")  # a blob and its links are renamed in turn
        conn.execute("BEGIN")
        conn.execute("UPDATE vault_meta SET value = ? WHERE key = ?", (str(identity), IDENTITY_KEY))
        for old, new in mapping.items():
            conn.execute("UPDATE blobs SET name = ? WHERE name = ?", (new, old))
            conn.execute("UPDATE attachments SET blob_name = ? WHERE blob_name = ?", (new, old))
        conn.execute("COMMIT")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    with db.open("rb+") as handle:
        os.fsync(handle.fileno())


def finish(paths: VaultPaths, header: keys.Header, new_key: bytes) -> None:
    """Switch to what was staged (after the point of no return); every step can be repeated.

    The database first (its old -wal goes: the staged copy holds everything it held), then the
    backups, the attachments, and last the header, whose state becomes ``unseen``.
    """
    db = paths.db
    staged_db = db.with_name(db.name + STAGED)
    with reporting("finishing the change of the vault's key"):
        if staged_db.exists():
            for suffix in ("-wal", "-shm"):
                db.with_name(db.name + suffix).unlink(missing_ok=True)
            os.replace(staged_db, db)
            fsync_dir(db.parent)
        if paths.backups.is_dir():
            for staged in paths.backups.glob(f"vault-*.db{STAGED}"):
                os.replace(staged, staged.with_name(staged.name[: -len(STAGED)]))
            for info in backup.list_backups(paths.folder):
                if not backup._opens_with(info.path, new_key):  # retired: under the old key
                    info.path.unlink(missing_ok=True)
                    info.header_copy.unlink(missing_ok=True)
            fsync_dir(paths.backups)
        staged_dir = paths.attachments / STAGED_ATTACHMENTS
        if staged_dir.is_dir():
            create_private_file(paths.attachments / ".pending")  # the open's sweep: old files
            for path in sorted(staged_dir.iterdir()):
                if path.name.startswith("."):
                    path.unlink()
                    continue
                final = paths.attachments / path.name[:2] / path.name
                make_private_dir(final.parent)
                os.replace(path, final)
            for folder in {p.parent for p in paths.attachments.glob("??/*")}:
                fsync_dir(folder)
            staged_dir.rmdir()
        if header.rotation_state == "switching":
            recovery_key = header.unseal_recovery_key(new_key)
            assert recovery_key is not None  # sealed by rotate() under this very key
            header.seal_recovery_key(new_key, recovery_key, "unseen")
            header.save(paths.header)
        backup.sync_header_copies(paths, new_key)


def sweep_staged(paths: VaultPaths) -> None:
    """Remove what a rotation staged before its point of no return (cancelled, failed, killed)."""
    db = paths.db
    for suffix in ("", "-journal", "-wal", "-shm"):
        db.with_name(db.name + STAGED + suffix).unlink(missing_ok=True)
    if paths.backups.is_dir():
        for path in paths.backups.glob(f"*{STAGED}*"):
            path.unlink(missing_ok=True)
    shutil.rmtree(paths.attachments / STAGED_ATTACHMENTS, ignore_errors=True)


def update_remembered(vault_id: str, key: bytes) -> None:
    """After a rotation finished by an open: a key remembered on this device is the old one."""
    if keystore.recall(vault_id) not in (None, key):
        _remember(vault_id, key)


def _remember(vault_id: str, key: bytes) -> None:
    try:
        keystore.store(vault_id, key)
    except VaultError:
        keystore.forget(vault_id)  # the old key must not stay remembered either

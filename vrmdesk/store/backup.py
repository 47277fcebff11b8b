"""Backups made with SQLite's online backup API, never by copying a live file.

A backup is ``backups/vault-<UTC time>[-<reason>].db`` (SQLCipher, same data key, so it opens
with the vault's current passphrase) and beside it ``….json``, a copy of the key header as it
was. The newest ``KEEP`` backups are kept. Restoring takes a backup of the current database
first (or, if it is too damaged to read, moves it aside), then puts the chosen backup in place;
it works from the folder and the passphrase alone, since it is needed when the vault won't open.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3

from vrmdesk.errors import BackupError, StorageError, VaultDamaged, VaultLocked
from vrmdesk.fileutil import (
    atomic_write_bytes,
    create_private_file,
    disk_full,
    fsync_dir,
    is_disk_full_at,
    make_private_dir,
    reporting,
    storage_error,
)
from vrmdesk.store import keys
from vrmdesk.store.engine import driver_connection, is_damage, readonly_uri
from vrmdesk.store.paths import OpenVault, VaultPaths, acquire_lock, rotation_pending

KEEP = 10
_NAME = re.compile(r"^vault-(\d{8}T\d{6}\d{6}Z)(?:-([a-z0-9.-]+))?\.db$")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken: datetime
    reason: str
    size: int

    @property
    def header_copy(self) -> Path:
        return self.path.with_suffix(".json")


def _connect(path: Path, key: bytes, *, readonly: bool = False) -> sqlcipher3.Connection:
    if readonly:
        conn = sqlcipher3.connect(readonly_uri(path), uri=True, isolation_level=None)
    else:
        conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("PRAGMA cipher_log_level = NONE")
    return conn


def list_backups(vault_or_folder: OpenVault | Path) -> list[BackupInfo]:
    """Backups of a vault, newest first."""
    folder = (
        vault_or_folder.paths.backups
        if not isinstance(vault_or_folder, Path)
        else vault_or_folder / "backups"
    )
    found = []
    for path in folder.glob("vault-*.db"):
        match = _NAME.match(path.name)
        if not match:
            continue
        taken = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        found.append(BackupInfo(path, taken, match.group(2) or "", path.stat().st_size))
    return sorted(found, key=lambda info: info.taken, reverse=True)


def make_backup(vault: OpenVault, reason: str = "") -> BackupInfo:
    """Snapshot the live database into ``backups/`` and rotate."""
    raw = vault.engine.raw_connection()
    try:
        return _snapshot(driver_connection(raw), vault.paths, vault.data_key, reason)
    except sqlcipher3.DatabaseError as exc:
        if is_disk_full_at(exc, vault.paths.folder):
            raise disk_full(f"the backup in {vault.paths.backups}") from None
        raise vault.damaged(exc) from None
    finally:
        raw.close()


def copy_database(
    source: sqlcipher3.Connection,
    dest: Path,
    key: bytes,
    *,
    journal_mode: str,
    what: str,
    pages_done: Callable[[int, int], None] | None = None,
) -> None:
    """Copy an open database with SQLite's backup API into a new private file ``dest``, under
    ``key`` (which may differ from the source's), and fsync it.

    ``pages_done(done, total)`` is called as pages go; whatever it raises stops the copy. On any
    failure ``dest`` and its journal are removed; a full disk is :class:`DiskFull` ("… could not
    finish ``what``").
    """
    try:
        create_private_file(dest)  # its -journal takes its mode
        conn = _connect(dest, key)
        try:
            if pages_done is None:
                source.backup(conn)
            else:
                source.backup(
                    conn,
                    pages=256,
                    progress=lambda _status, left, total: pages_done(total - left, total),
                )
            conn.execute(f"PRAGMA journal_mode = {journal_mode}")
        finally:
            conn.close()
        with dest.open("rb+") as handle:
            os.fsync(handle.fileno())
    except BaseException as exc:
        full = is_disk_full_at(exc, dest.parent)  # before the clean-up makes room again
        for leftover in (dest, _journal_of(dest), dest.with_name(dest.name + "-wal")):
            leftover.unlink(missing_ok=True)
        if full:
            raise disk_full(what) from None
        if isinstance(exc, OSError):
            raise storage_error(exc, what) from None
        raise


def _snapshot(
    source: sqlcipher3.Connection,
    paths: VaultPaths,
    key: bytes,
    reason: str,
    keep: Path | None = None,
) -> BackupInfo:
    folder = paths.backups
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    suffix = f"-{re.sub(r'[^a-z0-9.-]+', '-', reason.lower()).strip('-')}" if reason else ""
    target = folder / f"vault-{stamp}{suffix}.db"
    partial = target.with_name(target.name + ".partial")
    what = f"the backup in {folder}"
    try:
        with reporting(what):
            make_private_dir(folder)
        copy_database(source, partial, key, journal_mode="DELETE", what=what)
        with reporting(what):
            atomic_write_bytes(target.with_suffix(".json"), paths.header.read_bytes())
            os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        target.with_suffix(".json").unlink(missing_ok=True)
        raise
    fsync_dir(folder)
    for old in list_backups(paths.folder)[KEEP:]:
        if old.path == keep:
            continue  # the backup being restored: rotating it away would restore nothing
        old.path.unlink(missing_ok=True)
        old.header_copy.unlink(missing_ok=True)
    return next(info for info in list_backups(paths.folder) if info.path == target)


def _journal_of(db: Path) -> Path:
    return db.with_name(db.name + "-journal")


def sweep_leftovers(paths: VaultPaths) -> None:
    """Remove what a backup killed midway left in ``backups/`` (the caller holds the lock):
    ``*.partial`` copies and their journals, temporary files of header copies, and header
    copies whose backup never got its final name."""
    folder = paths.backups
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        name = path.name
        half_made = name.endswith((".partial", ".partial-journal"))
        temporary = name.startswith(".") and name.endswith(".tmp")
        orphan_copy = _NAME.match(path.with_suffix(".db").name) is not None and (
            name.endswith(".json") and not path.with_suffix(".db").exists()
        )
        if half_made or temporary or orphan_copy:
            path.unlink(missing_ok=True)


def sync_header_copies(paths: VaultPaths, key: bytes) -> None:
    """Make every backup's header copy the current vault.json (the caller holds the lock).

    After a passphrase change a copy would still open the data key with the old passphrase;
    ``vrmdesk passwd`` rewrites them right after vault.json, and every writable open repeats
    this, so a kill in between is made good. A copy is rewritten only where it holds this very
    data key (the same vault id and recovery wrap, or a backup that opens with the key); a file
    of some other vault is left alone.
    """
    current = paths.header.read_bytes()
    header = keys.Header.load(paths.header, str(paths.backups))
    for info in list_backups(paths.folder):
        copy = info.header_copy
        try:
            if copy.read_bytes() == current:
                continue
        except FileNotFoundError:
            pass
        if _same_key(copy, header) or _opens_with(info.path, key):
            atomic_write_bytes(copy, current)


def _same_key(copy: Path, header: keys.Header) -> bool:
    try:
        other = keys.Header.load(copy, "")
    except VaultDamaged:
        return False
    return other.vault_id == header.vault_id and other.wrapped_recovery == header.wrapped_recovery


def check_backup(path: Path, key: bytes) -> None:
    """Refuse a backup that does not open with this key or fails SQLite's integrity check."""
    if not path.is_file():
        raise BackupError(f"There is no backup file {path}.")
    try:
        conn = _connect(path, key)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            conn.close()
    except sqlcipher3.DatabaseError as exc:
        raise BackupError(
            f"{path.name} is not a backup of this vault, or it is damaged ({exc})."
        ) from None
    if not result or result[0] != "ok":
        raise BackupError(f"{path.name} is damaged ({result[0] if result else 'no answer'}).")
    if not tables:  # an empty file "opens" with any key, as a new empty database
        raise BackupError(f"{path.name} is not a backup of this vault (it holds no data).")


def _opens_with(db: Path, key: bytes) -> bool:
    try:
        conn = _connect(db, key)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlcipher3.DatabaseError:
        return False
    return True


def restore(
    folder: Path,
    backup_path: Path,
    *,
    passphrase: str | None = None,
    data_key: bytes | None = None,
) -> BackupInfo | None:
    """Put a backup in place of the vault's database. The vault must not be open anywhere.

    Works when the live database (or its key header) is damaged: that is when it is needed.
    Returns the backup taken of the database as it was, or None when that was too damaged to
    copy, in which case it was moved aside as ``vault.db.damaged-<time>``.
    """
    paths = VaultPaths(folder)
    backup_path = Path(backup_path).expanduser().resolve()
    if not backup_path.is_file():
        raise BackupError(f"There is no backup file {backup_path}.")
    lock = acquire_lock(paths)
    try:
        header_damaged = False
        try:
            header = keys.Header.load(paths.header, str(paths.backups))
        except VaultDamaged:
            # The key header is damaged too: the copy saved with the backup unlocks it.
            header = keys.Header.load(backup_path.with_suffix(".json"), str(paths.backups))
            header_damaged = True
        if data_key is None:
            data_key = header.unlock_with_passphrase(passphrase or "")
        if header.rotation_state == "switching":
            raise VaultLocked(rotation_pending(paths))
        check_backup(backup_path, data_key)
        if header_damaged and paths.db.exists() and not _opens_with(paths.db, data_key):
            # The header came with the backup; if its key does not open this vault's database,
            # the backup is another vault's (or both files are damaged): touch nothing.
            raise BackupError(
                f"{backup_path.name} is not a backup of this vault: its key does not open "
                f"{paths.db.name}."
            )
        if header_damaged:  # only now: a refused restore leaves the vault as it was
            header.save(paths.header)
        safety = _safety_copy(paths, data_key, keep=backup_path)
        db = paths.db
        partial = db.with_name(db.name + ".restoring")
        source = _connect(backup_path, data_key)
        try:
            copy_database(
                source, partial, data_key, journal_mode="WAL", what=f"restoring {backup_path.name}"
            )
        finally:
            source.close()
        for suffix in ("-wal", "-shm"):  # emptied by the safety copy's checkpoint
            db.with_name(db.name + suffix).unlink(missing_ok=True)
        os.replace(partial, db)
        fsync_dir(db.parent)
        make_private_dir(paths.attachments)
        create_private_file(paths.attachments / ".pending")  # the next open sweeps what is unused
    finally:
        lock.release()
    return safety


def _safety_copy(paths: VaultPaths, key: bytes, keep: Path | None = None) -> BackupInfo | None:
    """Back up the current database before it is replaced, or move it aside if unreadable."""
    db = paths.db
    if not db.exists():
        return None
    try:
        conn = _connect(db, key)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return _snapshot(conn, paths, key, "before-restore", keep)
        finally:
            conn.close()
    except sqlcipher3.DatabaseError as exc:
        if is_disk_full_at(exc, paths.folder):
            raise disk_full("the copy of the vault as it is, taken before a restore") from None
        if not is_damage(exc):  # unreadable for another reason: it is not damaged, keep it
            raise StorageError(f"Could not read {db}: {exc}.") from None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        os.replace(db, db.with_name(f"{db.name}.damaged-{stamp}"))
        return None


def blob_names_in_backups(vault: OpenVault) -> set[str]:
    """Attachment contents that some backup still refers to (kept by the attachment sweep)."""
    return blob_names_in_backups_of(vault.paths.folder, vault.data_key)


def blob_names_in_backups_of(folder: Path, key: bytes) -> set[str]:
    names: set[str] = set()
    for info in list_backups(folder):
        try:
            conn = _connect(info.path, key)
            try:
                names.update(row[0] for row in conn.execute("SELECT name FROM blobs"))
            finally:
                conn.close()
        except sqlcipher3.DatabaseError:
            continue  # an unreadable backup keeps nothing alive
    return names

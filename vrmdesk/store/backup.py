"""Backups made with SQLite's online backup API, never by copying a live file.

A backup is ``backups/vault-<UTC time>[-<reason>].db`` (SQLCipher, same data key, so it opens
with the vault's current passphrase) and beside it ``….json``, a copy of the key header as it
was. The newest ``KEEP`` backups are kept. Restoring takes a backup of the current database
first (or, if it is too damaged to read, moves it aside), then puts the chosen backup in place;
it works from the folder and the passphrase alone, since it is needed when the vault won't open.

Backups may also go to a folder of the person's choosing (another disk): into a sub-folder of it
named after the vault (:func:`folder_for`), so several vaults can share one. The vault notes
every such folder inside its database, so that the attachments those backups need are kept, and
their header copies follow a new passphrase or recovery key like the ones beside the vault.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlcipher3
from vrmshare.fileutil import (
    atomic_write_bytes,
    create_private_file,
    disk_full,
    fsync_dir,
    is_disk_full_at,
    make_private_dir,
    reporting,
    storage_error,
)

from vrmdesk.errors import BackupError, StorageError, VaultDamaged, VaultLocked
from vrmdesk.store import changelog, keys
from vrmdesk.store.engine import driver_connection, is_damage, readonly_uri
from vrmdesk.store.paths import OpenVault, VaultPaths, acquire_lock, rotation_pending

KEEP = 10
#: how often an automatic backup is due, by the schedule's name (None: never)
SCHEDULES: dict[str, timedelta | None] = {
    "off": None,
    "daily": timedelta(days=1),
    "weekly": timedelta(days=7),
}
OTHER_FOLDERS_KEY = "backup_folders"  # vault_meta: JSON list of the other folders backed up to
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
    return list_backups_in(folder)


def list_backups_in(folder: Path) -> list[BackupInfo]:
    """The backups kept directly in ``folder``, newest first (none if it is not there)."""
    found = []
    for path in folder.glob("vault-*.db"):
        match = _NAME.match(path.name)
        if not match:
            continue
        taken = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        found.append(BackupInfo(path, taken, match.group(2) or "", path.stat().st_size))
    return sorted(found, key=lambda info: info.taken, reverse=True)


def make_backup(
    vault: OpenVault, reason: str = "", *, into: Path | None = None, keep: int = KEEP
) -> BackupInfo:
    """Snapshot the live database into ``backups/`` (or into this vault's sub-folder of the
    folder ``into``) and keep the newest ``keep`` there."""
    folder = vault.paths.backups
    if into is not None:
        problem = folder_problem(into)
        if problem:
            raise BackupError(problem)
        folder = folder_for(into, vault.paths)
        _note_other_folder(vault, folder)
    raw = vault.engine.raw_connection()
    try:
        return _snapshot(
            driver_connection(raw), vault.paths, vault.data_key, reason, folder=folder, count=keep
        )
    except sqlcipher3.DatabaseError as exc:
        if is_disk_full_at(exc, folder):
            raise disk_full(f"the backup in {folder}") from None
        raise vault.damaged(exc) from None
    finally:
        raw.close()


# -- backups in another folder, and on a schedule -----------------------------------------------
def folder_for(chosen: Path, paths: VaultPaths) -> Path:
    """This vault's sub-folder of a chosen backup folder: its folder's name and the start of its
    id (two vaults both called "default" do not mix, and neither rotates the other's away)."""
    header = keys.Header.load(paths.header, str(paths.backups))
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", paths.folder.name).strip("-.") or "vault"
    return Path(chosen) / f"vrmdesk-{name}-{header.vault_id[:8]}"


def backups_to_restore(folder: Path, chosen: Path | None) -> list[BackupInfo]:
    """The backups of the vault in ``folder``, newest first: beside it, and in its sub-folder of
    the folder ``chosen`` for backups (when there is one, and the key header names the vault)."""
    found = list_backups(folder)
    if chosen is not None:
        paths = VaultPaths(folder)
        with suppress(VaultDamaged):  # a damaged key header: only the ones beside the vault
            found.extend(list_backups_in(folder_for(chosen, paths)))
    return sorted(found, key=lambda info: info.taken, reverse=True)


def folder_problem(folder: Path) -> str:
    """Why backups cannot go into ``folder`` ("" when they can): it must be an existing folder
    this user can write to."""
    folder = Path(folder).expanduser()
    if not str(folder).strip() or not folder.is_absolute():
        return f"Choose the backup folder as a whole path (not {str(folder)!r})."
    if not folder.exists():
        return f"The folder {folder} does not exist. Make it first, or choose another."
    if not folder.is_dir():
        return f"{folder} is a file, not a folder."
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return f"The folder {folder} cannot be written to ({exc.strerror or exc})."
    return ""


def other_folders(vault: OpenVault) -> list[Path]:
    """The folders outside the vault that it has made backups in (noted in its database)."""
    from vrmdesk.store.models import Meta  # the ORM only where a session is used

    with vault.session() as session:
        meta = session.get(Meta, OTHER_FOLDERS_KEY)
        raw = meta.value if meta is not None else "[]"
    try:
        names = json.loads(raw)
    except ValueError:
        return []
    return [Path(n) for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _note_other_folder(vault: OpenVault, folder: Path) -> None:
    from vrmdesk.store.models import Meta

    known = other_folders(vault)
    if folder in known:
        return
    value = json.dumps([str(p) for p in [*known, folder]])
    with vault.session() as session:
        meta = session.get(Meta, OTHER_FOLDERS_KEY)
        if meta is None:
            session.add(Meta(key=OTHER_FOLDERS_KEY, value=value))
        else:
            meta.value = value


def backup_due(newest: datetime | None, schedule: str, now: datetime) -> bool:
    """Whether an automatic backup is due: never for "off", else once the newest backup is
    older than the schedule's interval (or there is none)."""
    interval = SCHEDULES.get(schedule)
    if interval is None:
        return False
    return newest is None or now - newest >= interval


def newest_in(folder: Path) -> datetime | None:
    found = list_backups_in(folder)
    return found[0].taken if found else None


def retire_other_backups(vault: OpenVault) -> list[Path]:
    """After a change of key: remove the backups in other folders that the vault's key no longer
    opens (they, and their header copies, would open only with the old key); only those whose
    header copy names this vault. Returns them."""
    vault_id = keys.Header.load(vault.paths.header, str(vault.paths.backups)).vault_id
    gone = []
    for folder in other_folders(vault):
        for info in list_backups_in(folder):
            if _vault_of(info.header_copy) == vault_id and not _opens_with(
                info.path, vault.data_key
            ):
                info.path.unlink(missing_ok=True)
                info.header_copy.unlink(missing_ok=True)
                gone.append(info.path)
    return gone


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
    *,
    folder: Path | None = None,
    count: int = KEEP,
) -> BackupInfo:
    folder = folder or paths.backups
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
    for old in list_backups_in(folder)[max(1, count) :]:
        if old.path == keep:
            continue  # the backup being restored: rotating it away would restore nothing
        old.path.unlink(missing_ok=True)
        old.header_copy.unlink(missing_ok=True)
    return next(info for info in list_backups_in(folder) if info.path == target)


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


def sync_header_copies(paths: VaultPaths, key: bytes, others: Iterable[Path] = ()) -> None:
    """Make every backup's header copy the current vault.json (the caller holds the lock).

    After a passphrase change a copy would still open the data key with the old passphrase;
    ``vrmdesk passwd`` rewrites them right after vault.json, and every writable open repeats
    this, so a kill in between is made good. A copy is rewritten only where it holds this very
    data key (the same vault id and recovery wrap, or a backup that opens with the key); a file
    of some other vault is left alone. ``others`` are this vault's folders elsewhere
    (:func:`other_folders`); one not there now (a disk not plugged in) is passed over.
    """
    current = paths.header.read_bytes()
    header = keys.Header.load(paths.header, str(paths.backups))
    found = list_backups(paths.folder)
    for folder in others:
        found.extend(list_backups_in(folder))
    for info in found:
        copy = info.header_copy
        try:
            if copy.read_bytes() == current:
                continue
        except FileNotFoundError:
            pass
        if _same_key(copy, header) or _opens_with(info.path, key):
            atomic_write_bytes(copy, current)


def _vault_of(copy: Path) -> str | None:
    """The vault id a header copy names (None: no copy, or not readable)."""
    try:
        return keys.Header.load(copy, "").vault_id
    except VaultDamaged:
        return None


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
        _mark_restored(partial, data_key)
        for suffix in ("-wal", "-shm"):  # emptied by the safety copy's checkpoint
            db.with_name(db.name + suffix).unlink(missing_ok=True)
        os.replace(partial, db)
        fsync_dir(db.parent)
        make_private_dir(paths.attachments)
        create_private_file(paths.attachments / ".pending")  # the next open sweeps what is unused
    finally:
        lock.release()
    return safety


def _mark_restored(db: Path, key: bytes) -> None:
    """Note in the restored database the change number it was at: this device's change numbers
    after it were given already (and may be in the sync folder), so the next sync moves the
    new ones past those (vrmdesk.sync.engine) instead of giving them again."""
    conn = _connect(db, key)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "vault_meta" in tables:
            conn.execute(
                "INSERT OR REPLACE INTO vault_meta (key, value) VALUES (?, "
                "COALESCE((SELECT value FROM vault_meta WHERE key = ?), '0'))",
                (changelog.RESTORED_KEY, changelog.SEQ_KEY),
            )
            conn.commit()
    finally:
        conn.close()


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
    """Attachment contents that some backup still refers to (kept by the attachment sweep),
    in other folders too."""
    return blob_names_in_backups_of(vault.paths.folder, vault.data_key, other_folders(vault))


def blob_names_in_backups_of(folder: Path, key: bytes, others: Iterable[Path] = ()) -> set[str]:
    names: set[str] = set()
    found = list_backups(folder)
    for other in others:
        found.extend(list_backups_in(other))
    for info in found:
        try:
            conn = _connect(info.path, key)
            try:
                names.update(row[0] for row in conn.execute("SELECT name FROM blobs"))
            finally:
                conn.close()
        except sqlcipher3.DatabaseError:
            continue  # an unreadable backup keeps nothing alive
    return names

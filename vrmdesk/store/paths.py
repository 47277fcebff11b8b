"""The vault folder and what is in it, before anything is unlocked.

    vault.json     key header (see keys.py)
    vault.db       SQLCipher 4 database, opened with the raw data key
    vault.lock     held (flock) by the one process that may write
    attachments/   age-encrypted contents named by a keyed hash
    backups/       encrypted snapshots, each with a copy of the key header

:class:`VaultPaths` names them, :func:`acquire_lock` takes the write lock, and the checks here
(is there a header, a database, a rotation to finish) run before a key is derived. The parts of
an open vault that live in other modules (backups, attachments) see it through the
:class:`OpenVault` protocol, so none of them imports :mod:`vrmdesk.store.vault`.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import platformdirs
from filelock import FileLock, Timeout
from vrmshare.fileutil import PRIVATE_FILE

from vrmdesk.errors import VaultDamaged, VaultInUse, VaultNotFound
from vrmdesk.store import keys, keystore

if TYPE_CHECKING:  # the unlock dialog finds a vault without the database library
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

HEADER_NAME = "vault.json"
DB_NAME = "vault.db"
LOCK_NAME = "vault.lock"
BACKUPS_NAME = "backups"


def default_vault_dir() -> Path:
    """The platform's user data folder for vrmdesk, sub-folder ``vaults/default``."""
    return Path(platformdirs.user_data_dir("vrmdesk", appauthor=False)) / "vaults" / "default"


def vault_exists(folder: Path) -> bool:
    return (Path(folder) / HEADER_NAME).is_file()


class VaultPaths:
    """Where each part of the vault in ``folder`` lives."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder).expanduser().resolve()
        self.header = self.folder / HEADER_NAME
        self.db = self.folder / DB_NAME
        self.lock = self.folder / LOCK_NAME
        self.backups = self.folder / BACKUPS_NAME
        self.attachments = self.folder / "attachments"


class OpenVault(Protocol):
    """What backups and the attachment store need of an unlocked vault."""

    paths: VaultPaths

    @property
    def data_key(self) -> bytes: ...

    @property
    def engine(self) -> Engine: ...

    @property
    def writable(self) -> bool: ...

    def session(self) -> AbstractContextManager[Session]: ...

    def damaged(self, exc: BaseException) -> VaultDamaged: ...


def acquire_lock(paths: VaultPaths) -> FileLock:
    """The write lock of the vault (refused at once, with a reason, when another has it)."""
    lock = FileLock(
        paths.lock, timeout=0, mode=PRIVATE_FILE, is_singleton=False, thread_local=False
    )
    try:
        lock.acquire()
    except Timeout:
        raise VaultInUse(
            f"The vault in {paths.folder} is open in another vrmdesk window or command. "
            "Close it there first."
        ) from None
    return lock


def _header_copy_ids(paths: VaultPaths) -> set[str]:
    """The vault ids in the header copies kept beside the backups (unreadable ones skipped)."""
    ids = set()
    for copy in paths.backups.glob("vault-*.json"):
        try:
            body = json.loads(copy.read_bytes())
        except (OSError, ValueError):
            continue
        if isinstance(body, dict) and isinstance(body.get("vault_id"), str):
            ids.add(body["vault_id"])
    return ids


def header_mismatch(paths: VaultPaths, header: keys.Header) -> VaultDamaged:
    """vault.json unlocks, but its key opens no page of vault.db: they are of two vaults."""
    copies = _header_copy_ids(paths)
    if copies and header.vault_id in copies:
        return VaultDamaged(
            f"The database {paths.db} belongs to another vault: it is not damaged, but the key "
            f"in {paths.header.name} (vault {header.vault_id}, as in this folder's backups) does "
            f"not open it. Put this vault's own {paths.db.name} back, or restore a backup from "
            f"{paths.backups} with `vrmdesk restore`."
        )
    where = (
        f"copies of this vault's own key header are kept beside each backup in {paths.backups} "
        f"(vault {', '.join(sorted(copies))})"
        if copies
        else f"copies of the key header are kept beside each backup in {paths.backups}, if any"
    )
    return VaultDamaged(
        f"The key header {paths.header} belongs to another vault (vault {header.vault_id}): the "
        f"key it holds opens no page of {paths.db.name}, which is a whole database under another "
        f"key. Put this vault's own {paths.header.name} back; {where}."
    )


def no_vault_data(paths: VaultPaths) -> VaultDamaged:
    return VaultDamaged(
        f"The database {paths.db} is damaged (it holds no vault data). Restore a "
        f"backup from {paths.backups} with `vrmdesk restore`."
    )


def require_header(paths: VaultPaths) -> None:
    if paths.header.exists():
        return
    if not paths.folder.exists():
        raise VaultNotFound(f"There is no vault in {paths.folder}.")
    if paths.db.exists():
        raise VaultDamaged(
            f"The key header {paths.header} is missing. Copies of it are kept beside "
            f"each backup in {paths.backups}."
        )
    raise VaultNotFound(f"There is no vault in {paths.folder} (run `vrmdesk init` to make one).")


def read_header(folder: Path) -> keys.Header:
    """The key header of the vault in ``folder`` (for work on a vault that will not open)."""
    paths = VaultPaths(folder)
    require_header(paths)
    return keys.Header.load(paths.header, str(paths.backups))


def remembered_key(folder: Path) -> bytes | None:
    """The data key this device remembers for the vault in ``folder``, if any (see
    :func:`recall_key`)."""
    if not VaultPaths(folder).header.exists():
        return None
    return recall_key(read_header(folder))


def recall_key(header: keys.Header) -> bytes | None:
    """The data key remembered on this device (OS keyring) for this vault, if any.

    A remembered key the header does not recognise (the old one, from before a key rotation)
    is forgotten: it opens nothing any more.
    """
    data_key = keystore.recall(header.vault_id)
    if data_key is not None and not header.fits(data_key):
        keystore.forget(header.vault_id)
        return None
    return data_key


def rotation_pending(paths: VaultPaths) -> str:
    return (
        f"The change of key of the vault in {paths.folder} was interrupted and must be finished "
        "first: open it for writing once with the new passphrase (for example with `vrmdesk "
        "passwd --rotate-key`, or in the desktop application)."
    )


def require_database(paths: VaultPaths) -> None:
    """Refuse before SQLite opens the file: it would write a new database into an empty one."""
    try:
        size = paths.db.stat().st_size
    except FileNotFoundError:
        raise VaultDamaged(
            f"The database {paths.db} is missing. Restore a backup from "
            f"{paths.backups} with `vrmdesk restore`."
        ) from None
    if size == 0:
        raise no_vault_data(paths)

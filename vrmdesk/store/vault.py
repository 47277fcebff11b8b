"""A vault, unlocked: the key header, the SQLCipher database, attachments and backups of one
folder (:mod:`vrmdesk.store.paths` names its files), created, opened, rekeyed and closed here.

Typical use::

    vault, recovery_key = Vault.create(folder, passphrase)
    with vault.session() as s:
        services.vendors.create(s, name="Bosch")
    vault.close()
"""

from __future__ import annotations

import copy
import logging
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from vrmshare.fileutil import (
    create_private_file,
    disk_full,
    is_disk_full_at,
    make_private,
    make_private_dir,
    reporting,
    storage_error,
)

from vrmdesk.errors import (
    VaultBusy,
    VaultDamaged,
    VaultError,
    VaultExists,
    VaultLocked,
    VrmError,
)
from vrmdesk.store import backup, keys, keystore, migrate, rotation
from vrmdesk.store import changelog as changelog  # its session events log every change
from vrmdesk.store.attachments import AttachmentStore
from vrmdesk.store.engine import is_damage, key_fits, make_engine
from vrmdesk.store.models import Meta
from vrmdesk.store.paths import (
    HEADER_NAME,
    VaultPaths,
    acquire_lock,
    header_mismatch,
    no_vault_data,
    remembered_key,
    require_database,
    require_header,
    rotation_pending,
)

log = logging.getLogger(__name__)
IDENTITY_META_KEY = "identity_ed25519"  # the same row vrmdesk.share.identity reads
VAULT_ID_META_KEY = "vault_id"  # binds the database to its key header (vault.json's vault_id)


def new_signing_key() -> str:
    """A new Ed25519 private key, base64 of its 32 raw bytes (stored inside the encrypted db)."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode("ascii")


def _refuse_a_file_in_the_way(folder: Path) -> None:
    """A vault is a folder: refuse (before making anything) where a file stands on its path."""
    for place in (folder, *folder.parents):
        if place.exists() or place.is_symlink():
            if not place.is_dir():
                raise VaultError(
                    f"{place} is a file, not a folder: choose a folder for the vault "
                    "(it is made if it does not exist)."
                )
            return


def _outermost_missing(folder: Path) -> Path | None:
    """The outermost of ``folder`` and its parents that does not exist yet (None: it exists)."""
    missing = None
    for place in (folder, *folder.parents):
        if place.exists():
            break
        missing = place
    return missing


def _remove_half_made(paths: VaultPaths, made: Path | None) -> None:
    """Undo a failed create: the files it writes, and the folders it made if they are empty."""
    db = paths.db
    for path in (
        paths.header,
        db,
        *(db.with_name(db.name + s) for s in ("-wal", "-shm", "-journal")),
        paths.lock,
        *paths.folder.glob(f".{HEADER_NAME}.*.tmp"),
    ):
        path.unlink(missing_ok=True)
    shutil.rmtree(paths.attachments, ignore_errors=True)
    if made is None:
        return
    for place in (paths.folder, *paths.folder.parents):
        try:
            place.rmdir()  # only if empty: nothing of anybody else's goes
        except OSError:
            return
        if place == made:
            return


def discard_new(folder: Path, made: Path | None) -> None:
    """Remove a vault this process created a moment ago and has closed (a whole import that
    failed): its files, and the folders from ``made`` (:func:`outermost_missing` before the
    create) down if they are empty. Nothing else in the folder goes."""
    _remove_half_made(VaultPaths(folder), made)


def outermost_missing(folder: Path) -> Path | None:
    """The outermost of ``folder`` and its parents that does not exist yet (None: it exists)."""
    return _outermost_missing(Path(folder))


class Vault:
    """An unlocked vault. ``close()`` (or ``lock()``) ends it; it cannot be used afterwards."""

    def __init__(
        self,
        paths: VaultPaths,
        header: keys.Header,
        data_key: bytes,
        lock: FileLock | None,
        engine: Engine,
    ) -> None:
        self.paths = paths
        self.header = header
        self._data_key: bytes | None = data_key
        self._lock = lock
        self._engine: Engine | None = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.attachments = AttachmentStore(self)
        #: held by this process's units of work that may run at the same time and write (the
        #: window's, a sync's, a background attach): SQLite refuses a unit of work's write
        #: ("database is locked") when another committed after it began reading, so writers
        #: of one process take turns (another process cannot open the vault meanwhile)
        self.unit_lock = threading.RLock()

    # -- creating and opening --------------------------------------------------------------
    @classmethod
    def create(
        cls, folder: Path, passphrase: str, *, kdf: keys.KdfParams | None = None
    ) -> tuple[Vault, str]:
        """Make a new vault; returns it open, with the recovery key to show the user once."""
        if not passphrase:
            from vrmdesk.errors import ValidationError

            raise ValidationError("A passphrase is required.", field="passphrase")
        paths = VaultPaths(folder)
        _refuse_a_file_in_the_way(paths.folder)
        if paths.header.exists() or paths.db.exists():
            raise VaultExists(f"There is a vault in {paths.folder} already.")
        made = _outermost_missing(paths.folder)
        try:
            with reporting(f"making the vault folder {paths.folder}"):
                make_private_dir(paths.folder, parents=True)  # the vault is this user's alone
        except BaseException:
            _remove_half_made(paths, made)
            raise
        lock = acquire_lock(paths)  # refused: another process is creating it, leave all be
        engine: Engine | None = None
        try:
            data_key = keys.new_data_key()
            recovery_key = keys.new_recovery_key()
            header = keys.Header.create(passphrase, data_key, recovery_key, kdf or keys.calibrate())
            create_private_file(paths.db, exclusive=True)  # its -wal and -shm take its mode
            engine = make_engine(paths.db, data_key)
            migrate.create_schema(engine)
            vault = cls(paths, header, data_key, lock, engine)
            with vault.session() as session:
                # the share identity (Ed25519) is made with the vault; vrmdesk.share reads it
                session.add(Meta(key=IDENTITY_META_KEY, value=new_signing_key()))
                session.add(Meta(key=VAULT_ID_META_KEY, value=header.vault_id))
            vault.attachments.load()
            header.save(paths.header)  # last: a folder with a vault.json holds a whole vault
        except BaseException as exc:
            full = is_disk_full_at(exc, paths.folder)  # before the clean-up makes room again
            if engine is not None:
                engine.dispose()
            lock.release()
            _remove_half_made(paths, made)
            what = f"creating the vault in {paths.folder}"
            if full:
                raise disk_full(what) from None
            if isinstance(exc, OSError):
                raise storage_error(exc, what) from None
            raise
        return vault, recovery_key

    @classmethod
    def open(
        cls,
        folder: Path,
        passphrase: str | None = None,
        *,
        recovery_key: str | None = None,
        data_key: bytes | None = None,
        readonly: bool = False,
    ) -> Vault:
        """Unlock with a passphrase, a recovery key, or a data key from the keyring.

        ``readonly`` takes no write lock (several readers may share a vault); it refuses a vault
        whose schema needs an upgrade.
        """
        paths = VaultPaths(folder)
        require_header(paths)
        lock = None if readonly else acquire_lock(paths)
        try:
            header = keys.Header.load(paths.header, str(paths.backups))
            if data_key is None:
                if recovery_key is not None:
                    data_key = header.unlock_with_recovery_key(recovery_key)
                else:
                    data_key = header.unlock_with_passphrase(passphrase or "")
            if header.rotation_state == "switching":
                if lock is None:
                    raise VaultLocked(rotation_pending(paths))
                rotation.finish(paths, header, data_key)  # the point of no return was passed
                rotation.update_remembered(header.vault_id, data_key)
            require_database(paths)
            if lock is not None:
                _make_private(paths)  # before SQLite opens: its -wal and -shm take the db's mode
            engine = make_engine(paths.db, data_key, readonly=readonly)
            vault = cls(paths, header, data_key, lock, engine)
            try:
                vault._check_and_migrate(readonly)
                vault._check_binding()
                vault.attachments.load()
                if not readonly:
                    vault.attachments.recover()  # may find damage too: then let go of the lock
                    _sweep_leftovers(paths)  # the lock says: whoever left them is gone
                    with reporting(f"updating the header copies in {paths.backups}"):
                        vault._sync_header_copies()  # a killed passwd's
            except BaseException:
                engine.dispose()
                raise
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        return vault

    @classmethod
    def open_remembered(cls, folder: Path, *, readonly: bool = False) -> Vault | None:
        """Open with the data key kept in the OS keyring, or None if none is kept (or usable)."""
        data_key = remembered_key(folder)
        if data_key is None:
            return None
        return cls.open(folder, data_key=data_key, readonly=readonly)

    def _check_and_migrate(self, readonly: bool) -> None:
        try:
            with self.engine.connect() as conn:
                tables = conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar_one()
                revision = migrate.current_revision(conn)
        except (DatabaseError, OperationalError) as exc:
            if is_disk_full_at(exc, self.paths.folder):
                raise disk_full(f"opening the vault in {self.paths.folder}") from None
            if _not_a_database(exc) and key_fits(self.paths.db, self.data_key) is False:
                raise header_mismatch(self.paths, self.header) from None
            raise self.damaged(exc) from None
        if revision == migrate.SCHEMA_HEAD:
            return
        if not tables:
            # Vault.create writes the schema itself, so an existing vault with no tables at all
            # has lost its database (an emptied file); creating a new schema would hide that.
            raise no_vault_data(self.paths)
        if revision is not None and not migrate.is_known(revision):
            raise VaultDamaged(
                f"The vault in {self.paths.folder} was written by a newer vrmdesk "
                f"(schema {revision}); update vrmdesk to open it."
            )
        if readonly:
            raise VaultLocked(
                "This vault needs a schema upgrade; open it once for writing (for example "
                "with `vrmdesk info`) while no other vrmdesk has it open."
            )
        backup.make_backup(self, reason=f"before-migration-from-{revision}")
        migrate.upgrade(self.engine)

    def _check_binding(self) -> None:
        """The database names the vault it belongs to; a header of another vault is refused.

        A vault made before the database held its vault id gets it on its first writable open.
        """
        with self.session() as session:
            meta = session.get(Meta, VAULT_ID_META_KEY)
            if meta is None:
                if self.writable:
                    session.add(Meta(key=VAULT_ID_META_KEY, value=self.header.vault_id))
            elif meta.value != self.header.vault_id:
                raise VaultDamaged(
                    f"The key header {self.paths.header} belongs to another vault (vault "
                    f"{self.header.vault_id}; {self.paths.db.name} is vault {meta.value}'s). Put "
                    f"this vault's own {self.paths.header.name} back: copies are kept beside "
                    f"each backup in {self.paths.backups}."
                )

    def damaged(self, exc: BaseException) -> VaultDamaged:
        """The error to raise when SQLCipher reports damage in the database file."""
        detail = str(getattr(exc, "orig", exc))
        return VaultDamaged(
            f"The database {self.paths.db} is damaged ({detail}). Restore a backup from "
            f"{self.paths.backups} with `vrmdesk restore`."
        )

    # -- using -----------------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise VaultLocked("The vault is locked.")
        return self._engine

    @property
    def data_key(self) -> bytes:
        if self._data_key is None:
            raise VaultLocked("The vault is locked.")
        return self._data_key

    @property
    def folder(self) -> Path:
        return self.paths.folder

    @property
    def is_open(self) -> bool:
        return self._engine is not None

    @property
    def writable(self) -> bool:
        return self._lock is not None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back if it raises.

        SQLCipher reporting damage mid-session surfaces as :class:`VaultDamaged`, a full disk as
        :class:`DiskFull` (nothing of the unit of work is saved; the vault goes on once there is
        room again).
        """
        session = self._sessions()
        try:
            yield session
            session.commit()
        except DatabaseError as exc:
            session.rollback()
            if is_disk_full_at(exc, self.paths.folder):
                raise disk_full("saving the change") from None
            if is_damage(exc):
                raise self.damaged(exc) from None
            if "database is locked" in str(exc.orig):
                raise VaultBusy(
                    "The vault was busy with other work (an import, a sync); nothing was "
                    "saved. Try again in a moment."
                ) from None
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    # -- passphrase, recovery, remembering ---------------------------------------------------
    def change_passphrase(
        self, old_passphrase: str, new_passphrase: str, *, kdf: keys.KdfParams | None = None
    ) -> None:
        """Rewrap the data key under a new passphrase (the old one must be right)."""
        self.header.unlock_with_passphrase(old_passphrase)
        self._set_passphrase(new_passphrase, kdf)

    def reset_passphrase(self, new_passphrase: str, *, kdf: keys.KdfParams | None = None) -> None:
        """Set a new passphrase on a vault unlocked some other way (the recovery key)."""
        self._set_passphrase(new_passphrase, kdf)

    def _set_passphrase(self, new_passphrase: str, kdf: keys.KdfParams | None) -> None:
        from vrmdesk.errors import ValidationError

        if not new_passphrase:
            raise ValidationError("The new passphrase must not be empty.", field="passphrase")
        self._require_writable()
        self.header.rewrap(new_passphrase, self.data_key, kdf or keys.calibrate())
        with reporting(f"saving the new passphrase in {self.paths.header}"):
            self.header.save(self.paths.header)
            # the copies beside the backups would open the key with the old passphrase
            self._sync_header_copies()

    def new_recovery_key(self, passphrase: str) -> str:
        """Replace the recovery key (the passphrase must be right); returns the new one, to be
        shown once: it is kept nowhere. The old recovery key stops opening the vault, here and
        in the header copies beside the backups."""
        self.header.unlock_with_passphrase(passphrase)
        self._require_writable()
        if self.header.rotation_state == "switching":
            raise VaultLocked("A change of key is still finishing; lock and unlock first.")
        recovery_key = keys.new_recovery_key()
        header = copy.deepcopy(self.header)  # the one in use stays until the new one is saved
        header.replace_recovery_key(self.data_key, recovery_key)
        with reporting(f"saving the new recovery key in {self.paths.header}"):
            header.save(self.paths.header)
        self.header = header
        try:  # the key must reach the person now: a copy left behind, the next open makes good
            self._sync_header_copies()
        except (OSError, VrmError):
            log.warning("the header copies beside the backups were not updated")
        return recovery_key

    def remember(self, enabled: bool) -> None:
        """Keep (or forget) the data key in the OS keyring for this vault."""
        if enabled:
            keystore.store(self.header.vault_id, self.data_key)
        else:
            keystore.forget(self.header.vault_id)

    def is_remembered(self) -> bool:
        return keystore.recall(self.header.vault_id) is not None

    def _sync_header_copies(self) -> None:
        backup.sync_header_copies(self.paths, self.data_key, backup.other_folders(self))

    def _require_writable(self) -> None:
        if self._lock is None:
            raise VaultLocked("This vault was opened read-only.")

    # -- a new data key ----------------------------------------------------------------------
    def rotate_key(
        self,
        new_passphrase: str,
        *,
        kdf: keys.KdfParams | None = None,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> rotation.KeyRotation:
        """Give the vault a new data key, a new passphrase and a new recovery key: for a
        passphrase (or recovery key) that may be known. Nothing the old key opens remains.

        ``progress(done, total, what)`` is called as the work goes (in bytes of work). Until
        the point of no return, whatever it raises (a cancel) stops the rotation: everything
        staged is removed, the vault is as it was, and the exception comes out unchanged. From
        the point of no return on, ``done == total`` and ``what`` is ``rotation.FINISHING``: a
        cancel is ignored and the work finishes. While it runs, the database's write lock is
        held (other sessions wait, then fail): keep the vault busy for the user. Returns what
        was done; show ``recovery_key`` once, then call :meth:`acknowledge_recovery_key`.
        A SIGKILL at any point leaves a vault that opens with the old passphrase (before the
        point of no return) or the new one (after it; that open finishes the rotation).
        """
        self._require_writable()
        prepared, recovery_key = rotation.prepare(
            self.paths,
            self.engine,
            self.header,
            self.data_key,
            self.attachments.identity,
            new_passphrase,
            kdf=kdf,
            progress=progress,
        )
        self._use_key(prepared.new_key, prepared.header)  # closes the database on the old key
        try:
            rotation.finish(self.paths, prepared.header, prepared.new_key)
            self._reopen()
        except Exception as exc:  # any failure here: the next open finishes the switch
            self.close()
            raise rotation.not_finished(exc) from None
        except BaseException:
            self.close()  # interrupted: the next open with the new passphrase finishes it
            raise
        if prepared.remembered:
            rotation.update_remembered(prepared.header.vault_id, prepared.new_key)
        backup.retire_other_backups(self)  # under the old key: they would open with it only
        return prepared.result(recovery_key)

    @property
    def unseen_recovery_key(self) -> str | None:
        """A recovery key issued by a key rotation and not yet acknowledged as shown, or None.

        Set after :meth:`rotate_key`, and after an open that finished a rotation a kill had
        interrupted (so it is never lost): show it to the user, then acknowledge it.
        """
        if self.header.rotation_state != "unseen":
            return None
        return self.header.unseal_recovery_key(self.data_key)

    def acknowledge_recovery_key(self) -> None:
        """The new recovery key was shown: the header stops keeping it."""
        if self.header.rotation_state != "unseen":
            return
        self._require_writable()
        self.header.key_rotation = None
        with reporting(f"saving the key header {self.paths.header}"):
            self.header.save(self.paths.header)
            self._sync_header_copies()

    def _use_key(self, data_key: bytes, header: keys.Header) -> None:
        """Close the database (on the old key): the rotation switches files under it."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        self._data_key = data_key
        self.header = header
        self.attachments.forget()

    def _reopen(self) -> None:
        self._engine = make_engine(self.paths.db, self.data_key)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        self.attachments.load()
        self.attachments.recover()  # the old contents go

    # -- closing ---------------------------------------------------------------------------
    def close(self) -> None:
        """Lock the vault: close the database, forget the key, release the lock file."""
        self.attachments.forget()
        try:
            if self._engine is not None and self._lock is not None:
                self.attachments.recover()  # may report damage; the vault is locked all the same
        finally:
            if self._engine is not None:
                if self._lock is not None:
                    try:
                        with self._engine.connect() as conn:
                            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                    except DatabaseError:
                        log.warning("checkpoint on close failed")
                self._engine.dispose()
                self._engine = None
            self._data_key = None
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    lock = close

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _not_a_database(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    return (getattr(orig, "sqlite_errorcode", 0) & 0xFF) == 26  # SQLITE_NOTADB


def _sweep_leftovers(paths: VaultPaths) -> None:
    """Remove what killed writers left: temporary headers (complete ones, wrapped under a
    passphrase never applied), a half-copied restore, and half-made backups.

    Only called with the write lock held, so nothing here belongs to a process still at work.
    """
    db = paths.db
    with reporting(f"tidying the vault folder {paths.folder}"):
        rotation.sweep_staged(paths)  # a key rotation that never reached its point of no return
        for path in paths.folder.glob(f".{HEADER_NAME}.*.tmp"):
            path.unlink(missing_ok=True)
        for partial in (db.with_name(f"{db.name}.{kind}") for kind in ("restoring", "rebuilding")):
            for suffix in ("", "-journal", "-wal", "-shm"):
                partial.with_name(partial.name + suffix).unlink(missing_ok=True)
        backup.sweep_leftovers(paths)


def _make_private(paths: VaultPaths) -> None:
    """Make a vault written by an older vrmdesk (0644 files, 0755 folders) this user's alone."""
    with reporting(f"making the files of the vault in {paths.folder} private"):
        for path in (paths.folder, paths.header, paths.db, paths.lock, paths.backups):
            make_private(path)
        for suffix in ("-wal", "-shm"):
            make_private(paths.db.with_name(paths.db.name + suffix))
        if paths.backups.is_dir():
            for path in paths.backups.iterdir():
                make_private(path)
        if paths.attachments.is_dir() and paths.attachments.stat().st_mode & 0o077:
            # older vaults made every attachment folder and file readable by others
            for path in [paths.attachments, *paths.attachments.rglob("*")]:
                make_private(path)

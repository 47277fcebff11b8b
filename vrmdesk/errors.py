"""Errors a person can read.

Every error that can reach a user carries a message written for that user; callers catch by
meaning, and the command line prints ``str(error)`` as its one-line reason. The base of them
all, and the errors the bundle format shares with vrmdesk (ValidationError, NotFound,
StorageError, DiskFull), are the ``vrmshare`` distribution's (:mod:`vrmshare.errors`), named here
too so that vrmdesk code imports every error from one place.

    VrmError                      anything vrmdesk reports to a person
    ├── VaultError                the vault as a whole
    │   ├── VaultNotFound         no vault in that folder
    │   ├── VaultExists           refusing to create over an existing vault
    │   ├── WrongPassphrase       the passphrase or recovery key does not unlock it
    │   ├── VaultDamaged          vault.json or vault.db is damaged; points to backups
    │   ├── VaultInUse            another process has the vault open for writing
    │   ├── VaultLocked           the vault was locked (closed) and cannot be used
    │   └── KeyringUnavailable    "remember on this device" cannot work here, with the reason
    ├── BackupError               a backup cannot be made or restored
    ├── ValidationError           a record was refused: a missing name, an end before a start …
    │   └── NotFound              the record (vendor, asset …) does not exist
    ├── InUseError                a delete that would orphan other records, without cascade
    ├── AttachmentError           an attachment too large, missing or damaged
    └── StorageError              the file system refused: the disk is full, no permission …
        └── DiskFull              no space left (or over a quota or file-size limit)
"""

from __future__ import annotations

from vrmshare.errors import DiskFull, NotFound, StorageError, ValidationError, VrmError

__all__ = [
    "AttachmentError",
    "BackupError",
    "DiskFull",
    "InUseError",
    "KeyringUnavailable",
    "NotFound",
    "StorageError",
    "ValidationError",
    "VaultDamaged",
    "VaultError",
    "VaultExists",
    "VaultInUse",
    "VaultLocked",
    "VaultNotFound",
    "VrmError",
    "WrongPassphrase",
]


class VaultError(VrmError):
    pass


class VaultNotFound(VaultError):
    pass


class VaultExists(VaultError):
    pass


class WrongPassphrase(VaultError):
    pass


class VaultDamaged(VaultError):
    pass


class VaultInUse(VaultError):
    pass


class VaultBusy(VaultError):
    """SQLite refused a unit of work's write because another committed meanwhile, or held the
    vault longer than the busy timeout ("database is locked"): nothing of it was saved, and
    trying again is safe."""


class VaultLocked(VaultError):
    pass


class KeyringUnavailable(VaultError):
    pass


class BackupError(VrmError):
    pass


class InUseError(VrmError):
    pass


class AttachmentError(VrmError):
    pass

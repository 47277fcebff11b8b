"""Errors a person can read.

Every error that can reach a user carries a message written for that user; callers catch by
meaning, and the command line prints ``str(error)`` as its one-line reason.

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


class VrmError(Exception):
    """Base of every error with a message meant for a person."""


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


class VaultLocked(VaultError):
    pass


class KeyringUnavailable(VaultError):
    pass


class BackupError(VrmError):
    pass


class ValidationError(VrmError):
    """A record was refused. ``field`` names the offending field where there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(ValidationError):
    pass


class InUseError(VrmError):
    pass


class AttachmentError(VrmError):
    pass


class StorageError(VrmError):
    """The operating system refused a read or write; the message says what and where."""


class DiskFull(StorageError):
    pass

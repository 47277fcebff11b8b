"""Errors a person can read: the base every vrmdesk error derives from, and those of bundles.

Every error that can reach a user carries a message written for that user; callers catch by
meaning, and a command line prints ``str(error)`` as its one-line reason. vrmdesk's own errors
(the vault's, in ``vrmdesk.errors``) derive from :class:`VrmError` here, so one ``except
VrmError`` catches all of them.

VrmError                      anything vrmshare or vrmdesk reports to a person
├── ValidationError           a value was refused: a missing name, an end before a start …
│   └── NotFound              the record (vendor, asset …) does not exist
├── StorageError              the file system refused: the disk is full, no permission …
│   └── DiskFull              no space left (or over a quota or file-size limit)
└── BundleError               a bundle (or a reply) was refused; nothing was written
    ├── BundleForged          the signature or a file's hash does not hold
    ├── BundleMalformed       not a zip, bad names, not JSON, fails the schema, unknown format
    ├── BundleTooLarge        over a size cap (file, manifest, entries, expansion)
    ├── BundleWrongRecipient  encrypted, and not to the age identity given (or none given)
    └── ReplyRefused          a reply from an unpinned key, or answering no bundle of mine
"""

from __future__ import annotations

from vrmshare.text import printable


class VrmError(Exception):
    """Base of every error with a message meant for a person."""


class ValidationError(VrmError):
    """A value was refused. ``field`` names the offending field where there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(ValidationError):
    pass


class StorageError(VrmError):
    """The operating system refused a read or write; the message says what and where."""


class DiskFull(StorageError):
    pass


class BundleError(VrmError):
    """A bundle was refused; the message is the one-line reason.

    Messages quote what a bundle holds (names, keys, values), so they are made printable here,
    once for all: whatever a bundle says, the reason stays one harmless line.
    """

    def __init__(self, message: str) -> None:
        super().__init__(printable(message))


class BundleForged(BundleError):
    pass


class BundleMalformed(BundleError):
    pass


class BundleTooLarge(BundleError):
    pass


class BundleWrongRecipient(BundleError):
    pass


class ReplyRefused(BundleError):
    pass

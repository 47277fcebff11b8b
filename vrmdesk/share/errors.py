"""Errors about share bundles, each with a one-line reason a person can read.

VrmError
└── BundleError               a bundle (or a reply) was refused; nothing was written
    ├── BundleForged          the signature or a file's hash does not hold
    ├── BundleMalformed       not a zip, bad names, not JSON, fails the schema, unknown format
    ├── BundleTooLarge        over a size cap (file, manifest, entries, expansion)
    ├── BundleWrongRecipient  encrypted, and not to the age identity given (or none given)
    └── ReplyRefused          a reply from an unpinned key, or answering no bundle of mine
"""

from __future__ import annotations

from vrmdesk.errors import VrmError
from vrmdesk.text import printable


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

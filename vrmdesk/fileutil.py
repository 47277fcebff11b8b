"""Files: written so that a crash leaves the old version or the new one, never half of either;
private to this user (0600 files in 0700 folders); and OS refusals told as a person reads them.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vrmdesk.errors import DiskFull, StorageError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700

# ENOSPC: no space; EDQUOT: over a quota; EFBIG: over RLIMIT_FSIZE or the file system's limit.
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}


def is_disk_full(exc: BaseException) -> bool:
    """True for an OS error (or a database error wrapping one) that means no space is left."""
    if isinstance(exc, OSError) and exc.errno in _FULL:
        return True
    orig = getattr(exc, "orig", exc)
    # SQLITE_FULL (13), whatever the wording
    if (getattr(orig, "sqlite_errorcode", 0) & 0xFF) == 13:
        return True
    return "database or disk is full" in str(orig).lower()


def storage_error(exc: OSError, what: str) -> StorageError:
    """A one-line error for ``exc`` while doing ``what`` ("writing the bundle b.vrmshare")."""
    if exc.errno in _FULL:
        return DiskFull(f"The disk is full: could not finish {what}. Free some space and try again.")
    reason = exc.strerror or str(exc)
    return StorageError(f"Could not finish {what}: {reason}.")


@contextmanager
def reporting(what: str) -> Iterator[None]:
    """Turn an OSError raised in the block into a :class:`StorageError` naming ``what``."""
    try:
        yield
    except OSError as exc:
        raise storage_error(exc, what) from exc


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (a no-op where the OS cannot)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file (0600) in the same folder, fsync it, then rename it over ``path``.

    If the write fails (a full disk), the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)

"""Files: written so that a crash leaves the old version or the new one, never half of either;
private to this user (0600 files in 0700 folders); and OS refusals told as a person reads them.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, cast

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


LITTLE_ROOM = 2 * 1024 * 1024


def is_disk_full_at(exc: BaseException, where: Path) -> bool:
    """:func:`is_disk_full`, or SQLite's "disk I/O error" where there is next to no room left.

    SQLite reports ENOSPC as SQLITE_FULL only for some writes; for others (the -shm, a sync)
    and for EFBIG it says SQLITE_IOERR. With under 2 MiB free on ``where``'s file system, or a
    file-size limit (RLIMIT_FSIZE) in force, such an error is the full disk.
    """
    if is_disk_full(exc):
        return True
    orig = getattr(exc, "orig", exc)
    if (getattr(orig, "sqlite_errorcode", 0) & 0xFF) != 10:  # SQLITE_IOERR
        return False
    try:
        usage = os.statvfs(where) if hasattr(os, "statvfs") else None
    except OSError:
        usage = None
    if usage is not None and usage.f_bavail * usage.f_frsize < LITTLE_ROOM:
        return True
    try:
        import resource
    except ImportError:  # not on Windows
        return False
    return resource.getrlimit(resource.RLIMIT_FSIZE)[0] != resource.RLIM_INFINITY


def disk_full(what: str) -> DiskFull:
    """The error for a full disk while doing ``what`` ("creating the vault in …")."""
    return DiskFull(f"The disk is full: could not finish {what}. Free some space and try again.")


def storage_error(exc: OSError, what: str) -> StorageError:
    """A one-line error for ``exc`` while doing ``what`` ("writing the bundle b.vrmshare")."""
    if exc.errno in _FULL:
        return disk_full(what)
    reason = exc.strerror or str(exc)
    return StorageError(f"Could not finish {what}: {reason}.")


@contextmanager
def reporting(what: str) -> Iterator[None]:
    """Turn an OSError raised in the block into a :class:`StorageError` naming ``what``."""
    try:
        yield
    except OSError as exc:
        raise storage_error(exc, what) from exc


def make_private_dir(path: Path, *, parents: bool = False) -> None:
    """Make the folder ``path`` if it is missing, and make it (and it alone) 0700."""
    path = Path(path)
    path.mkdir(mode=PRIVATE_DIR, parents=parents, exist_ok=True)
    make_private(path)


def make_private(path: Path) -> None:
    """Make an existing file 0600 (a folder 0700) unless it is already; a missing one is fine."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        return  # never follow a link to change what it points to
    want = PRIVATE_DIR if stat.S_ISDIR(st.st_mode) else PRIVATE_FILE
    if stat.S_IMODE(st.st_mode) != want:
        os.chmod(path, want)


def create_private_file(path: Path, *, exclusive: bool = False) -> None:
    """Make ``path`` an (empty, if new) 0600 file, so that what opens it later (SQLite, which
    gives its -wal, -shm and -journal files the mode of the database) keeps it private."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else 0)
    os.close(os.open(path, flags, PRIVATE_FILE))
    make_private(path)


def open_private(path: Path, mode: str = "wb") -> BinaryIO:
    """``open(path, mode)`` for writing binary data, the file 0600 (made so if it was not)."""

    def opener(name: str, flags: int) -> int:
        return os.open(name, flags, PRIVATE_FILE)

    handle = cast(BinaryIO, open(path, mode, opener=opener))  # noqa: SIM115 - the caller closes it
    if hasattr(os, "fchmod"):  # an existing file keeps its mode through os.open: set it
        try:
            os.fchmod(handle.fileno(), PRIVATE_FILE)
        except BaseException:
            handle.close()
            raise
    return handle


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

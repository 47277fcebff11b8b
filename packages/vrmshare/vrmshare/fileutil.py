"""Files: written so that a crash leaves the old version or the new one, never half of either;
private to this user (0600 files in 0700 folders); OS refusals told as a person reads them; and
the files a person names read only when they are regular files.

Reading what a person names (a bundle, an age identity, a signing key, a passphrase file):
a named pipe blocks ``open`` until someone writes to it, ``/dev/zero`` never ends, ``/dev/stdin``
from a pipe cannot seek, and a size from ``stat`` says nothing about how much a device yields. So
a path is checked with ``os.stat`` before it is opened, opened with ``O_NONBLOCK`` (a FIFO swapped
in meanwhile does not block) and ``O_NOCTTY``, and the opened descriptor is checked again with
``fstat``; small files are read with a hard cap, never "to the end".
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol, cast

from vrmshare.errors import DiskFull, StorageError, VrmError

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


class ByteSink(Protocol):
    """What bytes are streamed into: a file, a hashing wrapper, an entry of a ZIP being written."""

    def write(self, data: ReadableBuffer, /) -> object: ...


class _Hash(Protocol):
    def update(self, data: ReadableBuffer, /) -> None: ...


class HashingReader(io.RawIOBase):
    """Reads from ``source`` for a library that pulls with ``readinto`` (pyrage): hashes
    (SHA-256, in ``sha256``, and any ``also`` given) and counts what passes, and refuses to read
    more than ``limit`` bytes with ``too_large()``.

    pyrage reports an exception raised here only as text, so the original (the size limit, a
    read error, a caller's stream that was cancelled) is kept in ``error`` to raise again.
    """

    def __init__(
        self,
        source: BinaryIO,
        limit: int,
        too_large: Callable[[], Exception],
        *,
        also: Iterable[_Hash] = (),
    ) -> None:
        super().__init__()
        self.source = source
        self.limit = limit
        self.too_large = too_large
        self.sha256 = hashlib.sha256()
        self._hashes: list[_Hash] = [self.sha256, *also]
        self.size = 0
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        target = memoryview(buffer).cast("B")
        try:
            data = self.source.read(len(target))
            self.size += len(data)
            if self.size > self.limit:
                raise self.too_large()
        except BaseException as exc:
            self.error = exc
            raise
        for digest in self._hashes:
            digest.update(data)
        target[: len(data)] = data
        return len(data)

    def drain(self) -> None:
        """Read (and hash) what is left."""
        chunk = bytearray(1024 * 1024)
        while self.readinto(chunk):
            pass


class KeepingWriter(io.RawIOBase):
    """Writes to ``target`` for a library that pushes into a Python stream (pyrage): it reports
    an exception raised here only as text, so the original (a full disk) is kept in ``error``."""

    def __init__(self, target: ByteSink) -> None:
        super().__init__()
        self.target = target
        self.error: BaseException | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        try:
            self.target.write(data)
        except BaseException as exc:
            self.error = exc
            raise
        return memoryview(data).nbytes


class HashingWriter(io.RawIOBase):
    """Writes to ``target`` while hashing (SHA-256, in ``sha256``) and counting (``size``);
    ``on_chunk(bytes_so_far)`` may raise to stop. As with :class:`KeepingWriter`, an exception
    raised here (a full disk, a cancel) is kept in ``error`` for the caller, since pyrage reports
    it only as text."""

    def __init__(self, target: ByteSink, on_chunk: Callable[[int], None] | None = None) -> None:
        super().__init__()
        self.target = target
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.on_chunk = on_chunk
        self.error: BaseException | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        view = memoryview(data).cast("B")
        try:
            self.sha256.update(view)
            self.size += len(view)
            self.target.write(view)
            if self.on_chunk is not None:
                self.on_chunk(self.size)
        except BaseException as exc:
            self.error = exc
            raise
        return len(view)


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


# -- reading the files a person names ------------------------------------------------------
_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
    stat.S_IFLNK: "a symbolic link",
}
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_OPEN_FLAGS = getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _kind(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "not a file")


def _not_regular(error: type[VrmError], what: str, path: Path, mode: int) -> VrmError:
    return error(
        f"{what[:1].upper()}{what[1:]} {path} is not a regular file ({_kind(mode)}); refused."
    )


def check_regular(path: Path, error: type[VrmError], what: str, *, follow: bool = True) -> None:
    """Refuse ``path`` (``error``) if it exists and is not a regular file (or, unfollowed, a link).

    A path that does not exist passes: whoever opens it next reports that in its own words.
    """
    try:
        mode = (os.stat(path) if follow else os.lstat(path)).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise error(f"Cannot read {what} {path}: {exc.strerror or exc}.") from None
    if not stat.S_ISREG(mode):
        raise _not_regular(error, what, Path(path), mode)


def open_regular(path: Path, error: type[VrmError], what: str, *, follow: bool = True) -> BinaryIO:
    """``path`` opened for reading if it is a regular file; else ``error`` with a one-line reason.

    ``follow=False`` refuses a symbolic link too (``O_NOFOLLOW``): for files inside the vault,
    which are never links.
    """
    path = Path(path)
    check_regular(path, error, what, follow=follow)
    try:
        fd = os.open(
            path,
            os.O_RDONLY | _NONBLOCK | _OPEN_FLAGS | (0 if follow else getattr(os, "O_NOFOLLOW", 0)),
        )
    except FileNotFoundError:
        raise error(f"Cannot read {what} {path}: it does not exist.") from None
    except OSError as exc:
        raise error(f"Cannot read {what} {path}: {exc.strerror or exc}.") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(error, what, path, mode)
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, limit: int, error: type[VrmError], what: str) -> bytes:
    """The whole of a small regular file, refused (unread) when it is larger than ``limit``."""
    with open_regular(path, error, what) as handle:
        try:
            too_large = os.fstat(handle.fileno()).st_size > limit
            data = b"" if too_large else handle.read(limit + 1)
        except OSError as exc:
            raise error(f"Cannot read {what} {path}: {exc.strerror or exc}.") from None
    if too_large or len(data) > limit:
        raise error(
            f"{what[:1].upper()}{what[1:]} {path} is too large (more than "
            f"{limit // 1024} KiB); refused."
        )
    return data

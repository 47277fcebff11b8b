"""Opening the files a person names (a bundle, an age identity, a signing key): regular files only.

A named pipe blocks ``open`` until someone writes to it, ``/dev/zero`` never ends, ``/dev/stdin``
from a pipe cannot seek, and a size from ``stat`` says nothing about how much a device yields. So
a path is checked with ``os.stat`` before it is opened, opened with ``O_NONBLOCK`` (a FIFO swapped
in meanwhile does not block) and ``O_NOCTTY``, and the opened descriptor is checked again with
``fstat``; small files are read with a hard cap, never "to the end".
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from vrmdesk.errors import VrmError

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

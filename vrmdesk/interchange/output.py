"""Writing an export file: streamed through a temporary name beside it, then renamed, so a crash,
a cancel or a full disk leaves the old file or none, never half of one. The file is readable by
this user only (0600), as it holds the vault's content in the clear."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from vrmshare.fileutil import fsync_dir, storage_error

from vrmdesk.errors import StorageError


@contextmanager
def atomic_output(path: Path, *, what: str) -> Iterator[BinaryIO]:
    """A binary stream that becomes ``path`` when the block ends without an exception."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise StorageError(f"{path} is a folder: give a file name for {what}.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise StorageError(f"The folder {folder} does not exist: {what} cannot be written there.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise storage_error(exc, f"writing {what} to {path}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        fsync_dir(folder)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):  # a full disk is told as such
            raise storage_error(exc, f"writing {what} to {path}") from None
        raise

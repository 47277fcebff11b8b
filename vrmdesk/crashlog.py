"""The last line of defence: an unexpected error is logged for the developers and told in one line.

Expected failures are :class:`~vrmdesk.errors.VrmError` and never get here. Anything else is a
bug; the person sees one line that names the log file, and the log (in the platform's user log
folder, 0600, rotated at 1 MiB) gets the stack: file, line, function and source line of every
frame, and the exception's type. Never its message or any local value: those may hold vault
content, and the promise is that no content reaches a log.
"""

from __future__ import annotations

import logging
import os
import traceback
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

from vrmdesk import __version__

LOG_NAME = "vrmdesk.log"
_logger: logging.Logger | None = None


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir("vrmdesk", appauthor=False))


def log_path() -> Path:
    return log_dir() / LOG_NAME


def _get_logger() -> logging.Logger:
    global _logger
    if _logger is None:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / LOG_NAME
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.close(fd)
        handler = RotatingFileHandler(path, maxBytes=1 << 20, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger = logging.getLogger("vrmdesk.crash")
        logger.propagate = False
        logger.addHandler(handler)
        logger.setLevel(logging.ERROR)
        _logger = logger
    return _logger


def content_free(exc: BaseException) -> str:
    """The stack of ``exc`` (and of its causes) without messages or values."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        lines.append(f"{type(current).__module__}.{type(current).__qualname__}")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"  {frame.filename}:{frame.lineno} in {frame.name}")
            if frame.line:
                lines.append(f"    {frame.line.strip()}")
        current = current.__cause__ or current.__context__
        if current is not None:
            lines.append("caused by / while handling:")
    return "\n".join(lines)


def record(exc: BaseException, where: str) -> Path | None:
    """Log ``exc``; the log's path, or None when even the log cannot be written."""
    try:
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        _get_logger().error(
            "%s vrmdesk %s, %s:\n%s\n", stamp, __version__, where, content_free(exc)
        )
        return log_path()
    except Exception:  # a full disk or a read-only home: the one-line message still goes out
        return None


def one_line(exc: BaseException, path: Path | None) -> str:
    """What a person is told: that it is not their fault, and where the details are."""
    where = f" Details for a bug report are in {path}." if path else ""
    return (
        f"Something went wrong inside vrmdesk ({type(exc).__name__}); nothing more was done.{where}"
    )

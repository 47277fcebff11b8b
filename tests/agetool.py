"""Driving the ``age`` command in tests: it reads a passphrase from a terminal only, so it runs
on a pseudo-terminal that answers its prompt."""

from __future__ import annotations

import os
import pty
import time
from pathlib import Path


def age_decrypt_with_passphrase(source: Path, target: Path, passphrase: str) -> int:
    """``age -d -o TARGET SOURCE``, typing ``passphrase`` at its prompt; its exit status."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp("age", ["age", "-d", "-o", str(target), str(source)])
    deadline = time.monotonic() + 30
    output = b""
    while b"passphrase" not in output.lower() and time.monotonic() < deadline:
        output += os.read(fd, 1024)
    os.write(fd, passphrase.encode() + b"\n")
    while True:
        try:
            if not os.read(fd, 1024):
                break
        except OSError:
            break
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)

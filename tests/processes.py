"""Throwaway servers the tests start (Dovecot, Syncthing): a free loopback port, and ending a
server with everything it started."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def end_group(process: subprocess.Popen[bytes], grace: float = 10) -> bool:
    """SIGTERM to the process group of ``process`` (started with ``start_new_session``), SIGKILL
    if it has not ended after ``grace`` seconds. True if it ended by itself on SIGTERM."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(grace)
        return False
    return True

"""Helpers shared by generate.py and run.py: the plain-SQLite engine and the machine note."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from vrmdesk.store.engine import make_engine


def make_plain_engine(path: Path) -> Engine:
    """The plain-SQLite twin's engine: the same driver, pragmas and pool, no key."""
    return make_engine(path, None)


def decade_vault(work: Path, given: Path | None) -> Path:
    """``given`` (a vault made by ``generate.py --size decade``), else one generated into
    ``work``."""
    if given is not None:
        return given
    folder = work / "decade"
    subprocess.run(
        [sys.executable, "benchmarks/generate.py", "--size", "decade", "--out", str(folder)],
        check=True,
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
    )
    return folder


def machine_note() -> str:
    import sqlalchemy
    import sqlcipher3

    conn = sqlcipher3.connect(":memory:")
    conn.execute("PRAGMA key = \"x'" + "00" * 32 + "'\"")
    cipher = conn.execute("PRAGMA cipher_version").fetchone()[0]
    provider = conn.execute("PRAGMA cipher_provider").fetchone()
    conn.close()
    load = os.getloadavg()
    return (
        f"machine: {os.cpu_count()} cores ({platform.machine()}, {platform.system()} "
        f"{platform.release()}); python {sys.version.split()[0]}; SQLAlchemy "
        f"{sqlalchemy.__version__}; SQLCipher {cipher} (crypto {provider[0] if provider else '?'}) "
        f"on SQLite {sqlcipher3.sqlite_version}; load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f}"
    )

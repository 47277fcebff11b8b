"""Helpers shared by generate.py and run.py: the plain-SQLite engine and the machine note."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from unittest import mock

from sqlalchemy import URL, Engine
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlcipher import SQLiteDialect_pysqlcipher
from sqlalchemy.exc import OperationalError

from vrmdesk.store import engine as engine_module
from vrmdesk.store.engine import make_engine

PLAIN_DIALECT = "vrmbench_plain"


class PlainCipherDialect(SQLiteDialect_pysqlcipher):
    """The pysqlcipher dialect (same sqlcipher3 library, same pool) minus ``PRAGMA key``.

    SQLAlchemy's pysqlcipher dialect always sends ``pragma key=<password or ''>``, and the
    SQLCipher in the sqlcipher3 wheel refuses an empty key, so ``make_engine(path, None)`` cannot
    connect. This dialect stands in only for that case (see benchmarks/README.md).
    """

    supports_statement_cache = True

    def on_connect_url(self, url):  # type: ignore[no-untyped-def]
        if url.password:
            return super().on_connect_url(url)
        return super(SQLiteDialect_pysqlcipher, self).on_connect_url(url)


registry.register(f"sqlite.{PLAIN_DIALECT}", __name__, "PlainCipherDialect")


def _quiet_sqlcipher() -> None:
    """SQLCipher's log level is process-wide; a connection without a key logs "no key" to stderr
    unless it is NONE (make_engine sets it only on keyed connections)."""
    import sqlcipher3

    conn = sqlcipher3.connect(":memory:")
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.close()


_quiet_sqlcipher()

_workaround_used = False


def make_plain_engine(path: Path) -> Engine:
    """``make_engine(path, None)``, the plain-SQLite twin's engine, with the same pragmas.

    If ``make_engine(path, None)`` connects, it is used as is; otherwise the same function
    is called with a URL for :class:`PlainCipherDialect`.
    """
    global _workaround_used
    if not _workaround_used:
        engine = make_engine(path, None)
        try:
            with engine.connect():
                pass
            return engine
        except OperationalError as exc:
            engine.dispose()
            if "PRAGMA key" not in str(exc):
                raise
            _workaround_used = True

    def plain_url(p: Path, key: bytes | None) -> URL:
        assert key is None
        return URL.create(f"sqlite+{PLAIN_DIALECT}", database=str(p))

    with mock.patch.object(engine_module, "sqlcipher_url", plain_url):
        return make_engine(path, None)


def plain_workaround_used() -> bool:
    return _workaround_used


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
        f"machine: {os.cpu_count()} cores ({platform.machine()}, {platform.system()} {platform.release()}); "
        f"python {sys.version.split()[0]}; SQLAlchemy {sqlalchemy.__version__}; "
        f"SQLCipher {cipher} (crypto {provider[0] if provider else '?'}) on SQLite {sqlcipher3.sqlite_version}; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )

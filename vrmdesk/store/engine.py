"""The SQLCipher engine: SQLAlchemy's ``sqlite+pysqlcipher`` dialect over the sqlcipher3 wheel.

The dialect sends ``PRAGMA key`` as the very first statement on every connection; we hand it the
raw 256-bit data key in SQLCipher's ``x'…'`` form, so SQLCipher skips its own PBKDF2 (the key was
derived by Argon2id already). Then every connection gets the same settings:

- ``cipher_log_level = NONE``: SQLCipher's HMAC complaints stay off stderr; we report damage.
- WAL journal, ``synchronous = FULL``: a commit that returned survives a killed process or a
  power cut.
- ``foreign_keys = ON``, ``temp_store = MEMORY`` (no plaintext temp files), and a page cache
  large enough for the working set (SQLCipher decrypts each page it reads; a small cache makes
  full scans several times slower than plain SQLite).

``readonly=True`` opens the file read-only (a ``file:…?mode=ro`` URI) and leaves the journal mode
as it is: a reader never writes a byte of the database, whatever state it is in.

``key=None`` gives the same engine over plain SQLite: the benchmark's baseline.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import sqlcipher3
from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.pool import SingletonThreadPool

CACHE_KIB = 64 * 1024
BUSY_TIMEOUT_MS = 5000


def readonly_uri(path: Path) -> str:
    """An SQLite URI that opens ``path`` read-only (for ``connect(uri, uri=True)``)."""
    return f"file:{quote(str(Path(path).resolve()))}?mode=ro"


def sqlcipher_url(path: Path, key: bytes, *, readonly: bool = False) -> URL:
    if readonly:
        return URL.create(
            "sqlite+pysqlcipher",
            password=f"x'{key.hex()}'",
            database=f"file:{quote(str(Path(path).resolve()))}",
            query={"mode": "ro", "uri": "true"},
        )
    return URL.create("sqlite+pysqlcipher", password=f"x'{key.hex()}'", database=str(path))


def make_engine(
    path: Path, key: bytes | None, *, cache_kib: int = CACHE_KIB, readonly: bool = False
) -> Engine:
    connect_args = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
    if key is None:
        # Plain SQLite through the same driver (the pysqlcipher dialect would send an empty key,
        # which SQLCipher refuses).
        engine = create_engine(
            URL.create("sqlite+pysqlite", database=str(path)),
            module=sqlcipher3,
            connect_args=connect_args,
            poolclass=SingletonThreadPool,
        )
    else:
        engine = create_engine(sqlcipher_url(path, key, readonly=readonly), connect_args=connect_args)
    pragmas = (
        "PRAGMA cipher_log_level = NONE",  # process-wide; keyless connections log otherwise
        f"PRAGMA cache_size = -{cache_kib}",
        *(() if readonly else ("PRAGMA journal_mode = WAL",)),
        "PRAGMA synchronous = FULL",
        "PRAGMA foreign_keys = ON",
        "PRAGMA temp_store = MEMORY",
        f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # The driver's implicit transactions are off; SQLAlchemy's begin() emits BEGIN below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN")

    return engine


def is_damage(exc: BaseException) -> bool:
    """True for an error (sqlcipher3's, or SQLAlchemy's wrapping one) that means a damaged file."""
    orig = getattr(exc, "orig", exc)
    # SQLITE_CORRUPT (11) and SQLITE_NOTADB (26), whatever the wording ("vtable constructor
    # failed" when the full-text index's pages are damaged)
    if (getattr(orig, "sqlite_errorcode", 0) & 0xFF) in (11, 26):
        return True
    message = str(orig).lower()
    return "not a database" in message or "malformed" in message or "corrupt" in message

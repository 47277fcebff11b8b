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

import re
from pathlib import Path
from urllib.parse import quote

import sqlcipher3
from sqlalchemy import URL, Connection, Engine, create_engine, event
from sqlalchemy.pool import PoolProxiedConnection, QueuePool, SingletonThreadPool

CACHE_KIB = 64 * 1024
PAGE_SIZE = 4096  # SQLCipher 4's default, which every vault uses
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


def driver_connection(raw: PoolProxiedConnection) -> sqlcipher3.Connection:
    """The sqlcipher3 connection under one of the engine's (SQLAlchemy cannot type it)."""
    conn = raw.driver_connection
    if not isinstance(conn, sqlcipher3.Connection):
        raise TypeError(f"the vault's engine runs on {type(conn).__name__}, not sqlcipher3")
    return conn


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
        url = sqlcipher_url(path, key, readonly=readonly)
        # A pool of connections handed to one thread at a time. The pysqlcipher dialect's own
        # choice, SingletonThreadPool, keeps a connection per thread and closes other threads'
        # connections once more than five threads used it, even one in use at that moment (the
        # window's thread, a sync's and the task pool's workers: a segmentation fault).
        engine = create_engine(
            url, connect_args=connect_args, poolclass=QueuePool, pool_size=5, max_overflow=10
        )
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
    def _configure(dbapi_connection: sqlcipher3.Connection, _record: object) -> None:
        # The driver's implicit transactions are off; SQLAlchemy's begin() emits BEGIN below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
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


def key_fits(path: Path, key: bytes) -> bool | None:
    """Whether ``key`` is the key of the SQLCipher file ``path``, told by the pages' HMACs.

    When SQLCipher says "file is not a database", page 1 failed its HMAC: either it is damaged
    or the key is another one. Under the right key the other pages still verify; under another
    key none does. True: the key fits (so the file is damaged); False: no page verifies (the key
    belongs to another database, or the file is not SQLCipher's); None: cannot tell (fewer than
    two pages). Reads the file read-only.
    """
    try:
        with Path(path).open("rb") as handle:
            first = handle.read(PAGE_SIZE)
        pages = Path(path).stat().st_size // PAGE_SIZE
    except OSError:
        return None
    if len(first) == PAGE_SIZE and _first_page_decrypts(first, key):
        return True
    if pages < 2:
        return None
    try:
        conn = sqlcipher3.connect(readonly_uri(path), uri=True, isolation_level=None)
        try:
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            conn.execute("PRAGMA cipher_log_level = NONE")
            rows = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        finally:
            conn.close()
    except sqlcipher3.Error:
        return None
    failed = {int(n) for (message,) in rows for n in re.findall(r"page (\d+)", str(message))}
    return len(failed - {1}) < pages - 1


# SQLCipher 4 page 1: a 16-byte salt in the clear, then AES-256-CBC of the rest up to the
# reserved space (80 bytes: a 16-byte IV, then a 64-byte HMAC-SHA512). With a raw key the AES
# key is the key itself: the salt only feeds the HMAC key, so a damaged salt fails every page's
# HMAC under the right key too, but page 1 still decrypts.
_RESERVE = 80
_HEADER_16_TO_23 = bytes([0x10, 0x00, 0, 0, _RESERVE, 64, 32, 32])  # 2 and 3: versions, 1 or 2


def _first_page_decrypts(page: bytes, key: bytes) -> bool:
    """True if page 1 decrypts under ``key`` to SQLite's header (one flipped bit forgiven)."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    end = PAGE_SIZE - _RESERVE
    decryptor = Cipher(algorithms.AES(key), modes.CBC(page[end : end + 16])).decryptor()
    plain = decryptor.update(page[16:end]) + decryptor.finalize()  # plain[i] is byte 16 + i

    def flipped_bits(data: bytes, want: bytes) -> int:
        return sum((a ^ b).bit_count() for a, b in zip(data, want, strict=True))

    fixed = bytes(plain[i] if i not in (2, 3) else 0 for i in range(8))
    # A flipped bit garbles one 16-byte block and one bit of the next: one of these two holds.
    header_fields = flipped_bits(fixed, _HEADER_16_TO_23) <= 1 and {plain[2], plain[3]} <= {1, 2}
    reserved_zeros = flipped_bits(plain[56:76], bytes(20)) <= 1  # bytes 72-91 are zero
    return header_fields or reserved_zeros

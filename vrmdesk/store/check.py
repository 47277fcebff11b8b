"""Checking a vault's database for damage, and rebuilding what can be rebuilt.

:func:`check_database` reads the file read-only and never raises on damage: it reports which
pages fail their authentication check (SQLCipher's HMAC on every page), which tables and indexes
cannot be read in full, what SQLite's integrity check says, and what to do. Only derived data
(the full-text search index and the SQL indexes) can be rebuilt: :func:`rebuild` makes a new
database from the records, which must all read back whole, checks it, keeps the damaged file as
``vault.db.damaged-<time>`` and puts the new one in its place. When the records themselves are
damaged, the answer is a backup (``vrmdesk restore``).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import sqlcipher3
from vrmshare.fileutil import create_private_file, disk_full, fsync_dir, is_disk_full_at, reporting

from vrmdesk.errors import VaultDamaged, VaultError, VaultLocked
from vrmdesk.store import fts, migrate
from vrmdesk.store.engine import is_damage, key_fits, make_engine, readonly_uri
from vrmdesk.store.paths import (
    VaultPaths,
    acquire_lock,
    header_mismatch,
    read_header,
    require_database,
    rotation_pending,
)

Progress = Callable[[int, int, str], None]

SEARCH_INDEX = "search_index"
MAX_LISTED = 20
REBUILDING = ".rebuilding"


def _is_derived(name: str, kind: str) -> bool:
    """Indexes and the full-text index's tables: made again from the records at any time."""
    return kind == "index" or name.startswith((SEARCH_INDEX, "sqlite_stat"))


def _shown(name: str, kind: str, table: str) -> str:
    if name.startswith(SEARCH_INDEX):
        return f"the search index ({name})"
    if kind == "index":
        return f"index {name} (of table {table})"
    return f"table {name}"


@dataclass(frozen=True)
class CheckReport:
    """What :func:`check_database` found. ``intact`` when every check passed."""

    db: Path
    failed_pages: tuple[int, ...] = ()
    damaged_records: tuple[str, ...] = ()  # tables of records that do not read back whole
    damaged_derived: tuple[str, ...] = ()  # search index and indexes (rebuildable)
    sqlite_says: tuple[str, ...] = ()  # PRAGMA integrity_check's own words, the first few
    unreadable: str | None = None  # why nothing at all can be read
    roots: dict[int, str] = field(default_factory=dict)  # root page -> what it is the root of

    @property
    def intact(self) -> bool:
        return not (
            self.failed_pages
            or self.damaged_records
            or self.damaged_derived
            or self.sqlite_says
            or self.unreadable
        )

    @property
    def rebuildable(self) -> bool:
        """Every record reads back whole: the rest (indexes, unused pages) can be made anew."""
        return not self.intact and self.unreadable is None and not self.damaged_records

    def lines(self) -> list[str]:
        """The report for people, one finding a line."""
        if self.intact:
            intact = (
                f"The vault is intact: every page of {self.db.name} passes its authentication "
                "check and SQLite's integrity check."
            )
            return [intact]
        out = [f"The vault's database {self.db} is damaged."]
        if self.unreadable:
            out.append(f"  Nothing in it can be read: {self.unreadable}.")
        for page in self.failed_pages[:MAX_LISTED]:
            root = self.roots.get(page)
            out.append(
                f"  page {page} fails its authentication check (HMAC)"
                + (f": the root page of {root}" if root else "")
            )
        if len(self.failed_pages) > MAX_LISTED:
            out.append(f"  … and {len(self.failed_pages) - MAX_LISTED} more pages")
        for what in self.damaged_records:
            out.append(f"  {what}: records in it cannot be read")
        for what in self.damaged_derived:
            out.append(f"  {what}: damaged")
        if self.unreadable is None and not self.damaged_records:
            out.append("  Every table of records reads back whole.")
        out += [f"  SQLite's integrity check: {line}" for line in self.sqlite_says]
        out.append(f"What to do: {self.advice()}")
        return out

    def summary(self) -> str:
        """One line: what is damaged and what to do."""
        where = []
        if self.failed_pages:
            shown = ", ".join(map(str, self.failed_pages[:5]))
            more = "…" if len(self.failed_pages) > 5 else ""
            where.append(f"page{'s' if len(self.failed_pages) > 1 else ''} {shown}{more}")
        where += [what.split(" (")[0] for what in self.damaged_records + self.damaged_derived][:4]
        if self.unreadable:
            where.append("nothing in it can be read")
        return f"The vault is damaged ({'; '.join(dict.fromkeys(where)) or 'see above'}): " + (
            self.advice()
        )

    def advice(self) -> str:
        restore = (
            f"restore a backup with `vrmdesk restore` (it lists those in "
            f"{self.db.parent / 'backups'}; the vault as it is now is kept)"
        )
        if self.rebuildable:
            return (
                "every record is whole and only indexes (or unused pages) are damaged: rebuild "
                "them from the records with `vrmdesk check --repair` (the damaged file is kept "
                f"as {self.db.name}.damaged-…), or {restore}"
            )
        return restore[0].upper() + restore[1:] + "."


def _connect_readonly(db: Path, key: bytes) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(readonly_uri(db), uri=True, isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("PRAGMA cipher_log_level = NONE")
    return conn


def _failed_pages(conn: sqlcipher3.Connection) -> tuple[int, ...]:
    try:
        rows = conn.execute("PRAGMA cipher_integrity_check").fetchall()
    except sqlcipher3.DatabaseError:
        return ()
    pages = {int(n) for (message,) in rows for n in re.findall(r"page (\d+)", str(message))}
    return tuple(sorted(pages))


def _integrity(conn: sqlcipher3.Connection) -> list[str]:
    """SQLite's integrity check: [] when it says ok, its lines (or why it stopped) otherwise."""
    try:
        rows = [str(row[0]) for row in conn.execute("PRAGMA integrity_check(50)")]
    except sqlcipher3.DatabaseError as exc:
        return [f"stopped: {exc}"]
    if rows == ["ok"]:
        return []
    lines = [line.strip() for row in rows for line in row.splitlines()]
    return [line for line in lines if line and not line.startswith("***")]


def _reads_whole(db: Path, key: bytes, kind: str, name: str, table: str) -> bool:
    """Read every page of one table (rows and overflow) or one index (in index order).

    Each on a connection of its own: after a page fails, SQLite's pager refuses more reads.
    """
    try:
        conn = _connect_readonly(db, key)
    except sqlcipher3.Error:
        return False
    try:
        if kind == "table":
            cursor = conn.execute(f'SELECT * FROM "{name}"')
        else:
            columns = [row[2] for row in conn.execute(f'PRAGMA index_info("{name}")')]
            if not columns or None in columns:
                return True  # an expression index: not scanned on its own (the check sees it)
            listed = ", ".join(f'"{c}"' for c in columns)
            cursor = conn.execute(
                f'SELECT {listed} FROM "{table}" INDEXED BY "{name}" ORDER BY {listed}'
            )
        while cursor.fetchmany(1000):
            pass
    except sqlcipher3.DatabaseError as exc:
        # "no query solution" and the like are no finding; damage is
        return isinstance(exc, sqlcipher3.OperationalError) and not is_damage(exc)
    finally:
        conn.close()
    return True


def check_database(folder: Path, key: bytes) -> CheckReport:
    """Check the vault's database under its data key; reads only, never writes.

    Raises only for what is no damage of the database: it is missing or empty
    (:class:`VaultDamaged`, pointing to backups), or the key is another vault's.
    """
    paths = VaultPaths(folder)
    if read_header(folder).rotation_state == "switching":
        raise VaultLocked(rotation_pending(paths))  # vault.db may still be under the old key
    require_database(paths)
    db = paths.db
    try:
        conn = _connect_readonly(db, key)
    except sqlcipher3.Error as exc:
        return CheckReport(db, unreadable=str(exc))
    try:
        failed = _failed_pages(conn)
        try:
            objects = conn.execute(
                "SELECT type, name, tbl_name, rootpage FROM sqlite_master "
                "WHERE type IN ('table', 'index') AND rootpage > 0"
            ).fetchall()
        except sqlcipher3.DatabaseError as exc:
            if key_fits(db, key) is False:
                raise header_mismatch(paths, read_header(folder)) from None
            return CheckReport(
                db, failed, unreadable=f"its first page, which holds the schema, is damaged ({exc})"
            )
        if not objects:
            return CheckReport(db, failed, unreadable="it holds no vault data")
        roots = {int(root): _shown(name, kind, table) for kind, name, table, root in objects}
        says = _integrity(conn)
        if not failed and not says:
            return CheckReport(db, roots=roots)
        records: list[str] = []
        derived: list[str] = []
        for kind, name, table, _root in objects:
            if not _reads_whole(db, key, kind, name, table):
                (derived if _is_derived(name, kind) else records).append(_shown(name, kind, table))
        for line in says:  # the check names indexes whose entries do not match their table
            match = re.search(r"\bindex (\w+)", line)
            named = next((o for o in objects if match and o[1] == match.group(1)), None)
            if named is not None and _shown(named[1], "index", named[2]) not in derived:
                derived.append(_shown(named[1], "index", named[2]))
        # After a page fails its HMAC, SQLite's check reports every tree it then cannot walk:
        # its words are shown only when no page failed (the probes above are the findings).
        shown = () if failed else tuple(says[:3])
        return CheckReport(db, failed, tuple(records), tuple(derived), shown, None, roots)
    finally:
        conn.close()


def rebuild(folder: Path, key: bytes, *, progress: Progress | None = None) -> Path | None:
    """Rebuild the search index and every index from the records, when only those are damaged.

    Takes the vault's lock (the vault must not be open elsewhere). Makes a new database with the
    current schema, copies every table of records into it (each must read back whole), fills the
    search index, checks the result, keeps the damaged file as ``vault.db.damaged-<time>`` and
    puts the new one in its place. Returns the damaged file's new name, or None when the vault
    was intact. ``progress(done, total, what)`` is told of each table. A killed rebuild leaves the
    vault as it was (the half-made ``vault.db.rebuilding`` is swept on the next open).
    """
    paths = VaultPaths(folder)
    lock = acquire_lock(paths)
    new = paths.db.with_name(paths.db.name + REBUILDING)
    try:
        report = check_database(folder, key)
        if report.intact:
            return None
        if not report.rebuildable:
            raise VaultDamaged(f"Cannot rebuild: {report.summary()}")
        _empty_the_wal(paths.db, key)
        _remove_database_files(new)
        with reporting(f"rebuilding {paths.db}"):
            _build(paths.db, new, key, progress)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            aside = paths.db.with_name(f"{paths.db.name}.damaged-{stamp}")
            try:
                os.link(paths.db, aside)  # the damaged file stays, vault.db is never missing
            except OSError:
                shutil.copy2(paths.db, aside)
            for suffix in ("-wal", "-shm"):  # the WAL was emptied above
                paths.db.with_name(paths.db.name + suffix).unlink(missing_ok=True)
            os.replace(new, paths.db)
            fsync_dir(paths.db.parent)
        return aside
    finally:
        _remove_database_files(new)
        lock.release()


def _remove_database_files(db: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)


def _empty_the_wal(db: Path, key: bytes) -> None:
    """Checkpoint the damaged database, so that nothing lives only in its -wal any more."""
    try:
        conn = sqlcipher3.connect(str(db), isolation_level=None)
        try:
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            conn.execute("PRAGMA cipher_log_level = NONE")
            busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            conn.close()
    except sqlcipher3.DatabaseError as exc:
        raise VaultDamaged(
            f"Cannot rebuild: the write-ahead log of {db} cannot be read ({exc}). "
            "Restore a backup with `vrmdesk restore`."
        ) from None
    if busy:
        raise VaultError(f"Cannot rebuild: {db} is in use by another program.")


def _build(old: Path, new: Path, key: bytes, progress: Progress | None) -> None:
    create_private_file(new, exclusive=True)
    engine = make_engine(new, key)
    try:
        migrate.create_schema(engine)
    finally:
        engine.dispose()
    conn = sqlcipher3.connect(f"file:{quote(str(new))}", uri=True, isolation_level=None)
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("PRAGMA foreign_keys = OFF")  # rows arrive table by table
        conn.execute("ATTACH DATABASE ? AS old KEY ?", (readonly_uri(old), f"x'{key.hex()}'"))
        revision = conn.execute("SELECT version_num FROM old.alembic_version").fetchone()
        if revision is None or revision[0] != migrate.SCHEMA_HEAD:
            raise VaultError(
                "Cannot rebuild a vault whose schema needs an upgrade; restore a "
                "backup with `vrmdesk restore`."
            )
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM old.sqlite_master WHERE type = 'table' AND rootpage > 0 "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
            if not _is_derived(name, "table") and name != "alembic_version"
        ]
        conn.execute("BEGIN")
        for statement in fts.drop_trigger_statements():
            conn.execute(statement)
        for done, table in enumerate(tables):
            if progress is not None:
                progress(done, len(tables) + 1, f"copying {table}")
            old_columns = [row[1] for row in conn.execute(f'PRAGMA old.table_info("{table}")')]
            new_columns = [row[1] for row in conn.execute(f'PRAGMA main.table_info("{table}")')]
            if sorted(old_columns) != sorted(new_columns):
                raise VaultError(f"Cannot rebuild: table {table} is not as this vrmdesk makes it.")
            listed = ", ".join(f'"{c}"' for c in old_columns)
            conn.execute(
                f'INSERT INTO main."{table}" ({listed}) SELECT {listed} FROM old."{table}"'
            )
        if progress is not None:
            progress(len(tables), len(tables) + 1, "filling the search index")
        fts.rebuild(conn.execute)
        for statement in fts.trigger_statements():
            conn.execute(statement)
        conn.execute("COMMIT")
        for table in tables:
            counts = [
                conn.execute(f'SELECT count(*) FROM {db}."{table}"').fetchone()[0]
                for db in ("old", "main")
            ]
            if counts[0] != counts[1]:
                raise VaultError(f"Cannot rebuild: table {table} did not copy whole.")
        conn.execute("DETACH DATABASE old")
        conn.execute(f"INSERT INTO {SEARCH_INDEX}({SEARCH_INDEX}) VALUES ('integrity-check')")
        if _integrity(conn) or _failed_pages(conn):
            raise VaultError("Cannot rebuild: the new database did not pass its checks.")
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlcipher3.DatabaseError as exc:
        if is_disk_full_at(exc, new.parent):
            raise disk_full(f"rebuilding {old}") from None
        raise VaultDamaged(
            f"Cannot rebuild: {exc}. Restore a backup with `vrmdesk restore`."
        ) from None
    finally:
        conn.close()
    with new.open("rb+") as handle:
        os.fsync(handle.fileno())

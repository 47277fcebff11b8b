"""The lossless archive: the whole vault as one ZIP of JSON Lines and files, encrypted with age.

The way to leave vrmdesk or to move to a new machine (docs/archive-format.md is the format, for
someone writing their own reader). What goes in: every row of every table the vault keeps, every
column (``tables/<table>.jsonl``), and every attachment's content in the clear
(``files/<sha256>``), with ``archive.json`` listing each member's size and SHA-256. What stays
out is what belongs to the old vault alone: its id, the key its attachments are encrypted to,
the keyed names of their stored files (``blobs``), and the signing identity unless asked for.

Writing streams: rows are read in one read transaction (one consistent snapshot) and encoded as
they come, contents are decrypted into their entries one by one, and the ZIP goes straight into
the encryptor, so memory stays flat however large the vault. ``archive.json`` is the last entry:
the hashes it lists are known only once the tables are written (every ZIP reader starts from the
central directory at the end, so where it stands does not matter to one).

Reading decrypts into an unnamed temporary file in a private folder, checks the ZIP with the
checks share bundles get (:mod:`vrmshare.zipcheck`: names, duplicates, hidden bytes, bombs,
lying sizes) under the archive's own name rule, checks every member against the manifest, and
only then writes: into an empty vault, in one transaction, with the same record ids, the
contents stored first; on any failure the transaction rolls back and the stored contents are
swept away again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
import queue
import re
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, cast

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Integer,
    LargeBinary,
    Select,
    String,
    Table,
    column,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from vrmshare.errors import BundleError
from vrmshare.fileutil import KeepingWriter, open_regular, reporting
from vrmshare.layout import AGE_ARMOR, AGE_MAGIC
from vrmshare.verify import load_identities, parse_json_strict
from vrmshare.zipcheck import ZipRules, check_archive, stream_entry

from vrmdesk import __version__
from vrmdesk.errors import VrmError
from vrmdesk.interchange import agepass
from vrmdesk.interchange.output import atomic_output
from vrmdesk.store import changelog, migrate
from vrmdesk.store import models as m
from vrmdesk.store.attachments import IDENTITY_KEY as ATTACHMENT_IDENTITY_KEY
from vrmdesk.store.backup import OTHER_FOLDERS_KEY
from vrmdesk.store.gid import new_gid
from vrmdesk.store.vault import (
    IDENTITY_META_KEY,
    VAULT_ID_META_KEY,
    Vault,
    discard_new,
    outermost_missing,
)

if TYPE_CHECKING:
    from pyrage import x25519

    from vrmdesk.store import keys

FORMAT = "vrmdesk-archive"
VERSION = 5
#: the version that gave every synced record its ``gid``; an older archive's rows get new ones
GID_VERSION = 5
MANIFEST_NAME = "archive.json"
TABLES_DIR = "tables/"
FILES_DIR = "files/"
SUFFIX = ".vrmarchive"

#: the vault's own tables not archived: blobs are the stored files' keyed names (files/ instead);
#: the change log is this device's (the vault made from the archive is another device, whose
#: log starts with a create of every record, :func:`vrmdesk.store.changelog.baseline`)
LEFT_OUT_TABLES = frozenset({"blobs", "sync_log", "sync_fields", "sync_devices", "sync_conflicts"})
#: columns not archived: the keyed name of the stored file (an attachment's sha256 names it)
LEFT_OUT_COLUMNS: dict[str, frozenset[str]] = {"attachments": frozenset({"blob_name"})}
#: settings that belong to one vault: its id, the key its attachments are encrypted to, and the
#: folders elsewhere it keeps backups in (another vault must not look after those)
VAULT_BOUND_META = frozenset(
    {
        VAULT_ID_META_KEY,
        ATTACHMENT_IDENTITY_KEY,
        OTHER_FOLDERS_KEY,
        changelog.DEVICE_KEY,  # the sync device, its clock and its change numbers
        changelog.CLOCK_KEY,
        changelog.SEQ_KEY,
    }
)
#: … and the sync device's keys and name (vrmdesk.sync.device): a vault made from an archive is
#: another device, and two devices with one id would fork each other's chain
VAULT_BOUND_META_PREFIX = "sync_"

TABLES: tuple[Table, ...] = tuple(
    t for t in m.Base.metadata.sorted_tables if t.name not in LEFT_OUT_TABLES
)  # in dependency order: a row's parents are in the tables before it
TABLE_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}

# -- caps a reader keeps ------------------------------------------------------------------------
MAX_MANIFEST_BYTES = 64 * 1024**2
MAX_LINE_BYTES = 64 * 1024**2
MAX_ENTRIES = 500_000
MAX_DIRECTORY_BYTES = 64 * 1024**2
MAX_TOTAL_BYTES = 1024**4  # 1 TiB
COMPRESS_LEVEL = 1  # tables: deflate's fastest level already shrinks JSON four- to sixfold
BATCH = 2_000
CHUNK = 1024 * 1024

_NAME = re.compile(r"archive\.json|tables/[a-z][a-z0-9_]{0,62}\.jsonl|files/[0-9a-f]{64}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


class ArchiveError(VrmError):
    """An archive that cannot be written or read; nothing was imported."""


class ArchiveTooNew(ArchiveError):
    """Made by a newer vrmdesk, in a format version this one does not read."""


def check_name(name: str) -> None:
    """An archive's one rule for entry names: ``archive.json``, ``tables/<table>.jsonl``,
    ``files/<64 lowercase hex>``; anything else is refused before any of it is read."""
    if not _NAME.fullmatch(name):
        shown = name if len(name) <= 80 else name[:80] + "…"
        raise ArchiveError(
            f"The archive holds an entry {shown!r} outside its layout (archive.json, "
            "tables/TABLE.jsonl, files/SHA256); refused."
        )


RULES = ZipRules(
    what="archive",
    not_a_zip="This is not a vrmdesk archive (neither age-encrypted nor a ZIP file).",
    check_name=check_name,
    max_entries=MAX_ENTRIES,
    max_total=MAX_TOTAL_BYTES,
    max_directory=MAX_DIRECTORY_BYTES,
)


# -- the JSON encoding of a column --------------------------------------------------------------
def _kind(column: Any) -> str:
    kind = column.type
    for cls, name in (
        (Enum, "enum"),  # before String: an Enum is a String
        (Boolean, "bool"),
        (DateTime, "datetime"),
        (Date, "date"),
        (JSON, "json"),
        (LargeBinary, "bytes"),
        (Integer, "int"),
        (String, "str"),
    ):
        if isinstance(kind, cls):
            return name
    raise TypeError(f"no archive encoding for {column}")  # a new column type: add it here


def archived_columns(table: Table) -> list[tuple[str, str]]:
    """(name, encoding) of every archived column of ``table``, in the table's order."""
    left_out = LEFT_OUT_COLUMNS.get(table.name, frozenset())
    return [(c.name, _kind(c)) for c in table.columns if c.name not in left_out]


def documented_tables() -> str:
    """The tables and enum values as docs/archive-format.md lists them (a test holds the
    document to this, so a schema change cannot leave the format's description behind)."""
    lines = ["| table | columns |", "| --- | --- |"]
    enums: dict[tuple[str, ...], list[str]] = {}
    for table in TABLES:
        cells = []
        for name, kind in archived_columns(table):
            column = table.columns[name]
            cells.append(f"`{name}` {kind}" + (" or null" if column.nullable else ""))
            if kind == "enum":
                values = tuple(cast(Enum, column.type).enums)
                enums.setdefault(values, []).append(f"`{table.name}.{name}`")
        lines.append(f"| `{table.name}` | {', '.join(cells)} |")
    lines += ["", "Enum values:", "", "| column | values |", "| --- | --- |"]
    for values, columns in enums.items():
        lines.append(f"| {', '.join(columns)} | {', '.join(f'`{v}`' for v in values)} |")
    return "\n".join(lines) + "\n"


def _encoder(kind: str) -> Callable[[Any], Any] | None:
    """How a value as SQLite stores it (read without SQLAlchemy's types, for speed) is written;
    None where it is written as it is (integers, text, enums' strings, dates' ISO text)."""
    if kind == "datetime":
        return _stored_datetime
    if kind == "bool":
        return bool
    if kind == "json":
        return json.loads
    if kind == "bytes":
        return lambda v: base64.b64encode(v).decode("ascii")
    return None


def _stored_datetime(text: str) -> str:
    """``2026-01-02 03:04:05.000006`` (SQLAlchemy's SQLite form, UTC) as ISO 8601 with offset."""
    if len(text) == 26 and text[10] == " ":
        return f"{text[:10]}T{text[11:]}+00:00"
    return datetime.fromisoformat(text).replace(tzinfo=UTC).isoformat()  # any other form


def _decode(kind: str, value: Any, column: Any, where: str) -> Any:
    """A JSON value back into what the column holds; refuses what it cannot hold."""
    if value is None:
        if not column.nullable:
            raise ArchiveError(f"{where}: {column.name} is empty, and it may not be.")
        return None
    ok = True
    if kind == "int":
        ok = type(value) is int
    elif kind == "bool":
        ok = type(value) is bool
    elif kind == "str":
        ok = isinstance(value, str)
    elif kind == "enum":
        ok = isinstance(value, str) and value in column.type.enums
        if ok and column.type.enum_class is not None:
            value = column.type.enum_class(value)
    elif kind == "date":
        ok = isinstance(value, str) and bool(_DATE.fullmatch(value))
        value = _parsed(date.fromisoformat, value) if ok else None
        ok = value is not None
    elif kind == "datetime":
        ok = isinstance(value, str) and bool(_DATETIME.fullmatch(value))
        parsed = _parsed(datetime.fromisoformat, value) if ok else None
        ok = parsed is not None
        value = parsed.astimezone(UTC).replace(tzinfo=None) if parsed is not None else None
    elif kind == "bytes":
        try:
            value = base64.b64decode(value, validate=True)
        except (binascii.Error, TypeError, ValueError):
            ok = False
    if not ok:
        raise ArchiveError(f"{where}: {column.name} is not a valid {kind} value.")
    return value


def _parsed(parse: Callable[[str], Any], text: str) -> Any:
    try:
        return parse(text.replace("Z", "+00:00"))
    except ValueError:
        return None


# -- writing ------------------------------------------------------------------------------------
@dataclass
class Written:
    """What an export wrote: rows per table, the number of files, the archive's size."""

    rows: dict[str, int]
    files: int
    size: int
    encrypted: str  # "passphrase", "recipient" or "" (plain)


class _Counting(io.RawIOBase):
    """Writes through to ``target``, hashing and counting (one member of the archive)."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self.sha256.update(view)
        self.size += len(view)
        self.target.write(view)
        return len(view)


@contextmanager
def _in_background(target: IO[bytes] | _Counting) -> Iterator[Callable[[bytes], None]]:
    """A ``write`` that hands the bytes to a thread writing them to ``target``: deflate, the
    hashes and the encryption release the GIL, so they run beside the encoding of the next rows.
    What the thread's write raised is raised here, at the next write or at the end."""
    pending: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
    failed: list[BaseException] = []

    def drain() -> None:
        while (data := pending.get()) is not None:
            if not failed:
                try:
                    target.write(data)
                except BaseException as exc:
                    failed.append(exc)

    def write(data: bytes) -> None:
        if failed:
            raise failed[0]
        pending.put(data)

    worker = threading.Thread(target=drain, name="vrmdesk-archive-write", daemon=True)
    worker.start()
    try:
        yield write
    finally:
        pending.put(None)
        worker.join()
    if failed:
        raise failed[0]


@contextmanager
def _to_recipient(out: BinaryIO, recipient: x25519.Recipient) -> Iterator[BinaryIO]:
    """A writable stream whose bytes go out encrypted to ``recipient`` (pyrage's streaming
    ``encrypt_io`` pulls them through a pipe on a thread of its own)."""
    import pyrage

    read_fd, write_fd = os.pipe()
    target = KeepingWriter(out)
    failed: list[BaseException] = []

    def encrypt() -> None:
        try:
            with os.fdopen(read_fd, "rb", buffering=CHUNK) as source:
                pyrage.encrypt_io(source, target, [recipient])
        except BaseException as exc:
            failed.append(target.error or exc)

    worker = threading.Thread(target=encrypt, name="vrmdesk-archive-age", daemon=True)
    worker.start()
    pipe = os.fdopen(write_fd, "wb", buffering=CHUNK)
    try:
        try:
            yield pipe
        finally:
            with suppress(BrokenPipeError):  # the encryptor stopped: its error is told below
                pipe.close()  # the end of the plaintext: age writes its last chunk
    except BrokenPipeError:
        worker.join()
        if failed:
            raise failed[0] from None
        raise
    finally:
        worker.join()
    if failed:
        error = failed[0]
        if isinstance(error, OSError):
            raise error
        raise ArchiveError(f"The archive could not be encrypted ({error}).") from None


def parse_recipient(text: str) -> x25519.Recipient:
    """An age X25519 recipient (``age1…``), or :class:`ArchiveError` saying what it is not."""
    from pyrage import x25519

    try:
        return x25519.Recipient.from_str(text.strip())
    except Exception:
        raise ArchiveError(
            f"{text.strip()[:80]!r} is not an age recipient (age1…, as age-keygen prints it)."
        ) from None


@contextmanager
def _sealed(
    out: BinaryIO,
    passphrase: str | None,
    recipient: x25519.Recipient | None,
    work_factor: int,
) -> Iterator[IO[bytes]]:
    if passphrase is not None:
        with agepass.encrypting(out, passphrase, work_factor=work_factor) as stream:
            yield cast(IO[bytes], stream)
    elif recipient is not None:
        with _to_recipient(out, recipient) as stream:
            yield stream
    else:
        yield out


def export_archive(
    vault: Vault,
    path: Path,
    *,
    passphrase: str | None = None,
    recipient: x25519.Recipient | None = None,
    with_identity: bool = False,
    work_factor: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Written:
    """Write the whole vault to ``path``: encrypted to ``passphrase`` (age scrypt) or to
    ``recipient`` (age X25519), or plain when neither is given. Atomic: a failure or a cancel
    (whatever ``progress(done, total)`` raises) leaves no file.
    """
    if passphrase is not None and recipient is not None:
        raise ArchiveError("An archive is encrypted to a passphrase or to a recipient, not both.")
    with atomic_output(path, what="the archive") as handle:
        work = agepass.WORK_FACTOR if work_factor is None else work_factor
        with _sealed(handle, passphrase, recipient, work) as sink:
            rows, files = write_zip(vault, sink, with_identity=with_identity, progress=progress)
        handle.flush()
        size = handle.tell()
    encrypted = "passphrase" if passphrase is not None else "recipient" if recipient else ""
    return Written(rows, files, size, encrypted)


def write_zip(
    vault: Vault,
    sink: IO[bytes],
    *,
    with_identity: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, int], int]:
    """The archive's ZIP, streamed into ``sink``: (rows per table, files)."""
    members: list[dict[str, Any]] = []
    rows: dict[str, int] = {}
    created = datetime.now(UTC).replace(microsecond=0)
    with (
        vault.engine.connect() as conn,  # one read transaction: one consistent snapshot
        zipfile.ZipFile(
            sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
        ) as zf,
    ):
        blobs = conn.execute(
            select(m.Blob.name, m.Blob.sha256, m.Blob.size)
            .where(m.Blob.name.in_(select(m.Attachment.blob_name)))
            .order_by(m.Blob.sha256)
        ).all()
        total = sum(b.size for b in blobs) + 1
        done = 0
        driver = conn.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()  # in the same read transaction
        for table in TABLES:
            names = [c for c, _ in archived_columns(table)]
            query: Select[*tuple[Any, ...]] = (
                select(*[column(c) for c in names])  # untyped: the values as stored
                .select_from(table)
                .order_by(*table.primary_key.columns)
            )
            if table.name == m.Meta.__tablename__:
                hidden = set(VAULT_BOUND_META) | (set() if with_identity else {IDENTITY_META_KEY})
                query = query.where(
                    table.c.key.not_in(hidden), ~table.c.key.startswith(VAULT_BOUND_META_PREFIX)
                )
            compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
            cursor.execute(str(compiled))
            name = f"{TABLES_DIR}{table.name}.jsonl"
            with zf.open(name, "w", force_zip64=True) as entry:
                counting = _Counting(entry)
                with _in_background(counting) as write:
                    rows[table.name] = _write_rows(cursor, table, write)
            members.append(
                {"name": name, "size": counting.size, "sha256": counting.sha256.hexdigest()}
            )
        for blob in blobs:
            name = f"{FILES_DIR}{blob.sha256}"
            info = zipfile.ZipInfo(name, date_time=created.timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED  # photos, PDFs: compressed already
            info.file_size = blob.size
            with zf.open(info, "w") as entry:
                counting = _Counting(entry)
                vault.attachments.write_blob_to(
                    blob.name, blob.sha256, counting, shown_as=f"file {blob.sha256[:12]}…"
                )
            members.append({"name": name, "size": counting.size, "sha256": blob.sha256})
            done += blob.size
            if progress is not None:
                progress(done, total)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": created.isoformat(),
            "generator": f"vrmdesk {__version__}",
            "vault_id": vault.header.vault_id,
            "schema_revision": migrate.SCHEMA_HEAD,
            "with_identity": with_identity,
            "tables": {
                t.name: {"rows": rows[t.name], "columns": [c for c, _ in archived_columns(t)]}
                for t in TABLES
            },
            "files": len(blobs),
            "members": members,
        }
        zf.writestr(MANIFEST_NAME, json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    if progress is not None:
        progress(total, total)
    return rows, len(blobs)


def _write_rows(cursor: Any, table: Table, write: Callable[[bytes], None]) -> int:
    columns = archived_columns(table)
    names = [c for c, _ in columns]
    converting = [(i, f) for i, (_, k) in enumerate(columns) if (f := _encoder(k)) is not None]
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    count = 0
    while batch := cursor.fetchmany(BATCH):
        lines = []
        for row in batch:
            values = list(row)
            for i, convert in converting:
                if values[i] is not None:
                    values[i] = convert(values[i])
            lines.append(dumps(dict(zip(names, values, strict=True))))
        write(("\n".join(lines) + "\n").encode("utf-8"))
        count += len(batch)
    return count


# -- reading ------------------------------------------------------------------------------------
@dataclass
class Archive:
    """An archive opened and checked: its ZIP (in a private temporary file when it was
    encrypted), its manifest, and the entries by name. ``close()`` removes the plaintext."""

    zf: zipfile.ZipFile
    entries: dict[str, zipfile.ZipInfo]
    manifest: dict[str, Any]
    encrypted: str
    _closing: list[Callable[[], None]] = field(default_factory=list)

    @property
    def rows(self) -> dict[str, int]:
        return {name: spec["rows"] for name, spec in self.manifest["tables"].items()}

    @property
    def files(self) -> int:
        return int(self.manifest["files"])

    @property
    def with_identity(self) -> bool:
        return bool(self.manifest.get("with_identity"))

    def close(self) -> None:
        self.zf.close()
        while self._closing:
            self._closing.pop()()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_archive(
    path: Path,
    *,
    passphrase: Callable[[], str] | None = None,
    identity_file: Path | None = None,
) -> Archive:
    """Open ``path`` (age to a passphrase, age to a recipient, or a plain ZIP), check every byte
    and every member against the manifest; :class:`ArchiveError` with the reason otherwise.

    ``passphrase()`` is asked only when the archive is encrypted to one.
    """
    path = Path(path)
    closing: list[Callable[[], None]] = []
    try:
        handle, encrypted = _plaintext(path, passphrase, identity_file, closing)
        size = os.fstat(handle.fileno()).st_size
        try:
            zf, entries = check_archive(handle, size, RULES)
        except BundleError as exc:
            raise ArchiveError(str(exc)) from None
        closing.append(zf.close)
        archive = Archive(zf, entries, _manifest(zf, entries), encrypted, closing)
        _check_members(archive)
    except BaseException:
        while closing:
            closing.pop()()
        raise
    return archive


def encryption_of(path: Path) -> str:
    """How the file at ``path`` is encrypted: "passphrase", "recipient" (an age key), or "" (a
    plain ZIP, or no archive at all: opening it says which). For asking the right question."""
    with open_regular(path, ArchiveError, "the archive") as source, reporting(f"reading {path}"):
        head = source.read(256)
    if not head.startswith(AGE_MAGIC):
        return ""
    return "passphrase" if agepass.is_passphrase_file(head) else "recipient"


def _plaintext(
    path: Path,
    passphrase: Callable[[], str] | None,
    identity_file: Path | None,
    closing: list[Callable[[], None]],
) -> tuple[BinaryIO, str]:
    """The archive's ZIP, seekable: the file itself when plain, else decrypted into an unnamed
    temporary file in a private (0700) folder that goes when the archive is closed."""
    source = open_regular(path, ArchiveError, "the archive")
    closing.append(source.close)
    with reporting(f"reading {path}"):
        head = source.read(len(AGE_ARMOR))
        source.seek(0)
    if head.startswith(AGE_ARMOR):
        raise ArchiveError(
            f"{path.name} is age-encrypted in ASCII armor: decrypt it with `age -d` first, "
            "or give the binary file."
        )
    if not head.startswith(AGE_MAGIC):
        return source, ""
    folder = tempfile.mkdtemp(prefix="vrmdesk-archive-")  # 0700
    closing.append(lambda: shutil.rmtree(folder, ignore_errors=True))
    plain = cast(BinaryIO, tempfile.TemporaryFile(prefix="plain-", dir=folder))  # noqa: SIM115
    closing.append(plain.close)
    with reporting(f"decrypting {path.name} (into a temporary file)"):
        if agepass.is_passphrase_file(head):
            if passphrase is None:
                raise ArchiveError(f"{path.name} is encrypted to a passphrase; none was given.")
            secret = passphrase()
            try:
                agepass.decrypt(source, plain, secret)
            except agepass.AgeError as exc:
                raise ArchiveError(f"{path.name}: {exc}") from None
            encrypted = "passphrase"
        else:
            if identity_file is None:
                raise ArchiveError(
                    f"{path.name} is encrypted to an age key: give its identity file "
                    "(--identity FILE, the AGE-SECRET-KEY-1… that age-keygen wrote)."
                )
            _decrypt_with(path, source, plain, load_identities(identity_file))
            encrypted = "recipient"
        plain.flush()
    return plain, encrypted


def _decrypt_with(
    path: Path, source: BinaryIO, plain: BinaryIO, identities: list[x25519.Identity]
) -> None:
    import pyrage

    target = KeepingWriter(plain)
    try:
        pyrage.decrypt_io(source, target, identities)
    except Exception as exc:
        if target.error is not None:  # a full disk: as it is
            raise target.error from None
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        if "no matching keys" in reason.lower():
            raise ArchiveError(f"{path.name} is not encrypted to the age identity given.") from None
        raise ArchiveError(
            f"{path.name} cannot be decrypted: it is damaged or truncated ({reason[:100]})."
        ) from None


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    chunks: list[bytes] = []
    try:
        stream_entry(zf, info, limit=limit, sink=chunks.append)
    except BundleError as exc:
        raise ArchiveError(str(exc)) from None
    return b"".join(chunks)


def _manifest(zf: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo]) -> dict[str, Any]:
    info = entries.get(MANIFEST_NAME)
    if info is None:
        raise ArchiveError(f"The archive has no {MANIFEST_NAME}: it is not a vrmdesk archive.")
    try:
        manifest = parse_json_strict(_read_member(zf, info, MAX_MANIFEST_BYTES), MANIFEST_NAME)
    except BundleError as exc:
        raise ArchiveError(str(exc)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"{MANIFEST_NAME} does not name the format {FORMAT!r}; refused.")
    version = manifest.get("version")
    if type(version) is not int or version < 1:
        raise ArchiveError(f"{MANIFEST_NAME} has no valid format version; refused.")
    if version > VERSION:
        raise ArchiveTooNew(
            f"The archive was made by a newer vrmdesk: format version {version}, this one reads "
            f"{VERSION}. Update vrmdesk to import it."
        )
    _check_shape(manifest)
    return manifest


def _check_shape(manifest: dict[str, Any]) -> None:
    tables, members = manifest.get("tables"), manifest.get("members")
    ok = (
        isinstance(tables, dict)
        and isinstance(members, list)
        and type(manifest.get("files")) is int
        and all(
            isinstance(spec, dict)
            and type(spec.get("rows")) is int
            and spec["rows"] >= 0
            and isinstance(spec.get("columns"), list)
            for spec in tables.values()
        )
        and all(
            isinstance(item, dict)
            and isinstance(item.get("name"), str)
            and type(item.get("size")) is int
            and isinstance(item.get("sha256"), str)
            and re.fullmatch("[0-9a-f]{64}", item["sha256"])
            for item in members
        )
    )
    if not ok:
        raise ArchiveError(f"{MANIFEST_NAME} is damaged (tables, files or members); refused.")
    assert isinstance(tables, dict)
    unknown = sorted(set(tables) - set(TABLE_BY_NAME))
    if unknown:
        raise ArchiveError(
            f"The archive holds tables this vrmdesk does not know ({', '.join(unknown[:5])}); "
            "refused rather than imported in part."
        )
    for name, spec in tables.items():
        expected = [c for c, _ in archived_columns(TABLE_BY_NAME[name])]
        if manifest["version"] < GID_VERSION:
            expected = [c for c in expected if c != "gid"]  # mapped forward: new gids
        if spec["columns"] != expected:
            raise ArchiveError(
                f"The archive's table {name} has other columns than this vrmdesk's "
                f"({', '.join(map(str, spec['columns']))[:120]}); refused."
            )


def _check_members(archive: Archive) -> None:
    """Every entry listed once, of the listed size and hash; every table there, each file named
    by its hash. Reads everything once (the same bytes are read again as they are imported)."""
    listed = {item["name"]: item for item in archive.manifest["members"]}
    present = set(archive.entries) - {MANIFEST_NAME}
    if len(listed) != len(archive.manifest["members"]) or set(listed) != present:
        missing, extra = sorted(set(listed) - present), sorted(present - set(listed))
        raise ArchiveError(
            "The archive's entries and its manifest disagree ("
            + "; ".join(
                filter(
                    None,
                    [
                        f"missing: {', '.join(missing[:3])}" if missing else "",
                        f"not listed: {', '.join(extra[:3])}" if extra else "",
                        "listed twice" if len(listed) != len(archive.manifest["members"]) else "",
                    ],
                )
            )
            + "); refused."
        )
    tables = {f"{TABLES_DIR}{name}.jsonl" for name in archive.manifest["tables"]}
    if {n for n in present if n.startswith(TABLES_DIR)} != tables:
        raise ArchiveError("The archive's tables and its manifest disagree; refused.")
    files = [n for n in present if n.startswith(FILES_DIR)]
    if len(files) != archive.files:
        raise ArchiveError("The archive's files and its manifest disagree; refused.")
    for name, item in listed.items():
        info = archive.entries[name]
        if info.file_size != item["size"]:
            raise ArchiveError(f"The entry {name!r} is not the size the manifest lists; refused.")
        if name.startswith(FILES_DIR) and name[len(FILES_DIR) :] != item["sha256"]:
            raise ArchiveError(f"The file {name!r} is listed with another hash; refused.")
        try:
            _, digest = stream_entry(archive.zf, info, limit=item["size"])
        except BundleError as exc:
            raise ArchiveError(str(exc)) from None
        if digest != item["sha256"]:
            raise ArchiveError(f"The entry {name!r} is damaged (its SHA-256 differs); refused.")


# -- importing ----------------------------------------------------------------------------------
def records_in(session: Session) -> dict[str, int]:
    """Rows per archived table (settings aside) and stored contents: all zero in an empty vault."""
    counts = {
        t.name: session.scalar(select(func.count()).select_from(t)) or 0
        for t in (*TABLES, cast(Table, m.Blob.__table__))
        if t.name != m.Meta.__tablename__
    }
    return {name: n for name, n in counts.items() if n}


def import_archive(
    vault: Vault, archive: Archive, *, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Rebuild the archive's vault into ``vault``, which must hold no records: the same ids, in
    one transaction; rows per table. On any failure nothing is left of it."""
    try:
        with vault.session() as session:
            held = records_in(session)
            if held:
                what = ", ".join(f"{n} {name}" for name, n in sorted(held.items())[:4])
                raise ArchiveError(
                    f"The vault in {vault.folder} is not empty ({what}): an archive is imported "
                    "only into a new or empty vault."
                )
            blob_names = _store_files(vault, session, archive, progress)
            for table in TABLES:
                _insert_table(session, archive, table, blob_names)
            session.flush()
            changelog.baseline(session)  # the rows came in whole: their creates are logged
    except SQLAlchemyError as exc:
        vault.attachments.recover()
        reason = str(getattr(exc, "orig", exc)).splitlines()[0][:120]
        raise ArchiveError(f"The archive's rows do not fit together ({reason}); refused.") from None
    except BaseException:
        vault.attachments.recover()  # the contents stored for it go again
        raise
    return archive.rows


def _store_files(
    vault: Vault,
    session: Session,
    archive: Archive,
    progress: Callable[[int, int], None] | None,
) -> dict[str, str]:
    """Every file into the vault's store (encrypted to its key): SHA-256 -> the new blob name."""
    names: dict[str, str] = {}
    files = sorted(n for n in archive.entries if n.startswith(FILES_DIR))
    total = sum(archive.entries[n].file_size for n in files) + 1
    done = 0
    for name in files:
        info = archive.entries[name]
        sha256 = name[len(FILES_DIR) :]
        with archive.zf.open(info) as source:
            blob = vault.attachments.store_blob(session, cast(BinaryIO, source))
        if blob.sha256 != sha256 or blob.size != info.file_size:
            raise ArchiveError(f"The file {name!r} changed while it was imported; refused.")
        names[sha256] = blob.name
        done += info.file_size
        if progress is not None:
            progress(done, total)
    session.flush()
    return names


def _rows(archive: Archive, table: Table) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row as JSON) of a table's entry; its hash checked again at the end."""
    name = f"{TABLES_DIR}{table.name}.jsonl"
    expected = {item["name"]: item for item in archive.manifest["members"]}[name]
    digest = hashlib.sha256()
    try:
        with archive.zf.open(archive.entries[name]) as source:
            number = 0
            while line := source.readline(MAX_LINE_BYTES + 1):
                number += 1
                digest.update(line)
                if not line.endswith(b"\n"):
                    raise ArchiveError(f"{name} line {number} is too long or not ended; refused.")
                row = parse_json_strict(line, f"{name} line {number}")
                if not isinstance(row, dict):
                    raise ArchiveError(f"{name} line {number} is not a JSON object; refused.")
                yield number, row
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ArchiveError(f"The entry {name!r} is damaged ({exc}).") from None
    except BundleError as exc:
        raise ArchiveError(str(exc)) from None
    if digest.hexdigest() != expected["sha256"]:
        raise ArchiveError(f"The entry {name!r} changed while it was imported; refused.")


def _insert_table(
    session: Session, archive: Archive, table: Table, blob_names: dict[str, str]
) -> None:
    columns = archived_columns(table)
    names = {c for c, _ in columns}
    name = f"{TABLES_DIR}{table.name}.jsonl"
    is_meta = table.name == m.Meta.__tablename__
    batch: list[dict[str, Any]] = []
    count = 0
    new_gids = "gid" in names and archive.manifest["version"] < GID_VERSION
    for number, row in _rows(archive, table):
        where = f"{name} line {number}"
        if new_gids and "gid" not in row:
            row["gid"] = new_gid()
        if set(row) != names:
            odd = sorted(set(row) ^ names)
            raise ArchiveError(f"{where} has other fields than its table ({', '.join(odd[:4])}).")
        values = {c: _decode(k, row[c], table.c[c], where) for c, k in columns}
        if table.name == m.Attachment.__tablename__:
            blob = blob_names.get(values["sha256"])
            if blob is None:
                raise ArchiveError(f"{where}: the archive holds no file {values['sha256']}.")
            values["blob_name"] = blob
        count += 1
        if is_meta:
            _put_setting(session, values, where)
            continue
        batch.append(values)
        if len(batch) == BATCH:
            session.execute(insert(table), batch)
            batch.clear()
    if batch:
        session.execute(insert(table), batch)
    if count != archive.rows.get(table.name):
        raise ArchiveError(f"{name} holds {count} rows, not the number its manifest lists.")


def _put_setting(session: Session, values: dict[str, Any], where: str) -> None:
    """A setting kept (the archive's wins); the vault's own id and attachment key never move."""
    if values["key"] in VAULT_BOUND_META or values["key"].startswith(VAULT_BOUND_META_PREFIX):
        raise ArchiveError(f"{where}: the archive carries another vault's {values['key']}.")
    meta = cast(Table, m.Meta.__table__)
    if session.get(m.Meta, values["key"]) is None:
        session.execute(insert(meta).values(**values))
    else:
        session.execute(
            update(meta).where(meta.c.key == values["key"]).values(value=values["value"])
        )


def import_into_new_vault(
    folder: Path, passphrase: str, archive: Archive, *, kdf: keys.KdfParams | None = None
) -> tuple[dict[str, int], str]:
    """Create a vault in ``folder`` and import the archive into it: (rows per table, the new
    vault's recovery key). If the import fails, the new vault is removed again."""
    made = outermost_missing(folder)
    vault, recovery_key = Vault.create(folder, passphrase, kdf=kdf)
    try:
        with vault:
            rows = import_archive(vault, archive)
    except BaseException:
        discard_new(folder, made)
        raise
    return rows, recovery_key

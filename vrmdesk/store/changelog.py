"""The change log: every committed change of a synced record, written in the same transaction.

Session events (registered on every :class:`~sqlalchemy.orm.Session` when this module is
imported, which :mod:`vrmdesk.store.vault` does) turn each flush into changes of the sync
contract's shape (docs/sync.md): a ``create`` with every field, an ``update`` with the changed
fields and, per field, the ``base`` hlc it replaced (from ``sync_fields``), a ``delete``. They
are stamped with the vault's hybrid logical clock and this device's next sequence number (both
in ``vault_meta``) and inserted into ``sync_log`` on the flush's own connection, so a change
and its log entry commit or roll back together.

What the database does by itself is logged too: deleting a row deletes the rows whose foreign
key says ``ON DELETE CASCADE`` (logged as their deletes) and empties the ones that say
``SET NULL`` (logged as updates). An ORM bulk ``delete()`` of a synced class is logged from the
rows it matches, a bulk ``insert()`` from the rows it made (those without a create in the log);
a bulk ``update()`` is refused (:class:`BulkUpdateRefused`: it cannot be logged per field). Raw SQL
bypasses all of it: :func:`verify` finds what the log does not explain.

``not_capturing(session)`` switches capture off while another device's change is applied
(:mod:`vrmdesk.sync.apply`); :func:`note_applied` then keeps ``sync_fields`` and the log
(under the other device's id and number) in step.

Fields travel under the column's name, except: ``id``, ``gid`` and ``updated_at`` stay local; a
foreign key travels as the referred record's gid under the name without ``_id``; an
attachment's or a tagging's ``owner_id`` as ``owner`` (the gid of the ``owner_kind`` record);
an attachment's content as ``blob`` (its SHA-256; ``blob_name``, the local keyed name, stays).
"""

from __future__ import annotations

import enum
import functools
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Enum,
    Table,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.session import ORMExecuteState
from sqlalchemy.sql.elements import ColumnElement

from vrmdesk.store import models as m
from vrmdesk.store.hlc import Clock

#: the synced record classes, by their kind
SYNCED: dict[str, type[m.Base]] = {
    **{cls.kind: cls for cls in m.RECORD_TYPES},
    m.UnsortedMail.kind: m.UnsortedMail,
    "tag": m.Tag,
    "tagging": m.Tagging,
}


def table_for(cls: type[m.Base]) -> Table:
    return cast(Table, cls.__table__)


KIND_OF_TABLE: dict[str, str] = {table_for(cls).name: kind for kind, cls in SYNCED.items()}
LOCAL_COLUMNS = frozenset({"id", "gid", "updated_at"})
DEVICE_KEY = "sync.device"
CLOCK_KEY = "sync.clock"
SEQ_KEY = "sync.seq"
#: set by restoring a backup: the change number the restored database was at
RESTORED_KEY = "sync.restored_seq"
CAPTURE = "sync.capture"
_PENDING = "sync.pending_deletes"
CREATE_FIELD = ""  # the sync_fields row of a record's create


class BulkUpdateRefused(RuntimeError):
    """A programming error: a bulk UPDATE of synced records would bypass the change log."""


@dataclass(frozen=True)
class FieldSpec:
    """How one column travels: ``how`` is plain, date, datetime, enum, ref, owner or blob."""

    column: str
    field: str
    how: str
    target: str = ""  # ref: the referred table
    enum: type[enum.Enum] | None = None


_SPECS: dict[type[m.Base], tuple[FieldSpec, ...]] = {}


def specs(cls: type[m.Base]) -> tuple[FieldSpec, ...]:
    """The travelling fields of a synced class, in column order."""
    known = _SPECS.get(cls)
    if known is not None:
        return known
    made: list[FieldSpec] = []
    table = table_for(cls)
    for column in table.columns:
        name = column.key
        if name in LOCAL_COLUMNS or (cls is m.Attachment and name == "blob_name"):
            continue
        if cls is m.Attachment and name == "sha256":
            made.append(FieldSpec(name, "blob", "blob"))
        elif name == "owner_id":
            made.append(FieldSpec(name, "owner", "owner"))
        elif column.foreign_keys:
            (fk,) = column.foreign_keys
            made.append(FieldSpec(name, name.removesuffix("_id"), "ref", fk.column.table.name))
        elif isinstance(column.type, Enum) and column.type.enum_class is not None:
            made.append(FieldSpec(name, name, "enum", enum=column.type.enum_class))
        elif isinstance(column.type, DateTime):
            made.append(FieldSpec(name, name, "datetime"))
        elif isinstance(column.type, Date):
            made.append(FieldSpec(name, name, "date"))
        else:
            made.append(FieldSpec(name, name, "plain"))
    _SPECS[cls] = result = tuple(made)
    return result


def table_of(kind: str) -> Table:
    return table_for(SYNCED[kind])


def encode_datetime(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def decode_datetime(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")


class Gids:
    """Local id -> gid of referred rows, looked up once per flush (the identity map first)."""

    def __init__(self, session: Session, conn: Connection) -> None:
        self.session = session
        self.conn = conn
        self.known: dict[tuple[str, int], str] = {}

    def of(self, table: str, ident: int | None) -> str | None:
        if ident is None:
            return None
        key = (table, ident)
        if key not in self.known:
            kind = KIND_OF_TABLE.get(table)
            gid: str | None = None
            if kind is not None:
                obj = self.session.identity_map.get(
                    inspect(SYNCED[kind]).identity_key_from_primary_key((ident,))
                )
                if obj is not None:
                    gid = inspect(obj).dict.get("gid")
                if gid is None:
                    t = table_of(kind)
                    gid = self.conn.execute(select(t.c.gid).where(t.c.id == ident)).scalar()
            self.known[key] = gid or ""
        return self.known[key] or None


def encode(spec: FieldSpec, value: Any, owner_kind: str | None, gids: Gids) -> Any:
    if value is None:
        return None
    if spec.how == "date":
        return value.isoformat() if isinstance(value, date) else value
    if spec.how == "datetime":
        return encode_datetime(value) if isinstance(value, datetime) else value
    if spec.how == "enum":
        return value.value if isinstance(value, enum.Enum) else value
    if spec.how == "ref":
        return gids.of(spec.target, value)
    if spec.how == "owner":
        cls = SYNCED.get(owner_kind or "")
        return gids.of(table_for(cls).name, value) if cls is not None else None
    return value


def encode_row(cls: type[m.Base], values: dict[str, Any], gids: Gids) -> dict[str, Any]:
    """Every travelling field of a row (its column values by column key)."""
    owner_kind = values.get("owner_kind")
    return {s.field: encode(s, values.get(s.column), owner_kind, gids) for s in specs(cls)}


# -- capture ---------------------------------------------------------------------------------
def capturing(session: Session) -> bool:
    return bool(session.info.get(CAPTURE, True))


@contextmanager
def not_capturing(session: Session) -> Iterator[Session]:
    """Changes made in the block are another device's: not logged as this one's."""
    before = session.info.get(CAPTURE, True)
    if before:
        session.flush()  # what was pending is this device's
    session.info[CAPTURE] = False
    try:
        yield session
        session.flush()
    finally:
        session.info[CAPTURE] = before


@dataclass
class _Entry:
    op: str
    kind: str
    gid: str
    fields: dict[str, Any]


def _synced_kind(obj: object) -> str | None:
    cls = type(obj)
    kind = getattr(cls, "kind", None)
    return kind if isinstance(kind, str) and SYNCED.get(kind) is cls else None


def _cascade(conn: Connection, table: Table, ids: list[int]) -> Iterator[_Entry]:
    """What the database will do to other synced rows when rows ``ids`` of ``table`` go."""
    if not ids:
        return
    for kind, cls in SYNCED.items():
        child = table_for(cls)
        for fk in child.foreign_keys:
            if fk.column.table is not table:
                continue
            where = fk.parent.in_(ids)
            if fk.ondelete == "CASCADE":
                rows = conn.execute(select(child.c.id, child.c.gid).where(where)).all()
                for _, gid in rows:
                    yield _Entry("delete", kind, gid, {})
                yield from _cascade(conn, child, [r[0] for r in rows])
            elif fk.ondelete == "SET NULL":
                field = fk.parent.key.removesuffix("_id")
                for (gid,) in conn.execute(select(child.c.gid).where(where)):
                    yield _Entry("update", kind, gid, {field: None})


def _before_flush(session: Session, context: UOWTransaction, instances: object) -> None:
    session.info.pop(_PENDING, None)  # left by a flush that failed: none of it happened
    if not capturing(session) or not session.deleted:
        return
    conn = session.connection()
    pending: list[_Entry] = session.info.setdefault(_PENDING, [])
    by_table: dict[str, list[int]] = {}
    for obj in session.deleted:
        kind = _synced_kind(obj)
        if kind is None:
            continue
        state = inspect(obj)
        gid = state.dict.get("gid") or cast(Any, obj).gid
        pending.append(_Entry("delete", kind, gid, {}))
        by_table.setdefault(kind, []).append(state.dict.get("id") or cast(Any, obj).id)
    for kind, ids in by_table.items():
        pending.extend(_cascade(conn, table_of(kind), ids))


def _changed(obj: object, cls: type[m.Base]) -> dict[str, Any]:
    """The changed columns of a dirty object, by column key, with their new values."""
    state = inspect(obj)
    changed: dict[str, Any] = {}
    relationships = state.mapper.relationships
    for spec in specs(cls):
        history = state.attrs[spec.column].history
        moved = bool(history.added) and list(history.added) != list(history.deleted)
        if not moved and spec.how == "ref":
            moved = any(
                state.attrs[r.key].history.has_changes()
                for r in relationships
                if any(c.key == spec.column for c in r.local_columns)
            )
        if moved:
            changed[spec.column] = state.dict.get(spec.column)
    return changed


@functools.cache
def _rank(kind: str) -> tuple[int, int]:
    """Creates in an order whose references come first (owners before attachments, tags)."""
    table = table_of(kind)
    order = [t.name for t in m.Base.metadata.sorted_tables]
    return ("owner_id" in table.c, order.index(table.name))


def _after_flush(session: Session, context: UOWTransaction) -> None:
    pending: list[_Entry] = session.info.pop(_PENDING, [])
    if not capturing(session):
        return
    conn = session.connection()
    gids = Gids(session, conn)
    entries: list[_Entry] = []
    creates = [(k, o) for o in session.new if (k := _synced_kind(o)) is not None]
    creates.sort(key=lambda pair: _rank(pair[0]))
    for kind, obj in creates:
        values: dict[str, Any] = inspect(obj).dict
        entries.append(
            _Entry("create", kind, values["gid"], encode_row(SYNCED[kind], values, gids))
        )
    for obj in session.dirty:
        dirty_kind = _synced_kind(obj)
        if dirty_kind is None or obj in session.deleted:
            continue
        cls = SYNCED[dirty_kind]
        changed = _changed(obj, cls)
        if changed:
            values = inspect(obj).dict
            assert values is not None
            fields = {
                s.field: encode(s, values.get(s.column), values.get("owner_kind"), gids)
                for s in specs(cls)
                if s.column in changed
            }
            entries.append(_Entry("update", dirty_kind, values["gid"], fields))
    entries.extend(pending)
    write(conn, entries)


def _bulk(state: ORMExecuteState) -> Any:
    if not (state.is_delete or state.is_update or state.is_insert):
        return None
    if not capturing(state.session):
        return None
    mapper = state.bind_mapper
    kind = _synced_kind_of_class(mapper.class_) if mapper is not None else None
    if kind is None:
        return None
    if state.is_update:
        raise BulkUpdateRefused(
            f"A bulk UPDATE of {kind} records would bypass the change log: change the objects."
        )
    if state.is_insert:  # the rows made are the table's rows without a create in the log
        result = state.invoke_statement()
        _log_unlogged(state.session, [kind])
        return result
    table = table_of(kind)
    where: ColumnElement[bool] | None = state.statement.whereclause  # type: ignore[attr-defined]
    query = select(table.c.id, table.c.gid)
    if where is not None:
        query = query.where(where)
    conn = state.session.connection()
    rows = conn.execute(query).all()
    entries = [_Entry("delete", kind, gid, {}) for _, gid in rows]
    entries.extend(_cascade(conn, table, [r[0] for r in rows]))
    write(conn, entries)
    return None


def _synced_kind_of_class(cls: type[Any]) -> str | None:
    kind = getattr(cls, "kind", None)
    return kind if isinstance(kind, str) and SYNCED.get(kind) is cls else None


event.listen(Session, "before_flush", _before_flush)
event.listen(Session, "after_flush", _after_flush)
event.listen(Session, "do_orm_execute", _bulk)


# -- writing the log -------------------------------------------------------------------------
_META = table_for(m.Meta)
_LOG = table_for(m.SyncLog)
_FIELDS = table_for(m.SyncField)


def _meta(conn: Connection, key: str) -> str | None:
    return conn.execute(select(_META.c.value).where(_META.c.key == key)).scalar()


def _set_meta(conn: Connection, key: str, value: str) -> None:
    if conn.execute(update(_META).where(_META.c.key == key).values(value=value)).rowcount == 0:
        conn.execute(insert(_META).values(key=key, value=value))


def device_id(conn: Connection) -> str:
    """This vault's device id (32 hex), made on first use if the migration did not."""
    device = _meta(conn, DEVICE_KEY)
    if device is None:
        device = uuid.uuid4().hex
        _set_meta(conn, DEVICE_KEY, device)
    return device


def clock(conn: Connection) -> Clock:
    """The vault's clock as it was left (save it with :func:`save_clock`)."""
    return Clock(device_id(conn), _meta(conn, CLOCK_KEY))


def save_clock(conn: Connection, clk: Clock) -> None:
    _set_meta(conn, CLOCK_KEY, clk.last)


def _dedupe(entries: Iterable[_Entry]) -> list[_Entry]:
    """One delete per record (a cascade may name it twice); updates of a deleted record go."""
    deleted = {e.gid for e in entries if e.op == "delete"}
    out: list[_Entry] = []
    seen: set[str] = set()
    for e in entries:
        if e.op == "update" and e.gid in deleted:
            continue
        if e.op == "delete":
            if e.gid in seen:
                continue
            seen.add(e.gid)
        out.append(e)
    return out


def write(conn: Connection, entries: list[_Entry]) -> None:
    """Stamp ``entries`` (this device's) and insert them into the log, with their sync_fields."""
    entries = _dedupe(entries)
    if not entries:
        return
    clk = clock(conn)
    seq = int(_meta(conn, SEQ_KEY) or 0)
    updated = [e.gid for e in entries if e.op == "update"]
    known: dict[tuple[str, str], str] = {}
    for chunk in range(0, len(updated), 500):
        ids = updated[chunk : chunk + 500]
        rows = conn.execute(select(_FIELDS).where(_FIELDS.c.gid.in_(ids)))
        known.update({(r.gid, r.field): r.hlc for r in rows})
    log: list[dict[str, Any]] = []
    stamps: dict[tuple[str, str], str] = {}
    gone: list[str] = []
    for e in entries:
        seq += 1
        hlc = clk.now()
        base: dict[str, str | None] | None = None
        if e.op == "create":
            stamps[(e.gid, CREATE_FIELD)] = hlc
        elif e.op == "update":
            base = {}
            for field in e.fields:
                base[field] = known.get((e.gid, field)) or known.get((e.gid, CREATE_FIELD))
                known[(e.gid, field)] = stamps[(e.gid, field)] = hlc
        else:
            gone.append(e.gid)
        log.append(
            {
                "hlc": hlc,
                "device": clk.device,
                "seq": seq,
                "op": e.op,
                "kind": e.kind,
                "gid": e.gid,
                "fields": e.fields,
                "base": base,
            }
        )
    conn.execute(insert(_LOG), log)
    stamp_fields(conn, stamps)
    forget_fields(conn, gone)
    save_clock(conn, clk)
    _set_meta(conn, SEQ_KEY, str(seq))


def stamp_fields(conn: Connection, stamps: dict[tuple[str, str], str]) -> None:
    if stamps:
        rows = [{"gid": g, "field": f, "hlc": h} for (g, f), h in stamps.items()]
        conn.execute(insert(_FIELDS).prefix_with("OR REPLACE"), rows)


def insert_log(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Changes (the contract's shape) into the log as they are: other devices' applied here."""
    if rows:
        conn.execute(
            insert(_LOG),
            [{**r, "base": r.get("base")} for r in rows],
        )


def forget_fields(conn: Connection, gids: list[str]) -> None:
    for chunk in range(0, len(gids), 500):
        conn.execute(delete(_FIELDS).where(_FIELDS.c.gid.in_(gids[chunk : chunk + 500])))


def stamps_of(change: dict[str, Any]) -> dict[tuple[str, str], str]:
    """The sync_fields rows an applied change sets (none for a delete)."""
    if change["op"] == "create":
        return {(change["gid"], CREATE_FIELD): change["hlc"]}
    if change["op"] == "update":
        return {(change["gid"], f): change["hlc"] for f in change["fields"]}
    return {}


def note_applied(session: Session, change: dict[str, Any]) -> None:
    """Another device's change was applied: log it under its own (device, seq), keep
    ``sync_fields`` and the clock in step (so this device's next change is later than it)."""
    conn = session.connection()
    clk = clock(conn)
    clk.observe(change["hlc"])
    save_clock(conn, clk)
    insert_log(conn, [change])
    if change["op"] == "delete":
        forget_fields(conn, [change["gid"]])
    stamp_fields(conn, stamps_of(change))


def is_applied(session: Session, device: str, seq: int) -> bool:
    query = select(_LOG.c.id).where(_LOG.c.device == device, _LOG.c.seq == seq)
    return session.connection().execute(query).first() is not None


def entries(
    session: Session, device: str | None = None, after_seq: int = 0
) -> list[dict[str, Any]]:
    """Log entries in the contract's shape (all devices', or one's after a number), by hlc."""
    query = select(_LOG).order_by(_LOG.c.hlc)
    if device is not None:
        query = query.where(_LOG.c.device == device, _LOG.c.seq > after_seq)
    return [_as_change(row) for row in session.connection().execute(query)]


def _as_change(row: Any) -> dict[str, Any]:
    change = {
        "hlc": row.hlc,
        "device": row.device,
        "seq": row.seq,
        "op": row.op,
        "kind": row.kind,
        "gid": row.gid,
        "fields": row.fields,
    }
    if row.op == "update":
        change["base"] = row.base or {}
    return change


def history(conn: Connection, gids: Iterable[str]) -> list[dict[str, Any]]:
    """Every logged change (every device's) of these records, in the contract's shape."""
    wanted = sorted(set(gids))
    out: list[dict[str, Any]] = []
    for chunk in range(0, len(wanted), 500):
        query = select(_LOG).where(_LOG.c.gid.in_(wanted[chunk : chunk + 500]))
        out.extend(_as_change(row) for row in conn.execute(query))
    return out


def count_after(conn: Connection, device: str, after_seq: int) -> int:
    """How many changes of ``device`` the log holds after number ``after_seq``."""
    query = select(func.count()).select_from(_LOG)
    return int(conn.scalar(query.where(_LOG.c.device == device, _LOG.c.seq > after_seq)) or 0)


def on_delete(cls: type[m.Base], spec: FieldSpec) -> str:
    """What becomes of a row when the record its field refers to goes: "CASCADE" (it goes
    too; an attachment's or tagging's owner counts so) or "SET NULL"."""
    if spec.how == "owner":
        return "CASCADE"
    (fk,) = table_for(cls).c[spec.column].foreign_keys
    return str(fk.ondelete or "CASCADE").upper()


def cascade_of(
    conn: Connection, kind: str, ids: list[int]
) -> list[tuple[str, str, str, dict[str, Any]]]:
    """What the database will do to other synced rows when rows ``ids`` of ``kind`` go, as
    ``(op, kind, gid, fields)``: deletes, and updates that empty a reference."""
    return [(e.op, e.kind, e.gid, dict(e.fields)) for e in _cascade(conn, table_of(kind), ids)]


def renumber_own(conn: Connection, after_seq: int, shift: int) -> None:
    """Move this device's change numbers after ``after_seq`` up by ``shift`` (the numbers a
    restored backup would give again), and the counter with them."""
    if shift <= 0:
        return
    device = device_id(conn)
    mine = (_LOG.c.device == device) & (_LOG.c.seq > after_seq)
    # in two steps: SQLite checks (device, seq) unique row by row
    conn.execute(update(_LOG).where(mine).values(seq=-(_LOG.c.seq + shift)))
    conn.execute(
        update(_LOG).where(_LOG.c.device == device, _LOG.c.seq < 0).values(seq=-_LOG.c.seq)
    )
    _set_meta(conn, SEQ_KEY, str(int(_meta(conn, SEQ_KEY) or 0) + shift))


def log_own(conn: Connection, changes: Iterable[tuple[str, str, str, dict[str, Any]]]) -> None:
    """Log ``(op, kind, gid, fields)`` as this device's changes, stamped as the session events
    stamp them (base from ``sync_fields``): for what the sync writes with capture off and must
    still tell the other devices (a rename that settles two records of one name, a
    resolution)."""
    write(conn, [_Entry(op, kind, gid, dict(fields)) for op, kind, gid, fields in changes])


# -- checking --------------------------------------------------------------------------------
def snapshot(
    session: Session, kinds: Iterable[str] | None = None
) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every synced record (of ``kinds``) as the log would carry it: gid -> (kind, fields)."""
    conn = session.connection()
    gids = Gids(session, conn)
    for kind in SYNCED:  # every id -> gid at once, not a query per reference
        t = table_of(kind)
        for ident, gid in conn.execute(select(t.c.id, t.c.gid)):
            gids.known[(t.name, ident)] = gid
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for kind in kinds or SYNCED:
        cls = SYNCED[kind]
        t = table_of(kind)
        for row in conn.execute(select(t)):
            values = dict(row._mapping)
            enum_specs = [s for s in specs(cls) if s.how == "enum" and s.enum is not None]
            for s in enum_specs:
                if values.get(s.column) is not None and not isinstance(values[s.column], enum.Enum):
                    values[s.column] = s.enum(values[s.column])  # type: ignore[misc]
            out[row.gid] = (kind, encode_row(cls, values, gids))
    return out


def replay(changes: Iterable[dict[str, Any]]) -> dict[str, tuple[str, dict[str, Any]]]:
    """The records the changes make, applied in hlc order (a delete is for good)."""
    state: dict[str, tuple[str, dict[str, Any]]] = {}
    dead: set[str] = set()
    for change in sorted(changes, key=lambda c: str(c["hlc"])):
        gid = change["gid"]
        if gid in dead:
            continue
        if change["op"] == "delete":
            dead.add(gid)
            state.pop(gid, None)
        elif change["op"] == "create":
            state[gid] = (change["kind"], dict(change["fields"]))
        elif gid in state:
            state[gid][1].update(change["fields"])
    return state


def verify(session: Session) -> list[str]:
    """What the log does not explain: rows changed, added or removed around it (raw SQL).

    Empty when replaying the whole log gives exactly the records there are.
    """
    session.flush()
    have = snapshot(session)
    logged = replay(entries(session))
    problems: list[str] = []
    for gid, (kind, fields) in have.items():
        if gid not in logged:
            problems.append(f"{kind} {gid} is not in the change log")
            continue
        for field, value in fields.items():
            if logged[gid][1].get(field) != value:
                problems.append(f"{kind} {gid} field {field} differs from the change log")
    for gid, (kind, _) in logged.items():
        if gid not in have:
            problems.append(f"{kind} {gid} was removed without the change log")
    return problems


def baseline(session: Session) -> int:
    """Log a create for every synced record the log does not know yet (records made before the
    log existed, by an older vrmdesk): the first change sets then carry the whole vault."""
    session.flush()
    return _log_unlogged(session, list(SYNCED))


def _log_unlogged(session: Session, kinds: list[str]) -> int:
    conn = session.connection()
    logged = {gid for (gid,) in conn.execute(select(_LOG.c.gid).where(_LOG.c.op == "create"))}
    have = snapshot(session, kinds)
    missing = [
        _Entry("create", kind, gid, fields)
        for gid, (kind, fields) in have.items()
        if gid not in logged
    ]
    missing.sort(key=lambda e: _rank(e.kind))
    write(conn, missing)
    return len(missing)

"""Applying another device's change to this vault's rows, by global id.

:func:`apply_change` writes one change (create, update, delete) without logging it as this
device's (:func:`vrmdesk.store.changelog.not_capturing`); the change goes into the log under its
own device and number and ``sync_fields`` takes its hlc (:func:`~vrmdesk.store.changelog.
note_applied`), so a second copy of it is skipped and this device's next edit of a field names
it as its base.

Which changes to apply, and in which order, is the merge's (last writer per field, tombstones,
conflicts); this module only writes. A change that cannot be written yet **waits**: a create or
update that refers to a record not here yet (its create is in a set still being synced), or an
attachment whose content is not in the vault's store yet (``blob_name_for`` returns no name).
Nothing of it is written; the result names what is missing, and the caller applies it again
once more changes (or blobs) have arrived. A change **clashes** when it would give a record a
value that must be unique and another record here has (two devices each made a vendor "Bosch",
or captured the same e-mail): nothing is written and it is not logged as applied, so the
merge can decide (rename, or take one for the other) and apply it again.

:class:`Applier` applies many changes in one unit of work (local ids of gids, the clock and the
log's new rows kept in memory, written once by :meth:`Applier.finish`); :func:`apply_change` is
one change with it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import UniqueConstraint, and_, delete, func, select
from sqlalchemy.orm import Session

from vrmdesk.errors import VrmError
from vrmdesk.store import changelog
from vrmdesk.store import models as m
from vrmdesk.sync.changes import Change

APPLIED = "applied"
SKIPPED = "skipped"  # this (device, seq) is applied already
WAITING = "waiting"  # a record or content it needs is not here yet
CLASH = "clash"  # a unique value (a vendor's or tag's name, a Message-ID) another record has

GONE = "gone"  # a change of a record deleted here (its tombstone is kept)


class ApplyError(VrmError):
    """A change that can never be applied here (an unknown kind or field, a bad value)."""


@dataclass(frozen=True)
class Outcome:
    status: str
    #: what a waiting change needs: gids of records, ``blob:<sha256>`` of contents; what a
    #: clashing one collides with: ``<field>=<gid of the record that has the value>``
    missing: list[str] = field(default_factory=list)


def unique_sets(cls: type[m.Base]) -> list[tuple[str, ...]]:
    """The columns whose values no two rows may share (the gid aside)."""
    table = changelog.table_for(cls)
    sets = [
        tuple(c.key for c in con.columns)
        for con in table.constraints
        if isinstance(con, UniqueConstraint)
    ]
    sets += [tuple(c.key for c in ix.columns) for ix in table.indexes if ix.unique]
    return [s for s in sets if s not in (("gid",), ("id",))]


def default_blob_name(session: Session, sha256: str) -> str | None:
    """The stored content with this SHA-256 already in the vault (attached to something else)."""
    return session.scalar(select(m.Blob.name).where(m.Blob.sha256 == sha256).limit(1))


class Applier:
    """Applies other devices' changes in one session, as a context manager::

        with Applier(session) as applier:
            for change in changes:
                applier.apply(change)

    Inside the block nothing is logged as this device's; leaving it flushes and writes the log
    rows, field stamps and clock of what was applied (:meth:`finish`). A create gets its id
    here (the highest + 1), so what refers to it needs no flush; rows are flushed together, or
    before a delete (whose cascade the database works out).
    """

    def __init__(
        self, session: Session, *, blob_name_for: Callable[[str], str | None] | None = None
    ) -> None:
        self.session = session
        self.conn = session.connection()
        self.clock = changelog.clock(self.conn)
        self.blob_name_for = blob_name_for or (lambda sha256: default_blob_name(session, sha256))
        self._ids: dict[tuple[str, str], int | None] = {}
        self._applied: dict[str, set[int]] = {}
        self._loaded: set[str] = set()
        self._tombstones: set[str] | None = None
        self._log: list[dict[str, Any]] = []
        self._stamps: dict[tuple[str, str], str] = {}
        self._gone: list[str] = []
        self._next_ids: dict[str, int] = {}  # table -> the next id to give a new row
        self._unlinked: set[str] = set()  # contents whose attachment was deleted
        self._capture_before = True
        #: what deleting rows took with them here (the database's cascade, the attachments
        #: and taggings they owned), as ``(op, kind, gid, fields)``: see :meth:`take_cascaded`
        self._cascaded: list[tuple[str, str, str, dict[str, Any]]] = []
        #: unique values given in this unit of work, not flushed yet: (class, columns, values)
        #: unique values as they stand in this unit of work (preloaded, or given by its
        #: changes): (class, columns, values) -> gid, and back; classes preloaded whole
        self._unique: dict[tuple[str, tuple[str, ...], tuple[Any, ...]], str] = {}
        self._objects: dict[tuple[str, str], Any] = {}  # preloaded: (kind, gid) -> row
        self._unique_of: dict[
            tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...], tuple[Any, ...]]
        ] = {}
        self._unique_asked: set[tuple[str, tuple[str, ...], tuple[Any, ...]]] = set()
        #: values a record gave up in this unit of work, not flushed yet: whoever takes one
        #: flushes first, so the database sees it given up before it is taken
        self._vacated: set[tuple[str, tuple[str, ...], tuple[Any, ...]]] = set()

    def __enter__(self) -> Applier:
        self._capture_before = changelog.capturing(self.session)
        if self._capture_before:
            self.session.flush()  # what was pending is this device's
        self.session.info[changelog.CAPTURE] = False
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self.finish()
        finally:
            self.session.info[changelog.CAPTURE] = self._capture_before

    # -- lookups -------------------------------------------------------------------------
    def _flush(self) -> None:
        self.session.flush()

    def local_id(self, kind: str, gid: str) -> int | None:
        if kind not in self._loaded:  # a kind's ids at once: a query per kind, not per change
            table = changelog.table_of(kind)
            with self.session.no_autoflush:  # the rows made here have their ids in _ids
                rows = self.session.execute(select(table.c.gid, table.c.id)).all()
            for g, i in rows:
                self._ids.setdefault((kind, g), i)
            self._loaded.add(kind)
        return self._ids.get((kind, gid))

    def is_applied(self, device: str, seq: int) -> bool:
        if device not in self._applied:
            log = changelog.table_for(m.SyncLog)
            query = select(log.c.seq).where(log.c.device == device)
            self._applied[device] = set(self.session.scalars(query))
        return seq in self._applied[device]

    def was_deleted(self, gid: str) -> bool:
        if self._tombstones is None:
            log = changelog.table_for(m.SyncLog)
            self._tombstones = set(
                self.session.scalars(select(log.c.gid).where(log.c.op == "delete"))
            )
        return gid in self._tombstones

    def preload(self, kind: str, gids: list[str]) -> None:
        """Load these records at once (a query per 500, not one per change to them)."""
        cls = changelog.SYNCED[kind]
        table = changelog.table_for(cls)
        wanted = [g for g in gids if (kind, g) not in self._objects]
        with self.session.no_autoflush:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                for obj in self.session.scalars(select(cls).where(table.c.gid.in_(chunk))):
                    self._objects[(kind, obj.gid)] = obj  # type: ignore[attr-defined]

    def preload_unique(self, kind: str, values: list[dict[str, Any]]) -> None:
        """Which records have the single-column unique values (a vendor's name …) of these
        changes' fields, in a query per 500 values, not one per change."""
        cls = changelog.SYNCED[kind]
        table = changelog.table_for(cls)
        by_field = {s.column: s.field for s in changelog.specs(cls)}
        for columns in unique_sets(cls):
            if len(columns) != 1 or by_field.get(columns[0]) != columns[0]:
                continue  # a reference's id, or several columns: asked change by change
            (column,) = columns
            wanted = sorted({v[column] for v in values if isinstance(v.get(column), str)})
            if len(wanted) < 20:
                continue
            with self.session.no_autoflush:
                for start in range(0, len(wanted), 500):
                    chunk = wanted[start : start + 500]
                    query = select(table.c.gid, table.c[column]).where(table.c[column].in_(chunk))
                    for gid, value in self.session.execute(query):
                        key = (cls.__name__, columns, _unique_key(table, columns, {column: value}))
                        if (gid, columns) not in self._unique_of:
                            self._unique.setdefault(key, gid)
                            self._unique_of[(gid, columns)] = key
            self._unique_asked.update(
                (cls.__name__, columns, _unique_key(table, columns, {column: v})) for v in wanted
            )

    def _give(
        self,
        gid: str,
        columns: tuple[str, ...],
        key: tuple[str, tuple[str, ...], tuple[Any, ...]],
    ) -> None:
        old = self._unique_of.get((gid, columns))
        if old is not None and self._unique.get(old) == gid:
            del self._unique[old]  # the record's value before this change
            self._vacated.add(old)
        self._unique[key] = gid
        self._unique_of[(gid, columns)] = key

    def gave(self, kind: str, gid: str, values: dict[str, Any]) -> None:
        """The record was given these (unique) values outside :meth:`write` (a rename that
        settles a clash): later changes in this unit of work are checked against them."""
        cls = changelog.SYNCED[kind]
        table = changelog.table_for(cls)
        for columns in unique_sets(cls):
            if all(values.get(c) is not None for c in columns):
                self._give(
                    gid, columns, (cls.__name__, columns, _unique_key(table, columns, values))
                )

    def forget_unique(self, kind: str, gid: str) -> None:
        """The record no longer holds the unique values known of it (deleted, renamed)."""
        for columns in unique_sets(changelog.SYNCED[kind]):
            old = self._unique_of.pop((gid, columns), None)
            if old is not None and self._unique.get(old) == gid:
                del self._unique[old]
                self._vacated.add(old)

    def _object(self, cls: type[m.Base], kind: str, gid: str) -> Any:
        obj = self._objects.get((kind, gid))
        if obj is None:
            with self.session.no_autoflush:
                obj = self.session.get(cls, self.local_id(kind, gid))
        return obj

    # -- applying ------------------------------------------------------------------------
    def apply(self, change: Change) -> Outcome:
        """Write one change of another device (see the module's docstring)."""
        cls = changelog.SYNCED.get(change.kind)
        if cls is None:
            raise ApplyError(f"Change {change.seq} of device {change.device}: unknown kind.")
        if self.is_applied(change.device, change.seq):
            return Outcome(SKIPPED)
        if changelog.capturing(self.session):
            raise RuntimeError("an Applier applies inside its with block")
        outcome = self._write(cls, change)
        if outcome.status in (APPLIED, GONE):  # a waiting or clashing change comes again
            self._noted(change)
        return outcome

    def write(self, change: Change) -> Outcome:
        """Write a change to the rows as it is, without logging it or asking whether it was
        applied: for the merge's outcome (:mod:`vrmdesk.sync.engine` logs what came in)."""
        cls = changelog.SYNCED.get(change.kind)
        if cls is None:
            raise ApplyError(f"A change of the unknown kind {change.kind!r}.")
        return self._write(cls, change)

    def _write(self, cls: type[m.Base], change: Change) -> Outcome:
        ident = self.local_id(change.kind, change.gid)
        if ident is None:
            if change.op == "create" and not self.was_deleted(change.gid):
                return self._create(cls, change)
            # a delete of what is not here: gone already (with its parent, by the database's
            # cascade) or never here; a change of a deleted record: gone for good (tombstone)
            if change.op == "update" and not self.was_deleted(change.gid):
                return Outcome(WAITING, [change.gid])
            return Outcome(GONE)
        if change.op == "create":
            return Outcome(APPLIED)  # here already (the same create, logged another way)
        if change.op == "update":
            missing: list[str] = []
            values = self._decode(cls, change, missing)
            if missing:
                return Outcome(WAITING, missing)
            obj = self._object(cls, change.kind, change.gid)
            current = {c: getattr(obj, c) for u in unique_sets(cls) for c in u}
            clash = self._clash(cls, change, {**current, **values}, changed=set(values))
            if clash:
                return Outcome(CLASH, clash)
            for key, value in values.items():
                setattr(obj, key, value)
            return Outcome(APPLIED)
        self._flush()
        obj = self.session.get(cls, self.local_id(change.kind, change.gid))
        blob = obj.blob_name if isinstance(obj, m.Attachment) else None
        ident = self.local_id(change.kind, change.gid)
        assert ident is not None
        self._take_owned(change.kind, [ident])
        cascade = changelog.cascade_of(self.conn, change.kind, [ident])
        self._cascaded.extend(cascade)
        for op, kind, gid, _fields in cascade:
            if op == "delete":
                child = self.local_id(kind, gid)
                if child is not None:
                    self._take_owned(kind, [child])
        self.session.delete(obj)
        self.session.flush()
        self.forget_unique(change.kind, change.gid)
        for op, kind, gid, _fields in cascade:
            if op == "delete":
                self.forget_unique(kind, gid)
        # what the cascade took (every synced row of it is in ``cascade``) is no longer here
        self._ids[(change.kind, change.gid)] = None
        self._objects.pop((change.kind, change.gid), None)
        for op, kind, gid, _fields in cascade:
            if op == "delete":
                self._ids[(kind, gid)] = None
        if blob is not None:  # when the block ends: a later change may attach it again
            self._unlinked.add(blob)
        return Outcome(APPLIED)

    def _create(self, cls: type[m.Base], change: Change) -> Outcome:
        missing: list[str] = []
        values = self._decode(cls, change, missing)
        if missing:
            return Outcome(WAITING, missing)
        clash = self._clash(cls, change, values)
        if clash:
            return Outcome(CLASH, clash)
        obj = cls(gid=change.gid, **values)
        # its id given here, so that what refers to it needs no flush to learn it (the only
        # writer of the vault in this unit of work: the unit lock, the vault's file lock)
        obj.id = self._next_id(cls)  # type: ignore[attr-defined]
        self.session.add(obj)
        self.local_id(change.kind, change.gid)  # the kind's ids are loaded (or loaded now)
        self._ids[(change.kind, change.gid)] = obj.id  # type: ignore[attr-defined]
        self._objects[(change.kind, change.gid)] = obj  # not in the identity map until flushed
        return Outcome(APPLIED)

    def _next_id(self, cls: type[m.Base]) -> int:
        table = changelog.table_for(cls)
        if table.name not in self._next_ids:
            with self.session.no_autoflush:
                highest = self.session.scalar(select(func.max(table.c.id)))
            self._next_ids[table.name] = (highest or 0) + 1
        ident = self._next_ids[table.name]
        self._next_ids[table.name] += 1
        return int(ident)

    def _take_owned(self, kind: str, ids: list[int]) -> None:
        """The attachments and taggings of rows about to go go with them (no foreign key
        says so: their owner is a kind and an id)."""
        rows: list[m.Attachment | m.Tagging] = [
            *self.session.scalars(
                select(m.Attachment).where(
                    m.Attachment.owner_kind == kind, m.Attachment.owner_id.in_(ids)
                )
            ),
            *self.session.scalars(
                select(m.Tagging).where(m.Tagging.owner_kind == kind, m.Tagging.owner_id.in_(ids))
            ),
        ]
        for row in rows:
            self._cascaded.append(("delete", row.kind, row.gid, {}))
            self._ids[(row.kind, row.gid)] = None
            blob = row.blob_name if isinstance(row, m.Attachment) else None
            self.session.delete(row)
            self.session.flush()
            if blob is not None:  # when the block ends: a later change may attach it again
                self._unlinked.add(blob)

    def take_cascaded(self) -> list[tuple[str, str, str, dict[str, Any]]]:
        """What deletes applied since the last call took with them here (and forget it)."""
        taken, self._cascaded = self._cascaded, []
        return taken

    def _clash(
        self,
        cls: type[m.Base],
        change: Change,
        values: dict[str, Any],
        changed: set[str] | None = None,
    ) -> list[str]:
        """Unique values of ``values`` another record has (in the database's own collation)."""
        table = changelog.table_for(cls)
        found: list[str] = []
        for columns in unique_sets(cls):
            if changed is not None and not changed & set(columns):
                continue
            if any(values.get(c) is None for c in columns):
                continue  # NULLs never collide
            key = (cls.__name__, columns, _unique_key(table, columns, values))
            other = self._unique.get(key)
            if other is None and key not in self._unique_asked:
                query = select(table.c.gid).where(
                    and_(*(table.c[c] == values[c] for c in columns)), table.c.gid != change.gid
                )
                with self.session.no_autoflush:  # what is pending is in _unique
                    other = self.session.scalar(query.limit(1))
                if other is not None and self._unique_of.get((other, columns), key) != key:
                    other = None  # it had the value; it was given another in this batch
            if other is not None and other != change.gid:
                found.append(f"{'+'.join(columns)}={other}")
            elif key in self._vacated:
                self._vacated.discard(key)
                self.session.flush()  # the record that gave it up, before this one takes it
        if not found:
            for columns in unique_sets(cls):
                if all(values.get(c) is not None for c in columns) and (
                    changed is None or changed & set(columns)
                ):
                    self._give(
                        change.gid,
                        columns,
                        (cls.__name__, columns, _unique_key(table, columns, values)),
                    )
        return found

    def _noted(self, change: Change) -> None:
        data = change.to_json()
        self.clock.observe(change.hlc)
        self._log.append(data)
        self._applied.setdefault(change.device, set()).add(change.seq)
        if change.op == "delete":
            self.was_deleted(change.gid)  # the tombstones known, then this one
            assert self._tombstones is not None
            self._tombstones.add(change.gid)
            self._gone.append(change.gid)
        self._stamps.update(changelog.stamps_of(data))

    def finish(self) -> None:
        """Write what the applied changes leave: their log rows, field stamps, the clock."""
        self._flush()
        for blob in sorted(self._unlinked):
            _drop_unused_blob(self.session, blob)
        self._unlinked.clear()
        changelog.insert_log(self.conn, self._log)
        changelog.stamp_fields(self.conn, self._stamps)
        changelog.forget_fields(self.conn, self._gone)
        changelog.save_clock(self.conn, self.clock)
        self._log, self._stamps, self._gone = [], {}, []

    # -- values --------------------------------------------------------------------------
    def _decode(self, cls: type[m.Base], change: Change, missing: list[str]) -> dict[str, Any]:
        """Column values of the change's fields (local ids for gids); what is missing is noted."""
        by_field = {s.field: s for s in changelog.specs(cls)}
        unknown = set(change.fields) - set(by_field)
        if unknown:
            raise ApplyError(
                f"Change {change.seq} of device {change.device} names fields a {change.kind} "
                f"has not ({', '.join(sorted(unknown)[:4])})."
            )
        owner_kind = change.fields.get("owner_kind")
        if owner_kind is None and change.op == "update" and "owner" in change.fields:
            table = changelog.table_of(change.kind)
            query = select(table.c.owner_kind).where(table.c.gid == change.gid)
            owner_kind = self.session.scalar(query)
        values: dict[str, Any] = {}
        for name, value in change.fields.items():
            spec = by_field[name]
            try:
                values[spec.column] = self._value(spec, value, owner_kind, missing)
            except (TypeError, ValueError, KeyError) as exc:
                raise ApplyError(
                    f"Change {change.seq} of device {change.device}: {change.kind} field {name} "
                    f"has no valid value ({exc})."
                ) from None
            if spec.how == "blob" and value is not None:
                values["blob_name"] = self.blob_name_for(value)
                if values["blob_name"] is None:
                    missing.append(f"blob:{value}")
        return values

    def _value(
        self, spec: changelog.FieldSpec, value: Any, owner_kind: Any, missing: list[str]
    ) -> Any:
        if value is None:
            return None
        if spec.how == "date":
            return date.fromisoformat(value)
        if spec.how == "datetime":
            return changelog.decode_datetime(value)
        if spec.how == "enum":
            assert spec.enum is not None
            member: enum.Enum = spec.enum(value)
            return member
        if spec.how in ("ref", "owner"):
            kind = changelog.KIND_OF_TABLE[spec.target] if spec.how == "ref" else str(owner_kind)
            if kind not in changelog.SYNCED:
                raise ValueError(f"an owner of unknown kind {kind!r}")
            if not isinstance(value, str):
                raise TypeError("a reference is a gid")
            ident = self.local_id(kind, value)  # made in this batch too: its id is given
            if ident is None:
                missing.append(value)
            return ident
        return value


def _unique_key(table: Any, columns: tuple[str, ...], values: dict[str, Any]) -> tuple[Any, ...]:
    """Values as the column compares them (``NOCASE``: ASCII letters in any case are equal)."""
    out: list[Any] = []
    for c in columns:
        value = values[c]
        collation = getattr(table.c[c].type, "collation", None)
        if collation and str(collation).upper() == "NOCASE" and isinstance(value, str):
            value = value.translate(_ASCII_LOWER)
        out.append(value)
    return tuple(out)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def apply_change(
    session: Session,
    change: Change,
    *,
    blob_name_for: Callable[[str], str | None] | None = None,
) -> Outcome:
    """Write one change of another device into this vault (see the module's docstring)."""
    with Applier(session, blob_name_for=blob_name_for) as applier:
        return applier.apply(change)


def _drop_unused_blob(session: Session, blob_name: str) -> None:
    """The content's row goes with its last attachment (its file is swept by the store)."""
    used = session.scalar(
        select(func.count()).select_from(m.Attachment).where(m.Attachment.blob_name == blob_name)
    )
    if not used:
        session.execute(delete(m.Blob).where(m.Blob.name == blob_name))

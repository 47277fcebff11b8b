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
once more changes (or blobs) have arrived.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from vrmdesk.errors import VrmError
from vrmdesk.store import changelog
from vrmdesk.store import models as m
from vrmdesk.sync.changes import Change

APPLIED = "applied"
SKIPPED = "skipped"  # this (device, seq) is applied already
WAITING = "waiting"  # a record or content it needs is not here yet
GONE = "gone"  # a change of a record deleted here (its tombstone is kept)


class ApplyError(VrmError):
    """A change that can never be applied here (an unknown kind or field, a bad value)."""


@dataclass(frozen=True)
class Outcome:
    status: str
    #: what a waiting change needs: gids of records, ``blob:<sha256>`` of contents
    missing: list[str] = field(default_factory=list)


def default_blob_name(session: Session, sha256: str) -> str | None:
    """The stored content with this SHA-256 already in the vault (attached to something else)."""
    return session.scalar(select(m.Blob.name).where(m.Blob.sha256 == sha256).limit(1))


def _local_id(session: Session, kind: str, gid: str) -> int | None:
    table = changelog.table_of(kind)
    return session.scalar(select(table.c.id).where(table.c.gid == gid))


def _kind_of_table(table: str) -> str:
    return changelog.KIND_OF_TABLE[table]


def _decode(
    session: Session,
    change: Change,
    cls: type[m.Base],
    blob_name_for: Callable[[str], str | None],
    missing: list[str],
) -> dict[str, Any]:
    """Column values of the change's fields (local ids for gids); what is missing is noted."""
    by_field = {s.field: s for s in changelog.specs(cls)}
    unknown = set(change.fields) - set(by_field)
    if unknown:
        raise ApplyError(
            f"Change {change.seq} of device {change.device} names fields a {change.kind} has "
            f"not ({', '.join(sorted(unknown)[:4])})."
        )
    owner_kind = change.fields.get("owner_kind")
    if owner_kind is None and change.op == "update" and "owner" in change.fields:
        table = changelog.table_of(change.kind)
        owner_kind = session.scalar(select(table.c.owner_kind).where(table.c.gid == change.gid))
    values: dict[str, Any] = {}
    for name, value in change.fields.items():
        spec = by_field[name]
        try:
            values[spec.column] = _value(session, spec, value, owner_kind, blob_name_for, missing)
        except (TypeError, ValueError, KeyError) as exc:
            raise ApplyError(
                f"Change {change.seq} of device {change.device}: {change.kind} field {name} has "
                f"no valid value ({exc})."
            ) from None
        if spec.how == "blob" and value is not None:
            values["blob_name"] = blob_name_for(value)
            if values["blob_name"] is None:
                missing.append(f"blob:{value}")
    return values


def _value(
    session: Session,
    spec: changelog.FieldSpec,
    value: Any,
    owner_kind: Any,
    blob_name_for: Callable[[str], str | None],
    missing: list[str],
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
        kind = _kind_of_table(spec.target) if spec.how == "ref" else str(owner_kind)
        if kind not in changelog.SYNCED:
            raise ValueError(f"an owner of unknown kind {kind!r}")
        ident = _local_id(session, kind, value)
        if ident is None:
            missing.append(value)
        return ident
    return value


def apply_change(
    session: Session,
    change: Change,
    *,
    blob_name_for: Callable[[str], str | None] | None = None,
) -> Outcome:
    """Write one change of another device into this vault (see the module's docstring)."""
    cls = changelog.SYNCED.get(change.kind)
    if cls is None:
        raise ApplyError(f"Change {change.seq} of device {change.device}: unknown kind.")
    if changelog.is_applied(session, change.device, change.seq):
        return Outcome(SKIPPED)

    def blob_default(sha256: str) -> str | None:
        return default_blob_name(session, sha256)

    resolve = blob_name_for or blob_default
    ident = _local_id(session, change.kind, change.gid)
    with changelog.not_capturing(session):
        if change.op == "create":
            if ident is None and _was_deleted(session, change.gid):
                changelog.note_applied(session, change.to_json())
                return Outcome(GONE)  # a tombstone stays: whatever arrives later
            if ident is None:
                missing: list[str] = []
                values = _decode(session, change, cls, resolve, missing)
                if missing:
                    return Outcome(WAITING, missing)
                session.add(cls(gid=change.gid, **values))
        elif ident is None:
            # a delete of what is not here: gone already (with its parent, by the database's
            # cascade), or not yet arrived; either way its tombstone is kept in the log
            if change.op == "update" and not _was_deleted(session, change.gid):
                return Outcome(WAITING, [change.gid])
            changelog.note_applied(session, change.to_json())
            return Outcome(GONE)
        elif change.op == "update":
            missing = []
            values = _decode(session, change, cls, resolve, missing)
            if missing:
                return Outcome(WAITING, missing)
            obj = session.get(cls, ident)
            for key, value in values.items():
                setattr(obj, key, value)
        else:
            obj = session.get(cls, ident)
            blob = obj.blob_name if isinstance(obj, m.Attachment) else None
            session.delete(obj)
            session.flush()
            if blob is not None:
                _drop_unused_blob(session, blob)
    changelog.note_applied(session, change.to_json())
    return Outcome(APPLIED)


def _was_deleted(session: Session, gid: str) -> bool:
    log = changelog.table_for(m.SyncLog)
    query = select(log.c.id).where(log.c.gid == gid, log.c.op == "delete").limit(1)
    return session.scalar(query) is not None


def _drop_unused_blob(session: Session, blob_name: str) -> None:
    """The content's row goes with its last attachment (its file is swept by the store)."""
    used = session.scalar(
        select(func.count()).select_from(m.Attachment).where(m.Attachment.blob_name == blob_name)
    )
    if not used:
        session.execute(delete(m.Blob).where(m.Blob.name == blob_name))

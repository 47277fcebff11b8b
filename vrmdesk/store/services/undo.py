"""Undo for deletes: a delete returns a snapshot of everything it removed; undo puts it back.

The snapshot holds the rows (with their ids, so links from elsewhere still fit), the records the
delete cascaded to, and the attachment links and tags of all of them. Attachment contents stay
on disk until the vault closes, so an undo within the session gets them back too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from vrmdesk.store import models as m
from vrmdesk.store.attachments import AttachmentStore
from vrmdesk.store.services import records


@dataclass
class Snapshot:
    label: str
    #: (model class, column values) in the order they must be re-inserted
    rows: list[tuple[type[m.Base], dict[str, Any]]] = field(default_factory=list)


def _values(obj: m.Base) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in inspect(type(obj)).columns}


def _owned(session: Session, kind: str, ids: list[int]) -> list[m.Base]:
    if not ids:
        return []
    links = list(
        session.scalars(
            select(m.Attachment).where(
                m.Attachment.owner_kind == kind, m.Attachment.owner_id.in_(ids)
            )
        )
    )
    blobs = [session.get(m.Blob, a.blob_name) for a in links]
    taggings = session.scalars(
        select(m.Tagging).where(m.Tagging.owner_kind == kind, m.Tagging.owner_id.in_(ids))
    )
    return [*(b for b in blobs if b is not None), *links, *taggings]


#: a kind whose name a person does not say (the interface calls an asset a thing)
_NOUNS = {"asset": "thing", "attachment": "file"}


def _label(obj: m.Record) -> str:
    """What Undo and the status bar call the record: ``thing “Dishwasher”``."""
    noun = _NOUNS.get(obj.kind, obj.kind.replace("_", " "))
    return f"{noun} “{records.title_of(obj)}”"


def delete_with_undo(
    session: Session,
    cls: type[m.Record],
    record_id: int,
    *,
    attachments: AttachmentStore,
    cascade: bool = False,
) -> Snapshot:
    """Delete like :func:`records.delete_record` and return what undo needs."""
    obj = records.get(session, cls, record_id)
    snapshot = Snapshot(label=_label(obj))
    if isinstance(obj, m.Attachment):
        # the content row goes too when this is its last link; it must come back first
        snapshot.rows.append((m.Blob, _values(obj.blob)))
    snapshot.rows.append((cls, _values(obj)))
    children: list[m.Record] = []
    for child_cls, column in records.CASCADE_CHILDREN.get(cls, ()):
        for child in session.scalars(select(child_cls).where(getattr(child_cls, column) == obj.id)):
            children.append(child)
            snapshot.rows.append((child_cls, _values(child)))
    # records whose link to this one the database will clear (SET NULL)
    nulled = _set_null_links(session, obj)
    owned = _owned(session, obj.kind, [obj.id])
    for child in children:
        owned += _owned(session, child.kind, [child.id])
    seen: set[tuple[type, Any]] = set()
    for row in owned:
        key = (type(row), inspect(row).identity)
        if key not in seen:
            seen.add(key)
            snapshot.rows.append((type(row), _values(row)))
    snapshot.rows.extend(nulled)
    records.delete_record(session, cls, record_id, attachments=attachments, cascade=cascade)
    return snapshot


def _set_null_links(session: Session, obj: m.Record) -> list[tuple[type[m.Base], dict[str, Any]]]:
    """Rows elsewhere whose foreign key to ``obj`` becomes NULL: kept to relink on undo."""
    relinks: list[tuple[type[m.Base], dict[str, Any]]] = []
    table = type(obj).__table__
    for cls in m.RECORD_TYPES:
        for column in cls.__table__.columns:
            for fk in column.foreign_keys:
                if fk.column.table is table and fk.ondelete == "SET NULL":
                    ids = list(session.scalars(select(cls.id).where(column == obj.id)))
                    for record_id in ids:
                        relinks.append(
                            (cls, {"id": record_id, column.key: obj.id, "__relink__": True})
                        )
    return relinks


def undo(session: Session, snapshot: Snapshot) -> None:
    """Put back what a delete removed (in one transaction, with the original ids)."""
    for cls, values in snapshot.rows:
        if values.get("__relink__"):
            continue
        if cls is m.Blob and session.get(m.Blob, values["name"]) is not None:
            continue
        session.add(cls(**values))
        session.flush()
    for cls, values in snapshot.rows:
        if values.get("__relink__"):
            target = session.get(cls, values["id"])
            if target is not None:
                for key, value in values.items():
                    if key not in ("id", "__relink__"):
                        setattr(target, key, value)
    session.flush()

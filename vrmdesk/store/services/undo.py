"""Undo and redo for deletes and edits: each returns a step that can be undone and redone.

A delete returns a :class:`Snapshot` of everything it removed; undo puts it back. The snapshot
holds the rows (with their ids, so links from elsewhere still fit), the records the delete
cascaded to, and the attachment links and tags of all of them. Attachment contents stay on disk
until the vault closes, so an undo within the session gets them back too. Redo deletes again.

An edit returns an :class:`Edit`: the record's editable values before and after. Undo writes the
values before back through the same rules as any edit (derived fields follow: a warranty's end,
an agreement's notice deadline), redo the values after. A record deleted meanwhile, or a value
another record took since (a vendor's name), is refused with a message and changes nothing.

Actions that are neither (Done and Snooze on the home page, ``marks``) return a :class:`Created`
(a record they made, deleted on undo) or a :class:`RowChange` (a row of a table that is no
record, set back as it was). The caller keeps the steps (the GUI a stack per unlocked session);
:func:`undo_step` and :func:`redo_step` take any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vrmdesk.errors import NotFound, ValidationError
from vrmdesk.store import models as m
from vrmdesk.store.attachments import AttachmentStore
from vrmdesk.store.services import records, tags


@dataclass
class Snapshot:
    label: str
    #: (model class, column values) in the order they must be re-inserted
    rows: list[tuple[type[m.Base], dict[str, Any]]] = field(default_factory=list)
    #: the record deleted and how (for redo)
    cls: type[m.Record] | None = None
    record_id: int = 0
    cascade: bool = False

    @property
    def action(self) -> str:
        """What undoing it undoes, for a menu: "delete of ticket “Leaks”"."""
        return f"delete of {self.label}"


@dataclass
class Edit:
    """An edit of one record: its editable values before and after."""

    kind: str
    record_id: int
    #: the record's title after the edit ("Bosch dishwasher")
    label: str
    before: dict[str, Any]
    after: dict[str, Any]
    #: what the step was, as the menu says it before the label
    verb: str = "edit of"

    @property
    def action(self) -> str:
        """What undoing it undoes, for a menu: "edit of Bosch dishwasher"."""
        return f"{self.verb} {self.label}"

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class Created:
    """A record made by an action (a service recorded as done): undo deletes it again."""

    cls: type[m.Record]
    record_id: int
    label: str
    verb: str
    #: what the undo deleted, for redo to put back
    snapshot: Snapshot | None = None

    @property
    def action(self) -> str:
        return f"{self.verb} {self.label}"


@dataclass
class RowChange:
    """One row of a table that is no record (a mark on a home page item) set, changed or
    removed: its values before and after (None: there was, or is, no such row)."""

    cls: type[m.Base]
    #: the columns that find the row
    key: dict[str, Any]
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    label: str
    verb: str

    @property
    def action(self) -> str:
        return f"{self.verb} {self.label}"


Step: TypeAlias = Snapshot | Edit | Created | RowChange


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
    snapshot = Snapshot(label=_label(obj), cls=cls, record_id=record_id, cascade=cascade)
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


def _reborn(values: dict[str, Any]) -> dict[str, Any]:
    """A row put back gets a new global id: a deleted one stays deleted on every device it
    synced to (a tombstone, docs/sync.md), so what comes back is, to them, a new record."""
    return {k: v for k, v in values.items() if k != "gid"}


def undo(session: Session, snapshot: Snapshot) -> None:
    """Put back what a delete removed (in one transaction, with the original ids)."""
    for cls, values in snapshot.rows:
        if values.get("__relink__"):
            continue
        if cls is m.Blob and session.get(m.Blob, values["name"]) is not None:
            continue
        session.add(cls(**_reborn(values)))
        session.flush()
    for cls, values in snapshot.rows:
        if values.get("__relink__"):
            target = session.get(cls, values["id"])
            if target is not None:
                for key, value in values.items():
                    if key not in ("id", "__relink__"):
                        setattr(target, key, value)
    session.flush()


#: the key of an edit's values that holds the record's tags (not a column: ``tags.set_tags``)
TAGS = "tags"


def _editable(session: Session, obj: m.Record) -> dict[str, Any]:
    values = {name: getattr(obj, name) for name in records.editable_fields(type(obj))}
    values[TAGS] = tags.tags_of(session, obj)
    return values


def edit_with_undo(
    session: Session,
    kind: str,
    record_id: int,
    *,
    verb: str = "edit of",
    tag_names: list[str] | None = None,
    **fields: Any,
) -> Edit:
    """Update a record like :func:`records.update` (and its tags, unless ``tag_names`` is
    None) and return what undo needs: the values and tags before and after."""
    cls = m.RECORD_BY_KIND.get(kind)
    if cls is None:
        raise NotFound(f"Unknown kind of record {kind!r}.")
    before = _editable(session, records.get(session, cls, record_id))
    obj = records.update(session, cls, record_id, **fields)
    if tag_names is not None:
        tags.set_tags(session, obj, tag_names)
    return Edit(kind, record_id, records.title_of(obj), before, _editable(session, obj), verb)


def _write(session: Session, edit: Edit, values: dict[str, Any]) -> None:
    columns = dict(values)
    tag_names = columns.pop(TAGS, None)
    try:
        obj = records.update(session, m.RECORD_BY_KIND[edit.kind], edit.record_id, **columns)
        if tag_names is not None:
            tags.set_tags(session, obj, tag_names)
    except IntegrityError:
        raise ValidationError(
            f"The {edit.action} cannot be undone or redone: another record now has one of "
            "its values."
        ) from None


def set_row(session: Session, change: RowChange, values: dict[str, Any] | None) -> None:
    """Make the row of ``change`` hold ``values`` (its ``before`` or ``after``), or be gone."""
    query = select(change.cls).filter_by(**change.key)
    for row in session.scalars(query):
        session.delete(row)
    session.flush()
    if values is not None:
        session.add(change.cls(**change.key, **_reborn(values)))
        session.flush()


def row_change(
    session: Session,
    cls: type[m.Base],
    key: dict[str, Any],
    values: dict[str, Any] | None,
    *,
    label: str,
    verb: str,
) -> RowChange:
    """Set a row (found by ``key``) to ``values`` (None: remove it), returning what undo needs."""
    existing = session.scalars(select(cls).filter_by(**key)).first()
    before = None
    if existing is not None:
        before = {k: v for k, v in _values(existing).items() if k not in key and k != "id"}
    change = RowChange(cls, dict(key), before, values, label, verb)
    set_row(session, change, values)
    return change


def undo_step(session: Session, step: Step, *, attachments: AttachmentStore | None = None) -> None:
    """Undo a delete (put it back), an edit (the values before), a record made (delete it), a
    row changed (the row as it was). Deleting a record made needs the vault's ``attachments``."""
    if isinstance(step, Edit):
        _write(session, step, step.before)
        return
    if isinstance(step, RowChange):
        set_row(session, step, step.before)
        return
    if isinstance(step, Created):
        if attachments is None:
            raise ValueError("undoing a record made needs the attachment store")
        step.snapshot = delete_with_undo(session, step.cls, step.record_id, attachments=attachments)
        return
    try:
        undo(session, step)
    except IntegrityError:
        raise ValidationError(
            f"The {step.label} cannot come back: another record now has its name or its id."
        ) from None


def redo_step(session: Session, step: Step, *, attachments: AttachmentStore) -> Step:
    """Do an undone step again; the step to undo it with afterwards (a delete's is new)."""
    if isinstance(step, Edit):
        _write(session, step, step.after)
        return step
    if isinstance(step, RowChange):
        set_row(session, step, step.after)
        return step
    if isinstance(step, Created):
        if step.snapshot is not None:
            undo(session, step.snapshot)
        return step
    if step.cls is None:
        raise ValidationError(f"The {step.action} cannot be done again.")
    return delete_with_undo(
        session, step.cls, step.record_id, attachments=attachments, cascade=step.cascade
    )

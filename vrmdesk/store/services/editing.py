"""What the record editors need from the core, by kind of record.

The GUI names a kind of record by its ``kind`` ("vendor", "ticket" …), as it does everywhere
else (``open_record(kind, id)``, a file's owner). For each kind this module describes the fields
a person may set as plain values (:class:`FieldInfo`: may it be empty, how long, which values it
takes), gives a new record's defaults and a stored record's values, the choices a picker offers,
and saves, records an interaction or deletes (with undo) by kind and id. No widget reads the
ORM's columns or holds an ORM object.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ScalarElementColumnDefault
from sqlalchemy.sql.sqltypes import Enum

from vrmdesk.errors import NotFound
from vrmdesk.store import models as m
from vrmdesk.store.attachments import AttachmentStore
from vrmdesk.store.services import records, rules, tags, undo

#: every kind of record, by the name the GUI knows it by
KINDS: tuple[str, ...] = tuple(m.RECORD_BY_KIND)

#: the editor's field holding a record's tags (a list of names; not a column: ``tags.set_tags``)
TAGS = undo.TAGS

#: fields holding a list whose items come from an enum (the channels a vendor may use)
_ITEM_CHOICES: dict[tuple[str, str], type[enum.Enum]] = {
    ("vendor", "allowed_channels"): m.InteractionChannel,
}


@dataclass(frozen=True)
class FieldInfo:
    """A field a person may set on a kind of record, as an editor needs to know it."""

    name: str
    #: may be left empty (stored as None)
    nullable: bool
    #: at most this many characters (text), None where there is no limit
    max_length: int | None = None
    #: the values it takes, in order (an enum's, or the items of a list); () when it is free
    choices: tuple[str, ...] = ()


class Saved(NamedTuple):
    id: int
    title: str


class Captured(NamedTuple):
    """An interaction recorded by quick capture, and the name of its vendor."""

    id: int
    vendor: str


def record_class(kind: str) -> type[m.Record]:
    """The model of a kind of record; NotFound for a kind there is not."""
    try:
        return m.RECORD_BY_KIND[kind]
    except KeyError:
        raise NotFound(f"Unknown kind of record {kind!r}.") from None


def fields_of(kind: str) -> dict[str, FieldInfo]:
    """Name -> description of every field of ``kind`` a person may set (the core's own list)."""
    out: dict[str, FieldInfo] = {}
    for name, column in records.editable_fields(record_class(kind)).items():
        col_type = column.type
        enum_class = getattr(col_type, "enum_class", None) if isinstance(col_type, Enum) else None
        enum_class = enum_class or _ITEM_CHOICES.get((kind, name))
        length = getattr(col_type, "length", None)
        out[name] = FieldInfo(
            name=name,
            nullable=bool(column.nullable),
            max_length=length if isinstance(length, int) else None,
            choices=tuple(str(member.value) for member in enum_class) if enum_class else (),
        )
    return out


def choices(kind: str, name: str) -> tuple[str, ...]:
    """The values a field takes (``choices("interaction", "channel")``: "email", "phone" …)."""
    return fields_of(kind)[name].choices


def initial_values(kind: str) -> dict[str, Any]:
    """A new record's values: the columns' own defaults (enums, flags, numbers)."""
    out: dict[str, Any] = {}
    for name, column in records.editable_fields(record_class(kind)).items():
        default = column.default
        if isinstance(default, ScalarElementColumnDefault):
            out[name] = default.arg
    return out


def stored_values(session: Session, kind: str, record_id: int) -> dict[str, Any]:
    """The values of a stored record's editable fields and its tags (NotFound if it is gone)."""
    cls = record_class(kind)
    obj = records.get(session, cls, record_id)
    values = {name: getattr(obj, name) for name in records.editable_fields(cls)}
    values[TAGS] = tags.tags_of(session, obj)
    return values


def save_record(
    session: Session, kind: str, record_id: int | None, values: Mapping[str, Any]
) -> Saved:
    """Create (``record_id`` None) or update a record from an editor's values.

    On a new record a field left empty that may not be empty is left out, so the core fills it
    in (a warranty starts on the thing's purchase date) or says it is required. ``values`` may
    hold the record's tags under :data:`TAGS` (the whole list): they are set in the same unit of
    work, so a refused tag leaves the record unsaved too.
    """
    cls = record_class(kind)
    values = dict(values)
    tag_names = values.pop(TAGS, None)
    if record_id is None:
        columns = records.editable_fields(cls)
        fields = {
            name: value
            for name, value in values.items()
            if value is not None or name not in columns or columns[name].nullable
        }
        obj = records.create(session, cls, **fields)
    else:
        obj = records.update(session, cls, record_id, **values)
    if tag_names is not None:
        tags.set_tags(session, obj, tag_names)
    return Saved(obj.id, records.title_of(obj))


def save_edit(
    session: Session, kind: str, record_id: int, values: Mapping[str, Any]
) -> tuple[Saved, undo.Edit]:
    """Update a record from an editor's values (its tags among them, under :data:`TAGS`), and
    return what undo needs (see ``undo``)."""
    fields = dict(values)
    tag_names = fields.pop(TAGS, None)
    edit = undo.edit_with_undo(session, kind, record_id, tag_names=tag_names, **fields)
    return Saved(record_id, edit.label), edit


def capture_interaction(session: Session, values: Mapping[str, Any]) -> Captured:
    """Record an interaction as quick capture gives it (every field as typed)."""
    interaction = records.create(session, m.Interaction, **values)
    return Captured(interaction.id, interaction.vendor.name)


def delete_record(
    session: Session,
    kind: str,
    record_id: int,
    *,
    attachments: AttachmentStore,
    cascade: bool = False,
) -> undo.Snapshot:
    """Delete a record by kind and id and return what undo needs (see ``undo``)."""
    return undo.delete_with_undo(
        session, record_class(kind), record_id, attachments=attachments, cascade=cascade
    )


def vendor_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every vendor, by name, for a vendor picker."""
    query = select(m.Vendor.id, m.Vendor.name).order_by(*rules.DEFAULT_ORDER[m.Vendor], m.Vendor.id)
    return [(vendor_id, name) for vendor_id, name in session.execute(query)]


def ticket_choices(session: Session, vendor_id: int | None) -> list[tuple[int, str]]:
    """The tickets of one vendor for a ticket picker: open ones first, then newest first."""
    if vendor_id is None:
        return []
    t = m.Ticket
    query = (
        select(t.id, t.title, t.reference, t.status)
        .where(t.vendor_id == vendor_id)
        .order_by(*rules.DEFAULT_ORDER[t])
    )
    rows = sorted(session.execute(query), key=lambda r: r.status not in m.OPEN_TICKET_STATUSES)
    return [(r.id, f"{r.title} [{r.reference}]" if r.reference else r.title) for r in rows]

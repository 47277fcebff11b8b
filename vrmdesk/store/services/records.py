"""Create, read, update and delete for every kind of record, with validation.

The GUI and the CLI both call these. Fields are given by name and converted here (a date may be
an ISO string, an enum its value); anything wrong raises :class:`ValidationError` naming the field
and nothing is written. Rules that belong to one kind (a warranty's end follows from its start
and length, a ticket closed before it was opened is refused) are in ``rules.py``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, SupportsIndex, SupportsInt, TypeVar

from sqlalchemy import Column, delete, func, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.sqltypes import Boolean, Date, DateTime, Enum, Integer, String
from sqlalchemy.sql.type_api import TypeEngine

from vrmdesk.errors import InUseError, NotFound, ValidationError
from vrmdesk.store import models as m
from vrmdesk.store.attachments import AttachmentStore
from vrmdesk.store.services import rules

R = TypeVar("R", bound=m.Record)

READ_ONLY = {"id", "gid", "created_at", "updated_at"}  # gid: a record's global id (sync)
DERIVED = {"ends_on", "notice_deadline"}
#: set by mail capture (vrmdesk.mail), not typed in: a message's id, thread and correspondent,
#: and its capture notes
CAPTURED = {"message_id", "in_reply_to", "correspondent", "capture_notes"}

#: records that go with a record when it is deleted (the database cascades; attachments and
#: tags, which point at records by kind and id, are removed here)
CASCADE_CHILDREN: dict[type[m.Record], tuple[tuple[type[m.Record], str], ...]] = {
    m.Vendor: (
        (m.Contact, "vendor_id"),
        (m.Channel, "vendor_id"),
        (m.Account, "vendor_id"),
        (m.Ticket, "vendor_id"),
        (m.Interaction, "vendor_id"),
        (m.Offer, "vendor_id"),
        (m.Agreement, "vendor_id"),
        (m.Registration, "vendor_id"),
        (m.Warranty, "provider_id"),
    ),
    m.Asset: (
        (m.Warranty, "asset_id"),
        (m.Registration, "asset_id"),
        (m.ServiceEvent, "asset_id"),
    ),
}

#: a vendor's records that make deleting it a decision (its contacts and channels do not)
VENDOR_RECORDS: tuple[tuple[type[m.Record], str, str], ...] = (
    (m.Ticket, "vendor_id", "ticket"),
    (m.Interaction, "vendor_id", "interaction"),
    (m.Offer, "vendor_id", "offer"),
    (m.Agreement, "vendor_id", "agreement"),
    (m.Registration, "vendor_id", "registration"),
    (m.Warranty, "provider_id", "warranty"),
    (m.Asset, "maker_id", "asset made"),
    (m.Asset, "seller_id", "asset sold"),
    (m.ServiceEvent, "vendor_id", "service event"),
)


def editable_fields(cls: type[m.Record]) -> dict[str, Column[Any]]:
    """Column name -> column, for the fields a caller may set."""
    mapper = inspect(cls)
    return {
        column.key: column
        for column in mapper.columns
        if column.key not in READ_ONLY and column.key not in DERIVED and column.key not in CAPTURED
    }


def _label(name: str) -> str:
    return name.replace("_id", "").replace("_minor", "").replace("_", " ")


def convert(column: Column[Any], name: str, value: object) -> object:
    """Turn a value from a form or a command line into the column's Python type."""
    if value is None or (isinstance(value, str) and value.strip() == "" and column.nullable):
        return _empty(column, name)
    for column_type, converter in _CONVERTERS:
        if isinstance(column.type, column_type):
            return converter(column.type, name, value)
    return value


def _empty(column: Column[Any], name: str) -> str | None:
    """What no value is: None where the column allows it, else empty text; else refused."""
    if column.nullable:
        return None
    if not isinstance(column.type, String):
        raise ValidationError(f"The {_label(name)} is required.", field=name)
    return ""


# -- one converter per column type: (the column's type, the field's name, a value not empty) --
Converter = Callable[[TypeEngine[Any], str, object], object]


def _to_enum(col_type: TypeEngine[Any], name: str, value: object) -> object:
    enum_class = getattr(col_type, "enum_class", None)
    if enum_class is None:  # an Enum of plain strings is text
        return _to_text(col_type, name, value)
    if isinstance(value, enum_class):
        return value
    try:
        return enum_class(str(value).strip().lower())
    except ValueError:
        choices = ", ".join(member.value for member in enum_class)
        raise ValidationError(
            f"{value!r} is not a valid {_label(name)} (choose from {choices}).", field=name
        ) from None


def _to_datetime(col_type: TypeEngine[Any], name: str, value: object) -> datetime:
    if isinstance(value, datetime):
        return _utc_naive(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    try:
        return _utc_naive(datetime.fromisoformat(str(value).strip()))
    except ValueError:
        raise ValidationError(
            f"The {_label(name)} {value!r} is not a date and time (YYYY-MM-DD HH:MM).",
            field=name,
        ) from None


def _to_date(col_type: TypeEngine[Any], name: str, value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(
            f"The {_label(name)} {value!r} is not a date (YYYY-MM-DD).", field=name
        ) from None


_YES = {"1", "true", "yes", "y", "on"}
_NO = {"0", "false", "no", "n", "off"}


def _to_bool(col_type: TypeEngine[Any], name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _YES or text in _NO:
        return text in _YES
    raise ValidationError(f"The {_label(name)} must be yes or no.", field=name)


def _to_int(col_type: TypeEngine[Any], name: str, value: object) -> int:
    if isinstance(value, bool):
        raise ValidationError(f"The {_label(name)} must be a whole number.", field=name)
    if type(value) is int:
        return value  # the common case, without the (slow) protocol checks below
    try:
        if isinstance(value, (str, bytes, SupportsInt, SupportsIndex)):
            return int(value)
        raise TypeError(type(value).__name__)
    except (TypeError, ValueError):
        raise ValidationError(
            f"The {_label(name)} must be a whole number, not {value!r}.", field=name
        ) from None


def _to_text(col_type: TypeEngine[Any], name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"The {_label(name)} must be text.", field=name)
    text = value.strip()
    length = getattr(col_type, "length", None)
    if length and len(text) > length:
        raise ValidationError(
            f"The {_label(name)} is too long (at most {length} characters).", field=name
        )
    return text


#: the first that the column's type is an instance of converts (an Enum is a String, and Text
#: is a String too, so the order matters); a column of any other type takes the value as it is
_CONVERTERS: tuple[tuple[type[TypeEngine[Any]], Converter], ...] = (
    (Enum, _to_enum),
    (DateTime, _to_datetime),
    (Date, _to_date),
    (Boolean, _to_bool),
    (Integer, _to_int),
    (String, _to_text),
)


def _utc_naive(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value

    return value.astimezone(UTC).replace(tzinfo=None)


Find = Callable[[type[m.Record], int], "m.Record | None"]


def assign(
    session: Session, obj: m.Record, fields: Mapping[str, Any], *, find: Find | None = None
) -> None:
    allowed = editable_fields(type(obj))
    for name, value in fields.items():
        if name not in allowed:
            raise ValidationError(f"A {type(obj).kind} has no field {name!r}.", field=name)
        setattr(obj, name, convert(allowed[name], name, value))
    _check_references(session, obj, fields, find or session.get)


def _check_references(
    session: Session, obj: m.Record, fields: Mapping[str, Any], find: Find
) -> None:
    mapper = inspect(type(obj))
    for column in mapper.columns:
        if column.key not in fields or not column.foreign_keys:
            continue
        value = getattr(obj, column.key)
        if value is None:
            continue
        target_table = next(iter(column.foreign_keys)).column.table
        target = next((cls for cls in m.RECORD_TYPES if cls.__table__ is target_table), None)
        if target is not None and find(target, value) is None:
            raise NotFound(f"There is no {target.kind} {value}.", field=column.key)


def get(session: Session, cls: type[R], record_id: int) -> R:
    obj = session.get(cls, record_id)
    if obj is None:
        raise NotFound(f"There is no {cls.kind} {record_id}.")
    return obj


def create(session: Session, cls: type[R], **fields: Any) -> R:
    obj = add(session, cls, **fields)
    session.flush()
    return obj


def add(session: Session, cls: type[R], *, find: Find | None = None, **fields: Any) -> R:
    """Build, check and add a record like :func:`create`, without flushing it to the database.

    For bulk imports: a flush per record is most of the cost of a large import, so an importer
    gives the records their ids itself (see :class:`IdAllocator`), flushes in batches, and
    passes ``find``, which finds the records it added and did not flush yet as well as those in
    the database (``session.get`` sees only the latter).
    """
    obj = cls()
    rules.apply_defaults(session, obj, fields, find=find)
    assign(session, obj, fields, find=find)
    rules.validate(session, obj)
    session.add(obj)
    return obj


class IdAllocator:
    """The next free id of each record table, for records added inside one write transaction.

    Only valid while the transaction that read the highest ids is the vault's only writer
    (the vault's write lock sees to that for one program; a second writer's insert with the same
    id fails the flush, and the whole transaction rolls back).
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._next: dict[type[m.Record], int] = {}

    def assign(self, obj: m.Record) -> None:
        cls = type(obj)
        if cls not in self._next:
            highest = self.session.scalar(select(func.max(cls.id)))
            self._next[cls] = (highest or 0) + 1
        obj.id = self._next[cls]
        self._next[cls] += 1


def update(session: Session, cls: type[R], record_id: int, **fields: Any) -> R:
    obj = get(session, cls, record_id)
    with session.no_autoflush:
        assign(session, obj, fields)
        rules.validate(session, obj)
    session.flush()
    return obj


def dependents(session: Session, vendor: m.Vendor) -> dict[str, int]:
    """How many of each kind of record a vendor has (the reason a delete needs the cascade)."""
    counts: dict[str, int] = {}
    for cls, column, label in VENDOR_RECORDS:
        count = session.scalar(
            select(func.count()).select_from(cls).where(getattr(cls, column) == vendor.id)
        )
        if count:
            counts[label] = count
    return counts


def delete_record(
    session: Session,
    cls: type[m.Record],
    record_id: int,
    *,
    attachments: AttachmentStore,
    cascade: bool = False,
) -> None:
    """Delete a record. A vendor with records is refused unless ``cascade`` is asked for.

    With the cascade a vendor's tickets, conversation, offers, agreements, registrations and
    the warranties it provides go with it; assets it made or sold stay, without that link.
    ``attachments`` (the vault's store) unlinks the files of everything that goes.
    """
    obj = get(session, cls, record_id)
    if isinstance(obj, m.Vendor) and not cascade:
        counts = dependents(session, obj)
        if counts:
            listed = ", ".join(f"{n} {label}{'s' if n != 1 else ''}" for label, n in counts.items())
            raise InUseError(
                f"{obj.name} still has {listed}. Delete those first, or delete the vendor "
                "with everything that belongs to it."
            )
    _remove_polymorphic(session, attachments, obj.kind, [obj.id])
    for child, column in CASCADE_CHILDREN.get(cls, ()):
        ids = list(session.scalars(select(child.id).where(getattr(child, column) == obj.id)))
        _remove_polymorphic(session, attachments, child.kind, ids)
    if isinstance(obj, m.Attachment):
        # its stored content goes with the last link to it (the file is swept on close)
        attachments.remove(session, obj.id)
    else:
        session.delete(obj)
    session.flush()
    session.expire_all()


def _remove_polymorphic(
    session: Session, attachments: AttachmentStore, kind: str, ids: list[int]
) -> None:
    """Attachments and tags of the given records (they point by kind and id, not a key)."""
    if not ids:
        return
    attachments.remove_for_owners(session, kind, ids)
    session.execute(
        delete(m.Tagging).where(m.Tagging.owner_kind == kind, m.Tagging.owner_id.in_(ids))
    )


def list_records(
    session: Session,
    cls: type[R],
    *,
    limit: int | None = None,
    offset: int = 0,
    **filters: Any,
) -> list[R]:
    query = select(cls)
    for name, value in filters.items():
        if value is not None:
            query = query.where(getattr(cls, name) == value)
    order = rules.DEFAULT_ORDER.get(cls, (cls.id,))
    query = query.order_by(*order).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def to_dict(obj: m.Base) -> dict[str, Any]:
    """A record as JSON-ready values (dates as ISO 8601, enums as their value)."""
    out: dict[str, Any] = {}
    for column in inspect(type(obj)).columns:
        value = getattr(obj, column.key)
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, (date, datetime)):
            value = value.isoformat()
        out[column.key] = value
    if isinstance(obj, m.Warranty):
        out["state"] = rules.warranty_state(obj).value
    return out


def find_vendor(session: Session, name_or_id: str | int) -> m.Vendor:
    """A vendor by id or by name (case-insensitive)."""
    text = str(name_or_id).strip()
    if text.isdigit():
        vendor = session.get(m.Vendor, int(text))
        if vendor is not None:
            return vendor
    vendor = session.scalar(select(m.Vendor).where(m.Vendor.name == text))
    if vendor is None:
        raise NotFound(f"There is no vendor {text!r}.", field="vendor_id")
    return vendor


#: where a record is shown: on its vendor's page or its asset's page (column holding that id)
_HOMES: dict[str, tuple[str, str]] = {
    "contact": ("vendor", "vendor_id"),
    "channel": ("vendor", "vendor_id"),
    "account": ("vendor", "vendor_id"),
    "ticket": ("vendor", "vendor_id"),
    "interaction": ("vendor", "vendor_id"),
    "offer": ("vendor", "vendor_id"),
    "agreement": ("vendor", "vendor_id"),
    "warranty": ("asset", "asset_id"),
    "registration": ("asset", "asset_id"),
    "service_event": ("asset", "asset_id"),
}


def home_of(session: Session, kind: str, record_id: int) -> tuple[str, int]:
    """The page a record lives on: ("vendor", id) or ("asset", id)."""
    if kind in ("vendor", "asset"):
        return kind, record_id
    if kind == "attachment":
        attachment = get(session, m.Attachment, record_id)
        return home_of(session, attachment.owner_kind, attachment.owner_id)
    if kind not in _HOMES:
        raise NotFound(f"Unknown kind of record {kind!r}.")
    home, column = _HOMES[kind]
    record = get(session, m.RECORD_BY_KIND[kind], record_id)
    return home, getattr(record, column)


def title_of(obj: m.Record) -> str:
    """A short human name for any record (list rows, undo labels, search results)."""
    for name in ("name", "title", "subject", "number", "value", "description", "content"):
        value = getattr(obj, name, None)
        if value:
            text = str(value).strip().splitlines()[0]
            return text if len(text) <= 80 else text[:79] + "…"
    return f"{obj.kind.replace('_', ' ')} {obj.id}"

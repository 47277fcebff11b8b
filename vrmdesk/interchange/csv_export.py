"""Exporting any kind of record as CSV: UTF-8, a header, one row per record, names not ids.

The importable kinds are written with the labels the import recognises as their headers, and
values as it reads them (ISO dates, ``1299.00`` with a currency column, tags joined by ``; ``),
so a file exported here imports into an empty vault with no mapping and gives the same records.
A cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` …) is written with a
leading quote, which the import takes off again. Records are read in batches, so memory stays
flat whatever the vault's size.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vrmdesk.interchange.fields import TARGETS, ImportKind
from vrmdesk.interchange.output import atomic_output
from vrmdesk.interchange.values import spreadsheet_safe
from vrmdesk.store import models as m
from vrmdesk.store.services import tags

Getter = Callable[[Any], Any]
Progress = Callable[[int, int, str], None]
BATCH = 500


@dataclass(frozen=True)
class Column:
    header: str
    get: Getter


def _name(record: Any) -> str:
    return "" if record is None else str(record.name)


def _amount(minor: int | None) -> str:
    if minor is None:
        return ""
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100}.{abs(minor) % 100:02d}"


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "value"):
        return str(value.value)
    return str(value)


def _label(kind: ImportKind, key: str) -> str:
    return next(t.label for t in TARGETS[kind] if t.key == key)


class _Things:
    """How a thing is named in a cell: its name, or its serial number where names repeat."""

    def __init__(self, session: Session) -> None:
        repeated = select(m.Asset.name).group_by(m.Asset.name).having(func.count() > 1)
        self.repeated = {n.casefold() for n in session.scalars(repeated)}

    def __call__(self, asset: m.Asset | None) -> str:
        if asset is None:
            return ""
        if asset.name.casefold() in self.repeated and asset.serial_number:
            return asset.serial_number
        return asset.name


def _columns(kind: str, session: Session) -> tuple[type[m.Record], list[Column]]:
    things = _Things(session)

    def tag_cell(obj: m.Record) -> str:
        return "; ".join(tags.tags_of(session, obj))

    def c(import_kind: ImportKind, key: str, get: Getter) -> Column:
        return Column(_label(import_kind, key), get)

    if kind == "vendors":
        return m.Vendor, [
            c("vendors", "name", lambda v: v.name),
            c("vendors", "vendor_kind", lambda v: v.vendor_kind),
            c("vendors", "status", lambda v: v.status),
            c("vendors", "website", lambda v: v.website),
            c("vendors", "since", lambda v: v.since),
            c("vendors", "notes", lambda v: v.notes),
            c("vendors", "tags", tag_cell),
        ]
    if kind == "assets":
        return m.Asset, [
            c("assets", "name", lambda a: a.name),
            c("assets", "category", lambda a: a.category),
            c("assets", "maker", lambda a: _name(a.maker)),
            c("assets", "seller", lambda a: _name(a.seller)),
            c("assets", "model", lambda a: a.model),
            c("assets", "serial_number", lambda a: a.serial_number),
            c("assets", "purchase_date", lambda a: a.purchase_date),
            c("assets", "price", lambda a: _amount(a.price_minor)),
            c("assets", "currency", lambda a: a.currency),
            c("assets", "order_number", lambda a: a.order_number),
            c("assets", "location", lambda a: a.location),
            c("assets", "status", lambda a: a.status),
            c("assets", "notes", lambda a: a.notes),
            c("assets", "tags", tag_cell),
        ]
    if kind == "warranties":
        return m.Warranty, [
            c("warranties", "thing", lambda w: things(w.asset)),
            c("warranties", "provider", lambda w: _name(w.provider)),
            c("warranties", "title", lambda w: w.title),
            c("warranties", "starts_on", lambda w: w.starts_on),
            c("warranties", "end_date", lambda w: w.end_date),
            c("warranties", "months", lambda w: w.months),
            c("warranties", "coverage", lambda w: w.coverage),
            c("warranties", "how_to_claim", lambda w: w.how_to_claim),
            c("warranties", "notes", lambda w: w.notes),
        ]
    if kind == "service_events":
        return m.ServiceEvent, [
            c("service_events", "thing", lambda e: things(e.asset)),
            c("service_events", "description", lambda e: e.description),
            c("service_events", "performed_on", lambda e: e.performed_on),
            c("service_events", "performed_by", lambda e: e.performed_by),
            c("service_events", "vendor", lambda e: _name(e.vendor)),
            c("service_events", "cost", lambda e: _amount(e.cost_minor)),
            c("service_events", "currency", lambda e: e.currency),
            c("service_events", "interval_months", lambda e: e.interval_months),
            c("service_events", "next_due", lambda e: e.next_due),
        ]
    if kind == "tickets":
        return m.Ticket, [
            c("tickets", "vendor", lambda t: _name(t.vendor)),
            c("tickets", "title", lambda t: t.title),
            c("tickets", "thing", lambda t: things(t.asset)),
            c("tickets", "reference", lambda t: t.reference),
            c("tickets", "status", lambda t: t.status),
            c("tickets", "opened_on", lambda t: t.opened_on),
            c("tickets", "closed_on", lambda t: t.closed_on),
            c("tickets", "follow_up_on", lambda t: t.follow_up_on),
            c("tickets", "notes", lambda t: t.notes),
            c("tickets", "tags", tag_cell),
        ]
    if kind == "interactions":
        return m.Interaction, [
            c("interactions", "vendor", lambda i: _name(i.vendor)),
            c("interactions", "occurred_at", lambda i: i.occurred_at),
            c("interactions", "direction", lambda i: i.direction),
            c("interactions", "channel", lambda i: i.channel),
            c("interactions", "subject", lambda i: i.subject),
            c("interactions", "body", lambda i: i.body),
            c(
                "interactions",
                "ticket",
                lambda i: (i.ticket.reference or i.ticket.title) if i.ticket else "",
            ),
            c("interactions", "thing", lambda i: things(i.asset)),
        ]
    return _other_columns(kind)


def _other_columns(kind: str) -> tuple[type[m.Record], list[Column]]:
    """The kinds the CSV import does not take back (the archive does): plain columns."""
    vendor = Column("Vendor", lambda r: _name(r.vendor))
    table: dict[str, tuple[type[m.Record], list[Column]]] = {
        "contacts": (
            m.Contact,
            [
                vendor,
                Column("Name", lambda r: r.name),
                Column("Role", lambda r: r.role),
                Column("E-mail", lambda r: r.email),
                Column("Phone", lambda r: r.phone),
                Column("Notes", lambda r: r.notes),
            ],
        ),
        "channels": (
            m.Channel,
            [
                vendor,
                Column("Channel", lambda r: r.channel),
                Column("Address", lambda r: r.value),
                Column("Label", lambda r: r.label),
            ],
        ),
        "accounts": (
            m.Account,
            [vendor, Column("Label", lambda r: r.label), Column("Number", lambda r: r.number)],
        ),
        "registrations": (
            m.Registration,
            [
                Column("Thing", lambda r: _name(r.asset)),
                vendor,
                Column("Registered on", lambda r: r.registered_on),
                Column("Reference", lambda r: r.registration_ref),
                Column("Data given", lambda r: r.data_given),
                Column("Marketing consent", lambda r: r.marketing_consent),
            ],
        ),
        "offers": (
            m.Offer,
            [
                vendor,
                Column("Received", lambda r: r.received_at),
                Column("Channel", lambda r: r.channel),
                Column("Content", lambda r: r.content),
            ],
        ),
        "agreements": (
            m.Agreement,
            [
                vendor,
                Column("Title", lambda r: r.title),
                Column("Started on", lambda r: r.started_on),
                Column("Renews on", lambda r: r.renews_on),
                Column("Notice period (days)", lambda r: r.notice_days),
                Column("Notice by", lambda r: r.notice_deadline),
                Column("Cost", lambda r: _amount(r.cost_minor)),
                Column("Currency", lambda r: r.currency),
                Column("Billed every", lambda r: r.period),
                Column("Notes", lambda r: r.notes),
            ],
        ),
    }
    if kind not in table:
        raise KeyError(kind)
    return table[kind]


EXPORT_KINDS = (
    "vendors",
    "assets",
    "warranties",
    "service_events",
    "tickets",
    "interactions",
    "contacts",
    "channels",
    "accounts",
    "registrations",
    "offers",
    "agreements",
)


def rows(session: Session, kind: str) -> Iterator[list[str]]:
    """The header, then one row per record (oldest first), every cell spreadsheet-safe."""
    cls, columns = _columns(kind, session)
    yield [col.header for col in columns]
    query = select(cls).order_by(cls.id).execution_options(yield_per=BATCH)
    for obj in session.scalars(query):
        yield [spreadsheet_safe(_value(col.get(obj))) for col in columns]


def export_csv(session: Session, kind: str, out: Path, *, progress: Progress | None = None) -> int:
    """Write every record of ``kind`` to ``out`` (atomically); the number of records written."""
    if kind not in EXPORT_KINDS:
        raise KeyError(kind)
    cls, _ = _columns(kind, session)
    total = int(session.scalar(select(func.count()).select_from(cls)) or 0)
    written = -1
    with atomic_output(out, what="the CSV export") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text)
        for written, row in enumerate(rows(session, kind)):
            writer.writerow(row)
            if progress is not None and written and written % BATCH == 0:
                progress(written, total, f"{written:,} of {total:,}")
        text.flush()
        text.detach()
    return max(written, 0)

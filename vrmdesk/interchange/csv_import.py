"""Importing a CSV export: vendors, things, warranties, service events, tickets or interactions.

Two steps, as the import window shows them. :func:`prepare` opens the file, guesses the
mapping (a preset's for HomeBox and Warracker, else from the header names), applies the
person's choices, and reads the whole file once to decide how its dates and amounts are written
(``03/04/2025`` read as 3 April only because another row says ``13/04/2025``, or because the
person chose). :func:`import_csv` then goes through the rows in one transaction: it commits only
when no row has a problem, or when the person asked to skip such rows; a dry run always rolls
back. Rows are streamed, so memory stays flat whatever the file's size.

Each row becomes a record through the store's services (its rules apply, as in the editor).
Importing the same file again changes nothing: a row is remembered (``ImportRef``) by the
program's own id for it (HomeBox's ``HB.import_ref``, a mapped ``import_ref`` column) or by a
fingerprint of its values, and a thing is also found again by its serial number, a vendor by its
name; a row that matches a record updates only what differs.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vrmdesk.errors import ValidationError, VrmError
from vrmdesk.interchange import csvfile, presets, values
from vrmdesk.interchange.fields import (
    ENUM_WORDS,
    KIND_NOUNS,
    TARGETS,
    ImportKind,
    Target,
    target,
)
from vrmdesk.store import models as m
from vrmdesk.store.services import records, tags
from vrmdesk.store.services import settings as vault_settings

R = TypeVar("R", bound=m.Record)
PREVIEW_ROWS = 200
MAX_PROBLEMS = 1000
PROGRESS_EVERY = 250
FLUSH_EVERY = 500  # new records written to the database at a time
CHUNK_ROWS = 500  # rows read, and their records looked up, at a time
LIFETIME_MONTHS = 1200  # a lifetime warranty, as a warranty needs an end

Progress = Callable[[int, int, str], None]
#: asked between rows: True when the person cancelled (a threading.Event's ``is_set`` too)
CancelCheck = Callable[[], bool]


class Sessions(Protocol):
    def session(self) -> AbstractContextManager[Session]: ...


class CsvImportError(VrmError):
    """The import cannot start (a mapping names no column, a required field is not mapped …)."""


class ImportCancelled(VrmError):
    """The person cancelled the import: it was rolled back, nothing of it was written."""

    def __init__(self) -> None:
        super().__init__("The import was cancelled; nothing was imported.")


def cancel_check(cancelled: CancelCheck | threading.Event | None) -> CancelCheck | None:
    """A cancel given as a function or an Event, as a function (None: it cannot be cancelled)."""
    return cancelled.is_set if isinstance(cancelled, threading.Event) else cancelled


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class RowPreview:
    line: int
    action: str  # "create", "update", "unchanged", "problem"
    title: str


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0
    notes: list[str] = field(default_factory=list)
    vendors_created: list[str] = field(default_factory=list)
    preview: list[RowPreview] = field(default_factory=list)
    committed: bool = False
    dry_run: bool = False

    def problem(self, line: int, column: str, reason: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(line, column, reason))
        else:
            self.more_problems += 1

    def to_json(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "problems": [
                {"line": p.line, "column": p.column, "reason": p.reason} for p in self.problems
            ],
            "skipped": self.skipped,
            "more_problems": self.more_problems,
            "vendors_created": self.vendors_created,
            "notes": self.notes,
            "dry_run": self.dry_run,
            "committed": self.committed,
        }

    def summary(self) -> str:
        noun = "would be " if self.dry_run else ""
        parts = [
            f"{self.created} {noun}created",
            f"{self.updated} {noun}updated",
            f"{self.unchanged} unchanged",
        ]
        if self.skipped:
            parts.append(f"{self.skipped} rows with problems skipped")
        if self.vendors_created:
            parts.append(f"{len(self.vendors_created)} new vendors")
        return ", ".join(parts)


@dataclass(frozen=True)
class Prepared:
    """A file, and how it is to be read: shown to the person before anything is written."""

    file: csvfile.CsvFile
    kind: ImportKind
    columns: dict[str, str]  # header -> target key
    reading: values.Reading
    preset: presets.Preset | None
    source: str
    sample: list[list[str]]
    rows: int
    #: what the person must still decide before the import can run ("the date order …")
    undecided: list[str]
    notes: list[str]

    def column_of(self, key: str) -> str:
        return next((h for h, k in self.columns.items() if k == key), "")

    def with_choices(
        self, columns: dict[str, str] | None = None, reading: values.Reading | None = None
    ) -> Prepared:
        """The same file with the person's mapping or reading (checked again)."""
        return _decide(
            self.file,
            self.kind,
            columns if columns is not None else self.columns,
            reading or self.reading,
            self.preset,
            self.notes_of_file(),
            explicit=reading,
        )

    def notes_of_file(self) -> list[str]:
        return list(self.file.notes)


def parse_map(items: Iterable[str]) -> dict[str, str]:
    """``--map COLUMN=FIELD`` (``--map "Bought at=seller"``; ``FIELD`` empty: not imported)."""
    out: dict[str, str] = {}
    for item in items:
        column, sep, key = item.partition("=")
        if not sep or not column.strip():
            raise CsvImportError(f"--map {item!r}: write it as COLUMN=FIELD.")
        out[column.strip()] = key.strip()
    return out


def reading_from(date_format: str | None, decimals: str | None) -> values.Reading:
    """The person's choices: ``--date-format dmy|mdy|ymd`` or a strptime form (``%d.%m.%Y``)."""
    order: values.DateOrder | None = None
    form = None
    if date_format in ("dmy", "mdy", "ymd"):
        order = date_format  # type: ignore[assignment]  # narrowed by the membership test
    elif date_format and "%" in date_format:
        form = date_format
    elif date_format:
        raise CsvImportError(
            f"--date-format {date_format!r}: give dmy, mdy or ymd, or a form such as %d/%m/%Y."
        )
    if decimals == ",":
        return values.Reading(date_order=order, date_format=form, decimals=",")
    if decimals not in (None, "."):
        raise CsvImportError(f"The decimal separator is . or , (not {decimals!r}).")
    return values.Reading(date_order=order, date_format=form, decimals=".")


def prepare(
    path: Path,
    kind: ImportKind,
    *,
    preset: str | None = None,
    columns: dict[str, str] | None = None,
    reading: values.Reading | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Prepared:
    """Open ``path``, decide its mapping and how its values read; nothing is written."""
    if kind not in TARGETS:
        raise CsvImportError(f"Cannot import {kind!r} (choose from {', '.join(TARGETS)}).")
    file = csvfile.open_csv(path, encoding=encoding, delimiter=delimiter)
    # no preset named: one is detected from the header; "none": no preset, even if it looks so
    if preset == "none":
        chosen = None
    else:
        chosen = presets.PRESETS.get(preset) if preset else presets.detect(file.headers)
    if preset and preset != "none" and chosen is None:
        raise CsvImportError(
            f"There is no preset {preset!r} (choose from {', '.join(presets.PRESETS)})."
        )
    if chosen is not None and chosen.kind != kind:
        chosen = None
    mapping = presets.columns_for(chosen, kind, file.headers)
    notes = list(file.notes)
    if chosen is not None and not preset:
        notes.append(
            f"This looks like an export of {chosen.label}: its columns are mapped as "
            f"{chosen.label} writes them."
        )
    if columns:
        unknown = [c for c in columns if c not in file.headers]
        if unknown:
            raise CsvImportError(
                f"The file has no column {unknown[0]!r} (its columns: {', '.join(file.headers)})."
            )
        for key in columns.values():
            if key:
                try:
                    target(kind, key)
                except KeyError as exc:
                    raise CsvImportError(str(exc.args[0])) from None
        mapping = {h: k for h, k in mapping.items() if k not in set(columns.values())}
        mapping.update({c: k for c, k in columns.items() if k})
        for c, k in columns.items():
            if not k:
                mapping.pop(c, None)
    return _decide(
        file, kind, mapping, reading or values.Reading(), chosen, notes, explicit=reading
    )


def _decide(
    file: csvfile.CsvFile,
    kind: ImportKind,
    mapping: dict[str, str],
    reading: values.Reading,
    preset: presets.Preset | None,
    notes: list[str],
    *,
    explicit: values.Reading | None,
) -> Prepared:
    _check_required(kind, mapping)
    scan = _Scan.of(file, kind, mapping)
    notes = list(notes)
    undecided: list[str] = []
    if explicit is None or (explicit.date_order is None and explicit.date_format is None):
        order, said = scan.date_order()
        if order is not None:
            reading = replace(reading, date_order=order)
            notes.append(said)
        elif said:
            undecided.append(said)
    if explicit is None or explicit.decimals == ".":
        found = values.decimals_of(scan.amount_cells)
        if found is not None and found != reading.decimals:
            reading = replace(reading, decimals=found)
            notes.append(f"Amounts use {found!r} as the decimal separator.")
    source = preset.name if preset is not None else "csv"
    return Prepared(
        file,
        kind,
        dict(mapping),
        reading,
        preset,
        source,
        scan.sample,
        scan.count,
        undecided,
        notes,
    )


def _check_required(kind: ImportKind, mapping: dict[str, str]) -> None:
    missing = [t.label for t in TARGETS[kind] if t.required and t.key not in mapping.values()]
    if missing:
        raise CsvImportError(
            f"No column is mapped to {', '.join(missing)}, which every {KIND_NOUNS[kind][0]} "
            'needs: map one (for example --map "Product=name").'
        )


@dataclass
class _Scan:
    """What one pass over a file shows: its rows, how its dates and amounts are written."""

    count: int = 0
    sample: list[list[str]] = field(default_factory=list)
    seen_orders: set[values.DateOrder] = field(default_factory=set)
    ambiguous: int = 0
    amount_cells: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, file: csvfile.CsvFile, kind: ImportKind, mapping: dict[str, str]) -> _Scan:
        index = {h: i for i, h in enumerate(file.headers)}
        kinds = {h: target(kind, k).kind for h, k in mapping.items()}
        date_cols = [index[h] for h in mapping if kinds[h] in ("date", "datetime")]
        amount_cols = [index[h] for h in mapping if kinds[h] == "amount"]
        scan = cls()
        for _, cells in file.rows():
            scan.count += 1
            if len(scan.sample) < 5:
                scan.sample.append(cells)
            for cell in (cells[i] for i in date_cols if i < len(cells)):
                scan.seen_orders |= values.date_orders_seen([cell])
                scan.ambiguous += values.is_ambiguous_date(cell)
            if len(scan.amount_cells) < 5000:
                scan.amount_cells.extend(
                    cells[i] for i in amount_cols if i < len(cells) and cells[i]
                )
        if scan.count == 0:
            raise CsvImportError(f"{file.path.name} has a header but no rows to import.")
        return scan

    def date_order(self) -> tuple[values.DateOrder | None, str]:
        """The order the file's dates show (with a note), or None and why the person decides."""
        if len(self.seen_orders) == 1:
            order = next(iter(self.seen_orders))
            return (
                order,
                f"Dates are read as {values.DATE_ORDERS[order]}, as the file's own dates show.",
            )
        if len(self.seen_orders) > 1:
            return None, (
                "The dates are written in both orders (day first and month first): check the file."
            )
        if self.ambiguous:
            return None, (
                f"{self.ambiguous} dates could be read day first or month first "
                "(03/04/2025): choose the date order."
            )
        return None, ""


# -- running -----------------------------------------------------------------------------------
class _RollBack(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__("rolled back")
        self.outcome = outcome


def import_csv(
    vault: Sessions,
    prepared: Prepared,
    *,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
    cancelled: CancelCheck | threading.Event | None = None,
) -> Outcome:
    """Import the rows in one transaction; what was (or would be) created, updated, refused.

    Nothing is written when a row has a problem (unless ``skip_bad_rows``), on a dry run, or
    on a cancel: ``cancelled`` is asked before every row and, once true, :class:`ImportCancelled`
    comes out (as does anything ``progress`` raises) with the vault as it was.
    """
    if prepared.undecided:
        raise CsvImportError(" ".join(prepared.undecided))
    outcome = Outcome(notes=list(prepared.notes), dry_run=dry_run)
    try:
        with vault.session() as session:
            run = _Run(session, prepared, outcome, progress, cancel_check(cancelled))
            run.all_rows(skip_bad_rows)
            if dry_run or (outcome.problems and not skip_bad_rows):
                raise _RollBack(outcome)
            outcome.committed = True
    except _RollBack as stop:
        return stop.outcome
    return outcome


_CLASS_OF_KIND: dict[str, type[m.Record]] = {cls.__tablename__: cls for cls in m.RECORD_TYPES}


def _norm(name: str) -> str:
    return " ".join(name.split()).casefold()


class _Run:
    """One import: caches of what the vault holds, and one method per kind of record."""

    def __init__(
        self,
        session: Session,
        prepared: Prepared,
        outcome: Outcome,
        progress: Progress | None,
        cancelled: CancelCheck | None = None,
    ) -> None:
        self.session = session
        self.p = prepared
        self.outcome = outcome
        self.progress = progress
        self.cancelled = cancelled
        self.headers = prepared.file.headers
        self.targets = {t.key: t for t in TARGETS[prepared.kind]}
        self.columns = [
            (i, h, prepared.columns[h]) for i, h in enumerate(self.headers) if h in prepared.columns
        ]
        # every vendor in the session's identity map: checking a maker's or seller's id on each
        # row is then a lookup, not a query (kept referenced, the map holds them weakly)
        self.vendor_rows = list(session.scalars(select(m.Vendor)))
        #: an amount the file gives no currency for is in the vault's default (Settings)
        self.currency = vault_settings.default_currency(session)
        self.vendors = {_norm(v.name): v.id for v in self.vendor_rows}
        self.refs: dict[str, dict[str, int]] = {}
        # New records get their ids here and go to the database in batches: a flush per row
        # was most of the time of a large import. ``pending`` holds those not flushed yet.
        self.ids = records.IdAllocator(session)
        self.pending: dict[tuple[type[m.Record], int], m.Record] = {}
        self.pending_ids: set[int] = set()  # their ids, whatever their kind
        self._ref_of: dict[int, str] = {}  # id(raw row) -> its import ref, for one chunk
        self.chunk_records: list[m.Record] = []
        self.details_added: set[tuple[str, int, str]] = set()  # (kind, vendor id, value)
        self.things_by_serial: dict[str, int] = {}
        self.things_by_name: dict[str, list[int]] = {}
        for aid, name, serial in session.execute(
            select(m.Asset.id, m.Asset.name, m.Asset.serial_number)
        ):
            self._know_thing(aid, name, serial)
        self.tag_separator = prepared.preset.tag_separator if prepared.preset else ";"

    def _know_thing(self, aid: int, name: str, serial: str) -> None:
        if serial:
            self.things_by_serial.setdefault(serial.strip().casefold(), aid)
        self.things_by_name.setdefault(_norm(name), []).append(aid)

    # -- the loop ------------------------------------------------------------------------------
    def all_rows(self, skip_bad_rows: bool) -> None:
        with self.session.no_autoflush:  # the services flush when they need an id
            self._all_rows()

    def _all_rows(self) -> None:
        total = self.p.rows
        width = len(self.headers)
        numbered = enumerate(self.p.file.rows(), 1)
        while chunk := list(itertools.islice(numbered, CHUNK_ROWS)):
            raws = [self.raw_of(cells) if len(cells) == width else None for _, (_, cells) in chunk]
            self.chunk_records = self.prefetch([raw for raw in raws if raw is not None])
            for (n, (line, cells)), raw in zip(chunk, raws, strict=True):
                if self.cancelled is not None and self.cancelled():
                    raise ImportCancelled()
                if self.progress is not None and n % PROGRESS_EVERY == 0:
                    self.progress(n, total, f"Row {n:,} of {total:,}")
                if raw is None:
                    self.outcome.problem(
                        line, "", f"has {len(cells)} cells; the header has {width}"
                    )
                    self._preview(line, "problem", "")
                    self.outcome.skipped += 1
                    continue
                before = len(self.outcome.problems) + self.outcome.more_problems
                action, title = self.row(line, raw)
                if len(self.outcome.problems) + self.outcome.more_problems > before:
                    self.outcome.skipped += 1
                    action = "problem"
                self._preview(line, action, title)
            self._ref_of.clear()
        if self.progress is not None:
            self.progress(total, total, "Done")

    def raw_of(self, cells: list[str]) -> dict[str, str]:
        return {key: values.from_spreadsheet_safe(cells[i].strip()) for i, _, key in self.columns}

    def prefetch(self, raws: list[dict[str, str]]) -> list[m.Record]:
        """The records a chunk of rows updates, read in one query (a query per row was most of
        the time of importing a file again); kept in ``chunk_records`` while the chunk is worked
        on, so that the session finds them in its identity map (which holds them weakly)."""
        cls = _CLASS_OF_KIND[self.p.kind]
        refs = self._refs_of(cls.kind)
        ids = [refs[ref] for ref in map(self.ref_of, raws) if ref in refs]
        return list(self.session.scalars(select(cls).where(cls.id.in_(ids)))) if ids else []

    def _preview(self, line: int, action: str, title: str) -> None:
        if len(self.outcome.preview) < PREVIEW_ROWS:
            self.outcome.preview.append(RowPreview(line, action, title))

    def row(self, line: int, raw: dict[str, str]) -> tuple[str, str]:
        header_of = {key: header for _, header, key in self.columns}
        parsed: dict[str, Any] = {}
        bad = False
        for key, text in raw.items():
            try:
                parsed[key] = self.parse(self.targets[key], text)
            except values.ValueProblem as exc:
                self.outcome.problem(line, header_of[key], str(exc))
                bad = True
        if bad:
            return "problem", raw.get("name", raw.get("title", ""))
        handler = getattr(self, f"_{self.p.kind}")
        try:
            action, title = handler(parsed, raw, line)
        except ValidationError as exc:
            column = header_of.get(_FIELD_KEYS.get(exc.field or "", exc.field or ""), "")
            self.outcome.problem(line, column, str(exc))
            return "problem", raw.get("name", raw.get("title", ""))
        except _RowProblem as exc:
            self.outcome.problem(line, header_of.get(exc.key, ""), exc.reason)
            return "problem", raw.get("name", raw.get("title", ""))
        if action == "create":
            self.outcome.created += 1
        elif action == "update":
            self.outcome.updated += 1
        else:
            self.outcome.unchanged += 1
        return action, title

    # -- values ---------------------------------------------------------------------------------
    def parse(self, t: Target, text: str) -> Any:
        reading = self.p.reading
        if t.kind == "date":
            return values.parse_date(text, reading)
        if t.kind == "datetime":
            return _parse_datetime(text, reading)
        if t.kind == "amount":
            minor, currency = values.parse_amount(text, reading)
            if minor == 0 and self.p.preset is not None and self.p.preset.zero_price_is_unset:
                return (None, None)
            return (minor, currency)
        if t.kind == "currency":
            code = text.strip().upper()
            if code and (len(code) != 3 or not code.isalpha()):
                raise values.ValueProblem(f"{text!r} is not a currency code (EUR, USD …)")
            return code or None
        if t.kind == "int":
            return values.parse_int(text)
        if t.kind == "bool":
            return values.parse_bool(text)
        if t.kind == "enum":
            return _enum_value(t, text)
        if t.kind == "tags":
            parts = text.replace(",", ";") if self.tag_separator == "," else text
            return [p.strip() for p in parts.split(";") if p.strip()]
        return text  # text, vendor, thing, ticket: resolved by the kind's handler

    def vendor(self, name: str, *, key: str) -> int | None:
        if not name:
            return None
        found = self.vendors.get(_norm(name))
        if found is not None:
            return found
        vendor = self.new(m.Vendor, name=" ".join(name.split()))
        self.vendors[_norm(name)] = vendor.id
        self.vendor_rows.append(vendor)
        self.outcome.vendors_created.append(vendor.name)
        return vendor.id

    def thing(self, text: str, *, key: str) -> int | None:
        if not text:
            return None
        by_serial = self.things_by_serial.get(text.casefold())
        if by_serial is not None:
            return by_serial
        ids = self.things_by_name.get(_norm(text), [])
        if len(ids) == 1:
            return ids[0]
        if ids:
            raise _RowProblem(key, f"{text!r} names {len(ids)} things: use the serial number")
        raise _RowProblem(key, f"there is no thing called {text!r} (nor with that serial number)")

    def ticket(self, text: str, vendor_id: int | None, *, key: str) -> int | None:
        if not text:
            return None
        query = select(m.Ticket.id).where(
            (m.Ticket.reference == text) | (func.lower(m.Ticket.title) == text.casefold())
        )
        if vendor_id is not None:
            query = query.where(m.Ticket.vendor_id == vendor_id)
        ids = list(self.session.scalars(query.limit(2)))
        if len(ids) == 1:
            return ids[0]
        if ids:
            raise _RowProblem(key, f"{text!r} names more than one ticket: use its reference")
        raise _RowProblem(key, f"there is no ticket {text!r} with this vendor")

    # -- matching and writing -----------------------------------------------------------------
    def ref_of(self, raw: dict[str, str]) -> str:
        """The row's import reference: its own (HomeBox's ``HB.import_ref``) or a digest of it.
        Kept for the rows of the chunk being worked on (it is asked for twice)."""
        if (cached := self._ref_of.get(id(raw))) is not None:
            return cached
        own = raw.get("import_ref", "")
        if own:
            ref = own[:200]
        else:
            body = json.dumps(sorted(raw.items()), ensure_ascii=False)
            ref = "row:" + hashlib.sha256(f"{self.p.kind}\n{body}".encode()).hexdigest()[:40]
        self._ref_of[id(raw)] = ref
        return ref

    def _refs_of(self, kind: str) -> dict[str, int]:
        """This source's import refs of one kind, read once (a query per row was most of it)."""
        if kind not in self.refs:
            rows = self.session.execute(
                select(m.ImportRef.ref, m.ImportRef.record_id).where(
                    m.ImportRef.source == self.p.source, m.ImportRef.kind == kind
                )
            )
            self.refs[kind] = {row.ref: row.record_id for row in rows}
        return self.refs[kind]

    def known(self, cls: type[R], ref: str) -> R | None:
        record_id = self._refs_of(cls.kind).get(ref)
        return self.get(cls, record_id) if record_id is not None else None

    def get(self, cls: type[R], record_id: int) -> R | None:
        """A record by id, the new ones not yet flushed included."""
        found = self.pending.get((cls, record_id))
        return found if isinstance(found, cls) else self.session.get(cls, record_id)

    def new(self, cls: type[R], **fields: Any) -> R:
        """A new record, checked, with the next id of its table, written with the next batch.

        Every record this import creates comes through here, so that the ids it gives and the
        ones the database would give never meet in one table.
        """
        obj = records.add(self.session, cls, find=self.get, **fields)
        self.ids.assign(obj)
        self.pending[cls, obj.id] = obj
        self.pending_ids.add(obj.id)
        if len(self.pending) >= FLUSH_EVERY:
            self.flush()
        return obj

    def flush(self) -> None:
        self.session.flush()
        self.pending.clear()
        self.pending_ids.clear()

    def settle(self, fields: Mapping[str, Any]) -> None:
        """Flush first when ``fields`` refer to a record not flushed yet: the services check
        references (and take defaults) from the database."""
        if self.pending and any(
            k.endswith("_id") and v in self.pending_ids for k, v in fields.items()
        ):
            self.flush()

    def remember(self, obj: m.Record, ref: str) -> None:
        refs = self._refs_of(obj.kind)
        if ref not in refs:
            self.session.add(
                m.ImportRef(source=self.p.source, kind=obj.kind, ref=ref, record_id=obj.id)
            )
            refs[ref] = obj.id

    def write(
        self,
        cls: type[R],
        existing: R | None,
        fields: dict[str, Any],
        ref: str,
        tag_names: Sequence[str] = (),
    ) -> tuple[str, R]:
        """Create, or update only what differs; the ref and tags follow the record."""
        if existing is None:
            obj = self.new(cls, **fields)
            action = "create"
        else:
            changed = {k: v for k, v in fields.items() if _differs(getattr(existing, k, None), v)}
            if changed:
                self.settle({**changed, "record_id": existing.id})
                try:
                    obj = records.update(self.session, cls, existing.id, **changed)
                except ValidationError:
                    self.session.expire(existing)  # nothing of the refused change stays
                    raise
                action = "update"
            else:
                obj, action = existing, "unchanged"
        self.remember(obj, ref)
        if tag_names:
            self.settle({"record_id": obj.id})
            # the vault's tag names are matched whatever their case ("kitchen" is "Kitchen")
            have = {t.casefold() for t in tags.tags_of(self.session, obj)}
            for name in tag_names:
                if name.casefold() not in have:
                    tags.add_tag(self.session, obj, name)
                    action = "update" if action == "unchanged" else action
        return action, obj

    # -- one method per kind --------------------------------------------------------------------
    def _vendors(self, v: dict[str, Any], raw: dict[str, str], line: int) -> tuple[str, str]:
        ref = self.ref_of(raw)
        name = " ".join(v["name"].split())
        existing = self.known(m.Vendor, ref)
        if existing is None and _norm(name) in self.vendors:
            existing = self.get(m.Vendor, self.vendors[_norm(name)])
        fields = _present(v, ("vendor_kind", "status", "website", "since", "notes"))
        fields["name"] = name
        action, vendor = self.write(m.Vendor, existing, fields, ref, v.get("tags") or ())
        self.vendors[_norm(name)] = vendor.id
        extra = self._vendor_channels(vendor, v)
        return ("update" if extra and action == "unchanged" else action), name

    def _vendor_channels(self, vendor: m.Vendor, v: dict[str, Any]) -> bool:
        added = False
        for key, kind in (("email", m.ChannelKind.EMAIL), ("phone", m.ChannelKind.PHONE)):
            value = (v.get(key) or "").strip()
            if value and not self._has_detail(m.Channel, m.Channel.value, vendor.id, value):
                self.new(m.Channel, vendor_id=vendor.id, channel=kind, value=value)
                added = True
        number = (v.get("account_number") or "").strip()
        if number and not self._has_detail(m.Account, m.Account.number, vendor.id, number):
            self.new(m.Account, vendor_id=vendor.id, number=number)
            added = True
        return added

    def _has_detail(
        self, cls: type[m.Channel | m.Account], column: Any, vendor_id: int, value: str
    ) -> bool:
        """Whether the vendor has this channel or account already (this import's new ones,
        not flushed yet, included)."""
        key = (cls.kind, vendor_id, value)
        if key in self.details_added:
            return True
        self.details_added.add(key)
        query = select(cls.id).where(cls.vendor_id == vendor_id, column == value)
        return self.session.scalar(query) is not None

    def _assets(self, v: dict[str, Any], raw: dict[str, str], line: int) -> tuple[str, str]:
        ref = self.ref_of(raw)
        existing = self.known(m.Asset, ref)
        serial = (v.get("serial_number") or "").strip()
        if existing is None and serial and serial.casefold() in self.things_by_serial:
            existing = self.get(m.Asset, self.things_by_serial[serial.casefold()])
        fields = _present(
            v,
            (
                "name",
                "category",
                "model",
                "serial_number",
                "purchase_date",
                "order_number",
                "location",
            ),
        )
        for key, column in (("maker", "maker_id"), ("seller", "seller_id")):
            if key in v:
                fields[column] = self.vendor(v[key] or "", key=key)
        if "price" in v:
            minor, currency = v["price"]
            fields["price_minor"] = minor
            fields["currency"] = v.get("currency") or currency or (self.currency if minor else None)
        notes = "\n\n".join(
            x
            for x in (
                v.get("description"),
                v.get("notes"),
                f"Link: {v['url']}" if v.get("url") else "",
            )
            if x
        )
        if any(k in v for k in ("notes", "description", "url")):
            fields["notes"] = notes
        if v.get("sold_date"):
            fields["status"] = m.AssetStatus.SOLD
        elif v.get("archived"):
            fields["status"] = m.AssetStatus.DISPOSED
        elif v.get("status"):
            fields["status"] = v["status"]
        action, asset = self.write(m.Asset, existing, fields, ref, v.get("tags") or ())
        if existing is None:
            self._know_thing(asset.id, asset.name, asset.serial_number)
        if self._thing_warranty(asset, v, new=existing is None) and action == "unchanged":
            action = "update"
        return action, str(fields.get("name", ""))

    def _thing_warranty(self, asset: m.Asset, v: dict[str, Any], *, new: bool) -> bool:
        """A thing's warranty columns (HomeBox's, Warracker's) become its warranty."""
        ends: date | None = v.get("warranty_ends")
        months = (v.get("warranty_years") or 0) * 12 + (v.get("warranty_months") or 0)
        days = v.get("warranty_days") or 0
        months += -(-days // 30) if days else 0
        lifetime = bool(v.get("warranty_lifetime"))
        if not (ends or months or lifetime):
            return False
        title = (v.get("warranty_details") or "").strip()[:200] or (
            "Lifetime warranty" if lifetime else "Warranty"
        )
        fields: dict[str, Any] = {"asset_id": asset.id, "title": title}
        if ends is not None:
            fields["end_date"] = ends
            fields["months"] = None
        else:
            fields["months"] = LIFETIME_MONTHS if lifetime else months
            fields["end_date"] = None
        if asset.purchase_date is None:
            fields["starts_on"] = min(ends, date.today()) if ends else date.today()
        existing = None
        if not new:  # a thing created by this row has no warranty yet
            existing = self.session.scalar(
                select(m.Warranty).where(m.Warranty.asset_id == asset.id, m.Warranty.title == title)
            )
        action, _ = self.write(m.Warranty, existing, fields, f"thing:{asset.id}:{title}")
        return action != "unchanged"

    def _warranties(self, v: dict[str, Any], raw: dict[str, str], line: int) -> tuple[str, str]:
        ref = self.ref_of(raw)
        asset_id = self.thing(v["thing"], key="thing")
        fields = _present(
            v, ("title", "starts_on", "end_date", "months", "coverage", "how_to_claim", "notes")
        )
        fields["asset_id"] = asset_id
        if "provider" in v:
            fields["provider_id"] = self.vendor(v["provider"] or "", key="provider")
        action, _ = self.write(m.Warranty, self.known(m.Warranty, ref), fields, ref)
        return action, v.get("title") or v["thing"]

    def _service_events(self, v: dict[str, Any], raw: dict[str, str], line: int) -> tuple[str, str]:
        ref = self.ref_of(raw)
        fields = _present(
            v, ("description", "performed_on", "performed_by", "interval_months", "next_due")
        )
        fields["asset_id"] = self.thing(v["thing"], key="thing")
        if "vendor" in v:
            fields["vendor_id"] = self.vendor(v["vendor"] or "", key="vendor")
        if "cost" in v:
            minor, currency = v["cost"]
            fields["cost_minor"] = minor
            fields["currency"] = v.get("currency") or currency or (self.currency if minor else None)
        action, _ = self.write(m.ServiceEvent, self.known(m.ServiceEvent, ref), fields, ref)
        return action, v["description"]

    def _tickets(self, v: dict[str, Any], raw: dict[str, str], line: int) -> tuple[str, str]:
        ref = self.ref_of(raw)
        fields = _present(
            v, ("title", "reference", "status", "opened_on", "closed_on", "follow_up_on", "notes")
        )
        fields["vendor_id"] = self.vendor(v["vendor"], key="vendor")
        if "thing" in v:
            fields["asset_id"] = self.thing(v["thing"] or "", key="thing")
        action, _ = self.write(
            m.Ticket, self.known(m.Ticket, ref), fields, ref, v.get("tags") or ()
        )
        return action, v["title"]

    def _interactions(self, v: dict[str, Any], raw: dict[str, str], line: int) -> tuple[str, str]:
        ref = self.ref_of(raw)
        fields = _present(v, ("occurred_at", "direction", "channel", "subject", "body"))
        vendor_id = self.vendor(v["vendor"], key="vendor")
        fields["vendor_id"] = vendor_id
        if "ticket" in v:
            fields["ticket_id"] = self.ticket(v["ticket"] or "", vendor_id, key="ticket")
        if "thing" in v:
            fields["asset_id"] = self.thing(v["thing"] or "", key="thing")
        action, _ = self.write(m.Interaction, self.known(m.Interaction, ref), fields, ref)
        return action, v.get("subject") or v.get("body", "")[:60]


class _RowProblem(Exception):
    def __init__(self, key: str, reason: str) -> None:
        super().__init__(reason)
        self.key, self.reason = key, reason


#: a model field named in a ValidationError -> the import field whose column to blame
_FIELD_KEYS = {
    "price_minor": "price",
    "cost_minor": "cost",
    "maker_id": "maker",
    "seller_id": "seller",
    "vendor_id": "vendor",
    "asset_id": "thing",
    "provider_id": "provider",
    "ticket_id": "ticket",
}


def _present(v: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """The fields the file has columns for. An empty cell clears a date or a number; it leaves
    a choice (a status, a channel) as it is, since those always hold one."""
    return {k: v[k] for k in keys if k in v and not (v[k] is None and k in _CHOICE_KEYS)}


_CHOICE_KEYS = {"vendor_kind", "status", "coverage", "direction", "channel"}


def _differs(current: Any, new: Any) -> bool:
    if hasattr(current, "value") and isinstance(new, str):  # an enum against its value
        return str(current.value) != new
    if isinstance(current, datetime) and isinstance(new, datetime):
        return current.replace(second=0, microsecond=0) != new.replace(second=0, microsecond=0)
    return bool(current != new) and not (current in (None, "") and new in (None, ""))


def _enum_value(t: Target, text: str) -> str | None:
    word = " ".join(text.strip().casefold().replace("_", " ").split())
    if not word:
        return None
    value = ENUM_WORDS.get(t.key, {}).get(word, word.replace(" ", "_"))
    if value not in t.choices:
        readable = ", ".join(c.replace("_", " ") for c in t.choices)
        raise values.ValueProblem(f"{text!r} is not one of: {readable}")
    return value


def _parse_datetime(text: str, reading: values.Reading) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    day_part, _, clock = text.replace("T", " ").partition(" ")
    day = values.parse_date(day_part, reading) if clock else values.parse_date(text, reading)
    if day is None:
        return None
    if not clock:
        return datetime.combine(day, time(12, 0))
    clock = clock.strip().rstrip("Z")
    for form in ("%H:%M", "%H:%M:%S", "%H:%M:%S.%f", "%I:%M %p", "%I:%M:%S %p"):
        try:
            return datetime.combine(day, datetime.strptime(clock, form).time())
        except ValueError:
            continue
    raise values.ValueProblem(f"{text!r} is not a date with a time")

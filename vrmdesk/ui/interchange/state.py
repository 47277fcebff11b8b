"""What the import wizard's pages share: the person's choices, what was found in the file, and
the work each page starts off the UI thread (plain functions over the core, no Qt)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from vrmdesk.interchange import csv_import, csvfile, mappings, presets, vcard
from vrmdesk.interchange.csv_import import Outcome, Prepared
from vrmdesk.interchange.fields import IMPORT_KINDS, TARGETS, ImportKind
from vrmdesk.interchange.values import Reading
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.tasks import Task

VCARD = "vcard"
#: what a file can hold, as the first page offers it (the key, its label)
KINDS: tuple[tuple[str, str], ...] = (
    ("assets", "Things"),
    ("vendors", "Vendors"),
    ("warranties", "Warranties"),
    ("service_events", "Service events"),
    ("tickets", "Tickets"),
    ("interactions", "Interactions (the timeline)"),
    (VCARD, "An address book (vCard)"),
)
ENCODINGS: tuple[tuple[str, str], ...] = (
    ("", "Automatic"),
    ("utf-8", "UTF-8"),
    ("utf-16", "UTF-16"),
    ("cp1252", "Western (cp1252)"),
)
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with a byte-order mark",
    "utf-16": "UTF-16",
    "cp1252": "Western (cp1252)",
}
SAMPLE_ROWS = 5
FILE_PAGE, MAPPING_PAGE, PREVIEW_PAGE, RUN_PAGE = range(4)


@dataclass(frozen=True)
class Choice:
    """The first page: which file, what it holds, read how."""

    path: Path
    kind: str  # an ImportKind, or VCARD
    preset: str = ""  # "" none, else a key of presets.PRESETS
    encoding: str = ""  # "" automatic

    @property
    def is_vcard(self) -> bool:
        return self.kind == VCARD

    @property
    def csv_kind(self) -> ImportKind:
        for kind in IMPORT_KINDS:
            if kind == self.kind:
                return kind
        raise ValueError(f"{self.kind} is not a kind of CSV import")


@dataclass
class Inspection:
    """What the whole file was found to be, before the person maps it."""

    choice: Choice
    headers: list[str] = field(default_factory=list)
    sample: list[list[str]] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # header -> field key offered
    reading: Reading = field(default_factory=Reading)
    undecided: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    remembered: bool = False
    cards: int = 0


@dataclass(frozen=True)
class Mapping:
    """The second page: a field (or "") for every column, and how values read (None: decide)."""

    columns: dict[str, str]
    reading: Reading | None


class ImportState(Protocol):
    """What the pages ask of the wizard (so no page module imports it)."""

    controller: VaultController
    choice: Choice | None
    inspection: Inspection | None
    prepared: Prepared | None
    preview: Outcome | None
    imported: Outcome | None

    def start(
        self,
        fn: Callable[[Task], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        label: str = "",
    ) -> Task: ...

    def is_busy(self) -> bool: ...

    def next(self) -> None: ...


# -- the work, run off the UI thread ---------------------------------------------------------
def quick_look(choice: Choice) -> csvfile.CsvFile:
    """The file's first 64 KiB: its encoding, delimiter and header (a moment's work)."""
    return csvfile.open_csv(choice.path, encoding=choice.encoding or None)


def inspect(controller: VaultController, choice: Choice, task: Task) -> Inspection:
    """Read the whole file once: its first rows, the mapping to offer (remembered for this
    header row, else the preset's or the guess), and how its dates and amounts read."""
    if choice.is_vcard:
        cards = sum(1 for _ in vcard.read_cards(choice.path))
        return Inspection(choice, cards=cards)
    kind = choice.csv_kind
    file = quick_look(choice)
    sample = []
    for _, cells in file.rows():
        sample.append(cells)
        if len(sample) >= SAMPLE_ROWS:
            break
    if task.cancelled:  # told as the core tells it, so the wizard hears of it
        raise csv_import.ImportCancelled()
    preset = presets.PRESETS.get(choice.preset)
    with controller.session() as session:
        remembered = mappings.recall(session, kind, file.headers)
    if remembered is not None:
        columns = dict(remembered.columns)
        explicit: Reading | None = remembered.reading
    else:
        columns = presets.columns_for(preset, kind, file.headers)
        explicit = None
    found = Inspection(
        choice, file.headers, sample, columns, notes=list(file.notes), remembered=bool(remembered)
    )
    if any(t.required and t.key not in columns.values() for t in TARGETS[kind]):
        return found  # the person maps the needed fields first; then the file is read whole
    prepared = csv_import.prepare(
        choice.path,
        kind,
        preset=choice.preset or "none",
        columns={h: columns.get(h, "") for h in file.headers},
        reading=explicit,
        encoding=choice.encoding or None,
    )
    found.columns = dict(prepared.columns)
    found.reading = prepared.reading
    found.undecided = list(prepared.undecided)
    found.notes = list(prepared.notes)
    return found


def prepare(choice: Choice, mapping: Mapping) -> Prepared:
    """The file with the person's mapping, checked again (the whole file is read)."""
    return csv_import.prepare(
        choice.path,
        choice.csv_kind,
        preset=choice.preset or "none",
        columns=mapping.columns,
        reading=mapping.reading,
        encoding=choice.encoding or None,
    )


def run_import(
    controller: VaultController,
    choice: Choice,
    prepared: Prepared | None,
    task: Task,
    *,
    dry_run: bool,
    skip_bad_rows: bool = False,
) -> Outcome:
    """The import (or its dry run) in one transaction; a cancel rolls it back whole. A CSV
    mapping that imported is remembered for the next file with the same header row."""
    if choice.is_vcard:
        return vcard.import_vcards(
            controller.vault,
            choice.path,
            dry_run=dry_run,
            progress=task.progress,
            cancelled=lambda: task.cancelled,
        )
    assert prepared is not None
    outcome = csv_import.import_csv(
        controller.vault,
        prepared,
        dry_run=dry_run,
        skip_bad_rows=skip_bad_rows,
        progress=task.progress,
        cancelled=lambda: task.cancelled,
    )
    if outcome.committed:
        with controller.session() as session:
            mappings.remember(
                session,
                prepared.kind,
                prepared.file.headers,
                {h: prepared.columns.get(h, "") for h in prepared.file.headers},
                prepared.reading,
            )
    return outcome

"""Opening a spreadsheet export as rows of text: its encoding, its delimiter, its header.

Read with the standard ``csv`` module; the delimiter among ``,`` ``;`` and tab is found with
``csv.Sniffer`` on the first 64 KiB. Encodings: a byte-order mark says UTF-8 or UTF-16; without
one the file must be UTF-8, or the person names a legacy 8-bit encoding (cp1252 …); a sample
that is not UTF-8 is read as cp1252 with a note saying so. A file with NUL bytes (outside
UTF-16) is not text: a PNG renamed ``.csv`` is refused before anything is read. Rows are
streamed, so a 200 MB file costs the memory of one row.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from vrmshare.fileutil import open_regular

from vrmdesk.errors import VrmError

SAMPLE_BYTES = 64 * 1024
MAX_FIELD = 1024 * 1024  # one cell; more is not a spreadsheet
DELIMITERS = ",;\t"
LEGACY = "cp1252"


class CsvError(VrmError):
    """The file cannot be read as a spreadsheet at all (nothing was imported)."""


@dataclass
class CsvFile:
    """An opened CSV export: what was found about it, and its rows as lists of text."""

    path: Path
    encoding: str
    delimiter: str
    headers: list[str]
    notes: list[str] = field(default_factory=list)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, cells) of every data row; the line of a row's first physical line."""
        with open_regular(self.path, CsvError, "the CSV file") as raw:
            text = io.TextIOWrapper(raw, encoding=self.encoding, errors="strict", newline="")
            reader = csv.reader(text, delimiter=self.delimiter, strict=False)
            try:
                next(reader, None)  # the header
                line = reader.line_num + 1
                for cells in reader:
                    if any(cell.strip() for cell in cells):
                        yield line, cells
                    line = reader.line_num + 1
            except UnicodeDecodeError:
                raise CsvError(
                    f"Line {reader.line_num + 1} of {self.path.name} is not {self.encoding} "
                    "text: choose the file's encoding (for example cp1252 for an older "
                    "Windows spreadsheet)."
                ) from None
            except csv.Error as exc:
                raise CsvError(f"Line {reader.line_num} of {self.path.name}: {exc}.") from None


def _encoding_of(sample: bytes, chosen: str | None, notes: list[str]) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if chosen:
        try:
            return codecs.lookup(chosen).name
        except LookupError:
            raise CsvError(f"There is no text encoding called {chosen!r}.") from None
    if b"\x00" in sample:
        raise CsvError(
            "This is not a CSV file: it holds binary data (is it a picture or a "
            "spreadsheet in another format? Save it as CSV first)."
        )
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not merely a character cut at the sample's end
            notes.append(
                f"The file is not UTF-8; it is read as {LEGACY} (Windows Western "
                "European). Choose another encoding if names look wrong."
            )
            return LEGACY
    return "utf-8"


def open_csv(path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> CsvFile:
    """Open ``path`` as a CSV export; :class:`CsvError` when it cannot be one."""
    path = Path(path)
    csv.field_size_limit(MAX_FIELD)
    with open_regular(path, CsvError, "the CSV file") as raw:
        sample = raw.read(SAMPLE_BYTES)
    if not sample.strip():
        raise CsvError(f"{path.name} is empty.")
    notes: list[str] = []
    name = _encoding_of(sample, encoding, notes)
    text = sample.decode(name, errors="ignore")  # the sample may end inside a character
    if delimiter is None:
        delimiter = _delimiter_of(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers = next(reader, [])
    headers = [h.strip() for h in headers]
    if not any(headers):
        raise CsvError(f"{path.name} has no header row (the first line names the columns).")
    headers = _unique(headers, notes)
    return CsvFile(path, name, delimiter, headers, notes)


def _delimiter_of(text: str) -> str:
    head = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(head, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = text.splitlines()[0] if text else ""
        return max(DELIMITERS, key=first.count) if any(d in first for d in DELIMITERS) else ","


def _unique(headers: list[str], notes: list[str]) -> list[str]:
    """Column names made unique (``Name``, ``Name (2)``), saying so: a mapping names columns."""
    seen: dict[str, int] = {}
    out = []
    for index, header in enumerate(headers, 1):
        base = header or f"Column {index}"
        key = base.casefold()
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            renamed = f"{base} ({seen[key]})"
            notes.append(
                f"Two columns are named {base!r}; the one in column {index} is called "
                f"{renamed!r} here."
            )
            base = renamed
        out.append(base)
    return out

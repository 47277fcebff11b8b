"""Checking a bundle's ZIP before anything in it is trusted: refuse, never repair.

A ZIP describes its contents twice: a local header in front of each entry's data (what a
streaming reader follows, from the first byte on) and the central directory at the end (what
Python's zipfile follows). Python's zipfile reads only the second and forgives a lot: it lists
duplicate names (``read(name)`` returns the last), ignores the end record's entry counts, reads
past data appended after the archive or a comment, never compares a local header's method,
sizes, CRC or flags with the directory's, does not notice bytes that no listed entry covers
(a whole hidden entry a streaming reader would extract), and before 3.11.8 misses overlapping
entries. It exposes none of the local headers' fields either. So this module walks the archive
itself, by hand, with :mod:`struct` (APPNOTE.TXT 6.3): the end record (and a ZIP64 end record
and locator, which our writer makes past 2 GiB), the central directory entry by entry, and each
entry's local header, name, extra field, data and data descriptor, and accepts an archive only if

- it ends with the end record: no comment, nothing after it;
- the central directory holds exactly the entries the end record counts and fills exactly the
  bytes it says, and ends where the end record (or the ZIP64 end record) begins;
- the first local header is at byte 0 and each listed entry (local header + name + extra + data
  + data descriptor, if flagged) starts exactly where the one before it ends, in directory
  order, and the last one ends exactly where the central directory starts: every byte is
  accounted for by a listed entry;
- each local header agrees with its directory entry: flags (among them the encryption bit),
  method, name, CRC and sizes (from the ZIP64 extra field where the header says 0xFFFFFFFF, or
  from the data descriptor where flag bit 3 says so);
- every entry has a safe, flat name from the bundle layout, none twice (also ignoring case), is
  a regular file (no symbolic link, device, pipe, socket or folder in its attributes), is
  stored or deflated, unencrypted, with no comment, and sizes within the caps.

Then Python's zipfile is opened on it and must list the very same entries; it does the
decompressing. Reading an entry counts the bytes that actually come out, so a size that lies or
a zip bomb stops at the cap.
"""

from __future__ import annotations

import hashlib
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from vrmshare.errors import BundleForged, BundleMalformed, BundleTooLarge
from vrmshare.layout import (
    CHUNK,
    MAX_ENTRIES,
    MAX_RATIO,
    MAX_TOTAL_UNCOMPRESSED,
    RATIO_MIN_SIZE,
    check_name,
)

_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sBBBBHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")
_END64 = struct.Struct("<4sQHHIIQQQQ")
_LOCATOR = struct.Struct("<4sIQI")
_LOCAL_MAGIC = b"PK\x03\x04"
_CENTRAL_MAGIC = b"PK\x01\x02"
_END_MAGIC = b"PK\x05\x06"
_END64_MAGIC = b"PK\x06\x06"
_LOCATOR_MAGIC = b"PK\x06\x07"
_DESCRIPTOR_MAGIC = b"PK\x07\x08"
_ZIP64_EXTRA = 0x0001
_UNICODE_PATH_EXTRA = 0x7075  # another name for the entry: refused, one name is enough
_MAX_CENTRAL_BYTES = 16 * 1024**2
# flag bits a reader accepts: 1-2 deflate options, 3 data descriptor, 11 UTF-8 name
_ALLOWED_FLAGS = 0x0002 | 0x0004 | 0x0008 | 0x0800
_ENCRYPTION_FLAGS = 0x0001 | 0x0040 | 0x2000  # traditional, strong, masked local header
_U32 = 0xFFFFFFFF
_U16 = 0xFFFF

_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    struct.error,
    NotImplementedError,
    OverflowError,
    IndexError,
    KeyError,
    TypeError,
)
_NOT_REGULAR = {
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFDIR: "a folder",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFIFO: "a pipe",
    stat.S_IFSOCK: "a socket",
}


@dataclass(frozen=True)
class _Listed:
    """One central directory entry, with its ZIP64 values resolved."""

    name: str
    raw_name: bytes
    flags: int
    method: int
    crc: int
    compressed: int
    size: int
    offset: int
    external: int


@dataclass(frozen=True)
class ZipRules:
    """What one kind of ZIP may hold: the word its messages call it, the one rule for its entry
    names, and its caps. Bundles have theirs (:func:`bundle_rules`); a vault archive
    (:mod:`vrmdesk.interchange.archive`) has its own names and caps and the same checks."""

    what: str
    not_a_zip: str
    check_name: Callable[[str], None]
    max_entries: int
    max_total: int
    max_directory: int


def bundle_rules() -> ZipRules:
    """A bundle's rules (made when asked, so the caps are the module's at that moment)."""
    return ZipRules(
        what="bundle",
        not_a_zip="This is not a vrmshare bundle (not a ZIP file).",
        check_name=check_name,
        max_entries=MAX_ENTRIES,
        max_total=MAX_TOTAL_UNCOMPRESSED,
        max_directory=_MAX_CENTRAL_BYTES,
    )


def check_archive(
    handle: BinaryIO, size: int, rules: ZipRules | None = None
) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo]]:
    """Open ``handle`` as a ZIP of the kind ``rules`` describe (a bundle by default) and check
    every byte of it; returns it and its entries by name."""
    rules = rules or bundle_rules()
    handle.seek(0)
    if handle.read(4) != _LOCAL_MAGIC:
        raise BundleMalformed(rules.not_a_zip)
    try:
        listed = _walk(handle, size, rules)
    except (struct.error, UnicodeDecodeError) as exc:
        raise BundleMalformed(
            f"This {rules.what} is not a readable ZIP file ({_why(exc)})."
        ) from None
    handle.seek(0)
    try:
        zf = zipfile.ZipFile(handle)
        infos = zf.infolist()
    except (*_READ_ERRORS, UnicodeDecodeError, RecursionError, MemoryError) as exc:
        raise BundleMalformed(
            f"This {rules.what} is not a readable ZIP file ({_why(exc)})."
        ) from None
    try:
        _same_as_zipfile(listed, infos, rules.what)
    except BaseException:
        zf.close()
        raise
    return zf, {info.orig_filename: info for info in infos}


# -- the walk -----------------------------------------------------------------------------------
def _read_at(handle: BinaryIO, offset: int, length: int, what: str) -> bytes:
    handle.seek(offset)
    data = handle.read(length)
    if len(data) != length:
        raise BundleMalformed(f"The ZIP is cut off ({what}).")
    return data


def _walk(handle: BinaryIO, size: int, rules: ZipRules) -> list[_Listed]:
    directory_start, directory_size, count = _end_records(handle, size, rules)
    listed = _central_directory(
        _read_at(handle, directory_start, directory_size, "the ZIP directory"), count, rules.what
    )
    _check_entries(listed, rules)
    position = 0
    for entry in listed:
        if entry.offset < position:
            raise BundleMalformed(f"The entry {entry.name!r} overlaps another entry.")
        if entry.offset > position:
            raise BundleMalformed(
                f"The {rules.what} holds {entry.offset - position} bytes before {entry.name!r} "
                "that no listed entry accounts for (a hidden entry?); refused."
            )
        position = _local_entry_end(handle, entry, directory_start)
    if position != directory_start:
        raise BundleMalformed(
            f"The {rules.what} holds {directory_start - position} bytes before its ZIP "
            "directory that no listed entry accounts for (a hidden entry?); refused."
        )
    return listed


def _end_records(handle: BinaryIO, size: int, rules: ZipRules) -> tuple[int, int, int]:
    """(directory start, directory size, entry count), checked against each other and the end."""
    if size < _LOCAL.size + _END.size:
        raise BundleMalformed(f"This {rules.what} is not a readable ZIP file (too short).")
    end_at = size - _END.size
    end = _END.unpack(_read_at(handle, end_at, _END.size, "the end record"))
    if end[0] != _END_MAGIC or end[7] != 0:
        tail_start = max(0, size - _END.size - 0xFFFF)
        tail = _read_at(handle, tail_start, size - tail_start, "the end record")
        if _END_MAGIC in tail:
            raise BundleMalformed(
                f"The {rules.what} has a ZIP comment or data after the end of the archive; refused."
            )
        raise BundleMalformed(f"This {rules.what} is not a readable ZIP file (no end record).")
    _, disk, directory_disk, here, total, directory_size, directory_start, _ = end
    if disk != 0 or directory_disk != 0:
        raise BundleMalformed(f"The {rules.what} is a multi-part ZIP; refused.")
    directory_end = end_at
    locator_at = end_at - _LOCATOR.size
    if locator_at >= 0 and _read_at(handle, locator_at, 4, "the end record") == _LOCATOR_MAGIC:
        locator = _LOCATOR.unpack(_read_at(handle, locator_at, _LOCATOR.size, "the ZIP64 locator"))
        if locator[1] != 0 or locator[3] != 1 or locator[2] != locator_at - _END64.size:
            raise BundleMalformed(f"The {rules.what}'s ZIP64 end record is not where it says.")
        record = _END64.unpack(_read_at(handle, locator[2], _END64.size, "the ZIP64 end record"))
        magic, length, _, _, disk64, directory_disk64, here64, total64, size64, start64 = record
        if magic != _END64_MAGIC or length != _END64.size - 12:
            raise BundleMalformed(f"The {rules.what}'s ZIP64 end record is damaged.")
        if disk64 != 0 or directory_disk64 != 0:
            raise BundleMalformed(f"The {rules.what} is a multi-part ZIP; refused.")
        for plain, wide, sentinel in (
            (here, here64, _U16),
            (total, total64, _U16),
            (directory_size, size64, _U32),
            (directory_start, start64, _U32),
        ):
            if plain not in (wide, sentinel):
                raise BundleMalformed(
                    f"The {rules.what}'s two end records disagree (entry count, "
                    "directory size or offset); refused."
                )
        here, total, directory_size, directory_start = here64, total64, size64, start64
        directory_end = locator[2]
    if here != total:
        raise BundleMalformed(
            f"The {rules.what}'s end record counts {total} entries in all but "
            f"{here} on this disk; refused."
        )
    if total > rules.max_entries:
        raise BundleTooLarge(
            f"The {rules.what} has {total} entries; at most {rules.max_entries} are read."
        )
    if directory_size > rules.max_directory:
        raise BundleTooLarge(
            f"The {rules.what}'s ZIP directory is larger than "
            f"{rules.max_directory // 1024**2} MiB; refused."
        )
    if directory_start + directory_size != directory_end:
        raise BundleMalformed(f"The {rules.what}'s ZIP directory is not where the end record says.")
    return directory_start, directory_size, total


def _extra_fields(extra: bytes, name: str) -> dict[int, bytes]:
    fields: dict[int, bytes] = {}
    position = 0
    while position < len(extra):
        if position + 4 > len(extra):
            raise BundleMalformed(f"The entry {name!r} has a damaged extra field.")
        kind, length = struct.unpack_from("<HH", extra, position)
        body = extra[position + 4 : position + 4 + length]
        if len(body) != length or kind in fields:
            raise BundleMalformed(f"The entry {name!r} has a damaged extra field.")
        if kind == _UNICODE_PATH_EXTRA:
            raise BundleMalformed(f"The entry {name!r} carries a second name; refused.")
        fields[kind] = body
        position += 4 + length
    return fields


def _zip64_values(fields: dict[int, bytes], wanted: list[bool], name: str) -> list[int | None]:
    """The 8-byte values of a ZIP64 extra field for the header fields that say 0xFFFFFFFF."""
    body = fields.get(_ZIP64_EXTRA)
    needed = sum(wanted)
    if body is None:
        if needed:
            raise BundleMalformed(f"The entry {name!r} lacks the ZIP64 sizes its header calls for.")
        return [None] * len(wanted)
    if len(body) != 8 * needed:
        raise BundleMalformed(f"The entry {name!r} has a ZIP64 field that does not fit its header.")
    values = iter(struct.unpack(f"<{needed}Q", body))
    return [next(values) if want else None for want in wanted]


def _central_directory(data: bytes, count: int, what: str) -> list[_Listed]:
    listed: list[_Listed] = []
    position = 0
    while position < len(data):
        if len(listed) == count:
            raise BundleMalformed(
                f"The {what}'s ZIP directory holds more entries than the {count} "
                "its end record counts; refused."
            )
        if data[position : position + 4] != _CENTRAL_MAGIC or position + _CENTRAL.size > len(data):
            raise BundleMalformed(f"The {what}'s ZIP directory is damaged.")
        fields = _CENTRAL.unpack_from(data, position)
        (
            _,
            _,
            _,
            _,
            _,
            flags,
            method,
            _,
            _,
            crc,
            compressed,
            size,
            name_len,
            extra_len,
            comment_len,
            disk,
            _,
            external,
            offset,
        ) = fields
        start = position + _CENTRAL.size
        raw_name = data[start : start + name_len]
        extra = data[start + name_len : start + name_len + extra_len]
        position = start + name_len + extra_len + comment_len
        if position > len(data):
            raise BundleMalformed(f"The {what}'s ZIP directory is damaged.")
        name = _decode_name(raw_name, flags, what)
        if comment_len:
            raise BundleMalformed(f"The entry {name!r} has a comment; refused.")
        extras = _extra_fields(extra, name)
        size64, compressed64, offset64 = _zip64_values(
            extras, [size == _U32, compressed == _U32, offset == _U32], name
        )
        if disk != 0:
            raise BundleMalformed(f"The {what} is a multi-part ZIP; refused.")
        listed.append(
            _Listed(
                name,
                raw_name,
                flags,
                method,
                crc,
                compressed if compressed64 is None else compressed64,
                size if size64 is None else size64,
                offset if offset64 is None else offset64,
                external,
            )
        )
    if len(listed) != count:
        raise BundleMalformed(
            f"The {what}'s end record counts {count} entries, but its ZIP "
            f"directory holds {len(listed)}; refused."
        )
    return listed


def _decode_name(raw: bytes, flags: int, what: str) -> str:
    try:
        return raw.decode("utf-8" if flags & 0x800 else "cp437")
    except UnicodeDecodeError:
        raise BundleMalformed(
            f"The {what} holds an entry name that is not UTF-8 ({raw[:40]!r})."
        ) from None


def _file_type(entry: _Listed) -> str | None:
    """What the entry's attributes make it, if not a regular file (None for a regular one)."""
    kind = stat.S_IFMT(entry.external >> 16)
    if kind in _NOT_REGULAR:
        return _NOT_REGULAR[kind]
    if kind not in (0, stat.S_IFREG):
        return "not a regular file"
    if entry.external & 0x10:  # MS-DOS directory attribute
        return "a folder"
    if entry.external & 0x08:  # MS-DOS volume label
        return "a volume label"
    return None


def _check_entries(listed: list[_Listed], rules: ZipRules) -> None:
    names: set[str] = set()
    folded: set[str] = set()
    total = 0
    for entry in listed:
        name = entry.name
        rules.check_name(name)
        if name in names or name.casefold() in folded:
            raise BundleMalformed(f"The {rules.what} holds the name {name!r} twice.")
        names.add(name)
        folded.add(name.casefold())
        if entry.flags & _ENCRYPTION_FLAGS:
            raise BundleMalformed(f"The entry {name!r} is encrypted with ZIP encryption.")
        if entry.method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BundleMalformed(f"The entry {name!r} uses an unsupported compression method.")
        if entry.flags & ~_ALLOWED_FLAGS:
            raise BundleMalformed(
                f"The entry {name!r} uses ZIP features a {rules.what} does not "
                f"(flags {entry.flags:#06x}); refused."
            )
        kind = _file_type(entry)
        if kind is not None:
            raise BundleMalformed(f"The entry {name!r} is {kind}, not a regular file; refused.")
        if entry.method == zipfile.ZIP_STORED and entry.compressed != entry.size:
            raise BundleMalformed(f"The entry {name!r} declares two different sizes.")
        total += entry.size
        if total > rules.max_total:
            raise BundleTooLarge(
                f"The {rules.what}'s contents are larger than {_gib(rules.max_total)}; refused."
            )
        _check_ratio(name, entry.size, entry.compressed)


def _local_entry_end(handle: BinaryIO, entry: _Listed, limit: int) -> int:
    """Check the entry's local header against the directory; where its data (and descriptor) end."""
    name = entry.name
    if entry.offset + _LOCAL.size > limit:
        raise BundleMalformed(f"The entry {name!r} overlaps the ZIP directory.")
    fields = _LOCAL.unpack(_read_at(handle, entry.offset, _LOCAL.size, name))
    magic, _, flags, method, _, _, crc, compressed, size, name_len, extra_len = fields
    if magic != _LOCAL_MAGIC:
        raise BundleMalformed(f"The entry {name!r} has no local header where listed.")
    data_start: int = entry.offset + _LOCAL.size + name_len + extra_len  # unpacked: ints
    if data_start > limit:
        raise BundleMalformed(f"The entry {name!r} overlaps the next entry.")
    raw = _read_at(handle, entry.offset + _LOCAL.size, name_len + extra_len, name)
    if raw[:name_len] != entry.raw_name:
        raise BundleMalformed(f"The entry {name!r} has a different name in its local header.")
    if flags != entry.flags:
        raise BundleMalformed(
            f"The entry {name!r} has other flags (encryption, data descriptor) "
            "in its local header than in the ZIP directory; refused."
        )
    if method != entry.method:
        raise BundleMalformed(
            f"The entry {name!r} has another compression method in its local "
            "header than in the ZIP directory; refused."
        )
    extras = _extra_fields(raw[name_len:], name)
    zip64 = _ZIP64_EXTRA in extras
    size64, compressed64 = _zip64_values(extras, [size == _U32, compressed == _U32], name)
    local = (
        crc,
        compressed if compressed64 is None else compressed64,
        size if size64 is None else size64,
    )
    data_end = data_start + entry.compressed
    if data_end > limit:
        raise BundleMalformed(f"The entry {name!r} overlaps the next entry.")
    if flags & 0x8:
        if local != (0, 0, 0) and local != (entry.crc, entry.compressed, entry.size):
            raise BundleMalformed(
                f"The entry {name!r} declares other sizes or CRC in its local "
                "header than in the ZIP directory; refused."
            )
        return _descriptor_end(handle, entry, data_end, zip64, limit)
    if local != (entry.crc, entry.compressed, entry.size):
        raise BundleMalformed(
            f"The entry {name!r} declares other sizes or CRC in its local "
            "header than in the ZIP directory; refused."
        )
    return data_end


def _descriptor_end(handle: BinaryIO, entry: _Listed, at: int, zip64: bool, limit: int) -> int:
    """The data descriptor after an entry's data (its signature is optional in APPNOTE)."""
    width = "Q" if zip64 else "I"
    signed = struct.Struct(f"<4sI{width}{width}")
    unsigned = struct.Struct(f"<I{width}{width}")
    expected = (entry.crc, entry.compressed, entry.size)
    head = _read_at(handle, at, 4, entry.name) if at + 4 <= limit else b""
    if head == _DESCRIPTOR_MAGIC:
        if (
            at + signed.size <= limit
            and signed.unpack(_read_at(handle, at, signed.size, entry.name))[1:] == expected
        ):
            return at + signed.size
    elif (
        at + unsigned.size <= limit
        and unsigned.unpack(_read_at(handle, at, unsigned.size, entry.name)) == expected
    ):
        return at + unsigned.size
    raise BundleMalformed(
        f"The entry {entry.name!r} declares other sizes or CRC in its data "
        "descriptor than in the ZIP directory; refused."
    )


def _same_as_zipfile(listed: list[_Listed], infos: list[zipfile.ZipInfo], what: str) -> None:
    """Python's zipfile must read the very directory walked here (it does the decompressing)."""
    theirs = [
        (
            i.orig_filename,
            i.header_offset,
            i.compress_size,
            i.file_size,
            i.CRC,
            i.compress_type,
            i.flag_bits,
        )
        for i in infos
    ]
    ours = [(e.name, e.offset, e.compressed, e.size, e.crc, e.method, e.flags) for e in listed]
    if theirs != ours:
        raise BundleMalformed(f"The {what}'s ZIP directory reads two ways; refused.")


def _gib(size: int) -> str:
    return f"{size // 1024**3} GiB" if size >= 1024**3 else f"{size:,} bytes"


def _check_ratio(name: str, uncompressed: int, compressed: int) -> None:
    if uncompressed > RATIO_MIN_SIZE and uncompressed > MAX_RATIO * max(compressed, 1):
        raise BundleTooLarge(
            f"The entry {name!r} expands more than {MAX_RATIO} times (a zip bomb?); refused."
        )


def _why(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def stream_entry(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    *,
    limit: int,
    sink: Callable[[bytes], object] | None = None,
) -> tuple[int, str]:
    """Read one entry to its end, counting what comes out; returns (size, SHA-256 hex).

    Refuses as soon as more bytes come out than declared or than ``limit``, or the expansion
    ratio passes the cap; a CRC or deflate error is a damaged bundle.
    """
    name = info.orig_filename
    digest = hashlib.sha256()
    count = 0
    try:
        source = zf.open(info)
    except (*_READ_ERRORS, RecursionError, MemoryError) as exc:
        raise BundleForged(f"The entry {name!r} is damaged ({_why(exc)}).") from None
    with source:
        while True:
            try:
                chunk = source.read(CHUNK)
            except (*_READ_ERRORS, RecursionError, MemoryError) as exc:
                raise BundleForged(f"The entry {name!r} is damaged ({_why(exc)}).") from None
            if not chunk:
                break
            count += len(chunk)
            if count > info.file_size:
                raise BundleMalformed(f"The entry {name!r} is larger than it declares.")
            if count > limit:
                raise BundleTooLarge(f"The entry {name!r} is over the size limit; refused.")
            _check_ratio(name, count, info.compress_size)
            digest.update(chunk)
            if sink is not None:
                sink(chunk)
    if count != info.file_size:
        raise BundleMalformed(f"The entry {name!r} is shorter than it declares.")
    return count, digest.hexdigest()

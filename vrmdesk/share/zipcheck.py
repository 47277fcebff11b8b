"""Checking a bundle's ZIP before anything in it is trusted: refuse, never repair.

Python's zipfile lists duplicate names (``read(name)`` returns the last), rewrites ``../x`` and
``/abs`` on extraction instead of refusing, and before 3.11.8 misses overlapping entries. So every
entry is checked here: a safe, flat name from the bundle layout, no duplicates (also ignoring
case), no encryption, stored or deflated only, its local header where the central directory says
with the same name, its data ending before the next entry (or the central directory), and sizes
within the caps. Reading an entry counts the bytes that actually come out, so a size that lies
or a zip bomb stops at the cap.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import BinaryIO

from vrmdesk.share.errors import BundleForged, BundleMalformed, BundleTooLarge
from vrmdesk.share.format import (
    CHUNK,
    INDEX_NAME,
    MANIFEST_NAME,
    MAX_ENTRIES,
    MAX_RATIO,
    MAX_TOTAL_UNCOMPRESSED,
    RATIO_MIN_SIZE,
    SIGNATURE_NAME,
)

_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_LOCAL_MAGIC = b"PK\x03\x04"
_FILE_NAME = re.compile(r"files/[A-Za-z0-9][A-Za-z0-9._ ()+,=@-]{0,199}")
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error,
                NotImplementedError, OverflowError, IndexError, KeyError, TypeError)


def check_name(name: str) -> None:
    """Refuse any name a careless extractor could turn into a path outside its folder."""
    if not name or len(name) > 250:
        raise BundleMalformed(f"The bundle holds an entry with an unusable name ({name[:40]!r}).")
    if "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ":" in name:
        raise BundleMalformed(f"The bundle holds an unsafe entry name {name!r} (absolute, "
                              "drive letter or backslash).")
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise BundleMalformed(f"The bundle holds an unsafe entry name {name!r} ('..' or empty parts).")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise BundleMalformed(f"The bundle holds an entry name with control characters {name!r}.")
    if name not in (MANIFEST_NAME, SIGNATURE_NAME, INDEX_NAME) and not _FILE_NAME.fullmatch(name):
        raise BundleMalformed(
            f"The bundle holds an entry {name!r} outside its layout (manifest.json, manifest.jws, "
            "index.html, files/NAME)."
        )


def check_archive(handle: BinaryIO, size: int) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo]]:
    """Open ``handle`` as a bundle ZIP and check every entry; returns it and its entries by name."""
    handle.seek(0)
    if handle.read(4) != _LOCAL_MAGIC:
        raise BundleMalformed("This is not a vrmshare bundle (not a ZIP file).")
    handle.seek(0)
    try:
        zf = zipfile.ZipFile(handle)
        infos = zf.infolist()
    except _READ_ERRORS + (UnicodeDecodeError, RecursionError, MemoryError) as exc:
        raise BundleMalformed(f"This bundle is not a readable ZIP file ({_why(exc)}).") from None
    try:
        entries = _check_entries(handle, size, zf, infos)
    except BaseException:
        zf.close()
        raise
    return zf, entries


def _check_entries(
    handle: BinaryIO, size: int, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]
) -> dict[str, zipfile.ZipInfo]:
    if len(infos) > MAX_ENTRIES:
        raise BundleTooLarge(f"The bundle has {len(infos)} entries; at most {MAX_ENTRIES} are read.")
    entries: dict[str, zipfile.ZipInfo] = {}
    folded: set[str] = set()
    total = 0
    for info in infos:
        name = info.orig_filename
        check_name(name)
        if name in entries or name.casefold() in folded:
            raise BundleMalformed(f"The bundle holds the name {name!r} twice.")
        entries[name] = info
        folded.add(name.casefold())
        if info.flag_bits & 0x1:
            raise BundleMalformed(f"The entry {name!r} is encrypted with ZIP encryption.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BundleMalformed(f"The entry {name!r} uses an unsupported compression method.")
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise BundleMalformed(f"The entry {name!r} declares two different sizes.")
        total += info.file_size
        if total > MAX_TOTAL_UNCOMPRESSED:
            raise BundleTooLarge("The bundle's contents are larger than 8 GiB; refused.")
        _check_ratio(name, info.file_size, info.compress_size)
    end_of_entries = getattr(zf, "start_dir", None)
    if not isinstance(end_of_entries, int) or end_of_entries > size:
        raise BundleMalformed("The bundle's ZIP directory is not where it says.")
    ordered = sorted(infos, key=lambda i: i.header_offset)
    position = 0
    for index, info in enumerate(ordered):
        misplaced = info.header_offset != 0 if index == 0 else info.header_offset < position
        if misplaced:
            raise BundleMalformed(f"The entry {info.orig_filename!r} overlaps another entry.")
        data_end = _data_end(handle, info)
        limit = ordered[index + 1].header_offset if index + 1 < len(ordered) else end_of_entries
        if data_end > limit:
            raise BundleMalformed(f"The entry {info.orig_filename!r} overlaps the next entry.")
        position = data_end
    return entries


def _data_end(handle: BinaryIO, info: zipfile.ZipInfo) -> int:
    handle.seek(info.header_offset)
    raw = handle.read(_LOCAL.size)
    if len(raw) != _LOCAL.size:
        raise BundleMalformed(f"The entry {info.orig_filename!r} is cut off.")
    fields = _LOCAL.unpack(raw)
    if fields[0] != _LOCAL_MAGIC:
        raise BundleMalformed(f"The entry {info.orig_filename!r} has no local header where listed.")
    name_len, extra_len = fields[9], fields[10]
    local_name = handle.read(name_len)
    encoding = "utf-8" if fields[2] & 0x800 else "cp437"
    try:
        decoded = local_name.decode(encoding)
    except UnicodeDecodeError:
        decoded = ""
    if decoded != info.orig_filename:
        raise BundleMalformed(
            f"The entry {info.orig_filename!r} has a different name in its local header."
        )
    return info.header_offset + _LOCAL.size + name_len + extra_len + info.compress_size


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
    sink: Callable[[bytes], None] | None = None,
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
    except _READ_ERRORS + (RecursionError, MemoryError) as exc:
        raise BundleForged(f"The entry {name!r} is damaged ({_why(exc)}).") from None
    with source:
        while True:
            try:
                chunk = source.read(CHUNK)
            except _READ_ERRORS + (RecursionError, MemoryError) as exc:
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

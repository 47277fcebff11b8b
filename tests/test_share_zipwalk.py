"""Every byte of a bundle's ZIP is accounted for, and every entry is a regular file.

A ZIP has two descriptions of its contents: the local headers in front of each entry's data (what
a streaming reader such as ``unzip -`` or many web upload scanners follows) and the central
directory at the end (what Python's zipfile follows). A bundle in which the two disagree, or that
holds bytes neither describes, can show a vendor's tools something other than what was verified;
so the verifier refuses it. Symbolic links, devices and folders are refused too: ``share open``
only ever writes regular files.
"""

from __future__ import annotations

import os
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from share_helpers import (
    central_offsets,
    insert_shifted,
    make_bundle,
    run_vrmdesk,
    sample_files,
    zip_entries,
)
from vrmshare.errors import BundleError, BundleMalformed
from vrmshare.verify import open_bundle, verify_bundle

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
LOCAL = struct.Struct("<4sHHHHHIIIHH")
EOCD = struct.Struct("<4sHHHHIIH")


def entries_of(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    """A good bundle re-zipped by Python's zipfile: stored, no ZIP64, no data descriptors."""
    good = make_bundle(tmp_path / "good.vrmshare", KEY).path
    path = zip_entries(tmp_path / "plain.vrmshare", entries_of(good))
    verify_bundle(path)
    return path


def refused(path: Path, match: str) -> None:
    with pytest.raises(BundleMalformed, match=match) as info:
        verify_bundle(path)
    assert "\n" not in str(info.value)


def streamed_names(data: bytes) -> list[str]:
    """What a streaming reader sees: local headers one after the other from the start."""
    names, pos = [], 0
    while data[pos : pos + 4] == b"PK\x03\x04":
        fields = LOCAL.unpack_from(data, pos)
        name = data[pos + 30 : pos + 30 + fields[9]].decode()
        names.append(name)
        pos += 30 + fields[9] + fields[10] + fields[7]
    return names


def local_record(name: str, payload: bytes) -> bytes:
    raw = name.encode()
    return (
        LOCAL.pack(
            b"PK\x03\x04",
            20,
            0,
            0,
            0,
            0x21,
            zlib.crc32(payload),
            len(payload),
            len(payload),
            len(raw),
            0,
        )
        + raw
        + payload
    )


def local_offset(path: Path, name: str) -> int:
    with zipfile.ZipFile(path) as zf:
        return zf.getinfo(name).header_offset


# -- bytes that no listed entry accounts for ----------------------------------------------------
def test_a_hidden_local_entry_between_two_listed_ones_is_refused(plain: Path) -> None:
    data = plain.read_bytes()
    hidden = insert_shifted(
        data, local_offset(plain, "index.html"), local_record("files/evil.sh", b"rm -rf ~\n")
    )
    plain.write_bytes(hidden)
    with zipfile.ZipFile(plain) as zf:  # the central directory does not know of it ...
        assert "files/evil.sh" not in zf.namelist()
    assert "files/evil.sh" in streamed_names(hidden)  # ... a streaming reader extracts it
    refused(plain, "not listed|unaccounted|hidden")


def test_unlisted_bytes_between_entries_are_refused(plain: Path) -> None:
    plain.write_bytes(
        insert_shifted(plain.read_bytes(), local_offset(plain, "index.html"), b"\0" * 64)
    )
    refused(plain, "not listed|unaccounted|hidden")


def test_unlisted_bytes_before_the_directory_are_refused(plain: Path) -> None:
    data = plain.read_bytes()
    start = central_offsets(data)[0]
    plain.write_bytes(insert_shifted(data, start, local_record("files/evil.sh", b"x")))
    refused(plain, "not listed|unaccounted|hidden")


@pytest.mark.parametrize("tail", [b"\0", b"appended data", b"PK\x05\x06" + b"\0" * 18])
def test_data_after_the_archive_is_refused(plain: Path, tail: bytes) -> None:
    plain.write_bytes(plain.read_bytes() + tail)
    if not tail.startswith(b"PK"):
        with zipfile.ZipFile(plain) as zf:  # zipfile reads it all the same
            assert "manifest.json" in zf.namelist()
    refused(plain, "after the end|comment|not where")


def test_an_archive_comment_is_refused(plain: Path) -> None:
    data = bytearray(plain.read_bytes())
    struct.pack_into("<H", data, len(data) - 2, 5)
    plain.write_bytes(bytes(data) + b"hello")
    refused(plain, "comment|after the end")


@pytest.mark.parametrize("field", [8, 10])  # this disk's entry count, the total entry count
def test_an_end_record_whose_count_lies_is_refused(plain: Path, field: int) -> None:
    data = bytearray(plain.read_bytes())
    end = len(data) - EOCD.size
    struct.pack_into("<H", data, end + field, struct.unpack_from("<H", data, end + field)[0] + 1)
    plain.write_bytes(bytes(data))
    refused(plain, "entries|count")


def test_a_directory_size_that_lies_is_refused(plain: Path) -> None:
    data = bytearray(plain.read_bytes())
    end = len(data) - EOCD.size
    struct.pack_into("<I", data, end + 12, struct.unpack_from("<I", data, end + 12)[0] - 46)
    plain.write_bytes(bytes(data))
    refused(plain, "directory|entries|not a readable")


# -- local headers that disagree with the central directory --------------------------------------
def _patch_local(path: Path, name: str, offset: int, fmt: str, change) -> None:  # type: ignore[no-untyped-def]
    data = bytearray(path.read_bytes())
    at = local_offset(path, name) + offset
    struct.pack_into(fmt, data, at, change(struct.unpack_from(fmt, data, at)[0]))
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("what", "offset", "fmt", "change"),
    [
        ("encrypted flag", 6, "<H", lambda v: v | 1),
        ("method", 8, "<H", lambda v: 8),
        ("CRC", 14, "<I", lambda v: v ^ 0xFFFF),
        ("compressed size", 18, "<I", lambda v: v + 1),
        ("size", 22, "<I", lambda v: v + 1),
        ("name", 30, "<B", lambda v: ord("X")),
    ],
)
def test_a_local_header_that_disagrees_is_refused(
    plain: Path, what: str, offset: int, fmt: str, change
) -> None:  # type: ignore[no-untyped-def]
    _patch_local(plain, "files/001-receipt.txt", offset, fmt, change)
    refused(plain, "local header|encrypted|declares|different name")


def test_our_own_writer_and_data_descriptors_pass(tmp_path: Path) -> None:
    """Our writer's ZIP64 local headers, and a ZIP written to a pipe (data descriptors), verify."""
    good = make_bundle(
        tmp_path / "g.vrmshare",
        KEY,
        files=sample_files({"a.txt": b"text " * 300, "b.jpg": b"\xff\xd8" * 40}),
    )
    verify_bundle(good.path)

    class Pipe:  # an unseekable target: zipfile writes data descriptors (flag bit 3)
        def __init__(self) -> None:
            self.data = bytearray()

        def write(self, b: bytes) -> int:
            self.data += b
            return len(b)

        def flush(self) -> None:
            pass

    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        pipe = Pipe()
        with zipfile.ZipFile(pipe, "w", method) as zf:  # type: ignore[arg-type]
            for name, data in entries_of(good.path):
                with zf.open(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), "w") as dest:
                    dest.write(data)
        streamed = tmp_path / f"streamed-{method}.vrmshare"
        streamed.write_bytes(bytes(pipe.data))
        assert struct.unpack_from("<H", pipe.data, 6)[0] & 0x8
        verify_bundle(streamed)


def _with_zip64_end(data: bytes, *, count_delta: int = 0) -> bytes:
    """The archive with a ZIP64 end record and locator (as Python writes past 2 GiB)."""
    end = len(data) - EOCD.size
    _, _, _, here, total, size, offset, _ = EOCD.unpack_from(data, end)
    record = struct.pack(
        "<4sQHHIIQQQQ",
        b"PK\x06\x06",
        44,
        45,
        45,
        0,
        0,
        here + count_delta,
        total + count_delta,
        size,
        offset,
    )
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, end, 1)
    plain_end = EOCD.pack(b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:end] + record + locator + plain_end


def test_a_consistent_zip64_end_record_passes_and_a_lying_one_is_refused(plain: Path) -> None:
    data = plain.read_bytes()
    plain.write_bytes(_with_zip64_end(data))
    verify_bundle(plain)
    plain.write_bytes(_with_zip64_end(data, count_delta=1))
    refused(plain, "entries|count")


def _with_zip64_sizes_in_the_directory(data: bytes, name: bytes, *, lie: int = 0) -> bytes:
    """The directory entry of ``name`` with its sizes in a ZIP64 extra field (as past 2 GiB)."""
    out = bytearray(data)
    for central in reversed(central_offsets(data)):
        name_len, extra_len = struct.unpack_from("<HH", out, central + 28)
        if out[central + 46 : central + 46 + name_len] != name or extra_len:
            continue
        compressed, size = struct.unpack_from("<II", out, central + 20)
        struct.pack_into("<IIH", out, central + 20, 0xFFFFFFFF, 0xFFFFFFFF, name_len)
        struct.pack_into("<H", out, central + 30, 20)
        extra = struct.pack("<HHQQ", 1, 16, size + lie, compressed + lie)
        out[central + 46 + name_len : central + 46 + name_len] = extra
        end = len(out) - EOCD.size
        struct.pack_into("<I", out, end + 12, struct.unpack_from("<I", out, end + 12)[0] + 20)
    return bytes(out)


def test_zip64_sizes_in_the_directory_pass_when_they_agree(plain: Path) -> None:
    data = plain.read_bytes()
    plain.write_bytes(_with_zip64_sizes_in_the_directory(data, b"files/001-receipt.txt"))
    with zipfile.ZipFile(plain) as zf:
        assert zf.getinfo("files/001-receipt.txt").file_size == 11
    verify_bundle(plain)
    plain.write_bytes(_with_zip64_sizes_in_the_directory(data, b"files/001-receipt.txt", lie=1))
    refused(plain, "declares|local header|overlaps")


# -- entries that are not regular files ----------------------------------------------------------
def _bundle_with_mode(tmp_path: Path, mode: int, dos: int = 0) -> Path:
    written = make_bundle(
        tmp_path / "m.vrmshare", KEY, files=sample_files({"link": b"/etc/passwd"})
    )
    data = bytearray(written.path.read_bytes())
    for central in central_offsets(bytes(data)):
        if data[central + 46 : central + 46 + 14] == b"files/001-link":
            struct.pack_into("<I", data, central + 38, (mode << 16) | dos)
    written.path.write_bytes(bytes(data))
    return written.path


@pytest.mark.parametrize(
    ("mode", "dos", "what"),
    [
        (stat.S_IFLNK | 0o777, 0, "symbolic link"),
        (stat.S_IFCHR | 0o644, 0, "device"),
        (stat.S_IFBLK | 0o644, 0, "device"),
        (stat.S_IFIFO | 0o644, 0, "pipe"),
        (stat.S_IFSOCK | 0o644, 0, "socket"),
        (stat.S_IFDIR | 0o755, 0, "folder"),
        (0, 0x10, "folder"),
    ],
)
def test_entries_that_are_not_regular_files_are_refused(
    tmp_path: Path, mode: int, dos: int, what: str
) -> None:
    path = _bundle_with_mode(tmp_path, mode, dos)
    refused(path, what)
    with pytest.raises(BundleMalformed, match=what):
        open_bundle(path, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_share_open_of_a_symlink_entry_writes_nothing(tmp_path: Path) -> None:
    path = _bundle_with_mode(tmp_path, stat.S_IFLNK | 0o777)
    out = tmp_path / "out"
    code, _, stderr = run_vrmdesk(["share", "open", str(path), "--out", str(out)])
    assert code == 1 and stderr.startswith("vrmdesk: ") and "symbolic link" in stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert not out.exists() and not os.path.lexists(out / "files" / "001-link")


def test_share_open_writes_only_regular_files_and_folders(tmp_path: Path) -> None:
    written = make_bundle(
        tmp_path / "b.vrmshare", KEY, files=sample_files({"a.txt": b"a", "b.jpg": b"b"})
    )
    out = tmp_path / "out"
    open_bundle(written.path, out)
    for path in out.rglob("*"):
        mode = os.lstat(path).st_mode
        assert stat.S_ISREG(mode) or stat.S_ISDIR(mode), path


def test_refusals_are_bundle_errors(plain: Path) -> None:
    plain.write_bytes(plain.read_bytes() + b"x")
    with pytest.raises(BundleError):
        verify_bundle(plain)

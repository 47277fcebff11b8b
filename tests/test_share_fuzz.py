"""Mutating valid bundles byte by byte (and truncating them): every outcome is a clean refusal
(a BundleError) or a bundle that verifies, never another exception. Then the hostile classes of
issue 7: entries of every file type, hidden entries and bytes, data after the archive, end
records that lie, control characters and surrogates in every string field, and inputs that are
not regular files; every refusal is one line and leaves nothing written."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import stat
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyrage import x25519
from share_helpers import (
    central_offsets,
    harmless,
    hostile_bundle,
    insert_shifted,
    make_bundle,
    sample_files,
    zip_entries,
)
from vrmshare.errors import BundleError
from vrmshare.text import printable_json
from vrmshare.verify import load_identities, open_bundle, verify_bundle

_DIR = Path(tempfile.mkdtemp(prefix="vrmshare-fuzz-"))
atexit.register(shutil.rmtree, _DIR, True)
KEY = Ed25519PrivateKey.from_private_bytes(bytes(32))
PLAIN = make_bundle(
    _DIR / "stored.vrmshare",
    KEY,
    files=sample_files({"photo.jpg": b"\xff\xd8" + bytes(range(256)) * 2}),
).path.read_bytes()
DEFLATED = make_bundle(
    _DIR / "deflated.vrmshare", KEY, files=sample_files({"notes.txt": b"line of text\n" * 40})
).path.read_bytes()
IDENTITY = x25519.Identity.generate()
ENCRYPTED = make_bundle(
    _DIR / "e.vrmshare.age", KEY, encrypt_to=str(IDENTITY.to_public())
).path.read_bytes()
TARGET = _DIR / "mutated.vrmshare"


def outcome(data: bytes, identities: list | None = None) -> None:  # type: ignore[type-arg]
    TARGET.write_bytes(data)
    try:
        verified = verify_bundle(TARGET, identities=identities)
    except BundleError as exc:
        reason = str(exc)
    else:
        assert verified.manifest["format"] == "vrmshare/1"
        return
    assert reason and "\n" not in reason


mutations = st.lists(
    st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=4
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from([PLAIN, DEFLATED]),
    changes=mutations,
    cut=st.one_of(st.none(), st.integers(min_value=0)),
)
def test_mutated_bundles_are_refused_cleanly(
    base: bytes, changes: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(base)
    for position, value in changes:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    outcome(bytes(data))


@settings(max_examples=60, deadline=None)
@given(base=st.sampled_from([PLAIN, DEFLATED]), cut=st.integers(min_value=0))
def test_truncated_bundles_are_refused(base: bytes, cut: int) -> None:
    outcome(base[: cut % len(base)])


@settings(max_examples=40, deadline=None)
@given(changes=mutations, cut=st.one_of(st.none(), st.integers(min_value=0)))
def test_mutated_encrypted_bundles_are_refused_cleanly(
    changes: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(ENCRYPTED)
    for position, value in changes:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    outcome(bytes(data), [IDENTITY])


def test_the_originals_verify() -> None:
    for data in (PLAIN, DEFLATED):
        outcome(data)


# -- hostile classes (issue 7): special entries, hidden bytes, hostile text, odd inputs ----------
with zipfile.ZipFile(_DIR / "stored.vrmshare") as _zf:
    ENTRIES = [(i.filename, _zf.read(i)) for i in _zf.infolist()]
REZIPPED = zip_entries(_DIR / "rezipped.vrmshare", ENTRIES).read_bytes()  # no ZIP64, stored
LOCAL = struct.Struct("<4sHHHHHIIIHH")
FILE_TYPES = [
    0,
    stat.S_IFREG,
    stat.S_IFLNK,
    stat.S_IFDIR,
    stat.S_IFCHR,
    stat.S_IFBLK,
    stat.S_IFIFO,
    stat.S_IFSOCK,
    0o170000,
]


def refused_cleanly(path: Path, identities: list | None = None) -> bool:  # type: ignore[type-arg]
    """True if verify refused in one line, False if it verified; any other outcome fails."""
    try:
        verify_bundle(path, identities=identities)
    except BundleError as exc:
        reason = str(exc)
    else:
        return False
    assert reason and "\n" not in reason and len(reason) < 400
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.integers(0, 10),
    kind=st.sampled_from(FILE_TYPES),
    perm=st.integers(0, 0o7777),
    dos=st.sampled_from([0, 0x01, 0x02, 0x08, 0x10, 0x20]),
)
def test_entries_of_every_file_type(which: int, kind: int, perm: int, dos: int) -> None:
    data = bytearray(PLAIN)
    central = central_offsets(PLAIN)[which % len(central_offsets(PLAIN))]
    struct.pack_into("<I", data, central + 38, ((kind | perm) << 16) | dos)
    TARGET.write_bytes(bytes(data))
    regular = kind in (0, stat.S_IFREG) and not dos & 0x18
    assert refused_cleanly(TARGET) != regular
    out = _DIR / "opened"
    try:
        open_bundle(TARGET, out)
    except BundleError:
        assert not regular and not out.exists()
    else:
        assert regular
        for path in out.rglob("*"):
            mode = os.lstat(path).st_mode
            assert stat.S_ISREG(mode) or stat.S_ISDIR(mode)
        shutil.rmtree(out)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    where=st.integers(0, 10),
    hidden=st.one_of(
        st.binary(min_size=1, max_size=200),
        st.builds(
            lambda name, payload: (
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
                    len(name),
                    0,
                )
                + name
                + payload
            ),
            st.sampled_from([b"files/evil.sh", b"manifest.json", b"index.html", b"x"]),
            st.binary(max_size=100),
        ),
    ),
)
def test_hidden_entries_and_bytes_between_entries(where: int, hidden: bytes) -> None:
    offsets = sorted(
        zipfile.ZipFile(_DIR / "rezipped.vrmshare").infolist(), key=lambda i: i.header_offset
    )
    boundaries = [i.header_offset for i in offsets[1:]] + [central_offsets(REZIPPED)[0]]
    TARGET.write_bytes(insert_shifted(REZIPPED, boundaries[where % len(boundaries)], hidden))
    assert refused_cleanly(TARGET)


@settings(max_examples=60, deadline=None)
@given(tail=st.binary(min_size=1, max_size=300), base=st.sampled_from([PLAIN, DEFLATED, REZIPPED]))
def test_trailing_data(tail: bytes, base: bytes) -> None:
    TARGET.write_bytes(base + tail)
    assert refused_cleanly(TARGET)


@settings(max_examples=40, deadline=None)
@given(
    field=st.sampled_from([8, 10]),
    delta=st.integers(-3, 3).filter(bool),
    base=st.sampled_from([PLAIN, REZIPPED]),
)
def test_end_record_counts_that_lie(field: int, delta: int, base: bytes) -> None:
    data = bytearray(base)
    end = len(data) - 22
    struct.pack_into(
        "<H", data, end + field, max(0, struct.unpack_from("<H", data, end + field)[0] + delta)
    )
    TARGET.write_bytes(bytes(data))
    assert refused_cleanly(TARGET)


def _string_paths(value: object, path: tuple = ()) -> list[tuple]:  # type: ignore[type-arg]
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _string_paths(item, (*path, key))]
    if isinstance(value, list):
        return [p for n, item in enumerate(value) for p in _string_paths(item, (*path, n))]
    return []


def _set(manifest: dict, path: tuple, text: str) -> None:  # type: ignore[type-arg]
    target = manifest
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = text


_FROM_MANIFEST = verify_bundle(_DIR / "stored.vrmshare").manifest
STRING_PATHS = _string_paths(_FROM_MANIFEST)
HOSTILE_TEXT = st.lists(
    st.one_of(
        st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Cs"]),
        st.sampled_from(["\x1b[2K", "\r", "\n", "\u202e", "\x9b", "Fingerprint: ", "\ud800"]),
        st.characters(),
    ),
    max_size=20,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(STRING_PATHS), text=HOSTILE_TEXT, as_key=st.booleans())
def test_control_characters_and_surrogates_in_every_string_field(
    path: tuple, text: str, as_key: bool
) -> None:  # type: ignore[type-arg]
    def change(m: dict) -> None:  # type: ignore[type-arg]
        if as_key and len(path) > 1:
            parent = m
            for step in path[:-1]:
                parent = parent[step]
            if isinstance(parent, dict):
                parent[text] = "x"
                return
        _set(m, path, text)

    hostile_bundle(
        TARGET, KEY, change, files=sample_files({"photo.jpg": b"\xff\xd8" + bytes(range(256)) * 2})
    )
    try:
        verified = verify_bundle(TARGET)
    except BundleError as exc:
        reason = str(exc)
    else:
        lines = verified.summary()
        assert all("\n" not in line for line in lines)
        harmless("\n".join(lines))
        assert sum(line.startswith("Fingerprint:") for line in lines) == 1
        harmless(printable_json(verified.manifest))
        return
    assert reason and "\n" not in reason
    harmless(printable_json(reason))


def _special(kind: str, where: Path) -> Path:
    if kind == "fifo":
        os.mkfifo(where)
    elif kind == "folder":
        where.mkdir()
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(where))
        server.close()
    elif kind == "link to a device":
        where.symlink_to("/dev/zero")
    elif kind == "dangling link":
        where.symlink_to(where.with_name("nowhere"))
    else:
        return Path(kind)
    return where


@settings(max_examples=20, deadline=None)
@given(
    kind=st.sampled_from(
        [
            "fifo",
            "folder",
            "socket",
            "link to a device",
            "dangling link",
            "/dev/null",
            "/dev/zero",
            "/dev/urandom",
        ]
    ),
    encrypted=st.booleans(),
)
def test_inputs_that_are_not_regular_files(kind: str, encrypted: bool) -> None:
    where = _DIR / "special"
    if where.is_dir() and not where.is_symlink():
        where.rmdir()
    else:
        where.unlink(missing_ok=True)
    special = _special(kind, where)
    if not os.path.lexists(special):
        return
    assert refused_cleanly(special, [IDENTITY] if encrypted else None)
    try:
        load_identities(special)
    except BundleError as exc:
        reason = str(exc)
    else:
        raise AssertionError("an identity file that is not a regular file was read")
    assert "\n" not in reason
    out = _DIR / "opened-special"
    try:
        open_bundle(special, out)
    except BundleError:
        assert not out.exists()

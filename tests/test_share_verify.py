"""Bad input: every one refused with a clear reason (a BundleError subclass), nothing trusted."""

from __future__ import annotations

import base64
import json
import os
import struct
import warnings
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyrage import x25519
from share_helpers import central_offsets as _central_offsets
from share_helpers import customer_manifest, make_bundle
from vrmshare import format as fmt
from vrmshare import layout
from vrmshare.errors import (
    BundleError,
    BundleForged,
    BundleMalformed,
    BundleTooLarge,
    BundleWrongRecipient,
)
from vrmshare.format import manifest_bytes, public_jwk_of, sign_manifest
from vrmshare.verify import load_identities, verify_bundle

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return make_bundle(tmp_path / "good.vrmshare", KEY).path


def entries_of(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def write_zip(
    path: Path, entries: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED
) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        with zipfile.ZipFile(path, "w", method) as zf:
            for name, data in entries:
                zf.writestr(
                    zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data, compress_type=method
                )
    return path


def replace(entries: list[tuple[str, bytes]], name: str, data: bytes) -> list[tuple[str, bytes]]:
    return [(n, data if n == name else d) for n, d in entries]


def signed(
    tmp_path: Path,
    manifest: dict | bytes,
    files: list[tuple[str, bytes]] | None = None,  # type: ignore[type-arg]
    name: str = "signed.vrmshare",
) -> Path:
    """A zip whose manifest (whatever it says) carries a good signature."""
    raw = manifest if isinstance(manifest, bytes) else manifest_bytes(manifest)
    entries = [("manifest.json", raw), ("manifest.jws", sign_manifest(raw, KEY).encode())]
    return write_zip(tmp_path / name, entries + (files or []))


def manifest_of(path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(dict(entries_of(path))["manifest.json"])


def refused(path: Path, kind: type[BundleError], match: str, **kwargs) -> BundleError:  # type: ignore[no-untyped-def]
    with pytest.raises(kind, match=match) as info:
        verify_bundle(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message and len(message) < 300
    return info.value


def test_the_good_bundle_verifies(good: Path) -> None:
    verified = verify_bundle(good)
    assert verified.purpose == "warranty_claim" and len(verified.records) == 4


def test_rewritten_zip_of_the_same_entries_still_verifies(good: Path, tmp_path: Path) -> None:
    verify_bundle(write_zip(tmp_path / "same.vrmshare", entries_of(good)))


def test_changed_manifest(good: Path, tmp_path: Path) -> None:
    entries = entries_of(good)
    raw = dict(entries)["manifest.json"].replace(b'"marketing": false', b'"marketing": true')
    refused(
        write_zip(tmp_path / "x.vrmshare", replace(entries, "manifest.json", raw)),
        BundleForged,
        "signature does not match",
    )


def test_changed_signature(good: Path, tmp_path: Path) -> None:
    entries = entries_of(good)
    token = dict(entries)["manifest.jws"]
    flipped = token[:-3] + (b"A" if token[-3:-2] != b"A" else b"B") + token[-2:]
    refused(
        write_zip(tmp_path / "x.vrmshare", replace(entries, "manifest.jws", flipped)),
        BundleForged,
        "signature",
    )


def test_signed_by_another_key_with_the_kid_of_the_manifest(good: Path, tmp_path: Path) -> None:
    entries = entries_of(good)
    raw = dict(entries)["manifest.json"]
    other = sign_manifest(raw, Ed25519PrivateKey.generate())
    refused(
        write_zip(tmp_path / "x.vrmshare", replace(entries, "manifest.jws", other.encode())),
        BundleForged,
        "key id",
    )


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "none"},
        {"alg": "HS256"},
        {"alg": "Ed25519"},
        {"alg": "EdDSA", "crit": ["exp"]},
        {"alg": "EdDSA", "b64": False, "crit": ["b64"]},
    ],
)
def test_signature_header_allow_list(good: Path, tmp_path: Path, header: dict) -> None:  # type: ignore[type-arg]
    entries = entries_of(good)
    _, _, sig = dict(entries)["manifest.jws"].decode().split(".")
    head = fmt.b64url(json.dumps(header).encode())
    refused(
        write_zip(
            tmp_path / "x.vrmshare", replace(entries, "manifest.jws", f"{head}..{sig}".encode())
        ),
        BundleForged,
        "EdDSA|critical",
    )


def test_attached_payload_is_refused(good: Path, tmp_path: Path) -> None:
    entries = entries_of(good)
    head, _, sig = dict(entries)["manifest.jws"].decode().split(".")
    token = f"{head}.{fmt.b64url(dict(entries)['manifest.json'])}.{sig}".encode()
    refused(
        write_zip(tmp_path / "x.vrmshare", replace(entries, "manifest.jws", token)),
        BundleForged,
        "detached",
    )


def test_changed_file(good: Path, tmp_path: Path) -> None:
    entries = replace(entries_of(good), "files/001-receipt.txt", b"Receipt 43\n")
    refused(write_zip(tmp_path / "x.vrmshare", entries), BundleForged, "SHA-256")


def test_changed_file_size(good: Path, tmp_path: Path) -> None:
    entries = replace(entries_of(good), "files/001-receipt.txt", b"Receipt 4242\n")
    refused(write_zip(tmp_path / "x.vrmshare", entries), BundleForged, "size")


def test_listed_file_missing(good: Path, tmp_path: Path) -> None:
    entries = [e for e in entries_of(good) if e[0] != "files/001-receipt.txt"]
    refused(write_zip(tmp_path / "x.vrmshare", entries), BundleForged, "does not hold it")


def test_file_present_but_not_listed(good: Path, tmp_path: Path) -> None:
    entries = [*entries_of(good), ("files/002-extra.txt", b"surprise")]
    refused(write_zip(tmp_path / "x.vrmshare", entries), BundleMalformed, "does not list")


@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "files/../../evil.txt",
        "/etc/passwd",
        "files\\evil.txt",
        "C:/evil.txt",
        "c:evil",
        "files/./x",
        "files//x",
        "files/sub/x",
        "other.txt",
        "files/\x01x",
    ],
)
def test_unsafe_names(good: Path, tmp_path: Path, name: str) -> None:
    entries = [*entries_of(good), (name, b"x")]
    refused(
        write_zip(tmp_path / "x.vrmshare", entries),
        BundleMalformed,
        "unsafe|outside its layout|control|unusable",
    )


def test_duplicate_names(good: Path, tmp_path: Path) -> None:
    entries = entries_of(good)
    refused(
        write_zip(tmp_path / "x.vrmshare", [*entries, ("files/001-receipt.txt", b"other")]),
        BundleMalformed,
        "twice",
    )
    refused(
        write_zip(tmp_path / "y.vrmshare", [*entries, ("manifest.json", b"{}")]),
        BundleMalformed,
        "twice",
    )
    refused(
        write_zip(tmp_path / "z.vrmshare", [*entries, ("FILES/001-receipt.txt", b"x")]),
        BundleMalformed,
        "twice|outside",
    )


def test_duplicate_listing_in_the_manifest(tmp_path: Path) -> None:
    manifest = manifest_of(make_bundle(tmp_path / "g.vrmshare", KEY).path)
    manifest["files"].append(manifest["files"][1])
    refused(signed(tmp_path, manifest, [("index.html", b"")]), BundleMalformed, "twice")


def test_overlapping_entries(good: Path, tmp_path: Path) -> None:
    path = write_zip(tmp_path / "x.vrmshare", entries_of(good))
    data = bytearray(path.read_bytes())
    central = _central_offsets(bytes(data))
    # the last entry's local header offset now points at the first entry's
    struct.pack_into("<I", data, central[-1] + 42, 0)
    path.write_bytes(bytes(data))
    refused(path, BundleMalformed, "overlaps|different name|not a readable")


def test_entry_running_into_the_next(good: Path, tmp_path: Path) -> None:
    path = write_zip(tmp_path / "x.vrmshare", entries_of(good), zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    central = _central_offsets(bytes(data))
    first = central[0]
    size = struct.unpack_from("<I", data, first + 20)[0]
    struct.pack_into("<II", data, first + 20, size + 40, size + 40)  # claims more than it has
    path.write_bytes(bytes(data))
    refused(path, BundleMalformed, "overlaps|not a readable|declares")


def test_declared_size_that_lies(good: Path, tmp_path: Path) -> None:
    entries = replace(entries_of(good), "files/001-receipt.txt", b"R" * 5000)
    path = write_zip(tmp_path / "x.vrmshare", entries)
    data = bytearray(path.read_bytes())
    for central in _central_offsets(bytes(data)):
        if data[central + 46 : central + 46 + 21] == b"files/001-receipt.txt":
            struct.pack_into("<I", data, central + 24, 11)  # says 11 bytes, inflates to 5000
    path.write_bytes(bytes(data))
    refused(path, BundleError, "larger than it declares|size|damaged")


def test_zip_bomb_ratio(good: Path, tmp_path: Path) -> None:
    entries = [*entries_of(good), ("files/002-zeros.bin", bytes(20 * 1024 * 1024))]
    refused(write_zip(tmp_path / "x.vrmshare", entries), BundleTooLarge, "expands")


def test_total_over_the_cap(good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vrmshare import zipcheck

    monkeypatch.setattr(zipcheck, "MAX_TOTAL_UNCOMPRESSED", 1000)
    entries = [*entries_of(good), ("files/002-big.txt", b"x" * 2000)]
    refused(write_zip(tmp_path / "x.vrmshare", entries), BundleTooLarge, "larger than")


def test_too_many_entries(good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vrmshare import zipcheck

    monkeypatch.setattr(zipcheck, "MAX_ENTRIES", 4)
    entries = entries_of(good) + [(f"files/{i:03d}-x.txt", b"x") for i in range(2, 5)]
    refused(write_zip(tmp_path / "x.vrmshare", entries), BundleTooLarge, "entries")


def test_caps_are_the_documented_ones() -> None:
    assert layout.MAX_MANIFEST_BYTES == 8 * 1024**2
    assert layout.MAX_ENTRIES == 10_002
    assert layout.MAX_TOTAL_UNCOMPRESSED == 8 * 1024**3
    assert (layout.MAX_RATIO, layout.RATIO_MIN_SIZE) == (200, 1024**2)
    assert layout.MAX_BUNDLE_BYTES == 16 * 1024**3


def test_unknown_format_version(tmp_path: Path) -> None:
    manifest = manifest_of(make_bundle(tmp_path / "g.vrmshare", KEY).path)
    manifest["format"] = "vrmshare/2"
    refused(signed(tmp_path, manifest), BundleMalformed, "Unknown bundle format")


def test_manifest_not_json(tmp_path: Path) -> None:
    refused(signed(tmp_path, b"{not json"), BundleMalformed, "not valid JSON")
    refused(signed(tmp_path, b"[1, 2]", name="b.vrmshare"), BundleMalformed, "not a JSON object")
    refused(
        signed(tmp_path, b'{"format": "vrmshare/1", "format": "x"}', name="c.vrmshare"),
        BundleMalformed,
        "duplicate key",
    )
    refused(signed(tmp_path, b'{"a": NaN}', name="d.vrmshare"), BundleMalformed, "not valid JSON")
    refused(
        signed(tmp_path, b"[" * 100_000 + b"]" * 100_000, name="e.vrmshare"),
        BundleMalformed,
        "JSON",
    )
    refused(signed(tmp_path, b"\xff\xfe{}", name="f.vrmshare"), BundleMalformed, "not valid JSON")


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.update(records="not a list"),
        lambda m: m["terms"].update(retention_days="90"),
        lambda m: m["terms"].update(marketing="no"),
        lambda m: m.update(purpose="spam"),
        lambda m: m.update(created=12),
        lambda m: m.update(created="yesterday"),
        lambda m: m.update(bundle_id="not-a-urn"),
        lambda m: m["files"][0].update(size=-1),
        lambda m: m["files"][0].update(path="../x"),
        lambda m: m.update(extra=True),
        lambda m: m["sender"]["key"].update(crv="X25519"),
        lambda m: m["sender"].pop("key"),
    ],
)
def test_manifest_with_wrong_types(tmp_path: Path, change) -> None:  # type: ignore[no-untyped-def]
    written = make_bundle(tmp_path / "g.vrmshare", KEY)
    manifest = manifest_of(written.path)
    change(manifest)
    entries = [e for e in entries_of(written.path) if e[0] not in ("manifest.json", "manifest.jws")]
    refused(
        signed(tmp_path, manifest, entries), BundleMalformed, "schema|created|sender key|Ed25519"
    )


def test_huge_manifest(tmp_path: Path) -> None:
    manifest = customer_manifest()
    manifest["sender"]["key"] = public_jwk_of(KEY)
    manifest["purpose_note"] = base64.b64encode(os.urandom(7 * 1024 * 1024)).decode()
    refused(signed(tmp_path, manifest), BundleTooLarge, "8 MiB")


def test_not_a_zip(tmp_path: Path) -> None:
    for name, data in (
        ("a", b""),
        ("b", b"hello world"),
        ("c", b"PK\x03\x04" + b"\0" * 100),
        ("d", b"%PDF-1.7\n..."),
    ):
        path = tmp_path / f"{name}.vrmshare"
        path.write_bytes(data)
        refused(path, BundleMalformed, "not")
    refused(tmp_path / "missing.vrmshare", BundleMalformed, "Cannot read")


def test_prepended_data_is_refused(good: Path, tmp_path: Path) -> None:
    path = tmp_path / "x.vrmshare"
    path.write_bytes(b"MZ" + b"\0" * 50 + good.read_bytes())
    refused(path, BundleMalformed, "not a ZIP")


def test_wrong_age_identity(tmp_path: Path) -> None:
    right = x25519.Identity.generate()
    written = make_bundle(tmp_path / "e.vrmshare.age", KEY, encrypt_to=str(right.to_public()))
    refused(
        written.path,
        BundleWrongRecipient,
        "not encrypted to the age identity",
        identities=[x25519.Identity.generate()],
    )
    refused(written.path, BundleWrongRecipient, "--identity")
    damaged = tmp_path / "d.vrmshare.age"
    damaged.write_bytes(written.path.read_bytes()[:-40])
    refused(damaged, BundleError, "decrypt|not", identities=[right])


def test_identity_files(tmp_path: Path) -> None:
    identity = x25519.Identity.generate()
    path = tmp_path / "id.txt"
    path.write_text(f"# created: now\n# public key: {identity.to_public()}\n{identity}\n")
    assert len(load_identities(path)) == 1
    path.write_text("nonsense\n")
    with pytest.raises(BundleWrongRecipient):
        load_identities(path)
    with pytest.raises(BundleWrongRecipient):
        load_identities(tmp_path / "absent")


def test_zip_encryption_and_odd_methods_refused(good: Path, tmp_path: Path) -> None:
    path = write_zip(tmp_path / "x.vrmshare", entries_of(good), zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    central = _central_offsets(bytes(data))[2]
    struct.pack_into("<H", data, central + 8, 1)  # "encrypted"
    path.write_bytes(bytes(data))
    refused(path, BundleMalformed, "encrypted")
    data2 = bytearray(
        write_zip(tmp_path / "y.vrmshare", entries_of(good), zipfile.ZIP_STORED).read_bytes()
    )
    struct.pack_into("<H", data2, _central_offsets(bytes(data2))[2] + 10, 12)  # bzip2
    (tmp_path / "y.vrmshare").write_bytes(bytes(data2))
    refused(tmp_path / "y.vrmshare", BundleMalformed, "compression")

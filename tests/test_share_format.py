"""Writing bundles: layout, determinism, streaming, the signature, encryption, open."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyrage import x25519
from share_helpers import customer_manifest, make_bundle, sample_files
from vrmshare import layout
from vrmshare.errors import BundleError
from vrmshare.format import BundleFile, bundle_id_for, manifest_bytes, write_bundle
from vrmshare.layout import record_uid
from vrmshare.verify import open_bundle, verify_bundle

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def test_layout_order_and_zip_attributes(tmp_path: Path) -> None:
    written = make_bundle(
        tmp_path / "b.vrmshare",
        KEY,
        files=sample_files({"photo.jpg": b"\xff\xd8jpeg", "notes.txt": b"n" * 5000}),
    )
    with zipfile.ZipFile(written.path) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == [
            "manifest.json",
            "manifest.jws",
            "index.html",
            "files/001-photo.jpg",
            "files/002-notes.txt",
        ]
        for info in infos:
            assert info.date_time == (2026, 11, 20, 10, 0, 0)
            assert info.create_system == 3 and info.external_attr == 0o644 << 16
            assert info.comment == b"" and info.extra == b""
        kinds = {i.filename: i.compress_type for i in infos}
        assert kinds["files/001-photo.jpg"] == zipfile.ZIP_STORED
        assert kinds["manifest.json"] == kinds["files/002-notes.txt"] == zipfile.ZIP_DEFLATED
        raw = zf.read("manifest.json")
        manifest = json.loads(raw)
        assert raw == manifest_bytes(manifest)
        assert zf.read("manifest.jws").count(b".") == 2 and b".." in zf.read("manifest.jws")
        assert zf.comment == b""
    assert (
        manifest["bundle_id"]
        == written.bundle_id
        == bundle_id_for(manifest, manifest["sender"]["key"]["kid"])
    )
    assert next(f["path"] for f in manifest["files"]) == "index.html"
    assert manifest["files"][1]["sha256"] == hashlib.sha256(b"\xff\xd8jpeg").hexdigest()
    assert written.sha256 == hashlib.sha256(written.path.read_bytes()).hexdigest()


def test_same_input_same_bytes(tmp_path: Path) -> None:
    a = make_bundle(tmp_path / "a.vrmshare", KEY)
    b = make_bundle(tmp_path / "b.vrmshare", KEY)
    assert a.path.read_bytes() == b.path.read_bytes()
    other = customer_manifest(created="2026-11-20T10:00:01Z")
    c = make_bundle(tmp_path / "c.vrmshare", KEY, manifest=other)
    assert c.bundle_id != a.bundle_id


def test_dates_before_1980_are_clamped(tmp_path: Path) -> None:
    written = make_bundle(
        tmp_path / "old.vrmshare", KEY, manifest=customer_manifest(created="1970-01-01T00:00:00Z")
    )
    with zipfile.ZipFile(written.path) as zf:
        assert zf.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)
    verify_bundle(written.path)


def test_record_uid_is_stable() -> None:
    assert record_uid("v1", "asset", 7) == record_uid("v1", "asset", "7")
    assert record_uid("v1", "asset", 7) != record_uid("v2", "asset", 7)
    assert record_uid("v1", "asset", 7).startswith("urn:uuid:")


def test_files_are_streamed_in_chunks(tmp_path: Path) -> None:
    chunks: list[int] = []
    size = 3 * layout.CHUNK + 5

    def opener(writer) -> None:  # type: ignore[no-untyped-def]
        block = b"x" * layout.CHUNK
        left = size
        while left:
            n = min(left, layout.CHUNK)
            writer.write(block[:n])
            chunks.append(n)
            left -= n

    big = BundleFile(
        "files/001-big.bin",
        "application/octet-stream",
        size,
        hashlib.sha256(b"x" * size).hexdigest(),
        opener,
        name="big.bin",
    )
    seen: list[tuple[int, int]] = []
    written = write_bundle(
        customer_manifest(),
        [sample_files()[0], big],
        KEY,
        tmp_path / "big.vrmshare",
        progress=lambda d, t, _s: seen.append((d, t)),
    )
    # binary data is stored as it is: streamed once, never measured or deflated
    assert max(chunks) <= layout.CHUNK and len(chunks) == 4
    assert seen[-1][0] == seen[-1][1]
    assert verify_bundle(written.path).files[1]["size"] == size
    with zipfile.ZipFile(written.path) as zf:
        assert zf.getinfo("files/001-big.bin").compress_type == zipfile.ZIP_STORED


def test_a_file_that_changed_aborts_and_leaves_nothing(tmp_path: Path) -> None:
    lying = BundleFile(
        "files/001-a.txt",
        "text/plain",
        3,
        hashlib.sha256(b"abc").hexdigest(),
        lambda w: w.write(b"abd"),
        name="a.txt",
    )
    with pytest.raises(BundleError, match="changed"):
        write_bundle(customer_manifest(), [lying], KEY, tmp_path / "x.vrmshare")
    assert list(tmp_path.iterdir()) == []
    growing = BundleFile(
        "files/001-a.txt",
        "text/plain",
        3,
        hashlib.sha256(b"abc").hexdigest(),
        lambda w: w.write(b"abcd"),
        name="a.txt",
    )
    with pytest.raises(BundleError):
        write_bundle(customer_manifest(), [growing], KEY, tmp_path / "x.vrmshare")
    assert list(tmp_path.iterdir()) == []


def test_writer_refuses_unsafe_paths_and_wrong_ids(tmp_path: Path) -> None:
    bad = BundleFile.from_bytes("files/../x", b"x", "text/plain")
    with pytest.raises(BundleError):
        write_bundle(customer_manifest(), [bad], KEY, tmp_path / "x.vrmshare")
    manifest = customer_manifest()
    manifest["bundle_id"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
    with pytest.raises(ValueError):
        write_bundle(manifest, sample_files(), KEY, tmp_path / "x.vrmshare")
    assert layout.safe_file_name(3, "../../etc/pass wd") == "files/003-pass_wd"
    assert layout.safe_file_name(4, "C:\\x\\.hidden") == "files/004-hidden"


def test_encrypted_bundle_round_trip(tmp_path: Path) -> None:
    identity = x25519.Identity.generate()
    plain = make_bundle(tmp_path / "p.vrmshare", KEY)
    written = make_bundle(tmp_path / "e.vrmshare.age", KEY, encrypt_to=str(identity.to_public()))
    data = written.path.read_bytes()
    assert data.startswith(layout.AGE_MAGIC)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    verified = verify_bundle(written.path, identities=[identity])
    assert verified.encrypted and verified.bundle_id == plain.bundle_id
    assert verified.bundle_sha256 == hashlib.sha256(data).hexdigest()
    with pytest.raises(BundleError, match="age1"):
        make_bundle(tmp_path / "f.vrmshare.age", KEY, encrypt_to="not-a-recipient")


def test_open_writes_only_listed_files(tmp_path: Path) -> None:
    written = make_bundle(tmp_path / "b.vrmshare", KEY)
    out = tmp_path / "out"
    open_bundle(written.path, out)
    got = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert got == ["files/001-receipt.txt", "index.html", "manifest.json", "manifest.jws"]
    assert (out / "files/001-receipt.txt").read_bytes() == b"Receipt 42\n"
    with pytest.raises(BundleError, match="empty folder"):
        open_bundle(written.path, out)


def test_open_refuses_a_bad_bundle_and_leaves_no_folder(tmp_path: Path) -> None:
    written = make_bundle(tmp_path / "b.vrmshare", KEY)
    with zipfile.ZipFile(written.path) as zf:
        entries = [(i.filename, zf.read(i)) for i in zf.infolist()]
    bad = tmp_path / "bad.vrmshare"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, data in entries:
            zf.writestr(name, b"tampered" if name.startswith("files/") else data)
    with pytest.raises(BundleError):
        open_bundle(bad, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_schema_is_valid_draft_2020_12() -> None:
    from jsonschema import Draft202012Validator
    from vrmshare.verify import SCHEMA_PATH

    schema = json.loads(SCHEMA_PATH.read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema")


def test_an_encrypted_export_never_names_a_plaintext_zip_on_disk(tmp_path: Path) -> None:
    """While the files stream in, the output folder holds no readable (unencrypted) bundle: the
    intermediate ZIP is an anonymous temporary file, gone with the process even if it is killed."""
    out = tmp_path / "out"
    out.mkdir()
    seen: list[list[str]] = []
    secret = b"account 5500 1234 987 " * 100

    def opener(writer) -> None:  # type: ignore[no-untyped-def]
        writer.write(secret)
        seen.append(sorted(p.name for p in out.iterdir()))

    leaky = BundleFile(
        "files/001-note.txt",
        "text/plain",
        len(secret),
        hashlib.sha256(secret).hexdigest(),
        opener,
        name="note.txt",
    )
    identity = x25519.Identity.generate()
    written = write_bundle(
        customer_manifest(),
        [sample_files()[0], leaky],
        KEY,
        out / "e.vrmshare.age",
        encrypt_to=str(identity.to_public()),
    )
    assert seen == [[]]
    assert [p.name for p in out.iterdir()] == [written.path.name]
    assert b"account 5500" not in written.path.read_bytes()

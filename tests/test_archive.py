"""The lossless archive (issue 9 item 5): export -> import -> export gives the same vault; `age -d`
opens it; every damaged, forged, too new or wrongly keyed archive is refused, nothing imported."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pyrage
import pytest
from agetool import age_decrypt_with_passphrase
from sqlalchemy import select

from vrmdesk import cli
from vrmdesk.interchange import archive
from vrmdesk.share.identity import ensure_identity
from vrmdesk.store import check, demo, keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records, tags
from vrmdesk.store.vault import IDENTITY_META_KEY, Vault

PW = "vault pass"
ARCHIVE_PW = "tiger lantern"
WORK = 10  # a cheap scrypt for the tests; the product uses age's own 18
LIST_KINDS = ("vendors", "assets", "warranties", "tickets", "interactions", "agreements")


# -- vaults to archive --------------------------------------------------------------------------
def new_vault(folder: Path) -> Vault:
    return Vault.create(folder, PW, kdf=keys.fast_params_for_tests())[0]


def fill(vault: Vault, attachments: int = 40) -> None:
    """The demo household, plus everything the demo has none of: many attachments (some the same
    content twice), tags, a disclosure, a pinned vendor key, an imported reply and its records,
    import refs, settings, and an odd character or two."""
    with vault.session() as session:
        demo.build(session, vault.attachments)
    with vault.session() as session:
        vendor = session.scalars(select(m.Vendor).order_by(m.Vendor.id)).first()
        asset = session.scalars(select(m.Asset).order_by(m.Asset.id)).first()
        assert vendor is not None and asset is not None
        for i in range(attachments):
            content = os.urandom(1000 + 37 * i) if i % 7 else b"the same receipt"
            vault.attachments.add(session, asset, io.BytesIO(content), name=f"receipt {i}.pdf")
        records.update(session, m.Vendor, vendor.id, notes='Zeilen\nmit "Anführung" \u2603 \t')
        tags.add_tag(session, asset, "kitchen")
        tags.add_tag(session, vendor, "Kitchen stuff")
        session.add(
            m.Disclosure(
                vendor_id=vendor.id,
                vendor_name=vendor.name,
                bundle_id="b-1",
                bundle_created=datetime(2026, 1, 2, 3, 4, 5, 123456),
                purpose="warranty_claim",
                terms={"marketing": False, "retention_days": 90},
                contents=[{"kind": "asset", "id": asset.id, "uid": "u-1", "fields": ["name"]}],
                files=[],
                redacted=["serial_number"],
                selection={"assets": [asset.id]},
                bundle_sha256="0" * 64,
            )
        )
        session.add(
            m.VendorKey(vendor_id=vendor.id, thumbprint="t" * 43, jwk={"kty": "OKP", "x": "y"})
        )
        session.add(m.ImportedBundle(bundle_id="r-1", vendor_id=vendor.id, bundle_sha256="1" * 64))
        session.add(m.ImportedRecord(uid="u-9", bundle_id="r-1", kind="ticket", record_id=1))
        session.add(m.ImportRef(source="homebox", kind="asset", ref="HB-1", record_id=asset.id))
        session.merge(m.Meta(key="sender_name", value="Jo Example"))  # over the demo's


def list_json(capsys: pytest.CaptureFixture[str], folder: Path) -> dict[str, Any]:
    out = {}
    for kind in LIST_KINDS:
        assert cli.main(["list", kind, "--json", "--vault", str(folder)]) == 0
        out[kind] = json.loads(capsys.readouterr().out)
    return out


def table_rows(vault: Vault) -> dict[str, list[dict[str, Any]]]:
    """Every archived row, as the archive writes it (blob names aside: they are the vault's)."""
    plain = io.BytesIO()
    archive.write_zip(vault, plain, with_identity=True)
    zf = zipfile.ZipFile(plain)
    return {
        name: [json.loads(line) for line in zf.read(name).splitlines()]
        for name in zf.namelist()
        if name.startswith("tables/")
    }


def contents(vault: Vault) -> dict[int, str]:
    """Attachment id -> SHA-256 of the content the store gives back."""
    out = {}
    with vault.session() as session:
        for attachment in session.scalars(select(m.Attachment)):
            data = vault.attachments.read_bytes(attachment)
            out[attachment.id] = hashlib.sha256(data).hexdigest()
            assert out[attachment.id] == attachment.sha256
    return out


@pytest.fixture
def source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "old"
    with new_vault(folder) as vault:
        fill(vault)
    monkeypatch.setenv(cli.PASSPHRASE_ENV, PW)
    monkeypatch.setattr(keys, "calibrate", keys.fast_params_for_tests)
    return folder


def export(folder: Path, out: Path, **options: Any) -> archive.Written:
    options.setdefault("work_factor", WORK)
    with Vault.open(folder, PW, readonly=True) as vault:
        return archive.export_archive(vault, out, **options)


def import_new(path: Path, folder: Path, **options: Any) -> dict[str, int]:
    with archive.open_archive(path, **options) as arc:
        rows, _ = archive.import_into_new_vault(folder, PW, arc, kdf=keys.fast_params_for_tests())
    return rows


# -- the round trip -----------------------------------------------------------------------------
def test_archive_import_archive_gives_the_same_vault(source, tmp_path, capsys):
    first = tmp_path / "first.vrmarchive"
    written = export(source, first, passphrase=ARCHIVE_PW, with_identity=True)
    assert written.files >= 36 and written.rows["attachments"] > 40  # 6 are one content
    assert first.read_bytes().startswith(b"age-encryption.org/v1\n-> scrypt ")
    rows = import_new(first, tmp_path / "new", passphrase=lambda: ARCHIVE_PW)
    assert rows == written.rows
    with Vault.open(source, PW) as old, Vault.open(tmp_path / "new", PW) as new:
        assert table_rows(new) == table_rows(old)  # every row, every column, the same ids
        assert contents(new) == contents(old)
        with old.session() as a, new.session() as b:
            assert ensure_identity(a).thumbprint == ensure_identity(b).thumbprint
        assert check.check_database(new.folder, new.data_key).intact
    assert list_json(capsys, tmp_path / "new") == list_json(capsys, source)
    again = tmp_path / "again.vrmarchive"
    export(tmp_path / "new", again, passphrase=ARCHIVE_PW, with_identity=True)
    with (
        archive.open_archive(first, passphrase=lambda: ARCHIVE_PW) as a,
        archive.open_archive(again, passphrase=lambda: ARCHIVE_PW) as b,
    ):
        assert a.manifest["members"] == b.manifest["members"]  # the same bytes, member by member


def test_search_finds_what_was_imported(source, tmp_path):
    path = tmp_path / "a.zip"
    export(source, path)
    import_new(path, tmp_path / "new")
    from vrmdesk.store.services import search

    with Vault.open(tmp_path / "new", PW) as vault, vault.session() as session:
        assert any(h.kind == "vendor" for h in search.search(session, "Anführung"))


def test_the_sync_device_stays_with_its_vault(source, tmp_path):
    """A vault made from an archive is another sync device: no device id or keys travel."""
    from vrmdesk.sync.device import ensure_device

    with Vault.open(source, PW) as vault, vault.session() as session:
        mine = ensure_device(session).device
    path = tmp_path / "a.zip"
    export(source, path, with_identity=True)
    with zipfile.ZipFile(path) as zf:
        meta = zf.read("tables/vault_meta.jsonl").decode()
        assert "sync_device" not in meta and mine not in meta
    import_new(path, tmp_path / "new")
    with Vault.open(tmp_path / "new", PW) as vault, vault.session() as session:
        assert ensure_device(session).device != mine


def test_the_signing_identity_goes_only_when_asked(source, tmp_path):
    with Vault.open(source, PW) as vault, vault.session() as session:
        mine = ensure_identity(session).thumbprint
    without = tmp_path / "without.zip"
    export(source, without)
    with zipfile.ZipFile(without) as zf:
        meta = zf.read("tables/vault_meta.jsonl").decode()
        assert IDENTITY_META_KEY not in meta and "vault_id" not in meta
        assert "attachment_identity" not in meta and "sender_name" in meta
        assert json.loads(zf.read("archive.json"))["with_identity"] is False
    import_new(without, tmp_path / "new")
    with Vault.open(tmp_path / "new", PW) as vault, vault.session() as session:
        assert ensure_identity(session).thumbprint != mine  # a key of its own
        assert session.get(m.Meta, "sender_name").value == "Jo Example"
    with_it = tmp_path / "with.zip"
    export(source, with_it, with_identity=True)
    with zipfile.ZipFile(with_it) as zf:
        assert IDENTITY_META_KEY in zf.read("tables/vault_meta.jsonl").decode()
    import_new(with_it, tmp_path / "new2")
    with Vault.open(tmp_path / "new2", PW) as vault, vault.session() as session:
        assert ensure_identity(session).thumbprint == mine


def test_the_layout_is_what_the_format_document_says(source, tmp_path):
    path = tmp_path / "plain.zip"
    export(source, path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read("archive.json"))
        assert names[-1] == "archive.json"
        assert {n for n in names if n.startswith("tables/")} == {
            f"tables/{t.name}.jsonl" for t in archive.TABLES
        }
        assert "tables/blobs.jsonl" not in names
        files = [n for n in names if n.startswith("files/")]
        for name in files:
            assert hashlib.sha256(zf.read(name)).hexdigest() == name[6:]
        attachment = json.loads(zf.read("tables/attachments.jsonl").splitlines()[0])
        assert "blob_name" not in attachment and f"files/{attachment['sha256']}" in names
        interaction = json.loads(zf.read("tables/interactions.jsonl").splitlines()[0])
        assert interaction["occurred_at"].endswith("+00:00")
        assert interaction["direction"] in ("inbound", "outbound")
    assert manifest["format"] == "vrmdesk-archive" and manifest["version"] == 5
    assert manifest["files"] == len(files) and len(manifest["members"]) == len(names) - 1
    assert {"id", "created_at", "name"} <= set(manifest["tables"]["vendors"]["columns"])


# -- age opens it -------------------------------------------------------------------------------
needs_age = pytest.mark.skipif(shutil.which("age") is None, reason="the age command is missing")


@needs_age
def test_age_opens_an_archive_made_for_a_recipient(source, tmp_path):
    key = tmp_path / "key.txt"
    subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
    identity = pyrage.x25519.Identity.from_str(
        next(line for line in key.read_text().splitlines() if line.startswith("AGE-SECRET"))
    )
    path = tmp_path / "a.vrmarchive"
    export(source, path, recipient=identity.to_public())
    subprocess.run(
        ["age", "-d", "-i", str(key), "-o", str(tmp_path / "a.zip"), str(path)], check=True
    )
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert zf.testzip() is None and "archive.json" in zf.namelist()
    rows = import_new(path, tmp_path / "new", identity_file=key)
    assert rows["vendors"] > 0
    with pytest.raises(archive.ArchiveError, match="identity file"):
        archive.open_archive(path)
    other = tmp_path / "other.txt"
    other.write_text(str(pyrage.x25519.Identity.generate()) + "\n")
    with pytest.raises(archive.ArchiveError, match="not encrypted to the age identity"):
        archive.open_archive(path, identity_file=other)


@needs_age
def test_age_opens_an_archive_made_for_a_passphrase(source, tmp_path):
    path = tmp_path / "a.vrmarchive"
    export(source, path, passphrase=ARCHIVE_PW)
    target = tmp_path / "a.zip"
    assert age_decrypt_with_passphrase(path, target, ARCHIVE_PW) == 0
    with zipfile.ZipFile(target) as zf:
        assert zf.testzip() is None and "archive.json" in zf.namelist()


# -- refused, nothing imported ------------------------------------------------------------------
def refused(
    path: Path, tmp_path: Path, match: str, error: type[Exception] = archive.ArchiveError, **kw: Any
) -> None:
    """Refused with ``match`` in the reason, and no vault left behind."""
    target = tmp_path / "target"
    with pytest.raises(error, match=match):
        import_new(path, target, **kw)
    assert not target.exists()


def rezip(path: Path, out: Path, change: Callable[[str, bytes], tuple[str, bytes] | None]) -> Path:
    """The plain archive's entries, each through ``change`` (None: left out), as a new ZIP."""
    with zipfile.ZipFile(path) as zf, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for name in zf.namelist():
            changed = change(name, zf.read(name))
            if changed is not None:
                new.writestr(changed[0], changed[1])
    return out


def manifest_changed(path: Path, out: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    def change(name: str, data: bytes) -> tuple[str, bytes]:
        if name != "archive.json":
            return name, data
        manifest = json.loads(data)
        edit(manifest)
        return name, json.dumps(manifest).encode()

    return rezip(path, out, change)


@pytest.fixture
def plain(source: Path, tmp_path: Path) -> Path:
    path = tmp_path / "plain.zip"
    export(source, path)
    return path


def test_an_archive_from_a_newer_version_is_refused(plain, tmp_path):
    newer = manifest_changed(plain, tmp_path / "newer.zip", lambda m: m.update(version=6))
    refused(
        newer, tmp_path, "newer vrmdesk: format version 6, this one reads 5", archive.ArchiveTooNew
    )


def test_a_wrong_passphrase_is_refused(source, tmp_path):
    path = tmp_path / "a.vrmarchive"
    export(source, path, passphrase=ARCHIVE_PW)
    refused(path, tmp_path, "passphrase is not right", passphrase=lambda: "wrong")


@pytest.mark.parametrize("how", ["flipped", "truncated"])
@pytest.mark.parametrize("encrypted", [True, False])
def test_a_damaged_or_truncated_archive_is_refused(source, tmp_path, how, encrypted):
    path = tmp_path / "a.vrmarchive"
    export(source, path, passphrase=ARCHIVE_PW if encrypted else None)
    data = bytearray(path.read_bytes())
    if how == "flipped":
        data[len(data) // 2] ^= 0x01
    else:
        del data[len(data) * 2 // 3 :]
    path.write_bytes(bytes(data))
    refused(
        path,
        tmp_path,
        "damaged|truncated|cut off|not a readable ZIP|SHA-256|local header",  # where the flip lands
        passphrase=lambda: ARCHIVE_PW,
    )


def test_a_changed_file_is_refused_by_its_hash(plain, tmp_path):
    def change(name: str, data: bytes) -> tuple[str, bytes]:
        return name, (b"X" + data[1:]) if name.startswith("files/") else data

    refused(rezip(plain, tmp_path / "x.zip", change), tmp_path, "SHA-256 differs")


def test_a_row_that_does_not_fit_is_refused_and_nothing_is_imported(plain, tmp_path, tree_hashes):
    def change(name: str, data: bytes) -> tuple[str, bytes]:
        if name == "tables/contacts.jsonl":
            row = json.loads(data.splitlines()[0])
            row["vendor_id"] = 99_999  # no such vendor: the foreign key refuses it
            data = data + json.dumps(row | {"id": 99_999}).encode() + b"\n"
        return name, data

    def fix_manifest(path: Path) -> Path:
        with zipfile.ZipFile(path) as zf:
            body = zf.read("tables/contacts.jsonl")

        def edit(manifest: dict[str, Any]) -> None:
            manifest["tables"]["contacts"]["rows"] += 1
            for item in manifest["members"]:
                if item["name"] == "tables/contacts.jsonl":
                    item.update(size=len(body), sha256=hashlib.sha256(body).hexdigest())

        return manifest_changed(path, tmp_path / "fixed.zip", edit)

    bad = fix_manifest(rezip(plain, tmp_path / "x.zip", change))
    refused(bad, tmp_path, "do not fit together")
    empty = tmp_path / "empty"
    new_vault(empty).close()
    before = tree_hashes(empty / "attachments")
    with Vault.open(empty, PW) as vault, archive.open_archive(bad) as arc:
        with pytest.raises(archive.ArchiveError, match="do not fit together"):
            archive.import_archive(vault, arc)
        with vault.session() as session:
            assert archive.records_in(session) == {}
    assert tree_hashes(empty / "attachments") == before  # the contents stored for it went again


@pytest.mark.parametrize(
    "name",
    ["../evil", "/abs", "tables/x/../y.jsonl", "files/abc", "notes.txt", "Files/" + "a" * 64],
)
def test_unsafe_or_foreign_names_are_refused(plain, tmp_path, name):
    with zipfile.ZipFile(plain) as zf, zipfile.ZipFile(tmp_path / "x.zip", "w") as new:
        for entry in zf.namelist():
            new.writestr(entry, zf.read(entry))
        new.writestr(name, b"x")
    refused(tmp_path / "x.zip", tmp_path, "outside its layout|unsafe")


def test_duplicate_names_are_refused(plain, tmp_path):
    with zipfile.ZipFile(plain) as zf, zipfile.ZipFile(tmp_path / "x.zip", "w") as new:
        for entry in zf.namelist():
            new.writestr(entry, zf.read(entry))
        with pytest.warns(UserWarning, match="Duplicate name"):
            new.writestr("tables/vendors.jsonl", b"{}\n")
    refused(tmp_path / "x.zip", tmp_path, "twice")


def test_a_zip_bomb_is_refused(plain, tmp_path):
    bomb = bytes(50 * 1024**2)
    sha = hashlib.sha256(bomb).hexdigest()

    def edit(manifest: dict[str, Any]) -> None:
        manifest["files"] += 1
        manifest["members"].append({"name": f"files/{sha}", "size": len(bomb), "sha256": sha})

    path = manifest_changed(plain, tmp_path / "m.zip", edit)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr(f"files/{sha}", bomb)
    refused(path, tmp_path, "expands more than")


def test_a_size_that_lies_is_refused(plain, tmp_path):
    def edit(manifest: dict[str, Any]) -> None:
        manifest["members"][0]["size"] += 1

    refused(manifest_changed(plain, tmp_path / "x.zip", edit), tmp_path, "not the size")


def test_unknown_tables_and_members_are_refused(plain, tmp_path):
    def edit(manifest: dict[str, Any]) -> None:
        manifest["tables"]["robots"] = {"rows": 0, "columns": ["id"]}

    refused(manifest_changed(plain, tmp_path / "x.zip", edit), tmp_path, "does not know")
    missing = rezip(
        plain, tmp_path / "y.zip", lambda n, d: None if n == "tables/tags.jsonl" else (n, d)
    )
    refused(missing, tmp_path, "disagree")


def test_not_an_archive(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"hello, world" * 10)
    refused(path, tmp_path, "not a vrmdesk archive")


def test_a_vault_that_is_not_empty_is_refused(plain, tmp_path, source):
    with Vault.open(source, PW) as vault, archive.open_archive(plain) as arc:
        before = table_rows(vault)
        with pytest.raises(archive.ArchiveError, match="not empty"):
            archive.import_archive(vault, arc)
        assert table_rows(vault) == before


# -- the command line ---------------------------------------------------------------------------
def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_export_and_import_with_a_passphrase(source, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(archive.agepass, "WORK_FACTOR", WORK)
    monkeypatch.setenv("VRMDESK_ARCHIVE_PASSPHRASE", ARCHIVE_PW)
    path = tmp_path / "all.vrmarchive"
    code, out, err = run(capsys, "export", "archive", "--out", str(path), "--vault", str(source))
    assert code == 0, err
    assert "encrypted to the archive passphrase" in out
    new = tmp_path / "new"
    code, out, err = run(capsys, "--vault", str(new), "import", "archive", str(path), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["created"] is True and result["rows"]["vendors"] > 0 and result["recovery_key"]
    assert list_json(capsys, new) == list_json(capsys, source)
    code, _, err = run(capsys, "--vault", str(new), "import", "archive", str(path))
    assert code == 1 and "not empty" in err and err.count("\n") == 1
    monkeypatch.setenv("VRMDESK_ARCHIVE_PASSPHRASE", "wrong")
    code, _, err = run(capsys, "--vault", str(tmp_path / "n2"), "import", "archive", str(path))
    assert code == 1 and "passphrase is not right" in err and not (tmp_path / "n2").exists()


def test_cli_plain_warns_and_recipient_needs_an_identity(source, tmp_path, capsys):
    path = tmp_path / "plain.zip"
    code, out, err = run(
        capsys, "export", "archive", "--out", str(path), "--plain", "--vault", str(source)
    )
    assert code == 0 and "unencrypted" in err and "not encrypted" in out
    assert zipfile.is_zipfile(path)
    identity = pyrage.x25519.Identity.generate()
    key = tmp_path / "key.txt"
    key.write_text(f"# a key\n{identity}\n")
    sealed = tmp_path / "sealed.vrmarchive"
    code, out, err = run(
        capsys, "export", "archive", "--out", str(sealed), "--encrypt-to",
        str(identity.to_public()), "--with-identity", "--vault", str(source),
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(capsys, "--vault", str(tmp_path / "n"), "import", "archive", str(sealed))
    assert code == 1 and "--identity" in err
    empty = tmp_path / "empty"
    new_vault(empty).close()
    code, out, err = run(
        capsys, "--vault", str(empty), "import", "archive", str(sealed), "--identity", str(key)
    )
    assert code == 0, err and "Imported" in out
    code, _, err = run(
        capsys, "export", "archive", "--out", str(path), "--encrypt-to", "age1nope",
        "--vault", str(source),
    )  # fmt: skip
    assert code == 1 and "not an age recipient" in err


def test_cli_plain_and_recipient_exclude_each_other(source, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["export", "archive", "--out", "x", "--plain", "--encrypt-to", "age1x"])
    assert exit_.value.code == 2
    capsys.readouterr()


def test_the_archive_is_written_atomically_with_nothing_left_on_failure(source, tmp_path):
    path = tmp_path / "a.zip"

    def stop(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with Vault.open(source, PW, readonly=True) as vault, pytest.raises(KeyboardInterrupt):
        archive.export_archive(vault, path, progress=stop)
    assert list(tmp_path.glob("*a.zip*")) == []


def test_no_plaintext_is_left_in_the_temporary_folder(source, tmp_path, monkeypatch):
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    path = tmp_path / "a.vrmarchive"
    export(source, path, passphrase=ARCHIVE_PW)
    with archive.open_archive(path, passphrase=lambda: ARCHIVE_PW):
        folders = list(temp.iterdir())
        assert len(folders) == 1 and (folders[0].stat().st_mode & 0o777) == 0o700
    assert list(temp.iterdir()) == []


def test_the_format_document_lists_every_table_and_column_as_written():
    """A schema change must change docs/archive-format.md too (and, by its version policy,
    the format's version): the document's tables are the ones the archive writes."""
    doc = (Path(__file__).parents[1] / "docs" / "archive-format.md").read_text(encoding="utf-8")
    expected = archive.documented_tables()
    assert expected in doc, "regenerate the tables with archive.documented_tables():\n" + expected


def test_records_keep_their_gids_and_the_new_vault_logs_them_as_its_own(plain, source, tmp_path):
    """Version 5: every record's gid travels; the change log does not (a new vault is a new
    device), so the imported vault's log starts with a create of every record."""
    from vrmdesk.store import changelog

    import_new(plain, tmp_path / "new")
    with (
        Vault.open(source, PW) as old,
        Vault.open(tmp_path / "new", PW) as new,
        old.session() as a,
        new.session() as b,
    ):
        assert changelog.snapshot(a) == changelog.snapshot(b)
        assert changelog.verify(b) == []
        devices = {c["device"] for c in changelog.entries(b)}
        assert devices and devices.isdisjoint({c["device"] for c in changelog.entries(a)})


def test_an_archive_of_version_4_gets_new_gids(plain, tmp_path):
    """An archive made before gids (version 4) is mapped forward: each record a new gid."""
    stripped: dict[str, bytes] = {}

    def change(name: str, data: bytes) -> tuple[str, bytes]:
        if name.startswith("tables/"):
            rows = [json.loads(line) for line in data.splitlines()]
            for row in rows:
                row.pop("gid", None)
            data = b"".join(json.dumps(r).encode() + b"\n" for r in rows)
            stripped[name] = data
        return name, data

    rows_only = rezip(plain, tmp_path / "rows.zip", change)

    def edit(manifest: dict[str, Any]) -> None:
        manifest["version"] = 4
        for spec in manifest["tables"].values():
            spec["columns"] = [c for c in spec["columns"] if c != "gid"]
        for item in manifest["members"]:
            if item["name"] in stripped:
                data = stripped[item["name"]]
                item.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())

    old = manifest_changed(rows_only, tmp_path / "v4.zip", edit)
    import_new(old, tmp_path / "new")
    with Vault.open(tmp_path / "new", PW) as vault, vault.session() as s:
        gids = list(s.scalars(select(m.Vendor.gid)))
        assert gids and all(len(g) == 36 for g in gids) and len(set(gids)) == len(gids)

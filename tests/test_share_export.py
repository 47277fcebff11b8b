"""Exporting share bundles: the slice, redaction, preview, terms, the bundle, the log, the CLI."""

from __future__ import annotations

import argparse
import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from sqlalchemy import func, select
from vrmshare import terms
from vrmshare.errors import BundleError
from vrmshare.layout import record_uid
from vrmshare.terms import Terms

from vrmdesk import cli
from vrmdesk.errors import AttachmentError, ValidationError, VrmError
from vrmdesk.share import choices as ch
from vrmdesk.share import disclosures, export, htmlpage, schemaorg
from vrmdesk.share import slice as sl
from vrmdesk.store import demo
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault

PASSPHRASE = "correct horse"  # the vault fixture's (tests/conftest.py)

SCHEMA = Path(__file__).parents[1] / "packages/vrmshare/vrmshare/schema/manifest.schema.json"
CREATED = "2026-05-01T08:30:00Z"
BOSCH = "Bosch Home Appliances"


@pytest.fixture
def bosch(demo_vault: Vault) -> int:
    with demo_vault.session() as session:
        return records.find_vendor(session, BOSCH).id


def _export(vault: Vault, selection: sl.Selection, out: Path, **kw: Any) -> export.ExportResult:
    terms = kw.pop("terms", Terms(purpose="warranty_claim"))
    return export.export_bundle(
        vault, selection, terms, out, created=kw.pop("created", CREATED), **kw
    )


def _read(path: Path) -> tuple[dict[str, Any], str, zipfile.ZipFile]:
    z = zipfile.ZipFile(path)
    return json.loads(z.read("manifest.json")), z.read("index.html").decode("utf-8"), z


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if set(value) == {"@id"}:
            yield value["@id"]
        for key, item in value.items():
            if key != "@id":
                yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


# -- choosing and collecting --------------------------------------------------------------------
def test_everything_about_a_vendor(demo_vault: Vault, bosch: int) -> None:
    with demo_vault.session() as session:
        selection = sl.everything(session, bosch)
        names = {records.get(session, m.Asset, a).name for a in selection.asset_ids}
        the_slice = sl.collect(session, demo_vault, selection)
    assert names == {"Dishwasher", "Oven"}
    assert selection.include_vendor_notes and selection.ticket_ids
    kinds = [r.kind for r in the_slice.records]
    assert kinds[0] == "vendor" and the_slice.records[0].uid == the_slice.vendor_uid
    assert {"asset", "warranty", "ticket", "interaction", "vendor_note"} <= set(kinds)
    # the ticket's whole timeline comes along, about the ticket
    ticket_uid = next(r.uid for r in the_slice.records if r.kind == "ticket")
    messages = [r.data for r in the_slice.records if r.kind == "interaction"]
    assert len(messages) == 5 and all(msg["about"] == {"@id": ticket_uid} for msg in messages)
    # the receipt of the dishwasher travels with it
    assert [f.name for f in the_slice.files] == ["receipt-MM-88410233.txt"]


def test_ids_are_stable_and_references_closed(demo_vault: Vault, bosch: int) -> None:
    with demo_vault.session() as session:
        selection = sl.everything(session, bosch)
        first = sl.collect(session, demo_vault, selection)
        second = sl.collect(session, demo_vault, selection)
    vault_id = demo_vault.header.vault_id
    assert [r.uid for r in first.records] == [r.uid for r in second.records]
    for r in first.records:
        if r.kind in records_kinds():
            assert r.uid == record_uid(vault_id, r.kind, r.id)
    uids = {r.uid for r in first.records}
    assert len(uids) == len(first.records)
    assert set(_refs(first.manifest_records())) <= uids  # a closed bundle
    # the seller of the dishwasher, named by a reference, comes with name and website only
    seller = next(r.data for r in first.records if r.data.get("name") == "MediaMarkt")
    assert set(seller) == {"@type", "@id", "name", "url"}


def records_kinds() -> set[str]:
    return set(m.RECORD_BY_KIND)


def test_narrowing_to_a_ticket_leaves_its_thing_unnamed(demo_vault: Vault, bosch: int) -> None:
    with demo_vault.session() as session:
        ticket = session.scalar(select(m.Ticket).where(m.Ticket.vendor_id == bosch))
        selection = sl.narrowed(session, bosch, ticket_ids=[ticket.id])
        the_slice = sl.collect(session, demo_vault, selection)
        by_asset = sl.narrowed(session, bosch, asset_ids=[ticket.asset_id])
    kinds = {r.kind for r in the_slice.records}
    assert "asset" not in kinds and "ticket" in kinds
    data = next(r.data for r in the_slice.records if r.kind == "ticket")
    assert "vrm:product" not in data
    assert ticket.id in by_asset.ticket_ids and not by_asset.agreement_ids


def test_wrong_vendor_and_unknown_field_are_refused(demo_vault: Vault, bosch: int) -> None:
    with demo_vault.session() as session:
        other = session.scalar(select(m.Ticket).where(m.Ticket.vendor_id != bosch))
        with pytest.raises(ValidationError, match="not with Bosch"):
            sl.collect(session, demo_vault, sl.Selection(bosch, ticket_ids=(other.id,)))
    with pytest.raises(ValidationError, match="not a field that can be left out"):
        sl.Selection(bosch, redact=frozenset({"shoe_size"}))
    with pytest.raises(ValidationError, match="purpose"):
        Terms(purpose="world_domination")
    with pytest.raises(ValidationError, match="retention"):
        Terms(retention_days=-1)


def test_exclusions_and_files_choice(demo_vault: Vault, bosch: int) -> None:
    with demo_vault.session() as session:
        selection = sl.everything(session, bosch)
        full = sl.collect(session, demo_vault, selection)
        warranty = next(r for r in full.records if r.kind == "warranty")
        message = next(r for r in full.records if r.kind == "interaction")
        fewer = sl.collect(
            session,
            demo_vault,
            replace(
                selection,
                exclude=frozenset(
                    {
                        ("warranty", warranty.id),
                        ("interaction", message.id),
                        ("attachment", full.files[0].attachment.id),
                    }
                ),
            ),
        )
        no_files = sl.collect(session, demo_vault, replace(selection, include_files=False))
    uids = {r.uid for r in fewer.records}
    assert warranty.uid not in uids and message.uid not in uids
    assert fewer.files == [] and no_files.files == []


# -- redaction and preview ----------------------------------------------------------------------
def test_every_redactable_field_is_absent(demo_vault: Vault, bosch: int) -> None:
    with demo_vault.session() as session:
        selection = sl.everything(session, bosch)
        full = sl.collect(session, demo_vault, selection)
        bare = sl.collect(session, demo_vault, selection.with_redaction(terms.REDACTABLE))
    full_keys = {
        (r.data["@type"], k) for r in full.records for k, _ in schemaorg.flatten(r.data, {})
    }
    bare_keys = {
        (r.data["@type"], k) for r in bare.records for k, _ in schemaorg.flatten(r.data, {})
    }
    assert not any(r.data["@type"] == "vrm:Note" for r in bare.records)
    for field, keys in schemaorg.REDACTED_KEYS.items():
        for type_, key in keys:
            if key == "*":
                continue
            assert not any(
                t == type_ and (k == key or k.startswith(key + "[")) for t, k in bare_keys
            ), (field, key)
    # and they were there to begin with (for the ones the demo vendor has)
    for type_, key in [
        ("Product", "serialNumber"),
        ("Product", "vrm:purchase.price"),
        ("Message", "text"),
        ("vrm:SupportTicket", "identifier"),
    ]:
        assert (type_, key) in full_keys


def test_preview_is_what_leaves(demo_vault: Vault, bosch: int) -> None:
    with demo_vault.session() as session:
        selection = sl.everything(session, bosch, redact={"price"})
        the_slice = sl.collect(session, demo_vault, selection)
    preview = the_slice.preview()
    assert len(preview.records) == len(the_slice.records)
    label, fields = preview.records[2]
    assert label == "Thing: Dishwasher (SMS6ZCI49E)"
    assert ("serialNumber", "FD 0204 123456") in fields
    assert ("manufacturer", f"→ Vendor: {BOSCH}") in fields
    assert not any("price" in key for key, _ in fields)
    assert preview.redacted == ["price"]
    ((name, size, media_type, path, about),) = preview.files
    assert (name, media_type, about) == ("receipt-MM-88410233.txt", "text/plain", label)
    assert path.startswith("files/001-") and size > 0


def test_redacted_values_absent_from_manifest_and_page(
    demo_vault: Vault, bosch: int, tmp_path: Path
) -> None:
    with demo_vault.session() as session:
        selection = replace(
            sl.everything(
                session,
                bosch,
                redact={
                    "price",
                    "serial_number",
                    "order_number",
                    "message_text",
                    "notes",
                    "case_reference",
                    "contact_details",
                },
            ),
            include_files=False,
        )
    result = _export(demo_vault, selection, tmp_path / "b")
    manifest, page, z = _read(result.path)
    raw = z.read("manifest.json").decode("utf-8")
    for secret in (
        "FD 0204 123456",
        "749.00",
        "MM-88410233",
        "water stays in the bottom",
        "Drain pump suspected",
        "Customer service is good",
        "service@bosch-home",
    ):
        assert secret not in raw, secret
        assert secret not in page, secret
    assert set(manifest["redacted"]) == set(selection.redact)
    assert "serialNumber" not in raw and "vrm:Note" not in raw
    assert "Left out on purpose" in page and "serial_number" in page


# -- the bundle ---------------------------------------------------------------------------------
def test_bundle_validates_and_carries_terms(demo_vault: Vault, bosch: int, tmp_path: Path) -> None:
    with demo_vault.session() as session:
        selection = sl.everything(session, bosch)
    terms = Terms(
        purpose="support_case",
        purpose_note="E24 error",
        allowed_use="may_contact_about_it",
        marketing=False,
        retention_days=30,
        third_parties=True,
    )
    result = _export(demo_vault, selection, tmp_path / "b.vrmshare", terms=terms)
    manifest, page, z = _read(result.path)
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(manifest)
    assert z.namelist()[:3] == ["manifest.json", "manifest.jws", "index.html"]
    assert manifest["terms"] == {
        "allowed_use": "may_contact_about_it",
        "marketing": False,
        "retention_days": 30,
        "third_parties": True,
    }
    assert manifest["purpose"] == "support_case" and manifest["purpose_note"] == "E24 error"
    assert manifest["sender"]["name"] == demo.DEMO_SENDER
    assert manifest["recipient"]["name"] == BOSCH
    assert manifest["bundle_id"] == result.bundle_id
    # the terms come first on the page, in words
    assert page.index("Terms of use") < page.index("Records (")
    assert "Not allowed" in page and "30 days" in page and "E24 error" in page
    assert "<script" not in page.lower()
    # files are listed and their bytes are the attachment's
    entry = next(f for f in manifest["files"] if f["path"].startswith("files/"))
    assert hashlib.sha256(z.read(entry["path"])).hexdigest() == entry["sha256"]
    assert entry["about"] in {r["@id"] for r in manifest["records"]}
    assert result.path.name == "b.vrmshare" and result.records == len(manifest["records"])


def test_same_input_same_bytes(demo_vault: Vault, bosch: int, tmp_path: Path) -> None:
    with demo_vault.session() as session:
        selection = sl.everything(session, bosch)
    a = _export(demo_vault, selection, tmp_path / "a.vrmshare")
    b = _export(demo_vault, selection, tmp_path / "b.vrmshare")
    assert a.path.read_bytes() == b.path.read_bytes()
    assert a.bundle_id == b.bundle_id and a.disclosure_id == b.disclosure_id
    c = _export(demo_vault, selection, tmp_path / "c.vrmshare", created="2026-05-01T08:30:01Z")
    assert c.bundle_id != a.bundle_id


def test_page_escapes_everything(demo_vault: Vault, bosch: int, tmp_path: Path) -> None:
    with demo_vault.session() as session:
        records.update(session, m.Vendor, bosch, name='<script>alert("x")</script> & Co')
        export.set_sender_name(session, "Me <b>bold</b>")
        selection = sl.everything(session, bosch)
    result = _export(demo_vault, selection, tmp_path / "x")
    _, page, _ = _read(result.path)
    assert "<script" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page and "Me &lt;b&gt;bold&lt;/b&gt;" in page


def test_encrypted_to_the_vendor(demo_vault: Vault, bosch: int, tmp_path: Path) -> None:
    import io

    from pyrage import decrypt_io, x25519

    identity = x25519.Identity.generate()
    with demo_vault.session() as session:
        selection = sl.everything(session, bosch)
    result = _export(
        demo_vault, selection, tmp_path / "enc.vrmshare", encrypt_to=str(identity.to_public())
    )
    assert result.path.name == "enc.vrmshare"  # the path given (issue 7, item 8)
    plain = io.BytesIO()
    with result.path.open("rb") as handle:
        decrypt_io(handle, plain, [identity])
    manifest = json.loads(zipfile.ZipFile(plain).read("manifest.json"))
    assert manifest["bundle_id"] == result.bundle_id
    assert result.sha256 == hashlib.sha256(result.path.read_bytes()).hexdigest()


# -- the disclosure log -------------------------------------------------------------------------
def test_export_is_logged_with_the_file_hash(demo_vault: Vault, bosch: int, tmp_path: Path) -> None:
    with demo_vault.session() as session:
        selection = sl.everything(session, bosch, redact={"price"})
    result = _export(demo_vault, selection, tmp_path / "b")
    with demo_vault.session() as session:
        rows = disclosures.for_vendor(session, bosch)
        detail = disclosures.details(session, result.disclosure_id)
        stored = session.get(m.Disclosure, result.disclosure_id)
        assert sl.Selection.from_json(stored.selection) == selection
        assert stored.contents[0]["uid"] == _read(result.path)[0]["records"][0]["@id"]
        assert stored.files[0]["sha256"] == _read(result.path)[0]["files"][1]["sha256"]
    (row,) = rows
    assert row.sha256 == hashlib.sha256(result.path.read_bytes()).hexdigest()
    assert row.bundle_id == result.bundle_id and row.purpose_label == "Warranty claim"
    assert row.records == result.records and row.files == 1 and not row.encrypted
    assert detail.redacted == ["price"]
    assert ("Purpose", "Warranty claim") in detail.terms
    assert detail.summary().startswith("2 vendors, 2 notes, 2 things, 3 warranties, 1 ticket")
    noun, _, fields = detail.records[2]
    assert noun == "thing" and "serialNumber" in fields and "vrm:purchase.price" not in fields


def test_reexport_same_selection_new_bundle(demo_vault: Vault, bosch: int, tmp_path: Path) -> None:
    with demo_vault.session() as session:
        selection = sl.everything(session, bosch, redact={"location"})
    first = _export(demo_vault, selection, tmp_path / "first")
    again = disclosures.reexport(
        demo_vault, first.disclosure_id, tmp_path / "again", created="2026-06-01T00:00:00Z"
    )
    one, _, _ = _read(first.path)
    two, _, _ = _read(again.path)
    assert again.bundle_id != first.bundle_id and again.disclosure_id != first.disclosure_id
    assert [r["@id"] for r in one["records"]] == [r["@id"] for r in two["records"]]
    assert two["redacted"] == ["location"] and two["terms"] == one["terms"]
    assert two["created"] == "2026-06-01T00:00:00Z"
    with demo_vault.session() as session:
        assert len(disclosures.for_vendor(session, bosch)) == 2


def _count_disclosures(vault: Vault) -> int:
    with vault.session() as session:
        return session.scalar(select(func.count()).select_from(m.Disclosure)) or 0


def test_failed_write_logs_nothing_and_leaves_nothing(
    demo_vault: Vault, bosch: int, tmp_path: Path
) -> None:
    with demo_vault.session() as session:
        selection = sl.everything(session, bosch)
    with pytest.raises(VrmError, match="does not exist"):
        _export(demo_vault, selection, tmp_path / "missing" / "b.vrmshare")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(VrmError):
        _export(demo_vault, selection, blocker / "b.vrmshare")
    # an attachment whose content is gone from the vault folder
    for blob in demo_vault.paths.attachments.glob("??/*"):
        blob.unlink()
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(AttachmentError, match="missing"):
        _export(demo_vault, selection, out / "b.vrmshare")
    assert list(out.iterdir()) == []
    assert _count_disclosures(demo_vault) == 0


def test_cancel_by_progress_leaves_nothing(demo_vault: Vault, bosch: int, tmp_path: Path) -> None:
    class Stop(Exception):
        pass

    def progress(done: int, total: int, text: str) -> None:
        if done > 0:
            raise Stop()

    with demo_vault.session() as session:
        selection = sl.everything(session, bosch)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Stop):
        _export(demo_vault, selection, out / "b.vrmshare", progress=progress)
    assert list(out.iterdir()) == []
    assert _count_disclosures(demo_vault) == 0


# -- the command line ---------------------------------------------------------------------------
def _parse(argv: list[str]) -> argparse.Namespace:
    """``vrmdesk share ARGV`` through the program's own parser."""
    return cli.build_parser().parse_args(["share", *argv])


def test_cli_export(
    demo_vault: Vault,
    bosch: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with demo_vault.session() as session:
        ticket_id = session.scalar(select(m.Ticket.id).where(m.Ticket.vendor_id == bosch))
    folder = demo_vault.folder
    demo_vault.close()
    monkeypatch.setenv(cli.PASSPHRASE_ENV, PASSPHRASE)
    args = _parse(
        [
            "export",
            "--vault",
            str(folder),
            "--vendor",
            "bosch home appliances",
            "--out",
            str(tmp_path / "case"),
            "--ticket",
            str(ticket_id),
            "--redact",
            "message_text",
            "--purpose",
            "support_case",
            "--retention-days",
            "14",
            "--allow-contact",
            "--sender-name",
            "Kim Example",
        ]
    )
    assert args.func(args) == 0
    out = capsys.readouterr().out
    path = tmp_path / "case.vrmshare"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert f"Wrote {path}" in out and f"SHA-256: {digest}" in out and "Bundle id: urn:uuid:" in out
    manifest, _, _ = _read(path)
    assert f"Records: {len(manifest['records'])}, files: 0" in out
    assert manifest["sender"]["name"] == "Kim Example" and manifest["redacted"] == ["message_text"]
    assert manifest["terms"] == {
        "allowed_use": "may_contact_about_it",
        "marketing": False,
        "retention_days": 14,
        "third_parties": False,
    }
    assert {r["@type"] for r in manifest["records"]} == {
        "Organization",
        "vrm:SupportTicket",
        "vrm:Note",
        "Message",
    }
    with Vault.open(folder, PASSPHRASE) as vault, vault.session() as session:
        assert export.sender_name(session) == "Kim Example"
        assert len(disclosures.for_vendor(session, bosch)) == 1


def test_cli_usage_and_failures(
    demo_vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SystemExit):
        _parse(["export", "--vendor", "x", "--out", "y", "--redact", "shoe_size"])
    args = _parse(["export", "--vendor", "x", "--out", "y", "--marketing"])
    assert (
        args.marketing is True
        and _parse(["export", "--vendor", "x", "--out", "y"]).marketing is False
    )
    folder = demo_vault.folder
    demo_vault.close()
    monkeypatch.setenv(cli.PASSPHRASE_ENV, PASSPHRASE)
    for argv, message in [
        (["--vendor", "Nobody"], "no vendor"),
        (["--vendor", "Sony", "--encrypt"], "no age recipient"),
        (["--vendor", "Sony", "--encrypt-to", "age1nonsense"], "not an age recipient"),
    ]:
        args = _parse(["export", "--vault", str(folder), "--out", str(tmp_path / "o"), *argv])
        with pytest.raises(VrmError, match=message):
            args.func(args)
    assert list(tmp_path.glob("o*")) == []


def test_htmlpage_without_files() -> None:
    page = htmlpage.render(
        sender_name="A",
        sender_fingerprint="F",
        recipient_name="B",
        created=CREATED,
        terms=Terms(),
        preview=sl.Preview([], [], []),
    )
    assert b"No files." in page and b"Records (0)" in page


# -- what the wizard offers ---------------------------------------------------------------------
def test_choices_checks_and_selection(demo_vault: Vault, bosch: int) -> None:
    with demo_vault.session() as session:
        found = ch.choices(session, bosch)
        ticket = session.scalar(select(m.Ticket).where(m.Ticket.vendor_id == bosch))
        everything_checked = ch.default_checks(found)
        from_ticket = ch.default_checks(found, ticket_id=ticket.id, session=session)
        from_message = ch.default_checks(found, interaction_ids=[ticket.id and 2], session=session)
    groups = dict(found.groups)
    assert [c.label for c in groups["Things"]] == ["Dishwasher (SMS6ZCI49E)", "Oven (HBG7741B1)"]
    dishwasher = groups["Things"][0]
    assert [c.kind for c in dishwasher.children] == ["warranty", "warranty", "attachment"]
    assert [c.kind for c in groups["Tickets"][0].children][-1] == "ticket_note"
    # from the vendor page: everything but notes
    selection = ch.selection_from_checks(found, everything_checked, redact={"price"})
    assert not selection.include_vendor_notes and ("ticket_note", ticket.id) in selection.exclude
    assert selection.asset_ids == (dishwasher.id, groups["Things"][1].id)
    assert selection.redact == {"price"}
    # from a ticket: the ticket, its timeline and its thing, not the other thing
    assert {("ticket", ticket.id), ("asset", ticket.asset_id)} <= from_ticket
    assert ("asset", groups["Things"][1].id) not in from_ticket
    assert ("interaction", 2) in from_message
    # unchecking a file under a checked thing excludes it; checking the notes shares them
    checked = set(everything_checked) - {("attachment", dishwasher.children[2].id)}
    checked |= {("vendor_note", bosch)}
    selection = ch.selection_from_checks(found, checked)
    assert ("attachment", dishwasher.children[2].id) in selection.exclude
    assert selection.include_vendor_notes
    with demo_vault.session() as session:
        the_slice = sl.collect(session, demo_vault, selection)
    assert the_slice.files == [] and any(r.kind == "vendor_note" for r in the_slice.records)


def test_the_verifier_accepts_an_export(demo_vault: Vault, bosch: int, tmp_path: Path) -> None:
    from vrmshare import verify

    with demo_vault.session() as session:
        selection = sl.everything(session, bosch, redact={"price"})
    result = _export(demo_vault, selection, tmp_path / "b")
    verified = verify.verify_bundle(result.path)
    assert verified.bundle_id == result.bundle_id
    assert verified.bundle_sha256 == result.sha256
    assert verified.fingerprint == result.fingerprint


def test_vendors_for_a_thing(demo_vault: Vault) -> None:
    with demo_vault.session() as session:
        dishwasher = session.scalar(select(m.Asset.id).where(m.Asset.name == "Dishwasher"))
        names = [name for _, name in ch.vendors_for_asset(session, dishwasher)]
    assert names[:2] == [BOSCH, "MediaMarkt"] and len(names) == len(set(names))


def test_an_edit_after_the_preview_stops_the_export(
    demo_vault: Vault, bosch: int, tmp_path: Path
) -> None:
    """What leaves is what was shown: a record edited after the preview means look again."""
    with demo_vault.session() as s:
        selection = sl.everything(s, bosch)
        shown = sl.collect(s, demo_vault, selection).preview()
        ticket = s.query(m.Ticket).filter_by(vendor_id=bosch).first()
        records.update(s, m.Ticket, ticket.id, title="Edited in another window")
    with pytest.raises(BundleError, match="changed since the preview"):
        _export(
            demo_vault,
            selection,
            tmp_path / "out.vrmshare",
            shown=shown,
            created=export.now_created(),
        )
    assert not list(tmp_path.glob("*.vrmshare*"))
    with demo_vault.session() as s:
        assert s.query(m.Disclosure).count() == 0
        fresh = sl.collect(s, demo_vault, selection).preview()
    written = _export(
        demo_vault, selection, tmp_path / "out.vrmshare", shown=fresh, created=export.now_created()
    )
    assert written.path.exists()

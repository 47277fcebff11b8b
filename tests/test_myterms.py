"""MyTerms (IEEE 7012): the roster, proffers, a vendor's signed answer, and its import."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from vrmshare import roster
from vrmshare.errors import ReplyRefused
from vrmshare.format import BundleFile, write_bundle
from vrmshare.reply import (
    ReplyContent,
    ReplyError,
    build_reply_manifest,
    keygen,
    load_signing_key,
    write_reply,
)
from vrmshare.terms import Terms
from vrmshare.verify import verify_bundle

from vrmdesk.errors import ValidationError
from vrmdesk.share import export, myterms, slice
from vrmdesk.share.importer import import_reply
from vrmdesk.store import models as m
from vrmdesk.store.services import myterms as service
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault

SCHEMA = Path(__file__).parents[1] / "packages/vrmshare/vrmshare/schema/manifest.schema.json"


def yes(_name: str, _fingerprint: str) -> bool:
    return True


@pytest.fixture
def acme(vault: Vault) -> int:
    with vault.session() as s:
        export.set_sender_name(s, "Alex Customer")
        return records.create(s, m.Vendor, name="Acme").id


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "vendor.jwk"
    keygen(path)
    return path


def proffered(vault: Vault, vendor_id: int, tmp_path: Path, agreement: str = "SD-BASE"):  # type: ignore[no-untyped-def]
    return myterms.proffer(vault, vendor_id, agreement, tmp_path / f"{agreement}.vrmshare")


def answer(tmp_path: Path, bundle: Path, key_file: Path, name: str, **content: Any) -> Path:
    original = verify_bundle(bundle)
    key = load_signing_key(key_file)
    return write_reply(original, key, ReplyContent(**content), tmp_path / name).path


def do_import(vault: Vault, path: Path):  # type: ignore[no-untyped-def]
    with vault.session() as s:
        return import_reply(s, verify_bundle(path), confirm_key=yes)


def state(vault: Vault, vendor_id: int) -> m.TermsAgreement:
    with vault.session() as s:
        row = service.current(s, vendor_id)
        assert row is not None
        s.expunge(row)
        return row


def test_the_roster_holds_sd_base_and_p2b1_with_a_page_of_summary() -> None:
    agreements = roster.roster()
    assert {"SD-BASE", "P2B1"} <= set(agreements)
    for a in agreements.values():
        assert a.url.startswith("https://") and a.version and a.title
        assert 0 < len(a.summary) <= roster.MAX_SUMMARY_CHARS
    assert roster.agreement("p2b1").title == "#NoStalking"
    with pytest.raises(ValidationError, match="not an agreement on the MyTerms roster"):
        roster.agreement("NOPE-1")


def test_a_proffer_is_a_signed_logged_bundle(vault: Vault, acme: int, tmp_path: Path) -> None:
    result = proffered(vault, acme, tmp_path)
    verified = verify_bundle(result.path)
    assert verified.purpose == "terms_proffer"
    (record,) = verified.records
    sd_base = roster.agreement("SD-BASE")
    assert record["@type"] == "vrm:TermsProffer" and record["identifier"] == "SD-BASE"
    assert record["vrm:summarySha256"] == sd_base.summary_sha256
    with vault.session() as s:
        log = s.query(m.Disclosure).one()
        assert log.bundle_id == result.bundle_id and log.bundle_sha256 == result.sha256
        row = service.current(s, acme)
        assert row is not None and row.state == "proffered"
        assert row.proffer_bundle_id == result.bundle_id
        notes = s.query(m.Interaction).filter_by(vendor_id=acme).all()
        assert [n.subject for n in notes] == ["My terms proffered: SD-BASE (Service delivery only)"]


def test_accepted_terms_go_into_every_later_bundle(
    vault: Vault, acme: int, tmp_path: Path, key_file: Path
) -> None:
    result = proffered(vault, acme, tmp_path)
    reply = answer(tmp_path, result.path, key_file, "accept.vrmshare", accept_terms=True)
    done = do_import(vault, reply)
    assert done.counts["terms answers"] == 1 and "1 terms answer" in done.message()
    row = state(vault, acme)
    assert row.state == "accepted" and row.answer_bundle_id == verify_bundle(reply).bundle_id
    with vault.session() as s:
        imported = s.query(m.ImportedBundle).one()
        assert imported.bundle_id == row.answer_bundle_id and imported.bundle_sha256
        selection = slice.narrowed(s, acme)
    shared = export.export_bundle(vault, selection, Terms(purpose="support_case"), tmp_path / "x")
    manifest = verify_bundle(shared.path).manifest
    assert manifest["terms"]["agreement"] == {
        "id": "SD-BASE",
        "version": "1",
        "title": "Service delivery only",
        "url": roster.agreement("SD-BASE").url,
    }
    jsonschema.validate(manifest, json.loads(SCHEMA.read_text("utf-8")))
    with vault.session() as s:
        logged = s.get(m.Disclosure, shared.disclosure_id)
        assert logged is not None and logged.terms["agreement"]["id"] == "SD-BASE"
    # importing the same answer again changes nothing
    assert do_import(vault, reply).already_imported


def test_terms_in_words_name_the_agreement() -> None:
    entry = roster.agreement("P2B1").terms_entry()
    rows = dict(Terms(agreement=entry).describe())
    assert "P2B1 version beta (#NoStalking)" in rows["Agreement in force"]
    assert Terms.from_json(Terms(agreement=entry).to_json()).agreement == entry


def test_another_agreement_offered(vault: Vault, acme: int, tmp_path: Path, key_file: Path) -> None:
    result = proffered(vault, acme, tmp_path)
    reply = answer(tmp_path, result.path, key_file, "offer.vrmshare", offer_terms="p2b1")
    do_import(vault, reply)
    row = state(vault, acme)
    assert row.state == "alternative_offered" and row.alternative_id == "P2B1"
    with vault.session() as s:  # nothing is in force: later bundles carry no agreement
        assert service.in_force(s, acme) is None


def test_declined(vault: Vault, acme: int, tmp_path: Path, key_file: Path) -> None:
    result = proffered(vault, acme, tmp_path)
    do_import(vault, answer(tmp_path, result.path, key_file, "no.vrmshare", decline_terms=True))
    assert state(vault, acme).state == "declined"


def test_an_answer_after_i_withdrew_is_kept_but_changes_nothing(
    vault: Vault, acme: int, tmp_path: Path, key_file: Path
) -> None:
    result = proffered(vault, acme, tmp_path)
    with vault.session() as s:
        service.withdraw(s, acme)
    reply = answer(tmp_path, result.path, key_file, "late.vrmshare", accept_terms=True)
    do_import(vault, reply)
    row = state(vault, acme)
    assert row.state == "withdrawn" and row.answer_bundle_id == verify_bundle(reply).bundle_id
    with vault.session() as s:
        assert service.in_force(s, acme) is None
        subjects = [i.subject for i in s.query(m.Interaction).filter_by(vendor_id=acme)]
        assert (
            "Answer to withdrawn terms: Acme accepted SD-BASE (Service delivery only)" in subjects
        )


def test_a_new_proffer_withdraws_the_one_before(vault: Vault, acme: int, tmp_path: Path) -> None:
    first = proffered(vault, acme, tmp_path)
    proffered(vault, acme, tmp_path, "P2B1")
    with vault.session() as s:
        rows = service.list_agreements(s, acme)
        assert [(r.agreement, r.state) for r in rows] == [
            ("P2B1", "proffered"),
            ("SD-BASE", "withdrawn"),
        ]
        assert rows[1].proffer_bundle_id == first.bundle_id


def test_withdraw_with_nothing_in_play_is_refused(vault: Vault, acme: int) -> None:
    with vault.session() as s, pytest.raises(ValidationError, match="no terms in play"):
        service.withdraw(s, acme)


def test_proffer_to_an_unknown_vendor_or_agreement_writes_nothing(
    vault: Vault, acme: int, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="no vendor"):
        myterms.proffer(vault, 999, "SD-BASE", tmp_path / "x.vrmshare")
    with pytest.raises(ValidationError, match="not an agreement on the MyTerms roster"):
        myterms.proffer(vault, acme, "ACME-TERMS", tmp_path / "x.vrmshare")
    assert list(tmp_path.glob("*.vrmshare")) == []
    with vault.session() as s:
        assert s.query(m.Disclosure).count() == 0 and s.query(m.TermsAgreement).count() == 0


# -- the vendor's side refuses; the import refuses what a forged reply would slip in ----------
def test_reply_refuses_terms_never_proffered_or_not_on_the_roster(
    vault: Vault, acme: int, tmp_path: Path, key_file: Path
) -> None:
    with vault.session() as s:
        selection = slice.narrowed(s, acme)
    plain = export.export_bundle(vault, selection, Terms(), tmp_path / "plain")
    with pytest.raises(ReplyError, match="proffers no terms"):
        answer(tmp_path, plain.path, key_file, "a.vrmshare", accept_terms=True)
    result = proffered(vault, acme, tmp_path)
    with pytest.raises(ReplyError, match="not an agreement on the MyTerms roster"):
        answer(tmp_path, result.path, key_file, "b.vrmshare", offer_terms="ACME-1")
    with pytest.raises(ReplyError, match="not two"):
        answer(tmp_path, result.path, key_file, "c.vrmshare", accept_terms=True, offer_terms="P2B1")
    assert not list(tmp_path.glob("[abc].vrmshare"))


def forged(tmp_path: Path, bundle: Path, key_file: Path, change: Any, name: str) -> Path:
    """A reply signed by the vendor whose records were edited before signing."""
    original = verify_bundle(bundle)
    key = load_signing_key(key_file)
    manifest = build_reply_manifest(original, key, ReplyContent(messages=["hello"]))
    change(manifest, original)
    page = BundleFile.from_bytes("index.html", b"<p>reply</p>", "text/html")
    return write_bundle(manifest, [page], key, tmp_path / name).path


def _answer(uid: str, agreement: str, said: str = "accepted") -> dict[str, Any]:
    return {
        "@type": "vrm:TermsAnswer",
        "@id": "urn:uuid:00000000-0000-4000-8000-000000000001",
        "about": {"@id": uid},
        "vrm:answer": said,
        "vrm:agreement": {"id": agreement, "version": "1"},
    }


def test_import_refuses_an_answer_not_on_the_roster_and_writes_nothing(
    vault: Vault, acme: int, tmp_path: Path, key_file: Path
) -> None:
    result = proffered(vault, acme, tmp_path)

    def off_roster(manifest: dict[str, Any], original: Any) -> None:
        manifest["records"].append(_answer(original.records[0]["@id"], "ACME-1"))

    def other_offered(manifest: dict[str, Any], original: Any) -> None:
        record = _answer(original.records[0]["@id"], "SD-BASE", "alternative_offered")
        record["vrm:alternative"] = {"id": "ACME-2"}
        manifest["records"].append(record)

    for change, says in ((off_roster, "'ACME-1', which are not on"), (other_offered, "'ACME-2'")):
        path = forged(tmp_path, result.path, key_file, change, f"{says[1:7]}.vrmshare")
        with pytest.raises(ReplyRefused, match=says):
            do_import(vault, path)
    with vault.session() as s:
        assert s.query(m.ImportedBundle).count() == 0 and s.query(m.VendorKey).count() == 0
        assert service.current(s, acme).state == "proffered"  # type: ignore[union-attr]
        assert s.query(m.Interaction).filter_by(direction=m.Direction.INBOUND).count() == 0


def test_import_refuses_accepting_terms_never_proffered(
    vault: Vault, acme: int, tmp_path: Path, key_file: Path
) -> None:
    with vault.session() as s:
        selection = slice.narrowed(s, acme)
    plain = export.export_bundle(vault, selection, Terms(), tmp_path / "plain")

    def accept(manifest: dict[str, Any], original: Any) -> None:
        manifest["records"].append(_answer(original.records[0]["@id"], "SD-BASE"))

    path = forged(tmp_path, plain.path, key_file, accept, "never.vrmshare")
    with pytest.raises(ReplyRefused, match="terms never proffered"):
        do_import(vault, path)
    with vault.session() as s:
        assert s.query(m.ImportedBundle).count() == 0 and s.query(m.TermsAgreement).count() == 0


def test_propose_p2b1_for_a_vendor_over_my_contact_policy(vault: Vault, acme: int) -> None:
    now = datetime.now()
    with vault.session() as s:
        vendor = s.get(m.Vendor, acme)
        assert vendor is not None
        vendor.max_offers_per_year = 1
        for days in (3, 2, 1):
            records.create(
                s,
                m.Offer,
                vendor_id=acme,
                received_at=now - timedelta(days=days),
                channel=m.InteractionChannel.EMAIL,
                content="Sale!",
            )
    with vault.session() as s:
        (proposal,) = myterms.propose(s)
    assert proposal.vendor == "Acme" and proposal.agreement.id == "P2B1"
    assert "#NoStalking" in proposal.message and proposal.agreement.url in proposal.message
    assert "Do not track me" in proposal.message


def test_a_proffer_in_the_disclosure_log_is_not_re_exported(
    vault: Vault, acme: int, tmp_path: Path
) -> None:
    from vrmdesk.share import disclosures

    result = proffered(vault, acme, tmp_path)
    with pytest.raises(ValidationError, match="not exported again"):
        disclosures.reexport(vault, result.disclosure_id, tmp_path / "again")
    assert not list(tmp_path.glob("again*"))


def test_the_roster_files_are_package_data() -> None:
    """vrmshare's pyproject ships roster/*.toml (tests/packaging checks the built wheel)."""
    import tomllib

    source = Path(__file__).parents[1] / "packages" / "vrmshare" / "pyproject.toml"
    pyproject = tomllib.loads(source.read_text("utf-8"))
    shipped = pyproject["tool"]["setuptools"]["package-data"]["vrmshare"]
    assert "roster/*.toml" in shipped

"""Requests for quotes: sending, the vendor's quote, importing it (and refusing it), accepting."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from vrmshare import format as fmt
from vrmshare.errors import BundleError, ReplyRefused
from vrmshare.reply import (
    ReplyContent,
    build_reply_manifest,
    keygen,
    load_signing_key,
    write_reply,
)
from vrmshare.terms import Terms
from vrmshare.verify import verify_bundle

from vrmdesk.errors import NotFound, ValidationError
from vrmdesk.share import export
from vrmdesk.share.importer import import_reply
from vrmdesk.share.rfq import send_request
from vrmdesk.share.slice import Selection
from vrmdesk.store import models as m
from vrmdesk.store.services import quotes, records
from vrmdesk.store.vault import Vault

YES = lambda _name, _fp: True  # noqa: E731
LATER = (date.today() + timedelta(days=20)).isoformat()


@pytest.fixture
def shop(vault: Vault) -> Vault:
    with vault.session() as s:
        for name in ("Heat One", "Boiler Bros", "Third Party"):
            records.create(s, m.Vendor, name=name)
        records.create(s, m.Asset, name="Old boiler")
        export.set_sender_name(s, "Alex")
    return vault


def outdir(tmp_path: Path) -> Path:
    path = tmp_path / "out"
    path.mkdir(exist_ok=True)
    return path


def draft(**changes: Any) -> quotes.RequestDraft:
    values: dict[str, Any] = {
        "subject": "New boiler",
        "body": "Gas, 24 kW",
        "vendors": ["Heat One", "Boiler Bros"],
        "asset_ids": [1],
        "retention_days": 14,
    }
    values.update(changes)
    return quotes.RequestDraft(**values)


def key(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.jwk"
    if not path.exists():
        keygen(path)
    return path


def quote_reply(tmp_path: Path, bundle: Path, who: str, price: str = "100", **kw: Any) -> Path:
    content = ReplyContent(quote_price=price, quote_currency="EUR", quote_valid_until=LATER, **kw)
    return write_reply(
        verify_bundle(bundle), load_signing_key(key(tmp_path, who)), content, tmp_path / who
    ).path


def forged_quote(tmp_path: Path, bundle: Path, who: str, **fields: Any) -> Path:
    """A reply carrying a vrm:Quote that the vendor's own command would not write."""
    original = verify_bundle(bundle)
    signing = load_signing_key(key(tmp_path, who))
    manifest = build_reply_manifest(original, signing, ReplyContent(messages=["x"]))
    record = manifest["records"][0]
    quote = {"@type": "vrm:Quote", "@id": record["@id"], "price": "10.00"}
    quote |= {"priceCurrency": "EUR", "validUntil": LATER, **fields}
    manifest["records"] = [quote]
    page = fmt.BundleFile.from_bytes("index.html", b"<p>quote</p>", "text/html")
    return fmt.write_bundle(manifest, [page], signing, tmp_path / f"{who}-forged.vrmshare").path


def do_import(vault: Vault, path: Path) -> Any:
    with vault.session() as s:
        return import_reply(s, verify_bundle(path), confirm_key=YES)


def count(vault: Vault, cls: type) -> int:
    with vault.session() as s:
        return int(s.scalar(select(func.count()).select_from(cls)) or 0)


def test_one_request_two_bundles_logged_and_on_both_timelines(shop, tmp_path):  # type: ignore[no-untyped-def]
    sent = send_request(shop, draft(), outdir(tmp_path))
    assert [b.vendor for b in sent.bundles] == ["Heat One", "Boiler Bros"]
    with shop.session() as s:
        disclosures = s.scalars(select(m.Disclosure).order_by(m.Disclosure.id)).all()
        assert [d.bundle_id for d in disclosures] == [b.bundle_id for b in sent.bundles]
        for d in disclosures:
            kinds = [c["kind"] for c in d.contents]
            assert "quote_request" in kinds and "asset" in kinds
            assert d.terms["marketing"] is False and d.terms["retention_days"] == 14
        notes = s.scalars(
            select(m.Interaction).where(m.Interaction.subject == "Request for a quote: New boiler")
        ).all()
        assert len(notes) == 2
    third = verify_bundle(sent.bundles[0].path)
    assert third.manifest["recipient"]["name"] == "Heat One"


def test_a_failed_bundle_takes_the_whole_request_back(shop, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    real = export.export_bundle
    calls = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise BundleError("disk trouble")
        return real(*args, **kwargs)

    monkeypatch.setattr(export, "export_bundle", failing)
    with pytest.raises(BundleError):
        send_request(shop, draft(), outdir(tmp_path))
    assert list(outdir(tmp_path).iterdir()) == []
    assert count(shop, m.QuoteRequest) == 0 and count(shop, m.Disclosure) == 0
    assert count(shop, m.Interaction) == 0


@pytest.mark.parametrize(
    ("changes", "error", "reason"),
    [
        ({"vendors": []}, ValidationError, "at least one vendor"),
        ({"vendors": ["Heat One", "Ghost"]}, NotFound, "no vendor 'Ghost'"),
        ({"subject": ""}, ValidationError, "subject"),
        ({"budget": "12.345", "currency": "EUR"}, ValidationError, "not an amount"),
        ({"budget": "-3", "currency": "EUR"}, ValidationError, "more than zero"),
        ({"retention_days": -1}, ValidationError, "retention"),
    ],
)
def test_bad_requests_change_nothing(shop, tmp_path, changes, error, reason):  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=reason):
        send_request(shop, draft(**changes), outdir(tmp_path))
    assert count(shop, m.QuoteRequest) == 0 and list(outdir(tmp_path).iterdir()) == []


def test_import_stores_the_quote_with_its_response_time(shop, tmp_path):  # type: ignore[no-untyped-def]
    sent = send_request(shop, draft(), outdir(tmp_path), created="2026-11-01T10:00:00Z")
    path = quote_reply(tmp_path, sent.bundles[0].path, "heat", "1,234.5", messages=["Fine."])
    result = do_import(shop, path)
    assert result.counts["quotes"] == 1 and "1 quote" in result.message()
    assert do_import(shop, path).already_imported
    with shop.session() as s:
        (q,) = s.scalars(select(m.Quote)).all()
        assert (q.price_minor, q.currency, q.message) == (123450, "EUR", "Fine.")
        view = quotes.show(s, sent.request_id)
    (row,) = view.quotes
    assert row.vendor == "Heat One" and row.price == "1,234.50 EUR" and not row.expired
    assert row.response_days is not None and row.response_days > 0
    assert [r.quoted for r in view.recipients] == [False, True]  # Boiler Bros, Heat One


def test_a_quote_for_a_request_never_sent_to_that_vendor_is_refused(shop, tmp_path):  # type: ignore[no-untyped-def]
    plain = export.export_bundle(
        shop,
        Selection(vendor_id=3, asset_ids=(1,)),
        Terms(purpose="other"),
        tmp_path / "plain.vrmshare",
    )
    path = forged_quote(tmp_path, plain.path, "third", about={"@id": plain.bundle_id})
    before = count(shop, m.Interaction)
    with pytest.raises(ReplyRefused, match="not a request for quotes sent to Third Party"):
        do_import(shop, path)
    assert count(shop, m.Quote) == 0 and count(shop, m.Interaction) == before
    assert count(shop, m.VendorKey) == 0


def test_a_quote_about_another_request_is_refused(shop, tmp_path):  # type: ignore[no-untyped-def]
    first = send_request(shop, draft(vendors=["Heat One"]), outdir(tmp_path))
    second = send_request(shop, draft(vendors=["Boiler Bros"], subject="Solar"), outdir(tmp_path))
    path = forged_quote(tmp_path, first.bundles[0].path, "heat", about={"@id": second.uid})
    with pytest.raises(ReplyRefused, match="never sent to Heat One"):
        do_import(shop, path)
    assert count(shop, m.Quote) == 0


def test_an_expired_quote_is_refused(shop, tmp_path):  # type: ignore[no-untyped-def]
    sent = send_request(shop, draft(), outdir(tmp_path))
    request_uid = sent.uid
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    path = forged_quote(
        tmp_path, sent.bundles[0].path, "heat", about={"@id": request_uid}, validUntil=yesterday
    )
    with pytest.raises(ReplyRefused, match="has expired"):
        do_import(shop, path)
    assert count(shop, m.Quote) == 0 and count(shop, m.VendorKey) == 0


def test_a_quote_signed_by_another_key_than_the_pinned_one_is_refused(shop, tmp_path):  # type: ignore[no-untyped-def]
    first = send_request(shop, draft(vendors=["Heat One"]), outdir(tmp_path))
    do_import(shop, quote_reply(tmp_path, first.bundles[0].path, "heat"))
    second = send_request(shop, draft(vendors=["Heat One"], subject="Heat pump"), outdir(tmp_path))
    impostor = quote_reply(tmp_path, second.bundles[0].path, "impostor", "1")
    with pytest.raises(ReplyRefused, match="not the key pinned for Heat One"):
        do_import(shop, impostor)
    assert count(shop, m.Quote) == 1


def test_accept_decides_records_on_every_timeline_and_drafts_declines(shop, tmp_path):  # type: ignore[no-untyped-def]
    sent = send_request(
        shop, draft(vendors=["Heat One", "Boiler Bros", "Third Party"]), outdir(tmp_path)
    )
    do_import(shop, quote_reply(tmp_path, sent.bundles[0].path, "heat", "900"))
    do_import(shop, quote_reply(tmp_path, sent.bundles[1].path, "bros", "800"))
    with shop.session() as s, pytest.raises(NotFound, match="Third Party' has sent no quote"):
        quotes.accept(s, sent.request_id, "Third Party")
    with shop.session() as s:
        decision = quotes.accept(s, sent.request_id, "heat one")
    assert decision.accepted.vendor == "Heat One"
    assert sorted(letter.vendor for letter in decision.letters) == ["Boiler Bros", "Third Party"]
    bros = next(letter for letter in decision.letters if letter.vendor == "Boiler Bros")
    assert "Thank you for your quote" in bros.body and "another offer" in bros.body
    with shop.session() as s:
        request = quotes.get(s, sent.request_id)
        assert request.state == "decided" and request.accepted_quote_id is not None
        for vendor_id in (1, 2, 3):
            subjects = s.scalars(
                select(m.Interaction.subject).where(m.Interaction.vendor_id == vendor_id)
            ).all()
            assert any("New boiler" in x and ("accepted" in x or "decided" in x) for x in subjects)
        with pytest.raises(ValidationError, match="decided already"):
            quotes.accept(s, sent.request_id, "Boiler Bros")


def test_an_expired_quote_cannot_be_accepted(shop, tmp_path):  # type: ignore[no-untyped-def]
    sent = send_request(shop, draft(vendors=["Heat One"]), outdir(tmp_path))
    do_import(shop, quote_reply(tmp_path, sent.bundles[0].path, "heat"))
    later = date.today() + timedelta(days=60)
    with shop.session() as s:
        assert quotes.show(s, sent.request_id, on=later).quotes[0].expired
        with pytest.raises(ValidationError, match="ask for a new one"):
            quotes.accept(s, sent.request_id, "Heat One", on=later)


def test_the_schemas_bound_the_request_and_the_quote(shop, tmp_path):  # type: ignore[no-untyped-def]
    import copy

    from vrmshare.verify import validate_manifest

    sent = send_request(shop, draft(budget="99", currency="EUR"), outdir(tmp_path))
    manifest = verify_bundle(sent.bundles[0].path).manifest
    validate_manifest(manifest)
    for broken in ({"subject": ""}, {"budget": {"value": "99", "currency": "EUR"}}):
        bad = copy.deepcopy(manifest)
        (request,) = [r for r in bad["records"] if r["@type"] == "vrm:QuoteRequest"]
        request.update(broken)
        with pytest.raises(BundleError):
            validate_manifest(bad)
    for fields in ({"price": "0.00"}, {"price": "12"}, {"priceCurrency": "eur"}):
        path = forged_quote(
            tmp_path, sent.bundles[0].path, "heat", about={"@id": sent.uid}, **fields
        )
        with pytest.raises(ReplyRefused, match="fails its schema"):
            do_import(shop, path)
        path.unlink()
    assert count(shop, m.Quote) == 0


def test_a_withdrawn_request_accepts_nothing(shop, tmp_path):  # type: ignore[no-untyped-def]
    sent = send_request(shop, draft(vendors=["Heat One"]), outdir(tmp_path))
    do_import(shop, quote_reply(tmp_path, sent.bundles[0].path, "heat"))
    with shop.session() as s:
        quotes.withdraw(s, sent.request_id)
    with shop.session() as s:
        assert quotes.list_requests(s)[0].state == "withdrawn"
        with pytest.raises(ValidationError, match="withdrawn already"):
            quotes.accept(s, sent.request_id, "Heat One")


def test_a_request_bundle_is_not_re_exported_without_its_request(shop, tmp_path):  # type: ignore[no-untyped-def]
    from vrmdesk.share import disclosures

    sent = send_request(shop, draft(vendors=["Heat One"]), outdir(tmp_path))
    with shop.session() as s:
        detail = disclosures.details(s, sent.bundles[0].disclosure_id)
    assert ("quote request", sent.request_id, ["subject", "text", "constraints"]) in detail.records
    with pytest.raises(ValidationError, match="Request quotes"):
        disclosures.reexport(shop, sent.bundles[0].disclosure_id, tmp_path / "again.vrmshare")
    assert not (tmp_path / "again.vrmshare").exists()

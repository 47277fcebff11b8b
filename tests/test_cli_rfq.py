"""``vrmdesk rfq …`` and ``share reply --quote`` through the real main: the whole round trip."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from vrmshare.verify import verify_bundle

from vrmdesk import cli
from vrmdesk.store import keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.services import settings as vault_settings
from vrmdesk.store.vault import Vault

LATER = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "v"
    vault, _ = Vault.create(folder, "pw", kdf=keys.fast_params_for_tests())
    with vault, vault.session() as s:
        for name in ("Heat One", "Boiler Bros", "Third Party"):
            records.create(s, m.Vendor, name=name)
        records.create(s, m.Asset, name="Old boiler", model="B-1990", location="Cellar")
        vault_settings.set_sender_name(s, "Alex Example")
    monkeypatch.setenv(cli.PASSPHRASE_ENV, "pw")
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def new_request(capsys, folder: Path, out_dir: Path, *extra: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    out_dir.mkdir(exist_ok=True)
    return run(
        capsys, "rfq", "new", "--vault", str(folder), "--vendor", "Heat One",
        "--vendor", "boiler bros", "--subject", "New gas boiler", "--text", "Replace my boiler.",
        "--constraint", "Installed before winter", "--budget", "4000", "--currency", "EUR",
        "--wanted-by", LATER, "--thing", "1", "--retention-days", "30",
        "--out-dir", str(out_dir), *extra,
    )  # fmt: skip


def quote(capsys, tmp_path: Path, bundle: str, who: str, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    key = tmp_path / f"{who}.jwk"
    if not key.exists():
        assert run(capsys, "share", "keygen", "--out", str(key))[0] == 0
    return run(
        capsys, "share", "reply", "--signing-key", str(key), "--in-reply-to", bundle,
        "--out", str(tmp_path / f"{who}-reply.vrmshare"), *argv,
    )  # fmt: skip


def test_round_trip_new_reply_import_show_accept(folder, tmp_path, capsys):  # type: ignore[no-untyped-def]
    code, out, err = new_request(capsys, folder, tmp_path / "out")
    assert code == 0, err
    lines = [line.split("\t") for line in out.splitlines() if "\t" in line]
    assert [name for name, _ in lines] == ["Heat One", "Boiler Bros"]
    paths = dict(lines)
    # each bundle: purpose quote_request, the same request record, the thing, the terms
    bundles = {name: verify_bundle(Path(p)) for name, p in paths.items()}
    requests = []
    for verified in bundles.values():
        assert verified.purpose == "quote_request"
        terms = verified.manifest["terms"]
        assert terms == {
            "allowed_use": "this_request_only",
            "marketing": False,
            "retention_days": 30,
            "third_parties": False,
        }
        (request,) = [r for r in verified.records if r["@type"] == "vrm:QuoteRequest"]
        requests.append(request)
        assert [r for r in verified.records if r["@type"] == "Product"]
    assert requests[0] == requests[1]
    assert requests[0]["subject"] == "New gas boiler"
    assert requests[0]["budget"] == {
        "@type": "MonetaryAmount",
        "value": "4000.00",
        "currency": "EUR",
    }
    assert (
        requests[0]["constraints"] == ["Installed before winter"]
        and requests[0]["wantedBy"] == LATER
    )
    with Vault.open(folder, "pw") as vault, vault.session() as s:
        logged = s.scalars(select(m.Disclosure)).all()
        assert sorted(d.vendor_name for d in logged) == ["Boiler Bros", "Heat One"]
        assert {d.purpose for d in logged} == {"quote_request"}

    code, out, err = quote(
        capsys, tmp_path, paths["Heat One"], "heat", "--quote", "3,850.00", "--currency", "eur",
        "--valid-until", LATER, "--message", "Includes removal of the old one.",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = quote(
        capsys, tmp_path, paths["Boiler Bros"], "bros", "--quote", "3600", "--currency", "EUR",
        "--valid-until", LATER,
    )  # fmt: skip
    assert code == 0, err
    for who in ("heat", "bros"):
        code, out, err = run(
            capsys, "share", "import", "--vault", str(folder), "--yes",
            str(tmp_path / f"{who}-reply.vrmshare"),
        )  # fmt: skip
        assert code == 0, err
        assert "1 quote" in out

    code, out, err = run(capsys, "rfq", "show", "1", "--json", "--vault", str(folder))
    assert code == 0, err
    shown = json.loads(out)
    assert [(q["vendor"], q["price"], q["currency"]) for q in shown["quotes"]] == [
        ("Boiler Bros", "3600.00", "EUR"),
        ("Heat One", "3850.00", "EUR"),
    ]
    for q in shown["quotes"]:
        assert q["valid_until"] == LATER and q["expired"] is False
        assert q["response_days"] is not None and "open_tickets" in q["health"]
    assert shown["quotes"][1]["message"] == "Includes removal of the old one."
    code, out, _ = run(capsys, "rfq", "show", "1", "--vault", str(folder))
    assert "3,600.00 EUR" in out and "Boiler Bros" in out
    code, out, _ = run(capsys, "rfq", "list", "--json", "--vault", str(folder))
    (row,) = json.loads(out)
    assert row["state"] == "open" and row["vendors"] == 2 and row["quotes"] == 2

    code, out, err = run(
        capsys, "rfq", "accept", "1", "--vendor", "Heat One", "--vault", str(folder)
    )
    assert code == 0, err
    assert "Accepted the quote of Heat One" in out
    assert "--- To Boiler Bros" in out and "another offer" in out
    code, out, _ = run(capsys, "rfq", "list", "--json", "--vault", str(folder))
    (row,) = json.loads(out)
    assert row["state"] == "decided" and row["accepted"] == "Heat One"
    with Vault.open(folder, "pw") as vault, vault.session() as s:
        for name, subject in (
            ("Heat One", "Quote accepted: New gas boiler"),
            ("Boiler Bros", "Quote request decided (another offer chosen): New gas boiler"),
        ):
            vendor = records.find_vendor(s, name)
            subjects = s.scalars(
                select(m.Interaction.subject).where(m.Interaction.vendor_id == vendor.id)
            ).all()
            assert subject in subjects
            assert "Request for a quote: New gas boiler" in subjects
            assert "Quote for New gas boiler" in subjects
    code, out, err = run(
        capsys, "rfq", "accept", "1", "--vendor", "Boiler Bros", "--vault", str(folder)
    )
    assert code == 1 and "decided already" in err
    code, out, _ = run(capsys, "rfq", "letters", "1", "--vault", str(folder))
    assert "To Boiler Bros" in out and "To Heat One" not in out


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--quote", "0", "--currency", "EUR", "--valid-until", LATER], "not a positive price"),
        (["--quote", "-5", "--currency", "EUR", "--valid-until", LATER], "not a positive price"),
        (["--quote", "abc", "--currency", "EUR", "--valid-until", LATER], "not a positive price"),
        (["--quote", "10", "--currency", "EURO", "--valid-until", LATER], "three-letter"),
        (["--quote", "10", "--currency", "E1R", "--valid-until", LATER], "three-letter"),
        (["--quote", "10", "--currency", "EUR", "--valid-until", "31.12.2030"], "YYYY-MM-DD"),
        (["--quote", "10", "--currency", "EUR", "--valid-until", "2030-02-30"], "YYYY-MM-DD"),
        (["--quote", "10", "--currency", "EUR", "--valid-until", "2020-01-01"], "in the past"),
        (["--quote", "10", "--valid-until", LATER], "needs --currency"),
        (["--quote", "10", "--currency", "EUR"], "needs --currency"),
        (["--currency", "EUR", "--message", "hi"], "go with --quote"),
    ],
)
def test_reply_side_refusals(folder, tmp_path, capsys, argv, reason):  # type: ignore[no-untyped-def]
    code, out, err = new_request(capsys, folder, tmp_path / "out")
    assert code == 0, err
    bundle = out.splitlines()[0].split("\t")[1]
    code, _, err = quote(capsys, tmp_path, bundle, "v", *argv)
    assert code == 1 and reason in err, err
    assert not (tmp_path / "v-reply.vrmshare").exists()


def test_a_quote_on_a_bundle_that_is_no_quote_request_is_refused(folder, tmp_path, capsys):  # type: ignore[no-untyped-def]
    out = tmp_path / "x.vrmshare"
    code, _, err = run(
        capsys, "share", "export", "--vault", str(folder), "--vendor", "Heat One",
        "--asset", "1", "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    code, _, err = quote(
        capsys,
        tmp_path,
        str(out),
        "v",
        "--quote",
        "10",
        "--currency",
        "EUR",
        "--valid-until",
        LATER,
    )
    assert code == 1 and "answers a quote request" in err


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--vendor", "Nobody Inc"], "no vendor 'Nobody Inc'"),
        ([], "at least one vendor"),
        (["--vendor", "Heat One", "--subject", "  "], "subject"),
        (["--vendor", "Heat One", "--budget", "100"], "currency"),
        (["--vendor", "Heat One", "--budget", "100", "--currency", "EU"], "three-letter"),
        (["--vendor", "Heat One", "--wanted-by", "2020-01-01"], "in the past"),
        (["--vendor", "Heat One", "--thing", "99"], "no thing with id 99"),
    ],
)
def test_rfq_new_refusals_write_and_record_nothing(folder, tmp_path, capsys, argv, reason):  # type: ignore[no-untyped-def]
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    base = ["rfq", "new", "--vault", str(folder), "--out-dir", str(out_dir)]
    if "--subject" not in argv:
        base += ["--subject", "A quote please"]
    code, _, err = run(capsys, *base, *argv)
    assert code == 1 and reason in err, err
    assert "Traceback" not in err
    assert list(out_dir.iterdir()) == []
    with Vault.open(folder, "pw") as vault, vault.session() as s:
        assert s.scalars(select(m.QuoteRequest)).all() == []
        assert s.scalars(select(m.Disclosure)).all() == []


def test_encrypt_to_each_needs_every_vendors_age_key(folder, tmp_path, capsys):  # type: ignore[no-untyped-def]
    from pyrage import x25519

    code, _, err = new_request(capsys, folder, tmp_path / "out", "--encrypt-to-each")
    assert code == 1 and "No age recipient to encrypt to for Heat One, Boiler Bros" in err
    with Vault.open(folder, "pw") as vault, vault.session() as s:
        for name in ("Heat One", "Boiler Bros"):
            vendor = records.find_vendor(s, name)
            vendor.age_recipient = str(x25519.Identity.generate().to_public())
    code, _, err = new_request(capsys, folder, tmp_path / "out", "--encrypt-to-each")
    assert code == 0, err
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == [
        "boiler-bros-quote-request-1.vrmshare.age",
        "heat-one-quote-request-1.vrmshare.age",
    ]

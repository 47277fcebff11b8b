"""``vrmdesk request new / list / extend / answered / reminder / complaint``: the contract."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from vrmdesk import cli
from vrmdesk.store import keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "v"
    vault, _ = Vault.create(folder, "pw", kdf=keys.fast_params_for_tests())
    with vault, vault.session() as s:
        acme = records.create(s, m.Vendor, name="Acme")
        records.create(s, m.Channel, vendor_id=acme.id, channel="email", value="dpo@acme.test")
        records.create(s, m.Account, vendor_id=acme.id, label="Customer", number="C-1")
        records.create(s, m.Vendor, name="Nowhere")
    monkeypatch.setenv(cli.PASSPHRASE_ENV, "pw")
    return folder


def run(capsys, folder: Path, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["request", *argv, "--vault", str(folder)])
    out, err = capsys.readouterr()
    return code, out, err


def test_new_list_extend_answered(folder, capsys):
    sent = date.today() - timedelta(days=3)
    code, out, err = run(
        capsys, folder, "new", "--vendor", "acme", "--right", "access", "--law", "gdpr",
        "--sent", sent.isoformat(),
    )  # fmt: skip
    assert code == 0, err
    assert "Article 15" in out and "- Customer: C-1" in out and "dpo@acme.test" in out
    assert "Recorded rights request 1, due" in out
    code, out, _ = run(capsys, folder, "list", "--json")
    (row,) = json.loads(out)
    assert row["vendor"] == "Acme" and row["state"] == "waiting" and row["extended_due"] is None
    assert row["due"] and row["sent"] == sent.isoformat()
    code, out, _ = run(capsys, folder, "extend", "1")
    assert code == 0 and "extended: due" in out
    code, out, _ = run(capsys, folder, "list", "--json")
    (row,) = json.loads(out)
    assert row["state"] == "extended" and row["extended_due"] > row["due"]
    code, out, _ = run(capsys, folder, "list")
    assert "Acme" in out and "extended" in out
    code, out, _ = run(capsys, folder, "answered", "1")
    assert code == 0
    code, out, _ = run(capsys, folder, "list", "--json")
    assert json.loads(out)[0]["state"] == "answered"


def test_letter_out_as_text_and_as_pdf(folder, tmp_path, capsys):
    text_file, pdf_file = tmp_path / "letter.txt", tmp_path / "letter.pdf"
    code, out, err = run(
        capsys, folder, "new", "--vendor", "Acme", "--right", "erasure", "--law", "ccpa",
        "--letter-out", str(text_file),
    )  # fmt: skip
    assert code == 0, err
    assert "letter written to" in out
    assert "1798.105" in text_file.read_text("utf-8")
    code, _, err = run(
        capsys, folder, "new", "--vendor", "Acme", "--right", "portability", "--law", "uk-gdpr",
        "--letter-out", str(pdf_file),
    )  # fmt: skip
    assert code == 0, err
    assert pdf_file.read_bytes().startswith(b"%PDF-")


def test_no_known_address_prints_what_is_missing_and_records_nothing(folder, capsys):
    code, out, err = run(
        capsys, folder, "new", "--vendor", "Nowhere", "--right", "access", "--law", "gdpr"
    )
    assert code == 1
    assert "an address for Nowhere" in out
    assert err.count("\n") == 1 and "Nothing was recorded as sent" in err
    code, out, _ = run(capsys, folder, "list", "--json")
    assert json.loads(out) == []


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("new", "--vendor", "Acme", "--right", "restriction", "--law", "ccpa"), "no right to"),
        (("new", "--vendor", "Nobody", "--right", "access", "--law", "gdpr"), "no vendor"),
        (("extend", "7"), "There is no rights request 7"),
        (("answered", "7"), "There is no rights request 7"),
        (("reminder", "7"), "There is no rights request 7"),
    ],
)
def test_refusals_are_one_line_with_status_1(folder, capsys, argv, says):
    code, _, err = run(capsys, folder, *argv)
    assert code == 1 and says in err and err.count("\n") == 1 and "Traceback" not in err


def test_an_extension_after_the_first_period_is_refused_with_the_reason(folder, capsys):
    sent = date.today() - timedelta(days=60)
    code, _, err = run(
        capsys, folder, "new", "--vendor", "Acme", "--right", "access", "--law", "gdpr",
        "--sent", sent.isoformat(),
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(capsys, folder, "extend", "1")
    assert code == 1 and "after the first period ended on" in err
    code, out, _ = run(capsys, folder, "list", "--json")
    assert json.loads(out)[0]["state"] == "overdue"
    code, out, _ = run(capsys, folder, "reminder", "1")
    assert code == 0 and "I have had no answer" in out
    code, out, _ = run(capsys, folder, "complaint", "1")
    assert code == 0 and "Acme did not answer" in out


@pytest.mark.parametrize(
    "argv",
    [
        ("new", "--vendor", "Acme", "--right", "forget", "--law", "gdpr"),
        ("new", "--vendor", "Acme", "--right", "access", "--law", "swiss"),
        ("new", "--vendor", "Acme", "--right", "access", "--law", "gdpr", "--sent", "31/01/2027"),
        ("extend", "zero"),
        ("list", "--yaml"),
    ],
)
def test_usage_errors_exit_2(folder, capsys, argv):
    with pytest.raises(SystemExit) as exit_:
        run(capsys, folder, *argv)
    assert exit_.value.code == 2
    assert "usage:" in capsys.readouterr().err


# -- rectification with the corrected records as a signed bundle -----------------------------------
@pytest.fixture
def registered(folder: Path) -> Path:
    """Acme holds a registration of my kettle; the kettle also has a warranty and a price."""
    vault = Vault.open(folder, "pw")
    with vault, vault.session() as s:
        acme = records.find_vendor(s, "Acme")
        kettle = records.create(
            s, m.Asset, name="Kettle", price_minor=4999, currency="EUR", location="Kitchen"
        )
        records.create(
            s, m.Registration, asset_id=kettle.id, vendor_id=acme.id,
            registered_on=date(2025, 5, 1), registration_ref="R-7",
        )  # fmt: skip
        records.create(
            s, m.Warranty, asset_id=kettle.id, starts_on=date(2025, 5, 1),
            end_date=date(2027, 5, 1), title="Maker's",
        )  # fmt: skip
        records.create(s, m.Asset, name="Lamp")  # not registered with Acme: not sent
    return folder


def test_rectification_sends_the_corrected_records_as_a_signed_bundle(registered, tmp_path, capsys):
    from vrmshare.verify import verify_bundle

    bundle = tmp_path / "corrections"
    code, out, err = run(
        capsys, registered, "new", "--vendor", "Acme", "--right", "rectification",
        "--law", "gdpr", "--corrections-out", str(bundle), "--sender-name", "Robin",
    )  # fmt: skip
    assert code == 0, err
    written = tmp_path / "corrections.vrmshare"
    assert "Wrote the corrected records to" in out and written.is_file()
    verified = verify_bundle(written)
    assert verified.purpose == "rights_request"
    assert verified.manifest["terms"]["retention_days"] == 0
    types = sorted(r["@type"] for r in verified.records)
    assert types == ["Organization", "Product", "vrm:ProductRegistration"], types
    (thing,) = (r for r in verified.records if r["@type"] == "Product")
    assert thing["name"] == "Kettle" and "offers" not in thing and "vrm:location" not in thing
    assert verified.manifest["files"] == [] or all(
        f["path"] == "index.html" for f in verified.manifest["files"]
    )
    # the letter names the file and the key that signed it
    flat = " ".join(out.split())
    assert "the enclosed file corrections.vrmshare" in flat
    assert verified.fingerprint in flat
    # the ticket says which bundle went with it; the bundle is in the disclosure log
    vault = Vault.open(registered, "pw", readonly=True)
    with vault, vault.session() as s:
        disclosure = s.scalars(select(m.Disclosure)).one()
        assert disclosure.bundle_id == verified.bundle_id
        ticket = s.scalars(select(m.Ticket)).one()
        assert verified.bundle_id in ticket.notes


def test_corrections_go_with_a_rectification_only(registered, tmp_path, capsys):
    code, _, err = run(
        capsys, registered, "new", "--vendor", "Acme", "--right", "erasure", "--law", "gdpr",
        "--corrections-out", str(tmp_path / "x.vrmshare"),
    )  # fmt: skip
    assert code == 1 and "rectification only" in err
    assert not (tmp_path / "x.vrmshare").exists()
    code, out, _ = run(capsys, registered, "list", "--json")
    assert json.loads(out) == []


def test_no_address_no_corrections_written(registered, tmp_path, capsys):
    code, _, err = run(
        capsys, registered, "new", "--vendor", "Nowhere", "--right", "rectification",
        "--law", "uk-gdpr", "--corrections-out", str(tmp_path / "x.vrmshare"),
        "--sender-name", "Robin",
    )  # fmt: skip
    assert code == 1 and "Nothing was recorded as sent" in err
    assert not (tmp_path / "x.vrmshare").exists()

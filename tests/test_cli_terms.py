"""``vrmdesk terms …`` and ``vrmdesk share reply --accept-terms …``: the contract, end to end."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from vrmdesk import cli
from vrmdesk.share import export
from vrmdesk.store import keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "v"
    vault, _ = Vault.create(folder, "pw", kdf=keys.fast_params_for_tests())
    with vault, vault.session() as s:
        export.set_sender_name(s, "Alex Customer")
        acme = records.create(s, m.Vendor, name="Acme", max_offers_per_year=1)
        for days in (3, 2, 1):
            records.create(
                s,
                m.Offer,
                vendor_id=acme.id,
                received_at=datetime.now() - timedelta(days=days),
                channel=m.InteractionChannel.EMAIL,
                content="Sale!",
            )
        records.create(s, m.Vendor, name="Quiet")
    monkeypatch.setenv(cli.PASSPHRASE_ENV, "pw")
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def mine(capsys, folder: Path, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    return run(capsys, *argv, "--vault", str(folder))


@pytest.fixture
def key(tmp_path: Path, capsys) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "acme.jwk"
    assert run(capsys, "share", "keygen", "--out", str(path))[0] == 0
    return path


def proffer(capsys, folder: Path, tmp_path: Path, agreement: str = "SD-BASE") -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path / f"acme-{agreement}.vrmshare"
    code, text, err = mine(
        capsys, folder, "terms", "proffer", "--vendor", "acme", "--agreement", agreement,
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    assert f"Proffered {agreement}" in text and f"Wrote {out}" in text
    return out


def reply(capsys, key: Path, bundle: Path, out: Path, *flags: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    return run(
        capsys, "share", "reply", "--signing-key", str(key), "--in-reply-to", str(bundle),
        "--out", str(out), *flags,
    )  # fmt: skip


def test_roster_needs_no_vault(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "terms", "roster", "--json")
    assert code == 0
    ids = {a["id"]: a for a in json.loads(out)}
    assert {"SD-BASE", "P2B1"} <= set(ids) and ids["P2B1"]["title"] == "#NoStalking"
    code, out, _ = run(capsys, "terms", "roster")
    assert "SD-BASE version 1: Service delivery only" in out


def test_round_trip_proffer_accept_import_then_every_export_carries_it(  # type: ignore[no-untyped-def]
    folder: Path, tmp_path: Path, key: Path, capsys
) -> None:
    bundle = proffer(capsys, folder, tmp_path)
    code, out, _ = run(capsys, "share", "verify", str(bundle), "--json")
    assert code == 0 and json.loads(out)["purpose"] == "terms_proffer"
    answer = tmp_path / "answer.vrmshare"
    code, out, err = reply(capsys, key, bundle, answer, "--accept-terms")
    assert code == 0, err
    code, out, err = mine(capsys, folder, "share", "import", str(answer), "--yes")
    assert code == 0, err
    assert "1 terms answer" in out
    code, out, _ = mine(capsys, folder, "terms", "list", "--json")
    (row,) = json.loads(out)
    assert row["vendor"] == "Acme" and row["agreement"] == "SD-BASE"
    assert row["state"] == "accepted" and row["answered"] and row["answer_bundle_id"]
    # a later bundle of any purpose to that vendor carries the agreement in its terms
    later = tmp_path / "later.vrmshare"
    code, _, err = mine(
        capsys, folder, "share", "export", "--vendor", "acme", "--out", str(later),
        "--purpose", "support_case",
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run(capsys, "share", "verify", str(later), "--json")
    assert json.loads(out)["terms"]["agreement"]["id"] == "SD-BASE"
    code, out, _ = run(capsys, "share", "verify", str(later))
    assert "Agreement:   SD-BASE version 1 (Service delivery only)" in out
    opened = tmp_path / "opened"
    assert run(capsys, "share", "open", str(later), "--out", str(opened))[0] == 0
    page = (opened / "index.html").read_text("utf-8")
    assert "Agreement in force" in page and "SD-BASE version 1" in page
    # both bundles' hashes are in the disclosure log and the import log
    with Vault.open(folder, "pw") as vault, vault.session() as s:
        assert {d.purpose for d in s.query(m.Disclosure)} == {"terms_proffer", "support_case"}
        assert s.query(m.ImportedBundle).one().bundle_sha256
    # a vendor with no agreement gets none
    quiet = tmp_path / "quiet.vrmshare"
    assert mine(capsys, folder, "share", "export", "--vendor", "quiet", "--out", str(quiet))[0] == 0
    code, out, _ = run(capsys, "share", "verify", str(quiet), "--json")
    assert "agreement" not in json.loads(out)["terms"]


def test_offer_another_and_decline(folder: Path, tmp_path: Path, key: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bundle = proffer(capsys, folder, tmp_path)
    answer = tmp_path / "other.vrmshare"
    assert reply(capsys, key, bundle, answer, "--offer-terms", "P2B1")[0] == 0
    assert mine(capsys, folder, "share", "import", str(answer), "--yes")[0] == 0
    _, out, _ = mine(capsys, folder, "terms", "list")
    assert "alternative_offered" in out and "P2B1" in out
    bundle = proffer(capsys, folder, tmp_path, "P2B1")
    answer = tmp_path / "no.vrmshare"
    assert reply(capsys, key, bundle, answer, "--decline-terms")[0] == 0
    assert mine(capsys, folder, "share", "import", str(answer), "--yes")[0] == 0
    _, out, _ = mine(capsys, folder, "terms", "list", "--json")
    assert [(r["agreement"], r["state"]) for r in json.loads(out)] == [
        ("P2B1", "declined"),
        ("SD-BASE", "withdrawn"),
    ]


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--offer-terms", "ACME-1"], "'ACME-1' is not an agreement on the MyTerms roster"),
        (["--accept-terms", "--decline-terms"], "not two"),
        (["--decline-terms", "--offer-terms", "P2B1"], "not two"),
        (["--offer-terms", "SD-BASE"], "is the agreement proffered"),
    ],
)
def test_reply_refusals_are_one_line(  # type: ignore[no-untyped-def]
    folder: Path, tmp_path: Path, key: Path, capsys, flags: list[str], says: str
) -> None:
    bundle = proffer(capsys, folder, tmp_path)
    out = tmp_path / "r.vrmshare"
    code, _, err = reply(capsys, key, bundle, out, *flags)
    assert code == 1 and says in err and err.count("\n") == 1 and not out.exists()


def test_accepting_terms_never_proffered_is_refused(  # type: ignore[no-untyped-def]
    folder: Path, tmp_path: Path, key: Path, capsys
) -> None:
    plain = tmp_path / "plain.vrmshare"
    assert mine(capsys, folder, "share", "export", "--vendor", "acme", "--out", str(plain))[0] == 0
    out = tmp_path / "r.vrmshare"
    code, _, err = reply(capsys, key, plain, out, "--accept-terms")
    assert code == 1 and "proffers no terms" in err and not out.exists()


def test_withdraw_then_the_answer_arrives(  # type: ignore[no-untyped-def]
    folder: Path, tmp_path: Path, key: Path, capsys
) -> None:
    bundle = proffer(capsys, folder, tmp_path)
    code, out, _ = mine(capsys, folder, "terms", "withdraw", "--vendor", "acme")
    assert code == 0 and "Withdrew SD-BASE (Service delivery only) from Acme." in out
    code, _, err = mine(capsys, folder, "terms", "withdraw", "--vendor", "acme")
    assert code == 1 and "no terms in play with Acme" in err
    answer = tmp_path / "late.vrmshare"
    assert reply(capsys, key, bundle, answer, "--accept-terms")[0] == 0
    assert mine(capsys, folder, "share", "import", str(answer), "--yes")[0] == 0
    code, out, _ = mine(capsys, folder, "terms", "list", "--json")
    (row,) = json.loads(out)
    assert row["state"] == "withdrawn" and row["answer_bundle_id"]


def test_proffer_refusals(folder: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "x.vrmshare"
    code, _, err = mine(
        capsys, folder, "terms", "proffer", "--vendor", "Nobody", "--agreement", "SD-BASE",
        "--out", str(out),
    )  # fmt: skip
    assert code == 1 and "There is no vendor 'Nobody'" in err
    code, _, err = mine(
        capsys, folder, "terms", "proffer", "--vendor", "acme", "--agreement", "MINE",
        "--out", str(out),
    )  # fmt: skip
    assert code == 1 and "not an agreement on the MyTerms roster" in err
    assert not out.exists()
    code, out_text, _ = mine(capsys, folder, "terms", "list")
    assert out_text.strip() == "No terms proffered."


def test_propose_lists_vendors_over_policy_with_the_drafted_message(  # type: ignore[no-untyped-def]
    folder: Path, tmp_path: Path, key: Path, capsys
) -> None:
    _code, out, _ = mine(capsys, folder, "terms", "propose", "--json")
    (proposal,) = json.loads(out)
    assert proposal["vendor"] == "Acme" and proposal["agreement"] == "P2B1"
    assert "Dear Acme" in proposal["message"] and "3 offers" in proposal["reason"]
    _, out, _ = mine(capsys, folder, "terms", "propose")
    assert "vrmdesk terms proffer --vendor 'Acme' --agreement P2B1" in out
    # once an agreement is in force the vendor is no longer proposed
    bundle = proffer(capsys, folder, tmp_path, "P2B1")
    answer = tmp_path / "yes.vrmshare"
    assert reply(capsys, key, bundle, answer, "--accept-terms")[0] == 0
    assert mine(capsys, folder, "share", "import", str(answer), "--yes")[0] == 0
    _, out, _ = mine(capsys, folder, "terms", "propose", "--json")
    assert json.loads(out) == []


@pytest.mark.parametrize(
    "command",
    [
        ("terms", "proffer", "--vendor", "Quiet", "--agreement", "P2B1"),
        ("share", "export", "--vendor", "Quiet"),
    ],
)
def test_encrypting_to_a_vendor_without_an_age_key_is_refused_and_writes_nothing(
    capsys, folder: Path, tmp_path: Path, command: tuple[str, ...]
):
    out = tmp_path / "out.vrmshare"
    code, _, err = mine(capsys, folder, *command, "--encrypt", "--out", str(out))
    assert code == 1 and "Quiet has no age recipient on record" in err
    assert not list(tmp_path.glob("out*"))

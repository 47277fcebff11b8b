"""``vrmdesk import csv`` and ``vrmdesk export csv``: the contract other tools rely on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vrmdesk import cli
from vrmdesk.store import keys
from vrmdesk.store.vault import Vault

FIXTURES = Path(__file__).parent / "fixtures" / "csv"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    Vault.create(tmp_path / "v", "pw", kdf=keys.fast_params_for_tests())[0].close()
    monkeypatch.setenv(cli.PASSPHRASE_ENV, "pw")
    return tmp_path / "v"


def run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_prints_the_json_the_contract_names_and_is_idempotent(folder, capsys):
    args = (
        "import",
        "csv",
        str(FIXTURES / "homebox.csv"),
        "--kind",
        "assets",
        "--json",
        "--vault",
        str(folder),
    )
    code, out, _ = run(capsys, *args)
    first = json.loads(out)
    assert code == 0 and {k: first[k] for k in ("created", "updated", "unchanged", "problems")} == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "problems": [],
    }
    code, out, _ = run(capsys, *args)
    assert code == 0 and json.loads(out)["unchanged"] == 4 and json.loads(out)["created"] == 0


def test_problems_stop_the_import_with_exit_1_and_name_line_column_and_reason(
    folder, capsys, tmp_path
):
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,purchase_date\nLamp,2024-01-01\nChair,31/02/2024\n")
    code, out, err = run(
        capsys, "import", "csv", str(bad), "--kind", "assets", "--vault", str(folder)
    )
    assert code == 1 and "line 3, purchase_date: '31/02/2024' is not a date" in out
    assert err.startswith("vrmdesk: Nothing was imported") and err.count("\n") == 1
    code, out, _ = run(
        capsys, "import", "csv", str(bad), "--kind", "assets", "--json", "--vault", str(folder)
    )
    assert code == 1 and json.loads(out)["problems"] == [
        {"line": 3, "column": "purchase_date", "reason": "'31/02/2024' is not a date"}
    ]
    code, out, _ = run(
        capsys,
        "import",
        "csv",
        str(bad),
        "--kind",
        "assets",
        "--skip-bad-rows",
        "--vault",
        str(folder),
    )
    assert code == 0 and "1 created" in out


def test_a_dry_run_exits_0_when_it_would_import_and_writes_nothing(folder, capsys):
    code, out, _ = run(
        capsys,
        "import",
        "csv",
        str(FIXTURES / "warracker.csv"),
        "--kind",
        "assets",
        "--dry-run",
        "--vault",
        str(folder),
    )
    assert code == 0 and out.strip().endswith(
        "Would import warracker.csv: 3 would be created, "
        "0 would be updated, 0 unchanged, 3 new vendors."
    )
    code, out, _ = run(
        capsys,
        "export",
        "csv",
        "--kind",
        "assets",
        "--out",
        str(folder.parent / "a.csv"),
        "--vault",
        str(folder),
    )
    assert code == 0 and "Wrote 0 records" in out


def test_map_date_format_and_decimal_separator_from_the_command_line(folder, capsys, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Gegenstand;Kaufpreis;Gekauft\nLampe;12,50;03.04.2025\n")
    code, out, err = run(
        capsys,
        "import",
        "csv",
        str(path),
        "--kind",
        "assets",
        "--vault",
        str(folder),
        "--map",
        "Gegenstand=name",
        "--map",
        "Gekauft=purchase_date",
        "--date-format",
        "mdy",
        "--decimal-separator",
        ",",
    )
    assert code == 0, err
    code, out, _ = run(capsys, "list", "assets", "--json", "--vault", str(folder))
    (lamp,) = json.loads(out)
    assert (lamp["name"], lamp["purchase_date"], lamp["price_minor"]) == (
        "Lampe",
        "2025-03-04",
        1250,
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--map", "Nope=name"], "no column 'Nope'"),
        (["--map", "Name=shoe_size"], "not a field of things"),
        (["--map", "Name"], "COLUMN=FIELD"),
        (["--date-format", "tuesday"], "--date-format"),
        (["--preset", "homebox", "--kind", "tickets"], "No column is mapped"),
    ],
)
def test_bad_choices_are_one_line_failures(folder, capsys, argv, message):
    code, _, err = run(
        capsys,
        "import",
        "csv",
        str(FIXTURES / "things-en.csv"),
        "--kind",
        "assets",
        *argv,
        "--vault",
        str(folder),
    )
    assert code == 1 and message in err and err.count("\n") == 1


def test_a_file_that_is_not_a_csv_is_refused_in_one_line(folder, capsys, tmp_path):
    png = tmp_path / "photo.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    code, _, err = run(
        capsys, "import", "csv", str(png), "--kind", "assets", "--vault", str(folder)
    )
    assert code == 1 and "not a CSV file" in err


def test_calendar_writes_an_ics_file(folder, capsys, tmp_path):
    run(
        capsys,
        "import",
        "csv",
        str(FIXTURES / "warracker.csv"),
        "--kind",
        "assets",
        "--vault",
        str(folder),
    )
    out = tmp_path / "deadlines.ics"
    code, text, err = run(
        capsys, "calendar", "--out", str(out), "--warranty-days", "7", "--vault", str(folder)
    )
    assert code == 0, err
    assert "Wrote 3 deadlines" in text and b"TRIGGER:-P7D" in out.read_bytes()


def test_import_and_export_vcard(folder, capsys, tmp_path):
    vcards = Path(__file__).parent / "fixtures" / "vcard"
    code, out, err = run(
        capsys, "import", "vcard", str(vcards / "thunderbird.vcf"), "--vault", str(folder)
    )
    assert code == 0 and "1 created" in out, err
    code, out, err = run(
        capsys, "import", "vcard", str(vcards / "broken-folding.vcf"), "--vault", str(folder)
    )
    assert code == 1 and "cannot be read" in err and err.count("\n") == 1
    target = tmp_path / "out.vcf"
    code, out, err = run(
        capsys,
        "export",
        "vcard",
        "--out",
        str(target),
        "--vendor",
        "Bosch Home Appliances",
        "--vault",
        str(folder),
    )
    assert code == 0 and "Wrote 2 cards" in out and "FN:Anna Schmidt" in target.read_text()

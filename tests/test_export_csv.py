"""CSV export of every kind, and the round trip: exported, imported into an empty vault with no
mapping, exported again, the files are the same."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from vrmdesk.interchange import csv_export, csv_import
from vrmdesk.store import demo, keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault

ROUND_TRIP = ("vendors", "assets", "warranties", "service_events", "tickets", "interactions")


@pytest.fixture
def demo_vault(vault: Vault) -> Vault:
    with vault.session() as s:
        demo.build(s, vault.attachments)
    return vault


def export_all(vault: Vault, folder: Path, kinds: tuple[str, ...] = ROUND_TRIP) -> dict[str, Path]:
    folder.mkdir(exist_ok=True)
    out = {}
    for kind in kinds:
        out[kind] = folder / f"{kind}.csv"
        with vault.session() as s:
            csv_export.export_csv(s, kind, out[kind])
    return out


@pytest.mark.parametrize("kind", csv_export.EXPORT_KINDS)
def test_every_kind_exports_with_a_header_and_one_row_per_record(demo_vault, tmp_path, kind):
    out = tmp_path / f"{kind}.csv"
    with demo_vault.session() as s:
        written = csv_export.export_csv(s, kind, out)
    with out.open(encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    assert len(table) == written + 1 and written > 0
    assert all(len(row) == len(table[0]) for row in table)
    assert not any(h.endswith("_id") or h == "id" for h in table[0])  # names, not ids


def test_an_export_imports_back_into_an_empty_vault_as_the_same_records(demo_vault, tmp_path):
    first = export_all(demo_vault, tmp_path / "first")
    fresh, _ = Vault.create(tmp_path / "fresh", "pw", kdf=keys.fast_params_for_tests())
    with fresh:
        for kind in ROUND_TRIP:
            prepared = csv_import.prepare(first[kind], kind)  # type: ignore[arg-type]
            assert not prepared.undecided, prepared.undecided
            outcome = csv_import.import_csv(fresh, prepared)
            assert outcome.problems == [] and outcome.committed, (kind, outcome.problems[:3])
        second = export_all(fresh, tmp_path / "second")
    for kind in ROUND_TRIP:
        assert second[kind].read_text(encoding="utf-8") == first[kind].read_text(
            encoding="utf-8"
        ), kind


def test_formula_looking_cells_are_written_so_a_spreadsheet_never_runs_them(vault, tmp_path):
    with vault.session() as s:
        acme = records.create(s, m.Vendor, name="Acme")
        records.create(
            s,
            m.Asset,
            name='=HYPERLINK("http://evil.example")',
            maker_id=acme.id,
            notes="@SUM(A1)",
            model="-2+3",
            serial_number="-12.50",
        )
    out = tmp_path / "a.csv"
    with vault.session() as s:
        csv_export.export_csv(s, "assets", out)
    with out.open(encoding="utf-8", newline="") as f:
        header, row = list(csv.reader(f))
    cell = dict(zip(header, row, strict=True))
    assert cell["Name"] == '\'=HYPERLINK("http://evil.example")'
    assert (cell["Notes"], cell["Model"], cell["Serial number"]) == ("'@SUM(A1)", "'-2+3", "-12.50")
    fresh, _ = Vault.create(tmp_path / "fresh", "pw", kdf=keys.fast_params_for_tests())
    with fresh:
        csv_import.import_csv(fresh, csv_import.prepare(out, "assets"))
        with fresh.session() as s:
            (thing,) = s.query(m.Asset).all()
            assert (thing.name, thing.notes, thing.model) == (
                '=HYPERLINK("http://evil.example")',
                "@SUM(A1)",
                "-2+3",
            )


def test_an_export_to_a_folder_that_is_not_there_is_refused_and_leaves_nothing(vault, tmp_path):
    from vrmdesk.errors import StorageError

    with pytest.raises(StorageError, match="does not exist"), vault.session() as s:
        csv_export.export_csv(s, "vendors", tmp_path / "nowhere" / "v.csv")
    with pytest.raises(StorageError, match="is a folder"), vault.session() as s:
        csv_export.export_csv(s, "vendors", tmp_path)
    assert list(tmp_path.iterdir()) == [tmp_path / "v"]

"""The insurer's pack: the inventory PDF (read back with pdftotext), its filters and totals per
currency, the refusals, broken images, 5,000 things in flat memory, the signed bundle and the
command line."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tracemalloc
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from vrmdesk import cli
from vrmdesk.interchange import inventory
from vrmdesk.interchange.inventory import Filters, NothingToList
from vrmdesk.share import export
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault

PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(
    PDFTOTEXT is None and not os.environ.get("VRMDESK_CI"),
    reason="pdftotext (poppler-utils) is not installed; scripts/setup --test installs it",
)


def pdf_text(path: Path) -> str:
    assert PDFTOTEXT is not None, "pdftotext is missing (poppler-utils, scripts/setup --test)"
    done = subprocess.run(
        [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def png(colour: str = "red") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (600, 400), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def house(vault: Vault) -> dict[str, int]:
    """Four things in two rooms and three currencies, one without price, one with a photo."""
    with vault.session() as s:
        bosch = records.create(s, m.Vendor, name="Bosch")
        records.create(s, m.Vendor, name="Acme Insurance")
        tv = records.create(
            s,
            m.Asset,
            name="Television",
            category="Electronics",
            maker_id=bosch.id,
            model="TV-55",
            serial_number="SN-TV-1",
            purchase_date=date(2024, 3, 1),
            price_minor=99900,
            currency="EUR",
            location="Living room",
        )
        records.create(
            s,
            m.Asset,
            name="Sofa",
            category="Furniture",
            price_minor=120000,
            currency="EUR",
            location="Living room",
        )
        records.create(
            s,
            m.Asset,
            name="Laptop",
            category="Electronics",
            price_minor=150000,
            currency="GBP",
            location="Study",
        )
        records.create(s, m.Asset, name="Old lamp", category="Furniture", location="Study")
        records.create(
            s,
            m.Warranty,
            asset_id=tv.id,
            title="Maker's warranty",
            starts_on=date(2024, 3, 1),
            months=24,
        )
        vault.attachments.add(s, tv, io.BytesIO(png()), name="tv.png")
        vault.attachments.add(s, tv, io.BytesIO(b"%PDF-1.4 receipt"), name="receipt.pdf")
        export.set_sender_name(s, "Alex Owner")
        return {"tv": tv.id, "bosch": bosch.id}


@needs_pdftotext
def test_the_report_lists_each_thing_and_the_totals_per_location_and_currency(
    vault: Vault, house: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "inventory.pdf"
    written = inventory.write_pdf(vault, Filters(), out, on=date(2025, 1, 1))
    text = pdf_text(out)
    assert written.things == 4 and written.skipped_images == ()
    for word in ("Television (Electronics)", "Maker: Bosch", "Model: TV-55", "Serial: SN-TV-1"):
        assert word in text
    assert "Bought 2024-03-01" in text and "Price: 999.00 EUR" in text
    assert "Warranty: Maker's warranty: active (ends 2026-03-01)" in text
    assert "Price: unknown" in text  # the lamp
    # per location, each currency apart; overall never adds EUR to GBP
    assert "Living room: 2,199.00 EUR" in text
    assert "Study: 1,500.00 GBP" in text
    assert "Overall: 2,199.00 EUR + 1,500.00 GBP" in text
    assert "Without a price: 1" in text
    assert not list(tmp_path.glob(".*partial"))


@needs_pdftotext
def test_filters_by_location_and_category(
    vault: Vault, house: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "study.pdf"
    written = inventory.write_pdf(vault, Filters(location="study"), out)
    text = pdf_text(out)
    assert written.things == 2 and "Laptop" in text and "Television" not in text
    assert "Overall: 1,500.00 GBP" in text and "EUR" not in text
    written = inventory.write_pdf(vault, Filters(location="Living room", category="Furniture"), out)
    text = pdf_text(out)
    assert written.things == 1 and "Sofa" in text and "Television" not in text
    assert "Overall: 1,200.00 EUR" in text


def test_the_preview_counts_and_totals_without_adding_currencies(
    vault: Vault, house: dict[str, int]
) -> None:
    with vault.session() as s:
        totals = inventory.preview(s, Filters(category="Electronics"))
    assert totals.count == 2
    assert totals.overall == {"EUR": 99900, "GBP": 150000}


def test_no_things_is_refused_and_nothing_is_written(vault: Vault, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "empty.pdf"
    with pytest.raises(NothingToList, match="no things in this vault"):
        inventory.write_pdf(vault, Filters(), out)
    assert not list(out.parent.iterdir())


def test_a_filter_that_selects_nothing_names_what_there_is(
    vault: Vault, house: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "none.pdf"
    with pytest.raises(NothingToList, match="locations: Living room, Study"):
        inventory.write_pdf(vault, Filters(location="Garage"), out)
    assert not out.exists()


@needs_pdftotext
def test_a_broken_or_missing_image_is_skipped_with_a_note(
    vault: Vault, house: dict[str, int], tmp_path: Path
) -> None:
    with vault.session() as s:
        sofa = s.scalar(select(m.Asset).where(m.Asset.name == "Sofa"))
        vault.attachments.add(s, sofa, io.BytesIO(b"not a picture at all"), name="sofa.jpg")
        laptop = s.scalar(select(m.Asset).where(m.Asset.name == "Laptop"))
        gone = vault.attachments.add(s, laptop, io.BytesIO(png("blue")), name="laptop.png")
        gone_path = vault.attachments.path_of(gone.blob_name)
    gone_path.unlink()
    out = tmp_path / "inventory.pdf"
    written = inventory.write_pdf(vault, Filters(), out)
    text = pdf_text(out)
    assert written.things == 4
    assert "sofa.jpg: image skipped (unreadable)" in text
    assert "laptop.png: image skipped (its content is missing)" in text
    assert len(written.skipped_images) == 2
    assert "Overall: 2,199.00 EUR + 1,500.00 GBP" in text


def test_a_cancel_leaves_no_file(vault: Vault, house: dict[str, int], tmp_path: Path) -> None:
    class Stop(Exception):
        pass

    def progress(done: int, total: int) -> None:
        if done == 2:
            raise Stop

    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "inventory.pdf"
    with pytest.raises(Stop):
        inventory.write_pdf(vault, Filters(), out, progress=progress)
    assert not list(out.parent.iterdir())


def _add_things(vault: Vault, count: int, first: int = 0) -> None:
    rows = [
        {
            "name": f"Thing {first + n:05d}",
            "category": "Books",
            "model": f"M-{first + n}",
            "serial_number": f"S-{first + n}",
            "purchase_date": date(2020, 1, 1),
            "price_minor": 1000 + n,
            "currency": "EUR" if n % 2 else "USD",
            "location": f"Shelf {n % 7}",
            "status": m.AssetStatus.IN_USE,
        }
        for n in range(count)
    ]
    with vault.session() as s:
        s.execute(insert(m.Asset), rows)


def _peak(vault: Vault, out: Path) -> tuple[int, inventory.Written]:
    tracemalloc.start()
    try:
        written = inventory.write_pdf(vault, Filters(), out)
        return tracemalloc.get_traced_memory()[1], written
    finally:
        tracemalloc.stop()


def test_five_thousand_things_stream_in_flat_memory(vault: Vault, tmp_path: Path) -> None:
    """Peak memory is counted (tracemalloc), not timed: going from 500 to 5,000 things adds
    only the PDF's own page content, a few hundred bytes a thing, never the records (a first
    run, not counted, loads the modules and fonts)."""
    _add_things(vault, 500)
    _peak(vault, tmp_path / "warm.pdf")  # the first run loads modules and fonts: not counted
    small, _ = _peak(vault, tmp_path / "small.pdf")
    _add_things(vault, 4500, first=500)
    large, written = _peak(vault, tmp_path / "large.pdf")
    assert written.things == 5000 and written.pages > 400
    assert written.totals.count == 5000
    per_thing = (large - small) / 4500
    # ~500 bytes a thing are fpdf2's page content; keeping each thing's record would be ~2 KB
    assert per_thing < 1024, f"{per_thing:.0f} bytes a thing"
    assert large < 16 * 1024 * 1024


def test_the_same_selection_as_a_signed_bundle_with_the_receipts(
    vault: Vault, house: dict[str, int], tmp_path: Path
) -> None:
    from vrmshare import verify

    out = tmp_path / "claim.vrmshare"
    result = inventory.write_bundle(vault, Filters(location="Living room"), "Acme Insurance", out)
    verified = verify.verify_bundle(result.path)
    assert verified.manifest["purpose"] == "insurance_claim"
    paths = " ".join(f["path"] for f in verified.manifest["files"])
    assert "tv.png" in paths and "receipt.pdf" in paths
    kinds = [r.get("@type") for r in verified.manifest["records"]]
    assert kinds.count("Product") == 2  # the television and the sofa, not the study's things
    done = subprocess.run(
        [sys.executable, "-m", "vrmdesk.cli", "share", "verify", str(out)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_a_bundle_for_no_insurer_is_refused(
    vault: Vault, house: dict[str, int], tmp_path: Path
) -> None:
    from vrmdesk.errors import VrmError

    with pytest.raises(VrmError):
        inventory.write_bundle(vault, Filters(), "Nobody Ltd", tmp_path / "x.vrmshare")
    assert not list(tmp_path.glob("*.vrmshare"))


# -- the command line ---------------------------------------------------------------------------
@pytest.fixture
def closed(
    vault: Vault, vault_dir: Path, house: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The ``house`` vault, closed, its passphrase in the environment: the CLI opens it."""
    from vrmdesk.cli.common import PASSPHRASE_ENV

    folder = vault_dir
    vault.close()
    monkeypatch.setenv(PASSPHRASE_ENV, "correct horse")
    return folder


def _run(capsys: pytest.CaptureFixture[str], folder: Path, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["--vault", str(folder), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@needs_pdftotext
def test_the_command_writes_the_pdf_and_the_bundle(
    closed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, bundle = tmp_path / "inv.pdf", tmp_path / "claim.vrmshare"
    code, stdout, err = _run(
        capsys,
        closed,
        "report",
        "inventory",
        "--out",
        str(out),
        "--category",
        "Electronics",
        "--bundle",
        str(bundle),
        "--insurer",
        "Acme Insurance",
    )
    assert code == 0, err
    assert "2 things" in stdout and "Overall: 999.00 EUR + 1,500.00 GBP" in stdout
    assert "signed" in stdout and bundle.exists()
    assert "Overall: 999.00 EUR + 1,500.00 GBP" in pdf_text(out)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("--location", "Garage"), "No thing matches location 'Garage'"),
        (("--category", "Toys"), "categories: Electronics, Furniture"),
        (("--bundle", "x.vrmshare"), "--bundle and --insurer go together"),
        (("--bundle", "x.vrmshare", "--insurer", "Nobody"), "Nobody"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    closed: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
    words: str,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    code, _, err = _run(capsys, closed, "report", "inventory", "--out", "inv.pdf", *argv)
    assert code == 1
    assert err.count("\n") == 1 and words in err and "Traceback" not in err
    assert not list(work.iterdir())  # neither the PDF nor the bundle


def test_a_missing_folder_is_one_line(
    closed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(
        capsys, closed, "report", "inventory", "--out", str(tmp_path / "no" / "inv.pdf")
    )
    assert code == 1 and "does not exist" in err and err.count("\n") == 1


@needs_pdftotext
def test_long_and_non_latin_names_are_shortened_not_a_crash(vault: Vault, tmp_path: Path) -> None:
    with vault.session() as s:
        records.create(
            s,
            m.Asset,
            name="Чайник 電気ケトル",
            model="X" * 200,
            serial_number="S" * 200,
            location="Кухня",
        )
    out = tmp_path / "inventory.pdf"
    written = inventory.write_pdf(vault, Filters(), out)
    text = pdf_text(out)
    assert written.things == 1 and "Model: XXXX" in text and "..." in text
    from vrmdesk.pdffonts import unicode_font_files

    if unicode_font_files() is not None:  # DejaVu Sans installed: the names as written
        assert "Чайник" in text and "Кухня" in text
    assert "X" * 200 not in text

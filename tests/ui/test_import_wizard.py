"""File → Import…: the wizard driven like a person (typing the file's name, choosing in the
combo boxes, clicking Next), checked against what the vault then holds."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QWizard
from sqlalchemy import func, select

from vrmdesk.store import models as m
from vrmdesk.ui.interchange.wizard import ImportWizard

FIXTURES = Path(__file__).parents[1] / "fixtures"
SHOTS = os.environ.get("VRMDESK_SHOTS")  # a folder: save a picture of every page there


def count(controller, cls, **where) -> int:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        query = select(func.count()).select_from(cls).filter_by(**where)
        return int(s.scalar(query) or 0)


def names(controller) -> set[str]:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return set(s.scalars(select(m.Asset.name)))


def open_wizard(qtbot, controller) -> ImportWizard:  # type: ignore[no-untyped-def]
    wizard = ImportWizard(controller)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def type_path(qtbot, wizard: ImportWizard, path: Path) -> None:  # type: ignore[no-untyped-def]
    field = wizard.file_page.path
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, str(path))
    qtbot.waitUntil(lambda: wizard.file_page.problem != "Looking at the file…", timeout=3000)


def choose(qtbot, box: QComboBox, text: str) -> None:  # type: ignore[no-untyped-def]
    """Pick the entry starting with ``text`` the way the keyboard does: focus, then arrows."""
    box.setFocus()
    target = next(i for i in range(box.count()) if box.itemText(i).startswith(text))
    key = Qt.Key.Key_Down if target > box.currentIndex() else Qt.Key.Key_Up
    while box.currentIndex() != target:
        qtbot.keyClick(box, key)


def shot(wizard: ImportWizard, name: str) -> None:
    if SHOTS:
        wizard.grab().save(str(Path(SHOTS) / f"import-{name}.png"))


def next_button(wizard: ImportWizard):  # type: ignore[no-untyped-def]
    return wizard.button(QWizard.WizardButton.NextButton)


def click_next(qtbot, wizard: ImportWizard, *, to: object) -> None:  # type: ignore[no-untyped-def]
    """Click Next (or Import) once it is enabled, and wait for the page ``to`` to be shown."""
    qtbot.waitUntil(next_button(wizard).isEnabled, timeout=10000)
    qtbot.mouseClick(next_button(wizard), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentPage() is to, timeout=15000)


def wait_preview(qtbot, wizard: ImportWizard):  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: wizard.preview is not None, timeout=15000)
    return wizard.preview


def finish(qtbot, wizard: ImportWizard):  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: wizard.run_page.finished, timeout=30000)
    return wizard.imported


def test_a_homebox_export_through_the_wizard(qtbot, controller) -> None:  # type: ignore[no-untyped-def]
    before = count(controller, m.Asset)
    wizard = open_wizard(qtbot, controller)
    assert not next_button(wizard).isEnabled()  # no file yet
    type_path(qtbot, wizard, FIXTURES / "csv" / "homebox.csv")
    page = wizard.file_page
    assert page.preset.currentText() == "HomeBox" and page.kind.currentText() == "Things"
    assert "export of HomeBox" in page.note.text() and "UTF-8" in page.note.text()
    shot(wizard, "file")
    click_next(qtbot, wizard, to=wizard.mapping_page)
    chooser = wizard.mapping_page.choosers
    assert chooser["HB.name"].currentData() == "name"
    assert chooser["HB.manufacturer"].currentData() == "maker"
    assert chooser["HB.quantity"].currentData() == ""  # not something a thing has
    assert wizard.mapping_page.model.rowCount() == 5  # the choosers, and the file's 4 rows
    shot(wizard, "mapping")
    click_next(qtbot, wizard, to=wizard.preview_page)
    preview = wait_preview(qtbot, wizard)
    assert (preview.created, preview.problems) == (4, [])
    assert "4 will be created" in wizard.preview_page.summary.text()
    assert wizard.preview_page.rows_model.rowCount() == 4
    assert not wizard.preview_page.problems_box.isVisibleTo(wizard)
    assert count(controller, m.Asset) == before  # a dry run only
    shot(wizard, "preview")
    assert next_button(wizard).text().replace("&", "") == "Import"
    changed = []
    controller.changed.connect(changed.append)
    click_next(qtbot, wizard, to=wizard.run_page)
    outcome = finish(qtbot, wizard)
    shot(wizard, "done")
    assert outcome.committed and outcome.created == 4
    assert "4 created" in wizard.run_page.summary.text()
    assert count(controller, m.Asset) == before + 4
    assert {"Espresso machine", "Cordless drill", "Old laptop", "Garden hose"} <= names(controller)
    assert changed and "*" in changed[-1]  # the views refresh
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()

    # the same file again: nothing new
    again = open_wizard(qtbot, controller)
    type_path(qtbot, again, FIXTURES / "csv" / "homebox.csv")
    click_next(qtbot, again, to=again.mapping_page)
    click_next(qtbot, again, to=again.preview_page)
    preview = wait_preview(qtbot, again)
    assert (preview.created, preview.unchanged) == (0, 4)
    assert "holds all of it already" in again.preview_page.summary.text()


def test_a_changed_mapping_is_remembered_for_the_next_file_with_that_header(
    qtbot, controller, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    first = tmp_path / "first.csv"
    first.write_text("Stuff,Brand,Where,Bought\nLamp,Ikea,Hall,2024-05-01\n")
    wizard = open_wizard(qtbot, controller)
    type_path(qtbot, wizard, first)
    assert wizard.file_page.preset.currentText() == "None"
    click_next(qtbot, wizard, to=wizard.mapping_page)
    page = wizard.mapping_page
    # guessed from the header names: "Brand" is the maker, "Bought" the purchase date
    assert page.choosers["Brand"].currentData() == "maker"
    assert page.choosers["Bought"].currentData() == "purchase_date"
    assert page.choosers["Stuff"].currentData() == ""  # "Stuff" names no field
    assert not next_button(wizard).isEnabled()  # a thing needs a name
    assert "name" in page.attention.text()
    choose(qtbot, page.choosers["Stuff"], "Name")
    choose(qtbot, page.choosers["Where"], "Location")
    assert next_button(wizard).isEnabled()
    click_next(qtbot, wizard, to=wizard.preview_page)
    assert wait_preview(qtbot, wizard).created == 1
    click_next(qtbot, wizard, to=wizard.run_page)
    assert finish(qtbot, wizard).committed

    second = tmp_path / "second.csv"
    second.write_text("Stuff,Brand,Where,Bought\nShelf,Ikea,Attic,2024-06-01\n")
    again = open_wizard(qtbot, controller)
    type_path(qtbot, again, second)
    click_next(qtbot, again, to=again.mapping_page)
    page = again.mapping_page
    assert page.choosers["Stuff"].currentData() == "name"
    assert page.choosers["Where"].currentData() == "location"
    assert "as the last time" in page.notes.text()
    click_next(qtbot, again, to=again.preview_page)
    click_next(qtbot, again, to=again.run_page)
    assert finish(qtbot, again).created == 1
    with controller.session() as s:
        shelf = s.scalars(select(m.Asset).where(m.Asset.name == "Shelf")).one()
        assert shelf.location == "Attic"


def test_an_ambiguous_date_needs_the_date_order(qtbot, controller, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "dates.csv"
    path.write_text('Name,Purchase date,Price\nLamp,03/04/2025,"1.299,00"\nDesk,05/06/2024,12\n')
    wizard = open_wizard(qtbot, controller)
    type_path(qtbot, wizard, path)
    click_next(qtbot, wizard, to=wizard.mapping_page)
    page = wizard.mapping_page
    assert "choose the date order" in page.attention.text()
    assert page.date_order.styleSheet()  # highlighted
    assert page.decimals.currentData() == ","  # the file says so
    assert not next_button(wizard).isEnabled()
    shot(wizard, "mapping-dates")
    choose(qtbot, page.date_order, "Month-day-year")
    assert page.attention.text() == "" and next_button(wizard).isEnabled()
    click_next(qtbot, wizard, to=wizard.preview_page)
    assert wait_preview(qtbot, wizard).created == 2
    click_next(qtbot, wizard, to=wizard.run_page)
    assert finish(qtbot, wizard).committed
    with controller.session() as s:
        lamp = s.scalars(select(m.Asset).where(m.Asset.name == "Lamp")).one()
        assert str(lamp.purchase_date) == "2025-03-04" and lamp.price_minor == 129900


def test_a_bad_row_is_shown_by_line_and_column_and_imports_only_when_skipped(
    qtbot, controller, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.csv"
    path.write_text("Name,Purchase date\nLamp,2024-05-01\nChair,31/02/2024\nDesk,2024-06-01\n")
    before = count(controller, m.Asset)
    wizard = open_wizard(qtbot, controller)
    type_path(qtbot, wizard, path)
    click_next(qtbot, wizard, to=wizard.mapping_page)
    click_next(qtbot, wizard, to=wizard.preview_page)
    preview = wait_preview(qtbot, wizard)
    page = wizard.preview_page
    problems = page.problems_model
    assert problems.rowCount() == 1
    assert [problems.item(0, c).text() for c in range(3)] == [
        "3",
        "Purchase date",
        "'31/02/2024' is not a date",
    ]
    assert "1 problem" in page.summary.text() and preview.created == 2
    shot(wizard, "problems")
    assert not next_button(wizard).isEnabled()
    box = page.skip
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert page.skip.isChecked() and next_button(wizard).isEnabled()
    click_next(qtbot, wizard, to=wizard.run_page)
    outcome = finish(qtbot, wizard)
    assert outcome.committed and (outcome.created, outcome.skipped) == (2, 1)
    assert count(controller, m.Asset) == before + 2
    assert "Chair" not in names(controller)


def test_cancel_during_the_import_leaves_the_vault_unchanged(
    qtbot, controller, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "big.csv"
    shutil.copy(FIXTURES / "csv" / "things-en.csv", path)
    with path.open("a") as f:
        for i in range(4000):
            f.write(f"Thing {i},Maker {i % 50},,,13/04/2025,1.00,EUR,Hall,Misc\n")
    things, vendors = count(controller, m.Asset), count(controller, m.Vendor)
    wizard = open_wizard(qtbot, controller)
    type_path(qtbot, wizard, path)
    click_next(qtbot, wizard, to=wizard.mapping_page)
    click_next(qtbot, wizard, to=wizard.preview_page)
    assert wait_preview(qtbot, wizard).created == 4002
    click_next(qtbot, wizard, to=wizard.run_page)
    page = wizard.run_page
    qtbot.waitUntil(lambda: page.progress.maximum() > 0, timeout=10000)  # rows are going in
    qtbot.mouseClick(page.cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.finished, timeout=30000)
    assert "cancelled; nothing was imported" in page.summary.text()
    assert wizard.imported is None
    assert (count(controller, m.Asset), count(controller, m.Vendor)) == (things, vendors)


def test_a_picture_named_csv_is_refused_on_the_first_page(
    qtbot, controller, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(200))
    wizard = open_wizard(qtbot, controller)
    type_path(qtbot, wizard, path)
    note = wizard.file_page.note.text()
    assert "This is not a CSV file" in note and "picture" in note
    assert "Traceback" not in note
    assert not next_button(wizard).isEnabled()
    qtbot.keyClick(wizard.file_page.path, Qt.Key.Key_Return)  # Enter does not go on either
    assert wizard.currentPage() is wizard.file_page
    shot(wizard, "refused")


@pytest.mark.parametrize(
    ("name", "encoding", "expect"),
    [
        ("things-de-cp1252.csv", "Automatic", "read as cp1252"),
        ("things-utf16.csv", "Automatic", "UTF-16"),
        ("things-bom.csv", "Automatic", "byte-order mark"),
        ("things-de-cp1252.csv", "Western (cp1252)", "Western (cp1252) (as chosen)"),
    ],
)
def test_encodings_are_told_on_the_first_page(qtbot, controller, name, encoding, expect) -> None:  # type: ignore[no-untyped-def]
    wizard = open_wizard(qtbot, controller)
    if encoding != "Automatic":
        choose(qtbot, wizard.file_page.encoding, encoding)
    type_path(qtbot, wizard, FIXTURES / "csv" / name)
    assert expect in wizard.file_page.note.text()
    click_next(qtbot, wizard, to=wizard.mapping_page)
    headers = wizard.inspection.headers
    assert headers[0] in ("Bezeichnung", "Name")
    if name.endswith("cp1252.csv"):
        assert "Währung" in headers and wizard.mapping_page.decimals.currentData() == ","


def test_an_address_book_skips_the_mapping(qtbot, controller) -> None:  # type: ignore[no-untyped-def]
    vendors = count(controller, m.Vendor)
    wizard = open_wizard(qtbot, controller)
    type_path(qtbot, wizard, FIXTURES / "vcard" / "thunderbird.vcf")
    assert wizard.file_page.kind.currentText().startswith("An address book")
    assert not wizard.file_page.preset.isEnabled()
    click_next(qtbot, wizard, to=wizard.preview_page)
    preview = wait_preview(qtbot, wizard)
    assert preview.created + preview.updated >= 1
    assert not wizard.preview_page.skip.isVisibleTo(wizard)
    click_next(qtbot, wizard, to=wizard.run_page)
    assert finish(qtbot, wizard).committed
    assert count(controller, m.Vendor) >= vendors
    assert "Imported thunderbird.vcf" in wizard.run_page.step.text()


def test_a_broken_address_book_stays_on_the_first_page(qtbot, controller) -> None:  # type: ignore[no-untyped-def]
    wizard = open_wizard(qtbot, controller)
    type_path(qtbot, wizard, FIXTURES / "vcard" / "broken-folding.vcf")
    qtbot.mouseClick(next_button(wizard), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cannot be read" in wizard.file_page.note.text(), timeout=10000)
    assert wizard.currentPage() is wizard.file_page
    assert not next_button(wizard).isEnabled()

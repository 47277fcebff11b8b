"""File → Export: a spreadsheet, the address book and the deadlines, written off the UI thread
to a file the core (and other programs' parsers) read back."""

from __future__ import annotations

import icalendar
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QMessageBox
from sqlalchemy import func, select

from vrmdesk.interchange import csv_import, vcard
from vrmdesk.store import models as m
from vrmdesk.store.services.dashboard import Lead
from vrmdesk.ui.interchange import exports


def retype(qtbot, field: QLineEdit, text: str) -> None:  # type: ignore[no-untyped-def]
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def choose(qtbot, box: QComboBox, text: str) -> None:  # type: ignore[no-untyped-def]
    box.setFocus()
    target = box.findText(text)
    while box.currentIndex() != target:
        qtbot.keyClick(box, Qt.Key.Key_Down if target > box.currentIndex() else Qt.Key.Key_Up)


def run_export(qtbot, controller, dialog: exports.ExportDialog) -> str:  # type: ignore[no-untyped-def]
    """Click Export; the status bar's message when the file is written."""
    with qtbot.waitSignal(controller.status, timeout=15000) as said:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    return str(said.args[0])


def count(controller, cls) -> int:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return int(s.scalar(select(func.count()).select_from(cls)) or 0)


def test_a_spreadsheet_of_things_reads_back_with_no_mapping(qtbot, controller, parent, tmp_path):  # type: ignore[no-untyped-def]
    dialog = exports.export(parent, controller, "csv", Lead())
    qtbot.waitExposed(dialog)
    choose(qtbot, dialog.kinds, "Things")
    assert "things" in dialog.target.edit.text()  # the default name follows the kind
    retype(qtbot, dialog.target.edit, str(tmp_path / "things"))
    said = run_export(qtbot, controller, dialog)
    out = tmp_path / "things.csv"
    assert said == f"Exported {count(controller, m.Asset):,} things to {out}."
    prepared = csv_import.prepare(out, "assets")
    assert prepared.rows == count(controller, m.Asset) and not prepared.undecided
    again = csv_import.import_csv(controller.vault, prepared, dry_run=True)
    assert again.problems == [] and again.created == 0  # the same things, found again


def test_the_address_book_and_the_calendar(qtbot, controller, parent, tmp_path):  # type: ignore[no-untyped-def]
    cards = exports.export(parent, controller, "vcard", Lead())
    retype(qtbot, cards.target.edit, str(tmp_path / "book.vcf"))
    said = run_export(qtbot, controller, cards)
    assert said.startswith("Exported ") and "cards" in said
    read = list(vcard.read_cards(tmp_path / "book.vcf"))
    assert len(read) == int(said.split()[1]) and read[0].organisation

    ics = exports.export(parent, controller, "calendar", Lead(warranty_days=30))
    full = next(b for b in ics.detail_buttons.buttons() if b.property("detail") == "full")
    qtbot.mouseClick(full, Qt.MouseButton.LeftButton, pos=QPoint(8, full.height() // 2))
    assert ics.detail() == "full"
    retype(qtbot, ics.target.edit, str(tmp_path / "deadlines"))
    said = run_export(qtbot, controller, ics)
    parsed = icalendar.Calendar.from_ical((tmp_path / "deadlines.ics").read_bytes())
    events = list(parsed.walk("VEVENT"))
    assert said == f"Exported {len(events)} deadlines to {tmp_path / 'deadlines.ics'}."
    assert events and any("Bosch" in str(e.get("description", "")) for e in events)


def test_a_missing_folder_is_told_before_anything_runs(qtbot, controller, parent, tmp_path):  # type: ignore[no-untyped-def]
    dialog = exports.export(parent, controller, "vcard", Lead())
    retype(qtbot, dialog.target.edit, str(tmp_path / "gone" / "book.vcf"))
    assert not dialog.export_button.isEnabled()
    assert "does not exist" in dialog.target.problem_label.text()
    retype(qtbot, dialog.target.edit, str(tmp_path))
    assert "is a folder" in dialog.target.problem_label.text()


def test_a_failed_export_is_told_plainly(qtbot, controller, parent, tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "usb-stick"
    folder.mkdir()
    dialog = exports.export(parent, controller, "csv", Lead())
    retype(qtbot, dialog.target.edit, str(folder / "x.csv"))
    assert dialog.export_button.isEnabled()
    folder.rmdir()  # unplugged before Export is pressed
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: parent.findChild(QMessageBox) is not None, timeout=10000)
    text = parent.findChild(QMessageBox).text()
    assert text.startswith("Nothing was exported: The folder") and "does not exist" in text
    assert not folder.exists()

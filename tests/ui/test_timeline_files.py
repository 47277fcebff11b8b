"""The vendor's timeline: files on its entries (attached there or by mail capture, a click
previews), a find within it, going to a date, and a new vendor opening at its newest entry."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import mail_corpus as corpus
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QApplication, QFileDialog
from sqlalchemy import event, insert
from ui_helpers import vendor_id

from vrmdesk.mail import capture, sources
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.ui.core import preferences as settings
from vrmdesk.ui.timeline.view import TimelineView
from vrmdesk.ui.vendors.page import VendorsPage

BOSCH = "Bosch Home Appliances"
REPAIR = "Repair request: E24 after every programme"
RECEIPT = "Kassenbon\nDrain pump, 89.00 EUR\n"


@pytest.fixture(autouse=True)
def private_settings(tmp_path, monkeypatch):
    path = str(tmp_path / "timeline-settings.ini")
    monkeypatch.setattr(settings, "qsettings", lambda: QSettings(path, QSettings.Format.IniFormat))


@pytest.fixture
def page(vendors_page):  # type: ignore[no-untyped-def]
    return vendors_page


def show_timeline(page: VendorsPage, vendor: int) -> TimelineView:
    page.show_vendor(vendor)
    page.page.tabs.setCurrentWidget(page.page.timeline)
    return page.page.timeline


def row_of_subject(view: TimelineView, subject: str) -> int:
    return next(r for r in range(view.model.rowCount()) if view.model.entry(r).subject == subject)


def click_file(qtbot, view: TimelineView, row: int, n: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Click the ``n``-th file name drawn on the entry in ``row``."""
    index = view.model.index(row, 0)
    view.list.scrollTo(index)
    rects = view.delegate.file_rects(
        view.list.visualRect(index), view.model.entry(row), QFontMetrics(view.list.font())
    )
    assert len(rects) > n, "the entry draws no file there"
    qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=rects[n][1].center())


def add_interactions(controller, vendor: int, count: int, start: datetime) -> None:
    """``count`` messages a day apart from ``start``; every tenth mentions the boiler."""
    rows = [
        {
            "vendor_id": vendor,
            "occurred_at": start + timedelta(days=n),
            "direction": m.Direction.INBOUND if n % 2 else m.Direction.OUTBOUND,
            "channel": m.InteractionChannel.EMAIL,
            "subject": f"Message {n}",
            "body": f"Text of message {n}" + (" about the boiler." if n % 10 == 0 else "."),
        }
        for n in range(count)
    ]
    with controller.session() as s:
        s.execute(insert(m.Interaction), rows)


# -- files on messages --------------------------------------------------------------------------
def test_a_file_attached_to_a_message_shows_on_its_entry_and_a_click_previews_it(
    page, controller, qtbot, tmp_path: Path, monkeypatch
):
    receipt = tmp_path / "kassenbon.txt"
    receipt.write_text(RECEIPT, encoding="utf-8")
    view = show_timeline(page, vendor_id(controller, BOSCH))
    row = row_of_subject(view, REPAIR)
    assert view.model.entry(row).files == ()
    assert not view.files.isEnabled()  # nothing selected: no files panel to use
    view.list.setCurrentIndex(view.model.index(row, 0))
    assert view.files.isEnabled() and view.files.owner[0] == "interaction"
    assert view.files_title.text() == f"Files of “{REPAIR}”"

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(receipt)], ""))
    qtbot.mouseClick(view.files.add_button, Qt.MouseButton.LeftButton)
    row = row_of_subject(view, REPAIR)
    qtbot.waitUntil(
        lambda: bool(view.model.entry(row_of_subject(view, REPAIR)).files), timeout=10000
    )
    row = row_of_subject(view, REPAIR)
    entry = view.model.entry(row)
    assert [(f.name, f.size) for f in entry.files] == [("kassenbon.txt", len(RECEIPT.encode()))]
    assert view.current_id() == entry.id  # still selected, its panel lists the file
    assert view.files.model.row_at(0).name == "kassenbon.txt"
    tip = view.model.data(view.model.index(row, 0), Qt.ItemDataRole.AccessibleTextRole)
    assert "1 file attached: kassenbon.txt" in tip

    # a click on the file's name on the entry: vrmdesk's own preview
    view.list.clearSelection()
    click_file(qtbot, view, row)
    qtbot.waitUntil(lambda: view.files.preview_dialog is not None, timeout=10000)
    assert view.current_id() == entry.id
    assert view.files.preview_dialog.windowTitle().startswith("kassenbon.txt")
    view.files.preview_dialog.close()


def test_a_file_vrmdesk_cannot_show_opens_in_its_program(
    page, controller, qtbot, tmp_path: Path, monkeypatch
):
    from PySide6.QtGui import QDesktopServices

    data = tmp_path / "fault.bin"
    data.write_bytes(b"\x00\x01 recording of the noise")
    view = show_timeline(page, vendor_id(controller, BOSCH))
    view.list.setCurrentIndex(view.model.index(row_of_subject(view, REPAIR), 0))
    view.files.add_files([data])
    qtbot.waitUntil(
        lambda: bool(view.model.entry(row_of_subject(view, REPAIR)).files), timeout=10000
    )
    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True
    )
    click_file(qtbot, view, row_of_subject(view, REPAIR))
    qtbot.waitUntil(lambda: bool(opened), timeout=10000)
    assert Path(opened[0]).read_bytes() == data.read_bytes()
    assert view.files.preview_dialog is None


def test_files_a_captured_mail_brought_show_on_its_entry(page, controller, qtbot, tmp_path):
    bosch = vendor_id(controller, BOSCH)
    mail = tmp_path / "manual.eml"
    mail.write_bytes(corpus.with_attachment(b"%PDF-1.4 the manual", name="SMS6ZCI49E.pdf"))
    capture.import_messages(controller.vault, sources.messages_of(mail), vendor_id=bosch)
    controller.notify({"interaction", "attachment"})
    view = show_timeline(page, bosch)
    row = row_of_subject(view, "The manual")
    assert [f.name for f in view.model.entry(row).files] == ["SMS6ZCI49E.pdf"]
    view.list.setCurrentIndex(view.model.index(row, 0))
    assert view.files.model.row_at(0).name == "SMS6ZCI49E.pdf"
    assert view.delegate.file_rects(
        view.list.visualRect(view.model.index(row, 0)),
        view.model.entry(row),
        QFontMetrics(view.list.font()),
    )


# -- find within the timeline -------------------------------------------------------------------
def test_find_narrows_the_timeline_as_you_type_and_clearing_brings_it_back(page, controller, qtbot):
    view = show_timeline(page, vendor_id(controller, BOSCH))
    everything = view.model.rowCount()
    qtbot.keyClicks(view.find_edit, "technic")
    qtbot.waitUntil(lambda: view.model.matching == "technic", timeout=10000)
    found = [view.model.entry(r) for r in range(view.model.rowCount())]
    assert 0 < len(found) < everything
    assert all("technic" in (e.subject + e.excerpt).lower() for e in found)
    assert view.status.isVisibleTo(view) and "technic" in view.status.text()
    # with a filter as well
    view.direction.setCurrentIndex(view.direction.findData("inbound"))
    assert all(view.model.entry(r).inbound for r in range(view.model.rowCount()))
    view.direction.setCurrentIndex(0)
    # words nothing has: an empty list that says so
    view.find_edit.clear()
    qtbot.keyClicks(view.find_edit, "zeppelin")
    qtbot.waitUntil(lambda: view.model.matching == "zeppelin", timeout=10000)
    assert view.model.rowCount() == 0 and view.empty.isVisibleTo(view)
    assert view.empty.text() == "No entries match “zeppelin”."
    # cleared (as a person does, with Ctrl+A and Backspace): the whole timeline again
    view.find_edit.selectAll()
    qtbot.keyClick(view.find_edit, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: view.model.matching is None, timeout=10000)
    assert view.model.rowCount() == everything


def test_find_in_twenty_thousand_entries_reads_a_page_at_a_time(page, controller, qtbot):
    with controller.session() as s:
        big = records.create(s, m.Vendor, name="Big Telco").id
    add_interactions(controller, big, 20_000, datetime(1970, 1, 1, 9, 0))
    view = show_timeline(page, big)
    seen: list[str] = []

    def count(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if "interactions" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(controller.vault.engine, "before_cursor_execute", count)
    try:
        qtbot.keyClicks(view.find_edit, "boiler")
        qtbot.waitUntil(lambda: view.model.matching == "boiler", timeout=20000)
        assert view.model.rowCount() == view.model.PAGE  # a page of the 2,000 that match
        assert view.model.entry(0).subject == "Message 19990"
        assert len(seen) <= 3  # the page and its files, not one query per entry
        seen.clear()
        view.model.fetchMore()  # scrolled to the end: the next page, off the UI thread too
        assert view.model.fetching and not view.model.canFetchMore()  # asked for once
        qtbot.waitUntil(lambda: view.model.rowCount() == 2 * view.model.PAGE, timeout=20000)
        assert len(seen) <= 3 and not view.model.fetching
        assert view.model.entry(view.model.PAGE).subject == "Message 19490"
    finally:
        event.remove(controller.vault.engine, "before_cursor_execute", count)


# -- go to a date -------------------------------------------------------------------------------
def test_go_to_a_date_shows_the_entries_around_it_and_newer_ones_come_from_above(
    page, controller, qtbot, qtmodeltester
):
    with controller.session() as s:
        vendor = records.create(s, m.Vendor, name="Old Friends").id
    add_interactions(controller, vendor, 2_000, datetime(2015, 1, 1, 9, 0))
    view = show_timeline(page, vendor)
    assert not view.newest_button.isEnabled()
    view.date.edit.setFocus()
    qtbot.keyClicks(view.date.edit, "2016-03-10")  # day 434 after 1 Jan 2015
    qtbot.keyClick(view.date.edit, Qt.Key.Key_Return)
    current = view.current_entry()
    assert current is not None and current.subject == "Message 434"
    assert view.model.rowCount() < 200  # around it, not everything down to it
    above = view.list.currentIndex().row()
    assert above > 0 and view.model.entry(above - 1).subject == "Message 435"
    assert view.newest_button.isEnabled() and view.status.isVisibleTo(view)
    # scrolled to the top: newer entries come in above, the view stays where it was
    top = view.model.entry(0).subject
    view.list.scrollToTop()
    assert view.model.entry(0).subject != top and view.current_entry() == current
    assert view.list.indexAt(view.list.viewport().rect().topLeft()).row() > 0
    qtmodeltester.check(view.model)  # rows put in above, as Qt's model tester sees them
    # older ones as it scrolls down, as before
    rows = view.model.rowCount()
    view.list.scrollToBottom()
    assert view.model.rowCount() > rows
    # a date before everything: the oldest entry; back to newest: the start again
    view.date.edit.selectAll()
    qtbot.keyClicks(view.date.edit, "2001-01-01")
    qtbot.mouseClick(view.go_button, Qt.MouseButton.LeftButton)
    assert view.current_entry().subject == "Message 0"
    qtbot.mouseClick(view.newest_button, Qt.MouseButton.LeftButton)
    assert view.model.entry(0).subject == "Message 1999" and view.model.at_newest
    assert not view.newest_button.isEnabled()
    # a date that is none: a clear message, nothing moved
    view.date.edit.selectAll()
    qtbot.keyClicks(view.date.edit, "the 45th")
    qtbot.keyClick(view.date.edit, Qt.Key.Key_Return)
    assert "is not a date" in view.status.text() and view.model.at_newest


def test_a_change_while_opened_at_a_date_keeps_the_place(page, controller, qtbot):
    with controller.session() as s:
        vendor = records.create(s, m.Vendor, name="Old Friends").id
    add_interactions(controller, vendor, 500, datetime(2015, 1, 1, 9, 0))
    view = show_timeline(page, vendor)
    view.date.set_date(datetime(2015, 6, 1).date())
    assert view.go_to_date()
    chosen = view.current_id()
    first = view.model.entry(0).id
    controller.notify({"interaction"})
    assert view.current_id() == chosen and view.model.entry(0).id == first
    assert not view.model.at_newest


# -- a new vendor opens at its newest entry ------------------------------------------------------
def test_a_newly_shown_vendor_starts_at_its_newest_entry(page, controller, qtbot):
    with controller.session() as s:
        first = records.create(s, m.Vendor, name="First Vendor").id
        second = records.create(s, m.Vendor, name="Second Vendor").id
    add_interactions(controller, first, 120, datetime(2024, 1, 1, 9, 0))
    add_interactions(controller, second, 120, datetime(2023, 1, 1, 9, 0))
    controller.notify({"vendor"})
    view = show_timeline(page, first)
    bar = view.list.verticalScrollBar()
    qtbot.keyClicks(view.find_edit, "message")
    qtbot.waitUntil(lambda: view.model.matching == "message", timeout=10000)
    view.list.scrollTo(view.model.index(40, 0), QAbstractItemView.ScrollHint.PositionAtTop)
    assert bar.value() > 0
    page.show_vendor(second)
    assert bar.value() == 0
    assert view.list.indexAt(view.list.viewport().rect().topLeft()).row() == 0
    assert view.model.entry(0).subject == "Message 119"  # the newest of the second vendor
    assert view.find_edit.text() == "" and view.model.matching is None
    # and a vendor opened at a date starts at the newest too when shown again
    view.date.set_date(datetime(2023, 2, 1).date())
    assert view.go_to_date()
    page.show_vendor(first)
    page.show_vendor(second)
    assert view.model.at_newest and bar.value() == 0 and view.date.edit.text() == ""


def test_the_interaction_editor_lists_and_attaches_its_files(
    page, controller, qtbot, tmp_path: Path, monkeypatch
):
    from vrmdesk.ui.editors.record_editor import RecordEditor

    photo = tmp_path / "noise.txt"
    photo.write_text("what the pump sounds like\n", encoding="utf-8")
    bosch = vendor_id(controller, BOSCH)
    view = show_timeline(page, bosch)
    entry = view.model.entry(row_of_subject(view, REPAIR))
    editor = RecordEditor(controller, "interaction", entry.id, parent=view)
    qtbot.addWidget(editor)
    editor.show()
    assert editor.attachments is not None and editor.attachments.owner == (
        "interaction",
        entry.id,
    )
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(photo)], ""))
    qtbot.mouseClick(editor.attachments.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.attachments.model.rowCount() == 1, timeout=10000)
    # the timeline behind it shows the file on the entry at once
    assert [f.name for f in view.model.entry(row_of_subject(view, REPAIR)).files] == ["noise.txt"]
    editor.reject()
    # a new interaction: files once it is saved
    new = RecordEditor(controller, "interaction", defaults={"vendor_id": bosch}, parent=view)
    qtbot.addWidget(new)
    assert not new.attachments.isEnabled()
    assert "Save the interaction first" in new.attachments.empty.text()
    new.reject()


def test_a_find_still_running_when_the_vault_locks_shows_nothing(page, controller, qtbot):
    view = show_timeline(page, vendor_id(controller, BOSCH))
    qtbot.keyClicks(view.find_edit, "technic")
    qtbot.keyClick(view.find_edit, Qt.Key.Key_Return)  # at once, not after the pause
    controller.lock()
    assert controller.tasks.wait()  # the worker has finished …
    QApplication.processEvents()  # … and whatever it sent back has been delivered
    assert view.model.rowCount() == 0 and view.model.matching is None
    assert view.find_edit.text() == "" and not view.finding


def test_sharing_a_message_from_the_timeline_ticks_its_files(page, controller, qtbot, monkeypatch):
    import vrmdesk.ui.share.wizard as share_wizard

    opened: list[share_wizard.ShareWizard] = []

    def keep(parent, ctrl, vid, **preselect):  # type: ignore[no-untyped-def]
        opened.append(share_wizard.ShareWizard(ctrl, vid, parent, **preselect))

    monkeypatch.setattr(share_wizard, "share_with_vendor", keep)
    view = show_timeline(page, vendor_id(controller, BOSCH))
    view.list.setCurrentIndex(view.model.index(row_of_subject(view, REPAIR), 0))
    view.files.add_files([Path(__file__)])  # any file will do
    qtbot.waitUntil(
        lambda: bool(view.model.entry(row_of_subject(view, REPAIR)).files), timeout=10000
    )
    entry = view.model.entry(row_of_subject(view, REPAIR))
    qtbot.mouseClick(page.page.share_button, Qt.MouseButton.LeftButton)
    (wizard,) = opened
    qtbot.addWidget(wizard)
    ticked = wizard.what.checked()
    assert ("interaction", entry.id) in ticked
    assert ("attachment", entry.files[0].id) in ticked


def drop_on(widget, at, paths: list[Path]):  # type: ignore[no-untyped-def]
    """What a drag of files from a file manager delivers there: enter, move, then drop."""
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0))
    enter = QDragEnterEvent(at, *args)
    QApplication.sendEvent(widget, enter)
    move = QDragMoveEvent(at, *args)
    QApplication.sendEvent(widget, move)
    drop = QDropEvent(QPointF(at), *args)
    QApplication.sendEvent(widget, drop)
    return enter.isAccepted(), drop.isAccepted()


def test_files_dropped_on_an_entry_attach_to_it_and_mail_still_imports(
    page, controller, qtbot, tmp_path: Path
):
    from PySide6.QtWidgets import QMessageBox

    photo = tmp_path / "leak.txt"
    photo.write_text("water under the dishwasher\n", encoding="utf-8")
    bosch = vendor_id(controller, BOSCH)
    view = show_timeline(page, bosch)
    row = row_of_subject(view, REPAIR)
    at = view.list.visualRect(view.model.index(row, 0)).center()
    assert drop_on(view.list.viewport(), at, [photo]) == (True, True)
    qtbot.waitUntil(
        lambda: bool(view.model.entry(row_of_subject(view, REPAIR)).files), timeout=10000
    )
    assert [f.name for f in view.model.entry(row_of_subject(view, REPAIR)).files] == ["leak.txt"]
    assert view.current_entry().subject == REPAIR
    # mail dropped on the timeline is imported for the vendor, as on the rest of the page
    eml = tmp_path / "dropped.eml"
    eml.write_bytes(corpus.raw(sender="someone@elsewhere.example", subject="Dropped on the list"))
    assert drop_on(view.list.viewport(), at, [eml]) == (True, True)
    qtbot.waitUntil(
        lambda: page.page.findChild(QMessageBox, "mail-import-summary") is not None, timeout=20000
    )
    page.page.findChild(QMessageBox, "mail-import-summary").accept()
    with controller.session() as s:
        subjects = [i.subject for i in records.list_records(s, m.Interaction, vendor_id=bosch)]
    assert "Dropped on the list" in subjects

"""The Tickets page, the ticket view with Log a call / message, and quick capture with the thing,
a follow-up date and files: driven as a person does, checked against what is stored."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog
from sqlalchemy import delete, func, insert, select

from vrmdesk.store import models as m
from vrmdesk.store.services import records, tags
from vrmdesk.ui.app.main_window import MainWindow
from vrmdesk.ui.core import preferences as settings
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.editors.dates import format_date
from vrmdesk.ui.editors.quick_capture import QuickCaptureDialog
from vrmdesk.ui.tickets.model import COLUMNS
from vrmdesk.ui.tickets.page import TicketsPage

TODAY = date.today()
COLUMN = {c.sort: n for n, c in enumerate(COLUMNS)}


@pytest.fixture(autouse=True)
def private_settings(tmp_path, monkeypatch):
    """settings.qsettings() in a file of this test's own (the native format is not redirected)."""
    path = str(tmp_path / "tickets-settings.ini")
    monkeypatch.setattr(settings, "qsettings", lambda: QSettings(path, QSettings.Format.IniFormat))


@pytest.fixture
def page(controller, qtbot):
    tickets_page = TicketsPage(controller, Preferences())
    qtbot.addWidget(tickets_page)
    tickets_page.resize(1030, 740)  # what the default 1200 px window leaves beside the navigation
    tickets_page.show()
    qtbot.waitUntil(lambda: tickets_page.model.loaded)
    return tickets_page


@pytest.fixture
def window(controller, qtbot):
    win = MainWindow(controller, Preferences())
    qtbot.addWidget(win)
    win.show()
    controller.notify({"*"})
    return win


def ticket_id(controller, reference: str) -> int:
    with controller.session() as s:
        return s.scalars(select(m.Ticket.id).where(m.Ticket.reference == reference)).one()


def shown_titles(page: TicketsPage) -> list[str]:
    return [page.model.row(r).title for r in range(page.model.rowCount())]


def choose(qtbot, combo, text: str) -> None:  # type: ignore[no-untyped-def]
    """Pick an item of a combo box by keyboard, as a person does: focus it, type its start."""
    combo.setFocus()
    qtbot.wait(QApplication.keyboardInputInterval() + 20)  # a new search, not more of the last
    if text == "All":  # the first item: "All vendors", "All things" …
        qtbot.keyClick(combo, Qt.Key.Key_Home)
    else:
        qtbot.keyClicks(combo, text)
    assert combo.currentText().startswith(text), combo.currentText()


def click_header(qtbot, page: TicketsPage, column: int) -> None:  # type: ignore[no-untyped-def]
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def select_row(qtbot, page: TicketsPage, row: int) -> None:  # type: ignore[no-untyped-def]
    rect = page.table.visualRect(page.model.index(row, 0))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


# -- the list -----------------------------------------------------------------------------------
def test_the_page_lists_open_tickets_of_every_vendor_soonest_follow_up_first(page):
    assert shown_titles(page) == [
        "Dishwasher stops with error E24",  # follow up yesterday
        "Billed twice for the fibre line in October",  # today
        "Ice builds up behind the freezer drawer",  # in two days
    ]
    assert page.count_label.text() == "3 tickets"
    vendors = [page.model.index(r, COLUMN["vendor"]).data() for r in range(3)]
    assert vendors == ["Bosch Home Appliances", "Telekom", "Samsung Electronics"]
    overdue = page.model.index(0, COLUMN["follow_up"])
    assert overdue.data(Qt.ItemDataRole.ForegroundRole) is not None  # drawn as a warning
    assert page.model.index(2, COLUMN["follow_up"]).data(Qt.ItemDataRole.ForegroundRole) is None


def test_the_columns_fit_the_default_window_width_without_scrolling(page, qtbot):
    header = page.table.horizontalHeader()
    for width in (1030, 1430):
        page.resize(width, 740)
        qtbot.waitUntil(
            lambda: (
                sum(header.sectionSize(n) for n in range(len(COLUMNS)))
                == page.table.viewport().width()
            )
        )
        assert not page.table.horizontalScrollBar().isVisible()
        metrics = page.table.fontMetrics()
        for key, text in (("status", "Waiting on vendor"), ("follow_up", "30 Nov 2026")):
            assert header.sectionSize(COLUMN[key]) > metrics.horizontalAdvance(text)
        assert header.sectionSize(COLUMN["title"]) >= header.sectionSize(COLUMN["vendor"])


def test_filters_by_state_vendor_thing_tag_and_overdue(page, controller, qtbot):
    choose(qtbot, page.state, "Any")
    assert page.count_label.text() == "4 tickets"  # the resolved Hetzner ticket too
    choose(qtbot, page.vendor, "Samsung")
    assert shown_titles(page) == ["Ice builds up behind the freezer drawer"]
    assert page.count_label.text() == "1 ticket"
    choose(qtbot, page.vendor, "All")
    choose(qtbot, page.thing, "Dishwasher")
    assert shown_titles(page) == ["Dishwasher stops with error E24"]
    choose(qtbot, page.thing, "All")

    qtbot.mouseClick(page.overdue, Qt.MouseButton.LeftButton)
    assert page.overdue.isChecked()
    assert shown_titles(page) == [
        "Dishwasher stops with error E24",
        "Billed twice for the fibre line in October",
    ]
    qtbot.mouseClick(page.overdue, Qt.MouseButton.LeftButton)

    with controller.session() as s:
        tags.add_tag(s, records.get(s, m.Ticket, ticket_id(controller, "TD-CASE-88172")), "refund")
    controller.notify({"tag"})
    choose(qtbot, page.tag, "refund")
    assert shown_titles(page) == ["Billed twice for the fibre line in October"]

    choose(qtbot, page.state, "Closed")
    assert page.model.rowCount() == 0
    assert page.list_area.currentWidget() is page.empty
    assert page.no_match.isVisibleTo(page) and not page.explained.isVisibleTo(page)
    qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
    assert page.state.currentData() == "unresolved" and page.tag.currentData() is None
    assert page.count_label.text() == "3 tickets"


def test_the_thing_filter_is_read_when_used_and_offers_the_vendors_things(page, qtbot):
    assert page.thing.count() == 1  # only "All things" until a person comes to the filter
    choose(qtbot, page.vendor, "Samsung")
    page.thing.setFocus()
    assert [page.thing.itemText(n) for n in range(page.thing.count())] == [
        "All things",
        "Fridge freezer",
    ]
    choose(qtbot, page.thing, "Fridge")
    choose(qtbot, page.vendor, "Bosch")  # Bosch has no ticket about the fridge: the thing goes
    assert page.thing.currentData() is None
    assert shown_titles(page) == ["Dishwasher stops with error E24"]


def test_the_model_passes_qts_model_checks(page, qtmodeltester):
    qtmodeltester.check(page.model)


def test_enter_on_a_ticket_opens_log_a_call(page, qtbot):
    page.table.setFocus()
    select_row(qtbot, page, 1)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.view.log_dialog is not None and page.view.log_dialog.isVisible()
    assert page.view.log_dialog.ticket.title == "Billed twice for the fibre line in October"
    page.view.log_dialog.reject()


def test_a_column_header_sorts_in_the_core_both_ways(page, qtbot):
    click_header(qtbot, page, COLUMN["vendor"])
    assert page.model.sort_key == "vendor" and not page.model.descending
    vendors = [page.model.row(r).vendor for r in range(page.model.rowCount())]
    assert vendors == ["Bosch Home Appliances", "Samsung Electronics", "Telekom"]
    click_header(qtbot, page, COLUMN["vendor"])
    assert page.model.descending
    assert [page.model.row(r).vendor for r in range(3)] == list(reversed(vendors))
    click_header(qtbot, page, COLUMN["follow_up"])
    assert page.model.sort_key == "follow_up"
    assert shown_titles(page)[0] == "Dishwasher stops with error E24"


def test_many_tickets_are_read_a_page_at_a_time_and_counted(page, controller, qtbot):
    with controller.session() as s:
        vendor = records.find_vendor(s, "Telekom").id
        s.execute(
            insert(m.Ticket),
            [
                {
                    "vendor_id": vendor,
                    "title": f"Bulk ticket {n}",
                    "reference": "",
                    "status": m.TicketStatus.OPEN,
                    "opened_on": TODAY,
                    "follow_up_on": None,
                    "notes": "",
                    "created_at": datetime(2024, 1, 1),
                    "updated_at": datetime(2024, 1, 1),
                }
                for n in range(250)
            ],
        )
    controller.notify({"ticket"})
    assert page.count_label.text() == "253 tickets"
    assert page.model.rowCount() == 100  # one page, not all of them
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() >= 200)


def test_a_vault_without_tickets_says_what_a_ticket_is_and_how_to_make_one(page, controller):
    with controller.session() as s:
        s.execute(delete(m.Ticket))
    controller.notify({"ticket"})
    assert page.list_area.currentWidget() is page.empty
    assert page.explained.isVisibleTo(page) and not page.no_match.isVisibleTo(page)
    assert "A ticket is a case you have open with a vendor" in page.explained.text()
    assert "New ticket" in page.explained.text()
    assert not page.right.isVisibleTo(page)  # no "choose a ticket" below the explanation
    assert page.count_label.text() == "0 tickets"


# -- the ticket view ----------------------------------------------------------------------------
def test_selecting_a_ticket_shows_it_and_its_conversation_newest_last(page, controller, qtbot):
    assert page.right.currentWidget() is page.choose
    select_row(qtbot, page, 0)
    view = page.view
    assert page.right.currentWidget() is view
    assert view.title.text() == "Dishwasher stops with error E24"
    assert view.fields["status"].text() == "Waiting on vendor"
    assert view.fields["reference"].text() == "BSH-4471-2291-08"
    assert "overdue" in view.fields["follow_up"].text()
    assert "Bosch Home Appliances" in view.fields["vendor"].text()
    assert "Dishwasher" in view.fields["thing"].text()
    with controller.session() as s:
        linked = s.scalar(
            select(func.count()).where(
                m.Interaction.ticket_id == ticket_id(controller, "BSH-4471-2291-08")
            )
        )
    entries = [view.conversation.item(n).data(Qt.ItemDataRole.UserRole + 1) for n in range(5)]
    assert view.conversation.count() == linked == 5
    assert [e.occurred_at for e in entries] == sorted(e.occurred_at for e in entries)
    assert view.heading.text() == "<b>Conversation</b> (5)"
    with qtbot.waitSignal(page.open_record) as opened:
        view.fields["vendor"].linkActivated.emit(view.fields["vendor"].text().split('"')[1])
    assert opened.args[0] == "vendor"


def test_log_a_call_records_it_and_moves_the_ticket_on_in_one_step(page, controller, qtbot):
    messages: list[str] = []
    controller.status.connect(messages.append)
    select_row(qtbot, page, 0)
    view = page.view
    before = view.conversation.count()
    qtbot.mouseClick(view.log_button, Qt.MouseButton.LeftButton)
    dialog = view.log_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.channel.value() == "phone" and dialog.direction.value() == "outbound"
    assert dialog.status.value() == "waiting_on_vendor"  # the ticket's state now
    qtbot.keyClicks(dialog.subject.edit, "Called the hotline again")
    qtbot.keyClicks(dialog.body.edit, "A technician comes on Friday.")
    choose(qtbot, dialog.status.combo, "Waiting on me")
    next_week = TODAY + timedelta(days=7)
    dialog.follow_up.edit.clear()
    qtbot.keyClicks(dialog.follow_up.edit, format_date(next_week))
    qtbot.mouseClick(
        dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton
    )
    assert dialog.result() == QDialog.DialogCode.Accepted

    bosch = ticket_id(controller, "BSH-4471-2291-08")
    with controller.session() as s:
        ticket = records.get(s, m.Ticket, bosch)
        assert (ticket.status, ticket.follow_up_on) == (m.TicketStatus.WAITING_ON_ME, next_week)
        logged = s.scalars(
            select(m.Interaction).where(m.Interaction.subject == "Called the hotline again")
        ).one()
        assert (logged.ticket_id, logged.vendor_id, logged.asset_id) == (
            bosch,
            ticket.vendor_id,
            ticket.asset_id,
        )
        assert logged.channel == m.InteractionChannel.PHONE
        assert logged.direction == m.Direction.OUTBOUND
    assert view.conversation.count() == before + 1  # the view follows at once, newest last
    last = view.conversation.item(before).data(Qt.ItemDataRole.UserRole + 1)
    assert last.subject == "Called the hotline again"
    assert view.fields["status"].text() == "Waiting on me"
    assert "overdue" not in view.fields["follow_up"].text()
    assert (
        messages[-1]
        == "Logged the phone on “Dishwasher stops with error E24”; it is waiting on me now."
    )


def test_a_refused_log_shows_the_problem_and_changes_nothing(page, controller, qtbot):
    select_row(qtbot, page, 0)
    bosch = ticket_id(controller, "BSH-4471-2291-08")
    with controller.session() as s:
        before = s.scalar(select(func.count()).select_from(m.Interaction))
    dialog = page.view.log_call()
    choose(qtbot, dialog.status.combo, "Closed")
    assert not dialog.save()  # no subject and no text
    assert dialog.rows.row_for("body").error.text() == "Write a subject or some text."
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.follow_up.edit, "not a date")
    dialog.follow_up.edit.clear()
    qtbot.keyClicks(dialog.follow_up.edit, "31.02.")
    qtbot.keyClicks(dialog.subject.edit, "x")
    assert not dialog.save()
    assert dialog.rows.row_for("follow_up_on").error.text() != ""
    with controller.session() as s:
        assert s.scalar(select(func.count()).select_from(m.Interaction)) == before
        assert records.get(s, m.Ticket, bosch).status == m.TicketStatus.WAITING_ON_VENDOR
    dialog.reject()


# -- reaching a ticket from elsewhere -----------------------------------------------------------
def test_a_ticket_opened_anywhere_shows_in_the_ticket_view(window, controller, qtbot):
    samsung = ticket_id(controller, "SEG-2211-903771")
    window.open_record("ticket", samsung)  # search, a thing's tickets, a new ticket saved
    assert window.stack.currentWidget() is window.tickets_page
    assert window.tickets_page.view.ticket.id == samsung
    assert window.tickets_page.current_ticket_id() == samsung  # selected in the list too

    window.show_page("home")
    follow_ups = window.pages["home"].sections["follow_ups"].list
    qtbot.waitUntil(lambda: follow_ups.count() > 0)
    follow_ups.itemActivated.emit(follow_ups.item(0))
    assert window.stack.currentWidget() is window.tickets_page
    assert window.tickets_page.view.title.text() == "Dishwasher stops with error E24"

    bosch_vendor = records_vendor(controller, "Bosch Home Appliances")
    window.open_record("vendor", bosch_vendor)
    vendor_page = window.vendors_page.page
    vendor_page.tabs.setCurrentWidget(vendor_page.tickets)
    vendor_page.tickets.table.selectRow(0)
    qtbot.mouseClick(vendor_page.tickets.buttons["open"], Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.tickets_page
    assert window.tickets_page.view.ticket.reference == "BSH-4471-2291-08"


def records_vendor(controller, name: str) -> int:
    with controller.session() as s:
        return records.find_vendor(s, name).id


def test_locking_empties_the_page(page, controller):
    page.table.selectRow(0)
    assert page.view.ticket is not None
    dialog = page.view.log_call()
    assert dialog.isVisible()
    controller.lock()
    assert not dialog.isVisible()  # nothing of the vault stays on screen
    assert page.model.rowCount() == 0 and page.view.ticket is None
    assert page.view.title.text() == "" and page.count_label.text() == ""
    assert page.vendor.count() == 1  # "All vendors" only: no vendor's name stays


# -- quick capture ------------------------------------------------------------------------------
def open_capture(window, qtbot) -> QuickCaptureDialog:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QuickCaptureDialog))
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, QuickCaptureDialog)
    return dialog


def test_quick_capture_starts_with_the_ticket_selected_on_the_tickets_page(window, qtbot):
    window.show_page("tickets")
    page = window.tickets_page
    row = next(
        r for r in range(page.model.rowCount()) if page.model.row(r).thing == "Fridge freezer"
    )
    page.table.selectRow(row)
    dialog = open_capture(window, qtbot)
    ticket = page.model.row(row)
    assert dialog.vendor.value() == ticket.vendor_id
    assert dialog.ticket.value() == ticket.id
    assert dialog.thing.value() == ticket.asset_id
    assert dialog.follow_up.value() == ticket.follow_up_on
    dialog.reject()


def test_quick_capture_starts_with_the_thing_selected_and_its_maker(window, controller, qtbot):
    window.show_page("things")
    things = window.things_page
    qtbot.waitUntil(lambda: things.proxy.rowCount() > 0)
    things.table.selectRow(0)
    asset = things.current_asset_id()
    dialog = open_capture(window, qtbot)
    with controller.session() as s:
        thing = records.get(s, m.Asset, asset)
        maker = thing.maker_id or thing.seller_id
    assert dialog.thing.value() == asset and dialog.vendor.value() == maker
    assert dialog.ticket.value() is None
    dialog.reject()


def test_quick_capture_starts_with_the_vendor_shown_and_its_ticket_selected(
    window, controller, qtbot
):
    bosch = records_vendor(controller, "Bosch Home Appliances")
    window.open_record("vendor", bosch)
    vendor_page = window.vendors_page.page
    vendor_page.tabs.setCurrentWidget(vendor_page.tickets)
    vendor_page.tickets.table.selectRow(0)
    dialog = open_capture(window, qtbot)
    assert dialog.vendor.value() == bosch
    assert dialog.ticket.value() == ticket_id(controller, "BSH-4471-2291-08")
    dialog.reject()


def test_quick_capture_records_the_thing_the_follow_up_and_attaches_files(
    controller, qtbot, tmp_path, monkeypatch
):
    receipt = tmp_path / "repair-quote.txt"
    receipt.write_text("Quote: pump replacement, 89 EUR")
    telekom = ticket_id(controller, "TD-CASE-88172")
    with controller.session() as s:
        vendor = records.get(s, m.Ticket, telekom).vendor_id
        router = records.create(s, m.Asset, name="Fibre router").id
    dialog = QuickCaptureDialog(controller, None, vendor_id=vendor)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.ticket.combo.lineEdit(), "Billed twice")
    qtbot.keyClick(dialog.ticket.combo.lineEdit(), Qt.Key.Key_Tab)
    assert dialog.ticket.value() == telekom
    qtbot.keyClicks(dialog.thing.combo.lineEdit(), "Fibre router")
    in_three_days = TODAY + timedelta(days=3)
    dialog.follow_up.edit.clear()
    qtbot.keyClicks(dialog.follow_up.edit, format_date(in_three_days))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(receipt)], ""))
    qtbot.mouseClick(dialog.files.add_button, Qt.MouseButton.LeftButton)
    assert dialog.files.list.count() == 1
    assert dialog.files.list.item(0).text().startswith("repair-quote.txt (")
    qtbot.keyClicks(dialog.subject.edit, "Asked for the refund again")
    qtbot.mouseClick(
        dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10000)
    with controller.session() as s:
        saved = records.get(s, m.Interaction, dialog.interaction_id)
        assert (saved.ticket_id, saved.asset_id) == (telekom, router)
        assert records.get(s, m.Ticket, telekom).follow_up_on == in_three_days
        attached = s.scalars(
            select(m.Attachment.name).where(
                m.Attachment.owner_kind == "interaction", m.Attachment.owner_id == saved.id
            )
        ).all()
    assert attached == ["repair-quote.txt"]


def test_quick_capture_refuses_a_follow_up_without_a_ticket_and_writes_nothing(
    controller, qtbot, tmp_path
):
    with controller.session() as s:
        before = s.scalar(select(func.count()).select_from(m.Interaction))
        miele = records.find_vendor(s, "Miele").id
    dialog = QuickCaptureDialog(controller, None, vendor_id=miele)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.subject.edit, "Asked about spare parts")
    qtbot.keyClicks(dialog.follow_up.edit, format_date(TODAY + timedelta(days=2)))
    missing = tmp_path / "gone.pdf"
    dialog.files.add([missing])
    assert not dialog.save()
    assert "is not a file that can be read" in dialog.rows.row_for("files").error.text()
    dialog.files.remove_current()
    assert not dialog.save()
    assert (
        dialog.rows.row_for("follow_up_on")
        .error.text()
        .startswith("A follow-up date belongs to a ticket")
    )
    with controller.session() as s:
        assert s.scalar(select(func.count()).select_from(m.Interaction)) == before
    dialog.follow_up.edit.clear()
    assert dialog.save()


def test_files_dropped_on_quick_capture_are_listed_and_one_too_large_is_refused(
    controller, qtbot, tmp_path
):
    small, large = tmp_path / "photo.jpg", tmp_path / "video.mp4"
    small.write_bytes(b"\xff\xd8" + b"x" * 100)
    large.write_bytes(b"y" * 5000)
    with controller.session() as s:
        before = s.scalar(select(func.count()).select_from(m.Attachment))
        miele = records.find_vendor(s, "Miele").id
    dialog = QuickCaptureDialog(controller, None, vendor_id=miele)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.max_size = 1000
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(small)), QUrl.fromLocalFile(str(large))])
    where, action = QPointF(20, 20), Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(where.toPoint(), action, mime, buttons, keys)
    QApplication.sendEvent(dialog, enter)
    assert enter.isAccepted()
    drop = QDropEvent(where, action, mime, buttons, keys)
    QApplication.sendEvent(dialog, drop)
    assert drop.isAccepted()
    assert [dialog.files.list.item(n).text().split(" (")[0] for n in range(2)] == [
        "photo.jpg",
        "video.mp4",
    ]
    qtbot.keyClicks(dialog.subject.edit, "Photos of the damage")
    assert not dialog.save()
    assert "“video.mp4” is 4.9 KB; files can be at most 1000 bytes." in (
        dialog.rows.row_for("files").error.text()
    )
    dialog.files.list.setCurrentRow(1)
    qtbot.mouseClick(dialog.files.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.files.list.count() == 1
    assert dialog.save()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10000)
    with controller.session() as s:
        assert s.scalar(select(func.count()).select_from(m.Attachment)) == before + 1


def test_cancelling_a_capture_with_files_keeps_neither_the_interaction_nor_the_files(
    controller, qtbot, tmp_path, monkeypatch
):
    from vrmdesk.ui.files import jobs as file_jobs

    reading = file_jobs.ProgressReader.read

    def cancel_first(self, size=-1):  # type: ignore[no-untyped-def]
        self.task.cancel()  # as the progress dialog's Cancel does
        return reading(self, size)

    monkeypatch.setattr(file_jobs.ProgressReader, "read", cancel_first)
    letter = tmp_path / "letter.txt"
    letter.write_text("Dear Sir or Madam")
    with controller.session() as s:
        before = (
            s.scalar(select(func.count()).select_from(m.Interaction)),
            s.scalar(select(func.count()).select_from(m.Attachment)),
        )
        miele = records.find_vendor(s, "Miele").id
    dialog = QuickCaptureDialog(controller, None, vendor_id=miele)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.files.add([letter])
    qtbot.keyClicks(dialog.subject.edit, "Wrote a letter")
    dialog.save()
    qtbot.waitUntil(lambda: "Cancelled" in dialog.general_error.text(), timeout=5000)
    assert dialog.isVisible() and dialog.buttons.isEnabled()  # to try again, or cancel
    with controller.session() as s:
        assert (
            s.scalar(select(func.count()).select_from(m.Interaction)),
            s.scalar(select(func.count()).select_from(m.Attachment)),
        ) == before

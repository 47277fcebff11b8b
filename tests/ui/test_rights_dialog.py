"""The vendor page's "Data-rights request…": choose, preview, record as sent, follow up."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox
from ui_helpers import vendor_id

from vrmdesk.store import models as m
from vrmdesk.store.services import records, tickets
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.editors.dates import format_date
from vrmdesk.ui.tickets.page import TicketsPage
from vrmdesk.ui.vendors.rights_dialog import RightsDialog
from vrmdesk.ui.widgets.dates import show_date

pytestmark = pytest.mark.usefixtures("private_settings")

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def page(vendors_page):  # type: ignore[no-untyped-def]
    return vendors_page


def open_dialog(page, controller, qtbot, name: str) -> RightsDialog:
    page.show_vendor(vendor_id(controller, name))
    page.page.rights_action.trigger()  # Requests ▸ Data-rights request…
    dialog = page.page.findChild(RightsDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def type_date(qtbot, field, day: date) -> None:
    """Click into the field, select all of it, type the date."""
    field.edit.setFocus()
    qtbot.keyClick(field.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field.edit, format_date(day))


def test_the_letter_is_previewed_and_recorded_as_a_ticket_on_the_timeline(page, controller, qtbot):
    dialog = open_dialog(page, controller, qtbot, "Bosch Home Appliances")
    sent = date.today() - timedelta(days=2)
    qtbot.keyClicks(dialog.right, "Erasure")
    assert dialog.right.currentData() == "erasure"
    type_date(qtbot, dialog.sent, sent)
    assert dialog.letter is not None and dialog.letter.sent_on == sent
    text = dialog.preview.toPlainText()
    assert "Article 17" in text and "service@bosch-home.example" in text
    assert f"Legal deadline: {show_date(dialog.letter.due_on)}" in dialog.deadline.text()
    qtbot.mouseClick(dialog.copy_button, LEFT)
    assert QGuiApplication.clipboard().text() == text
    assert dialog.mail_url().startswith("mailto:service@bosch-home.example?subject=")

    qtbot.mouseClick(dialog.record_button, LEFT)
    assert dialog.requests.rowCount() == 1
    assert dialog.requests.item(0, 5).text() == "waiting"
    vp = page.page
    model = vp.tickets.model
    titles = [model.index(r, 0).data() for r in range(model.rowCount())]
    (title,) = [t for t in titles if t.startswith("Data-rights request: erasure")]
    assert title.endswith(f"due {dialog.letter.due_on}")
    with controller.session() as s:
        (ticket,) = s.query(m.Ticket).filter(m.Ticket.title == title).all()
        (letter,) = tickets.conversation(s, ticket.id).entries
        assert not letter.inbound and "Article 17" in letter.subject
        assert "Bosch Home Appliances" in letter.text

    tickets_page = TicketsPage(controller, Preferences())
    qtbot.addWidget(tickets_page)
    tickets_page.show()
    listed = [tickets_page.model.row(r).title for r in range(tickets_page.model.rowCount())]
    assert title in listed

    qtbot.mouseClick(dialog.extend_button, LEFT)
    assert dialog.requests.item(0, 5).text() == "extended"
    assert dialog.requests.item(0, 4).text() != ""
    qtbot.mouseClick(dialog.answered_button, LEFT)
    assert dialog.requests.item(0, 5).text() == "answered"
    assert not dialog.extend_button.isEnabled() and not dialog.answered_button.isEnabled()


def test_a_posted_letter_counts_from_the_day_received(page, controller, qtbot):
    dialog = open_dialog(page, controller, qtbot, "Bosch Home Appliances")
    type_date(qtbot, dialog.sent, date(2026, 1, 29))
    qtbot.mouseClick(dialog.posted, LEFT)
    assert dialog.received.isEnabled()
    type_date(qtbot, dialog.received, date(2026, 1, 31))
    assert dialog.letter is not None and dialog.letter.due_on == date(2026, 2, 28)
    assert "28 Feb 2026" in dialog.deadline.text()  # as every date is shown


def test_the_ccpa_has_no_restriction_and_the_dialog_says_so(page, controller, qtbot):
    dialog = open_dialog(page, controller, qtbot, "Bosch Home Appliances")
    qtbot.keyClicks(dialog.law, "CCPA")
    qtbot.keyClicks(dialog.right, "Restriction")
    assert "no right to restriction" in dialog.preview.toPlainText()
    assert not dialog.record_button.isEnabled() and not dialog.pdf_button.isEnabled()
    qtbot.keyClick(dialog.right, Qt.Key.Key_Home)  # the first: access
    assert "1798.110" in dialog.preview.toPlainText() and dialog.record_button.isEnabled()
    assert "confirmation of receipt by" in dialog.deadline.text()


def test_a_vendor_with_no_address_cannot_be_recorded(page, controller, qtbot):
    with controller.session() as s:
        records.create(s, m.Vendor, name="Nowhere Ltd")
    controller.notify({"vendor"})
    dialog = open_dialog(page, controller, qtbot, "Nowhere Ltd")
    assert "an address for Nowhere Ltd" in dialog.preview.toPlainText()
    assert not dialog.record_button.isEnabled() and not dialog.mail_button.isEnabled()
    with controller.session() as s:
        assert s.query(m.RightsRequest).count() == 0


def test_save_as_pdf(page, controller, qtbot, tmp_path: Path):
    dialog = open_dialog(page, controller, qtbot, "Bosch Home Appliances")
    saved = dialog.save_pdf(str(tmp_path / "letter.pdf"))
    assert saved is not None and saved.read_bytes().startswith(b"%PDF-")


def test_an_overdue_request_drafts_a_reminder_and_a_complaint_and_refuses_a_late_extension(
    page, controller, qtbot, monkeypatch
):
    dialog = open_dialog(page, controller, qtbot, "Bosch Home Appliances")
    type_date(qtbot, dialog.sent, date.today() - timedelta(days=70))
    qtbot.mouseClick(dialog.record_button, LEFT)
    assert dialog.requests.item(0, 5).text() == "overdue"
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warned.append(text))
    qtbot.mouseClick(dialog.extend_button, LEFT)
    assert warned and "after the first period ended on" in warned[0]
    assert dialog.requests.item(0, 5).text() == "overdue"
    qtbot.mouseClick(dialog.reminder_button, LEFT)
    assert "I have had no answer" in dialog.preview.toPlainText()
    qtbot.mouseClick(dialog.complaint_button, LEFT)
    assert "To the data protection supervisory authority" in dialog.preview.toPlainText()
    assert not dialog.record_button.isEnabled()


def test_a_rectification_sends_the_corrected_records_the_letter_names(
    page, controller, qtbot, tmp_path: Path, monkeypatch
):
    from vrmshare.verify import verify_bundle

    with controller.session() as s:  # Miele holds my registration; give it an address
        miele = records.find_vendor(s, "Miele").id
        records.create(s, m.Channel, vendor_id=miele, channel="email", value="dpo@miele.example")
    dialog = open_dialog(page, controller, qtbot, "Miele")
    assert not dialog.corrections_row.isVisible()  # only a rectification sends corrections
    qtbot.keyClicks(dialog.right, "Rectification")
    assert dialog.right.currentData() == "rectification" and dialog.corrections_row.isVisible()
    qtbot.mouseClick(dialog.corrections, LEFT)
    target = tmp_path / "fixed.vrmshare"
    dialog.corrections_path.setFocus()
    qtbot.keyClick(dialog.corrections_path, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.corrections_path, str(target))
    letter = " ".join(dialog.preview.toPlainText().split())
    assert "Article 16" in letter and "the enclosed file fixed.vrmshare" in letter

    qtbot.mouseClick(dialog.record_button, LEFT)
    verified = verify_bundle(target)
    assert verified.purpose == "rights_request"
    assert verified.fingerprint in letter
    assert {r["@type"] for r in verified.records} >= {"Organization", "vrm:ProductRegistration"}
    with controller.session() as s:
        (ticket,) = s.query(m.Ticket).filter(m.Ticket.title.like("%rectification%")).all()
        assert verified.bundle_id in ticket.notes
        assert s.query(m.Disclosure).filter_by(bundle_id=verified.bundle_id).count() == 1
    # a second request to the same file is refused: the bundle there is not overwritten
    before = target.read_bytes()
    refused: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: refused.append(text))
    qtbot.mouseClick(dialog.record_button, LEFT)
    assert refused and "exists already" in refused[0] and target.read_bytes() == before


def test_the_requests_menu_opens_the_insurers_inventory_for_this_vendor(page, controller, qtbot):
    from vrmdesk.ui.things.inventory_dialog import InventoryDialog

    page.show_vendor(vendor_id(controller, "Bosch Home Appliances"))
    menu = page.page.requests_button.menu()
    assert [a.text().replace("&", "") for a in menu.actions()] == [
        "Data-rights request…",
        "My terms (MyTerms)…",
        "Request quotes…",
        "Insurer's inventory…",
    ]
    page.page.inventory_action.trigger()
    dialog = page.page.findChild(InventoryDialog)
    assert dialog is not None and dialog.insurer_combo.currentText() == "Bosch Home Appliances"

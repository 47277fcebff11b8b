"""Captured mail on a vendor's tabs, driven like a person: offer ↔ conversation (remembered for
the sender), a ticket opened from a message, Write e-mail (the mailto: URL caught with Qt's own
URL handler), the case reference pattern's live test in the vendor editor, the mail settings and
the fetch hook."""

from __future__ import annotations

import io

import mail_corpus as corpus
import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from sqlalchemy import func, select

from vrmdesk.mail import addresses, capture
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.ui.app.main_window import MainWindow
from vrmdesk.ui.app.settings_dialog import SettingsDialog
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.editors.pattern_field import PatternField
from vrmdesk.ui.editors.record_editor import RecordEditor
from vrmdesk.ui.mail.fetching import NO_ACCOUNT
from vrmdesk.ui.vendors.page import VendorsPage

BULK = {"List-Unsubscribe": "<mailto:off@kettle-works.example>"}


def count(controller, cls, **where) -> int:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return int(s.scalar(select(func.count()).select_from(cls).filter_by(**where)) or 0)


def capture_for(controller, vendor_id: int, *messages: bytes) -> capture.Outcome:  # type: ignore[no-untyped-def]
    pairs = [(f"m{n}", lambda d=d: io.BytesIO(d)) for n, d in enumerate(messages)]
    return capture.import_messages(controller.vault, pairs, vendor_id=vendor_id)


@pytest.fixture
def miele(controller) -> int:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        vendor_id = records.find_vendor(s, "Miele").id
        records.create(
            s, m.Channel, vendor_id=vendor_id, channel="email", value="@kettle-works.example"
        )
        records.create(
            s, m.Channel, vendor_id=vendor_id, channel="email", value="service@miele.example"
        )
    return vendor_id


@pytest.fixture
def vendors(qtbot, controller):  # type: ignore[no-untyped-def]
    page = VendorsPage(controller, Preferences())
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


class MailProgram(QObject):
    """Stands in for the person's mail program: Qt hands it every mailto: URL opened."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(bytes(url.toEncoded().data()).decode())


@pytest.fixture
def mail_program():  # type: ignore[no-untyped-def]
    program = MailProgram()
    QDesktopServices.setUrlHandler("mailto", program, "open")
    yield program
    QDesktopServices.unsetUrlHandler("mailto")


def test_an_offer_becomes_conversation_and_the_sender_is_remembered(
    qtbot, vendors, controller, miele
):
    news = corpus.raw(sender="news@kettle-works.example", message_id="<n1@x>", extra=BULK)
    assert capture.import_messages(controller.vault, [("n1", lambda: io.BytesIO(news))]).offers == 1
    with controller.session() as s:
        offer_id = s.scalars(select(m.Offer.id).filter_by(message_id="<n1@x>")).one()
    vendors.show_vendor(miele, "offer", offer_id)
    tab = vendors.page.offers
    button = tab.buttons["conversation"]
    assert button.text() == "This is &conversation, not an offer" and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert count(controller, m.Offer, message_id="<n1@x>") == 0
    assert count(controller, m.Interaction, message_id="<n1@x>", vendor_id=miele) == 1
    later = corpus.raw(sender="news@kettle-works.example", message_id="<n2@x>", extra=BULK)
    again = capture.import_messages(controller.vault, [("n2", lambda: io.BytesIO(later))])
    assert (again.imported, again.offers) == (1, 0)  # remembered: conversation from this sender


def test_a_message_on_the_timeline_becomes_an_offer(qtbot, vendors, controller, miele):
    capture_for(
        controller, miele, corpus.raw(sender="deals@kettle-works.example", message_id="<o@x>")
    )
    with controller.session() as s:
        interaction = s.scalars(select(m.Interaction.id).filter_by(message_id="<o@x>")).one()
    vendors.show_vendor(miele, "interaction", interaction)
    timeline = vendors.page.timeline
    assert timeline.current_id() == interaction
    qtbot.mouseClick(timeline.buttons["offer"], Qt.MouseButton.LeftButton)
    assert count(controller, m.Offer, message_id="<o@x>", vendor_id=miele) == 1
    assert timeline.model.row_of(interaction) is None


def test_a_ticket_opened_from_a_message_takes_its_case_reference(qtbot, vendors, controller, miele):
    first = corpus.raw(subject="Your repair [Case #48213]", message_id="<t1@x>")
    reply = corpus.raw(
        subject="Re: Your repair", message_id="<t2@x>", extra={"In-Reply-To": "<t1@x>"}
    )
    capture_for(controller, miele, first, reply)
    with controller.session() as s:
        interaction = s.scalars(select(m.Interaction.id).filter_by(message_id="<t1@x>")).one()
    vendors.show_vendor(miele, "interaction", interaction)
    timeline = vendors.page.timeline
    button = timeline.buttons["ticket"]
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    with controller.session() as s:
        ticket = s.scalars(select(m.Ticket).filter_by(reference="48213")).one()
        assert ticket.title == "Your repair [Case #48213]" and ticket.vendor_id == miele
        on_it = set(s.scalars(select(m.Interaction.message_id).filter_by(ticket_id=ticket.id)))
    assert on_it == {"<t1@x>", "<t2@x>"}  # the thread goes with it
    assert not button.isEnabled()  # the message is on a ticket now


def test_write_email_opens_the_mail_program_with_the_case_reference(
    qtbot, vendors, controller, miele, mail_program
):
    capture_for(controller, miele, corpus.raw(subject="Pump noise", message_id="<w@x>"))
    with controller.session() as s:
        message = s.scalars(select(m.Interaction).filter_by(message_id="<w@x>")).one()
        ticket = records.create(s, m.Ticket, vendor_id=miele, title="Pump", reference="12345")
        message.ticket_id = ticket.id
        message_id, ticket_id = message.id, ticket.id
    vendors.show_vendor(miele)
    page = vendors.page
    qtbot.mouseClick(page.write_button, Qt.MouseButton.LeftButton)
    assert mail_program.urls[-1] == "mailto:service@miele.example"  # an address, not the domain
    page.refresh({"*"})
    vendors.show_vendor(miele, "ticket", ticket_id)
    qtbot.mouseClick(page.tickets.buttons["write"], Qt.MouseButton.LeftButton)
    assert mail_program.urls[-1] == (
        "mailto:service@miele.example?subject=Re%3A%20Pump%20noise%20%5BCase%20%2312345%5D"
    )
    vendors.show_vendor(miele, "interaction", message_id)
    qtbot.mouseClick(page.timeline.buttons["write"], Qt.MouseButton.LeftButton)
    assert QUrl(mail_program.urls[-1]).query(QUrl.ComponentFormattingOption.FullyDecoded) == (
        "subject=Re: Pump noise [Case #12345]"
    )


def pattern_field(dialog: RecordEditor) -> PatternField:
    row = dialog.rows.row_for("case_reference_pattern")
    assert row is not None and isinstance(row.field, PatternField)
    return row.field


def test_the_case_pattern_is_tested_live_and_saved(qtbot, controller, miele):
    dialog = RecordEditor(controller, "vendor", miele)
    qtbot.addWidget(dialog)
    dialog.show()
    field = pattern_field(dialog)
    assert field.result.text() == "Reference found: “12345”"  # the usual forms, on the sample
    field.sample.selectAll()
    qtbot.keyClicks(field.sample, "Ihr Auftrag MIE-4711 ist erledigt")
    assert field.result.text() == "No reference found."
    qtbot.keyClicks(field.edit, r"MIE-(\d+")
    assert field.result.text().startswith("The case reference pattern is not a regular expression")
    qtbot.keyClick(field.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible()  # refused, said under the field
    assert "not a regular expression" in dialog.rows.row_for("case_reference_pattern").error.text()
    qtbot.keyClicks(field.edit, ")")
    assert field.result.text() == "Reference found: “4711”"
    dialog.save()
    with controller.session() as s:
        assert records.get(s, m.Vendor, miele).case_reference_pattern == r"MIE-(\d+)"
    later = corpus.raw(subject="Re: MIE-4711 done", message_id="<p@x>")
    with controller.session() as s:
        records.create(s, m.Ticket, vendor_id=miele, title="Dryer", reference="4711")
    capture_for(controller, miele, later)
    with controller.session() as s:
        landed = s.scalars(select(m.Interaction).filter_by(message_id="<p@x>")).one()
        assert landed.ticket_id is not None


def test_mail_settings_keep_my_addresses_the_cap_and_the_interval(qtbot, controller):
    prefs = Preferences()
    dialog = SettingsDialog(prefs, controller=controller)
    qtbot.addWidget(dialog)
    dialog.show()
    box = dialog.mail
    qtbot.keyClicks(box.own, "Me@Home.example")
    qtbot.keyClick(box.own, Qt.Key.Key_Return)
    qtbot.keyClicks(box.own, "not an address")
    box.cap.selectAll()
    qtbot.keyClicks(box.cap, "5")
    box.fetch.selectAll()
    qtbot.keyClicks(box.fetch, "15")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "not an e-mail address" in box.own_error.text()
    assert prefs.mail_fetch_minutes == 0  # nothing kept while an address is refused
    box.own.setFocus()
    qtbot.keyClick(box.own, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    for _ in range(len("not an address")):
        qtbot.keyClick(box.own, Qt.Key.Key_Backspace)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert (prefs.mail_attachment_cap_mb, prefs.mail_fetch_minutes) == (5, 15)
    assert prefs.mail_max_file_size == 5 * 1024 * 1024
    with controller.session() as s:
        assert addresses.own_addresses(s) == ["me@home.example"]


def test_fetch_mail_now_says_there_is_no_account_yet(qtbot, controller):
    window = MainWindow(controller, Preferences(mail_fetch_minutes=30))
    qtbot.addWidget(window)
    assert (
        window.mail_fetcher.timer.isActive() and window.mail_fetcher.timer.interval() == 1_800_000
    )
    window.commands.fetch_mail.trigger()
    assert window.statusBar().currentMessage() == NO_ACCOUNT
    controller.lock()
    assert not window.mail_fetcher.timer.isActive()


def test_fetch_mail_now_brings_the_imap_accounts_new_mail_into_the_window(  # type: ignore[no-untyped-def]
    qtbot, vault, bosch, server
):
    from dovecot_server import PASSWORD, USER

    from vrmdesk.mail import accounts
    from vrmdesk.store.tempcopies import TempCopies
    from vrmdesk.ui.core.controller import VaultController

    server.deliver(
        [
            corpus.raw(
                sender=f"Agent {n} <agent{n}@support.bosch.example>",
                message_id=f"<gui{n}@bosch.example>",
                subject=f"Your repair {n}",
                body="Hello,\nthe part is on its way.\n",
            )
            for n in range(3)
        ]
    )
    with vault.session() as s:
        accounts.add_account(
            s,
            host="127.0.0.1",
            port=server.imaps_port,
            user=USER,
            password=PASSWORD,
            trusted_fingerprint=server.fingerprint,
        )
    before = server.message_files()
    controller = VaultController(vault, TempCopies())
    window = MainWindow(controller, Preferences())
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.mail_fetcher.fetched, timeout=30000) as fetched:
        window.commands.fetch_mail.trigger()
    assert fetched.args[0].imported == 3
    assert window.statusBar().currentMessage().startswith("Mail fetched: 3 to the timeline")
    with qtbot.waitSignal(window.mail_fetcher.fetched, timeout=30000) as again:
        window.commands.fetch_mail.trigger()
    assert again.args[0].imported == 0
    assert window.statusBar().currentMessage() == "No new mail."
    assert server.message_files() == before  # read only: nothing flagged, moved or deleted
    controller.lock()

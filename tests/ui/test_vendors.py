"""The Vendors page: the vendor list, the vendor page and its tabs, the timeline, the health
chart."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import insert

from vrmdesk.store import models as m
from vrmdesk.store.services import health, records, views
from vrmdesk.ui.core import preferences as settings
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.editors import record_actions
from vrmdesk.ui.timeline.model import INBOUND_ROLE, TimelineModel
from vrmdesk.ui.vendors.list import ATTENTION_ROLE, EXPIRING_ROLE, OPEN_TICKETS_ROLE, ROW_ROLE
from vrmdesk.ui.vendors.page import VendorsPage
from vrmdesk.ui.widgets import buttons

pytestmark = pytest.mark.usefixtures("private_settings")  # QSettings of the test's own


@pytest.fixture
def page(controller, qtbot):
    vendors = VendorsPage(controller, Preferences())
    qtbot.addWidget(vendors)
    vendors.resize(1100, 700)
    controller.notify({"*"})
    return vendors


def vendor_id(controller, name: str) -> int:
    with controller.session() as s:
        return records.find_vendor(s, name).id


def names(page: VendorsPage) -> list[str]:
    return [page.model.vendor(r).name for r in range(page.model.rowCount())]


def row_for(page: VendorsPage, name: str) -> views.VendorRow:
    return next(
        page.model.vendor(r)
        for r in range(page.model.rowCount())
        if page.model.vendor(r).name == name
    )


def add_interactions(controller, vendor: int, count: int, ticket_id: int | None = None) -> None:
    """``count`` interactions an hour apart, alternating sent and received, e-mail and phone."""
    start = datetime(2024, 1, 1, 9, 0)
    rows = [
        {
            "vendor_id": vendor,
            "ticket_id": ticket_id if n % 3 == 0 else None,
            "occurred_at": start + timedelta(hours=n),
            "direction": m.Direction.INBOUND if n % 2 else m.Direction.OUTBOUND,
            "channel": m.InteractionChannel.EMAIL if n % 4 < 2 else m.InteractionChannel.PHONE,
            "subject": f"Message {n}",
            "body": f"Text of message {n}.",
            "created_at": start,
            "updated_at": start,
        }
        for n in range(count)
    ]
    with controller.session() as s:
        s.execute(insert(m.Interaction), rows)


# -- the vendor list ----------------------------------------------------------------------------
def test_the_list_filters_as_you_type_and_shows_the_first_match(page, qtbot, qtmodeltester):
    qtmodeltester.check(page.model)
    assert len(names(page)) == 20
    assert page.current_vendor_id() == page.model.vendor(0).id  # the first vendor is shown

    qtbot.keyClicks(page.filter, "tele")
    qtbot.waitUntil(lambda: names(page) == ["Telekom"], timeout=2000)
    # its page follows once typing pauses
    qtbot.waitUntil(lambda: page.current_vendor_id() == vendor_id(page.controller, "Telekom"))
    assert page.page.title.text() == "Telekom"

    page.filter.setText("  %  ")  # no wildcard: nobody's name contains a percent sign
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=2000)
    assert page.empty.isVisibleTo(page) and "%" in page.empty.text()
    assert page.current_vendor_id() is None

    page.filter.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 20, timeout=2000)


def test_sort_by_name_last_contact_and_attention(page):
    by_name = names(page)
    assert by_name == sorted(by_name, key=str.casefold)

    page.sort.setCurrentIndex(page.sort.findData("last_contact"))
    rows = [page.model.vendor(r) for r in range(page.model.rowCount())]
    assert rows[0].name == "Berg & Partner Steuerberatung"  # the visit two days ago
    contacted = [r.last_contact for r in rows if r.last_contact is not None]
    assert contacted == sorted(contacted, reverse=True)
    first_never = next(i for i, r in enumerate(rows) if r.last_contact is None)
    assert all(r.last_contact is None for r in rows[first_never:])  # never contacted: last

    page.sort.setCurrentIndex(page.sort.findData("attention"))
    scores = [
        page.model.data(page.model.index(r, 0), ATTENTION_ROLE)
        for r in range(page.model.rowCount())
    ]
    assert scores == sorted(scores, reverse=True) and scores[0] >= 2
    assert row_for(page, "Dyson").over_policy  # offers by text message, only e-mail allowed


def test_badges_show_open_tickets_and_warranties_ending_soon(page, controller):
    with controller.session() as s:
        for vendor in records.list_records(s, m.Vendor):
            open_tickets = [
                t
                for t in records.list_records(s, m.Ticket, vendor_id=vendor.id)
                if t.status in m.OPEN_TICKET_STATUSES
            ]
            row = page.model.row_of(vendor.id)
            index = page.model.index(row, 0)
            assert page.model.data(index, OPEN_TICKETS_ROLE) == len(open_tickets), vendor.name
    bosch = page.model.index(page.model.row_of(vendor_id(controller, "Bosch Home Appliances")), 0)
    assert bosch.data(EXPIRING_ROLE) == 1  # the maker's warranty on the dishwasher
    assert "1 open ticket" in bosch.data(Qt.ItemDataRole.AccessibleTextRole)

    sony = vendor_id(controller, "Sony")
    assert row_for(page, "Sony").open_tickets == 0
    with controller.session() as s:
        records.create(s, m.Ticket, vendor_id=sony, title="Remote does not pair")
    controller.notify({"ticket"})
    assert row_for(page, "Sony").open_tickets == 1
    assert "1 open ticket" in page.model.data(
        page.model.index(page.model.row_of(sony), 0), Qt.ItemDataRole.ToolTipRole
    )


# -- showing a vendor and a record --------------------------------------------------------------
def test_show_vendor_selects_it_and_switches_to_the_records_tab(page, controller):
    telekom = vendor_id(controller, "Telekom")
    with controller.session() as s:
        ticket = records.list_records(s, m.Ticket, vendor_id=telekom)[0].id
        letter = records.list_records(s, m.Interaction, vendor_id=telekom)[-1].id
        offer = records.list_records(s, m.Offer, vendor_id=telekom)[0].id
        agreement = records.list_records(s, m.Agreement, vendor_id=telekom)[1].id
        account = records.list_records(s, m.Account, vendor_id=telekom)[0].id
        channel = records.list_records(s, m.Channel, vendor_id=telekom)[0].id
    vp = page.page
    page.filter.setText("bosch")
    page._apply_filter()
    page.show_vendor(telekom)  # hidden by the filter: the filter goes
    assert page.filter.text() == "" and page.current_vendor_id() == telekom
    assert page.list.currentIndex().data(ROW_ROLE).id == telekom
    assert vp.title.text() == "Telekom"

    page.show_vendor(telekom, "ticket", ticket)
    assert vp.tabs.currentWidget() is vp.tickets and vp.tickets.current_id() == ticket
    page.show_vendor(telekom, "interaction", letter)
    assert vp.tabs.currentWidget() is vp.timeline and vp.timeline.current_id() == letter
    page.show_vendor(telekom, "offer", offer)
    assert vp.tabs.currentWidget() is vp.offers and vp.offers.current_id() == offer
    page.show_vendor(telekom, "agreement", agreement)
    assert vp.tabs.currentWidget() is vp.agreements and vp.agreements.current_id() == agreement
    page.show_vendor(telekom, "account", account)
    assert vp.tabs.currentWidget() is vp.overview
    assert vp.overview.lists["account"].current_id() == account
    page.show_vendor(telekom, "channel", channel)
    assert vp.overview.lists["channel"].current_id() == channel

    bosch = vendor_id(controller, "Bosch Home Appliances")
    page.show_vendor(bosch)
    assert page.current_vendor_id() == bosch and vp.title.text() == "Bosch Home Appliances"


def test_activating_a_ticket_shows_its_conversation_and_a_thing_opens_it(page, controller, qtbot):
    bosch = vendor_id(controller, "Bosch Home Appliances")
    with controller.session() as s:
        ticket = records.list_records(s, m.Ticket, vendor_id=bosch)[0].id
    page.show_vendor(bosch, "ticket", ticket)
    vp = page.page
    vp.tickets.table.activated.emit(vp.tickets.table.currentIndex())
    assert vp.tabs.currentWidget() is vp.timeline
    assert vp.timeline.model.filters["ticket_id"] == ticket
    assert vp.timeline.model.rowCount() == 5

    vp.tabs.setCurrentWidget(vp.things)
    dishwasher = vp.things.model.item(0)
    assert dishwasher.name == "Dishwasher" and dishwasher.warranty_state == "active"
    with qtbot.waitSignal(page.open_record) as signal:
        vp.things.table.activated.emit(vp.things.model.index(0, 0))
    assert signal.args == ["asset", dishwasher.id]


# -- the timeline ------------------------------------------------------------------------------
def test_timeline_model_fetches_page_by_page_newest_first(controller, qtmodeltester):
    with controller.session() as s:
        vendor = records.create(s, m.Vendor, name="Chatty Ltd").id
        ticket = records.create(s, m.Ticket, vendor_id=vendor, title="Endless case").id
    add_interactions(controller, vendor, 205, ticket)
    qtmodeltester.check(checked := TimelineModel(controller))
    checked.set_vendor(vendor)
    qtmodeltester.check(checked)
    model = TimelineModel(controller)
    model.set_vendor(vendor, {ticket: "Endless case"})
    sizes = [model.rowCount()]
    while model.canFetchMore():
        model.fetchMore()
        sizes.append(model.rowCount())
    assert sizes == [50, 100, 150, 200, 205]
    entries = [model.entry(r) for r in range(model.rowCount())]
    assert [e.subject for e in entries[:3]] == ["Message 204", "Message 203", "Message 202"]
    assert all(a.occurred_at >= b.occurred_at for a, b in pairwise(entries))
    assert len({e.id for e in entries}) == 205  # no gaps, no repeats
    flags = [model.data(model.index(r, 0), INBOUND_ROLE) for r in range(3)]
    assert flags == [False, True, False]  # 204 sent, 203 received, 202 sent

    model.set_filters(direction="inbound")
    assert model.rowCount() == 50 and all(model.entry(r).inbound for r in range(50))
    model.set_filters(channel="phone", direction="outbound")
    assert all(
        model.entry(r).channel == "phone" and not model.entry(r).inbound
        for r in range(model.rowCount())
    )
    model.set_filters(ticket_id=ticket)
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 69 and {model.entry(r).ticket_id for r in range(69)} == {ticket}
    qtmodeltester.check(model)
    model.clear()
    assert model.rowCount() == 0 and not model.canFetchMore()


def test_timeline_reads_twenty_thousand_interactions_a_page_at_a_time(controller, page):
    """Bounded work, counted in queries (benchmarks/gui.py measures the time)."""
    from sqlalchemy import event

    with controller.session() as s:
        vendor = records.create(s, m.Vendor, name="Big Telco").id
    add_interactions(controller, vendor, 20_000)
    with controller.session() as s:
        oldest = records.list_records(s, m.Interaction, vendor_id=vendor, limit=1, offset=19_990)[
            0
        ].id
    seen: list[str] = []

    def count(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if "interactions" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(controller.vault.engine, "before_cursor_execute", count)
    try:
        page.show_vendor(vendor)
        timeline = page.page.timeline.model
        assert timeline.rowCount() == 50  # only the first page is read
        seen.clear()
        timeline.fetchMore()
        assert timeline.rowCount() == 100 and len(seen) <= 2  # the next page, in a query
        # jumping to an old message reads down to it in one query, not page by page
        seen.clear()
        page.show_vendor(vendor, "interaction", oldest)
        assert page.page.timeline.current_id() == oldest
        assert page.page.timeline.list.currentIndex().row() == 19_990
        assert len(seen) <= 5, seen  # not the 400 pages down to it
    finally:
        event.remove(controller.vault.engine, "before_cursor_execute", count)


def test_timeline_view_filters_reset_and_keep_the_ticket_choice(page, controller):
    samsung = vendor_id(controller, "Samsung Electronics")
    page.show_vendor(samsung)
    view = page.page.timeline
    assert view.model.rowCount() == 4
    view.direction.setCurrentIndex(view.direction.findData("inbound"))
    assert view.model.rowCount() == 2
    view.channel.setCurrentIndex(view.channel.findData("chat"))
    assert view.model.rowCount() == 1
    view.channel.setCurrentIndex(view.channel.findData("letter"))
    assert view.model.rowCount() == 0 and view.empty.isVisibleTo(view)
    page.show_vendor(vendor_id(controller, "Bosch Home Appliances"))
    assert (
        view.channel.currentIndex() == 0 and view.direction.currentIndex() == 0
    )  # new vendor, no filters
    assert view.model.rowCount() == 5


# -- relationship health ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["Bosch Home Appliances", "MediaMarkt", "Finanzamt Mitte"])
def test_health_widget_shows_what_vendor_health_computes(page, controller, name):
    vendor = vendor_id(controller, name)
    page.show_vendor(vendor)
    widget = page.page.overview.health
    with controller.session() as s:
        expected = health.vendor_health(s, vendor)
    assert widget.health == expected
    assert widget.chart.months == expected.months
    assert widget.open_tickets.text() == str(expected.open_tickets)
    assert widget.offers.text().startswith(
        ("⚠ " if expected.over_policy else "") + str(expected.offers_last_year)
    )
    summary = widget.chart.accessibleDescription()
    received = sum(c.inbound for c in expected.months)
    sent = sum(c.outbound for c in expected.months)
    assert f"{received} from them, {sent} to them" in summary
    assert f"Open tickets {expected.open_tickets}" in widget.accessibleDescription()
    if expected.last_contact is None:
        assert widget.last_contact.text() == "never"
    else:
        assert f"{expected.last_contact:%d %b %Y}" in widget.last_contact.text()
    if expected.over_policy:
        assert "over your policy" in widget.offers.text()


# -- emptying and deleting ----------------------------------------------------------------------
def _models(page: VendorsPage) -> list:
    vp = page.page
    return [
        page.model,
        vp.things.model,
        vp.tickets.model,
        vp.offers.model,
        vp.agreements.model,
        vp.timeline.model,
        *(tab.model for tab in vp.overview.lists.values()),
    ]


def test_clear_and_lock_empty_every_model_and_view(page, controller, qtmodeltester):
    page.show_vendor(vendor_id(controller, "Telekom"))
    for model in _models(page):
        qtmodeltester.check(model)
    assert all(
        model.rowCount() for model in _models(page)[:6] if model is not page.page.things.model
    )
    page.clear()
    assert [model.rowCount() for model in _models(page)] == [0] * len(_models(page))
    assert page.current_vendor_id() is None and page.page.overview.health.health is None
    assert page.page.title.text() == "No vendor selected"

    controller.notify({"*"})
    page.show_vendor(vendor_id(controller, "Bosch Home Appliances"))
    controller.lock()  # the locked signal empties the page too
    assert [model.rowCount() for model in _models(page)] == [0] * len(_models(page))
    assert not page.model.canFetchMore() and not page.page.timeline.model.canFetchMore()


def test_a_ticket_deleted_from_its_tab_comes_back_with_undo(page, controller, monkeypatch):
    monkeypatch.setattr(buttons, "ask_action", lambda *a, **k: True)  # "Delete …" pressed
    samsung = vendor_id(controller, "Samsung Electronics")
    with controller.session() as s:
        ticket = records.list_records(s, m.Ticket, vendor_id=samsung)[0].id
    page.show_vendor(samsung, "ticket", ticket)
    tab = page.page.tickets
    assert tab.buttons["delete"].isEnabled()
    tab.buttons["delete"].click()
    assert tab.model.rowCount() == 0 and row_for(page, "Samsung Electronics").open_tickets == 0
    assert controller.undo_label.startswith("ticket")
    assert controller.undo_delete()
    assert tab.model.rowCount() == 1 and tab.model.item(0).id == ticket
    assert row_for(page, "Samsung Electronics").open_tickets == 1


def test_deleting_a_vendor_offers_the_cascade_and_undo_brings_it_back(
    page, controller, monkeypatch
):
    asked = []
    monkeypatch.setattr(buttons, "ask_action", lambda *a, **k: True)  # "Delete …" pressed
    monkeypatch.setattr(
        record_actions, "ask_cascade", lambda parent, title, reason: asked.append(reason) or True
    )
    telekom = vendor_id(controller, "Telekom")
    page.show_vendor(telekom)
    page.page.delete_button.click()
    assert asked and "still has" in asked[0] and "ticket" in asked[0]  # the InUseError's message
    assert "Telekom" not in names(page) and page.current_vendor_id() == vendor_id(
        controller, "Toyota Autohaus Krüger"
    )
    assert controller.undo_delete()
    assert "Telekom" in names(page)
    page.show_vendor(telekom, "agreement", None)
    assert page.page.agreements.model.rowCount() == 2


def test_a_vendor_with_records_stays_when_the_cascade_is_declined(page, controller, monkeypatch):
    monkeypatch.setattr(buttons, "ask_action", lambda *a, **k: True)  # "Delete …" pressed
    monkeypatch.setattr(record_actions, "ask_cascade", lambda *a: False)
    page.show_vendor(vendor_id(controller, "Telekom"))
    page.page.delete_vendor()
    assert "Telekom" in names(page) and controller.undo_label == ""


def test_the_splitter_and_sort_are_saved_and_restored(page, controller, qtbot):
    page.show()
    page.sort.setCurrentIndex(page.sort.findData("attention"))
    page.splitter.setSizes([400, 700])
    store = settings.qsettings()
    page.save_state(store)
    store.sync()
    again = VendorsPage(controller, Preferences())
    qtbot.addWidget(again)
    again.resize(page.size())
    again.show()
    assert again.sort.currentData() == "attention" and again.model.sort_key == "attention"
    assert again.splitter.sizes()[0] == page.splitter.sizes()[0] != 290


def test_share_ticks_what_is_selected_on_the_vendor_page(page, controller, monkeypatch):
    import vrmdesk.ui.share.wizard as share_wizard

    calls: list[tuple[int, dict]] = []
    monkeypatch.setattr(
        share_wizard, "share_with_vendor", lambda parent, ctrl, vid, **kw: calls.append((vid, kw))
    )
    bosch = vendor_id(controller, "Bosch Home Appliances")
    with controller.session() as s:
        ticket = s.query(m.Ticket).filter_by(vendor_id=bosch).first()
    page.show_vendor(bosch, "ticket", ticket.id)
    page.page.share()
    assert calls[-1] == (bosch, {"ticket_id": ticket.id})
    page.page.tabs.setCurrentWidget(page.page.overview)
    page.page.share()
    assert calls[-1] == (bosch, {})

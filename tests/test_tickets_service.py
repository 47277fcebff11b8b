"""Tickets across vendors (no Qt): the list's filters, sorting, pages and count; one ticket's view
and conversation; logging on a ticket and quick capture, each in one unit of work."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from vrmdesk.errors import NotFound, ValidationError
from vrmdesk.store import models as m
from vrmdesk.store.services import records, tags, tickets
from vrmdesk.store.services.tickets import TicketFilter

TODAY = date.today()
EVERY = TicketFilter(state=None)


def ticket(session: Session, reference: str) -> m.Ticket:
    return session.scalars(select(m.Ticket).where(m.Ticket.reference == reference)).one()


def titles(rows: list[tickets.TicketListRow]) -> list[str]:
    return [r.title for r in rows]


def test_the_list_spans_every_vendor_and_shows_unresolved_ones_by_default(demo_vault):
    with demo_vault.session() as s:
        rows = tickets.ticket_page(s)
        assert {r.vendor for r in rows} == {
            "Bosch Home Appliances",
            "Samsung Electronics",
            "Telekom",
        }
        assert all(r.is_open for r in rows)
        assert tickets.count_tickets(s) == len(rows) == 3
        assert tickets.count_tickets(s, EVERY) == 4  # the resolved Hetzner ticket too
        resolved = tickets.ticket_page(s, TicketFilter(state="resolved"))
        assert [r.vendor for r in resolved] == ["Hetzner Online"]


def test_sorted_by_follow_up_date_soonest_first_and_undated_ones_last(demo_vault):
    with demo_vault.session() as s:
        rows = tickets.ticket_page(s, EVERY)
        assert [r.follow_up_on for r in rows[:3]] == [
            TODAY - timedelta(days=1),
            TODAY,
            TODAY + timedelta(days=2),
        ]
        assert rows[-1].follow_up_on is None
        backwards = tickets.ticket_page(s, EVERY, descending=True)
        assert backwards[0].follow_up_on == TODAY + timedelta(days=2)
        assert backwards[-1].follow_up_on is None  # still last


@pytest.mark.parametrize("sort", tickets.SORTS)
def test_every_column_sorts_both_ways(demo_vault, sort):
    with demo_vault.session() as s:
        up = tickets.ticket_page(s, EVERY, sort=sort)
        down = tickets.ticket_page(s, EVERY, sort=sort, descending=True)
    assert len(up) == len(down) == 4
    if sort == "vendor":
        assert [r.vendor for r in up] == sorted((r.vendor for r in up), key=str.casefold)
        assert [r.vendor for r in down] == [r.vendor for r in reversed(up)]
    if sort == "opened":
        assert [r.opened_on for r in up] == sorted(r.opened_on for r in up)


def test_filters_by_vendor_thing_tag_and_overdue_follow_up(demo_vault):
    with demo_vault.session() as s:
        bosch = ticket(s, "BSH-4471-2291-08")
        samsung = ticket(s, "SEG-2211-903771")
        by_vendor = tickets.ticket_page(s, TicketFilter(state=None, vendor_id=bosch.vendor_id))
        assert [r.id for r in by_vendor] == [bosch.id]
        by_thing = tickets.ticket_page(s, TicketFilter(state=None, asset_id=samsung.asset_id))
        assert [r.id for r in by_thing] == [samsung.id]
        assert by_thing[0].thing == "Fridge freezer"
        tags.add_tag(s, samsung, "warranty claim")
        tags.add_tag(s, records.get(s, m.Asset, bosch.asset_id), "warranty claim")  # not a ticket
        tagged = tickets.ticket_page(s, TicketFilter(state=None, tag="warranty claim"))
        assert [r.id for r in tagged] == [samsung.id]
        overdue = tickets.ticket_page(s, TicketFilter(overdue=True))
        assert titles(overdue) == [
            "Dishwasher stops with error E24",
            "Billed twice for the fibre line in October",
        ]
        assert all(r.follow_up_due() for r in overdue)
        assert tickets.count_tickets(s, TicketFilter(overdue=True)) == 2
        # a resolved ticket is never overdue, whatever its date says
        records.update(s, m.Ticket, bosch.id, status="resolved")
        assert tickets.count_tickets(s, TicketFilter(state=None, overdue=True)) == 1
        choices = tickets.filter_choices(s)
        assert [n for _, n in choices.vendors] == sorted(
            ["Bosch Home Appliances", "Samsung Electronics", "Telekom", "Hetzner Online"]
        )
        assert "Fridge freezer" in [n for _, n in choices.things]
        assert choices.tags == ["warranty claim"]


def test_a_state_or_sort_there_is_not_is_refused_with_its_field(demo_vault):
    with demo_vault.session() as s:
        with pytest.raises(ValidationError) as state:
            tickets.ticket_page(s, TicketFilter(state="lost"))
        assert state.value.field == "state"
        with pytest.raises(ValidationError) as sort:
            tickets.ticket_page(s, sort="colour")
        assert sort.value.field == "sort"


def _many_tickets(session: Session, count: int) -> int:
    vendor = records.create(session, m.Vendor, name="Big Vendor")
    session.execute(
        insert(m.Ticket),
        [
            {
                "vendor_id": vendor.id,
                "title": f"Ticket {n:05d}",
                "reference": f"R{n}",
                "status": m.TicketStatus.OPEN,
                "opened_on": TODAY - timedelta(days=n % 900),
                "follow_up_on": TODAY + timedelta(days=n % 50) if n % 3 else None,
                "notes": "",
                "created_at": datetime(2024, 1, 1),
                "updated_at": datetime(2024, 1, 1),
            }
            for n in range(count)
        ],
    )
    return vendor.id


class Selects:
    def __init__(self, session: Session) -> None:
        self.engine = session.get_bind()
        self.seen: list[str] = []

    def _count(self, _conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            self.seen.append(statement)

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self.seen

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def test_a_page_is_bounded_and_costs_one_query_however_many_tickets(demo_vault):
    with demo_vault.session() as s:
        _many_tickets(s, 3000)
        with Selects(s) as seen:
            first = tickets.ticket_page(s, limit=100)
        assert len(first) == 100 and len(seen) == 2  # the page's ids, then its rows
        second = tickets.ticket_page(s, offset=100, limit=100)
        assert not {r.id for r in first} & {r.id for r in second}
        assert tickets.count_tickets(s) == 3003
        # pages follow each other in the sort order
        days = [r.follow_up_on for r in first + second]
        assert days == sorted(days, key=lambda d: (d is None, d))


def test_the_things_filter_offers_the_things_with_tickets_of_the_vendor_chosen(demo_vault):
    with demo_vault.session() as s:
        samsung = ticket(s, "SEG-2211-903771")
        everything = [n for _, n in tickets.thing_choices(s)]
        assert "Fridge freezer" in everything and "Dishwasher" in everything
        assert tickets.thing_choices(s, samsung.vendor_id) == [(samsung.asset_id, "Fridge freezer")]
        assert tickets.filter_choices(s, with_things=False).things == []


def test_one_tickets_view_and_its_conversation_newest_last(demo_vault):
    with demo_vault.session() as s:
        bosch = ticket(s, "BSH-4471-2291-08")
        tags.add_tag(s, bosch, "warranty claim")
        detail = tickets.ticket_detail(s, bosch.id)
        assert (detail.vendor, detail.thing, detail.reference, detail.status) == (
            "Bosch Home Appliances",
            "Dishwasher",
            "BSH-4471-2291-08",
            "waiting_on_vendor",
        )
        assert detail.tags == ("warranty claim",) and detail.follow_up_due()
        talk = tickets.conversation(s, bosch.id)
        linked = s.scalar(select(func.count()).where(m.Interaction.ticket_id == bosch.id))
        assert talk.total == len(talk.entries) == linked > 1
        times = [e.occurred_at for e in talk.entries]
        assert times == sorted(times)
        few = tickets.conversation(s, bosch.id, limit=1)
        assert few.total == linked and [e.id for e in few.entries] == [talk.entries[-1].id]
        with pytest.raises(NotFound):
            tickets.ticket_detail(s, 99999)


def test_logging_a_call_records_it_and_changes_the_ticket_in_one_step(demo_vault):
    with demo_vault.session() as s:
        bosch = ticket(s, "BSH-4471-2291-08")
        logged = tickets.log_on_ticket(
            s,
            bosch.id,
            {
                "channel": "phone",
                "direction": "outbound",
                "subject": "Called the hotline",
                "body": "They send a technician.",
            },
            {"status": "waiting_on_me", "follow_up_on": TODAY + timedelta(days=7)},
        )
        ticket_id, asset_id, vendor_id = bosch.id, bosch.asset_id, bosch.vendor_id
    with demo_vault.session() as s:
        saved = records.get(s, m.Interaction, logged.interaction_id)
        assert (saved.ticket_id, saved.vendor_id, saved.asset_id) == (
            ticket_id,
            vendor_id,
            asset_id,
        )
        assert saved.channel == m.InteractionChannel.PHONE
        again = records.get(s, m.Ticket, ticket_id)
        assert again.status == m.TicketStatus.WAITING_ON_ME
        assert again.follow_up_on == TODAY + timedelta(days=7)
        assert (logged.status, logged.follow_up_on) == ("waiting_on_me", again.follow_up_on)
        # closing it on the same call: closed today, the follow-up cleared
        tickets.log_on_ticket(
            s,
            ticket_id,
            {"channel": "email", "direction": "inbound", "subject": "Fixed"},
            {"status": "closed", "follow_up_on": None},
        )
        closed = records.get(s, m.Ticket, ticket_id)
        assert closed.closed_on == TODAY and closed.follow_up_on is None


def test_a_refused_log_writes_neither_the_interaction_nor_the_ticket(demo_vault):
    with demo_vault.session() as s:
        bosch = ticket(s, "BSH-4471-2291-08")
        ticket_id, before_status = bosch.id, bosch.status
        before = s.scalar(select(func.count()).select_from(m.Interaction))
    for interaction, changes, field in (
        (
            {"channel": "phone", "direction": "inbound", "subject": "x"},
            {"status": "lost"},
            "status",
        ),
        ({"channel": "phone", "direction": "inbound"}, {"status": "closed"}, "body"),
        ({"channel": "fax", "direction": "inbound", "subject": "x"}, {}, "channel"),
        ({"channel": "phone", "direction": "inbound", "subject": "x"}, {"title": "y"}, "title"),
        (
            {"channel": "phone", "direction": "inbound", "subject": "x"},
            {"follow_up_on": "next week"},
            "follow_up_on",
        ),
    ):
        with pytest.raises(ValidationError) as refused, demo_vault.session() as s:
            tickets.log_on_ticket(s, ticket_id, interaction, changes)
        assert refused.value.field == field
    with demo_vault.session() as s:
        assert s.scalar(select(func.count()).select_from(m.Interaction)) == before
        assert records.get(s, m.Ticket, ticket_id).status == before_status


def test_quick_capture_sets_its_tickets_follow_up_and_refuses_one_without_a_ticket(demo_vault):
    with demo_vault.session() as s:
        telekom = ticket(s, "TD-CASE-88172")
        values = {
            "vendor_id": telekom.vendor_id,
            "ticket_id": telekom.id,
            "channel": "phone",
            "direction": "outbound",
            "subject": "Asked again",
            "follow_up_on": TODAY + timedelta(days=3),
        }
        captured = tickets.capture(s, values)
        assert captured.vendor == "Telekom"
        assert records.get(s, m.Ticket, telekom.id).follow_up_on == TODAY + timedelta(days=3)
        with pytest.raises(ValidationError) as no_ticket:
            tickets.capture(s, {**values, "ticket_id": None})
        assert no_ticket.value.field == "follow_up_on"
        other = ticket(s, "BSH-4471-2291-08")
        with pytest.raises(ValidationError) as elsewhere:
            tickets.capture(s, {**values, "ticket_id": other.id})
        assert elsewhere.value.field == "ticket_id"
        plain = tickets.capture(s, {**values, "ticket_id": None, "follow_up_on": None})
        assert records.get(s, m.Interaction, plain.id).ticket_id is None


def test_what_quick_capture_starts_with_follows_the_selection(demo_vault):
    with demo_vault.session() as s:
        samsung = ticket(s, "SEG-2211-903771")
        from_ticket = tickets.capture_context(s, ticket_id=samsung.id)
        assert from_ticket == (
            samsung.vendor_id,
            samsung.asset_id,
            samsung.id,
            samsung.follow_up_on,
        )
        fridge = records.get(s, m.Asset, samsung.asset_id)
        from_thing = tickets.capture_context(s, asset_id=fridge.id)
        assert from_thing.vendor_id == (fridge.maker_id or fridge.seller_id)
        assert from_thing.asset_id == fridge.id and from_thing.ticket_id is None
        shown = records.find_vendor(s, "Telekom").id
        assert tickets.capture_context(s, vendor_id=shown, asset_id=fridge.id).vendor_id == shown
        assert (
            tickets.capture_context(s, vendor_id=99999, ticket_id=88888) == tickets.CaptureContext()
        )

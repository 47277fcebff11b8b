"""Done and Snooze on the home page's items: what each does, that it lasts, that it lapses."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from vrmdesk.errors import NotFound, ValidationError
from vrmdesk.store import models as m
from vrmdesk.store.services import dashboard, marks, records, undo
from vrmdesk.store.vault import Vault

ON = date(2026, 6, 10)


@pytest.fixture
def board(vault: Vault) -> dict[str, int]:
    """One item of each section on ``ON``; their ids by section."""
    with vault.session() as s:
        kettle = records.create(s, m.Asset, name="Kettle", purchase_date=date(2025, 1, 1))
        bosch = records.create(s, m.Vendor, name="Bosch")
        pushy = records.create(s, m.Vendor, name="Pushy", max_offers_per_year=0)
        records.create(s, m.Offer, vendor_id=pushy.id, channel="email", content="Buy!")
        warranty = records.create(
            s, m.Warranty, asset_id=kettle.id, title="Two years", end_date=ON + timedelta(10)
        )
        ticket = records.create(
            s,
            m.Ticket,
            vendor_id=bosch.id,
            title="Leaks",
            opened_on=ON - timedelta(40),
            status="waiting_on_vendor",
            follow_up_on=ON - timedelta(3),
        )
        agreement = records.create(
            s,
            m.Agreement,
            vendor_id=bosch.id,
            title="Care plan",
            started_on=date(2025, 1, 1),
            renews_on=ON + timedelta(30),
            notice_days=20,
        )
        service = records.create(
            s,
            m.ServiceEvent,
            asset_id=kettle.id,
            performed_on=date(2025, 12, 1),
            description="Descale",
            interval_months=6,
            performed_by="me",
        )
        return {
            "warranties": warranty.id,
            "follow_ups": ticket.id,
            "waiting": ticket.id,
            "notices": agreement.id,
            "service": service.id,
            "over_policy": pushy.id,
        }


def ids(vault: Vault, on: date = ON) -> dict[str, list[int]]:
    with vault.session() as s:
        board = dashboard.attention(s, on=on)
    return {name: [item.id for item in getattr(board, name)] for name in dashboard.SECTIONS}


def test_every_section_has_its_item(vault, board):
    assert ids(vault) == {name: [record_id] for name, record_id in board.items()}


def test_a_follow_up_done_clears_its_date_and_the_ticket_stays_open(vault, board):
    with vault.session() as s:
        outcome = marks.done(s, "follow_ups", board["follow_ups"], on=ON)
    assert "follow-up date is cleared" in outcome.message and outcome.kinds == {"ticket"}
    with vault.session() as s:
        ticket = s.get(m.Ticket, board["follow_ups"])
        assert ticket.follow_up_on is None and ticket.status == m.TicketStatus.WAITING_ON_VENDOR
    assert ids(vault)["follow_ups"] == [] and ids(vault)["waiting"] == [board["waiting"]]


def test_a_service_done_is_recorded_today_and_due_again_after_its_interval(vault, board):
    with vault.session() as s:
        outcome = marks.done(s, "service", board["service"], on=ON)
    assert "next due 10 Dec 2026" in outcome.message
    with vault.session() as s:
        newest = s.scalars(select(m.ServiceEvent).order_by(m.ServiceEvent.id.desc())).first()
        assert (newest.performed_on, newest.next_due) == (ON, date(2026, 12, 10))
        assert (newest.description, newest.performed_by, newest.interval_months) == (
            "Descale",
            "me",
            6,
        )
    assert ids(vault)["service"] == []
    assert ids(vault, on=date(2026, 12, 1))["service"] == [newest.id]  # due again


def test_a_one_off_service_done_is_not_due_again(vault, board):
    with vault.session() as s:
        records.update(s, m.ServiceEvent, board["service"], interval_months=None)
        outcome = marks.done(s, "service", board["service"], on=ON)
    assert "next due" not in outcome.message
    assert ids(vault, on=date(2030, 1, 1))["service"] == []


def test_a_service_done_on_the_day_it_was_performed_moves_that_one_on(vault, board):
    with vault.session() as s:
        records.update(s, m.ServiceEvent, board["service"], performed_on=ON, next_due=ON)
        marks.done(s, "service", board["service"], on=ON)
        assert s.get(m.ServiceEvent, board["service"]).next_due == date(2026, 12, 10)
        assert s.scalar(select(func.count()).select_from(m.ServiceEvent)) == 1


@pytest.mark.parametrize("section", ["warranties", "waiting", "notices", "over_policy"])
def test_done_elsewhere_acknowledges_until_the_item_changes(vault, board, section):
    with vault.session() as s:
        outcome = marks.done(s, section, board[section], on=ON)
    assert outcome.message.startswith("Acknowledged")
    assert ids(vault)[section] == []
    assert ids(vault, on=ON + timedelta(days=5))[section] == []  # for good
    others = {name for name in dashboard.SECTIONS if name != section}
    assert all(ids(vault)[name] for name in others)  # only that one


def test_a_warranty_acknowledged_shows_again_when_its_end_changes(vault, board):
    with vault.session() as s:
        marks.done(s, "warranties", board["warranties"], on=ON)
    with vault.session() as s:
        records.update(s, m.Warranty, board["warranties"], end_date=ON + timedelta(20))
    assert ids(vault)["warranties"] == [board["warranties"]]


def test_a_vendor_acknowledged_shows_again_with_another_offer(vault, board):
    with vault.session() as s:
        marks.done(s, "over_policy", board["over_policy"], on=ON)
    with vault.session() as s:
        records.create(s, m.Offer, vendor_id=board["over_policy"], channel="email", content="2")
    assert ids(vault)["over_policy"] == [board["over_policy"]]


def test_snooze_hides_until_the_day_and_no_longer(vault, board):
    until = ON + timedelta(days=3)
    with vault.session() as s:
        outcome = marks.snooze(s, "notices", board["notices"], until, on=ON)
    assert outcome.message == "Snoozed “Care plan” until Sat 13 Jun 2026."
    assert ids(vault)["notices"] == [] and ids(vault, ON + timedelta(days=2))["notices"] == []
    assert ids(vault, until)["notices"] == [board["notices"]]
    with vault.session() as s:  # snoozing again replaces the mark, it does not add one
        marks.snooze(s, "notices", board["notices"], until + timedelta(days=1), on=ON)
        assert s.scalar(select(func.count()).select_from(m.AttentionMark)) == 1
    assert ids(vault, until)["notices"] == []


def test_the_whole_dashboard_leaves_out_what_is_hidden_too(vault, board):
    """Reminders and ``vrmdesk info`` read ``dashboard.dashboard``: a snooze holds there."""
    with vault.session() as s:
        marks.snooze(s, "warranties", board["warranties"], ON + timedelta(days=1), on=ON)
        marks.done(s, "over_policy", board["over_policy"], on=ON)
        whole = dashboard.dashboard(s, on=ON)
    assert whole.expiring_warranties == [] and whole.over_policy == []


def test_a_snooze_to_today_or_before_is_refused_and_changes_nothing(vault, board):
    with vault.session() as s:
        with pytest.raises(ValidationError, match="a day after today"):
            marks.snooze(s, "warranties", board["warranties"], ON, on=ON)
        assert s.scalar(select(func.count()).select_from(m.AttentionMark)) == 0


def test_unknown_sections_and_records_are_refused(vault, board):
    with vault.session() as s:
        with pytest.raises(NotFound):
            marks.done(s, "nonsense", 1, on=ON)
        with pytest.raises(NotFound):
            marks.snooze(s, "warranties", 9999, ON + timedelta(days=1), on=ON)


def test_a_vendor_within_my_policy_cannot_be_acknowledged(vault, board):
    with vault.session() as s:
        bosch = records.find_vendor(s, "Bosch").id
        with pytest.raises(ValidationError, match="keeps to my contact policy"):
            marks.done(s, "over_policy", bosch, on=ON)


def test_overdue_items_are_marked_and_come_first(vault, board):
    with vault.session() as s:
        bosch = records.find_vendor(s, "Bosch").id
        records.create(s, m.Ticket, vendor_id=bosch, title="Later", opened_on=ON, follow_up_on=ON)
        board_now = dashboard.attention(s, on=ON)
    follow_ups = board_now.follow_ups
    assert [(t.what, t.overdue) for t in follow_ups] == [("Leaks", True), ("Later", False)]
    assert [e.overdue for e in board_now.service] == [True]
    assert not any(w.overdue for w in board_now.warranties)


def test_the_snooze_days_offered():
    assert marks.snooze_days(date(2026, 1, 31)) == [
        ("tomorrow", date(2026, 2, 1)),
        ("next week", date(2026, 2, 7)),
        ("next month", date(2026, 2, 28)),
    ]


@pytest.mark.parametrize("section", ["follow_ups", "service", "warranties", "over_policy"])
def test_every_done_is_undone_and_redone_by_its_step(vault, board, section):
    with vault.session() as s:
        before = dashboard.attention(s, on=ON)
        step = marks.done(s, section, board[section], on=ON).step
    assert step.action.startswith("Done on “")
    assert ids(vault)[section] == []
    with vault.session() as s:
        undo.undo_step(s, step, attachments=vault.attachments)
    with vault.session() as s:
        assert dashboard.attention(s, on=ON) == before
        assert s.scalar(select(func.count()).select_from(m.AttentionMark)) == 0
    with vault.session() as s:
        undo.redo_step(s, step, attachments=vault.attachments)
    assert ids(vault)[section] == []


def test_a_snooze_over_a_snooze_is_undone_to_the_first(vault, board):
    first, second = ON + timedelta(days=3), ON + timedelta(days=9)
    with vault.session() as s:
        marks.snooze(s, "notices", board["notices"], first, on=ON)
        step = marks.snooze(s, "notices", board["notices"], second, on=ON).step
    assert step.action == "snooze of “Care plan”"
    with vault.session() as s:
        undo.undo_step(s, step)
        (mark,) = s.scalars(select(m.AttentionMark))
        assert mark.until == first


def test_a_waiting_ticket_acknowledged_shows_again_after_a_new_word_and_a_new_wait(vault, board):
    with vault.session() as s:
        marks.done(s, "waiting", board["waiting"], on=ON)
    with vault.session() as s:
        records.create(
            s,
            m.Interaction,
            vendor_id=s.get(m.Ticket, board["waiting"]).vendor_id,
            ticket_id=board["waiting"],
            direction="inbound",
            channel="email",
            subject="We are looking into it",
            occurred_at=datetime.combine(ON, time(9)),
        )
    assert ids(vault)["waiting"] == []  # the vendor wrote: not waiting too long now
    later = ON + timedelta(days=20)
    assert ids(vault, later)["waiting"] == [board["waiting"]]  # too long again: shown

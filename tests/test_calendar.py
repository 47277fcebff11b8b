"""The deadlines as an iCalendar file: read back by a second, independent parser (vobject),
stable UIDs and bytes, reminders at the lead times, and nothing beyond titles unless asked."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import vobject

from vrmdesk.interchange import calendar
from vrmdesk.store import demo
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.services.dashboard import Lead
from vrmdesk.store.vault import Vault


@pytest.fixture
def demo_vault(vault: Vault) -> Vault:
    with vault.session() as s:
        demo.build(s, vault.attachments)
    return vault


def ics(vault: Vault, **kw: object) -> bytes:
    with vault.session() as s:
        return calendar.calendar_bytes(s, vault.header.vault_id, **kw)  # type: ignore[arg-type]


def test_every_future_deadline_is_an_event_another_parser_reads(demo_vault):
    parsed = vobject.readOne(ics(demo_vault).decode("utf-8"))
    events = parsed.vevent_list
    with demo_vault.session() as s:
        warranties = (
            s.query(m.Warranty)
            .filter(m.Warranty.void.is_(False), m.Warranty.ends_on >= date.today())
            .count()
        )
    assert sum(e.categories.value == ["Warranty"] for e in events) == warranties
    kinds = {e.categories.value[0] for e in events}
    assert kinds == {"Warranty", "Agreement", "Ticket", "Service"}
    assert all(e.dtstart.value >= date.today() for e in events)
    assert all(e.dtend.value == e.dtstart.value + timedelta(days=1) for e in events)
    assert len({e.uid.value for e in events}) == len(events)


def test_reminders_come_at_the_lead_times_set(demo_vault):
    lead = Lead(warranty_days=21, notice_days=9, service_days=3)
    events = vobject.readOne(ics(demo_vault, lead=lead).decode()).vevent_list
    triggers = {e.categories.value[0]: e.valarm.trigger.value for e in events}
    assert triggers["Warranty"] == timedelta(days=-21)
    assert triggers["Agreement"] == timedelta(days=-9)
    assert triggers["Service"] == timedelta(days=-3)
    assert triggers["Ticket"] == timedelta(0)


def test_the_same_vault_writes_the_same_file_so_a_calendar_updates_instead_of_duplicating(
    demo_vault,
):
    first, second = ics(demo_vault), ics(demo_vault)
    assert first == second
    with demo_vault.session() as s:
        ticket = s.query(m.Ticket).filter(m.Ticket.follow_up_on.is_not(None)).first()
        records.update(s, m.Ticket, ticket.id, follow_up_on=date.today() + timedelta(days=40))
        uid = f"ticket-{ticket.id}-follow-up.{demo_vault.header.vault_id}@vrmdesk"
    after = vobject.readOne(ics(demo_vault).decode()).vevent_list
    moved = [e for e in after if e.uid.value == uid]
    assert len(moved) == 1 and moved[0].dtstart.value == date.today() + timedelta(days=40)


def test_titles_only_leaves_out_vendor_names_and_notes(demo_vault):
    with demo_vault.session() as s:
        vendors = [v.name for v in s.query(m.Vendor)]
        notes = [w.how_to_claim for w in s.query(m.Warranty) if w.how_to_claim]
    plain = ics(demo_vault, detail="titles").decode()
    unfolded = plain.replace("\r\n ", "")
    added = [f"({name})" for name in vendors] + [f"from {name}" for name in vendors]
    assert not any(text in unfolded for text in added)  # only titles the person wrote remain
    assert not any(note in unfolded for note in notes)
    full = ics(demo_vault, detail="full").decode().replace("\r\n ", "")
    assert any(text in full for text in added) and any(note in full for note in notes)


def test_write_calendar_replaces_the_file_whole(demo_vault, tmp_path):
    (tmp_path / "cal").mkdir()
    out = tmp_path / "cal" / "deadlines.ics"
    out.write_text("an older calendar")
    with demo_vault.session() as s:
        count = calendar.write_calendar(s, demo_vault.header.vault_id, out)
    assert count > 0 and out.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert [p.name for p in out.parent.iterdir()] == ["deadlines.ics"]

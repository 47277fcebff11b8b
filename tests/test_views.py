"""The read-only views behind the vendor pages (no Qt): the vendor list and a vendor's tables."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from vrmdesk.store import models as m
from vrmdesk.store.services import records, rules, timeline, vendor_tables, views
from vrmdesk.store.services.dashboard import Lead

TODAY = date.today()


def test_vendor_rows_filter_by_name_without_wildcards_and_page(vault):
    with vault.session() as s:
        for name in ("Acme", "ACME Parts", "Bolt_Co", "Bolts 100%", "Zed"):
            records.create(s, m.Vendor, name=name)
    with vault.session() as s:
        assert [r.name for r in views.vendor_rows(s, "acme")] == ["Acme", "ACME Parts"]
        assert [r.name for r in views.vendor_rows(s, "_")] == ["Bolt_Co"]
        assert [r.name for r in views.vendor_rows(s, "%")] == ["Bolts 100%"]
        every = [r.name for r in views.vendor_rows(s)]
        pages = [
            r.name
            for offset in range(0, 5, 2)
            for r in views.vendor_rows(s, offset=offset, limit=2)
        ]
        assert pages == every == sorted(every, key=str.casefold)


def test_vendor_rows_count_what_needs_attention(vault):
    with vault.session() as s:
        busy = records.create(s, m.Vendor, name="Busy", max_offers_per_year=1)
        quiet = records.create(s, m.Vendor, name="Quiet", allowed_channels=["email"])
        records.create(s, m.Vendor, name="Calm")
        thing = records.create(
            s, m.Asset, name="Kettle", maker_id=busy.id, purchase_date=TODAY - timedelta(days=700)
        )
        records.create(s, m.Warranty, asset_id=thing.id, provider_id=busy.id, months=24)
        records.create(s, m.Ticket, vendor_id=busy.id, title="Late", follow_up_on=TODAY)
        records.create(s, m.Ticket, vendor_id=busy.id, title="Mine", status="waiting_on_me")
        records.create(s, m.Ticket, vendor_id=busy.id, title="Done", status="closed")
        records.create(
            s, m.Agreement, vendor_id=busy.id, title="Plan", renews_on=TODAY + timedelta(days=20)
        )
        for _ in range(2):
            records.create(s, m.Offer, vendor_id=busy.id, channel="email")
        records.create(s, m.Offer, vendor_id=quiet.id, channel="phone")
        records.create(
            s,
            m.Interaction,
            vendor_id=quiet.id,
            direction="inbound",
            channel="email",
            subject="Hi",
            occurred_at=datetime(2030, 1, 1),
        )
    with vault.session() as s:
        rows = {r.name: r for r in views.vendor_rows(s, lead=Lead(warranty_days=60))}
        b = rows["Busy"]
        assert (
            b.open_tickets,
            b.expiring_warranties,
            b.follow_ups_due,
            b.waiting_on_me,
            b.notices_due,
        ) == (2, 1, 1, 1, 1)
        assert b.over_policy and b.attention == 5
        assert rows["Quiet"].over_policy and rows["Quiet"].off_channel_offers == 1
        assert rows["Calm"].attention == 0 and rows["Calm"].last_contact is None
        assert [r.name for r in views.vendor_rows(s, sort="attention")] == ["Busy", "Quiet", "Calm"]
        assert next(r.name for r in views.vendor_rows(s, sort="last_contact")) == "Quiet"


def test_vendor_tables(vault):
    with vault.session() as s:
        v = records.create(s, m.Vendor, name="Shop", allowed_channels=["email"])
        both = records.create(
            s,
            m.Asset,
            name="Radio",
            maker_id=v.id,
            seller_id=v.id,
            purchase_date=TODAY - timedelta(days=30),
        )
        records.create(s, m.Warranty, asset_id=both.id, title="Old", months=1, void=True)
        records.create(s, m.Warranty, asset_id=both.id, title="Long", months=36)
        closed = records.create(
            s,
            m.Ticket,
            vendor_id=v.id,
            title="Closed",
            status="closed",
            opened_on=TODAY - timedelta(days=9),
        )
        open_ = records.create(
            s, m.Ticket, vendor_id=v.id, title="Open", opened_on=TODAY - timedelta(days=20)
        )
        records.create(
            s,
            m.Interaction,
            vendor_id=v.id,
            ticket_id=open_.id,
            direction="outbound",
            channel="email",
            subject="Help",
        )
        records.create(s, m.Offer, vendor_id=v.id, channel="email", content="Fine")
        records.create(s, m.Offer, vendor_id=v.id, channel="social", content="Not fine")
        records.create(
            s, m.Agreement, vendor_id=v.id, title="Care plan", cost_minor=999, currency="EUR"
        )
    with vault.session() as s:
        (thing,) = vendor_tables.vendor_things(s, v.id)
        assert thing.role == "maker and seller" and thing.warranty_state == "active"
        assert thing.warranty_ends == rules.add_months(TODAY - timedelta(days=30), 36)
        assert len(thing.warranties) == 2
        tickets = vendor_tables.vendor_tickets(s, v.id)
        assert [t.id for t in tickets] == [open_.id, closed.id]  # open first, though older
        assert tickets[0].messages == 1 and tickets[0].is_open and not tickets[1].is_open
        offers = {o.content: o.allowed_channel for o in vendor_tables.vendor_offers(s, v.id)}
        assert offers == {"Fine": True, "Not fine": False}
        (agreement,) = vendor_tables.vendor_agreements(s, v.id)
        assert agreement.cost == "9.99 EUR"
        assert [i.title for i in views.vendor_items(s, v.id, "contact")] == []


def test_timeline_position_matches_the_paged_timeline(vault):
    with vault.session() as s:
        v = records.create(s, m.Vendor, name="Talker")
        for n in range(30):
            records.create(
                s,
                m.Interaction,
                vendor_id=v.id,
                direction="inbound" if n % 2 else "outbound",
                channel="email",
                subject=f"m{n}",
                occurred_at=datetime(2024, 1, 1) + timedelta(hours=n // 2),
            )
    with vault.session() as s:
        for direction in (None, "inbound"):
            rows = timeline.timeline(s, v.id, limit=100, direction=direction).items
            for row, item in enumerate(rows):
                assert views.timeline_position(s, v.id, item.id, direction=direction) == row
        outbound = timeline.timeline(s, v.id, limit=1, direction="outbound").items[0]
        assert views.timeline_position(s, v.id, outbound.id, direction="inbound") is None

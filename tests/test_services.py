"""The services the GUI and the CLI share: validation, derived fields, dashboard, timeline and
search."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from vrmdesk.errors import InUseError, NotFound, ValidationError
from vrmdesk.store import keys
from vrmdesk.store import models as m
from vrmdesk.store.services import dashboard, records, rules, search, tags, timeline
from vrmdesk.store.vault import Vault

TODAY = date.today()


@pytest.fixture
def v(tmp_path: Path):
    vault, _ = Vault.create(tmp_path / "vault", "pw", kdf=keys.fast_params_for_tests())
    yield vault
    vault.close()


def make_vendor(s, name="Bosch", **kw):
    return records.create(s, m.Vendor, name=name, **kw)


def test_a_vendor_needs_a_name_and_nothing_is_written(v):
    with pytest.raises(ValidationError) as err, v.session() as s:
        records.create(s, m.Vendor, name="   ")
    assert err.value.field == "name"
    assert "name" in str(err.value)
    with v.session() as s:
        assert records.list_records(s, m.Vendor) == []


def test_vendor_names_are_unique_whatever_the_case(v):
    with v.session() as s:
        make_vendor(s, "Bosch")
    with pytest.raises(ValidationError, match="already"), v.session() as s:
        make_vendor(s, "BOSCH")


def test_unknown_field_enum_value_and_bad_date_are_refused(v):
    with v.session() as s:
        with pytest.raises(ValidationError, match="no field"):
            records.create(s, m.Vendor, name="A", colour="red")
        with pytest.raises(ValidationError, match="choose from") as err:
            records.create(s, m.Vendor, name="B", vendor_kind="friend")
        assert err.value.field == "vendor_kind"
        with pytest.raises(ValidationError, match="YYYY-MM-DD"):
            records.create(s, m.Vendor, name="C", since="31/12/2020")


def test_unknown_vendor_is_refused(v):
    with pytest.raises(NotFound, match="no vendor 999"), v.session() as s:
        records.create(s, m.Ticket, vendor_id=999, title="x")


def test_warranty_starts_at_purchase_and_its_state_follows_the_calendar(v):
    with v.session() as s:
        bosch = make_vendor(s)
        asset = records.create(
            s,
            m.Asset,
            name="Dishwasher",
            maker_id=bosch.id,
            purchase_date=TODAY - timedelta(days=700),
        )
        w = records.create(s, m.Warranty, asset_id=asset.id, provider_id=bosch.id, months=24)
        assert w.starts_on == asset.purchase_date
        assert w.ends_on == rules.add_months(asset.purchase_date, 24)
        assert rules.warranty_state(w) == m.WarrantyState.EXPIRING
        assert rules.warranty_state(w, on=w.ends_on + timedelta(days=1)) == m.WarrantyState.EXPIRED
        assert (
            rules.warranty_state(w, on=w.starts_on + timedelta(days=10)) == m.WarrantyState.ACTIVE
        )
        records.update(s, m.Warranty, w.id, void=True)
        assert rules.warranty_state(w) == m.WarrantyState.VOID


def test_warranty_end_before_start_and_missing_length_are_refused(v):
    with v.session() as s:
        asset = records.create(s, m.Asset, name="TV")
        with pytest.raises(ValidationError, match="start date"):
            records.create(s, m.Warranty, asset_id=asset.id, months=12)
        with pytest.raises(ValidationError, match="end before it starts") as err:
            records.create(
                s, m.Warranty, asset_id=asset.id, starts_on="2024-05-01", end_date="2024-04-30"
            )
        assert err.value.field == "end_date"
        with pytest.raises(ValidationError, match="end date or a length"):
            records.create(s, m.Warranty, asset_id=asset.id, starts_on="2024-05-01")


def test_add_months_clamps_to_the_end_of_the_month():
    assert rules.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert rules.add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert rules.add_months(date(2024, 3, 15), 24) == date(2026, 3, 15)


def test_amounts_parse_exactly_and_need_a_currency(v):
    assert rules.parse_amount("1,299.50") == 129950
    assert rules.parse_amount("7") == 700
    assert rules.parse_amount("") is None
    with pytest.raises(ValidationError):
        rules.parse_amount("12.345")
    with pytest.raises(ValidationError):
        rules.parse_amount("twelve")
    assert rules.format_amount(129950, "EUR") == "1,299.50 EUR"
    with v.session() as s:
        with pytest.raises(ValidationError, match="currency"):
            records.create(s, m.Asset, name="Oven", price_minor=89900)
        with pytest.raises(ValidationError, match="negative"):
            records.create(s, m.Asset, name="Oven", price_minor=-1, currency="EUR")
        assert (
            records.create(s, m.Asset, name="Oven", price_minor=1, currency="eur").currency == "EUR"
        )


def test_ticket_dates_and_status(v):
    with v.session() as s:
        vendor = make_vendor(s)
        t = records.create(s, m.Ticket, vendor_id=vendor.id, title="Noise")
        assert t.opened_on == TODAY and t.status == m.TicketStatus.OPEN
        records.update(s, m.Ticket, t.id, status="closed")
        assert t.closed_on == TODAY
        with pytest.raises(ValidationError, match="closed before"):
            records.update(s, m.Ticket, t.id, closed_on=TODAY - timedelta(days=5))


def test_interaction_cannot_join_another_vendors_ticket(v):
    with v.session() as s:
        a, b = make_vendor(s, "A"), make_vendor(s, "B")
        ticket = records.create(s, m.Ticket, vendor_id=a.id, title="x")
        with pytest.raises(ValidationError, match="another vendor"):
            records.create(
                s,
                m.Interaction,
                vendor_id=b.id,
                ticket_id=ticket.id,
                direction="inbound",
                channel="email",
                subject="hi",
            )
        with pytest.raises(ValidationError, match="subject or some text"):
            records.create(s, m.Interaction, vendor_id=a.id, direction="inbound", channel="email")


def test_recurring_service_and_agreement_deadlines_are_derived(v):
    with v.session() as s:
        vendor = make_vendor(s)
        asset = records.create(s, m.Asset, name="Boiler")
        se = records.create(
            s,
            m.ServiceEvent,
            asset_id=asset.id,
            performed_on="2025-03-10",
            description="Annual service",
            interval_months=12,
        )
        assert se.next_due == date(2026, 3, 10)
        ag = records.create(
            s,
            m.Agreement,
            vendor_id=vendor.id,
            title="Hosting",
            started_on="2025-01-01",
            renews_on="2026-01-01",
            notice_days=30,
        )
        assert ag.notice_deadline == date(2025, 12, 2)
        with pytest.raises(ValidationError, match="renew before it starts"):
            records.update(s, m.Agreement, ag.id, renews_on="2024-01-01")


def test_deleting_a_vendor_with_records_needs_the_cascade(v):
    with v.session() as s:
        vendor = make_vendor(s)
        asset = records.create(s, m.Asset, name="Dishwasher", maker_id=vendor.id)
        ticket = records.create(s, m.Ticket, vendor_id=vendor.id, title="E24")
        records.create(
            s,
            m.Interaction,
            vendor_id=vendor.id,
            ticket_id=ticket.id,
            direction="outbound",
            channel="email",
            subject="E24",
        )
        tags.add_tag(s, ticket, "urgent")
        v.attachments.add(s, ticket, io.BytesIO(b"photo"), name="photo.jpg")
    with pytest.raises(InUseError, match="1 ticket, 1 interaction"), v.session() as s:
        records.delete_record(s, m.Vendor, vendor.id, attachments=v.attachments)
    with v.session() as s:
        assert s.get(m.Vendor, vendor.id) is not None
        records.delete_record(s, m.Vendor, vendor.id, attachments=v.attachments, cascade=True)
    with v.session() as s:
        assert s.get(m.Vendor, vendor.id) is None
        assert records.list_records(s, m.Ticket) == []
        assert records.list_records(s, m.Interaction) == []
        assert s.query(m.Attachment).count() == 0 and s.query(m.Tagging).count() == 0
        kept = s.get(m.Asset, asset.id)
        assert kept is not None and kept.maker_id is None  # my things stay mine
        assert search.search(s, "E24") == []


def test_dashboard_finds_what_needs_attention(v):
    with v.session() as s:
        vendor = make_vendor(s, max_offers_per_year=1, allowed_channels=["email"])
        asset = records.create(s, m.Asset, name="TV", purchase_date=TODAY - timedelta(days=720))
        records.create(s, m.Warranty, asset_id=asset.id, months=24)
        records.create(s, m.Warranty, asset_id=asset.id, months=60)  # far off: not listed
        due = records.create(
            s, m.Ticket, vendor_id=vendor.id, title="due", follow_up_on=TODAY - timedelta(days=1)
        )
        records.create(
            s,
            m.Ticket,
            vendor_id=vendor.id,
            title="closed",
            status="closed",
            follow_up_on=TODAY - timedelta(days=1),
        )
        records.create(
            s,
            m.Ticket,
            vendor_id=vendor.id,
            title="waiting",
            status="waiting_on_vendor",
            opened_on=TODAY - timedelta(days=40),
        )
        records.create(
            s,
            m.Agreement,
            vendor_id=vendor.id,
            title="Plan",
            started_on=TODAY - timedelta(days=300),
            renews_on=TODAY + timedelta(days=40),
            notice_days=30,
        )
        records.create(
            s,
            m.ServiceEvent,
            asset_id=asset.id,
            description="Filter",
            performed_on=TODAY - timedelta(days=400),
            interval_months=12,
        )
        records.create(
            s,
            m.ServiceEvent,
            asset_id=asset.id,
            description="Clean",
            performed_on=TODAY - timedelta(days=800),
            interval_months=12,
        )
        records.create(
            s,
            m.ServiceEvent,
            asset_id=asset.id,
            description="Clean",
            performed_on=TODAY - timedelta(days=10),
            interval_months=12,
        )
        for channel in ("email", "phone"):
            records.create(s, m.Offer, vendor_id=vendor.id, channel=channel, content="Sale")
    with v.session() as s:
        board = dashboard.dashboard(s)
        assert [w.months for w in board.expiring_warranties] == [24]
        assert [t.title for t in board.follow_ups_due] == [due.title]
        assert [t.title for t in board.waiting_too_long] == ["waiting"]
        assert [a.title for a in board.notice_deadlines] == ["Plan"]
        assert [e.description for e in board.service_due] == ["Filter"]
        (breach,) = board.over_policy
        assert breach.offers_last_year == 2 and breach.off_channel == 1
        assert "you allow 1" in breach.reason


def test_timeline_pages_newest_first_without_gaps_or_repeats(v):
    start = datetime(2024, 1, 1, 9, 0)
    with v.session() as s:
        vendor = make_vendor(s)
        other = make_vendor(s, "Other")
        for i in range(125):
            records.create(
                s,
                m.Interaction,
                vendor_id=vendor.id,
                direction="inbound" if i % 2 else "outbound",
                channel="email" if i % 3 else "phone",
                subject=f"n{i}",
                occurred_at=start + timedelta(hours=i // 2),
            )  # pairs share a time
        records.create(
            s,
            m.Interaction,
            vendor_id=other.id,
            direction="inbound",
            channel="email",
            subject="elsewhere",
        )
    with v.session() as s:
        seen, cursor = [], None
        while True:
            page = timeline.timeline(s, vendor.id, after=cursor, limit=50)
            seen.extend(page.items)
            if page.next is None:
                break
            cursor = page.next
        assert len(seen) == 125 and len({i.id for i in seen}) == 125
        keys_ = [(i.occurred_at, i.id) for i in seen]
        assert keys_ == sorted(keys_, reverse=True)
        phone = timeline.timeline(s, vendor.id, channel="phone", limit=500).items
        assert phone and all(i.channel == m.InteractionChannel.PHONE for i in phone)


def test_search_ranks_snippets_and_follows_edits(v):
    with v.session() as s:
        vendor = make_vendor(s, "Miele", notes="Washing machine maker")
        records.create(
            s,
            m.Interaction,
            vendor_id=vendor.id,
            direction="inbound",
            channel="email",
            subject="Drum bearing",
            body="The drum bearing of the washing machine is worn.",
        )
        asset = records.create(s, m.Asset, name="Washing machine", serial_number="000/176543210")
    with v.session() as s:
        hits = search.search(s, "washing machine")
        assert {h.kind for h in hits} == {"vendor", "interaction", "asset"}
        assert hits[0].kind == "asset"  # a match in the name ranks first
        body_hit = next(h for h in hits if h.kind == "interaction")
        assert search.MARK_START + "washing" + search.MARK_END in body_hit.snippet
        assert search.search(s, "bear")  # the last word is a prefix
        assert search.search(s, '"; DROP TABLE vendors; --') == []  # typed text is never syntax
        assert search.search(s, "176543210")
        records.update(s, m.Asset, asset.id, name="Tumble dryer")
    with v.session() as s:
        assert [h.title for h in search.search(s, "tumble")] == ["Tumble dryer"]
        assert search.search(s, "", limit=5) == []


def test_tags(v):
    with v.session() as s:
        vendor = make_vendor(s)
        tags.add_tag(s, vendor, "kitchen")
        tags.add_tag(s, vendor, "Kitchen")  # same tag, case-insensitive
        assert tags.tags_of(s, vendor) == ["kitchen"]
        assert tags.tagged(s, "KITCHEN") == [("vendor", vendor.id)]
        tags.remove_tag(s, vendor, "kitchen")
        assert tags.tags_of(s, vendor) == []
        with pytest.raises(ValidationError):
            tags.add_tag(s, vendor, " ")


def test_demo_data_builds_a_household_and_a_freelancers_suppliers(v):
    from vrmdesk.store import demo

    with v.session() as s:
        counts = demo.build(s, v.attachments)
    assert counts["asset"] >= 12 and counts["vendor"] >= 15
    with v.session() as s:
        board = dashboard.dashboard(s)
        assert board.expiring_warranties and board.follow_ups_due and board.notice_deadlines
        assert board.service_due and board.over_policy
        open_tickets = [
            t for t in records.list_records(s, m.Ticket) if t.status in m.OPEN_TICKET_STATUSES
        ]
        assert len(open_tickets) >= 2
        assert all(timeline.timeline(s, t.vendor_id, ticket_id=t.id).items for t in open_tickets)
        assert records.list_records(s, m.Agreement)


@pytest.mark.parametrize(
    "address",
    [
        "not-an-email",
        "a@b",
        "two@@example.com",
        "a b@example.com",
        "@example.com",
        "kim@",
        "kim@example..com",
    ],
)
def test_an_e_mail_address_that_is_not_one_is_refused_and_nothing_is_written(v, address):
    with v.session() as s:
        vendor = make_vendor(s)
    with pytest.raises(ValidationError) as err, v.session() as s:
        records.create(s, m.Contact, vendor_id=vendor.id, name="Kim", email=address)
    assert err.value.field == "email" and "not an e-mail address" in str(err.value)
    if address != "@example.com":  # an e-mail channel may name a whole domain (mail capture)
        with pytest.raises(ValidationError) as err, v.session() as s:
            records.create(
                s, m.Channel, vendor_id=vendor.id, channel=m.ChannelKind.EMAIL, value=address
            )
        assert err.value.field == "value"
    with v.session() as s:
        assert records.list_records(s, m.Contact) == []
        assert address == "@example.com" or records.list_records(s, m.Channel) == []


@pytest.mark.parametrize("domain", ["@example.com", "example.com", "mail.example.co.uk"])
def test_an_e_mail_channel_may_name_a_whole_domain(v, domain):
    with v.session() as s:
        vendor = make_vendor(s)
        channel = records.create(
            s, m.Channel, vendor_id=vendor.id, channel=m.ChannelKind.EMAIL, value=domain
        )
        assert channel.value == domain


def test_real_addresses_and_other_channels_are_kept(v):
    with v.session() as s:
        vendor = make_vendor(s)
        records.create(
            s, m.Contact, vendor_id=vendor.id, name="Kim", email="kim.service@bosch-home.example"
        )
        records.create(s, m.Contact, vendor_id=vendor.id, name="No mail")  # empty is fine
        records.create(
            s, m.Channel, vendor_id=vendor.id, channel=m.ChannelKind.PHONE, value="+49 89 1234"
        )
    with v.session() as s:
        assert [c.email for c in records.list_records(s, m.Contact)] == [
            "kim.service@bosch-home.example",
            "",
        ]


@pytest.mark.parametrize("website", ["not a site", "ftp://example.com", "localhost", "https://"])
def test_a_website_that_is_not_a_web_address_is_refused(v, website):
    with pytest.raises(ValidationError) as err, v.session() as s:
        make_vendor(s, website=website)
    assert err.value.field == "website"


def test_a_long_message_is_shown_cut_with_an_ellipsis_its_text_kept_one_byte_a_character(v):
    with v.session() as s:
        vendor = make_vendor(s)
        records.create(
            s,
            m.Interaction,
            vendor_id=vendor.id,
            direction="inbound",
            channel="email",
            subject="Long",
            body="word " * 400,
        )
        (entry,) = timeline.entries(s, vendor.id).items
    assert entry.cut and entry.excerpt.endswith("…")
    assert len(entry.excerpt) == timeline.EXCERPT_CHARS
    # a timeline scrolled to its end holds 100,000 of these: "…" in the text would make Python
    # keep each of them two bytes a character
    assert entry.text.isascii() and not hasattr(entry, "__dict__")

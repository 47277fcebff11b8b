"""Search narrowed (kinds, a vendor, a date range) and paged, with its guarantees kept: a
record whose own name matches ranks above one that only mentions the word, and every page does
bounded work (counted in SQLite's steps, never a clock)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert

from vrmdesk.errors import ValidationError
from vrmdesk.store import models as m
from vrmdesk.store.services import hits, records, search, tags
from vrmdesk.store.services.search import Scope
from vrmdesk.store.vault import Vault


@pytest.fixture
def shop(vault: Vault) -> dict[str, int]:
    """Two vendors with boilers: things, a ticket, messages on known days."""
    with vault.session() as s:
        acme = records.create(s, m.Vendor, name="Acme Heating", notes="They fit every boiler.")
        other = records.create(s, m.Vendor, name="Other Ltd", notes="No boiler work.")
        boiler = records.create(s, m.Asset, name="Boiler", maker_id=acme.id)
        records.create(s, m.Asset, name="Kettle", notes="Sits next to the boiler.")
        ticket = records.create(
            s, m.Ticket, vendor_id=acme.id, title="Boiler leaks", opened_on=date(2025, 3, 2)
        )
        for day, vendor in ((1, acme), (15, acme), (28, other)):
            records.create(
                s,
                m.Interaction,
                vendor_id=vendor.id,
                occurred_at=datetime(2025, 2, day, 12, 0),
                direction=m.Direction.INBOUND,
                channel=m.InteractionChannel.EMAIL,
                subject=f"Message of {day} February",
                body="About the boiler service.",
            )
        tags.add_tag(s, boiler, "heating")
        return {"acme": acme.id, "other": other.id, "boiler": boiler.id, "ticket": ticket.id}


def found(vault: Vault, words: str, **how) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with vault.session() as s:
        return [(h.kind, h.title) for h in search.search(s, words, **how)]


def test_a_record_named_by_the_word_ranks_above_those_that_mention_it(vault, shop):
    ranked = found(vault, "boiler")
    named = [("asset", "Boiler"), ("ticket", "Boiler leaks")]
    assert sorted(ranked[:2]) == sorted(named)
    assert set(ranked[2:]) >= {("vendor", "Acme Heating"), ("asset", "Kettle")}
    # a newer record mentioning it many times does not climb above the name
    with vault.session() as s:
        records.create(s, m.Asset, name="Shed", notes="boiler " * 50)
    again = found(vault, "boiler", kinds=["asset"])
    assert again[0] == ("asset", "Boiler") and ("asset", "Shed") in again[1:]
    # narrowed, it still holds
    assert found(vault, "boiler", scope=Scope(vendor_id=shop["acme"]))[0][1] in {
        "Boiler",
        "Boiler leaks",
    }


def test_kinds_a_vendor_and_a_date_range_narrow_the_hits(vault, shop):
    acme = Scope(vendor_id=shop["acme"])
    assert set(found(vault, "boiler", scope=acme)) == {
        ("vendor", "Acme Heating"),
        ("asset", "Boiler"),
        ("ticket", "Boiler leaks"),
        ("interaction", "Message of 1 February"),
        ("interaction", "Message of 15 February"),
    }
    assert found(vault, "boiler", scope=Scope(kinds=("interaction",), vendor_id=shop["other"]))
    assert found(vault, "boiler", scope=Scope(kinds=("ticket",), vendor_id=shop["other"])) == []
    february = Scope(since=date(2025, 2, 1), until=date(2025, 2, 15))
    assert sorted(found(vault, "boiler", scope=february)) == [
        ("interaction", "Message of 1 February"),
        ("interaction", "Message of 15 February"),
    ]  # both days included; the vendors and things have no date of their own: left out
    assert found(vault, "boiler", scope=Scope(since=date(2025, 3, 1))) == [
        ("ticket", "Boiler leaks")
    ]
    assert found(vault, "boiler", scope=Scope(until=date(2025, 2, 1), vendor_id=shop["acme"]))
    assert found(vault, "boiler", scope=Scope(since=date(2026, 1, 1))) == []
    assert found(vault, "boiler", scope=Scope(kinds=("vendor",), since=date(2025, 1, 1))) == []
    with pytest.raises(ValidationError) as err:
        found(vault, "boiler", scope=Scope(since=date(2025, 3, 1), until=date(2025, 2, 1)))
    assert err.value.field == "until"


def test_tags_come_with_the_described_hits(vault, shop):
    with vault.session() as s:
        described = hits.describe(s, search.search(s, "boiler", kinds=["asset"]))
    assert [(d.title, d.tags) for d in described] == [("Boiler", ("heating",)), ("Kettle", ())]


MANY = 130


def add_messages(vault: Vault, vendor_id: int, count: int, first: int = 0) -> None:
    start = datetime(2021, 1, 1)
    rows = [
        {
            "vendor_id": vendor_id,
            "occurred_at": start + timedelta(hours=first + n),
            "direction": m.Direction.OUTBOUND,
            "channel": m.InteractionChannel.EMAIL,
            "subject": f"Note {first + n}",
            "body": f"Reading number {first + n} of the boiler pressure.",
        }
        for n in range(count)
    ]
    with vault.session() as s:
        s.execute(insert(m.Interaction), rows)


def test_pages_go_on_where_the_last_one_ended_and_say_when_there_are_more(vault, shop):
    add_messages(vault, shop["acme"], MANY)
    with vault.session() as s:
        whole = search.run(s, "boiler", limit=500)
        assert not whole.more and not whole.capped
        pages, offset = [], 0
        while True:
            page = search.run(s, "boiler", limit=50, offset=offset)
            pages.append(page)
            if not page.more:
                break
            offset += 50
    assert [len(p.hits) for p in pages] == [50, 50, len(whole.hits) - 100]
    together = [(h.kind, h.id) for p in pages for h in p.hits]
    assert together == [(h.kind, h.id) for h in whole.hits]  # the same ranking, no repeats
    assert {h.title for h in pages[0].hits[:2]} == {"Boiler", "Boiler leaks"}
    with vault.session() as s:
        assert search.run(s, "boiler", limit=50, offset=10_000).hits == []


def steps(vault: Vault, words: str, **how) -> int:  # type: ignore[no-untyped-def]
    calls = 0

    def count() -> bool:
        nonlocal calls
        calls += 1
        return False

    with vault.session() as s:
        search.run(s, words, cancelled=count, **how)
    return calls


def test_a_later_page_costs_about_what_the_first_does(vault, shop, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 100)
    monkeypatch.setattr(search, "PROGRESS_STEPS", 100)
    add_messages(vault, shop["acme"], 2000)
    first = steps(vault, "boiler", limit=20)
    fourth = steps(vault, "boiler", limit=20, offset=60)
    assert first > 0 and fourth < first * 1.3
    with vault.session() as s:
        last = search.run(s, "boiler", limit=20, offset=100)
    # the two name matches and the window's 100 are ranked: the pages end there, saying so
    assert len(last.hits) == 2 and last.capped and not last.more
    # narrowed to a vendor, the window is of that vendor's matches: 2000 newer ones of
    # another vendor do not crowd them out
    add_messages(vault, shop["other"], 2000, first=5000)
    with vault.session() as s:
        unscoped = search.run(s, "boiler", limit=100, offset=2)
        acme = search.run(s, "boiler", limit=100, offset=2, scope=Scope(vendor_id=shop["acme"]))
        acme_messages = {
            i for (i,) in s.query(m.Interaction.id).filter_by(vendor_id=shop["acme"]).all()
        }

    def messages(outcome: search.Outcome) -> set[int]:
        return {h.id for h in outcome.hits if h.kind == "interaction"}

    assert not messages(unscoped) & acme_messages  # the other vendor's fill the window
    assert len(acme.hits) == 100 and len(messages(acme)) >= 97
    assert messages(acme) <= acme_messages

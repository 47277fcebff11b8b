"""Search narrowed (kinds, a vendor, a date range) and paged, with its guarantees kept: a
record whose own name matches ranks above one that only mentions the word, and every page does
bounded work (counted in SQLite's steps, never a clock)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

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

"""Search does bounded work: a word in thousands of records ranks a bounded candidate set, a
record's own name still comes first, a pasted page is shortened with a note, and a running
search stops when ``cancelled()`` says so. No clock is read: work is counted in SQLite's steps."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from vrmdesk.store import models as m
from vrmdesk.store.services import hits, records, search
from vrmdesk.store.services.search import Scope
from vrmdesk.store.vault import Vault

MANY = 5000


def add_interactions(vault: Vault, vendor_id: int, count: int, first: int = 0) -> None:
    start = datetime(2020, 1, 1)
    rows = [
        {
            "vendor_id": vendor_id,
            "occurred_at": start + timedelta(hours=first + n),
            "direction": m.Direction.INBOUND,
            "channel": m.InteractionChannel.EMAIL,
            "subject": f"Update {first + n}",
            "body": f"Thank you for the message number {first + n} about the boiler.",
        }
        for n in range(count)
    ]
    with vault.session() as s:
        s.execute(insert(m.Interaction), rows)


@pytest.fixture
def shop(vault: Vault) -> dict[str, int]:
    """Two vendors; a thing and a ticket named "Boiler…" (the only name matches)."""
    with vault.session() as s:
        acme = records.create(s, m.Vendor, name="Acme Heating")
        other = records.create(s, m.Vendor, name="Other Ltd")
        records.create(s, m.Asset, name="Boiler", maker_id=acme.id)
        records.create(
            s, m.Ticket, vendor_id=acme.id, title="Boiler leaks", opened_on=date(2025, 3, 2)
        )
        return {"acme": acme.id, "other": other.id}


@pytest.fixture
def crowded(vault: Vault) -> Vault:
    """An asset named "The boiler" written first (the oldest row), then MANY messages with "the"."""
    with vault.session() as s:
        records.create(s, m.Asset, name="The boiler")
        vendor_id = records.create(s, m.Vendor, name="Acme Heating").id
    add_interactions(vault, vendor_id, MANY)
    return vault


def steps(vault: Vault, text: str, **how: Any) -> int:
    """How often SQLite's progress handler was called while searching for ``text``."""
    calls = 0

    def count() -> bool:
        nonlocal calls
        calls += 1
        return False

    with vault.session() as s:
        search.run(s, text, cancelled=count, **how)
    return calls


def test_a_word_in_thousands_of_records_gives_at_most_the_limit_and_the_name_match_first(crowded):
    with crowded.session() as s:
        found = search.search(s, "the", limit=20)
        assert len(found) == 20
        assert (found[0].kind, found[0].title, found[0].snippet) == ("asset", "The boiler", "")
        assert all(h.kind == "interaction" for h in found[1:])
        assert search.MARK_START + "the" + search.MARK_END in found[1].snippet.lower()
        described = hits.describe(s, found)
        assert [(d.kind, d.id) for d in described] == [(h.kind, h.id) for h in found]
        # a rare word is still found wherever it is: the window bounds ranking, not matching
        assert [h.title for h in search.search(s, "boiler", kinds=["asset"])] == ["The boiler"]
        assert len(search.search(s, "number 17", limit=500)) >= 1


def test_the_work_does_not_grow_with_the_number_of_matches(crowded):
    before = steps(crowded, "the")
    with crowded.session() as s:
        vendor_id = s.query(m.Vendor.id).scalar()
    add_interactions(crowded, vendor_id, MANY, first=MANY)  # twice as many matches
    after = steps(crowded, "the")
    assert before > 0
    assert after < before * 1.2


def test_a_pasted_paragraph_is_shortened_with_a_note():
    paragraph = " ".join(f"word{n}" for n in range(500))
    query = search.prepare(paragraph)
    assert query.fts is not None and query.fts.count('"') == 2 * search.MAX_TERMS
    assert not query.fts.endswith("*")  # the word cut off is not being typed
    assert "12 words" in query.note
    long_word = "x" * 500
    assert search.prepare(long_word).fts == '"' + "x" * search.MAX_TERM_CHARS + '"*'
    assert "64 characters" in search.prepare(long_word).note
    pasted = search.prepare("boiler " + "-" * 5000 + " engineer")
    assert pasted.fts == '"boiler"' and "characters were read" in pasted.note
    assert search.prepare("washing machine").note == ""
    repeated = search.prepare(" ".join(["The"] * 200))  # said again and again: said once
    assert (repeated.fts, repeated.note) == ('"the"*', "")
    assert search.prepare("the boiler THE boil").fts == '"the" "boiler" "boil"*'


def test_the_note_comes_back_with_the_hits(crowded):
    with crowded.session() as s:
        outcome = search.run(s, "boiler " + "-" * 2000)  # a pasted page with one word in it
        assert outcome.hits and not outcome.cancelled
        assert outcome.note.startswith("The search was shortened")


def test_cancelled_before_it_starts_answers_nothing(crowded):
    with crowded.session() as s:
        outcome = search.run(s, "the", cancelled=lambda: True)
    assert outcome.cancelled and outcome.hits == []


def test_a_running_statement_is_interrupted_and_the_session_goes_on(crowded, monkeypatch):
    monkeypatch.setattr(search, "PROGRESS_STEPS", 10)
    calls = 0

    def after_a_while() -> bool:
        nonlocal calls
        calls += 1
        return calls > 3

    assert steps(crowded, "the") > 50  # the whole search calls the handler many more times
    with crowded.session() as s:
        outcome = search.run(s, "the", cancelled=after_a_while)
        assert outcome.cancelled and outcome.hits == []
        assert calls <= 5  # stopped at once, not after the rest of the search
        assert search.search(s, "boiler", kinds=["asset"])  # the handler is gone; the session works


def test_a_recent_name_match_keeps_its_snippet(vault):
    with vault.session() as s:
        records.create(s, m.Vendor, name="Boiler Shop", notes="We service every boiler in town.")
        records.create(s, m.Asset, name="Kettle", notes="Not a boiler.")
    with vault.session() as s:
        found = search.search(s, "boiler")
    assert [(h.kind, h.title) for h in found] == [("vendor", "Boiler Shop"), ("asset", "Kettle")]
    assert search.MARK_START + "boiler" + search.MARK_END in found[0].snippet


def test_names_come_first_the_shortest_first_then_the_newest_matches(vault):
    with vault.session() as s:
        records.create(s, m.Asset, name="Bosch dishwasher SMS46")
        vendor = records.create(s, m.Vendor, name="Bosch")
        records.create(s, m.Asset, name="Kettle", notes="bought from Bosch")
    add_interactions(vault, vendor.id, 3)
    with vault.session() as s:
        records.create(
            s,
            m.Interaction,
            vendor_id=vendor.id,
            direction="inbound",
            channel="email",
            subject="Bosch service visit",
            body="About the dishwasher.",
        )
    with vault.session() as s:
        found = [(h.kind, h.title) for h in search.search(s, "bosch")]
    assert found == [
        ("vendor", "Bosch"),
        ("interaction", "Bosch service visit"),
        ("asset", "Bosch dishwasher SMS46"),
        ("asset", "Kettle"),
    ]


def test_pages_go_on_where_the_last_one_ended_and_say_when_there_are_more(vault, shop):
    add_interactions(vault, shop["acme"], 130)
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


def test_a_later_page_costs_about_what_the_first_does(vault, shop, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 100)
    monkeypatch.setattr(search, "PROGRESS_STEPS", 100)
    add_interactions(vault, shop["acme"], 2000)
    first = steps(vault, "boiler", limit=20)
    fourth = steps(vault, "boiler", limit=20, offset=60)
    assert first > 0 and fourth < first * 1.3
    with vault.session() as s:
        last = search.run(s, "boiler", limit=20, offset=100)
    # the two name matches and the window's 100 are ranked: the pages end there, saying so
    assert len(last.hits) == 2 and last.capped and not last.more
    # narrowed to a vendor, the window is of that vendor's matches: 2000 newer ones of
    # another vendor do not crowd them out
    add_interactions(vault, shop["other"], 2000, first=5000)
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

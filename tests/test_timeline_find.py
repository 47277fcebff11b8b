"""A vendor's timeline searched, opened at a date, paged both ways, with each entry's files.

Work is counted in SQLite's steps and in rows, never in time."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import insert

from vrmdesk.store import models as m
from vrmdesk.store.services import files, records
from vrmdesk.store.services import timeline as tl
from vrmdesk.store.vault import Vault

START = datetime(2020, 1, 1, 9, 0)


def add(vault: Vault, vendor_id: int, count: int, word: str = "boiler", every: int = 1) -> None:
    """``count`` messages a day apart from START; every ``every``-th mentions ``word``."""
    rows = [
        {
            "vendor_id": vendor_id,
            "occurred_at": START + timedelta(days=n),
            "direction": m.Direction.INBOUND if n % 2 else m.Direction.OUTBOUND,
            "channel": m.InteractionChannel.EMAIL,
            "subject": f"Message {n}",
            "body": f"About the {word if n % every == 0 else 'weather'} again, number {n}.",
        }
        for n in range(count)
    ]
    with vault.session() as s:
        s.execute(insert(m.Interaction), rows)


@pytest.fixture
def two_vendors(vault: Vault) -> tuple[int, int]:
    with vault.session() as s:
        acme = records.create(s, m.Vendor, name="Acme Heating").id
        other = records.create(s, m.Vendor, name="Other Heating").id
    add(vault, acme, 300, every=7)
    add(vault, other, 300)  # every one of them says "boiler": none may show for Acme
    return acme, other


def all_pages(vault: Vault, vendor_id: int, **kw: object) -> list[tl.Entry]:
    out: list[tl.Entry] = []
    cursor: tl.Cursor | None = None
    with vault.session() as s:
        while True:
            page = tl.entries(s, vendor_id, after=cursor, limit=40, **kw)  # type: ignore[arg-type]
            out += page.items
            cursor = page.next
            if cursor is None:
                return out


def test_find_narrows_one_vendors_timeline_page_by_page(vault: Vault, two_vendors) -> None:
    acme, _ = two_vendors
    found = all_pages(vault, acme, matching="boil")  # the last word is a prefix
    assert [e.subject for e in found[:2]] == ["Message 294", "Message 287"]
    assert len(found) == len(range(0, 300, 7)) == 43 and len({e.id for e in found}) == 43
    assert all(a.occurred_at > b.occurred_at for a, b in pairwise(found))
    # with the other filters too
    sent = all_pages(vault, acme, matching="boiler", direction="outbound")
    assert sent and all(not e.inbound and int(e.subject.split()[1]) % 7 == 0 for e in sent)
    # nothing to search for finds nothing, and a pasted page is shortened with a note
    with vault.session() as s:
        assert tl.entries(s, acme, matching="?!").items == []
        long = tl.entries(s, acme, matching="boiler " * 400)
    assert long.note.startswith("The search was shortened") and long.items


def test_a_find_page_stops_at_a_full_page(vault: Vault, two_vendors) -> None:
    """A common word: the first page costs about what a rare word's first page does, and far
    less than walking the whole timeline (the walk ends at a full page)."""
    acme, _ = two_vendors

    def steps(word: str, limit: int) -> int:
        calls = 0

        def count() -> bool:
            nonlocal calls
            calls += 1
            return False

        with vault.session() as s:
            tl.entries(s, acme, matching=word, limit=limit, cancelled=count)
        return calls

    assert steps("weather", 10) < steps("weather", 250)


def test_a_running_find_stops_when_cancelled(vault: Vault, two_vendors) -> None:
    from vrmdesk.store.services import search

    acme, _ = two_vendors
    with vault.session() as s, pytest.raises(search.Interrupted):
        tl.entries(s, acme, matching="weather", limit=250, cancelled=lambda: True)


def test_around_a_date_and_paging_both_ways(vault: Vault, two_vendors) -> None:
    acme, _ = two_vendors
    day = (START + timedelta(days=100)).date()
    with vault.session() as s:
        found = tl.around(s, acme, tl.day_cursor(day), limit=20)
        assert len(found.items) == 30 and found.focus == 10
        assert found.items[found.focus].subject == "Message 100"  # that day's entry
        assert found.items[0].subject == "Message 110"  # ten newer above it
        assert found.items[-1].subject == "Message 81"
        older = tl.entries(s, acme, after=found.older, limit=5).items
        assert [e.subject for e in older] == [f"Message {n}" for n in range(80, 75, -1)]
        assert found.newer is not None
        newer = tl.newer_entries(s, acme, before=found.newer, limit=5)
        assert [e.subject for e in newer.items] == [f"Message {n}" for n in range(115, 110, -1)]
        # the newest end: no newer page; the oldest: the focus is the oldest entry
        top = tl.newer_entries(s, acme, before=tl.Cursor(START + timedelta(days=290), 0))
        assert top.next is None and top.items[0].subject == "Message 299"
        after_all = tl.around(s, acme, tl.day_cursor(date(2030, 1, 1)), limit=20)
        assert after_all.focus == 0 and after_all.items[0].subject == "Message 299"
        before_all = tl.around(s, acme, tl.day_cursor(date(2019, 1, 1)), limit=20)
        assert before_all.older is None and before_all.items[before_all.focus].subject == (
            "Message 0"
        )
        # an entry's own cursor: it is the focus
        middle = found.items[15]
        at_entry = tl.around(s, acme, middle.cursor, limit=20)
        assert at_entry.items[at_entry.focus].id == middle.id
        # a date and a find together: the matching entry at or before the day
        both = tl.around(s, acme, tl.day_cursor(day), limit=4, matching="boiler")
        assert both.items[both.focus].subject == "Message 98"


def test_entries_carry_their_files_in_one_query(vault: Vault, two_vendors) -> None:
    from sqlalchemy import event

    acme, _ = two_vendors
    with vault.session() as s:
        first = tl.entries(s, acme, limit=3).items
        for n, entry in enumerate(first[:2]):
            files.attach(
                s,
                vault.attachments,
                "interaction",
                entry.id,
                io.BytesIO(b"x" * (n + 1) * 1000),
                name=f"photo-{n}.jpg",
                max_size=10**6,
            )
    seen: list[str] = []

    def count(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(vault.engine, "before_cursor_execute", count)
    try:
        with vault.session() as s:
            shown = tl.entries(s, acme, limit=50).items
    finally:
        event.remove(vault.engine, "before_cursor_execute", count)
    assert len(seen) == 2  # the page, and the files of the whole page
    assert [f.name for f in shown[0].files] == ["photo-0.jpg"] and shown[0].files[0].size == 1000
    assert [f.media_type for f in shown[1].files] == ["image/jpeg"]
    assert shown[2].files == ()

"""The services the desktop application reads and writes through (no Qt): field descriptions and
saving by kind, search hits described in a few queries, files by kind and id, the home page's
plain rows, a new thing's role on a vendor's page."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from record_helpers import add_expiring_warranties
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from vrmdesk.errors import NotFound, ValidationError
from vrmdesk.store import models as m
from vrmdesk.store.services import dashboard, editing, files, hits, records, search, undo, views
from vrmdesk.store.services.search import Hit
from vrmdesk.store.tempcopies import TempCopies

TODAY = date.today()


def vendor_id(session: Session, name: str) -> int:
    return records.find_vendor(session, name).id


def one(session: Session, cls: type[m.Record], **where: object) -> m.Record:
    return session.scalars(select(cls).filter_by(**where)).one()


class Statements:
    """The SELECTs a session sends while this is in use (``with Statements(s) as seen``)."""

    def __init__(self, session: Session) -> None:
        self.engine = session.get_bind()
        self.seen: list[str] = []

    def _count(self, _conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            self.seen.append(statement)

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self.seen

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


# -- editing: fields, values, saving by kind --------------------------------------------------
def test_fields_are_described_as_plain_values_from_the_core(vault):
    vendor = editing.fields_of("vendor")
    assert vendor["name"] == editing.FieldInfo("name", nullable=False, max_length=200)
    assert vendor["since"].nullable and vendor["since"].choices == ()
    assert vendor["vendor_kind"].choices == tuple(k.value for k in m.VendorKind)
    assert vendor["allowed_channels"].choices == tuple(c.value for c in m.InteractionChannel)
    assert "id" not in vendor and "created_at" not in vendor
    assert "ends_on" not in editing.fields_of("warranty")  # derived: the core computes it
    assert set(editing.fields_of("ticket")) == set(records.editable_fields(m.Ticket))
    assert editing.choices("interaction", "direction") == ("inbound", "outbound")
    assert editing.fields_of("interaction")["subject"].max_length == 500
    with pytest.raises(NotFound):
        editing.fields_of("spaceship")
    assert set(editing.KINDS) == {cls.kind for cls in m.RECORD_TYPES}


def test_a_new_record_starts_from_the_columns_defaults(vault):
    assert editing.initial_values("vendor")["vendor_kind"] == m.VendorKind.OTHER
    warranty = editing.initial_values("warranty")
    assert warranty["void"] is False and warranty["coverage"] == m.Coverage.PARTS_AND_LABOUR
    assert "starts_on" not in warranty


def test_saving_by_kind_creates_then_updates_and_gives_the_title(vault):
    with vault.session() as s:
        saved = editing.save_record(s, "vendor", None, {"name": "Acme", "since": None})
    with vault.session() as s:
        assert editing.stored_values(s, "vendor", saved.id)["name"] == "Acme"
        again = editing.save_record(s, "vendor", saved.id, {"name": "Acme Ltd"})
    assert saved.title == "Acme" and again == editing.Saved(saved.id, "Acme Ltd")
    with vault.session() as s:
        assert editing.stored_values(s, "vendor", saved.id)["name"] == "Acme Ltd"
        with pytest.raises(NotFound):
            editing.stored_values(s, "vendor", saved.id + 100)


def test_a_new_records_empty_field_is_left_for_the_core_to_fill_in(vault):
    with vault.session() as s:
        acme = records.create(s, m.Vendor, name="Acme").id
    values = {"vendor_id": acme, "title": "Leak", "opened_on": None, "follow_up_on": None}
    with vault.session() as s, pytest.raises(ValidationError, match="opened on is required"):
        records.create(s, m.Ticket, **values)  # as given, the opening day is required
    with vault.session() as s:
        saved = editing.save_record(s, "ticket", None, values)
    with vault.session() as s:
        stored = editing.stored_values(s, "ticket", saved.id)
        assert stored["opened_on"] == TODAY and stored["follow_up_on"] is None
        with pytest.raises(ValidationError, match="opened on is required"):
            editing.save_record(s, "ticket", saved.id, {"opened_on": None})


def test_quick_capture_names_the_vendor_and_delete_by_kind_can_be_undone(vault):
    with vault.session() as s:
        acme = records.create(s, m.Vendor, name="Acme").id
    with vault.session() as s:
        captured = editing.capture_interaction(
            s, {"vendor_id": acme, "direction": "inbound", "channel": "email", "subject": "Hi"}
        )
    assert captured.vendor == "Acme"
    with vault.session() as s:
        snapshot = editing.delete_record(
            s, "vendor", acme, attachments=vault.attachments, cascade=True
        )
        assert isinstance(snapshot, undo.Snapshot)
    with vault.session() as s:
        assert s.get(m.Interaction, captured.id) is None
        undo.undo(s, snapshot)
    with vault.session() as s:
        assert one(s, m.Interaction, id=captured.id).subject == "Hi"


def test_pickers_offer_vendors_by_name_and_a_vendors_open_tickets_first(vault):
    with vault.session() as s:
        zed = records.create(s, m.Vendor, name="Zed").id
        acme = records.create(s, m.Vendor, name="acme").id
        old = records.create(s, m.Ticket, vendor_id=zed, title="Old", opened_on=TODAY)
        closed = records.create(
            s,
            m.Ticket,
            vendor_id=zed,
            title="Done",
            status="closed",
            reference="R-1",
            opened_on=TODAY,
        )
        new = records.create(s, m.Ticket, vendor_id=zed, title="New", opened_on=TODAY)
        records.create(s, m.Ticket, vendor_id=acme, title="Elsewhere")
    with vault.session() as s:
        assert editing.vendor_choices(s) == [(acme, "acme"), (zed, "Zed")]
        assert editing.ticket_choices(s, zed) == [
            (new.id, "New"),
            (old.id, "Old"),
            (closed.id, "Done [R-1]"),
        ]
        assert editing.ticket_choices(s, None) == []


# -- search hits --------------------------------------------------------------------------------
def test_hits_are_described_with_where_they_live_and_when(demo_vault):
    with demo_vault.session() as s:
        found = hits.describe(s, search.search(s, "dishwasher"))
        ticket = one(s, m.Ticket, title="Dishwasher stops with error E24")
        receipts = hits.describe(s, search.search(s, "receipt"))
        dishwasher = one(s, m.Asset, name="Dishwasher").id
    by_key = {(h.kind, h.id): h for h in found}
    assert by_key[("ticket", ticket.id)].context == "Bosch Home Appliances"
    assert by_key[("asset", dishwasher)].context == ""
    talk = next(h for h in found if h.kind == "interaction")
    assert talk.inbound is False and talk.context.startswith("Bosch Home Appliances · ")
    offer = next(h for h in found if h.kind == "offer")
    assert offer.context.startswith("MediaMarkt · ") and offer.inbound is None
    files_on_things = {h.title: h.context for h in receipts if h.kind == "attachment"}
    assert files_on_things and "Dishwasher" in files_on_things.values()  # the file's thing


def test_describing_hits_reads_once_per_kind_not_once_per_hit(demo_vault):
    with demo_vault.session() as s:
        found = search.search(s, "ma", limit=50)
        kinds = {h.kind for h in found}
        assert len(found) >= 30 and len(kinds) >= 8
        with Statements(s) as seen:
            described = hits.describe(s, found)
    assert [(d.kind, d.id) for d in described] == [(h.kind, h.id) for h in found]
    # the hits' kinds, the kinds owning the files among them, the vendors and things they live on,
    # and the tags of them all
    assert len(seen) <= len(kinds) + 4 < len(found)


def test_a_hit_whose_record_is_gone_keeps_the_indexes_title(vault):
    gone = Hit("ticket", 4242, "Leak", f"a {search.MARK_START}leak{search.MARK_END} ", -1.0)
    with vault.session() as s:
        (described,) = hits.describe(s, [gone])
    assert described == hits.DescribedHit(
        "ticket", 4242, "Leak", "", f"a {search.MARK_START}leak{search.MARK_END}"
    )


def test_describing_hits_stops_when_asked_to(demo_vault):
    class Stop(Exception):
        pass

    def stop() -> None:
        raise Stop

    with demo_vault.session() as s:
        found = search.search(s, "warranty")
        with pytest.raises(Stop):
            hits.describe(s, found, check=stop)


# -- files by kind and id -----------------------------------------------------------------------
class CountingReader:
    """A reader with nothing but ``read`` (as the GUI's progress reader)."""

    def __init__(self, data: bytes) -> None:
        self.source, self.calls = io.BytesIO(data), 0

    def read(self, size: int = -1, /) -> bytes:
        self.calls += 1
        return self.source.read(size)


def test_files_are_attached_listed_and_read_back_by_kind_and_id(vault, tmp_path: Path):
    with vault.session() as s:
        thing = records.create(s, m.Asset, name="Kettle").id
    reader = CountingReader(b"receipt: 20 EUR")
    with vault.session() as s:
        added = files.attach(
            s, vault.attachments, "asset", thing, reader, name="receipt.txt", max_size=1000
        )
    assert reader.calls >= 1
    with vault.session() as s:
        (row,) = files.files_of(s, "asset", thing)
        buffer = io.BytesIO()
        written = files.write_to(s, vault.attachments, added, buffer)
        files.save_copy(s, vault.attachments, added, tmp_path / "copy.txt")
        copies = TempCopies()
        try:
            opened = files.temporary_copy(s, vault, copies, added)
            assert opened.read_bytes() == b"receipt: 20 EUR"
        finally:
            copies.clear()
        assert files.files_of(s, "vendor", records.create(s, m.Vendor, name="Acme").id) == []
        with pytest.raises(NotFound):
            files.files_of(s, "asset", thing + 1)
    assert (row.id, row.name, row.media_type, row.size) == (added, "receipt.txt", "text/plain", 15)
    assert buffer.getvalue() == b"receipt: 20 EUR" and written == 15
    assert (tmp_path / "copy.txt").read_bytes() == b"receipt: 20 EUR"
    assert not opened.exists()


# -- the home page and a vendor's page ------------------------------------------------------------
def test_the_home_page_rows_are_the_dashboards_items(demo_vault):
    with demo_vault.session() as s:
        board = dashboard.dashboard(s)
        expected = {
            "warranties": [
                ("warranty", w.id, w.asset.name, w.title, w.ends_on)
                for w in board.expiring_warranties
            ],
            "follow_ups": [
                ("ticket", t.id, t.vendor.name, t.title, t.follow_up_on)
                for t in board.follow_ups_due
            ],
            "notices": [
                ("agreement", a.id, a.vendor.name, a.title, a.notice_deadline)
                for a in board.notice_deadlines
            ],
            "service": [
                ("service_event", e.id, e.asset.name, e.description, e.next_due)
                for e in board.service_due
            ],
        }
        renewals = [a.renews_on for a in board.notice_deadlines]
        total = board.total
        rows = dashboard.attention(s)
    for name, items in expected.items():
        assert items, name  # the demo has something of each
        got = [(i.kind, i.id, i.whose, i.what, i.day) for i in getattr(rows, name)]
        assert got == items, name
    assert [i.renews_on for i in rows.notices] == renewals
    assert rows.total == total


def test_a_vendor_over_my_policy_is_a_row_that_opens_the_vendor(vault):
    with vault.session() as s:
        pushy = records.create(s, m.Vendor, name="Pushy", max_offers_per_year=0).id
        records.create(s, m.Offer, vendor_id=pushy, channel="email", content="Buy!")
    with vault.session() as s:
        (row,) = dashboard.attention(s).over_policy
        waiting = dashboard.attention(s).waiting
    assert (row.kind, row.id, row.whose, row.day) == ("vendor", pushy, "Pushy", None)
    assert "1 offers in the last year (you allow 0)" in row.what and waiting == ()


def test_a_new_thing_on_a_makers_page_is_made_by_it_else_sold_by_it(vault):
    with vault.session() as s:
        maker = records.create(s, m.Vendor, name="Maker", vendor_kind="maker").id
        shop = records.create(s, m.Vendor, name="Shop", vendor_kind="retailer").id
    with vault.session() as s:
        assert views.new_thing_defaults(views.vendor_card(s, maker)) == {"maker_id": maker}
        assert views.new_thing_defaults(views.vendor_card(s, shop)) == {"seller_id": shop}
        assert s.scalar(select(func.count()).select_from(m.Asset)) == 0


def test_a_capped_dashboard_has_the_first_items_and_counts_them_all(vault):
    with vault.session() as s:
        add_expiring_warranties(s, 30)
    with vault.session() as s:
        capped = dashboard.attention(s, limit=20)
        whole = dashboard.attention(s, limit=20, whole={"warranties"})
        uncapped = dashboard.attention(s)
    assert [w.what for w in capped.warranties] == [f"Warranty {n}" for n in range(1, 21)]
    assert capped.count("warranties") == 30 and capped.total == 30
    assert len(whole.warranties) == 30 and whole.count("warranties") == 30
    assert uncapped.warranties == whole.warranties
    assert capped.count("follow_ups") == 0 and capped.follow_ups == ()

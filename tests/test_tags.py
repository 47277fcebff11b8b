"""The tags service: set a record's tags in one go, what is in use, and ids by tag in one query
(what the lists' tag filters and the editors' completion use)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from vrmdesk.errors import ValidationError
from vrmdesk.store import models as m
from vrmdesk.store.services import editing, records, tags
from vrmdesk.store.vault import Vault


@contextmanager
def selects(session: Session) -> Iterator[list[str]]:
    """The SELECT statements the session sends inside the block."""
    engine = session.get_bind()
    seen: list[str] = []

    def count(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def tagged_vault(vault: Vault) -> Vault:
    """Three vendors and a thing: Bosch (kitchen, warranty), Miele (Kitchen), Acme (none),
    and the thing Kettle (kitchen)."""
    with vault.session() as s:
        bosch = records.create(s, m.Vendor, name="Bosch")
        miele = records.create(s, m.Vendor, name="Miele")
        records.create(s, m.Vendor, name="Acme")
        kettle = records.create(s, m.Asset, name="Kettle")
        tags.set_tags(s, bosch, ["kitchen", "warranty"])
        tags.set_tags(s, miele, ["Kitchen"])
        tags.set_tags(s, kettle, ["kitchen"])
    return vault


def ids_of(s: Session, *names: str) -> set[int]:
    return set(s.scalars(select(m.Vendor.id).where(m.Vendor.name.in_(names))))


def test_set_tags_makes_the_tags_exactly_those_given(vault):
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Bosch")
        assert tags.set_tags(s, vendor, [" kitchen ", "Warranty", "KITCHEN", ""]) == [
            "kitchen",
            "Warranty",
        ]
        assert tags.set_tags(s, vendor, ["warranty", "  spare   parts "]) == [
            "spare parts",
            "Warranty",
        ]
        assert tags.tags_of(s, vendor) == ["spare parts", "Warranty"]
        assert tags.set_tags(s, vendor, []) == []


def test_a_refused_tag_changes_none_of_the_record_tags(vault):
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Bosch")
        tags.set_tags(s, vendor, ["kitchen"])
        with pytest.raises(ValidationError) as err:
            tags.set_tags(s, vendor, ["new", "x" * 101])
        assert err.value.field == "tags" and "100 characters" in str(err.value)
        assert tags.tags_of(s, vendor) == ["kitchen"]
        assert tags.all_tags(s) == ["kitchen"]


def test_owners_tagged_answers_ids_of_one_kind_in_one_query(tagged_vault):
    with tagged_vault.session() as s:
        bosch_and_miele = ids_of(s, "Bosch", "Miele")
        with selects(s) as seen:
            assert tags.owners_tagged(s, "vendor", ["KITCHEN"]) == bosch_and_miele
        assert len(seen) == 1
        bosch = ids_of(s, "Bosch")
        with selects(s) as seen:
            assert tags.owners_tagged(s, "vendor", ["kitchen", "warranty"]) == bosch
        assert len(seen) == 1
        assert tags.owners_tagged(s, "vendor", ["kitchen", "warranty"], match="any") == (
            bosch_and_miele
        )
        assert tags.owners_tagged(s, "vendor", ["kitchen", "nobody has it"]) == set()
        assert tags.owners_tagged(s, "vendor", ["nobody has it"]) == set()
        assert tags.owners_tagged(s, "vendor", []) == set()
        assert tags.owners_tagged(s, "asset", ["kitchen"]) == {s.scalars(select(m.Asset.id)).one()}
        assert tags.owners_tagged(s, "ticket", ["kitchen"]) == set()


def test_owners_tagged_query_goes_into_a_list_query(tagged_vault):
    with tagged_vault.session() as s:
        query = (
            select(m.Vendor.name)
            .where(m.Vendor.id.in_(tags.owners_tagged_query("vendor", ["kitchen", "warranty"])))
            .order_by(m.Vendor.name)
        )
        assert list(s.scalars(query)) == ["Bosch"]
        anything = tags.owners_tagged_query("vendor", ["kitchen"], match="any")
        assert list(s.scalars(select(m.Vendor.name).where(m.Vendor.id.in_(anything)))) == [
            "Bosch",
            "Miele",
        ]


def test_all_tags_are_those_in_use_and_tags_by_owner_reads_many_at_once(tagged_vault):
    with tagged_vault.session() as s:
        assert tags.all_tags(s) == ["kitchen", "warranty"]
        assert tags.all_tags(s, "asset") == ["kitchen"]
        assert tags.tag_counts(s) == [("kitchen", 3), ("warranty", 1)]
        bosch = s.scalars(select(m.Vendor).where(m.Vendor.name == "Bosch")).one()
        tags.set_tags(s, bosch, ["kitchen"])
        assert tags.all_tags(s, "vendor") == ["kitchen"]  # no longer in use: not offered
        vendor_ids = ids_of(s, "Bosch", "Miele", "Acme")
        with selects(s) as seen:
            by_owner = tags.tags_by_owner(s, "vendor", vendor_ids)
        assert len(seen) == 1
        assert by_owner == {i: ["kitchen"] for i in ids_of(s, "Bosch", "Miele")}
        assert tags.tags_by_owner(s, "vendor", []) == {}


def test_an_editor_saves_a_record_and_its_tags_in_one_unit_of_work(vault):
    with vault.session() as s:
        saved = editing.save_record(s, "vendor", None, {"name": "Bosch", "tags": ["kitchen"]})
        assert editing.stored_values(s, "vendor", saved.id)["tags"] == ["kitchen"]
    with pytest.raises(ValidationError) as err, vault.session() as s:
        editing.save_record(s, "vendor", saved.id, {"name": "Bosch AG", "tags": ["x" * 101]})
    assert err.value.field == "tags"
    with vault.session() as s:
        assert editing.stored_values(s, "vendor", saved.id)["name"] == "Bosch"  # rolled back
        assert editing.save_record(s, "vendor", saved.id, {"name": "Bosch AG"}).title == "Bosch AG"
        assert editing.stored_values(s, "vendor", saved.id)["tags"] == ["kitchen"]  # untouched


def test_a_typed_line_of_tags_is_read_and_written_back_the_same_way():
    assert tags.parse(" kitchen,, spare   parts ,Kitchen,") == ["kitchen", "spare parts"]
    assert tags.parse(tags.joined(["a", "b c"])) == ["a", "b c"]
    assert tags.parse("") == []
    with pytest.raises(ValidationError) as err:
        tags.parse("ok, " + "y" * 101)
    assert err.value.field == "tags"


def test_tags_of_records_of_several_kinds_come_in_one_query(tagged_vault):
    with tagged_vault.session() as s:
        bosch, miele, acme = (min(ids_of(s, name)) for name in ("Bosch", "Miele", "Acme"))
        kettle = s.scalars(select(m.Asset.id)).one()
        with selects(s) as seen:
            found = tags.tags_of_records(
                s, [("vendor", bosch), ("vendor", acme), ("asset", kettle), ("ticket", miele)]
            )
        assert len(seen) == 1
        assert found == {("vendor", bosch): ["kitchen", "warranty"], ("asset", kettle): ["kitchen"]}
        assert tags.tags_of_records(s, []) == {}

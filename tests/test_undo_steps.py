"""Undo and redo in the core: an edit's values before and after, a delete done again."""

from __future__ import annotations

from datetime import date

import pytest

from vrmdesk.errors import NotFound, ValidationError
from vrmdesk.store import models as m
from vrmdesk.store.services import editing, records, search, undo
from vrmdesk.store.vault import Vault


@pytest.fixture
def dishwasher(vault: Vault) -> int:
    with vault.session() as s:
        asset = records.create(
            s, m.Asset, name="Bosch dishwasher", location="Kitchen", purchase_date=date(2024, 3, 1)
        )
        records.create(s, m.Warranty, asset_id=asset.id, title="Two years", months=24)
        return asset.id


def test_an_edit_undone_has_its_values_back_and_redone_the_new_ones(vault, dishwasher):
    with vault.session() as s:
        saved, edit = editing.save_edit(
            s, "asset", dishwasher, {"name": "Bosch SMS", "location": "Cellar"}
        )
    assert saved == editing.Saved(dishwasher, "Bosch SMS")
    assert edit.action == "edit of Bosch SMS" and edit.changed
    with vault.session() as s:
        undo.undo_step(s, edit)
    with vault.session() as s:
        asset = s.get(m.Asset, dishwasher)
        assert (asset.name, asset.location) == ("Bosch dishwasher", "Kitchen")
        assert search.search(s, "dishwasher")  # the search index follows
    with vault.session() as s:
        assert undo.redo_step(s, edit, attachments=vault.attachments) is edit
    with vault.session() as s:
        asset = s.get(m.Asset, dishwasher)
        assert (asset.name, asset.location) == ("Bosch SMS", "Cellar")


def test_derived_fields_follow_an_undone_edit(vault, dishwasher):
    with vault.session() as s:
        warranty = s.query(m.Warranty).one()
        assert warranty.ends_on == date(2026, 3, 1)
        _, edit = editing.save_edit(s, "warranty", warranty.id, {"months": 36})
        assert warranty.ends_on == date(2027, 3, 1)
    with vault.session() as s:
        undo.undo_step(s, edit)
        assert s.query(m.Warranty).one().ends_on == date(2026, 3, 1)


def test_an_edit_that_changes_nothing_is_no_step(vault, dishwasher):
    with vault.session() as s:
        values = editing.stored_values(s, "asset", dishwasher)
        _, edit = editing.save_edit(s, "asset", dishwasher, values)
    assert not edit.changed


def test_an_edit_refused_writes_nothing(vault, dishwasher):
    with pytest.raises(ValidationError), vault.session() as s:
        editing.save_edit(s, "asset", dishwasher, {"name": ""})
    with vault.session() as s:
        assert s.get(m.Asset, dishwasher).name == "Bosch dishwasher"


def test_undoing_an_edit_of_a_record_deleted_since_is_refused(vault, dishwasher):
    with vault.session() as s:
        _, edit = editing.save_edit(s, "asset", dishwasher, {"name": "Bosch SMS"})
    with vault.session() as s:
        editing.delete_record(s, "asset", dishwasher, attachments=vault.attachments)
    with pytest.raises(NotFound), vault.session() as s:
        undo.undo_step(s, edit)


def test_undoing_a_rename_to_a_name_taken_since_is_refused_and_changes_nothing(vault):
    with vault.session() as s:
        bosch = records.create(s, m.Vendor, name="Bosch").id
        _, edit = editing.save_edit(s, "vendor", bosch, {"name": "BSH"})
        records.create(s, m.Vendor, name="Bosch")
    with pytest.raises(ValidationError, match="named 'Bosch' already"), vault.session() as s:
        undo.undo_step(s, edit)
    with vault.session() as s:
        assert s.get(m.Vendor, bosch).name == "BSH"


def test_a_delete_undone_and_redone_is_deleted_again_and_can_come_back_again(vault, dishwasher):
    with vault.session() as s:
        snapshot = editing.delete_record(s, "asset", dishwasher, attachments=vault.attachments)
    assert snapshot.action == "delete of thing “Bosch dishwasher”"
    with vault.session() as s:
        undo.undo_step(s, snapshot)
    with vault.session() as s:
        again = undo.redo_step(s, snapshot, attachments=vault.attachments)
        assert s.get(m.Asset, dishwasher) is None and s.query(m.Warranty).count() == 0
    with vault.session() as s:
        undo.undo_step(s, again)
    with vault.session() as s:
        assert s.get(m.Asset, dishwasher).name == "Bosch dishwasher"
        assert s.query(m.Warranty).count() == 1


def test_an_unknown_kind_is_refused(vault):
    with pytest.raises(NotFound), vault.session() as s:
        undo.edit_with_undo(s, "spaceship", 1, name="x")


def test_an_edit_of_the_tags_alone_is_undone_and_redone(vault, dishwasher):
    with vault.session() as s:
        values = editing.stored_values(s, "asset", dishwasher)
        assert values[editing.TAGS] == []
        _, first = editing.save_edit(s, "asset", dishwasher, {**values, "tags": ["kitchen"]})
        _, second = editing.save_edit(
            s, "asset", dishwasher, {**values, "tags": ["kitchen", "warranty claim"]}
        )
    assert first.changed and second.changed
    with vault.session() as s:
        undo.undo_step(s, second)
        assert editing.stored_values(s, "asset", dishwasher)[editing.TAGS] == ["kitchen"]
        undo.undo_step(s, first)
        assert editing.stored_values(s, "asset", dishwasher)[editing.TAGS] == []
        undo.redo_step(s, first, attachments=vault.attachments)
        undo.redo_step(s, second, attachments=vault.attachments)
        assert editing.stored_values(s, "asset", dishwasher)[editing.TAGS] == [
            "kitchen",
            "warranty claim",
        ]

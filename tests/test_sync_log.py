"""The change log: every create, changed field and delete of a synced record is logged in the
same transaction, in the sync contract's shape, and what bypasses it is found."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from vrmdesk.store import changelog
from vrmdesk.store import models as m
from vrmdesk.store.gid import is_gid
from vrmdesk.store.services import records, tags
from vrmdesk.store.vault import Vault


def log(vault: Vault) -> list[dict]:
    with vault.session() as s:
        return changelog.entries(s)


def test_every_record_has_a_uuid7_gid(demo_vault: Vault):
    with demo_vault.session() as s:
        for cls in changelog.SYNCED.values():
            gids = list(s.scalars(select(cls.gid)))  # type: ignore[attr-defined]
            assert all(is_gid(g) for g in gids)
            assert len(set(gids)) == len(gids)


def test_a_create_logs_every_field_with_references_by_gid(vault: Vault):
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Bosch", since=date(2020, 1, 2))
        asset = records.create(
            s, m.Asset, name="Washer", maker_id=vendor.id, price_minor=49900, currency="EUR"
        )
    made_vendor, made_asset = log(vault)
    device = made_vendor["device"]
    assert re.fullmatch(r"[0-9a-f]{32}", device)
    assert re.fullmatch(rf"\d{{16}}-[0-9a-f]{{4}}-{device}", made_vendor["hlc"])
    assert (made_vendor["seq"], made_asset["seq"]) == (1, 2)
    assert made_vendor["hlc"] < made_asset["hlc"]
    assert made_vendor["op"] == "create" and made_vendor["kind"] == "vendor"
    assert made_vendor["gid"] == vendor.gid
    assert made_vendor["fields"]["since"] == "2020-01-02"
    assert made_vendor["fields"]["vendor_kind"] == "other"  # an enum: its value
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", made_vendor["fields"]["created_at"]
    )
    assert "id" not in made_asset["fields"] and "maker_id" not in made_asset["fields"]
    assert made_asset["fields"]["maker"] == vendor.gid
    assert made_asset["fields"]["price_minor"] == 49900
    assert made_asset["gid"] == asset.gid


def test_an_update_logs_the_changed_fields_with_their_base(vault: Vault):
    with vault.session() as s:
        asset = records.create(s, m.Asset, name="Washer")
    with vault.session() as s:
        s.get(m.Asset, asset.id).name = "Washer 2"
    with vault.session() as s:
        thing = s.get(m.Asset, asset.id)
        thing.name = "Washer 3"
        thing.location = "Cellar"
        thing.notes = thing.notes  # the same value: no change
    created, renamed, moved = log(vault)
    assert renamed["op"] == "update" and renamed["fields"] == {"name": "Washer 2"}
    assert renamed["base"] == {"name": created["hlc"]}  # the create set every field
    assert moved["fields"] == {"name": "Washer 3", "location": "Cellar"}
    assert moved["base"] == {"name": renamed["hlc"], "location": created["hlc"]}


def test_a_reference_set_through_the_relationship_is_logged(vault: Vault):
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Miele")
        asset = records.create(s, m.Asset, name="Dryer")
    with vault.session() as s:
        s.get(m.Asset, asset.id).seller = s.get(m.Vendor, vendor.id)
    assert log(vault)[-1]["fields"] == {"seller": vendor.gid}


def test_a_delete_logs_what_the_database_cascades(vault: Vault):
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Bosch")
        contact = records.create(s, m.Contact, vendor_id=vendor.id, name="Ann")
        asset = records.create(s, m.Asset, name="Washer", maker_id=vendor.id)
        tags.add_tag(s, vendor, "kitchen")
    with vault.session() as s:
        records.delete_record(s, m.Vendor, vendor.id, attachments=vault.attachments, cascade=True)
    changes = log(vault)
    deleted = {c["gid"] for c in changes if c["op"] == "delete"}
    assert {vendor.gid, contact.gid} <= deleted
    tagging = next(c for c in changes if c["kind"] == "tagging")  # a bulk ORM delete, logged
    assert tagging["gid"] in deleted
    emptied = [c for c in changes if c["op"] == "update" and c["gid"] == asset.gid]
    assert emptied[-1]["fields"] == {"maker": None}  # ON DELETE SET NULL
    with vault.session() as s:
        assert changelog.verify(s) == []


def test_an_attachment_travels_as_its_content_hash_and_owner_gid(vault: Vault):
    with vault.session() as s:
        asset = records.create(s, m.Asset, name="Washer")
        attachment = vault.attachments.add(s, asset, io.BytesIO(b"RECEIPT"), name="r.txt")
    made = log(vault)[-1]
    assert made["kind"] == "attachment" and made["gid"] == attachment.gid
    assert made["fields"]["blob"] == attachment.sha256
    assert made["fields"]["owner"] == asset.gid and made["fields"]["owner_kind"] == "asset"
    assert "blob_name" not in made["fields"] and "sha256" not in made["fields"]


def test_a_rolled_back_unit_of_work_leaves_no_log(vault: Vault):
    def cancelled() -> None:
        with vault.session() as s:
            records.create(s, m.Vendor, name="Gone")
            raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError):
        cancelled()
    assert log(vault) == []
    with vault.session() as s:
        records.create(s, m.Vendor, name="Kept")
    assert [c["seq"] for c in log(vault)] == [1]  # no number was used up


def test_changes_made_while_not_capturing_are_not_this_devices(vault: Vault):
    with vault.session() as s, changelog.not_capturing(s):
        records.create(s, m.Vendor, name="From elsewhere")
    assert log(vault) == []
    with vault.session() as s:
        records.create(s, m.Vendor, name="Mine")
    assert len(log(vault)) == 1


def test_a_bulk_orm_update_of_records_is_refused(vault: Vault):
    with vault.session() as s:
        records.create(s, m.Vendor, name="Bosch")
    with pytest.raises(changelog.BulkUpdateRefused), vault.session() as s:
        s.execute(update(m.Vendor).values(notes="bypass"))


def test_a_bulk_orm_insert_of_records_is_logged(vault: Vault):
    with vault.session() as s:
        s.execute(insert(m.Vendor), [{"name": "Bosch"}, {"name": "Miele"}])
        assert changelog.verify(s) == []
    assert [(c["op"], c["fields"]["name"]) for c in log(vault)] == [
        ("create", "Bosch"),
        ("create", "Miele"),
    ]


def test_raw_sql_around_the_log_is_found(vault: Vault):
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Bosch")
        records.create(s, m.Vendor, name="Miele")
        assert changelog.verify(s) == []
    with vault.session() as s:
        s.execute(text("UPDATE vendors SET notes = 'raw' WHERE id = :id"), {"id": vendor.id})
        s.execute(text("INSERT INTO tags (name, gid) VALUES ('raw', :g)"), {"g": "x"})
        s.execute(delete(m.Vendor.__table__).where(m.Vendor.__table__.c.name == "Miele"))
        problems = changelog.verify(s)
    assert any(f"vendor {vendor.gid} field notes" in p for p in problems)
    assert any("tag x is not in the change log" in p for p in problems)
    assert any("removed without the change log" in p for p in problems)


def test_baseline_logs_records_made_before_the_log(vault: Vault):
    with vault.session() as s, changelog.not_capturing(s):
        records.create(s, m.Vendor, name="Old")
    with vault.session() as s:
        assert changelog.verify(s) != []
        assert changelog.baseline(s) == 1
        assert changelog.verify(s) == []
        assert changelog.baseline(s) == 0


def test_device_and_clock_are_kept_in_meta(vault: Vault):
    with vault.session() as s:
        records.create(s, m.Vendor, name="Bosch")
    (made,) = log(vault)
    with vault.session() as s:
        meta = dict(
            s.execute(select(m.Meta.key, m.Meta.value).where(m.Meta.key.like("sync.%"))).all()
        )
        assert meta["sync.seq"] == "1"
        assert meta["sync.clock"] == made["hlc"]
        assert s.scalar(select(func.count()).select_from(m.SyncField)) == 1


def test_a_delete_whose_flush_failed_is_not_logged_later(vault: Vault):
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Bosch")
        records.create(s, m.Vendor, name="Miele")
    with vault.session() as s:
        s.delete(s.get(m.Vendor, vendor.id))
        s.add(m.Vendor(name="Miele"))  # the same name: the flush fails, nothing is deleted
        with pytest.raises(IntegrityError):
            s.flush()
        s.rollback()
        records.create(s, m.Vendor, name="Siemens")
    assert [c["op"] for c in log(vault)] == ["create", "create", "create"]
    with vault.session() as s:
        assert changelog.verify(s) == []

"""Applying another device's changes: vault A's log applied to an empty vault B gives the same
records (by gid, every field), a change waits for what it refers to, a copy is skipped."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from vrmdesk.store import changelog, demo, keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records, tags
from vrmdesk.store.vault import Vault
from vrmdesk.sync.apply import (
    APPLIED,
    CLASH,
    GONE,
    SKIPPED,
    WAITING,
    Applier,
    ApplyError,
    apply_change,
)
from vrmdesk.sync.changes import Change, ChangeError


@pytest.fixture
def other(tmp_path: Path):
    vault, _ = Vault.create(tmp_path / "b", "pw", kdf=keys.fast_params_for_tests())
    with vault:
        yield vault


def contents_of(vault: Vault) -> dict[str, bytes]:
    with vault.session() as s:
        return {a.sha256: vault.attachments.read_bytes(a) for a in s.scalars(select(m.Attachment))}


def replay_into(
    target: Vault, changes: list[dict], contents: dict[str, bytes], *, batch: bool = False
) -> list[str]:
    """Apply in clock order: one by one, or all in one :class:`Applier`."""
    outcomes = []
    with target.session() as s:

        def blob_name_for(sha256: str) -> str | None:
            return target.attachments.store_blob(s, io.BytesIO(contents[sha256])).name

        ordered = [Change.from_json(c) for c in sorted(changes, key=lambda c: c["hlc"])]
        if batch:
            with Applier(s, blob_name_for=blob_name_for) as applier:
                outcomes = [applier.apply(change).status for change in ordered]
        else:
            for change in ordered:
                outcomes.append(apply_change(s, change, blob_name_for=blob_name_for).status)
    return outcomes


@pytest.mark.parametrize("batch", [False, True], ids=["one-by-one", "batch"])
def test_a_vaults_log_applied_to_an_empty_vault_gives_the_same_records(
    vault: Vault, other, batch: bool
):
    with vault.session() as s:
        demo.build(s, vault.attachments)
    contents = contents_of(vault)
    with vault.session() as s:
        vendors = list(s.scalars(select(m.Vendor).order_by(m.Vendor.id)))
        first, second = vendors[0], vendors[1]
        first.notes = "edited on A"
        tags.add_tag(s, first, "synced")
        asset = s.scalars(select(m.Asset)).first()
        assert asset is not None
        asset.seller_id = second.id
        asset.location = "Attic"
        attachment = s.scalars(select(m.Attachment)).first()
        assert attachment is not None
        vault.attachments.remove(s, attachment.id)
    with vault.session() as s:
        records.delete_record(s, m.Vendor, second.id, attachments=vault.attachments, cascade=True)
    with vault.session() as s:
        changes = changelog.entries(s)
        expected = changelog.snapshot(s)
    assert {c["op"] for c in changes} == {"create", "update", "delete"}

    outcomes = replay_into(other, changes, contents, batch=batch)
    assert WAITING not in outcomes  # in clock order every reference is there first

    with other.session() as s:
        assert changelog.snapshot(s) == expected  # every record, every field, by gid
        assert changelog.verify(s) == []
        kept = s.scalars(select(m.Attachment)).first()
        assert kept is not None
    assert other.attachments.read_bytes(kept) == contents[kept.sha256]
    # applied a second time (a replayed set): every change is skipped, nothing changes
    assert set(replay_into(other, changes, contents, batch=batch)) == {SKIPPED}
    with other.session() as s:
        assert changelog.snapshot(s) == expected


def test_applied_changes_are_not_logged_as_this_devices_but_are_a_base(vault: Vault, other):
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Bosch")
    with vault.session() as s:
        made = changelog.entries(s)
    replay_into(other, made, {})
    with other.session() as s:
        (logged,) = changelog.entries(s)
        assert logged["device"] == made[0]["device"]  # under A's device, not B's
        s.scalars(select(m.Vendor)).one().notes = "edited on B"
    with other.session() as s:
        mine = changelog.entries(s)[-1]
    assert mine["device"] != made[0]["device"] and mine["seq"] == 1
    assert mine["base"] == {"notes": made[0]["hlc"]}
    assert mine["hlc"] > made[0]["hlc"]  # B's clock observed A's
    assert mine["gid"] == vendor.gid


def test_a_change_whose_reference_is_not_there_yet_waits(vault: Vault, other):
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Bosch")
        records.create(s, m.Contact, vendor_id=vendor.id, name="Ann")
    with vault.session() as s:
        made_vendor, made_contact = changelog.entries(s)
    with other.session() as s:
        waiting = apply_change(s, Change.from_json(made_contact))
        assert waiting.status == WAITING and waiting.missing == [vendor.gid]
        assert s.scalars(select(m.Contact)).all() == []
        assert apply_change(s, Change.from_json(made_vendor)).status == APPLIED
        assert apply_change(s, Change.from_json(made_contact)).status == APPLIED
        assert s.scalars(select(m.Contact)).one().vendor.name == "Bosch"


def test_an_attachment_waits_for_its_content(vault: Vault, other):
    with vault.session() as s:
        asset = records.create(s, m.Asset, name="Washer")
        vault.attachments.add(s, asset, io.BytesIO(b"RECEIPT"), name="r.txt")
    with vault.session() as s:
        made_asset, made_attachment = changelog.entries(s)
    with other.session() as s:
        apply_change(s, Change.from_json(made_asset))
        outcome = apply_change(s, Change.from_json(made_attachment))
        assert outcome.status == WAITING
        assert outcome.missing == [f"blob:{made_attachment['fields']['blob']}"]


def test_an_update_of_a_record_deleted_here_is_gone(vault: Vault, other):
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Bosch")
    with vault.session() as s:
        s.get(m.Vendor, vendor.id).notes = "later"
    with vault.session() as s:
        made, edited = changelog.entries(s)
    replay_into(other, [made], {})
    with other.session() as s:
        records.delete_record(
            s, m.Vendor, s.scalars(select(m.Vendor.id)).one(), attachments=other.attachments
        )
    with other.session() as s:
        assert apply_change(s, Change.from_json(edited)).status == GONE


def test_a_malformed_change_is_refused_with_a_reason(vault: Vault, other):
    with vault.session() as s:
        records.create(s, m.Vendor, name="Bosch")
    with vault.session() as s:
        (made,) = changelog.entries(s)
    with pytest.raises(ChangeError, match="other keys"):
        Change.from_json({**made, "extra": 1})
    with pytest.raises(ChangeError, match="another device"):
        Change.from_json({**made, "device": "c" * 32})
    with pytest.raises(ChangeError, match="global id"):
        Change.from_json({**made, "gid": "not-a-gid"})
    with pytest.raises(ChangeError, match="base"):
        Change.from_json({**made, "op": "update", "base": {}})
    with other.session() as s, pytest.raises(ApplyError, match="fields a vendor has not"):
        apply_change(s, Change.from_json({**made, "fields": {"colour": "red"}}))
    with other.session() as s:
        assert s.scalars(select(m.Vendor)).all() == []
    assert Change.from_json(made).to_json() == made


def test_a_unique_value_another_record_has_clashes_and_writes_nothing(vault: Vault, other):
    """Both devices made a vendor "Bosch": A's create clashes on B (not applied, not logged as
    applied, so the merge can decide), and B's other changes still apply in the same batch."""
    with vault.session() as s:
        records.create(s, m.Vendor, name="Bosch")
        records.create(s, m.Vendor, name="Miele")
    with other.session() as s:
        mine = records.create(s, m.Vendor, name="bosch")  # names are unique without case
    with vault.session() as s:
        made = changelog.entries(s)
    with other.session() as s, Applier(s) as applier:
        outcomes = [applier.apply(Change.from_json(c)) for c in made]
    assert outcomes[0].status == CLASH and outcomes[0].missing == [f"name={mine.gid}"]
    assert outcomes[1].status == APPLIED
    with other.session() as s:
        assert sorted(s.scalars(select(m.Vendor.name))) == ["Miele", "bosch"]
        assert not changelog.is_applied(s, made[0]["device"], made[0]["seq"])
        assert changelog.is_applied(s, made[1]["device"], made[1]["seq"])

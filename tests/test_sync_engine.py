"""Two (and three) real vaults kept in step through a plain folder by the sync engine: edits,
deletes, attachments, concurrent edits kept as conflicts and resolved, a device paired later
catching up, names made on two devices at once, and sets that must wait."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from vrmdesk.errors import VrmError
from vrmdesk.store import changelog, keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault
from vrmdesk.sync import engine, merge

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def make_vault(tmp_path: Path) -> Iterator[object]:
    opened: list[Vault] = []

    def make(name: str) -> Vault:
        vault, _ = Vault.create(tmp_path / name, PASSPHRASE, kdf=keys.fast_params_for_tests())
        opened.append(vault)
        return vault

    yield make
    for vault in opened:
        vault.close()


def _paired(make_vault, folder: Path, *names: str) -> list[Vault]:
    vaults = [make_vault(n) for n in names]
    for v, n in zip(vaults, names, strict=True):
        engine.init(v, folder, name=n)
    for a in vaults:
        for b in vaults:
            if a is not b:
                engine.pair(a, engine.read_code(engine.own_code(b)))
    return vaults


@pytest.fixture
def two(make_vault, tmp_path: Path) -> tuple[Vault, Vault]:
    a, b = _paired(make_vault, tmp_path / "shared", "laptop", "desktop")
    return a, b


def vendors(vault: Vault) -> dict[str, dict[str, object]]:
    with vault.session() as s:
        return {
            v.gid: {"name": v.name, "website": v.website, "notes": v.notes}
            for v in s.scalars(select(m.Vendor))
        }


def records_of(vault: Vault) -> dict[str, tuple[str, dict[str, object]]]:
    with vault.session() as s:
        return changelog.snapshot(s)


def sync(*vaults: Vault, rounds: int = 2) -> list[engine.Report]:
    reports = []
    for _ in range(rounds):
        for v in vaults:
            reports.append(engine.sync_now(v))
    return reports


def add_vendor(vault: Vault, name: str, **fields: object) -> int:
    with vault.session() as s:
        return records.create(s, m.Vendor, name=name, **fields).id


def edit_vendor(vault: Vault, name: str, **fields: object) -> None:
    with vault.session() as s:
        ident = records.find_vendor(s, name).id
        records.update(s, m.Vendor, ident, **fields)


def test_an_edit_a_delete_and_an_attachment_reach_the_other_vault(two):
    a, b = two
    add_vendor(a, "Bosch", website="https://bosch.example")
    with a.session() as s:
        asset = records.create(
            s, m.Asset, name="Dishwasher", maker_id=records.find_vendor(s, "Bosch").id
        )
        a.attachments.add(s, asset, io.BytesIO(b"%PDF-1.4 receipt"), name="receipt.pdf")
    report = engine.sync_now(a)
    assert report.sent > 0 and report.sets_sent == 1
    report = engine.sync_now(b)
    assert report.applied == sync_count(a)
    assert records_of(a) == records_of(b)
    with b.session() as s:
        attachment = s.scalars(select(m.Attachment)).one()
        assert b.attachments.read_bytes(attachment) == b"%PDF-1.4 receipt"

    edit_vendor(b, "Bosch", notes="Hotline 0800")
    with b.session() as s:
        asset_id = s.scalars(select(m.Asset.id)).one()
        records.delete_record(s, m.Asset, asset_id, attachments=b.attachments)
    sync(a, b)
    assert records_of(a) == records_of(b)
    assert [v["notes"] for v in vendors(a).values()] == ["Hotline 0800"]
    with a.session() as s:
        assert s.scalars(select(m.Asset)).all() == []
        assert s.scalars(select(m.Attachment)).all() == []
    assert engine.sync_now(a).to_json()["applied"] == 0


def sync_count(vault: Vault) -> int:
    with vault.session() as s:
        return len(changelog.entries(s, changelog.device_id(s.connection())))


def test_a_sync_with_nothing_new_sends_and_applies_nothing(two):
    a, b = two
    add_vendor(a, "Miele")
    sync(a, b)
    report = engine.sync_now(b)
    assert (report.sent, report.applied, report.sets_sent, report.problems) == (0, 0, 0, [])
    assert engine.status(b).last_sync == report.finished_at


def test_concurrent_edits_of_one_field_are_a_conflict_resolved_on_either_device(two):
    a, b = two
    add_vendor(a, "Bosch")
    sync(a, b)
    edit_vendor(a, "Bosch", website="https://a.example")
    edit_vendor(b, "Bosch", website="https://b.example")
    sync(a, b)
    assert records_of(a) == records_of(b)
    for v in (a, b):
        [conflict] = engine.conflicts(v)
        assert conflict.kind == merge.CONCURRENT
        assert conflict.field == "website" and conflict.record_label == "Bosch"
        values = {x.value for x in conflict.versions}
        assert values == {"https://a.example", "https://b.example"}
        assert (
            conflict.versions[conflict.winner].value == next(iter(vendors(v).values()))["website"]
        )
    names = {x.device_name for x in engine.conflicts(a)[0].versions}
    assert names == {"laptop (this device)", "desktop"}
    # the person on the desktop keeps the laptop's value
    [conflict] = engine.conflicts(b)
    keep = next(i for i, x in enumerate(conflict.versions) if x.value == "https://a.example")
    engine.resolve(b, conflict.id, keep)
    assert engine.conflicts(b) == []
    sync(b, a)
    assert engine.conflicts(a) == []
    assert [v["website"] for v in vendors(a).values()] == ["https://a.example"]
    assert records_of(a) == records_of(b)


def test_an_edit_of_a_record_deleted_elsewhere_can_be_kept_deleted_or_restored(two):
    a, b = two
    add_vendor(a, "Bosch")
    add_vendor(a, "Miele")
    sync(a, b)
    with a.session() as s:
        s.delete(records.find_vendor(s, "Bosch"))
        s.delete(records.find_vendor(s, "Miele"))
    edit_vendor(b, "Bosch", notes="late note")
    edit_vendor(b, "Miele", notes="another late note")
    sync(a, b)
    assert vendors(a) == vendors(b) == {}
    found = {c.record_label: c for c in engine.conflicts(b)}
    assert set(found) == {"Bosch (a deleted vendor)", "Miele (a deleted vendor)"}
    assert {c.kind for c in found.values()} == {merge.AFTER_DELETE}
    assert engine.conflicts(a) != []  # the deleting device sees them too
    with pytest.raises(VrmError, match="deleted or restore"):
        engine.resolve(b, found["Bosch (a deleted vendor)"].id, 0)
    engine.restore(b, found["Bosch (a deleted vendor)"].id)
    engine.keep_deleted(b, found["Miele (a deleted vendor)"].id)
    sync(b, a)
    assert engine.conflicts(a) == engine.conflicts(b) == []
    [back] = vendors(a).values()
    assert (back["name"], back["notes"]) == ("Bosch", "late note")
    assert records_of(a) == records_of(b)


def test_a_device_paired_later_catches_up_with_everything_before_it(make_vault, tmp_path):
    folder = tmp_path / "shared"
    a, b = _paired(make_vault, folder, "laptop", "desktop")
    add_vendor(a, "Bosch")
    with a.session() as s:
        vendor = records.find_vendor(s, "Bosch")
        a.attachments.add(s, vendor, io.BytesIO(b"contract"), name="contract.txt")
    sync(a, b)
    c = make_vault("tablet")
    engine.init(c, folder, name="tablet")
    for other in (a, b):
        engine.pair(c, engine.read_code(engine.own_code(other)))
        engine.pair(other, engine.read_code(engine.own_code(c)))
    sync(a, b, c)
    assert records_of(c) == records_of(a) == records_of(b)
    with c.session() as s:
        assert c.attachments.read_bytes(s.scalars(select(m.Attachment)).one()) == b"contract"


def test_two_vendors_of_one_name_made_at_once_are_both_kept_one_renamed(two):
    a, b = two
    add_vendor(a, "Bosch", notes="from a")
    add_vendor(b, "Bosch", notes="from b")
    reports = sync(a, b, rounds=3)
    assert records_of(a) == records_of(b)
    first, renamed = sorted(v["name"] for v in vendors(a).values())
    assert first == "Bosch" and re.fullmatch(r"Bosch \([0-9a-f]{4}\)", renamed), renamed
    assert any(p["kind"] == "renamed" for r in reports for p in r.problems)
    assert engine.conflicts(a) == engine.conflicts(b) == []


def test_a_set_whose_attachment_has_not_arrived_waits_and_is_applied_later(two, tmp_path):
    a, b = two
    add_vendor(a, "Bosch")
    with a.session() as s:
        a.attachments.add(s, records.find_vendor(s, "Bosch"), io.BytesIO(b"manual"), name="m.txt")
    engine.sync_now(a)
    folder = engine.folder(a)
    assert folder is not None
    blobs = folder / "blobs"
    parked = tmp_path / "parked"
    shutil.move(blobs, parked)
    blobs.mkdir()
    report = engine.sync_now(b)
    assert report.applied == 0 and report.waiting == 1
    assert any(p["kind"] == "incomplete" for p in report.problems)
    assert vendors(b) == {}
    shutil.rmtree(blobs)
    shutil.move(parked, blobs)
    report = engine.sync_now(b)
    assert report.waiting == 0 and report.applied > 0
    assert records_of(a) == records_of(b)


def test_a_revoked_device_gets_nothing_more_and_what_it_writes_is_ignored(two):
    a, b = two
    add_vendor(a, "Bosch")
    sync(a, b)
    engine.revoke(a, "desktop")
    add_vendor(b, "Miele")
    add_vendor(a, "Siemens")
    report = engine.sync_now(b)
    engine.sync_now(a)
    report = engine.sync_now(a)
    assert "Miele" not in {v["name"] for v in vendors(a).values()}
    assert any(p["kind"] == "revoked" for p in report.problems)
    report = engine.sync_now(b)
    assert "Siemens" not in {v["name"] for v in vendors(b).values()}


def test_sync_before_init_is_refused_with_a_clear_message(make_vault):
    v = make_vault("alone")
    with pytest.raises(engine.NotSetUp, match="sync init --folder"):
        engine.sync_now(v)
    assert engine.status(v).set_up is False


def test_a_cancelled_sync_keeps_nothing(two):
    a, b = two
    add_vendor(a, "Bosch")
    engine.sync_now(a)
    calls = []

    def cancel_when_applying() -> bool:
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(VrmError, match="cancelled"):
        engine.sync_now(b, cancelled=cancel_when_applying)
    assert vendors(b) == {}
    assert engine.sync_now(b).applied > 0
    assert [v["name"] for v in vendors(b).values()] == ["Bosch"]


def test_a_vault_restored_from_a_backup_gives_no_change_number_twice(two, tmp_path):
    from vrmdesk.store import backup

    a, b = two
    add_vendor(a, "Bosch")
    sync(a, b)
    taken = backup.make_backup(a)
    add_vendor(a, "Miele")  # after the backup: sent, then lost here by the restore
    sync(a, b)
    folder_a = a.folder
    a.close()
    backup.restore(folder_a, taken.path, passphrase=PASSPHRASE)
    a = Vault.open(folder_a, PASSPHRASE)
    try:
        assert {v["name"] for v in vendors(a).values()} == {"Bosch"}
        add_vendor(a, "Siemens")  # made after the restore: its number was Miele's
        sync(a, b)
        names = {"Bosch", "Miele", "Siemens"}
        assert {v["name"] for v in vendors(b).values()} == names
        assert {v["name"] for v in vendors(a).values()} == names  # Miele came back from the folder
        assert records_of(a) == records_of(b)
        add_vendor(a, "Liebherr")
        sync(a, b)
        assert records_of(a) == records_of(b)
    finally:
        a.close()


def test_one_mail_captured_on_two_devices_is_kept_once_on_both(two):
    from datetime import UTC, datetime

    a, b = two
    add_vendor(a, "Bosch")
    sync(a, b)
    for vault, body in ((a, "captured on the laptop"), (b, "captured on the desktop")):
        with vault.session() as s:
            s.add(
                m.Interaction(
                    vendor_id=records.find_vendor(s, "Bosch").id,
                    occurred_at=datetime(2026, 11, 30, 9, 0, tzinfo=UTC).replace(tzinfo=None),
                    direction=m.Direction.INBOUND,
                    channel=m.InteractionChannel.EMAIL,
                    subject="Your repair",
                    body=body,
                    message_id="<repair-123@bosch.example>",
                )
            )
    reports = sync(a, b, rounds=3)
    assert records_of(a) == records_of(b)
    for vault in (a, b):
        with vault.session() as s:
            assert len(s.scalars(select(m.Interaction)).all()) == 1
    assert any(p["kind"] == "duplicate" for r in reports for p in r.problems)


def test_a_revoked_device_is_not_heard_through_another_devices_catch_up(make_vault, tmp_path):
    a, b, c = _paired(make_vault, tmp_path / "shared", "laptop", "desktop", "tablet")
    sync(a, b, c)
    engine.revoke(b, "tablet")
    add_vendor(c, "Forged by the lost tablet")
    sync(c, a)
    assert "Forged by the lost tablet" in {v["name"] for v in vendors(a).values()}
    with a.session() as s:  # the laptop sends everything again (as after a pairing)
        engine.sync_folder.meta_set(s, engine.CATCHUP_KEY, "1")
    sync(a, b)
    assert "Forged by the lost tablet" not in {v["name"] for v in vendors(b).values()}


def test_what_one_device_adds_under_a_record_another_deletes_goes_the_same_way_on_both(two):
    a, b = two
    with a.session() as s:
        records.create(s, m.Vendor, name="Bosch")
        records.create(s, m.Vendor, name="Miele")
        records.create(s, m.Asset, name="Kettle")
    sync(a, b)
    with a.session() as s:  # the laptop deletes two vendors and a thing
        for name in ("Bosch", "Miele"):
            s.delete(records.find_vendor(s, name))
        s.delete(s.scalars(select(m.Asset).where(m.Asset.name == "Kettle")).one())
    with b.session() as s:  # the desktop, meanwhile, adds under them
        bosch = records.find_vendor(s, "Bosch")
        records.create(s, m.Asset, name="Dishwasher", maker_id=bosch.id)  # maker: emptied
        kettle = s.scalars(select(m.Asset).where(m.Asset.name == "Kettle")).one()
        records.create(
            s, m.Warranty, asset_id=kettle.id, title="Kettle", starts_on=date(2026, 1, 5), months=24
        )  # goes with the kettle
        b.attachments.add(s, records.find_vendor(s, "Miele"), io.BytesIO(b"x"), name="m.txt")
    sync(a, b, rounds=3)
    assert records_of(a) == records_of(b)
    for vault in (a, b):
        with vault.session() as s:
            assert s.scalars(select(m.Asset.name)).all() == ["Dishwasher"]
            assert s.scalars(select(m.Asset.maker_id)).all() == [None]
            assert s.scalars(select(m.Warranty)).all() == []
            assert s.scalars(select(m.Attachment)).all() == []
            assert changelog.verify(s) == []  # the log explains every row on both


def test_a_name_clash_is_found_in_a_large_set_whatever_the_letter_case(two):
    a, b = two
    with a.session() as s:
        for n in range(30):  # many names: looked up at once, not one by one
            records.create(s, m.Vendor, name=f"Vendor {n}")
        records.create(s, m.Vendor, name="Bosch")
    add_vendor(b, "BOSCH")
    sync(a, b, rounds=3)
    assert records_of(a) == records_of(b)
    names = sorted(v["name"] for v in vendors(b).values())
    assert len(names) == 32
    assert [n for n in names if re.fullmatch(r"(?i)bosch \([0-9a-f]{4}\)", n)], names


def test_a_large_catch_up_is_received_in_several_units_of_work(two, monkeypatch):
    a, b = two
    monkeypatch.setattr(engine, "SET_CHANGES", 10)
    monkeypatch.setattr(engine, "RECEIVE_CHANGES", 10)
    with a.session() as s:
        for n in range(35):
            records.create(s, m.Vendor, name=f"Vendor {n}")
    assert engine.sync_now(a).sets_sent == 4
    commits = []
    real_unit = engine._unit

    def counting(vault):  # type: ignore[no-untyped-def]
        commits.append(vault)
        return real_unit(vault)

    monkeypatch.setattr(engine, "_unit", counting)
    report = engine.sync_now(b)
    assert (report.applied, report.sets_applied, report.waiting) == (35, 4, 0)
    assert len(commits) == 4  # one unit of work per 10 changes received
    assert records_of(a) == records_of(b)
    assert engine.status(b).last_report == report


def test_the_status_of_a_vault_that_never_synced_writes_nothing(make_vault):
    v = make_vault("alone")
    with v.session() as s:
        before = {row.key: row.value for row in s.scalars(select(m.Meta))}
    status = engine.status(v)
    assert status.set_up is False and status.devices == 0 and status.name
    with v.session() as s:  # no device keys made by asking (the window asks while it imports)
        assert {row.key: row.value for row in s.scalars(select(m.Meta))} == before

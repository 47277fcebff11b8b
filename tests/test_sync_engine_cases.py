"""Cases the engine's property test (tests/test_sync_engine_convergence.py) found, each with
three real vaults through one folder: what must hold is that every vault ends with the same
records, nothing waits for ever, and each vault's rows are what its change log says."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from vrmdesk.store import changelog, keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault
from vrmdesk.sync import engine
from vrmdesk.sync import folder as sync_folder

PASSPHRASE = "correct horse battery staple"


def _three_paired(tmp_path: Path) -> list[Vault]:
    """Three empty vaults paired through one folder (no catch-up: nothing to catch up on)."""
    folder = tmp_path / "shared"
    vaults = []
    for name in ("laptop", "desktop", "tablet"):
        vault, _ = Vault.create(tmp_path / name, PASSPHRASE, kdf=keys.fast_params_for_tests())
        engine.init(vault, folder, name=name)
        vaults.append(vault)
    for a in vaults:
        for b in vaults:
            if a is not b:
                engine.pair(a, engine.read_code(engine.own_code(b)))
        with a.session() as s:
            sync_folder.meta_set(s, engine.CATCHUP_KEY, "0")
    return vaults


@pytest.fixture
def three(tmp_path: Path) -> Iterator[list[Vault]]:
    """Three vaults paired through one folder, with a vendor Bosch and its oven on all."""
    vaults = _three_paired(tmp_path)
    with vaults[0].session() as s:
        bosch = records.create(s, m.Vendor, name="Bosch")
        records.create(s, m.Asset, name="Oven", maker_id=bosch.id)
    sync(vaults, rounds=1)
    yield vaults
    for vault in vaults:
        vault.close()


def sync(vaults: list[Vault], rounds: int = 3) -> list[engine.Report]:
    reports = []
    for _ in range(rounds):
        for vault in vaults:
            reports.append(engine.sync_now(vault))
            with vault.session() as s:
                assert changelog.verify(s) == []  # the rows are what the log says
    return reports


def converged(vaults: list[Vault]) -> dict[str, tuple[str, dict[str, object]]]:
    reports = sync(vaults)
    assert [r.waiting for r in reports[-len(vaults) :]] == [0] * len(vaults)
    snapshots = []
    for vault in vaults:
        with vault.session() as s:
            snapshots.append(changelog.snapshot(s))
    assert snapshots[0] == snapshots[1] == snapshots[2]
    return snapshots[0]


def delete_vendor(vault: Vault, name: str) -> None:
    with vault.session() as s:
        vendor = records.find_vendor(s, name)
        records.delete_record(s, m.Vendor, vendor.id, attachments=vault.attachments, cascade=True)


def kinds(snapshot: dict[str, tuple[str, dict[str, object]]], kind: str) -> list[dict[str, object]]:
    return [fields for k, fields in snapshot.values() if k == kind]


def test_a_thing_made_by_a_vendor_deleted_meanwhile_keeps_no_maker_on_every_device(three):
    laptop, desktop, _ = three
    delete_vendor(laptop, "Bosch")
    with desktop.session() as s:  # not knowing of the delete yet
        records.create(s, m.Asset, name="TV", maker_id=records.find_vendor(s, "Bosch").id)
    state = converged(three)
    assert sorted((a["name"], a["maker"]) for a in kinds(state, "asset")) == [
        ("Oven", None),
        ("TV", None),
    ]
    assert kinds(state, "vendor") == []


def test_a_warranty_of_a_thing_deleted_meanwhile_goes_on_every_device(three):
    laptop, desktop, _ = three
    with laptop.session() as s:
        oven = s.scalars(select(m.Asset)).one()
        records.delete_record(s, m.Asset, oven.id, attachments=laptop.attachments)
    with desktop.session() as s:
        oven = s.scalars(select(m.Asset)).one()
        records.create(s, m.Warranty, asset_id=oven.id, starts_on="2026-01-01", months=24)
    state = converged(three)
    assert kinds(state, "asset") == kinds(state, "warranty") == []


def test_a_warranty_moved_to_a_provider_deleted_meanwhile_goes_with_it(three):
    laptop, desktop, _ = three
    with laptop.session() as s:
        oven = s.scalars(select(m.Asset)).one()
        records.create(s, m.Warranty, asset_id=oven.id, starts_on="2026-01-01", months=24)
        records.create(s, m.Vendor, name="Miele")
    sync(three, rounds=1)
    delete_vendor(laptop, "Miele")
    with desktop.session() as s:
        warranty = s.scalars(select(m.Warranty)).one()
        miele = records.find_vendor(s, "Miele")
        records.update(s, m.Warranty, warranty.id, provider_id=miele.id)
    state = converged(three)
    assert kinds(state, "warranty") == []  # a provider's warranties go with it
    assert [v["name"] for v in kinds(state, "vendor")] == ["Bosch"]


def test_an_attachment_added_to_a_vendor_deleted_meanwhile_goes_on_every_device(three):
    laptop, desktop, _ = three
    delete_vendor(laptop, "Bosch")
    with desktop.session() as s:
        vendor = records.find_vendor(s, "Bosch")
        desktop.attachments.add(s, vendor, io.BytesIO(b"price list"), name="prices.txt")
    state = converged(three)
    assert kinds(state, "attachment") == []
    for vault in three:
        with vault.session() as s:
            assert s.scalars(select(m.Attachment)).all() == []
            assert s.scalars(select(m.Blob)).all() == []


def test_a_content_attached_again_in_the_same_sync_after_its_last_attachment_went_is_kept(three):
    laptop, desktop, tablet = three
    with laptop.session() as s:
        oven = s.scalars(select(m.Asset)).one()
        laptop.attachments.add(s, oven, io.BytesIO(b"%PDF receipt"), name="receipt.pdf")
    sync(three, rounds=1)
    with laptop.session() as s:  # the thing goes, with its receipt; the same file goes to Bosch
        oven = s.scalars(select(m.Asset)).one()
        records.delete_record(s, m.Asset, oven.id, attachments=laptop.attachments)
        laptop.attachments.add(
            s, records.find_vendor(s, "Bosch"), io.BytesIO(b"%PDF receipt"), name="copy.pdf"
        )
    state = converged(three)
    assert [a["name"] for a in kinds(state, "attachment")] == ["copy.pdf"]
    for vault in (desktop, tablet):
        with vault.session() as s:
            attachment = s.scalars(select(m.Attachment)).one()
            assert vault.attachments.read_bytes(attachment) == b"%PDF receipt"


def test_a_thing_given_a_maker_made_after_it_arrives_with_its_maker(three):
    laptop = three[0]
    with laptop.session() as s:  # in one set: the thing, then the vendor, then the link
        tv = records.create(s, m.Asset, name="TV")
        siemens = records.create(s, m.Vendor, name="Siemens")
        records.update(s, m.Asset, tv.id, maker_id=siemens.id)
    state = converged(three)
    makers = {fields["name"]: fields["maker"] for fields in kinds(state, "asset")}
    siemens_gid = next(g for g, (k, f) in state.items() if k == "vendor" and f["name"] == "Siemens")
    assert makers["TV"] == siemens_gid


def _cancelled_at(step: int):
    calls = [0]

    def cancelled() -> bool:
        calls[0] += 1
        return calls[0] >= step

    return cancelled


def test_three_vendors_of_one_name_with_cancelled_syncs_settle_without_an_error(tmp_path):
    vaults = _three_paired(tmp_path)
    try:
        laptop, desktop, tablet = vaults
        for vault in (tablet, desktop):
            with vault.session() as s:
                records.create(s, m.Vendor, name="AEG")
        with pytest.raises(engine.Cancelled):
            engine.sync_now(desktop, cancelled=_cancelled_at(3))
        with laptop.session() as s:
            records.create(s, m.Vendor, name="AEG")
        with pytest.raises(engine.Cancelled):
            engine.sync_now(tablet, cancelled=_cancelled_at(5))
        state = converged(vaults)
        names = sorted(f["name"] for f in kinds(state, "vendor"))
        assert names[0] == "AEG" and len(set(names)) == 3, names
        assert all(re.fullmatch(r"AEG \([0-9a-f]{4}\)", n) for n in names[1:]), names
    finally:
        for vault in vaults:
            vault.close()

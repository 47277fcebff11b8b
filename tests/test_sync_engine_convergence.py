"""Three real vaults, random edits, random syncs: every vault converges (issue 15, the property
test with real components).

A hypothesis stateful test (RuleBasedStateMachine). Each example makes three vaults
(``Vault.create``, the fast key profile), sets them up on one folder on disk and pairs each with
the others, as tests/test_sync_engine.py does. Rules then, on a random vault, go through the real
services (``records.create``, ``records.update``, ``records.delete_record``,
``vault.attachments.add``):

- create and edit vendors (a few names only, so two vaults make one name at once), things with
  a maker and a seller, warranties of things with a provider;
- delete any of them, a vendor or a thing with its children (the cascade);
- add a small attachment with random bytes to a vendor, a thing or a warranty, delete one;
- edit one field of one vendor on two or three vaults before they sync (a conflict), and settle
  a conflict as a person does (keep a value; keep deleted or restore);

Most examples start from a few records every vault has (so that edits meet). The vaults
exchange what they did in random orders, with delays and duplicates:

- sync one vault (``engine.sync_now``);
- hide a device's newest sets from the folder (moved aside; the device's later sets wait behind
  the gap, which is the point) and put them back later; hide a content of ``blobs/`` likewise;
- a catch-up on one vault (``engine.CATCHUP_KEY`` = "1", as after a pairing: it sends every
  change it knows again, every device's; the others must skip what they have);
- a sync cancelled at a random step: the sets it wrote stay in the folder while the vault
  forgets it wrote them, so its next sync sends those changes once more (as after a crash
  between writing a set and the commit).

After every sync the vault's rows are what its change log says (``changelog.verify``). At the
end everything hidden is put back and every vault syncs, round after round, until a round sends
and applies nothing (at least three rounds; a rename that settles two vendors of one name goes
out at the next sync of each device that made it); then nothing waits, and all three have
identical records (``changelog.snapshot``), identical attachment contents (by SHA-256 and
bytes) and the same open conflicts.

Seeded (``derandomize=True``), so a run is reproducible; a failure prints its steps.
``HYPOTHESIS_PROFILE=deep`` runs longer (random seeds).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import select

from vrmdesk.errors import VrmError
from vrmdesk.store import changelog, keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault
from vrmdesk.sync import engine, merge
from vrmdesk.sync import folder as sync_folder

PASSPHRASE = "correct horse battery staple"
NAMES = ("laptop", "desktop", "tablet")

PROFILES = {
    "default": settings(
        max_examples=10,
        stateful_step_count=25,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    ),
    "deep": settings(
        max_examples=300,
        stateful_step_count=60,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    ),
}

DEVICE = st.integers(0, len(NAMES) - 1)
PICK = st.integers(0, 10**6)
VENDOR_NAMES = st.sampled_from(["Bosch", "Miele", "Siemens", "AEG"])
TEXT = st.sampled_from(["", "a", "b", "hotline 0800", "c"])
WEBSITES = st.sampled_from(["", "https://a.example", "https://b.example"])
CONTENT = st.one_of(
    st.sampled_from([b"%PDF receipt", b"manual"]), st.binary(min_size=1, max_size=48)
)
#: a sync cancelled at its n-th progress step (1: before anything, 2..: after its sets went out)
CANCEL_AT = st.integers(1, 5)
QUIET_ROUNDS = 8


def _pick(session: Any, cls: type[m.Record], pick: int) -> m.Record | None:
    rows = list(session.scalars(select(cls).order_by(cls.id)))
    return rows[pick % len(rows)] if rows else None


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


class EngineConvergence(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="vrmsync-prop-"))
        self.folder = self.root / "shared"
        self.parked = self.root / "parked"
        self.parked.mkdir()
        self.vaults: list[Vault] = []
        for name in NAMES:
            vault, _ = Vault.create(self.root / name, PASSPHRASE, kdf=keys.fast_params_for_tests())
            self.vaults.append(vault)
            engine.init(vault, self.folder, name=name)
        for a in self.vaults:
            for b in self.vaults:
                if a is not b:
                    engine.pair(a, engine.read_code(engine.own_code(b)))
        for vault in self.vaults:  # no catch-up of the empty vaults: the rule does that
            with vault.session() as s:
                sync_folder.meta_set(s, engine.CATCHUP_KEY, "0")
        self.devices = [engine.status(v).device for v in self.vaults]
        self.hidden: list[tuple[Path, Path]] = []  # (where it was, where it is now)

    def teardown(self) -> None:
        """The final check, once every step ran (not after a step that failed: its error is
        the one to see), then the vaults closed."""
        try:
            if sys.exc_info()[0] is None:
                self.check_converged()
        finally:
            for vault in self.vaults:
                vault.close()
            shutil.rmtree(self.root, ignore_errors=True)

    @initialize(shared=st.booleans())
    def start(self, shared: bool) -> None:
        """Most examples start from records every vault has (so that edits meet), some empty."""
        if not shared:
            return
        vault = self.vaults[0]
        with vault.session() as s:
            bosch = records.create(s, m.Vendor, name="Bosch")
            records.create(s, m.Vendor, name="Miele", website="https://miele.example")
            oven = records.create(s, m.Asset, name="Oven", maker_id=bosch.id)
            records.create(s, m.Warranty, asset_id=oven.id, starts_on="2026-01-01", months=24)
            vault.attachments.add(s, oven, io.BytesIO(b"%PDF receipt"), name="receipt.pdf")
        for device in range(len(self.vaults)):
            self._sync(device)

    # -- edits through the services --------------------------------------------------------
    def _edit(self, device: int, work: Any) -> None:
        vault = self.vaults[device]
        try:
            with vault.session() as s:
                work(vault, s)
        except VrmError as exc:  # refused with a message (a name taken): nothing written
            if os.environ.get("VRMSYNC_PROP_DEBUG"):
                print("refused:", exc, file=sys.stderr)

    @rule(device=DEVICE, name=VENDOR_NAMES, website=WEBSITES)
    def create_vendor(self, device: int, name: str, website: str) -> None:
        self._edit(device, lambda v, s: records.create(s, m.Vendor, name=name, website=website))

    @rule(
        device=DEVICE,
        pick=PICK,
        field=st.sampled_from(["website", "notes", "status", "name"]),
        text=TEXT,
        name=VENDOR_NAMES,
        status=st.sampled_from(["active", "dormant", "ended"]),
        website=WEBSITES,
    )
    def edit_vendor(
        self, device: int, pick: int, field: str, text: str, name: str, status: str, website: str
    ) -> None:
        value = {"name": name, "status": status, "website": website}.get(field, text)

        def work(vault: Vault, s: Any) -> None:
            vendor = _pick(s, m.Vendor, pick)
            if vendor is not None:
                records.update(s, m.Vendor, vendor.id, **{field: value})

        self._edit(device, work)

    @rule(
        devices=st.lists(DEVICE, min_size=2, max_size=3, unique=True),
        pick=PICK,
        field=st.sampled_from(["website", "notes"]),
        values=st.lists(
            st.sampled_from(["https://a.example", "https://b.example", ""]), min_size=3, max_size=3
        ),
    )
    def edit_at_once(self, devices: list[int], pick: int, field: str, values: list[str]) -> None:
        """Two or three devices edit one field of one vendor before they sync: a conflict."""
        with self.vaults[devices[0]].session() as s:
            vendor = _pick(s, m.Vendor, pick)
            gid = None if vendor is None else vendor.gid
        if gid is None:
            return
        for device, value in zip(devices, values, strict=False):

            def work(vault: Vault, s: Any, value: str = value) -> None:
                found = s.scalars(select(m.Vendor).where(m.Vendor.gid == gid)).first()
                if found is not None:
                    records.update(s, m.Vendor, found.id, **{field: value})

            self._edit(device, work)

    @rule(device=DEVICE, pick=PICK, choice=PICK, restore=st.booleans())
    def settle_conflict(self, device: int, pick: int, choice: int, restore: bool) -> None:
        """The person resolves a conflict: keeps a value, or keeps deleted / restores."""
        vault = self.vaults[device]
        found = engine.conflicts(vault)
        if not found:
            return
        conflict = found[pick % len(found)]
        try:
            if conflict.kind == merge.CONCURRENT:
                engine.resolve(vault, conflict.id, choice % len(conflict.versions))
            elif restore:
                engine.restore(vault, conflict.id)
            else:
                engine.keep_deleted(vault, conflict.id)
        except VrmError as exc:
            if os.environ.get("VRMSYNC_PROP_DEBUG"):
                print("refused:", exc, file=sys.stderr)

    @rule(device=DEVICE, maker=PICK, seller=st.none() | PICK, name=st.sampled_from(["Oven", "TV"]))
    def create_asset(self, device: int, maker: int, seller: int | None, name: str) -> None:
        def work(vault: Vault, s: Any) -> None:
            made_by = _pick(s, m.Vendor, maker)
            sold_by = None if seller is None else _pick(s, m.Vendor, seller)
            records.create(
                s,
                m.Asset,
                name=name,
                maker_id=None if made_by is None else made_by.id,
                seller_id=None if sold_by is None else sold_by.id,
            )

        self._edit(device, work)

    @rule(
        device=DEVICE,
        pick=PICK,
        field=st.sampled_from(["maker_id", "seller_id", "notes", "location"]),
        vendor=st.none() | PICK,
        text=TEXT,
    )
    def edit_asset(self, device: int, pick: int, field: str, vendor: int | None, text: str) -> None:
        def work(vault: Vault, s: Any) -> None:
            asset = _pick(s, m.Asset, pick)
            if asset is None:
                return
            if field.endswith("_id"):
                target = None if vendor is None else _pick(s, m.Vendor, vendor)
                value: Any = None if target is None else target.id
            else:
                value = text
            records.update(s, m.Asset, asset.id, **{field: value})

        self._edit(device, work)

    @rule(device=DEVICE, asset=PICK, provider=st.none() | PICK, months=st.integers(1, 36))
    def create_warranty(self, device: int, asset: int, provider: int | None, months: int) -> None:
        def work(vault: Vault, s: Any) -> None:
            thing = _pick(s, m.Asset, asset)
            if thing is None:
                return
            by = None if provider is None else _pick(s, m.Vendor, provider)
            records.create(
                s,
                m.Warranty,
                asset_id=thing.id,
                provider_id=None if by is None else by.id,
                starts_on="2026-01-01",
                months=months,
                title="Warranty",
            )

        self._edit(device, work)

    @rule(
        device=DEVICE,
        pick=PICK,
        field=st.sampled_from(["months", "notes", "void", "provider_id"]),
        months=st.integers(1, 36),
        text=TEXT,
        flag=st.booleans(),
        vendor=st.none() | PICK,
    )
    def edit_warranty(
        self,
        device: int,
        pick: int,
        field: str,
        months: int,
        text: str,
        flag: bool,
        vendor: int | None,
    ) -> None:
        def work(vault: Vault, s: Any) -> None:
            warranty = _pick(s, m.Warranty, pick)
            if warranty is None:
                return
            value: Any = {"months": months, "notes": text, "void": flag}.get(field)
            if field == "provider_id":
                target = None if vendor is None else _pick(s, m.Vendor, vendor)
                value = None if target is None else target.id
            records.update(s, m.Warranty, warranty.id, **{field: value})

        self._edit(device, work)

    @rule(
        device=DEVICE,
        kind=st.sampled_from([m.Vendor, m.Asset, m.Warranty, m.Attachment]),
        pick=PICK,
        cascade=st.booleans(),
    )
    def delete(self, device: int, kind: type[m.Record], pick: int, cascade: bool) -> None:
        def work(vault: Vault, s: Any) -> None:
            row = _pick(s, kind, pick)
            if row is not None:
                records.delete_record(
                    s, kind, row.id, attachments=vault.attachments, cascade=cascade
                )

        self._edit(device, work)

    @rule(
        device=DEVICE,
        kind=st.sampled_from([m.Vendor, m.Asset, m.Warranty]),
        pick=PICK,
        content=CONTENT,
    )
    def attach(self, device: int, kind: type[m.Record], pick: int, content: bytes) -> None:
        def work(vault: Vault, s: Any) -> None:
            owner = _pick(s, kind, pick)
            if owner is not None:
                vault.attachments.add(s, owner, io.BytesIO(content), name="file.bin")

        self._edit(device, work)

    # -- exchanging --------------------------------------------------------------------------
    def _sync(self, device: int) -> engine.Report:
        report = engine.sync_now(self.vaults[device])
        with self.vaults[device].session() as s:
            assert changelog.verify(s) == []
        return report

    @rule(device=DEVICE)
    def sync(self, device: int) -> None:
        self._sync(device)

    @rule(device=DEVICE, at=CANCEL_AT)
    def sync_cancelled(self, device: int, at: int) -> None:
        calls = [0]

        def cancelled() -> bool:
            calls[0] += 1
            return calls[0] >= at

        with contextlib.suppress(engine.Cancelled):
            engine.sync_now(self.vaults[device], cancelled=cancelled)

    @rule(device=DEVICE)
    def catch_up(self, device: int) -> None:
        with self.vaults[device].session() as s:
            sync_folder.meta_set(s, engine.CATCHUP_KEY, "1")

    @rule(writer=DEVICE, count=st.integers(1, 2))
    def hide_newest_sets(self, writer: int, count: int) -> None:
        """A delay: the device's newest sets are not in the folder (yet).

        Only sets whose sync committed: a set written by a sync that was cancelled (or
        crashed) is taken as written by the device's next sync only if it is still there; if
        it is gone by then, the device writes another set of that number, and a device that
        applied the first one refuses the rest of the chain (a known limit, not a delay)."""
        with self.vaults[writer].session() as s:
            committed, _ = sync_folder.own_state(s)
        where = self.folder / self.devices[writer]
        sets = sorted(p for p in where.glob("*.vrmsync") if int(p.stem) <= committed)
        for path in sets[-count:]:
            aside = self.parked / f"{len(self.hidden)}-{path.name}"
            path.rename(aside)
            self.hidden.append((path, aside))

    @rule(pick=PICK)
    def hide_a_content(self, pick: int) -> None:
        blobs = sorted((self.folder / "blobs").glob("*.age"))
        if blobs:
            path = blobs[pick % len(blobs)]
            aside = self.parked / f"{len(self.hidden)}-{path.name}"
            path.rename(aside)
            self.hidden.append((path, aside))

    @precondition(lambda self: bool(self.hidden))
    @rule(pick=PICK)
    def put_back(self, pick: int) -> None:
        self._put_back(self.hidden.pop(pick % len(self.hidden)))

    def _put_back(self, hidden: tuple[Path, Path]) -> None:
        where, aside = hidden
        if where.exists():  # a content written again meanwhile (the same bytes' name)
            aside.unlink()
        else:
            aside.rename(where)

    # -- the end ---------------------------------------------------------------------------
    def _quiet(self) -> list[engine.Report]:
        """Everything hidden put back, then rounds of every vault syncing: at least three,
        until one round sends and applies nothing (a rename that settles two records of one
        name goes out at the next sync of the device that made it, so it may take more)."""
        while self.hidden:
            self._put_back(self.hidden.pop())
        for rounds in range(1, QUIET_ROUNDS + 1):
            reports = [self._sync(device) for device in range(len(self.vaults))]
            if rounds >= 3 and not any(r.sent or r.applied for r in reports):
                return reports
        raise AssertionError(f"not quiet after {QUIET_ROUNDS} rounds: {reports}")

    def _contents(self, vault: Vault) -> dict[str, bytes]:
        with vault.session() as s:
            out = {}
            for attachment in s.scalars(select(m.Attachment)):
                data = vault.attachments.read_bytes(attachment)
                assert hashlib.sha256(data).hexdigest() == attachment.sha256
                out[attachment.gid] = data
            return out

    def _conflicts(self, vault: Vault) -> list[tuple[str, str, str, list[str]]]:
        return sorted(
            (c.gid, c.field, c.kind, sorted(_canonical(v.value) for v in c.versions))
            for c in engine.conflicts(vault)
        )

    @invariant()
    def chains_are_sound(self) -> None:
        """Never a torn or doubled set: each device's folder holds sets 1..n without repeats,
        but for the ones hidden."""
        for device in self.devices:
            numbers = sorted(int(p.stem) for p in (self.folder / device).glob("*.vrmsync"))
            hidden = sorted(int(w.stem) for w, _ in self.hidden if w.parent.name == device)
            assert sorted(numbers + hidden) == list(range(1, len(numbers) + len(hidden) + 1))

    def check_converged(self) -> None:
        for report in self._quiet():
            assert report.waiting == 0, report.to_json()
            assert [p for p in report.problems if p["kind"] not in ("renamed", "duplicate")] == []
        snapshots = []
        for vault in self.vaults:
            with vault.session() as s:
                snapshots.append(changelog.snapshot(s))
        assert snapshots[0] == snapshots[1] == snapshots[2]
        contents = [self._contents(v) for v in self.vaults]
        assert contents[0] == contents[1] == contents[2]
        conflicts = [self._conflicts(v) for v in self.vaults]
        assert conflicts[0] == conflicts[1] == conflicts[2]


TestEngineConvergence = EngineConvergence.TestCase
TestEngineConvergence.settings = PROFILES[os.environ.get("HYPOTHESIS_PROFILE", "default")]

"""Faults at the engine's level (issue 15): what a person sees after ``engine.sync_now`` when the
folder holds a damaged, foreign, replayed or missing set, when the folder is gone or full, and
when a sync is killed while it writes. tests/test_sync_sets_faults.py covers the folder's own
half (no torn set is ever written); here it is the vault's state after and the report: a clear
problem, nothing applied twice, the rest goes on, and once the fault is gone everything arrives.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from vrmdesk.store import changelog, keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault
from vrmdesk.sync import engine
from vrmdesk.sync import folder as sync_folder
from vrmdesk.sync.folder import FolderError

PASSPHRASE = "correct horse battery staple"
ROOT = Path(__file__).parent.parent


class Devices:
    """Vaults set up on one folder; ``pair(a, b)`` pairs two of them both ways."""

    def __init__(self, root: Path, folder: Path) -> None:
        self.root = root
        self.folder = folder
        self.vaults: dict[str, Vault] = {}

    def make(self, name: str) -> Vault:
        vault, _ = Vault.create(self.root / name, PASSPHRASE, kdf=keys.fast_params_for_tests())
        engine.init(vault, self.folder, name=name)
        self.vaults[name] = vault
        return vault

    def close(self) -> None:
        for vault in self.vaults.values():
            if vault.is_open:
                vault.close()


def pair(a: Vault, b: Vault) -> None:
    engine.pair(a, engine.read_code(engine.own_code(b)))
    engine.pair(b, engine.read_code(engine.own_code(a)))
    for v in (a, b):  # nothing to catch up on in these tests
        with v.session() as s:
            sync_folder.meta_set(s, engine.CATCHUP_KEY, "0")


@pytest.fixture
def devices(tmp_path: Path) -> Iterator[Devices]:
    made = Devices(tmp_path, tmp_path / "shared")
    yield made
    made.close()


@pytest.fixture
def two(devices: Devices) -> tuple[Vault, Vault]:
    a, b = devices.make("laptop"), devices.make("desktop")
    pair(a, b)
    return a, b


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Damage counts as damage at once, not as a copy still arriving (15 minutes)."""
    monkeypatch.setattr(sync_folder, "ARRIVING", -1)


def add_vendors(vault: Vault, *names: str, notes: str = "") -> None:
    with vault.session() as s:
        for name in names:
            records.add(s, m.Vendor, name=name, notes=notes)


def vendor_names(vault: Vault) -> list[str]:
    with vault.session() as s:
        return sorted(s.scalars(select(m.Vendor.name)))


def device_of(vault: Vault) -> str:
    return engine.status(vault).device


def set_file(vault: Vault, number: int) -> Path:
    where = engine.folder(vault)
    assert where is not None
    return sync_folder.set_path(where, device_of(vault), number)


def write_sets(vault: Vault, *batches: tuple[str, ...]) -> None:
    """One set per batch of new vendors."""
    for names in batches:
        add_vendors(vault, *names)
        assert engine.sync_now(vault).sets_sent == 1


def applied_from(vault: Vault, other: Vault) -> int:
    """How many of ``other``'s changes ``vault``'s log holds (each once: (device, seq) is
    unique there)."""
    with vault.session() as s:
        log = changelog.table_for(m.SyncLog)
        query = select(func.count()).select_from(log).where(log.c.device == device_of(other))
        return int(s.scalar(query) or 0)


def own_changes(vault: Vault) -> int:
    with vault.session() as s:
        return len(changelog.entries(s, device_of(vault)))


def kinds(report: engine.Report) -> list[str]:
    return [p["kind"] for p in report.problems]


def snapshot(vault: Vault) -> dict[str, Any]:
    with vault.session() as s:
        return changelog.snapshot(s)


# -- damaged sets ---------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["truncated", "bit-flipped"])
def test_a_damaged_set_is_reported_and_the_rest_goes_on(devices, settled, damage):
    a, b, c = devices.make("laptop"), devices.make("desktop"), devices.make("tablet")
    pair(a, b)
    pair(a, c)
    write_sets(b, ("Bosch",), ("Miele",), ("Siemens",))
    write_sets(c, ("AEG",))
    path = set_file(b, 2)
    good = path.read_bytes()
    bad = good[: len(good) // 2] if damage == "truncated" else _flip(good, len(good) // 2)
    path.write_bytes(bad)

    report = engine.sync_now(a)
    assert vendor_names(a) == ["AEG", "Bosch"]  # set 1 of b, and c's set: the rest goes on
    [problem] = report.problems
    assert problem["kind"] == "damaged" and problem["set"] == 2
    assert problem["device"] == device_of(b)
    assert "Set 2 of desktop" in problem["message"] and "refused" in problem["message"]
    assert "1 later set(s) wait" in problem["message"]
    assert report.waiting == 1
    assert engine.status(a).last_report == report  # what the window shows

    again = engine.sync_now(a)  # read again at every sync, refused again, nothing applied
    assert (again.applied, kinds(again)) == (0, ["damaged"])

    path.write_bytes(good)  # the sync engine repairs its copy
    report = engine.sync_now(a)
    assert report.problems == [] and report.waiting == 0
    assert vendor_names(a) == ["AEG", "Bosch", "Miele", "Siemens"]
    assert applied_from(a, b) == own_changes(b)


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def test_a_damaged_set_that_changed_lately_waits_as_still_arriving(two):
    a, b = two
    write_sets(b, ("Bosch",))
    path = set_file(b, 1)
    good = path.read_bytes()
    path.write_bytes(good[:100])
    report = engine.sync_now(a)
    assert (report.applied, report.waiting, report.problems) == (0, 1, [])
    path.write_bytes(good)
    assert engine.sync_now(a).applied == own_changes(b)


# -- foreign sets ---------------------------------------------------------------------------
def test_sets_of_an_unpaired_device_are_ignored_and_reported(devices):
    a, b = devices.make("laptop"), devices.make("desktop")
    pair(a, b)
    stranger = devices.make("stranger")  # writes into the folder, paired with nobody
    write_sets(stranger, ("Evil Corp",))
    write_sets(b, ("Bosch",))
    report = engine.sync_now(a)
    assert vendor_names(a) == ["Bosch"]
    [problem] = report.problems
    assert problem["kind"] == "unpaired" and problem["device"] == device_of(stranger)
    assert "not paired with this one, are ignored" in problem["message"]


def test_a_set_of_an_unpaired_key_in_a_paired_devices_place_is_refused(devices, settled):
    a, b = devices.make("laptop"), devices.make("desktop")
    pair(a, b)
    stranger = devices.make("stranger")  # knows a's code, so encrypts to a; a never paired it
    engine.pair(stranger, engine.read_code(engine.own_code(a)))
    write_sets(b, ("Bosch",))
    write_sets(stranger, ("Evil Corp",))
    shutil.copy(set_file(stranger, 1), set_file(b, 2))  # posing as b's next set
    report = engine.sync_now(a)
    assert vendor_names(a) == ["Bosch"]
    found = {p["kind"]: p for p in report.problems}
    assert set(found) == {"forged", "unpaired"}
    assert (found["forged"]["device"], found["forged"]["set"]) == (device_of(b), 2)
    assert "Set 2 of desktop" in found["forged"]["message"]
    # b finds a file in the place of its next set that it did not write: moved aside, said
    add_vendors(b, "Miele")
    with pytest.raises(FolderError, match="did not write; it was moved aside"):
        engine.sync_now(b)
    assert engine.sync_now(b).sets_sent == 1  # and the next sync goes on
    report = engine.sync_now(a)
    assert kinds(report) == ["unpaired"]
    assert vendor_names(a) == ["Bosch", "Miele"]
    assert applied_from(a, b) == own_changes(b)


# -- replayed and missing sets --------------------------------------------------------------
def test_an_older_set_replayed_in_a_newer_ones_place_is_refused_and_applied_once(two, settled):
    a, b = two
    write_sets(b, ("Bosch",), ("Miele",))
    engine.sync_now(a)
    write_sets(b, ("Siemens",))
    third = set_file(b, 3)
    real = third.read_bytes()
    shutil.copy(set_file(b, 1), third)  # set 1 again, under set 3's name
    report = engine.sync_now(a)
    assert report.applied == 0
    [problem] = report.problems
    assert (problem["kind"], problem["set"]) == ("replayed", 3)
    assert "older set 1 again" in problem["message"]
    assert vendor_names(a) == ["Bosch", "Miele"]
    third.write_bytes(real)
    report = engine.sync_now(a)
    assert report.problems == [] and vendor_names(a) == ["Bosch", "Miele", "Siemens"]
    assert applied_from(a, b) == own_changes(b)  # nothing of set 1 twice


def test_a_set_deleted_in_the_middle_of_a_chain_is_a_gap_and_later_ones_wait(two, tmp_path):
    a, b = two
    write_sets(b, ("Bosch",), ("Miele",), ("Siemens",), ("AEG",))
    middle = set_file(b, 2)
    parked = tmp_path / "parked"
    middle.rename(parked)
    report = engine.sync_now(a)
    assert vendor_names(a) == ["Bosch"]
    [problem] = report.problems
    assert (problem["kind"], problem["set"]) == ("gap", 2)
    assert "Set 2 of desktop" in problem["message"] and "2 later set(s) wait" in problem["message"]
    assert report.waiting == 2
    assert engine.sync_now(a).applied == 0  # still waiting, nothing skipped over
    parked.rename(middle)
    report = engine.sync_now(a)
    assert report.problems == [] and report.waiting == 0
    assert vendor_names(a) == ["AEG", "Bosch", "Miele", "Siemens"]
    assert applied_from(a, b) == own_changes(b)
    assert snapshot(a) == snapshot(b)


# -- the folder itself ----------------------------------------------------------------------
def test_a_missing_folder_is_a_clear_error_and_changes_nothing(two, tmp_path):
    a, b = two
    add_vendors(a, "Bosch")
    folder = engine.folder(a)
    assert folder is not None
    before = engine.status(a)
    folder.rename(tmp_path / "unmounted")
    with pytest.raises(FolderError, match=r"is not there or not set up .* is the drive mounted"):
        engine.sync_now(a)
    after = engine.status(a)
    assert (after.unsent, after.last_sync) == (before.unsent, before.last_sync) == (1, None)
    with a.session() as s:
        assert sync_folder.own_state(s) == (0, None) and sync_folder.sent_seq(s) == 0
    (tmp_path / "unmounted").rename(folder)
    assert engine.sync_now(a).sets_sent == 1
    engine.sync_now(b)
    assert vendor_names(b) == ["Bosch"]


def test_a_full_disk_while_writing_a_set_leaves_nothing_half_written(
    tmp_path: Path, small_disk
) -> None:
    made = Devices(tmp_path, small_disk.root / "shared")
    try:
        a, b = made.make("laptop"), made.make("desktop")
        pair(a, b)
        add_vendors(a, *(f"vendor {i}" for i in range(400)), notes="x" * 150)
        small_disk.fill(leave=16 * 1024)
        with pytest.raises(FolderError, match="disk is full"):
            engine.sync_now(a)
        mine = small_disk.root / "shared" / device_of(a)
        assert list(mine.iterdir()) == []  # no set, no temporary
        assert engine.status(a).unsent == 400
        with a.session() as s:
            assert sync_folder.own_state(s) == (0, None) and sync_folder.sent_seq(s) == 0
        report = engine.sync_now(b)
        assert (report.applied, report.waiting, report.problems) == (0, 0, [])
        small_disk.free()
        assert engine.sync_now(a).sets_sent == 1
        assert engine.sync_now(b).applied == 400
        assert snapshot(a) == snapshot(b)
    finally:
        made.close()


# -- a sync killed while it writes ----------------------------------------------------------
SYNCER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    sys.path.insert(0, {tests!r})
    from pathlib import Path
    from sync_helpers import slow_writes
    from vrmdesk.store.vault import Vault
    from vrmdesk.sync import engine
    slow_writes(16384, 0.01)  # a slow disk: most kills land in the middle of a write
    vault = Vault.open(Path({vault!r}), {passphrase!r})
    print("open", flush=True)
    engine.sync_now(vault)
    vault.close()
    print("done", flush=True)
    """
)


ROUNDS, VENDORS = 5, 150


def _syncer(folder: Path, log: Path) -> subprocess.Popen[str]:
    script = SYNCER.format(
        root=str(ROOT), tests=str(ROOT / "tests"), vault=str(folder), passphrase=PASSPHRASE
    )
    with log.open("a") as err:
        return subprocess.Popen(
            [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=err, text=True
        )


def test_a_sync_killed_at_random_moments_loses_nothing_and_doubles_nothing(
    devices: Devices, settled, tmp_path: Path
) -> None:
    a, b = devices.make("laptop"), devices.make("desktop")
    pair(a, b)
    rng = random.Random(15)
    log = tmp_path / "syncer.log"
    kills, took = 0, 0.0
    for round_ in range(ROUNDS):
        add_vendors(a, *(f"vendor {round_}.{i}" for i in range(VENDORS)), notes="x" * 300)
        a.close()
        proc = _syncer(devices.root / "laptop", log)
        assert proc.stdout is not None
        with proc.stdout:
            assert proc.stdout.readline() == "open\n", log.read_text()
            started = time.monotonic()
            if round_ == 0:  # how long a whole sync takes here: the kills land within that
                proc.wait(timeout=120)
                took = time.monotonic() - started
            else:
                time.sleep(rng.uniform(0.0, took))
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    kills += 1
                proc.wait(timeout=60)
        a = Vault.open(devices.root / "laptop", PASSPHRASE)
        devices.vaults["laptop"] = a
        report = engine.sync_now(b)  # never a torn set: what it takes, it takes whole
        assert report.problems == [], report.problems
    assert kills  # the kills land within the time a sync takes: most of them kill it
    report = engine.sync_now(a)  # a normal sync afterwards works
    assert report.problems == []
    engine.sync_now(b)
    assert applied_from(b, a) == own_changes(a) == ROUNDS * VENDORS  # each, exactly once
    assert snapshot(a) == snapshot(b)
    assert engine.sync_now(b).applied == 0

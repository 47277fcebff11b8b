"""Two real Syncthing instances on loopback (tests/sync_harness.py): what a folder replicated by
Syncthing does to files written the way vrmdesk writes its change sets.

Facts the sync code relies on, each checked here against the real program:
- a file written in A appears in B with the same bytes, and a delete propagates;
- a file written under a temporary name and then renamed (``vrmshare.fileutil.atomic_write_bytes``,
  as change sets are written) never shows in B under its final name with less than all its bytes:
  Syncthing receives into ``.syncthing.NAME.tmp`` and renames. If Syncthing scans A while the
  writer's own temporary file is still being written, B gets *that* name, with part of the
  bytes, as an ordinary file until the rename arrives: a reader must ignore ``.*.tmp`` names;
- the same file name written on both sides at once leaves one version under the name and the
  other as ``NAME.sync-conflict-DATE-TIME-DEVICE.EXT``, on both sides; vrmdesk's sets are
  per-device files, so that never happens to them (and identical bytes, like two ``vrmsync.json``
  written alike, make no conflict copy at all).

Skipped where Syncthing is missing, except in CI (``VRMDESK_CI=1``), where that fails. The pair
starts once for the module; each test works in a sub-folder of its own.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import re
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sync_harness import (
    FOLDER_ID,
    SyncthingPair,
    inet_sockets,
    is_syncthing_temporary,
    poll,
    visible_files,
)
from vrmshare.fileutil import atomic_write_bytes

ARRIVAL_TIMEOUT_S = 30.0
CONFLICT_NAME = re.compile(r"^same\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]{7}\.txt$")


def _arrived(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except FileNotFoundError:
        return False


@dataclass
class Watcher:
    """Looks at a folder of B every few milliseconds while A writes: every name it saw, and
    whether the final name ever held anything but the finished bytes."""

    folder: Path
    final: str
    expected: bytes
    seen: set[str] = field(default_factory=set)
    torn: list[int] = field(default_factory=list)
    partial_temporaries: set[str] = field(default_factory=set)
    written_as: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Watcher:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                names = os.listdir(self.folder)
            except FileNotFoundError:
                names = []
            for name in names:
                self.seen.add(name)
                try:
                    data = (self.folder / name).read_bytes()
                except (FileNotFoundError, IsADirectoryError):
                    continue
                if name == self.final and data != self.expected:
                    self.torn.append(len(data))
                elif (
                    name.endswith(".tmp")
                    and not is_syncthing_temporary(name)
                    and data != self.expected
                ):
                    self.partial_temporaries.add(name)
            time.sleep(0.002)


def test_the_instances_listen_on_loopback_only_and_discover_nothing(
    syncthing_pair: SyncthingPair,
) -> None:
    """The running configuration (not only the file written): no discovery, relay, NAT or report."""
    for this, other in (
        (syncthing_pair.first, syncthing_pair.second),
        (syncthing_pair.second, syncthing_pair.first),
    ):
        config = this.rest("GET", "/rest/system/config")
        options = config["options"]
        assert options["listenAddresses"] == [this.address]
        assert this.address.startswith("tcp://127.0.0.1:")
        for off in (
            "globalAnnounceEnabled",
            "localAnnounceEnabled",
            "relaysEnabled",
            "natEnabled",
            "crashReportingEnabled",
            "startBrowser",
        ):
            assert options[off] is False, off
        assert options["urAccepted"] < 0
        assert options["autoUpgradeIntervalH"] == 0
        assert config["gui"]["address"] == f"127.0.0.1:{this.gui_port}"
        peer = next(d for d in config["devices"] if d["deviceID"] == other.device_id)
        assert peer["addresses"] == [other.address]
        (folder,) = config["folders"]
        assert folder["id"] == FOLDER_ID
        assert folder["type"] == "sendreceive"
        assert folder["fsWatcherEnabled"] is True
        assert {d["deviceID"] for d in folder["devices"]} == {this.device_id, other.device_id}
        # nothing was found by discovery: the peer is known by its configured address only
        assert this.rest("GET", "/rest/system/discovery") == {}
        assert this.connected_to(other)


def test_the_instances_hold_loopback_sockets_only(syncthing_pair: SyncthingPair) -> None:
    """What the processes really have open: TCP on 127.0.0.1 (the API, the listener, the
    connection between them), no UDP (local discovery, QUIC, NAT-PMP, STUN) and nothing else."""
    for this in syncthing_pair.both:
        assert this.process is not None
        sockets = inet_sockets(this.process.pid)
        local_ports = {int(local.rsplit(":", 1)[1]) for _, local, _ in sockets}
        assert {this.gui_port, this.listen_port} <= local_ports, sockets
        for protocol, local, remote in sockets:
            assert protocol == "tcp", sockets
            assert ipaddress.ip_address(local.rsplit(":", 1)[0]).is_loopback, sockets
            remote_host = ipaddress.ip_address(remote.rsplit(":", 1)[0])
            assert remote_host.is_loopback or remote_host.is_unspecified, sockets


def test_a_file_written_in_a_arrives_in_b_with_the_same_bytes(
    syncthing_pair: SyncthingPair,
) -> None:
    pair = syncthing_pair
    (pair.a / "arrive").mkdir()
    data = os.urandom(1024)
    times = []
    for n in range(3):
        # a 1 KB file, picked up by the file watcher alone (as in use): how long it takes
        name = f"{n:010d}.vrmsync"
        start = time.monotonic()
        atomic_write_bytes(pair.a / "arrive" / name, data)
        arrived = functools.partial(_arrived, pair.b / "arrive" / name, data)
        assert poll(arrived, ARRIVAL_TIMEOUT_S) is not None, f"{name} did not arrive in B"
        times.append(time.monotonic() - start)
    print(
        f"\n1 KB file from A to B through Syncthing (file watcher, {len(times)} samples): "
        f"median {statistics.median(times):.2f} s, max {max(times):.2f} s"
    )
    # and the other way, in a sub-folder of its own, with an explicit wait
    (pair.b / "arrive" / "from-b").mkdir()
    (pair.b / "arrive" / "from-b" / "note.bin").write_bytes(data[::-1])
    pair.wait_synced()
    assert (pair.a / "arrive" / "from-b" / "note.bin").read_bytes() == data[::-1]
    assert visible_files(pair.a / "arrive") == visible_files(pair.b / "arrive")


def test_a_set_written_under_a_temporary_name_arrives_whole(
    syncthing_pair: SyncthingPair,
) -> None:
    """Written as change sets are (a ``.NAME.XXXX.tmp`` beside it, then renamed): B never holds
    the final name with fewer bytes, and no temporary is left behind in B."""
    pair = syncthing_pair
    device = pair.a / "quick"
    device.mkdir()
    (pair.b / "quick").mkdir()  # B's side exists already, so the watcher can look from the start
    data = os.urandom(256 * 1024)
    final = "0000000001.vrmsync"
    with Watcher(pair.b / "quick", final, data) as seen:
        atomic_write_bytes(device / final, data)
        assert poll(lambda: _arrived(pair.b / "quick" / final, data), ARRIVAL_TIMEOUT_S)
        pair.wait_synced()
    assert seen.torn == []
    assert final in seen.seen
    assert sorted(os.listdir(pair.b / "quick")) == [final]
    print(f"\nB saw while A wrote and renamed: {sorted(seen.seen)}")
    for name in seen.seen - {final}:  # Syncthing's own or the writer's temporary name
        assert is_syncthing_temporary(name) or name.endswith(".tmp"), name


def _write_with_a_scan_half_way(
    pair: SyncthingPair, sub: str, final: str, *, in_place: bool
) -> Watcher:
    """Write ``sub/final`` in A with Syncthing scanning when half the bytes are written (and
    waiting until B has that half), under a temporary name then renamed, or ``in_place``;
    returns what B showed meanwhile."""
    device = pair.a / sub
    device.mkdir()
    (pair.b / sub).mkdir()
    data = os.urandom(512 * 1024)
    half = len(data) // 2
    with Watcher(pair.b / sub, final, data) as seen:
        if in_place:
            fd, path = os.open(device / final, os.O_WRONLY | os.O_CREAT, 0o600), device / final
        else:
            fd, name = tempfile.mkstemp(prefix=f".{final}.", suffix=".tmp", dir=device)
            path = Path(name)
        with os.fdopen(fd, "wb") as out:
            out.write(data[:half])
            out.flush()
            pair.first.scan()  # Syncthing looks now, half-way through the write
            assert poll(
                lambda: _arrived(pair.b / sub / path.name, data[:half]), ARRIVAL_TIMEOUT_S
            ), "the half-written file did not show in B"
            out.write(data[half:])
            out.flush()
            os.fsync(out.fileno())
        if not in_place:
            path.rename(device / final)
        assert poll(lambda: _arrived(pair.b / sub / final, data), ARRIVAL_TIMEOUT_S)
        pair.wait_synced()
    seen.written_as = path.name
    return seen


def test_a_writer_temporary_scanned_mid_write_shows_in_b_until_the_rename(
    syncthing_pair: SyncthingPair,
) -> None:
    """The worst case: Syncthing scans A while the writer is half-way. B then holds the writer's
    temporary name, with part of the bytes, as an ordinary file (what a reader must ignore), and
    the final name still only ever with all of them."""
    final = "0000000002.vrmsync"
    seen = _write_with_a_scan_half_way(syncthing_pair, "slow", final, in_place=False)
    assert seen.torn == []
    assert seen.partial_temporaries == {seen.written_as}
    # the temporary went with the rename
    assert sorted(os.listdir(syncthing_pair.b / "slow")) == [final]
    print(f"\nB saw while A wrote slowly and renamed: {sorted(seen.seen)}")


def test_a_set_written_in_place_would_show_torn_in_b(syncthing_pair: SyncthingPair) -> None:
    """Why sets are written under a temporary name: written in place, B holds the final name
    with half the bytes (the check above would catch a writer that did this)."""
    final = "0000000003.vrmsync"
    seen = _write_with_a_scan_half_way(syncthing_pair, "in-place", final, in_place=True)
    assert 512 * 1024 // 2 in seen.torn
    assert sorted(os.listdir(syncthing_pair.b / "in-place")) == [final]


def test_a_delete_propagates(syncthing_pair: SyncthingPair) -> None:
    pair = syncthing_pair
    (pair.a / "gone").mkdir()
    for name in ("one.vrmsync", "two.vrmsync"):
        (pair.a / "gone" / name).write_bytes(name.encode())
    pair.wait_synced()
    assert sorted(os.listdir(pair.b / "gone")) == ["one.vrmsync", "two.vrmsync"]
    (pair.a / "gone" / "one.vrmsync").unlink()
    assert poll(lambda: not (pair.b / "gone" / "one.vrmsync").exists(), ARRIVAL_TIMEOUT_S)
    (pair.b / "gone" / "two.vrmsync").unlink()  # and from B to A
    pair.wait_synced()
    assert os.listdir(pair.a / "gone") == []
    assert os.listdir(pair.b / "gone") == []


def test_concurrent_writes_of_one_name_leave_a_sync_conflict_copy(
    syncthing_pair: SyncthingPair,
) -> None:
    """While the two are apart, both write ``same.txt`` (differently), ``vrmsync.json`` (alike)
    and a set in a folder of their own device each, as vrmdesk does. Together again: one conflict
    copy, for ``same.txt`` only, on both sides; the newer write keeps the name."""
    pair = syncthing_pair
    for folder in (pair.a, pair.b):
        (folder / "apart").mkdir(exist_ok=True)
    pair.wait_synced()
    pair.disconnect()
    try:
        for side, folder in (("A", pair.a), ("B", pair.b)):
            (folder / "apart" / side).mkdir()
            (folder / "apart" / side / "0000000001.vrmsync").write_bytes(f"set of {side}".encode())
            (folder / "apart" / "vrmsync.json").write_text('{"format": "vrmsync/1"}\n')
            (folder / "apart" / "same.txt").write_text(f"written in {side}\n")
            # a later modification time for B's: Syncthing keeps the newer one under the name
            time.sleep(0.05 if side == "B" else 1.1)
        for instance in pair.both:
            instance.scan()  # each side records its own version while they are apart
    finally:
        pair.reconnect()
    pair.wait_synced()
    in_a, in_b = visible_files(pair.a / "apart"), visible_files(pair.b / "apart")
    assert in_a == in_b
    conflicts = [name for name in in_a if "sync-conflict" in name]
    assert len(conflicts) == 1, sorted(in_a)
    (conflict,) = conflicts
    assert CONFLICT_NAME.match(conflict), conflict
    assert in_a["same.txt"] == b"written in B\n"  # the newer
    assert in_a[conflict] == b"written in A\n"
    assert in_a["vrmsync.json"] == b'{"format": "vrmsync/1"}\n'
    assert in_a["A/0000000001.vrmsync"] == b"set of A"
    assert in_a["B/0000000001.vrmsync"] == b"set of B"
    print(
        f"\nconcurrent writes of same.txt: {conflict} beside it (A is "
        f"{pair.first.device_id[:7]}, B {pair.second.device_id[:7]})"
    )


@pytest.mark.parametrize("side", ["a", "b"])
def test_clear_empties_both_sides(syncthing_pair: SyncthingPair, side: str) -> None:
    """The harness's own reset between uses: nothing left but Syncthing's marker."""
    pair = syncthing_pair
    (getattr(pair, side) / f"left-{side}.txt").write_text("x")
    pair.wait_synced()
    pair.clear()
    assert visible_files(pair.a) == visible_files(pair.b) == {}
    assert sorted(os.listdir(pair.a)) == sorted(os.listdir(pair.b)) == [".stfolder"]

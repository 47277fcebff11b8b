"""Faults while change sets are written (issue 15): a writer killed at any moment and a disk
that fills up never leave a torn set that a reader takes as valid, and the next write goes on."""

from __future__ import annotations

import errno
import io
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sync_helpers import Device, names

from vrmdesk.sync import folder as sync_folder
from vrmdesk.sync.folder import FolderError

TESTS = Path(__file__).parent


@pytest.fixture
def pair_in(tmp_path: Path):
    def make(folder: Path) -> tuple[Device, Device]:
        a = Device(tmp_path / "a.db", "Laptop")
        b = Device(tmp_path / "b.db", "Desktop")
        a.pair(b)
        for device in (a, b):
            with device.session() as s:
                sync_folder.init_folder(s, folder)
        return a, b

    return make


WRITER = textwrap.dedent(
    """
    import os, sys, time
    sys.path.insert(0, {tests!r})
    from pathlib import Path
    from sync_helpers import Device, slow_writes
    a = Device(Path({db!r}), "Laptop")
    folder = Path({folder!r})
    if {hang!r}:
        def hang(fd):
            Path({marker!r}).write_text("writing")
            time.sleep(600)
        os.fsync = hang
    else:  # slow writes (64 KiB every 10 ms), so that most kills land in the middle of one
        slow_writes(65536, 0.01)
    n = 0
    while True:
        n += 1
        a.send(folder, *[f"vendor {{n}}.{{i}} " + "x" * 200 for i in range(3000)])
    """
)


def _writer(a: Device, folder: Path, tmp_path: Path, *, hang: bool) -> subprocess.Popen[bytes]:
    a.engine.dispose()
    script = WRITER.format(
        tests=str(TESTS),
        db=str(a.db),
        folder=str(folder),
        hang=hang,
        marker=str(tmp_path / "marker"),
    )
    with (tmp_path / "writer.log").open("ab") as log:
        return subprocess.Popen([sys.executable, "-c", script], stderr=log)


def _wait_writing(proc: subprocess.Popen[bytes], mine: Path, tmp_path: Path) -> None:
    """Until the writer has a set on its way (a temporary file in its folder)."""
    deadline = time.monotonic() + 120
    while not (mine.is_dir() and any(p.name.endswith(".tmp") for p in mine.iterdir())):
        assert proc.poll() is None, (tmp_path / "writer.log").read_text()
        assert time.monotonic() < deadline, "the writer wrote nothing in 120 s"
        time.sleep(0.005)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def test_a_writer_killed_mid_write_leaves_no_set_and_the_next_write_goes_on(
    tmp_path: Path, pair_in
):
    folder = tmp_path / "Sync"
    a, b = pair_in(folder)
    proc = _writer(a, folder, tmp_path, hang=True)
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "marker").exists():
            assert proc.poll() is None, (tmp_path / "writer.log").read_text()
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        _kill(proc)
    left = sorted(p.name for p in (folder / a.id).iterdir())
    assert (
        len(left) == 1 and left[0].startswith(".0000000001.vrmsync.") and left[0].endswith(".tmp")
    )
    got = b.receive(folder)
    assert names(got) == [] and got.problems == [] and got.waiting == 1  # on its way, perhaps
    assert a.send(folder, "after the crash") == 1
    assert [p.name for p in (folder / a.id).iterdir()] == ["0000000001.vrmsync"]  # swept
    assert names(b.receive(folder)) == ["after the crash"]


def test_a_writer_killed_at_random_moments_never_leaves_a_torn_set(tmp_path: Path, pair_in):
    folder = tmp_path / "Sync"
    a, b = pair_in(folder)
    rng = random.Random(15)
    received: list[str] = []
    torn = 0  # kills that left a set half written (under its temporary name)
    for _ in range(8):
        proc = _writer(a, folder, tmp_path, hang=False)
        _wait_writing(proc, folder / a.id, tmp_path)  # started (slowly, on a loaded machine)
        time.sleep(rng.uniform(0.0, 1.5))
        _kill(proc)
        torn += any(p.name.endswith(".tmp") for p in (folder / a.id).iterdir())
        got = b.receive(folder, now=time.time() + 3600)  # nothing counts as still arriving
        assert got.problems == [], [p.message for p in got.problems]
        received += names(got)
    assert torn  # the kills did land in the middle of writes
    a.send(folder, "last")
    got = b.receive(folder, now=time.time() + 3600)
    assert got.problems == [] and names(got)[-1] == "last"
    received += names(got)
    sets = sorted((folder / a.id).glob("*.vrmsync"))
    assert len(sets) >= 2  # the writer got some sets out between the kills
    assert len(received) >= 3000 * (len(sets) - 1) + 1


def test_a_full_disk_while_writing_leaves_no_torn_set(tmp_path: Path, pair_in, small_disk):
    folder = small_disk.root / "Sync"
    a, b = pair_in(folder)
    small_disk.fill(leave=64 * 1024)
    with a.session() as s, pytest.raises(FolderError, match="disk is full"):
        sync_folder.write_set(s, folder, [a.change("v" * 300) for _ in range(2000)])
    assert list((folder / a.id).iterdir()) == []
    with a.session() as s:
        assert sync_folder.own_state(s) == (0, None)
    with a.session() as s, pytest.raises(FolderError, match="disk is full"):
        sync_folder.put_blob(s, folder, _digest(BIG), io.BytesIO(BIG))
    assert list((folder / "blobs").iterdir()) == []
    small_disk.free()
    assert a.send(folder, "room again") == 1
    assert names(b.receive(folder)) == ["room again"]


BIG = os.urandom(512 * 1024)


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_enospc_on_the_set_file_changes_nothing(tmp_path: Path, pair_in, monkeypatch):
    """The same without a mount (ENOSPC from the write itself), where tmpfs cannot be had."""
    folder = tmp_path / "Sync"
    a, b = pair_in(folder)
    real_fsync = os.fsync

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with a.session() as s, pytest.raises(FolderError, match="disk is full"):
        sync_folder.write_set(s, folder, [a.change("v")])
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert list((folder / a.id).iterdir()) == []
    assert names(b.receive(folder)) == []
    assert a.send(folder, "later") == 1
    assert names(b.receive(folder)) == ["later"]

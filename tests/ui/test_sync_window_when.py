"""When a sync runs in the window: on start when set up; once after several edits (debounced);
never two at once (a reason during one makes one more); when the folder changes (watcher, and
the poll where no watcher sees it); nothing after the lock."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from ui_helpers import edit_field, vendor_id

from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.sync import engine
from vrmdesk.ui.sync.syncer import Syncer

OTHER_DEVICE = "ab" * 16


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    folder = tmp_path / "shared"
    folder.mkdir()
    return folder


class Counting:
    """engine.sync_now, counted (and held while ``hold`` is clear)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.at_once = 0
        self.most_at_once = 0
        self.hold = threading.Event()
        self.hold.set()
        self._lock = threading.Lock()
        real = engine.sync_now

        def counted(vault, **kwargs):  # type: ignore[no-untyped-def]
            with self._lock:
                self.calls += 1
                self.at_once += 1
                self.most_at_once = max(self.most_at_once, self.at_once)
            try:
                self.hold.wait(20)
                return real(vault, **kwargs)
            finally:
                with self._lock:
                    self.at_once -= 1

        monkeypatch.setattr(engine, "sync_now", counted)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> Counting:
    return Counting(monkeypatch)


@pytest.fixture
def syncer(controller, shared, counting, qtbot):  # type: ignore[no-untyped-def]
    engine.init(controller.vault, shared, name="Laptop")
    syncer = Syncer(controller)
    syncer.CHANGE_DELAY = 1500  # type: ignore[misc]
    syncer.FOLDER_DELAY = 100  # type: ignore[misc]
    syncer.start()  # as on unlock: one sync at once
    qtbot.waitUntil(lambda: counting.calls == 1 and syncer.running is None, timeout=20000)
    assert syncer.report is not None and not syncer.problem
    return syncer


def settled(syncer: Syncer) -> bool:
    return syncer.running is None and not syncer.after_change.isActive()


def test_several_edits_make_one_sync(syncer, controller, counting, qtbot):  # type: ignore[no-untyped-def]
    bosch = vendor_id(controller, "Bosch Home Appliances")
    for text in ("Bosch 1", "Bosch 2", "Bosch 3"):
        edit_field(qtbot, controller, "vendor", bosch, "name", text)
    assert syncer.after_change.isActive()  # waiting for more
    qtbot.waitUntil(lambda: counting.calls == 2 and settled(syncer), timeout=20000)
    qtbot.wait(2 * syncer.CHANGE_DELAY)
    assert counting.calls == 2  # three edits, one sync


def test_never_two_syncs_at_once_and_one_more_for_what_came_meanwhile(syncer, counting, qtbot):  # type: ignore[no-untyped-def]
    counting.hold.clear()
    assert syncer.sync_now()
    qtbot.waitUntil(lambda: counting.at_once == 1)
    assert not syncer.sync_now()  # one runs: this one waits for it
    assert not syncer.sync_now()
    assert syncer.again
    counting.hold.set()
    qtbot.waitUntil(lambda: counting.calls == 3 and settled(syncer), timeout=20000)
    assert counting.most_at_once == 1
    qtbot.wait(300)
    assert counting.calls == 3  # two asks during the sync: one more, not two


def test_a_change_in_the_folder_syncs(syncer, shared, counting, qtbot):  # type: ignore[no-untyped-def]
    assert str(shared) in syncer.watcher.directories()
    (shared / OTHER_DEVICE).mkdir()  # another device's folder appears
    qtbot.waitUntil(lambda: counting.calls == 2 and settled(syncer), timeout=20000)
    assert str(shared / OTHER_DEVICE) in syncer.watcher.directories()  # watched from now on
    (shared / OTHER_DEVICE / "0000000001.vrmsync").write_bytes(b"x")  # it writes a set
    qtbot.waitUntil(lambda: counting.calls == 3 and settled(syncer), timeout=20000)


def test_the_poll_finds_what_no_watcher_saw(syncer, shared, counting, qtbot):  # type: ignore[no-untyped-def]
    syncer.watcher.removePaths(syncer.watcher.directories())  # a share no watcher sees into
    syncer.poll.start(100)
    qtbot.wait(400)
    assert counting.calls == 1  # nothing new: the poll does not sync
    (shared / "blobs" / ("0" * 64 + ".age")).write_bytes(b"x")
    qtbot.waitUntil(lambda: counting.calls == 2 and settled(syncer), timeout=20000)


def test_locking_stops_the_timers_and_the_watcher(syncer, controller, counting, qtbot):  # type: ignore[no-untyped-def]
    controller.notify({"vendor"})  # a change: a sync is due
    assert syncer.after_change.isActive()
    controller.lock()
    assert not syncer.active
    assert not syncer.after_change.isActive() and not syncer.poll.isActive()
    assert syncer.watcher.directories() == []
    assert not syncer.sync_now()
    qtbot.wait(300)
    assert counting.calls == 1


def test_not_set_up_nothing_runs_and_sync_now_says_why(controller, counting, qtbot):  # type: ignore[no-untyped-def]
    said: list[str] = []
    controller.status.connect(said.append)
    syncer = Syncer(controller)
    syncer.start()
    controller.notify({"vendor"})
    assert not syncer.after_change.isActive()
    assert not syncer.sync_now()
    assert said == ["Sync is not set up yet: Sync → Set up sync…"]
    assert counting.calls == 0


def test_locking_during_a_sync_cancels_it_cleanly(syncer, controller, counting, qtbot):  # type: ignore[no-untyped-def]
    """As quitting does (the application locks the vault on its way out)."""
    said: list[str] = []
    controller.status.connect(said.append)
    counting.hold.clear()
    assert syncer.sync_now(asked=False)
    qtbot.waitUntil(lambda: counting.at_once == 1)
    threading.Timer(0.3, counting.hold.set).start()
    controller.lock()  # waits for the sync, told to stop
    assert counting.at_once == 0
    qtbot.wait(300)  # its end is delivered: nothing said, nothing raised
    assert said == []
    assert syncer.running is None and not syncer.problem


def test_unlocking_again_syncs_and_watches_again(syncer, controller, shared, counting, qtbot):  # type: ignore[no-untyped-def]
    from vrmdesk.store.vault import Vault

    folder = controller.vault.folder
    controller.lock()
    assert not syncer.active
    controller.replace(Vault.open(folder, "pw"))  # the unlock dialog's vault
    qtbot.waitUntil(lambda: counting.calls == 2 and settled(syncer), timeout=20000)
    assert syncer.active and str(shared) in syncer.watcher.directories()
    qtbot.wait(2 * syncer.CHANGE_DELAY)
    assert counting.calls == 2  # the pages' refresh on unlock is no change made here


def test_a_sync_refused_by_writes_made_meanwhile_is_tried_again(
    syncer, counting, monkeypatch, qtbot
):  # type: ignore[no-untyped-def]
    """SQLite refuses the sync's write when the window saved a change after the sync began
    reading; the sync is rolled back whole, so it is simply tried again."""
    from vrmdesk.errors import VaultBusy

    counted = engine.sync_now
    refusals = [VaultBusy("The vault was busy with other work")] * 2  # as Vault.session says

    def busy_at_first(vault, **kwargs):  # type: ignore[no-untyped-def]
        if refusals:
            raise refusals.pop()
        return counted(vault, **kwargs)

    monkeypatch.setattr(engine, "sync_now", busy_at_first)
    said: list[str] = []
    syncer.controller.status.connect(said.append)
    assert syncer.sync_now()
    qtbot.waitUntil(lambda: counting.calls == 2 and settled(syncer), timeout=20000)
    assert refusals == [] and not syncer.problem
    assert said[-1].startswith("Synced: ")


def test_an_edit_during_a_sync_waits_for_it_and_is_saved(syncer, controller, monkeypatch, qtbot):  # type: ignore[no-untyped-def]
    """The sync has written (it holds SQLite's write lock) when the person saves an edit: the
    edit waits for the sync's commit instead of being refused as "database is locked"."""
    bosch = vendor_id(controller, "Bosch Home Appliances")
    with controller.session() as s:  # a change of this device, for the sync to write
        records.update(s, m.Vendor, bosch, website="https://bosch.example/one")
    inside, release = threading.Event(), threading.Event()
    real = engine.sync_now

    def pausing(vault, *, progress, cancelled):  # type: ignore[no-untyped-def]
        def paused(done: int, total: int, text: str) -> None:
            if text.startswith("Reading"):  # its own set written, the others' next
                inside.set()
                release.wait(10)
            progress(done, total, text)

        return real(vault, progress=paused, cancelled=cancelled)

    monkeypatch.setattr(engine, "sync_now", pausing)
    assert syncer.sync_now()
    qtbot.waitUntil(inside.is_set, timeout=20000)
    threading.Timer(0.5, release.set).start()
    edit_field(qtbot, controller, "vendor", bosch, "notes", "Edited while it synced.")
    with controller.session() as s:
        assert s.get(m.Vendor, bosch).notes == "Edited while it synced."
    qtbot.waitUntil(lambda: syncer.running is None, timeout=20000)
    assert not syncer.problem

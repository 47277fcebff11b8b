"""Issue 15's "done when", from the window: two windows over two vaults whose sync folders are
kept in step by two real Syncthing instances (tests/sync_harness.py). Nothing in the test syncs
by hand after the set-up: an edit made in one window reaches the other through its own syncs
(after the change, debounced) and the other's folder watcher; concurrent edits are a conflict
in both Conflicts lists, and "Keep this" on one settles it on both."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from sync_harness import SyncthingPair
from ui_helpers import edit_field, vendor_id

from vrmdesk.store import changelog
from vrmdesk.store import models as m
from vrmdesk.sync import engine
from vrmdesk.ui.core.preferences import Preferences

LEFT = Qt.MouseButton.LeftButton
BOSCH = "Bosch Home Appliances"
WAIT_MS = 90_000  # Syncthing's scan, its copy and the watcher's delay, on a loaded machine


def open_window(controller, qtbot, folder: Path, name: str):  # type: ignore[no-untyped-def]
    from vrmdesk.ui.app.main_window import MainWindow

    win = MainWindow(controller, Preferences())
    qtbot.addWidget(win)
    win.show()
    controller.notify({"*"})
    qtbot.waitUntil(lambda: win.sync.status.ready)
    engine.init(controller.vault, folder, name=name)
    syncer = win.sync.syncer
    syncer.CHANGE_DELAY = 500  # sooner than a person would wait, the same path
    syncer.start()
    return win


def website(controller, name: str) -> str:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return s.get(m.Vendor, vendor_id(controller, name)).website


def snapshot(controller):  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return changelog.snapshot(s)


def test_two_windows_stay_in_step_through_syncthing_by_themselves(  # type: ignore[no-untyped-def]
    syncthing_pair: SyncthingPair, controller, second_controller, qtbot
):
    pair = syncthing_pair
    pair.clear()
    laptop = open_window(controller, qtbot, pair.a, "Laptop")
    pair.wait_synced()  # the folder's marker reaches the desktop's side
    desktop = open_window(second_controller, qtbot, pair.b, "Desktop")
    for one, other in ((controller, second_controller), (second_controller, controller)):
        engine.pair(one.vault, engine.read_code(engine.own_code(other.vault)))

    # the laptop's records (the demo vault) reach the empty desktop: the laptop syncs after
    # pairing (Sync now), the desktop's watcher sees the sets Syncthing brings
    qtbot.waitUntil(lambda: laptop.sync.syncer.running is None, timeout=WAIT_MS)
    laptop.commands.sync_now.trigger()
    desktop.show_page("vendors")
    page = desktop.vendors_page

    def desktop_has_bosch() -> bool:
        return BOSCH in [page.model.vendor(r).name for r in range(page.model.rowCount())]

    qtbot.waitUntil(desktop_has_bosch, timeout=WAIT_MS)

    # an edit typed on the desktop appears on the laptop, with no Sync now anywhere
    on_desktop = vendor_id(second_controller, BOSCH)
    edit_field(qtbot, second_controller, "vendor", on_desktop, "website", "https://desk.example")
    qtbot.waitUntil(lambda: website(controller, BOSCH) == "https://desk.example", timeout=WAIT_MS)

    # Syncthing cut off: the same field edited on both; reconnected, a conflict on both
    qtbot.waitUntil(lambda: laptop.sync.syncer.running is None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: desktop.sync.syncer.running is None, timeout=WAIT_MS)
    pair.disconnect()
    on_laptop = vendor_id(controller, BOSCH)
    edit_field(qtbot, controller, "vendor", on_laptop, "website", "https://laptop.example")
    edit_field(qtbot, second_controller, "vendor", on_desktop, "website", "https://desktop.example")
    qtbot.waitUntil(lambda: laptop.sync.syncer.running is None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: desktop.sync.syncer.running is None, timeout=WAIT_MS)
    pair.reconnect()
    qtbot.waitUntil(
        lambda: (
            bool(engine.conflicts(controller.vault))
            and bool(engine.conflicts(second_controller.vault))
        ),
        timeout=WAIT_MS,
    )
    assert website(controller, BOSCH) == website(second_controller, BOSCH)  # one in force

    # settled in the laptop's Conflicts list: settled on the desktop too
    laptop.commands.sync_conflicts.trigger()
    dialog = laptop.sync.dialogs["conflicts"]
    qtbot.waitUntil(lambda: len(dialog.cards) == 1, timeout=WAIT_MS)
    [card] = dialog.cards
    values = [v.value for v in card.conflict.versions]
    assert sorted(values) == ["https://desktop.example", "https://laptop.example"]
    qtbot.mouseClick(card.keep_buttons[values.index("https://laptop.example")], LEFT)
    qtbot.waitUntil(
        lambda: (
            website(second_controller, BOSCH) == "https://laptop.example"
            and not engine.conflicts(second_controller.vault)
        ),
        timeout=WAIT_MS,
    )
    qtbot.waitUntil(lambda: laptop.sync.syncer.running is None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: desktop.sync.syncer.running is None, timeout=WAIT_MS)
    assert engine.conflicts(controller.vault) == []
    assert snapshot(controller) == snapshot(second_controller)

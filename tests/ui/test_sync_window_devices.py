"""Two devices in two windows over two real vaults, synced through a plain folder: what one has
reaches the other (its open page refreshes); the same field edited on both is a conflict in both
Conflicts lists, with both values, who and when; "Keep this" on one device settles it on both."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from ui_helpers import edit_field, vendor_id

from vrmdesk.store import models as m
from vrmdesk.sync import engine
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.sync.conflicts import ConflictsDialog

LEFT = Qt.MouseButton.LeftButton
BOSCH = "Bosch Home Appliances"


def open_window(controller, qtbot, folder: Path, name: str):  # type: ignore[no-untyped-def]
    from vrmdesk.ui.app.main_window import MainWindow

    win = MainWindow(controller, Preferences())
    qtbot.addWidget(win)
    win.show()
    controller.notify({"*"})
    qtbot.waitUntil(lambda: win.sync.status.ready)  # a moment after the window: not set up
    engine.init(controller.vault, folder, name=name)
    syncer = win.sync.syncer
    # the test says when to sync: a sync of its own committing while the test's edit is between
    # its read and its write would make SQLite refuse the edit ("database is locked")
    syncer.CHANGE_DELAY = syncer.FOLDER_DELAY = syncer.POLL_INTERVAL = 600_000
    syncer.start()
    return win


def sync(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """Sync → Sync now, and wait until it is done."""
    syncer = window.sync.syncer
    qtbot.waitUntil(lambda: syncer.running is None, timeout=20000)
    with qtbot.waitSignal(syncer.finished, timeout=20000):
        window.commands.sync_now.trigger()
    assert not syncer.problem, syncer.problem


@pytest.fixture
def devices(controller, second_controller, tmp_path, qtbot):  # type: ignore[no-untyped-def]
    folder = tmp_path / "shared"
    laptop = open_window(controller, qtbot, folder, "Laptop")
    desktop = open_window(second_controller, qtbot, folder, "Desktop")
    for window in (laptop, desktop):  # each synced once on set-up, alone
        qtbot.waitUntil(lambda w=window: w.sync.syncer.running is None, timeout=20000)
    for one, other in ((controller, second_controller), (second_controller, controller)):
        engine.pair(one.vault, engine.read_code(engine.own_code(other.vault)))
    return laptop, desktop


def website(controller, vendor: int) -> str:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return s.get(m.Vendor, vendor).website


def test_what_one_device_has_appears_on_the_other(devices, controller, second_controller, qtbot):  # type: ignore[no-untyped-def]
    laptop, desktop = devices
    desktop.show_page("vendors")
    page = desktop.vendors_page
    assert page.model.rowCount() == 0  # a new, empty vault
    sync(qtbot, laptop)
    sync(qtbot, desktop)
    names = [page.model.vendor(r).name for r in range(page.model.rowCount())]
    assert BOSCH in names  # the open page refreshed itself
    assert desktop.sync.status.text() == "Synced just now", desktop.sync.status.toolTip()

    bosch = vendor_id(controller, BOSCH)
    edit_field(qtbot, controller, "vendor", bosch, "website", "https://bosch.example/laptop")
    sync(qtbot, laptop)
    sync(qtbot, desktop)
    assert website(second_controller, vendor_id(second_controller, BOSCH)) == (
        "https://bosch.example/laptop"
    )


def test_a_conflict_is_listed_on_both_and_keep_this_settles_it(  # type: ignore[no-untyped-def]
    devices, controller, second_controller, qtbot
):
    laptop, desktop = devices
    sync(qtbot, laptop)
    sync(qtbot, desktop)
    on_laptop, on_desktop = vendor_id(controller, BOSCH), vendor_id(second_controller, BOSCH)
    edit_field(qtbot, controller, "vendor", on_laptop, "website", "https://laptop.example")
    edit_field(qtbot, second_controller, "vendor", on_desktop, "website", "https://desktop.example")
    sync(qtbot, laptop)
    sync(qtbot, desktop)
    sync(qtbot, laptop)
    # the later edit is in force on both, and neither value is lost
    assert website(controller, on_laptop) == website(second_controller, on_desktop)
    assert laptop.sync.status.text() == "Synced just now · 1 conflict"
    assert desktop.sync.status.text() == "Synced just now · 1 conflict"

    qtbot.mouseClick(laptop.sync.status, LEFT)  # "1 conflict": the list opens
    dialog = laptop.sync.dialogs["conflicts"]
    assert isinstance(dialog, ConflictsDialog) and dialog.isVisible()
    [card] = dialog.cards
    assert BOSCH in card.title() and "website" in card.title()
    shown = {label.text() for label in card.findChildren(type(dialog.heading))}
    assert "https://laptop.example" in shown and "https://desktop.example" in shown
    assert any(t.startswith("Laptop (this device), ") for t in shown), shown
    assert any(t.startswith("Desktop, ") for t in shown)

    values = [v.value for v in card.conflict.versions]
    keep = card.keep_buttons[values.index("https://laptop.example")]
    qtbot.mouseClick(keep, LEFT)
    assert dialog.cards == [] and dialog.heading.text().startswith("No conflicts")
    assert website(controller, on_laptop) == "https://laptop.example"

    sync(qtbot, laptop)
    sync(qtbot, desktop)
    assert website(second_controller, on_desktop) == "https://laptop.example"
    assert engine.conflicts(controller.vault) == []
    assert engine.conflicts(second_controller.vault) == []
    assert desktop.sync.status.text() == "Synced just now", desktop.sync.status.toolTip()


def test_an_edit_of_a_record_deleted_elsewhere_is_restored(
    devices, controller, second_controller, qtbot
):  # type: ignore[no-untyped-def]
    laptop, desktop = devices
    sync(qtbot, laptop)
    sync(qtbot, desktop)
    with second_controller.session() as s:
        machine = s.query(m.Asset).filter_by(name="Coffee machine").one().id
    second_controller.delete_record("asset", machine)  # deleted on the desktop …
    with controller.session() as s:
        machine = s.query(m.Asset).filter_by(name="Coffee machine").one().id
    edit_field(qtbot, controller, "asset", machine, "notes", "Descaled.")  # … edited here
    sync(qtbot, desktop)
    sync(qtbot, laptop)
    qtbot.mouseClick(laptop.sync.status, LEFT)
    dialog = laptop.sync.dialogs["conflicts"]
    [card] = dialog.cards
    assert "Coffee machine" in card.title() and "a deleted thing" in card.title()
    assert card.keep_buttons == [] and card.restore is not None
    qtbot.mouseClick(card.restore, LEFT)
    assert dialog.cards == []
    sync(qtbot, laptop)
    sync(qtbot, desktop)
    for each in (controller, second_controller):
        with each.session() as s:
            [back] = s.query(m.Asset).filter_by(name="Coffee machine").all()
            assert back.notes == "Descaled."

"""Inventory for the insurer…: opened from the Things page, filtered, previewed, and saved as a
PDF and as a signed bundle off the UI thread (with cancel), driven as a person does."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from vrmshare import verify

from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.things.inventory_dialog import InventoryDialog
from vrmdesk.ui.things.page import ThingsPage


@pytest.fixture
def dialog(controller, qtbot) -> InventoryDialog:  # type: ignore[no-untyped-def]
    page = ThingsPage(controller, Preferences())
    qtbot.addWidget(page)
    page.show()
    qtbot.mouseClick(page.inventory_button, Qt.MouseButton.LeftButton)
    found = page.findChild(InventoryDialog)
    assert found is not None and found.isVisible()
    return found


def choose(qtbot, combo, text: str) -> None:  # type: ignore[no-untyped-def]
    """Pick an entry as a person does: focus the list and type its first letters."""
    combo.setFocus()
    index = combo.findText(text)
    assert index >= 0, text
    while combo.currentIndex() != index:
        qtbot.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < index else Qt.Key.Key_Up)


def test_the_preview_counts_and_totals_as_the_filters_change(dialog, qtbot) -> None:  # type: ignore[no-untyped-def]
    assert "13 things" in dialog.preview_label.text()
    assert "Overall: 42,059.00 EUR" in dialog.preview_label.text()
    choose(qtbot, dialog.location_combo, "Kitchen")
    assert "4 things" in dialog.preview_label.text()
    assert "Kitchen: 3,196.00 EUR" in dialog.preview_label.text()
    choose(qtbot, dialog.category_combo, "Vehicle")  # no vehicle in the kitchen
    assert "nothing to list" in dialog.preview_label.text()
    assert not dialog.pdf_button.isEnabled() and not dialog.bundle_button.isEnabled()


def test_save_pdf_writes_the_filtered_inventory_off_the_ui_thread(  # type: ignore[no-untyped-def]
    dialog, qtbot, tmp_path: Path, monkeypatch
) -> None:
    out = tmp_path / "kitchen.pdf"
    monkeypatch.setattr(dialog, "ask_path", lambda *_: out)
    choose(qtbot, dialog.location_combo, "Kitchen")
    with qtbot.waitSignal(dialog.written, timeout=30000) as blocker:
        qtbot.mouseClick(dialog.pdf_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [out] and out.read_bytes().startswith(b"%PDF")
    assert "Saved kitchen.pdf" in dialog.status.text()
    assert dialog.pdf_button.isEnabled()


def test_the_bundle_needs_an_insurer_and_then_verifies(  # type: ignore[no-untyped-def]
    dialog, qtbot, tmp_path: Path, monkeypatch
) -> None:
    out = tmp_path / "claim.vrmshare"
    monkeypatch.setattr(dialog, "ask_path", lambda *_: out)
    assert not dialog.bundle_button.isEnabled()  # no insurer chosen yet
    choose(qtbot, dialog.insurer_combo, "Bosch Home Appliances")
    choose(qtbot, dialog.location_combo, "Kitchen")
    assert dialog.bundle_button.isEnabled()
    with qtbot.waitSignal(dialog.written, timeout=60000):
        qtbot.mouseClick(dialog.bundle_button, Qt.MouseButton.LeftButton)
    verified = verify.verify_bundle(out)
    assert verified.manifest["purpose"] == "insurance_claim"
    products = [r for r in verified.manifest["records"] if r.get("@type") == "Product"]
    assert len(products) == 4
    assert verified.manifest["files"]  # the kitchen things' receipts travel with them


def test_cancel_leaves_no_file(dialog, qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    from PySide6.QtWidgets import QPushButton

    from vrmdesk.interchange import inventory

    out = tmp_path / "all.pdf"
    monkeypatch.setattr(dialog, "ask_path", lambda *_: out)
    go_on = threading.Event()
    real = inventory.write_pdf

    def held(vault, filters, path, *, progress=None, on=None):  # type: ignore[no-untyped-def]
        go_on.wait(30)  # the person clicks Cancel meanwhile
        return real(vault, filters, path, progress=progress, on=on)

    monkeypatch.setattr(inventory, "write_pdf", held)
    qtbot.mouseClick(dialog.pdf_button, Qt.MouseButton.LeftButton)
    assert not dialog.pdf_button.isEnabled()  # busy
    cancel = dialog.progress.findChild(QPushButton)
    with qtbot.waitSignal(dialog.failed, timeout=30000) as blocker:
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    go_on.set()
    assert blocker.args == ["cancelled"]
    qtbot.waitUntil(lambda: not dialog.controller.tasks.running_work(), timeout=30000)
    assert not out.exists() and not list(tmp_path.glob(".*partial"))
    assert "Cancelled" in dialog.status.text() and dialog.pdf_button.isEnabled()


def test_the_dialog_starts_from_the_pages_filters(controller, qtbot) -> None:  # type: ignore[no-untyped-def]
    page = ThingsPage(controller, Preferences())
    qtbot.addWidget(page)
    page.show()
    choose(qtbot, page.location_combo, "Kitchen")
    qtbot.mouseClick(page.inventory_button, Qt.MouseButton.LeftButton)
    dialog = page.findChild(InventoryDialog)
    assert dialog.location_combo.currentText() == "Kitchen"
    assert dialog.category_combo.currentIndex() == 0
    assert "4 things" in dialog.preview_label.text()

"""What I have told this vendor: the list of exports, their details, and Re-export."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from vrmshare.terms import Terms

from vrmdesk.share import export
from vrmdesk.share import slice as sl
from vrmdesk.store import models as m
from vrmdesk.ui.share.disclosures import DisclosuresView
from vrmdesk.ui.widgets.dates import show_datetime

SHOTS = os.environ.get("VRMDESK_SHOTS")


@pytest.fixture
def bosch(controller) -> int:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return s.scalar(select(m.Vendor.id).where(m.Vendor.name == "Bosch Home Appliances"))


def _export(controller, vendor_id: int, out: Path, created: str, **kw):  # type: ignore[no-untyped-def]
    with controller.session() as s:
        selection = sl.everything(s, vendor_id, redact=kw.pop("redact", ()))
    return export.export_bundle(
        controller.vault, selection, kw.pop("terms", Terms()), out, created=created, **kw
    )


def test_lists_details_and_reexports(qtbot, controller, bosch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    view = DisclosuresView(controller)
    qtbot.addWidget(view)
    view.resize(900, 420)
    view.show()
    view.set_vendor(bosch)
    assert view.model.rowCount() == 0 and view.empty.isVisible()
    assert not view.reexport_button.isEnabled()

    first = _export(
        controller,
        bosch,
        tmp_path / "a",
        "2026-01-02T03:04:05Z",
        terms=Terms(purpose="warranty_claim"),
        redact={"price"},
    )
    _export(
        controller,
        bosch,
        tmp_path / "b",
        "2026-02-02T03:04:05Z",
        terms=Terms(purpose="quote_request"),
    )
    controller.notify({"disclosure"})
    assert view.model.rowCount() == 2 and not view.empty.isVisible()
    assert view.model.index(0, 1).data() == "Quote request"  # newest first
    view.select_row(1)
    assert view.current_row().id == first.disclosure_id
    assert view.model.index(1, 0).data() == show_datetime(datetime(2026, 1, 2, 3, 4), utc=True)
    assert view.model.index(1, 4).data() == "no"
    assert view.model.index(1, 5).data(0x03) == first.sha256  # the full hash as a tooltip
    text = view.details.toPlainText()
    assert first.sha256 in text and "Warranty claim" in text and "Left out: price" in text
    assert "thing" in text and "serialNumber" in text
    if SHOTS:
        view.grab().save(str(Path(SHOTS) / "disclosures.png"))

    assert view.reexport_button.isEnabled()
    with qtbot.waitSignal(view.reexported, timeout=10000) as blocker:
        view.reexport_to(tmp_path / "again.vrmshare")
    result = blocker.args[0]
    assert result.path.exists() and result.bundle_id != first.bundle_id
    assert view.model.rowCount() == 3
    assert "Exported again" in view.message.text()

    view.clear()
    assert view.model.rowCount() == 0 and view.details.toPlainText() == ""


def test_reexport_failure_is_shown(qtbot, controller, bosch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _export(controller, bosch, tmp_path / "a", "2026-01-02T03:04:05Z")
    view = DisclosuresView(controller)
    qtbot.addWidget(view)
    view.set_vendor(bosch)
    with qtbot.waitSignal(view.failed, timeout=10000):
        view.reexport_to(tmp_path / "missing" / "x.vrmshare")
    assert "does not exist" in view.message.text()
    assert view.model.rowCount() == 1


def test_locking_empties_the_view(qtbot, controller, bosch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _export(controller, bosch, tmp_path / "a", "2026-01-02T03:04:05Z")
    view = DisclosuresView(controller)
    qtbot.addWidget(view)
    view.set_vendor(bosch)
    assert view.model.rowCount() == 1
    controller.lock()
    assert view.model.rowCount() == 0 and view.vendor_id is None

"""The share wizard: preselection, redaction, terms, preview, export off the UI thread, result."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWizard
from sqlalchemy import select

from vrmdesk.share import disclosures, export
from vrmdesk.store import models as m
from vrmdesk.store.services import rules
from vrmdesk.ui.share.wizard import ShareWizard

SHOTS = os.environ.get("VRMDESK_SHOTS")  # a folder: save a picture of every page there


@pytest.fixture
def ids(controller):  # type: ignore[no-untyped-def]
    with controller.session() as s:
        bosch = s.scalar(select(m.Vendor.id).where(m.Vendor.name == "Bosch Home Appliances"))
        ticket = s.scalar(select(m.Ticket).where(m.Ticket.vendor_id == bosch))
        oven = s.scalar(select(m.Asset.id).where(m.Asset.name == "Oven"))
        return {"vendor": bosch, "ticket": ticket.id, "dishwasher": ticket.asset_id, "oven": oven}


def _wizard(qtbot, controller, ids, **kw) -> ShareWizard:  # type: ignore[no-untyped-def]
    wizard = ShareWizard(controller, ids["vendor"], None, **kw)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def test_opened_from_a_ticket(qtbot, controller, ids, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wizard = _wizard(qtbot, controller, ids, ticket_id=ids["ticket"])
    checked = wizard.what.checked()
    assert {("ticket", ids["ticket"]), ("asset", ids["dishwasher"])} <= checked
    assert ("asset", ids["oven"]) not in checked
    assert ("vendor_note", ids["vendor"]) not in checked  # notes are opt-in
    assert wizard.terms().purpose == "support_case"

    # unticking the dishwasher unticks (and disables) what hangs under it
    wizard.what.set_checked("asset", ids["dishwasher"], False)
    assert not any(k[0] in ("warranty", "attachment") for k in wizard.what.checked())
    assert not wizard.what.items[("warranty", 1)].isEnabled()
    wizard.what.set_checked("asset", ids["dishwasher"], True)
    assert ("warranty", 1) in wizard.what.checked()

    wizard.redaction.boxes["serial_number"].setChecked(True)
    wizard.redaction.boxes["message_text"].setChecked(True)
    wizard.terms_page.retention.setValue(30)
    wizard.terms_page.use_buttons["may_contact_about_it"].setChecked(True)
    wizard.terms_page.sender_name.setText("Kim Example")
    for _ in range(3):
        wizard.next()
    assert wizard.currentPage() is wizard.preview_page
    preview = wizard.preview_page.preview
    assert preview is not None
    keys = {key for _, fields in preview.records for key, _ in fields}
    assert "serialNumber" not in keys and "text" not in keys
    assert wizard.preview_page.model.rowCount() == 3  # terms, records, files
    records_item = wizard.preview_page.model.item(1)
    assert records_item.rowCount() == len(preview.records)
    assert "will go to Bosch Home Appliances" in wizard.preview_page.summary.text()

    wizard.next()
    assert wizard.currentPage() is wizard.save_page
    wizard.save_page.path.setText(str(tmp_path / "case"))
    assert wizard.save_page.isComplete()
    with qtbot.waitSignal(wizard.exported, timeout=10000) as blocker:
        wizard.next()  # "Export": runs off the UI thread, then moves on
    result = blocker.args[0]
    assert wizard.currentPage() is wizard.done_page
    assert result.path == tmp_path / "case.vrmshare"
    assert wizard.done_page.labels["sha256"].text() == result.sha256
    assert wizard.done_page.labels["fingerprint"].text() == result.fingerprint
    manifest = json.loads(zipfile.ZipFile(result.path).read("manifest.json"))
    assert manifest["sender"]["name"] == "Kim Example"
    assert sorted(manifest["redacted"]) == ["message_text", "serial_number"]
    assert manifest["terms"]["retention_days"] == 30
    assert manifest["terms"]["allowed_use"] == "may_contact_about_it"
    with controller.session() as s:
        assert export.sender_name(s) == "Kim Example"
        assert [r.sha256 for r in disclosures.for_vendor(s, ids["vendor"])] == [result.sha256]


def test_encrypted_export_and_failures(qtbot, controller, ids, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from pyrage import x25519

    recipient = str(x25519.Identity.generate().to_public())
    with controller.session() as s:
        s.get(m.Vendor, ids["vendor"]).age_recipient = recipient
    wizard = _wizard(qtbot, controller, ids, asset_id=ids["oven"])
    assert wizard.what.checked() == {("asset", ids["oven"]), ("warranty", 3)}
    assert wizard.terms().purpose == "warranty_claim"
    assert wizard.save_page.encrypt.isChecked()
    assert wizard.save_page.recipient.text() == recipient
    out = tmp_path / "out"
    out.mkdir()
    wizard.save_page.path.setText(str(out / "nowhere" / "x"))
    assert "does not exist" in wizard.save_page.problem()
    wizard.save_page.recipient.setText("not a key")
    wizard.save_page.path.setText(str(out / "x"))
    assert wizard.save_page.problem() == rules.AGE_RECIPIENT_FORM
    wizard.save_page.recipient.setText("age1invalid")  # the core's own parse refuses it too
    assert wizard.save_page.problem() == rules.AGE_RECIPIENT_FORM
    with qtbot.waitSignal(wizard.failed, timeout=10000):
        wizard.start_export()
    assert "Nothing was exported" in wizard.save_page.error.text()
    assert list(out.iterdir()) == []
    wizard.save_page.recipient.setText(recipient)
    with qtbot.waitSignal(wizard.exported, timeout=10000) as blocker:
        wizard.start_export()
    assert blocker.args[0].path.name == "x.vrmshare.age"
    assert blocker.args[0].encrypted_to == recipient


def test_pages_render(qtbot, controller, ids, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wizard = _wizard(qtbot, controller, ids)
    wizard.resize(760, 600)
    for n in range(5):
        image = wizard.grab()
        assert not image.isNull()
        if SHOTS:
            image.save(str(Path(SHOTS) / f"share-wizard-{n}.png"))
        wizard.next()
    assert wizard.currentPage() is wizard.save_page


def test_locking_closes_the_wizard(qtbot, controller, ids) -> None:  # type: ignore[no-untyped-def]
    wizard = _wizard(qtbot, controller, ids)
    with qtbot.waitSignal(wizard.rejected, timeout=3000):
        controller.lock()
    assert wizard.written is None and wizard.button(QWizard.WizardButton.CancelButton)


def test_cancel_stops_the_export(qtbot, controller, ids, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    from vrmdesk.ui.share import wizard as share_wizard

    started = threading.Event()
    real = export.export_bundle

    def slow(vault, selection, terms, out, **kw):  # type: ignore[no-untyped-def]
        def progress(done: int, total: int, text: str) -> None:
            started.set()
            kw["progress"](done, total, text)  # raises once cancelled
            threading.Event().wait(0.01)

        return real(vault, selection, terms, out, **{**kw, "progress": progress})

    # a thing with a large file, so the copy takes a while
    with controller.session() as s:
        dishwasher = s.get(m.Asset, ids["dishwasher"])
        big = tmp_path / "manual.pdf"
        big.write_bytes(b"%PDF" + b"\0" * (16 * 1024 * 1024))
        controller.vault.attachments.add(s, dishwasher, big)
    monkeypatch.setattr(share_wizard.export, "export_bundle", slow)
    wizard = _wizard(qtbot, controller, ids, asset_id=ids["dishwasher"])
    out = tmp_path / "out"
    out.mkdir()
    wizard.save_page.path.setText(str(out / "x"))
    with qtbot.waitSignal(wizard.failed, timeout=10000) as blocker:
        wizard.start_export()
        qtbot.waitUntil(started.is_set, timeout=5000)
        wizard.progress_dialog.canceled.emit()  # the Cancel button
    assert blocker.args == ["cancelled"]
    assert "Cancelled" in wizard.save_page.error.text() and not wizard.busy
    qtbot.waitUntil(lambda: controller.tasks.wait(50), timeout=5000)
    assert list(out.iterdir()) == []
    with controller.session() as s:
        assert disclosures.for_vendor(s, ids["vendor"]) == []


@pytest.mark.parametrize("typed", ["/", "~/", "   /   ", "."])
def test_a_save_name_that_names_no_file_is_told_and_the_page_keeps_its_layout(
    typed, qtbot, controller, ids, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    wizard = _wizard(qtbot, controller, ids)
    for _ in range(4):
        wizard.next()
    page = wizard.save_page
    assert wizard.currentPage() is page
    page.path.setText(str(tmp_path / "case"))
    qtbot.wait(10)
    below = page.encrypt.geometry().top()
    page.path.setFocus()
    qtbot.keyClick(page.path, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(page.path, typed)  # an exception in a slot would fail the test here
    assert (
        "folder" in page.final_name.text() or "name" in page.final_name.text()
    )  # told, under the field
    assert not page.isComplete()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    qtbot.wait(10)
    assert page.encrypt.geometry().top() == below  # nothing below the field jumped
    assert not list(tmp_path.glob("*.vrmshare*"))

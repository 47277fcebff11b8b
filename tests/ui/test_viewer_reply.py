"""The viewer's Reply… form: a vendor makes a key, types its answer and writes a signed reply that
verifies and that the customer's vault imports; refusals are shown on the form."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from share_helpers import vault_bundle
from sqlalchemy import select
from vrmshare.verify import verify_bundle

from vrmdesk.share.identity import ensure_identity
from vrmdesk.share.importer import import_reply
from vrmdesk.store import models as m
from vrmdesk.ui.viewer.reply_form import ReplyDialog
from vrmdesk.ui.viewer.window import BundleViewer


def customer_bundle(controller, tmp_path: Path) -> tuple[Path, dict[str, int]]:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        me = ensure_identity(s)
        written, ids = vault_bundle(
            s, controller.vault.header.vault_id, tmp_path / "mine.vrmshare", me.private_key
        )
    return written.path, ids


def reply_form(qtbot, path: Path) -> ReplyDialog:  # type: ignore[no-untyped-def]
    viewer = BundleViewer(path)
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitUntil(lambda: viewer.banner.state == "ok", timeout=15000)
    qtbot.mouseClick(viewer.reply_button, Qt.MouseButton.LeftButton)
    dialog = viewer.reply_dialog
    assert isinstance(dialog, ReplyDialog) and dialog.isVisible()
    return dialog


def test_a_reply_written_in_the_form_verifies_and_the_customer_imports_it(
    qtbot, controller, tmp_path, monkeypatch
):
    path, ids = customer_bundle(controller, tmp_path)
    dialog = reply_form(qtbot, path)
    key = tmp_path / "vendor.jwk"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(key), ""))
    make_key = next(b for b in dialog.findChildren(type(dialog.write_button)) if "Make" in b.text())
    qtbot.mouseClick(make_key, Qt.MouseButton.LeftButton)
    assert key.exists() and dialog.key_path.text() == str(key)
    dialog.key_box.done(0)
    qtbot.keyClicks(dialog.subject, "Re: leak")
    qtbot.keyClicks(dialog.message, "We will replace the pump.")
    qtbot.keyClicks(dialog.case_reference, "CASE-77")
    dialog.status.setCurrentIndex(dialog.status.findData("waiting_on_me"))
    dialog.warranty.setCurrentIndex(1)
    qtbot.keyClicks(dialog.valid_through, "2028-01-01")
    qtbot.mouseClick(
        next(b for b in dialog.findChildren(type(dialog.write_button)) if "correction" in b.text()),
        Qt.MouseButton.LeftButton,
    )
    qtbot.keyClicks(dialog.corrections.cellWidget(0, 1), "serialNumber")
    qtbot.keyClicks(dialog.corrections.cellWidget(0, 2), "SN-2")
    qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.written is not None or bool(dialog.error.text()), timeout=15000)
    assert dialog.written is not None, dialog.error.text()
    assert "Wrote the signed reply" in dialog.done_note.text()

    reply = verify_bundle(dialog.written.path)
    assert reply.purpose == "reply" and reply.in_reply_to == verify_bundle(path).bundle_id
    kinds = sorted(r["@type"] for r in reply.records)
    assert kinds == ["Message", "WarrantyPromise", "vrm:Correction", "vrm:SupportTicket"]
    with controller.session() as s:
        result = import_reply(s, reply, confirm_key=lambda *_: True)
    assert result.message()
    with controller.session() as s:
        ticket = s.get(m.Ticket, ids["ticket"])
        assert ticket is not None and ticket.reference == "CASE-77"
        texts = s.scalars(
            select(m.Interaction.body).where(m.Interaction.vendor_id == ids["vendor"])
        )
        assert any("replace the pump" in (t or "") for t in texts)


def test_an_empty_reply_or_no_key_is_refused_on_the_form(qtbot, controller, tmp_path):
    path, _ = customer_bundle(controller, tmp_path)
    dialog = reply_form(qtbot, path)
    qtbot.keyClicks(dialog.message, "Hello")
    qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    assert "signing key" in dialog.error.text()
    not_a_key = tmp_path / "not.jwk"
    not_a_key.write_text("{}")
    qtbot.keyClicks(dialog.key_path, str(not_a_key))
    qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=15000)
    assert "not an Ed25519 private JWK" in dialog.error.text()
    assert dialog.write_button.isEnabled() and dialog.written is None
    assert not Path(dialog.out_path.text()).exists()

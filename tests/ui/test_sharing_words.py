"""Sharing in words a person knows: the vendor's encryption key (not "age recipient"), the
preview's fields as labels, and a safety number of digits beside every fingerprint."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QLabel, QMessageBox, QWidget
from share_helpers import vault_bundle
from sqlalchemy import select
from vrmshare.identity import safety_number
from vrmshare.reply import ReplyContent, keygen, load_signing_key, write_reply
from vrmshare.verify import verify_bundle

from vrmdesk.share.identity import ensure_identity
from vrmdesk.store import models as m
from vrmdesk.ui.share.identity import IdentityDialog
from vrmdesk.ui.share.import_reply import import_reply_dialog
from vrmdesk.ui.share.wizard import ShareWizard

DIGITS = re.compile(r"\d{5}( \d{5}){11}")


def _wizard(qtbot, controller) -> ShareWizard:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        bosch = s.scalar(select(m.Vendor.id).where(m.Vendor.name == "Bosch Home Appliances"))
        dishwasher = s.scalar(select(m.Asset.id).where(m.Asset.name == "Dishwasher"))
    wizard = ShareWizard(controller, bosch, None, asset_id=dishwasher)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def _texts(widget) -> str:  # type: ignore[no-untyped-def]
    shown = [widget.title(), widget.subTitle()] if hasattr(widget, "subTitle") else []
    shown += [label.text() for label in widget.findChildren(QLabel)]
    shown += [w.text() for w in widget.findChildren(type(widget.encrypt))]
    return " ".join(shown)


def test_the_save_page_speaks_of_the_vendors_encryption_key(controller, qtbot) -> None:  # type: ignore[no-untyped-def]
    wizard = _wizard(qtbot, controller)
    page = wizard.save_page
    said = _texts(page)
    assert "encryption key" in said and "recipient" not in said.lower()
    assert page.recipient.accessibleName() == "The vendor's encryption key"
    page.encrypt.setChecked(True)
    page.recipient.setText("not a key")
    assert "encryption key" in page.problem() and "recipient" not in page.problem()


def test_the_preview_shows_labels_not_keys(controller, qtbot) -> None:  # type: ignore[no-untyped-def]
    wizard = _wizard(qtbot, controller)
    for _ in range(3):
        wizard.next()
    assert wizard.currentPage() is wizard.preview_page
    model = wizard.preview_page.model
    records = model.item(1)
    rows: set[tuple[str, str]] = set()
    for r in range(records.rowCount()):
        record = records.child(r, 0)
        for f in range(record.rowCount()):
            rows.add((record.child(f, 0).text(), record.child(f, 1).text()))
    assert ("Status", "in use") in rows  # the thing's; the manifest says vrm:status in_use
    assert "Contact 1 — type" in {label for label, _ in rows}
    assert not any(":" in label or "[" in label for label, _ in rows)
    assert "vrm:status" in {
        records.child(r, 0).child(f, 0).toolTip()
        for r in range(records.rowCount())
        for f in range(records.child(r, 0).rowCount())
    }


def test_my_key_shows_its_safety_number_beside_the_fingerprint(controller, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = IdentityDialog(controller)
    qtbot.addWidget(dialog)
    with controller.session() as s:
        me = ensure_identity(s)
    assert dialog.label.text() == me.fingerprint
    assert " ".join(dialog.number.text().split()) == safety_number(me.thumbprint)
    assert DIGITS.fullmatch(" ".join(dialog.number.text().split()))


def test_the_done_page_and_the_trust_question_show_the_safety_number(
    controller,
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    wizard = _wizard(qtbot, controller)
    for _ in range(4):
        wizard.next()
    wizard.save_page.encrypt.setChecked(False)
    wizard.save_page.path.setText(str(tmp_path / "case"))
    with qtbot.waitSignal(wizard.exported, timeout=10000):
        wizard.next()
    shown = wizard.done_page.labels["safety_number"].text()
    with controller.session() as s:
        assert " ".join(shown.split()) == ensure_identity(s).safety_number


def test_the_trust_question_shows_digits_and_names_its_buttons(
    controller,
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    with controller.session() as s:
        me = ensure_identity(s)
        written, _ = vault_bundle(
            s, controller.vault.header.vault_id, tmp_path / "mine.vrmshare", me.private_key
        )
    keygen(tmp_path / "vendor.jwk")
    reply = write_reply(
        verify_bundle(written.path),
        load_signing_key(tmp_path / "vendor.jwk"),
        ReplyContent(messages=["We will replace it."], subject="Re: leak"),
        tmp_path / "reply.vrmshare",
    ).path
    parent = QWidget()
    qtbot.addWidget(parent)
    flow = import_reply_dialog(parent, controller, reply)
    assert flow is not None
    qtbot.waitUntil(lambda: flow.key_box is not None and flow.key_box.isVisible(), timeout=10000)
    box = flow.key_box
    shown = box.informativeText().replace("<br>", " ")
    assert verify_bundle(reply).safety_number in shown
    assert sorted(b.text() for b in box.buttons()) == ["&Trust the key and import", "Cancel"]
    box.button(QMessageBox.StandardButton.No).click()
    qtbot.waitUntil(lambda: "not accepted" in (flow.last_message or ""), timeout=10000)

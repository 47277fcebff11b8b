"""The import-a-reply dialog: verify off the UI thread, confirm a first key, import, refuse."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from share_helpers import vault_bundle
from sqlalchemy import func, select
from vrmshare.reply import ReplyContent, keygen, load_signing_key, write_reply
from vrmshare.verify import verify_bundle

from vrmdesk.share.identity import ensure_identity
from vrmdesk.store import models as m
from vrmdesk.ui.share.import_reply import ReplyImport, import_reply_dialog


@pytest.fixture
def reply_file(controller, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        me = ensure_identity(s)
        written, _ = vault_bundle(
            s, controller.vault.header.vault_id, tmp_path / "mine.vrmshare", me.private_key
        )
    keygen(tmp_path / "vendor.jwk")
    original = verify_bundle(written.path)
    return write_reply(
        original,
        load_signing_key(tmp_path / "vendor.jwk"),
        ReplyContent(
            messages=["We will replace it."], subject="Re: leak", case_reference="CASE-77"
        ),
        tmp_path / "reply.vrmshare",
    ).path


@pytest.fixture
def window(qtbot) -> QWidget:  # type: ignore[no-untyped-def]
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def run_flow(qtbot, flow: ReplyImport, answer: QMessageBox.StandardButton | None = None):  # type: ignore[no-untyped-def]
    results: list[object] = []
    flow.finished.connect(results.append)
    if answer is not None:
        qtbot.waitUntil(
            lambda: flow.key_box is not None and flow.key_box.isVisible(), timeout=10000
        )
        flow.key_box.button(answer).click()
    qtbot.waitUntil(lambda: bool(results), timeout=10000)
    return results[0]


def interactions(controller) -> int:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return s.scalar(select(func.count()).select_from(m.Interaction))


def test_first_contact_is_confirmed_then_imported(
    qtbot, controller, window, reply_file: Path
) -> None:  # type: ignore[no-untyped-def]
    changed: list[set[str]] = []
    controller.changed.connect(changed.append)
    before = interactions(controller)
    flow = import_reply_dialog(window, controller, reply_file)
    assert flow is not None
    result = run_flow(qtbot, flow, QMessageBox.StandardButton.Yes)
    assert "Acme Appliances" in flow.key_box.text()
    shown = flow.key_box.informativeText().replace("<br>", " ")
    assert verify_bundle(reply_file).fingerprint in shown
    assert result.counts["messages"] == 1
    assert {"interaction", "ticket", "vendor"} <= changed[-1]
    assert interactions(controller) == before + 1
    assert "Imported the reply from Acme Appliances" in flow.last_message
    with controller.session() as s:
        assert s.scalar(select(m.Ticket).where(m.Ticket.reference == "CASE-77")) is not None
    # again: already imported, no question, nothing changes
    again = import_reply_dialog(window, controller, reply_file)
    assert run_flow(qtbot, again) is None
    assert again.key_box is None and "imported before" in again.last_message
    assert interactions(controller) == before + 1


def test_declining_the_key_imports_nothing(qtbot, controller, window, reply_file: Path) -> None:  # type: ignore[no-untyped-def]
    before = interactions(controller)
    flow = import_reply_dialog(window, controller, reply_file)
    assert run_flow(qtbot, flow, QMessageBox.StandardButton.No) is None
    assert "not accepted" in flow.last_message
    assert interactions(controller) == before
    with controller.session() as s:
        assert s.scalar(select(func.count()).select_from(m.VendorKey)) == 0


def test_looking_at_a_reply_before_importing_it_writes_nothing(
    controller, reply_file: Path
) -> None:  # type: ignore[no-untyped-def]
    from vrmdesk.share.reply_preview import preview_reply

    verified = verify_bundle(reply_file)
    with controller.session() as s:
        s.add(m.Meta(key="staged-by-the-caller", value="x"))  # whatever the session holds
        check = preview_reply(s, verified)
    assert check.first_contact and not check.already_imported
    assert check.vendor_name == "Acme Appliances" and check.fingerprint == verified.fingerprint
    with controller.session() as s:
        assert s.get(m.Meta, "staged-by-the-caller") is None
        assert s.scalar(select(func.count()).select_from(m.VendorKey)) == 0
        assert preview_reply(s, verified).first_contact  # still: nothing was pinned


def test_a_damaged_file_is_refused_with_a_message(
    qtbot, controller, window, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.vrmshare"
    bad.write_bytes(b"PK\x03\x04 not really")
    flow = import_reply_dialog(window, controller, bad)
    error = run_flow(qtbot, flow)
    assert isinstance(error, Exception)
    assert flow.last_message.startswith("Nothing was imported.") and "ZIP" in flow.last_message
    assert flow.message_box is not None and flow.message_box.icon() == QMessageBox.Icon.Warning


def test_the_chooser_can_be_cancelled(qtbot, controller, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    assert import_reply_dialog(window, controller) is None


def test_no_qt_in_the_share_core() -> None:
    import subprocess
    import sys

    code = (
        "import sys, vrmshare.verify, vrmshare.reply, vrmdesk.share.importer, "
        "vrmdesk.cli.share; assert not any(n.startswith('PySide6') for n in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

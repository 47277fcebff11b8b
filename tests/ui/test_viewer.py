"""The bundle viewer (the vendor's side, no vault): a verified bundle shown in words, a red state
with the verifier's reason for a forged, damaged or malformed one, an encrypted one opened with
an age identity, its files opened and saved."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyrage import x25519
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog
from share_helpers import hostile_bundle, make_bundle, zip_entries
from vrmshare.format import public_jwk_of
from vrmshare.identity import display_fingerprint

from vrmdesk.ui.viewer.window import BundleViewer

KEY = Ed25519PrivateKey.generate()


def viewer_on(qtbot, path: Path, **kwargs) -> BundleViewer:  # type: ignore[no-untyped-def]
    viewer = BundleViewer(path, **kwargs)
    qtbot.addWidget(viewer)
    viewer.show()
    return viewer


def settled(qtbot, viewer: BundleViewer) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: viewer.banner.state in ("ok", "failed", "ask"), timeout=15000)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return make_bundle(tmp_path / "claim.vrmshare", KEY).path


def test_a_good_bundle_shows_sender_key_terms_records_and_files(qtbot, good: Path):
    viewer = viewer_on(qtbot, good)
    settled(qtbot, viewer)
    assert viewer.banner.state == "ok" and "Verified" in viewer.banner.text()
    labels = {k: v.text() for k, v in viewer.labels.items()}
    assert labels["sender"] == "Alex Customer"
    assert labels["fingerprint"] == display_fingerprint(public_jwk_of(KEY)["kid"])
    digits = labels["safety"].replace(" ", "")
    assert digits.isdigit() and len(digits) == 60
    terms = " | ".join(labels[k] for k in labels if k.startswith("terms"))
    assert "Warranty claim" in terms and "Dishwasher leaks" in terms
    assert "Not allowed" in terms and "90 days" in terms
    groups = {
        viewer.records.topLevelItem(i).text(0) for i in range(viewer.records.topLevelItemCount())
    }
    assert {"Vendors (1)", "Things (1)", "Warranties (1)", "Tickets (1)"} <= groups
    things = next(
        viewer.records.topLevelItem(i)
        for i in range(viewer.records.topLevelItemCount())
        if viewer.records.topLevelItem(i).text(0).startswith("Things")
    )
    dishwasher = things.child(0)
    assert dishwasher.text(0) == "Dishwasher"
    fields = {dishwasher.child(i).text(0): dishwasher.child(i).text(1) for i in range(3)}
    assert fields["Maker"] == "Acme Appliances"  # the reference shown by the record's name
    names = [viewer.files.topLevelItem(i).text(0) for i in range(viewer.files.topLevelItemCount())]
    assert "receipt.txt" in names
    assert viewer.reply_button.isEnabled()


def test_a_file_is_saved_and_opened_after_its_hash_is_checked(qtbot, good, tmp_path, monkeypatch):
    viewer = viewer_on(qtbot, good)
    settled(qtbot, viewer)
    receipt = next(
        viewer.files.topLevelItem(i)
        for i in range(viewer.files.topLevelItemCount())
        if viewer.files.topLevelItem(i).text(0) == "receipt.txt"
    )
    viewer.files.setCurrentItem(receipt)
    target = tmp_path / "saved.txt"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(viewer.save_button, Qt.MouseButton.LeftButton)
    assert target.read_bytes() == b"Receipt 42\n"
    assert "Saved" in viewer.file_note.text()
    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True
    )
    qtbot.mouseClick(viewer.open_button, Qt.MouseButton.LeftButton)
    assert len(opened) == 1 and Path(opened[0]).read_bytes() == b"Receipt 42\n"
    viewer.close()
    assert not Path(opened[0]).exists()  # the window's copies go with it


def _rewritten(source: Path, out: Path, change) -> Path:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(source) as zf:
        entries = [(n, zf.read(n)) for n in zf.namelist()]
    return zip_entries(out, [(n, change(n, data)) for n, data in entries])


def test_a_forged_signature_is_red_with_the_reason(qtbot, good, tmp_path):
    forged = _rewritten(
        good,
        tmp_path / "forged.vrmshare",
        lambda name, data: (
            data.replace(b"Alex Customer", b"Alex Customez") if name == "manifest.json" else data
        ),
    )
    viewer = viewer_on(qtbot, forged)
    settled(qtbot, viewer)
    assert viewer.banner.state == "failed"
    assert "signature" in viewer.failure.lower()
    assert viewer.failure in viewer.banner.text() and "Traceback" not in viewer.banner.text()
    assert not viewer.details.isVisible() and not viewer.reply_button.isEnabled()


def test_a_changed_file_is_red(qtbot, good, tmp_path):
    changed = _rewritten(
        good,
        tmp_path / "changed.vrmshare",
        lambda name, data: b"Receipt 43\n" if name.endswith("receipt.txt") else data,
    )
    viewer = viewer_on(qtbot, changed)
    settled(qtbot, viewer)
    assert viewer.banner.state == "failed" and "SHA-256" in viewer.failure


def test_a_damaged_zip_is_red(qtbot, good, tmp_path):
    damaged = tmp_path / "damaged.vrmshare"
    damaged.write_bytes(good.read_bytes()[:-40])
    viewer = viewer_on(qtbot, damaged)
    settled(qtbot, viewer)
    assert viewer.banner.state == "failed" and viewer.failure
    assert "Traceback" not in viewer.banner.text()


def test_a_manifest_against_the_schema_is_red(qtbot, tmp_path):
    wrong = hostile_bundle(tmp_path / "wrong.vrmshare", KEY, lambda m: m.pop("terms"))
    viewer = viewer_on(qtbot, wrong)
    settled(qtbot, viewer)
    assert viewer.banner.state == "failed"
    assert "terms" in viewer.failure


def test_an_encrypted_bundle_asks_for_the_age_identity(qtbot, tmp_path, monkeypatch):
    me = x25519.Identity.generate()
    path = make_bundle(tmp_path / "secret.vrmshare.age", KEY, encrypt_to=str(me.to_public())).path
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(str(x25519.Identity.generate()) + "\n")
    right = tmp_path / "me.txt"
    right.write_text(f"# mine\n{me}\n")
    viewer = viewer_on(qtbot, path)
    assert viewer.banner.state == "ask" and viewer.identity_button.isVisible()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(wrong), ""))
    qtbot.mouseClick(viewer.identity_button, Qt.MouseButton.LeftButton)
    settled(qtbot, viewer)
    assert viewer.banner.state == "failed" and "not encrypted to" in viewer.failure
    assert viewer.identity_button.isVisible()  # another one can be tried
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(right), ""))
    qtbot.mouseClick(viewer.identity_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: viewer.banner.state == "ok", timeout=15000)
    assert "encrypted to you" in viewer.banner.text()


def test_file_open_a_bundle_opens_the_viewer_also_while_locked(
    qtbot, controller, good, monkeypatch
):
    from vrmdesk.ui.app.main_window import MainWindow
    from vrmdesk.ui.core.preferences import Preferences

    window = MainWindow(controller, Preferences())
    qtbot.addWidget(window)
    window.show()
    action = window.commands.open_bundle
    file_menu = window.menuBar().actions()[0].menu()
    assert action in file_menu.actions()
    controller.lock()
    window.commands.set_locked(True)
    assert action.isEnabled()  # the viewer needs no vault
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(good), ""))
    action.trigger()
    assert len(window.viewers) == 1
    viewer = window.viewers[0]
    assert isinstance(viewer, BundleViewer)
    qtbot.waitUntil(lambda: viewer.banner.state == "ok", timeout=15000)
    viewer.close()
    qtbot.waitUntil(lambda: window.viewers == [])


VIEWER_CHILD = r"""
import sys, time
from pathlib import Path
from vrmdesk.ui.app.application import make_app
from vrmdesk.ui.viewer.window import open_viewer
app = make_app()
viewer = open_viewer(Path(sys.argv[1]))
while viewer.banner.state not in ("ok", "failed"):
    app.processEvents()
    time.sleep(0.01)
viewer.open_reply_form()
app.processEvents()
tops = {m.split(".")[0] for m in sys.modules}
print(viewer.banner.state, sorted(tops & {"sqlalchemy", "sqlcipher3", "alembic"}), flush=True)
"""


def test_the_viewer_and_its_reply_form_load_no_database_library(good: Path, tmp_path: Path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", VIEWER_CHILD, str(good)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.stdout.strip() == "ok []", result.stdout + result.stderr

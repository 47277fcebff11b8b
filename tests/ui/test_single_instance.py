"""One running instance per vault folder: a later start hands over to the running one (its window
comes forward, a bundle given is opened) instead of being told the vault is in use."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtCore import QThread
from PySide6.QtNetwork import QLocalServer
from PySide6.QtWidgets import QApplication
from share_helpers import make_bundle
from ui_helpers import unlock_with, when_modal

from vrmdesk.ui.app.instance import InstanceServer, parse_message, send_to_running, server_name


@pytest.fixture
def name(tmp_path: Path) -> str:
    return server_name(tmp_path / "vault")


class _Sender(QThread):
    def __init__(self, name: str, message: dict) -> None:
        super().__init__()
        self.name, self.message = name, message
        self.answer: bool | None = None

    def run(self) -> None:
        self.answer = send_to_running(self.name, self.message)


def send_in_thread(qtbot, name: str, message: dict) -> bool:  # type: ignore[no-untyped-def]
    """The second instance's side, on a thread of its own (it waits for the answer, which
    the server gives from this thread's event loop)."""
    sender = _Sender(name, message)
    sender.start()
    qtbot.waitUntil(sender.isFinished, timeout=15000)
    sender.wait()
    assert sender.answer is not None
    return sender.answer


def test_the_name_is_per_user_and_per_folder(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert server_name(a) == server_name(tmp_path / "x" / ".." / "a")
    assert server_name(a) != server_name(b)
    assert len(server_name(a)) < 80


def test_a_second_start_hands_its_file_to_the_running_one(qtbot, name: str):
    server = InstanceServer(name)
    assert server.listen()
    received: list[dict] = []
    server.message.connect(received.append)
    try:
        assert send_in_thread(qtbot, name, {"open": ["/tmp/a.vrmshare"]})
        qtbot.waitUntil(lambda: len(received) == 1)
        assert send_in_thread(qtbot, name, {"raise": True})
        qtbot.waitUntil(lambda: len(received) == 2)
        assert received == [{"open": ["/tmp/a.vrmshare"]}, {"raise": True}]
        # a second server on the same name sees the first and does not take over
        other = InstanceServer(name)
        assert not other.listen()
    finally:
        server.close()
    assert not send_in_thread(qtbot, name, {"raise": True})  # nobody listens any more


def test_nonsense_is_refused_and_not_acted_on(qtbot, name: str):
    server = InstanceServer(name)
    assert server.listen()
    received: list[dict] = []
    server.message.connect(received.append)
    try:
        assert not send_in_thread(qtbot, name, {"open": "not a list"})
        assert not send_in_thread(qtbot, name, {"run": ["rm"]})
    finally:
        server.close()
    assert received == []
    assert parse_message(b"\xff") is None and parse_message(b"[1]") is None
    assert parse_message(b'{"raise": true}') == {"raise": True}


def test_a_socket_left_by_a_crash_is_taken_over(qtbot, name: str):
    probe = QLocalServer()
    assert probe.listen(name)
    path = probe.fullServerName()
    probe.close()
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)  # a socket file nobody accepts on: what a killed instance leaves
    stale.close()
    assert os.path.exists(path)
    assert not send_in_thread(qtbot, name, {"raise": True})  # a start finds no instance there
    server = InstanceServer(name)
    try:
        assert server.listen()
        received: list[dict] = []
        server.message.connect(received.append)
        assert send_in_thread(qtbot, name, {"raise": True})
        qtbot.waitUntil(lambda: received == [{"raise": True}])
    finally:
        server.close()


def test_a_real_second_vrmdesk_process_hands_over_its_bundle(qtbot, tmp_path: Path):
    folder = tmp_path / "vault"
    bundle = make_bundle(tmp_path / "claim.vrmshare", Ed25519PrivateKey.generate()).path
    server = InstanceServer(server_name(folder))
    assert server.listen()
    received: list[dict] = []
    server.message.connect(received.append)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "vrmdesk", "--vault", str(folder), str(bundle)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        qtbot.waitUntil(lambda: process.poll() is not None, timeout=60000)
        _out, err = process.communicate()
        assert process.returncode == 0, err.decode()
        assert received == [{"open": [str(bundle.resolve())]}]
        assert not folder.exists()  # it never touched the vault (nor made one)
    finally:
        server.close()
    assert QApplication.instance() is not None


# -- the running application acts on a handover ------------------------------------------------
PASS = "right one"


@pytest.fixture
def running(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    from vault_templates import demo_folder

    from vrmdesk.ui.app.application import Application

    folder = demo_folder(tmp_path / "v", PASS)
    application = Application(QApplication.instance(), folder)  # type: ignore[arg-type]
    assert application.listen(server_name(folder))
    when_modal(unlock_with(qtbot, PASS))
    assert application.start()
    qtbot.addWidget(application.window)
    yield application
    application.shutdown()
    if application.tray is not None:
        application.tray.hide()


def test_a_handed_over_bundle_opens_in_the_viewer_of_the_running_window(
    qtbot, running, tmp_path: Path
):
    from vrmdesk.ui.viewer.window import BundleViewer

    bundle = make_bundle(tmp_path / "claim.vrmshare", Ed25519PrivateKey.generate()).path
    assert send_in_thread(qtbot, server_name(running.folder), {"open": [str(bundle)]})
    qtbot.waitUntil(lambda: len(running.window.viewers) == 1, timeout=10000)
    viewer = running.window.viewers[0]
    assert isinstance(viewer, BundleViewer) and viewer.path == bundle
    qtbot.waitUntil(lambda: viewer.banner.state == "ok", timeout=15000)
    viewer.close()


def test_a_start_while_locked_brings_the_unlock_dialog(qtbot, running):
    running.controller.lock()
    assert not running.controller.is_open
    when_modal(unlock_with(qtbot, PASS))
    assert send_in_thread(qtbot, server_name(running.folder), {"raise": True})
    qtbot.waitUntil(lambda: running.controller.is_open, timeout=15000)
    assert running.window.isVisible()


def test_a_handed_over_reply_goes_to_the_import(qtbot, running, tmp_path: Path):
    from PySide6.QtWidgets import QMessageBox
    from share_helpers import vault_reply
    from sqlalchemy import select

    from vrmdesk.store import models as m

    controller = running.controller
    with controller.session() as s:
        reply = vault_reply(
            s,
            controller.vault.header.vault_id,
            tmp_path,
            messages=["Replaced."],
            case_reference="CASE-88",
        )
    assert send_in_thread(qtbot, server_name(running.folder), {"open": [str(reply)]})
    qtbot.waitUntil(lambda: running.window.reply_import is not None, timeout=10000)
    flow = running.window.reply_import
    qtbot.waitUntil(lambda: flow.key_box is not None and flow.key_box.isVisible(), timeout=15000)
    flow.key_box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(
        lambda: "Imported" in flow.last_message or "imported" in flow.last_message, timeout=15000
    )
    with controller.session() as s:
        assert s.scalar(select(m.Ticket).where(m.Ticket.reference == "CASE-88")) is not None
    assert running.window.viewers == []  # a reply to me is not opened in the viewer


# -- vrmdesk FILE with no instance running ------------------------------------------------------
def test_a_bundle_with_no_instance_running_opens_the_viewer_alone(
    qtbot, tmp_path: Path, monkeypatch, private_settings
):
    from vrmdesk.ui.app import application
    from vrmdesk.ui.viewer.window import BundleViewer

    bundle = make_bundle(tmp_path / "claim.vrmshare", Ed25519PrivateKey.generate()).path
    monkeypatch.setattr(QApplication, "exec", lambda self: 0)
    folder = tmp_path / "no-vault-here"
    assert application.run(folder, bundle) == 0
    viewers = [w for w in QApplication.topLevelWidgets() if isinstance(w, BundleViewer)]
    assert [v.path for v in viewers] == [bundle]
    assert not any(w.isVisible() and w.inherits("QDialog") for w in QApplication.topLevelWidgets())
    qtbot.waitUntil(lambda: viewers[0].banner.state == "ok", timeout=15000)
    viewers[0].close()
    assert not folder.exists()  # no vault was asked for, nor made


def test_a_reply_with_no_instance_running_unlocks_then_imports(
    qtbot, tmp_path: Path, monkeypatch, private_settings
):
    from share_helpers import vault_reply

    from vrmdesk.store import keys
    from vrmdesk.store.vault import Vault
    from vrmdesk.ui.app import application

    folder = tmp_path / "v"
    vault, _ = Vault.create(folder, PASS, kdf=keys.fast_params_for_tests())
    with vault, vault.session() as s:
        reply = vault_reply(
            s, vault.header.vault_id, tmp_path, messages=["Replaced."], case_reference="CASE-99"
        )
    started: list[application.Application] = []
    real_start = application.Application.start
    monkeypatch.setattr(
        application.Application,
        "start",
        lambda self: started.append(self) or real_start(self),
    )
    monkeypatch.setattr(QApplication, "exec", lambda self: 0)
    when_modal(unlock_with(qtbot, PASS))  # the unlock dialog comes first
    assert application.run(folder, reply) == 0
    app = started[0]
    try:
        qtbot.addWidget(app.window)
        qtbot.waitUntil(lambda: app.window.reply_import is not None, timeout=10000)
        assert app.window.viewers == []
    finally:
        app.shutdown()
        if app.tray is not None:
            app.tray.hide()

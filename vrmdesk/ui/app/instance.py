"""One running instance per vault folder: a second ``vrmdesk`` hands over to the first.

The running application listens on a local socket (QLocalServer) named per user and per vault
folder (a hash of the folder's resolved path). A second start connects FIRST, before it looks at
the vault's lock, and sends one line of JSON: ``{"raise": true}`` (bring the window forward) or
``{"open": [paths]}`` (open these bundles); the first answers ``ok`` and acts. A socket left by a
crashed instance (nobody answers on it) is removed and taken over.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

CONNECT_MS = 1500
ANSWER_MS = 3000
SLICE_MS = 20
MAX_MESSAGE = 64 * 1024


def server_name(folder: Path) -> str:
    """The socket's name for this user and this vault folder."""
    try:
        user = getpass.getuser()
    except Exception:  # no name for the uid (a container): the hash still tells users apart
        user = "user"
    digest = hashlib.sha256(str(Path(folder).expanduser().resolve()).encode()).hexdigest()[:20]
    safe = "".join(c for c in user if c.isalnum())[:32] or "user"
    return f"vrmdesk-{safe}-{digest}"


def parse_message(data: bytes) -> dict[str, Any] | None:
    """A handover message, or None if it is not one: {"raise": true} or {"open": [str, …]}."""
    try:
        message = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(message, dict):
        return None
    if message.get("raise") is True and set(message) == {"raise"}:
        return {"raise": True}
    paths = message.get("open")
    if (
        set(message) == {"open"}
        and isinstance(paths, list)
        and paths
        and all(isinstance(p, str) and p for p in paths)
    ):
        return {"open": list(paths)}
    return None


def send_to_running(name: str, message: dict[str, Any]) -> bool:
    """Hand ``message`` to the instance listening on ``name``; False when none answers."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return False
    socket.write((json.dumps(message) + "\n").encode("utf-8"))
    if not socket.waitForBytesWritten(ANSWER_MS):
        socket.abort()
        return False
    answer = b""
    # in short waits: a wait holds Python's lock, which a server in this process (a test) needs
    deadline = time.monotonic() + ANSWER_MS / 1000
    while b"\n" not in answer and time.monotonic() < deadline:
        if socket.waitForReadyRead(SLICE_MS) or socket.bytesAvailable():
            answer += bytes(socket.readAll().data())
        elif socket.state() != QLocalSocket.LocalSocketState.ConnectedState:
            break
    socket.disconnectFromServer()
    return answer.strip() == b"ok"


class InstanceServer(QObject):
    """Listens for later starts; ``message`` carries each handover (as :func:`parse_message`)."""

    message = Signal(dict)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Listen; a stale socket (its instance gone) is removed first. False if another
        instance answers on the name (then this one should hand over instead).

        The name is probed first: with its socket options set, Qt would replace a live
        instance's socket file rather than refuse it."""
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        if probe.waitForConnected(CONNECT_MS):
            probe.abort()
            return False
        if self.server.listen(self.name):
            return True
        QLocalServer.removeServer(self.name)  # left behind by a crash
        return self.server.listen(self.name)

    def close(self) -> None:
        self.server.close()

    # Slots are bound methods, which Qt drops with the object; a lambda holding ``self`` would
    # keep it in a cycle that Python's collector ends at a random moment (inside Qt's events).
    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            if socket is None:
                break
            self._buffers[socket] = b""
            socket.readyRead.connect(self._ready)
            socket.disconnected.connect(self._gone)
            if socket.bytesAvailable():  # what came with the connection: no readyRead for it
                self._read(socket)

    def _ready(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read(socket)

    def _gone(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._buffers.pop(socket, None)
            socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_MESSAGE:
                socket.abort()
            else:
                self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0]
        message = parse_message(line)
        socket.write(b"ok\n" if message is not None else b"refused\n")
        socket.flush()
        socket.disconnectFromServer()
        if message is not None:
            self.message.emit(message)

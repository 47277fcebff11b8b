"""Two real Syncthing instances on loopback sharing one folder, for the tests of sync (issue 15).

Each instance has a home of its own (keys, ``config.xml``, database, log) in a throwaway folder;
its GUI/REST API and its sync protocol listen on free ports of 127.0.0.1 only. The two know each
other's device ID with a ``tcp://127.0.0.1:PORT`` address, so nothing is discovered: global and
local discovery, relays, NAT traversal (UPnP/NAT-PMP), STUN, usage reporting, crash reporting
and upgrade checks are all off, and the instances never wait on a network this machine lacks.
The configuration is written into ``config.xml`` before the first start (``syncthing generate``
makes the keys and the file; :func:`configure` edits it), so there is no set-up race over REST.

One folder (id ``vrmsync``, type sendreceive, rescan every 5 s, file watcher on with a 1 s
delay) is shared; :meth:`SyncthingPair.wait_synced` scans both sides and waits until both are
idle, need nothing, see the other as complete and stay so, or fails with what each side reports.

Use it through the ``syncthing_pair`` fixture (tests/conftest.py; one pair per test module) or,
outside pytest, ``with running_pair() as pair:``. ``syncthing serve`` is a monitor process and
the Syncthing it starts; both are stopped together (SIGTERM to the process group, then SIGKILL)
and everything is removed afterwards. :func:`inet_sockets` lists what the group has open, for
the test that nothing but loopback is used.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from processes import end_group, free_port

FOLDER_ID = "vrmsync"
RESCAN_INTERVAL_S = 5
WATCHER_DELAY_S = 1
START_TIMEOUT_S = 30.0
SYNC_TIMEOUT_S = 60.0

#: what Syncthing itself may keep at the top of a shared folder: the folder marker, an ignore
#: file, old versions (its temporary files: :func:`is_syncthing_temporary`)
SYNCTHING_OWN = (".stfolder", ".stignore", ".stversions")


class SyncthingError(RuntimeError):
    """The harness could not start, configure or settle the instances; says what each reports."""


def find_syncthing() -> str | None:
    return shutil.which("syncthing")


def is_syncthing_temporary(name: str) -> bool:
    """A name Syncthing gives a file it is still receiving (never a finished file)."""
    return name.startswith((".syncthing.", "~syncthing~")) and name.endswith(".tmp")


def visible_files(folder: Path) -> dict[str, bytes]:
    """Every regular file under ``folder`` (relative POSIX path -> bytes), without Syncthing's
    own marker, temporary and ignore files."""
    found: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if rel.parts[0] in SYNCTHING_OWN or is_syncthing_temporary(path.name):
            continue
        with contextlib.suppress(FileNotFoundError):  # renamed or deleted meanwhile
            if path.is_file():
                found[rel.as_posix()] = path.read_bytes()
    return found


def _address(hex_address: str) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int]:
    """An address of /proc/net/tcp and the like: host bytes in 32-bit little-endian words."""
    host, port = hex_address.split(":")
    raw = bytes.fromhex(host)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return ipaddress.ip_address(words), int(port, 16)


def group_members(group: int) -> list[int]:
    """The processes of a process group (``syncthing serve`` is a monitor and its child)."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                # after the command's closing parenthesis: state, parent, group
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == group:
                    members.append(int(entry.name))
    return members


def inet_sockets(group: int) -> list[tuple[str, str, str]]:
    """Every TCP and UDP socket that a process of the process group ``group`` holds open:
    (protocol, local address, remote address)."""
    inodes = set()
    members = group_members(group)
    for pid in members:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[len("socket:[") : -1])
    pid = members[0] if members else group
    found = []
    for protocol in ("tcp", "tcp6", "udp", "udp6"):
        table = Path(f"/proc/{pid}/net/{protocol}")
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                (lhost, lport), (rhost, rport) = _address(fields[1]), _address(fields[2])
                found.append((protocol, f"{lhost}:{lport}", f"{rhost}:{rport}"))
    return found


def _set(parent: ET.Element, tag: str, value: str) -> None:
    node = parent.find(tag)
    if node is None:
        node = ET.SubElement(parent, tag)
    node.text = value


@dataclass
class Instance:
    """One Syncthing: its home, its shared folder, its ports and, once started, its process."""

    name: str
    home: Path
    folder: Path
    binary: str
    gui_port: int = field(default_factory=free_port)
    listen_port: int = field(default_factory=free_port)
    api_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    device_id: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.listen_port}"

    @property
    def log(self) -> Path:
        return self.home / "syncthing.log"

    def generate(self) -> None:
        """Keys and a fresh ``config.xml`` (no default folder); reads the device ID from it."""
        done = subprocess.run(
            [self.binary, "generate", f"--home={self.home}", "--no-default-folder"],
            capture_output=True,
            text=True,
            env=self._environment(),
            timeout=60,
        )
        if done.returncode != 0:
            raise SyncthingError(f"syncthing generate failed: {done.stdout}{done.stderr}")
        own = ET.parse(self.home / "config.xml").getroot().find("device")
        if own is None:
            raise SyncthingError("syncthing generate wrote no device into config.xml")
        self.device_id = own.attrib["id"]

    def configure(self, peer: Instance) -> None:
        """Loopback only, nothing discovered or reported, the peer known by address, and the
        shared folder: written into ``config.xml`` before the first start."""
        path = self.home / "config.xml"
        tree = ET.parse(path)
        root = tree.getroot()
        own = root.find(f"device[@id='{self.device_id}']")
        gui, options = root.find("gui"), root.find("options")
        folder_defaults = root.find("defaults/folder")
        device_defaults = root.find("defaults/device")
        if None in (own, gui, options, folder_defaults, device_defaults):
            raise SyncthingError(f"unexpected config.xml from syncthing generate: {path}")
        assert own is not None and gui is not None and options is not None
        assert folder_defaults is not None and device_defaults is not None
        own.set("name", self.name)
        _set(gui, "address", f"127.0.0.1:{self.gui_port}")
        _set(gui, "apikey", self.api_key)
        gui.set("tls", "false")
        for tag, value in {
            "listenAddress": self.address,
            "globalAnnounceEnabled": "false",
            "localAnnounceEnabled": "false",
            "relaysEnabled": "false",
            "natEnabled": "false",
            "announceLANAddresses": "false",
            "stunKeepaliveStartS": "0",  # no STUN (it serves only NAT traversal)
            "urAccepted": "-1",  # usage reporting declined, and never asked
            "urSeen": "3",
            "crashReportingEnabled": "false",
            "autoUpgradeIntervalH": "0",
            "startBrowser": "false",
            "reconnectionIntervalS": "5",
            "setLowPriority": "false",
            "minHomeDiskFree": "0",  # a nearly full disk must not stop it mid-test
        }.items():
            _set(options, tag, value)
        other = ET.fromstring(ET.tostring(device_defaults))
        other.set("id", peer.device_id)
        other.set("name", peer.name)
        _set(other, "address", peer.address)
        root.insert(list(root).index(own) + 1, other)
        shared = ET.fromstring(ET.tostring(folder_defaults))
        shared.attrib.update(
            {
                "id": FOLDER_ID,
                "label": "vrmdesk sync",
                "path": str(self.folder),
                "type": "sendreceive",
                "rescanIntervalS": str(RESCAN_INTERVAL_S),
                "fsWatcherEnabled": "true",
                "fsWatcherDelayS": str(WATCHER_DELAY_S),
            }
        )
        member = ET.SubElement(shared, "device", {"id": peer.device_id, "introducedBy": ""})
        ET.SubElement(member, "encryptionPassword")
        _set(shared, "minDiskFree", "0")  # a test's small disk must not pause the folder
        root.insert(0, shared)
        tree.write(path, encoding="unicode")
        # the folder marker: without it Syncthing refuses the folder as possibly unmounted
        (self.folder / ".stfolder").mkdir(parents=True, exist_ok=True)

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ST")}
        env.update(
            HOME=str(self.home),  # nothing read from or written to the real ~/.config
            STNOUPGRADE="1",
            STNORESTART="1",
            STNODEFAULTFOLDER="1",
            all_proxy="",
            http_proxy="",
            https_proxy="",
        )
        return env

    # -- running -------------------------------------------------------------------------------
    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "serve",
                    f"--home={self.home}",
                    "--no-browser",
                    "--no-restart",
                    "--no-upgrade",
                    "--logflags=3",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self._environment(),
                start_new_session=True,
            )

    def wait_started(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise SyncthingError(
                    f"syncthing {self.name} exited at start ({self.process.returncode})\n"
                    + self.log_tail()
                )
            with contextlib.suppress(OSError, SyncthingError):
                if self.rest("GET", "/rest/system/ping").get("ping") == "pong":
                    return
            time.sleep(0.1)
        raise SyncthingError(
            f"syncthing {self.name} did not answer on its REST API\n{self.log_tail()}"
        )

    def stop(self) -> None:
        """SIGTERM to its process group, then SIGKILL after 10 s."""
        if self.process is None:
            return
        end_group(self.process)
        self.process = None

    def log_tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return f"({self.name}: no log)"
        text = self.log.read_text(errors="replace").splitlines()[-lines:]
        return f"--- syncthing {self.name} log ---\n" + "\n".join(text)

    # -- REST ----------------------------------------------------------------------------------
    def rest(self, method: str, path: str, **params: str) -> Any:
        """One call of the REST API; its JSON answer (``{}`` for an empty one)."""
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.gui_port}{path}{query}",
            method=method,
            headers={"X-API-Key": self.api_key},
        )
        # never a proxy, whatever the environment says: this is loopback
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=30) as answer:
                body = answer.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace").strip()
            raise SyncthingError(f"{self.name}: {method} {path} -> {exc.code} {detail}") from exc
        return json.loads(body) if body.strip() else {}

    def scan(self) -> None:
        """Scan the shared folder now (the call returns when the scan is done)."""
        self.rest("POST", "/rest/db/scan", folder=FOLDER_ID)

    def status(self) -> dict[str, Any]:
        result: dict[str, Any] = self.rest("GET", "/rest/db/status", folder=FOLDER_ID)
        return result

    def completion(self, peer: Instance) -> dict[str, Any]:
        """How complete ``peer`` is, as this instance knows from the peer's index."""
        result: dict[str, Any] = self.rest(
            "GET", "/rest/db/completion", folder=FOLDER_ID, device=peer.device_id
        )
        return result

    def connected_to(self, peer: Instance) -> bool:
        connections = self.rest("GET", "/rest/system/connections")["connections"]
        return bool(connections.get(peer.device_id, {}).get("connected"))

    def folder_errors(self) -> list[dict[str, Any]]:
        errors: list[dict[str, Any]] = (
            self.rest("GET", "/rest/folder/errors", folder=FOLDER_ID).get("errors") or []
        )
        return errors


@dataclass
class SyncthingPair:
    """Two instances sharing one folder: ``a`` and ``b`` are the two folders' paths."""

    first: Instance
    second: Instance
    root: Path

    @property
    def a(self) -> Path:
        return self.first.folder

    @property
    def b(self) -> Path:
        return self.second.folder

    @property
    def both(self) -> tuple[Instance, Instance]:
        return self.first, self.second

    def _describe(self) -> str:
        parts = []
        for this, other in ((self.first, self.second), (self.second, self.first)):
            try:
                st = this.status()
                done = this.completion(other)
                parts.append(
                    f"{this.name}: state {st.get('state')!r}, needs {st.get('needTotalItems')} "
                    f"item(s), {st.get('pullErrors')} pull error(s), "
                    f"global {st.get('globalFiles')} file(s) / local {st.get('localFiles')}, "
                    f"sees {other.name} {done.get('completion')}% complete "
                    f"({done.get('needItems')} item(s) needed, {done.get('remoteState')}), "
                    f"connected: {this.connected_to(other)}, errors: {this.folder_errors()}"
                )
            except (OSError, SyncthingError) as exc:
                parts.append(f"{this.name}: no answer ({exc})")
        return "\n".join([*parts, self.first.log_tail(15), self.second.log_tail(15)])

    def _settled(self) -> tuple[int, int] | None:
        """Both idle, needing nothing, each complete in the other's eyes: their sequences."""
        sequences = []
        for this, other in ((self.first, self.second), (self.second, self.first)):
            st = this.status()
            if st.get("state") != "idle" or st.get("needTotalItems") or st.get("pullErrors"):
                return None
            done = this.completion(other)
            if done.get("completion") != 100 or done.get("needItems") or done.get("needDeletes"):
                return None
            if done.get("remoteState", "valid") != "valid":
                return None
            sequences.append(int(st["sequence"]))
        first, second = (self.first.status(), self.second.status())
        for key in ("globalFiles", "globalDeleted", "globalBytes", "globalDirectories"):
            if first.get(key) != second.get(key):
                return None
        return sequences[0], sequences[1]

    def wait_connected(self, timeout: float = SYNC_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, SyncthingError):
                if self.first.connected_to(self.second) and self.second.connected_to(self.first):
                    return
            time.sleep(0.1)
        raise SyncthingError(
            f"the two Syncthing instances did not connect within {timeout:.0f} s\n"
            + self._describe()
        )

    def wait_synced(self, timeout: float = SYNC_TIMEOUT_S) -> float:
        """Scan both folders, then wait until both sides agree and a second scan finds nothing
        new (a conflict copy made while pulling is itself a change to be sent). Returns the
        seconds it took; fails after ``timeout`` with what each side reports."""
        start = time.monotonic()
        deadline = start + timeout
        self.wait_connected(timeout)
        while time.monotonic() < deadline:
            try:
                for instance in self.both:
                    instance.scan()
                before = self._settled()
                if before is not None:
                    for instance in self.both:
                        instance.scan()
                    if self._settled() == before:
                        return time.monotonic() - start
            except (OSError, SyncthingError):
                pass  # an instance busy or reconnecting: ask again
            time.sleep(0.1)
        raise SyncthingError(
            f"the shared folder was not in sync on both sides within {timeout:.0f} s\n"
            + self._describe()
        )

    def disconnect(self) -> None:
        """Pause each side's peer: both go on working alone (concurrent edits)."""
        for this, other in ((self.first, self.second), (self.second, self.first)):
            this.rest("POST", "/rest/system/pause", device=other.device_id)
        deadline = time.monotonic() + SYNC_TIMEOUT_S
        while self.first.connected_to(self.second) or self.second.connected_to(self.first):
            if time.monotonic() > deadline:
                raise SyncthingError("the two instances did not disconnect\n" + self._describe())
            time.sleep(0.05)

    def reconnect(self) -> None:
        for this, other in ((self.first, self.second), (self.second, self.first)):
            this.rest("POST", "/rest/system/resume", device=other.device_id)
        self.wait_connected()

    def clear(self) -> None:
        """Empty the shared folder on both sides (Syncthing's marker stays) and wait for it."""
        for instance in self.both:
            for path in instance.folder.iterdir():
                if path.name in SYNCTHING_OWN:
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
        self.wait_synced()

    def stop(self) -> None:
        for instance in self.both:
            instance.stop()


def start_pair(root: Path, binary: str) -> SyncthingPair:
    """Generate, configure and start two instances under ``root``; returns once both answer
    and are connected to each other."""
    first = Instance("A", root / "home-a", root / "folder-a", binary)
    second = Instance("B", root / "home-b", root / "folder-b", binary)
    pair = SyncthingPair(first, second, root)
    for instance in pair.both:
        instance.folder.mkdir(parents=True)
        instance.generate()
    first.configure(second)
    second.configure(first)
    try:
        for instance in pair.both:
            instance.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        for instance in pair.both:
            instance.wait_started(deadline)
        pair.wait_connected()
    except BaseException:
        pair.stop()
        raise
    return pair


@contextlib.contextmanager
def running_pair(binary: str | None = None) -> Iterator[SyncthingPair]:
    """Two connected instances in a throwaway folder; stopped and removed afterwards."""
    binary = binary or find_syncthing()
    if binary is None:
        raise SyncthingError("syncthing is not installed (Debian package syncthing)")
    root = Path(tempfile.mkdtemp(prefix="vrmdesk-syncthing-"))
    try:
        pair = start_pair(root, binary)
        try:
            yield pair
        finally:
            pair.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def poll(check: Callable[[], bool], timeout: float, interval: float = 0.01) -> float | None:
    """Seconds until ``check()`` held, or None after ``timeout``."""
    start = time.monotonic()
    while True:
        if check():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            return None
        time.sleep(interval)

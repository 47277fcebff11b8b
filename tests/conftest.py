"""Shared fixtures: a vault in a temporary folder, and no real keyring unless a test asks for one.

Every test runs with ``PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring`` (so nothing ever
reaches the keyring of the machine running the suite), and child processes inherit that. A test
that wants the real Secret Service requests the ``real_keyring`` fixture instead; it is skipped,
with the reason, where there is no gnome-keyring and D-Bus session bus to talk to.
"""

from __future__ import annotations

import errno
import gc
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import keyring.core
import pytest
import vault_templates

from vrmdesk.store import keystore
from vrmdesk.store.vault import Vault

if TYPE_CHECKING:
    from dovecot_server import Dovecot
    from sync_harness import SyncthingPair

PASSPHRASE = "correct horse"

FAIL_BACKEND = "keyring.backends.fail.Keyring"
NULL_BACKEND = "keyring.backends.null.Keyring"
SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"


def pytest_collection_finish(session: pytest.Session) -> None:
    """What the imports and the collection made lives until the end: frozen out of the garbage
    collector's way, so its full passes (ever more, as the session goes on) do not walk it."""
    gc.collect()
    gc.freeze()


def use_keyring_backend(monkeypatch: pytest.MonkeyPatch, backend: str) -> None:
    """Select a keyring backend the way a user would (the environment), for this test only.

    keyring picks its backend once per process, so the cached choice is dropped as well;
    monkeypatch puts both back afterwards.
    """
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", backend)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)


@pytest.fixture
def select_keyring(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Switch this test to another keyring backend, named as in PYTHON_KEYRING_BACKEND."""
    return lambda backend: use_keyring_backend(monkeypatch, backend)


@pytest.fixture(autouse=True)
def _no_real_keyring(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if "real_keyring" in request.fixturenames:
        return
    use_keyring_backend(monkeypatch, FAIL_BACKEND)


@pytest.fixture
def real_keyring(monkeypatch: pytest.MonkeyPatch) -> str:
    """The Secret Service (gnome-keyring over D-Bus) for real, or a skip that says why not.

    CI provides one: ``dbus-run-session -- sh -c 'printf pw | gnome-keyring-daemon --unlock
    --components=secrets; pytest'``.
    """
    if shutil.which("gnome-keyring-daemon") is None:
        pytest.skip("gnome-keyring-daemon is not installed (Debian package gnome-keyring)")
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.skip("no D-Bus session bus (run the suite inside dbus-run-session)")
    use_keyring_backend(monkeypatch, SECRET_SERVICE_BACKEND)
    usable, reason = keystore.availability()
    if not usable:
        pytest.skip(f"the Secret Service keyring is not usable here: {reason}")
    return reason


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    """Where the ``vault`` fixture puts its vault (the folder does not exist before)."""
    return tmp_path / "v"


@pytest.fixture
def vault_and_recovery_key(
    request: pytest.FixtureRequest, vault_dir: Path
) -> Iterator[tuple[Vault, str]]:
    """A new vault and its recovery key: a copy of a template made once per session
    (tests/vault_templates.py), holding the demo data when the test asks for ``demo_vault``."""
    with_demo = "_demo_in_the_vault" in request.fixturenames  # conftest's demo_vault asks
    vault, recovery_key = vault_templates.copy_vault(vault_dir, PASSPHRASE, with_demo=with_demo)
    try:
        yield vault, recovery_key
    finally:
        vault.close()


@pytest.fixture
def vault(vault_and_recovery_key: tuple[Vault, str]) -> Vault:
    """A new, open vault in ``vault_dir`` with passphrase ``PASSPHRASE`` (closed afterwards)."""
    return vault_and_recovery_key[0]


@pytest.fixture
def _demo_in_the_vault() -> None:
    """Asked for by ``demo_vault`` alone: the ``vault`` fixture then copies the demo template."""


@pytest.fixture
def demo_vault(vault: Vault, _demo_in_the_vault: None) -> Vault:
    """The ``vault`` fixture filled with the demo records and their receipts (``demo.build``;
    the ``vault`` fixture copies them from a template when a test asks for this one)."""
    return vault


@pytest.fixture
def bosch(vault: Vault) -> int:
    """A vendor in ``vault`` whose e-mail channel is the domain bosch.example (the mail tests)."""
    from vrmdesk.store import models as m
    from vrmdesk.store.services import records

    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Bosch")
        records.create(s, m.Channel, vendor_id=vendor.id, channel="email", value="bosch.example")
        return vendor.id


@pytest.fixture
def recovery_key(vault_and_recovery_key: tuple[Vault, str]) -> str:
    """The recovery key of the ``vault`` fixture's vault."""
    return vault_and_recovery_key[1]


def hash_tree(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``folder``: "byte for byte unchanged"."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def tree_hashes() -> Callable[[Path], dict[str, str]]:
    return hash_tree


class SmallDisk:
    """A file system of its own (tmpfs) that a test can fill up: ``fill(leave=N)``, ``free()``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.filler = root / "filler"

    def fill(self, leave: int = 0) -> None:
        """Take all the space but ``leave`` bytes (rounded to the 4 KiB blocks tmpfs counts)."""
        with self.filler.open("ab", buffering=0) as out:
            for chunk in (1024 * 1024, 4096):
                try:
                    while True:
                        out.write(b"\0" * chunk)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:  # full is what it is for; anything else fails
                        raise
        size = self.filler.stat().st_size
        os.truncate(self.filler, max(0, size - leave))

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    """A 24 MiB tmpfs mounted for this test, or a skip that says why not (mounting needs root).

    tests/test_vault_files.py also runs ``init`` under RLIMIT_FSIZE, which needs no privilege.
    """
    root = tmp_path / "disk"
    root.mkdir()
    if shutil.which("mount") is None or shutil.which("umount") is None:
        pytest.skip("no mount command here")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m,mode=0700", "tmpfs", str(root)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield SmallDisk(root)
    finally:
        if subprocess.run(["umount", str(root)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(root)], capture_output=True)


def installed(binary: str | None, reason: str, tests: str) -> str:
    """A real component's program: the test is skipped where it is missing, except in CI
    (VRMDESK_CI), where that fails."""
    if binary is None:
        if os.environ.get("VRMDESK_CI"):
            pytest.fail(f"{reason}: CI must run {tests}")
        pytest.skip(reason)
    return binary


@pytest.fixture
def server() -> Iterator[Dovecot]:
    """A throwaway Dovecot IMAP server on loopback (tests/dovecot_server.py); skipped where
    Dovecot is missing, except in CI (VRMDESK_CI), where that fails."""
    from dovecot_server import Dovecot as Server
    from dovecot_server import find_dovecot

    binary = installed(
        find_dovecot(),
        "Dovecot is not installed (Debian package dovecot-imapd; scripts/setup adds it)",
        "the IMAP tests",
    )
    # not in tmp_path: as root the mail belongs to an unprivileged user, who must get through
    folder = Path(tempfile.mkdtemp(prefix="vrmdesk-dovecot-"))
    dovecot = Server(folder, binary)
    dovecot.start()
    try:
        yield dovecot
    finally:
        dovecot.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def syncthing_pair() -> Iterator[SyncthingPair]:
    """Two real Syncthing instances on loopback sharing one folder (tests/sync_harness.py): the
    folders are ``.a`` and ``.b``, ``.wait_synced()`` waits until both agree. One pair per test
    module (it starts in about 2 s); skipped where Syncthing is missing, except in CI
    (VRMDESK_CI), where that fails."""
    from sync_harness import find_syncthing, running_pair

    binary = installed(
        find_syncthing(),
        "Syncthing is not installed (Debian package syncthing; scripts/setup adds it)",
        "the Syncthing tests",
    )
    with running_pair(binary) as pair:
        yield pair

"""The files of a vault: private to this user, never written by a reader, and nothing left behind
by a process that was killed or a disk that filled up."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from vrmdesk.store import backup, keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault

PASSPHRASE = "correct horse"  # the conftest's vault fixture uses it


def loose_modes(folder: Path) -> list[str]:
    """Every file under ``folder`` (the folder itself included) that is not 0600 / 0700."""
    wrong = []
    for path in [folder, *sorted(folder.rglob("*"))]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        want = 0o700 if path.is_dir() else 0o600
        if mode != want:
            wrong.append(f"{path.relative_to(folder.parent)} {mode:o}")
    return wrong


@pytest.fixture
def loose_umask():
    """The common default: new files 0644, new folders 0755, unless the code says otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def use_the_vault(vault: Vault) -> None:
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Bosch")
        vault.attachments.add(s, vendor, io.BytesIO(b"a receipt" * 1000), name="receipt.txt")
    with vault.session() as s:
        records.create(s, m.Vendor, name="Miele")


def test_everything_a_vault_writes_is_private_to_this_user(loose_umask, tmp_path):
    folder = tmp_path / "v"
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=keys.fast_params_for_tests())
    assert loose_modes(folder) == []
    use_the_vault(vault)
    assert (folder / "vault.db-wal").exists()  # while open, with the write-ahead log in use
    assert loose_modes(folder) == []
    taken = backup.make_backup(vault, reason="manual")
    assert loose_modes(folder) == []
    vault.close()
    assert loose_modes(folder) == []
    backup.restore(folder, taken.path, passphrase=PASSPHRASE)
    assert len(backup.list_backups(folder)) == 2
    assert loose_modes(folder) == []
    with Vault.open(folder, PASSPHRASE, readonly=True) as reader:
        with reader.session() as s:
            assert len(records.list_records(s, m.Vendor)) == 2
        assert loose_modes(folder) == []
    assert loose_modes(folder) == []


def test_the_command_line_makes_a_private_vault_under_a_loose_umask(tmp_path):
    folder = tmp_path / "v"
    script = (
        "import os, sys; os.umask(0o022)\n"
        "from vrmdesk.store import keys; keys.calibrate = keys.fast_params_for_tests\n"
        "from vrmdesk import cli\n"
        "sys.exit(cli.main(sys.argv[1:]))\n"
    )
    env = {**os.environ, "VRMDESK_PASSPHRASE": PASSPHRASE}
    for argv in (["demo"], ["backup"], ["info"]):
        done = subprocess.run(
            [sys.executable, "-c", script, "--vault", str(folder), *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert loose_modes(folder) == [], argv


def test_opening_for_writing_makes_an_older_vaults_files_private(vault, vault_dir):
    use_the_vault(vault)
    backup.make_backup(vault)
    vault.close()
    for path in [vault_dir, *vault_dir.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    Vault.open(vault_dir, PASSPHRASE).close()
    assert loose_modes(vault_dir) == []


# -- a reader never writes -------------------------------------------------------------------------
def _cli(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VRMDESK_PASSPHRASE": PASSPHRASE}
    return subprocess.run(
        [sys.executable, "-m", "vrmdesk.cli", "--vault", str(folder), *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("command", [["info"], ["list", "vendors"], ["check"]])
def test_a_reader_leaves_an_emptied_database_as_it_is(vault, vault_dir, tree_hashes, command):
    use_the_vault(vault)
    vault.close()
    (vault_dir / "vault.db").write_bytes(b"")
    before = tree_hashes(vault_dir)
    result = _cli(vault_dir, *command)
    assert result.returncode == 1, result.stderr
    assert "vault.db is damaged" in result.stderr and "vrmdesk restore" in result.stderr
    assert "Traceback" not in result.stderr
    assert (vault_dir / "vault.db").stat().st_size == 0
    assert tree_hashes(vault_dir) == before


def test_a_reader_does_not_turn_a_rollback_journal_database_into_wal(vault, vault_dir):
    """A backup put in place by hand is in rollback-journal mode; reading it changes no byte."""
    use_the_vault(vault)
    taken = backup.make_backup(vault)
    vault.close()
    (vault_dir / "vault.db").write_bytes(taken.path.read_bytes())
    before = (vault_dir / "vault.db").read_bytes()
    with Vault.open(vault_dir, PASSPHRASE, readonly=True) as reader, reader.session() as s:
        assert len(records.list_records(s, m.Vendor)) == 2
    result = _cli(vault_dir, "info")
    assert result.returncode == 0, result.stderr
    assert (vault_dir / "vault.db").read_bytes() == before


# -- a full disk ----------------------------------------------------------------------------------
FAST_CLI = (
    "import resource, sys\n"
    "from vrmdesk.store import keys; keys.calibrate = keys.fast_params_for_tests\n"
    "if len(sys.argv) > 1 and sys.argv[1].startswith('--fsize='):\n"
    "    limit = int(sys.argv.pop(1).split('=')[1])\n"
    "    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))\n"
    "from vrmdesk import cli\n"
    "sys.exit(cli.main(sys.argv[1:]))\n"
)


def fast_cli(*argv: str) -> subprocess.CompletedProcess[str]:
    """The command line with the tests' fast key derivation (and ``--fsize=N`` as RLIMIT_FSIZE)."""
    env = {**os.environ, "VRMDESK_PASSPHRASE": PASSPHRASE}
    return subprocess.run(
        [sys.executable, "-c", FAST_CLI, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def assert_disk_full(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stderr.startswith("vrmdesk: The disk is full"), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "damaged" not in result.stderr


@pytest.mark.parametrize("leave", [0, 8 * 1024, 64 * 1024, 200 * 1024, 320 * 1024])
@pytest.mark.parametrize("folder_existed", [False, True], ids=["new-folder", "empty-folder"])
def test_init_on_a_full_disk_says_so_and_leaves_nothing_half_made(
    small_disk, leave, folder_existed
):
    folder = small_disk.root / "v"
    if folder_existed:
        folder.mkdir()
    small_disk.fill(leave=leave)
    assert_disk_full(fast_cli("--vault", str(folder), "init"))
    if folder_existed:
        assert list(folder.iterdir()) == []
    else:
        assert not folder.exists()
    small_disk.free()
    result = fast_cli("--vault", str(folder), "init")  # and then init works
    assert result.returncode == 0, result.stderr
    Vault.open(folder, PASSPHRASE).close()


@pytest.mark.parametrize("limit", [0, 4096, 40_000, 200_000])
def test_init_over_a_file_size_limit_says_so_and_leaves_nothing(tmp_path, limit):
    """RLIMIT_FSIZE (EFBIG) needs no privilege, so this runs wherever the suite runs."""
    folder = tmp_path / "v"
    assert_disk_full(fast_cli(f"--fsize={limit}", "--vault", str(folder), "init"))
    assert not folder.exists()
    assert fast_cli("--vault", str(folder), "init").returncode == 0


def used_vault_on(disk, *, with_backup: bool = False) -> Path:
    """A closed vault on ``disk`` with two vendors and an attachment (and a backup)."""
    folder = disk.root / "v"
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=keys.fast_params_for_tests())
    with vault:
        use_the_vault(vault)
        if with_backup:
            backup.make_backup(vault)
    return folder


def test_a_write_on_a_full_disk_is_reported_as_full_and_loses_nothing(small_disk):
    from vrmdesk.errors import DiskFull

    folder = used_vault_on(small_disk)
    with Vault.open(folder, PASSPHRASE) as vault:
        small_disk.fill()

        def add_vendors() -> None:
            with vault.session() as s:
                for i in range(50):
                    records.create(s, m.Vendor, name=f"Big {i}", notes="x" * 100_000)

        def add_a_file() -> None:
            with vault.session() as s:
                vendor = records.find_vendor(s, "Bosch")
                vault.attachments.add(s, vendor, io.BytesIO(os.urandom(200_000)), name="big.bin")

        with pytest.raises(DiskFull) as err:
            add_vendors()
        assert type(err.value) is DiskFull and "disk is full" in str(err.value)
        with pytest.raises(DiskFull):
            add_a_file()
        assert not list((folder / "attachments" / "tmp").glob("*"))
        small_disk.free()
        with vault.session() as s:  # the vault goes on once there is room again
            records.create(s, m.Vendor, name="After")
    with Vault.open(folder, PASSPHRASE) as again, again.session() as s:
        names = {v.name for v in records.list_records(s, m.Vendor)}
        assert names == {"Bosch", "Miele", "After"}


@pytest.mark.parametrize("leave", [0, 64 * 1024])
def test_a_backup_on_a_full_disk_says_so_and_leaves_no_partial_file(small_disk, leave):
    folder = used_vault_on(small_disk, with_backup=True)
    before = sorted(p.name for p in (folder / "backups").iterdir())
    small_disk.fill(leave=leave)
    assert_disk_full(fast_cli("--vault", str(folder), "backup"))
    assert sorted(p.name for p in (folder / "backups").iterdir()) == before
    small_disk.free()
    assert fast_cli("--vault", str(folder), "backup").returncode == 0


def test_opening_a_vault_on_a_full_disk_is_not_reported_as_damage(small_disk):
    folder = used_vault_on(small_disk)
    small_disk.fill()
    for argv in (["info"], ["list", "vendors"], ["backup"]):
        result = fast_cli("--vault", str(folder), *argv)
        assert "damaged" not in result.stderr and "Traceback" not in result.stderr, argv
        if result.returncode:
            assert_disk_full(result)


def test_a_restore_on_a_full_disk_says_so_and_changes_nothing(small_disk, tree_hashes):
    folder = used_vault_on(small_disk, with_backup=True)
    small_disk.fill()

    def content() -> dict[str, str]:  # SQLite's own -wal and -shm (empty here) do not count
        return {k: v for k, v in tree_hashes(folder).items() if not k.endswith(("-wal", "-shm"))}

    before = content()
    assert_disk_full(fast_cli("--vault", str(folder), "restore", "1"))
    assert content() == before
    assert (folder / "vault.db").exists()  # not moved aside as if it were damaged


# -- what killed processes leave behind -----------------------------------------------------------
BACKUP_FOREVER = r"""
import sys
from vrmdesk.store import backup
from vrmdesk.store.vault import Vault

vault = Vault.open(sys.argv[1], sys.argv[2])
while True:
    backup.make_backup(vault)
    print("backed up", flush=True)
"""


def leftovers(folder: Path) -> list[str]:
    """Files that only an unfinished write makes: partial copies, journals, temporary headers."""
    patterns = ("*.partial", "*-journal", ".*.tmp", "*.restoring", "*.rekey*", "*.rebuilding*")
    return sorted(
        str(path.relative_to(folder)) for pattern in patterns for path in folder.rglob(pattern)
    )


@pytest.fixture
def bigger_vault(vault, vault_dir) -> Path:
    """A closed vault whose backup takes long enough to be killed in the middle (a few MB)."""
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Bosch")
        for i in range(1500):
            records.create(
                s,
                m.Interaction,
                vendor_id=vendor.id,
                direction="inbound",
                channel="email",
                subject=f"message {i}",
                body=os.urandom(1000).hex(),
            )
    vault.close()
    return vault_dir


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_what_backups_killed_midway_leave_is_swept_on_the_next_writable_open(
    bigger_vault, tree_hashes
):
    import random
    import signal
    import time

    folder = bigger_vault
    rng = random.Random(24)
    for _ in range(12):
        proc = subprocess.Popen(
            [sys.executable, "-c", BACKUP_FOREVER, str(folder), PASSPHRASE],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None
        proc.stdout.readline()  # one whole backup, so the next one is under way
        time.sleep(rng.uniform(0, 0.05))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    left = leftovers(folder)
    assert any(name.endswith(".partial") for name in left), left  # the kills did hit midway

    with Vault.open(folder, PASSPHRASE, readonly=True):
        assert leftovers(folder) == left  # a reader does not sweep: a writer may be at work
    with Vault.open(folder, PASSPHRASE):
        pass
    assert leftovers(folder) == []
    found = backup.list_backups(folder)
    assert found
    names = sorted(p.name for p in (folder / "backups").iterdir())
    assert names == sorted([b.path.name for b in found] + [b.header_copy.name for b in found])
    header = (folder / "vault.json").read_bytes()
    with Vault.open(folder, PASSPHRASE) as vault:
        for info in found:
            backup.check_backup(info.path, vault.data_key)
            assert info.header_copy.read_bytes() == header


KILLED_WHILE_SAVING_THE_HEADER = r"""
import os, signal, sys
from vrmdesk.store import keys
from vrmdesk.store.vault import Vault

real_replace = os.replace

def replace(src, dst, *args, **kwargs):
    if os.path.basename(str(dst)) == "vault.json":
        os.kill(os.getpid(), signal.SIGKILL)  # the new header is whole in its temporary file
    return real_replace(src, dst, *args, **kwargs)

os.replace = replace
with Vault.open(sys.argv[1], sys.argv[2]) as vault:
    vault.change_passphrase(sys.argv[2], sys.argv[3], kdf=keys.fast_params_for_tests())
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_header_a_killed_passwd_never_applied_is_swept(vault, vault_dir):
    use_the_vault(vault)
    vault.close()
    result = subprocess.run(
        [sys.executable, "-c", KILLED_WHILE_SAVING_THE_HEADER, str(vault_dir), PASSPHRASE, "new"],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == -9, result.stderr
    (tmp,) = vault_dir.glob(".vault.json.*.tmp")
    assert keys.Header.load(tmp, "").unlock_with_passphrase("new")  # a whole header, unapplied
    with Vault.open(vault_dir, PASSPHRASE):  # the change never happened ...
        pass
    assert leftovers(vault_dir) == []  # ... and what it left is gone

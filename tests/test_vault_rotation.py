"""A passphrase that is changed leaves no copy of the header it opens; a passphrase that may be
known gets a new data key (`passwd --rotate-key`): the database, the attachments and the backups
under the old key are gone, a SIGKILL at any point leaves a vault that opens with the old
passphrase or the new one, and a new recovery key is shown."""

from __future__ import annotations

import io
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pyrage
import pytest
from pyrage import x25519
from sqlalchemy import select

from vrmdesk import cli
from vrmdesk.errors import VaultDamaged, WrongPassphrase
from vrmdesk.store import backup, keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault

PASSPHRASE = "correct horse"  # the conftest's vault fixture uses it
NEW = "battery staple"
FAST = keys.fast_params_for_tests
RECEIPT = b"%PDF receipt " + b"r" * 150_000
MANUAL = b"manual " + bytes(range(256)) * 400


def fill(vault: Vault) -> None:
    """Records, two attachments, and two backups (one from before the second attachment)."""
    with vault.session() as s:
        bosch = records.create(s, m.Vendor, name="Bosch")
        vault.attachments.add(s, bosch, io.BytesIO(RECEIPT), name="receipt.pdf")
    backup.make_backup(vault, reason="first")
    with vault.session() as s:
        miele = records.create(s, m.Vendor, name="Miele")
        vault.attachments.add(s, miele, io.BytesIO(MANUAL), name="manual.bin")
    backup.make_backup(vault, reason="second")


def contents(vault: Vault) -> dict[str, object]:
    with vault.session() as s:
        vendors = sorted(s.scalars(select(m.Vendor.name)))
        files = {a.name: vault.attachments.read_bytes(a) for a in s.scalars(select(m.Attachment))}
    return {"vendors": vendors, "files": files}


EXPECTED = {"vendors": ["Bosch", "Miele"], "files": {"receipt.pdf": RECEIPT, "manual.bin": MANUAL}}


def opens_with(folder: Path, passphrase: str) -> bool:
    try:
        Vault.open(folder, passphrase).close()
    except WrongPassphrase:
        return False
    return True


# -- passwd: no header copy opens with the old passphrase ------------------------------------------
def header_copies(folder: Path) -> list[Path]:
    return sorted((folder / "backups").glob("vault-*.json"))


def old_passphrase_opens_a_copy(folder: Path, passphrase: str) -> list[str]:
    """Header copies in backups/ that the passphrase unlocks."""
    opened = []
    for copy in header_copies(folder):
        try:
            keys.Header.load(copy, "").unlock_with_passphrase(passphrase)
        except WrongPassphrase:
            continue
        opened.append(copy.name)
    return opened


@pytest.mark.parametrize("how", ["passphrase", "recovery-key"])
def test_after_passwd_no_header_copy_opens_with_the_old_passphrase(
    vault_and_recovery_key, vault_dir, how
):
    vault, recovery_key = vault_and_recovery_key
    fill(vault)
    if how == "passphrase":
        vault.change_passphrase(PASSPHRASE, NEW, kdf=FAST())
    else:
        vault.close()
        with Vault.open(vault_dir, recovery_key=recovery_key) as recovered:
            recovered.reset_passphrase(NEW, kdf=FAST())
    vault.close()
    assert len(header_copies(vault_dir)) == 2
    assert old_passphrase_opens_a_copy(vault_dir, PASSPHRASE) == []
    header = (vault_dir / "vault.json").read_bytes()
    assert all(copy.read_bytes() == header for copy in header_copies(vault_dir))
    # the attack of issue 7: a backup's header copy over vault.json, and the old passphrase
    for copy in header_copies(vault_dir):
        shutil.copyfile(copy, vault_dir / "vault.json")
        assert not opens_with(vault_dir, PASSPHRASE)
        with Vault.open(vault_dir, NEW) as again:
            assert contents(again) == EXPECTED


KILLED_BEFORE_THE_COPIES = r"""
import os, signal, sys
from vrmdesk.store import keys
from vrmdesk.store.vault import Vault

real_replace = os.replace

def replace(src, dst, *args, **kwargs):
    if "backups" in str(dst):
        os.kill(os.getpid(), signal.SIGKILL)  # vault.json is new, the copies are not yet
    return real_replace(src, dst, *args, **kwargs)

os.replace = replace
with Vault.open(sys.argv[1], sys.argv[2]) as vault:
    vault.change_passphrase(sys.argv[2], sys.argv[3], kdf=keys.fast_params_for_tests())
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_passwd_killed_before_the_copies_are_rewrapped_is_completed_on_the_next_open(
    vault, vault_dir
):
    fill(vault)
    vault.close()
    result = subprocess.run(
        [sys.executable, "-c", KILLED_BEFORE_THE_COPIES, str(vault_dir), PASSPHRASE, NEW],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert len(old_passphrase_opens_a_copy(vault_dir, PASSPHRASE)) == 2  # the kill left them
    with Vault.open(vault_dir, NEW) as again:
        assert contents(again) == EXPECTED
    assert old_passphrase_opens_a_copy(vault_dir, PASSPHRASE) == []


# -- rotating the data key -------------------------------------------------------------------------
def attachment_identity(vault: Vault) -> x25519.Identity:
    with vault.session() as s:
        return x25519.Identity.from_str(s.get(m.Meta, "attachment_identity").value)


def opened_by_old_keys(folder: Path, data_key: bytes, identity: x25519.Identity) -> list[str]:
    """Files under ``folder`` that the old data key (databases) or age identity (contents) opens."""
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix in (".json", ".lock") or path.name.startswith("."):
            continue
        if path.parent.parent.name == "attachments":
            try:
                pyrage.decrypt(path.read_bytes(), [identity])
            except pyrage.DecryptError:
                continue
            found.append(str(path.relative_to(folder)))
        elif path.name.endswith(".db") and backup._opens_with(path, data_key):
            found.append(str(path.relative_to(folder)))
    return found


def test_a_rotated_key_leaves_nothing_that_the_old_keys_open(
    vault_and_recovery_key, vault_dir, tmp_path
):
    vault, old_recovery = vault_and_recovery_key
    fill(vault)
    old_key, old_identity = vault.data_key, attachment_identity(vault)
    stolen = tmp_path / "stolen-vault.json"  # what someone who knew the old passphrase kept
    shutil.copyfile(vault_dir / "vault.json", stolen)
    assert len(opened_by_old_keys(vault_dir, old_key, old_identity)) == 5  # db, 2 backups, 2 files
    calls: list[tuple[int, int, str]] = []

    done = vault.rotate_key(NEW, kdf=FAST(), progress=lambda *call: calls.append(call))
    assert (done.attachments, done.backups, done.retired_backups) == (2, 2, ())
    assert vault.data_key != old_key and done.recovery_key != old_recovery
    assert contents(vault) == EXPECTED  # the open vault goes on, on the new key
    assert vault.unseen_recovery_key == done.recovery_key
    vault.acknowledge_recovery_key()
    assert vault.unseen_recovery_key is None
    with vault.session() as s:
        records.create(s, m.Vendor, name="After")
    vault.close()

    dones = [d for d, _, _ in calls]
    assert dones == sorted(dones) and len({t for _, t, _ in calls}) == 1
    assert calls[-1][0] == calls[-1][1]
    assert opened_by_old_keys(vault_dir, old_key, old_identity) == []
    assert not opens_with(vault_dir, PASSPHRASE)
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_dir, recovery_key=old_recovery)
    with Vault.open(vault_dir, recovery_key=done.recovery_key) as again:
        assert contents(again)["vendors"] == ["After", "Bosch", "Miele"]
    # the old header, put back, opens nothing here: the database is under another key now
    current = (vault_dir / "vault.json").read_bytes()
    shutil.copyfile(stolen, vault_dir / "vault.json")
    with pytest.raises(VaultDamaged):
        Vault.open(vault_dir, PASSPHRASE)
    (vault_dir / "vault.json").write_bytes(current)
    # the backups were kept, re-encrypted, with their attachments
    found = backup.list_backups(vault_dir)
    assert [b.reason for b in found] == ["second", "first"]
    assert all(b.header_copy.read_bytes() == current for b in found)
    backup.restore(vault_dir, found[-1].path, passphrase=NEW)
    with Vault.open(vault_dir, NEW) as restored:
        assert contents(restored) == {"vendors": ["Bosch"], "files": {"receipt.pdf": RECEIPT}}


class Cancel(Exception):
    """What a progress dialog's Cancel raises through the callback."""


def content_hashes(folder: Path, tree_hashes) -> dict[str, str]:
    """Every file but SQLite's shared-memory index (its read marks change as anybody reads)."""
    return {k: v for k, v in tree_hashes(folder).items() if not k.endswith("-shm")}


@pytest.mark.parametrize("at", ["first", "attachments", "database", "backups", "ready"])
def test_a_rotation_cancelled_before_the_point_of_no_return_changes_nothing(
    vault, vault_dir, tree_hashes, at
):
    fill(vault)
    before = content_hashes(vault_dir, tree_hashes)
    key = vault.data_key
    seen: list[str] = []

    def progress(done: int, total: int, what: str) -> None:
        seen.append(what)
        if at == "first" or at in what.lower():
            raise Cancel(what)

    with pytest.raises(Cancel):
        vault.rotate_key(NEW, kdf=FAST(), progress=progress)
    assert at == "first" or at in seen[-1].lower()
    assert content_hashes(vault_dir, tree_hashes) == before
    assert vault.data_key == key and contents(vault) == EXPECTED
    with vault.session() as s:  # the vault goes on: nothing holds its write lock any more
        records.create(s, m.Vendor, name="After the cancel")
    vault.close()
    assert opens_with(vault_dir, PASSPHRASE) and not opens_with(vault_dir, NEW)


def test_a_cancel_after_the_point_of_no_return_is_too_late_and_harmless(vault, vault_dir):
    fill(vault)
    told: list[str] = []

    def progress(done: int, total: int, what: str) -> None:
        told.append(what)
        if done == total:
            raise Cancel("too late")

    done = vault.rotate_key(NEW, kdf=FAST(), progress=progress)
    assert "no longer be cancelled" in told[-2]
    assert contents(vault) == EXPECTED
    vault.close()
    with Vault.open(vault_dir, recovery_key=done.recovery_key) as again:
        assert contents(again) == EXPECTED


def test_rotating_on_a_full_disk_says_so_and_changes_nothing(small_disk, tree_hashes):
    from vrmdesk.errors import DiskFull

    folder = small_disk.root / "v"
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=FAST())
    with vault:
        fill(vault)
        before = content_hashes(folder, tree_hashes)
        small_disk.fill(leave=100 * 1024)
        with pytest.raises(DiskFull) as err:
            vault.rotate_key(NEW, kdf=FAST())
        assert "disk is full" in str(err.value)
        assert content_hashes(folder, tree_hashes) == before
        assert contents(vault) == EXPECTED
    assert opens_with(folder, PASSPHRASE)


# -- a SIGKILL at any point ------------------------------------------------------------------------
ROTATE_AND_DIE = r"""
import os, signal, sys
from vrmdesk.store import keys
from vrmdesk.store.vault import Vault

folder, old, new, how, at = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
count = {"progress": 0, "replace": 0}

def progress(done, total, what):
    count["progress"] += 1
    if how == "progress" and count["progress"] == at:
        os.kill(os.getpid(), signal.SIGKILL)

real_replace = os.replace

def replace(src, dst, *args, **kwargs):
    count["replace"] += 1
    if how == "before-replace" and count["replace"] == at:
        os.kill(os.getpid(), signal.SIGKILL)  # just before a file takes its new name
    real_replace(src, dst, *args, **kwargs)
    if how == "replace" and count["replace"] == at:
        os.kill(os.getpid(), signal.SIGKILL)  # just after

os.replace = replace
vault = Vault.open(folder, old)
done = vault.rotate_key(new, kdf=keys.fast_params_for_tests(), progress=progress)
print("counts", count["progress"], count["replace"], flush=True)
print("recovery", done.recovery_key, flush=True)
"""


def rotate_in_a_child(folder: Path, how: str, at: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", ROTATE_AND_DIE, str(folder), PASSPHRASE, NEW, how, str(at)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def rotation_template(tmp_path_factory) -> tuple[Path, int, int]:
    """A filled, closed vault, and how many progress calls and renames a whole rotation makes."""
    folder = tmp_path_factory.mktemp("rotation") / "v"
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=FAST())
    with vault:
        fill(vault)
    trial = folder.parent / "trial"
    shutil.copytree(folder, trial)
    result = rotate_in_a_child(trial, "none", 0)
    assert result.returncode == 0, result.stderr
    _, progress_calls, renames = result.stdout.split("\n")[0].split()
    return folder, int(progress_calls), int(renames)


def kill_points() -> list[tuple[str, str]]:
    """Every progress call and every rename of a rotation (numbers resolved in the test)."""
    return [(how, f"{i}/8") for how in ("progress", "before-replace", "replace") for i in range(9)]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize(("how", "where"), kill_points())
def test_a_rotation_killed_at_any_point_leaves_a_vault_that_opens_with_one_passphrase(
    rotation_template, tmp_path, how, where
):
    template, progress_calls, renames = rotation_template
    step, of = (int(n) for n in where.split("/"))
    count = progress_calls if how == "progress" else renames
    at = max(1, round(step * count / of))  # spread over the whole rotation, first and last too
    folder = tmp_path / "v"
    shutil.copytree(template, folder)
    result = rotate_in_a_child(folder, how, at)
    assert result.returncode == -signal.SIGKILL, result.stderr

    old_opens, new_opens = opens_with(folder, PASSPHRASE), opens_with(folder, NEW)
    assert old_opens != new_opens, "exactly one passphrase opens the vault"
    with Vault.open(folder, NEW if new_opens else PASSPHRASE) as vault:
        assert contents(vault) == EXPECTED
        found = backup.list_backups(folder)
        assert [b.reason for b in found] == ["second", "first"]
        for info in found:
            backup.check_backup(info.path, vault.data_key)
            assert info.header_copy.read_bytes() == (folder / "vault.json").read_bytes()
        if new_opens:  # the new recovery key was never printed: the vault still has it to show
            recovery = vault.unseen_recovery_key
            assert recovery is not None
            vault.acknowledge_recovery_key()
    staged = sorted(str(p.relative_to(folder)) for p in folder.rglob("*rekey*"))
    assert staged == []
    if new_opens:
        with Vault.open(folder, recovery_key=recovery) as vault:
            assert vault.unseen_recovery_key is None
    assert not (new_opens and opens_with(folder, PASSPHRASE))


# -- the command line ------------------------------------------------------------------------------
def test_passwd_rotate_key_shows_the_new_recovery_key_once(vault, vault_dir, capsys, monkeypatch):
    fill(vault)
    old_key = vault.data_key
    vault.close()
    monkeypatch.setattr(keys, "calibrate", FAST)
    monkeypatch.setenv(cli.PASSPHRASE_ENV, PASSPHRASE)
    monkeypatch.setenv(cli.NEW_PASSPHRASE_ENV, NEW)
    code = cli.main(["passwd", "--rotate-key", "--vault", str(vault_dir)])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    assert "2 attachments and 2 backups are encrypted again" in out
    recovery = out.split("safe):")[1].split()[0]
    with Vault.open(vault_dir, recovery_key=recovery) as again:
        assert again.data_key != old_key and contents(again) == EXPECTED
        assert again.unseen_recovery_key is None  # shown, and so no longer kept
    assert not opens_with(vault_dir, PASSPHRASE)
    monkeypatch.setenv(cli.PASSPHRASE_ENV, NEW)
    code = cli.main(["info", "--json", "--vault", str(vault_dir)])
    out, _ = capsys.readouterr()
    assert code == 0 and '"new_recovery_key_not_shown": false' in out


def test_a_key_change_finished_by_a_later_open_shows_its_recovery_key_in_passwd(
    rotation_template, tmp_path, capsys, monkeypatch
):
    template, progress_calls, _ = rotation_template
    folder = tmp_path / "v"
    shutil.copytree(template, folder)
    result = rotate_in_a_child(folder, "progress", progress_calls - 1)  # just past no return
    assert result.returncode == -signal.SIGKILL
    monkeypatch.setenv(cli.PASSPHRASE_ENV, NEW)
    for argv in (["info"], ["check"], ["restore", "1"]):  # neither a reader nor a restore
        code = cli.main([*argv, "--vault", str(folder)])
        out, err = capsys.readouterr()
        assert code == 1 and "must be finished first" in err, argv
    code = cli.main(["backup", "--vault", str(folder)])  # any writer finishes it
    capsys.readouterr()
    assert code == 0
    code = cli.main(["info", "--vault", str(folder)])
    out, _ = capsys.readouterr()
    assert code == 0 and "was never shown" in out
    code = cli.main(["passwd", "--vault", str(folder)])
    out, err = capsys.readouterr()
    assert code == 0, err
    recovery = out.split("safe):")[1].split()[0]
    with Vault.open(folder, recovery_key=recovery) as vault:
        assert contents(vault) == EXPECTED and vault.unseen_recovery_key is None


# -- "remember on this device" ---------------------------------------------------------------------
@pytest.fixture
def memory_keyring(monkeypatch):
    import keyring.backend
    import keyring.core

    class MemoryKeyring(keyring.backend.KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.kept: dict[tuple[str, str], str] = {}

        def get_password(self, service, username):
            return self.kept.get((service, username))

        def set_password(self, service, username, password):
            self.kept[(service, username)] = password

        def delete_password(self, service, username):
            self.kept.pop((service, username), None)

    backend = MemoryKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", backend)
    return backend


def test_a_remembered_vault_remembers_the_new_key_and_forgets_a_stale_one(
    memory_keyring, vault, vault_dir
):
    from vrmdesk.store import keystore

    fill(vault)
    vault.remember(True)
    old_key = vault.data_key
    vault.rotate_key(NEW, kdf=FAST())
    vault.acknowledge_recovery_key()
    assert keystore.recall(vault.header.vault_id) == vault.data_key != old_key
    vault_id = vault.header.vault_id
    vault.close()
    with Vault.open_remembered(vault_dir) as again:
        assert contents(again) == EXPECTED
    keystore.store(vault_id, old_key)  # as a rotation killed before the keyring was told leaves it
    assert Vault.open_remembered(vault_dir) is None  # not "damaged" or "another vault": forgotten
    assert keystore.recall(vault_id) is None

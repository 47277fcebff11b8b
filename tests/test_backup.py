"""Backups: encrypted snapshots that open with the vault's passphrase, rotated, and restored even
when the vault itself is damaged; a file that is not a backup of this vault changes nothing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from vrmdesk.errors import BackupError, VaultInUse, WrongPassphrase
from vrmdesk.store import backup, keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault

PASSPHRASE = "correct horse"  # the conftest's vault fixture uses it
FAST = keys.fast_params_for_tests


def add_vendor(vault: Vault, name: str) -> None:
    with vault.session() as s:
        records.create(s, m.Vendor, name=name)


def vendor_names(vault: Vault) -> list[str]:
    with vault.session() as s:
        return sorted(s.scalars(select(m.Vendor.name)))


def open_names(folder: Path, passphrase: str = PASSPHRASE) -> list[str]:
    with Vault.open(folder, passphrase) as vault:
        return vendor_names(vault)


def as_vault(db: Path, header: Path, folder: Path) -> Path:
    """A vault folder made of a database file and a key header, to open a backup on its own."""
    folder.mkdir()
    shutil.copyfile(db, folder / "vault.db")
    shutil.copyfile(header, folder / "vault.json")
    return folder


def test_a_backup_is_an_encrypted_snapshot_that_opens_with_the_passphrase(
    vault, vault_dir, tmp_path
):
    add_vendor(vault, "Before")
    taken = backup.make_backup(vault, reason="Manual Test")
    add_vendor(vault, "After")

    assert taken.path.parent == vault_dir / "backups"
    assert taken.reason == "manual-test"
    assert backup.list_backups(vault) == [taken]
    assert taken.size == taken.path.stat().st_size > 0
    assert not taken.path.read_bytes().startswith(b"SQLite format 3")
    assert taken.header_copy.read_bytes() == (vault_dir / "vault.json").read_bytes()
    assert sorted(p.name for p in (vault_dir / "backups").iterdir()) == sorted(
        [taken.path.name, taken.header_copy.name]
    )  # no partial file left
    backup.check_backup(taken.path, vault.data_key)

    copy = as_vault(taken.path, taken.header_copy, tmp_path / "opened")
    assert open_names(copy) == ["Before"]
    assert vendor_names(vault) == ["After", "Before"]


def test_a_backup_opens_with_the_new_passphrase_after_a_change(vault, vault_dir, tmp_path):
    add_vendor(vault, "Before")
    taken = backup.make_backup(vault)
    vault.change_passphrase(PASSPHRASE, "battery staple", kdf=FAST())
    add_vendor(vault, "After")
    vault.close()

    # the data key never changes, so the current header opens the old backup ...
    copy = as_vault(taken.path, vault_dir / "vault.json", tmp_path / "opened")
    assert open_names(copy, "battery staple") == ["Before"]
    # ... and restoring it takes the current passphrase, not the one of its time
    before = sorted(p.name for p in vault_dir.rglob("*"))
    with pytest.raises(WrongPassphrase):
        backup.restore(vault_dir, taken.path, passphrase=PASSPHRASE)
    assert sorted(p.name for p in vault_dir.rglob("*")) == before
    backup.restore(vault_dir, taken.path, passphrase="battery staple")
    assert open_names(vault_dir, "battery staple") == ["Before"]


def test_the_newest_ten_backups_are_kept(vault, vault_dir):
    add_vendor(vault, "Bosch")
    for i in range(13):
        backup.make_backup(vault, reason=f"n{i}")
    kept = backup.list_backups(vault)
    assert [info.reason for info in kept] == [f"n{i}" for i in range(12, 2, -1)]
    assert backup.KEEP == 10
    files = sorted(p.name for p in (vault_dir / "backups").iterdir())
    expected = [info.path.name for info in kept] + [info.header_copy.name for info in kept]
    assert files == sorted(expected)


def test_restore_brings_back_the_older_content_and_keeps_a_copy_of_the_newer(vault, vault_dir):
    add_vendor(vault, "Old")
    old = backup.make_backup(vault)
    add_vendor(vault, "New")
    vault.close()

    safety = backup.restore(vault_dir, old.path, passphrase=PASSPHRASE)
    assert safety is not None and safety.reason == "before-restore"
    assert open_names(vault_dir) == ["Old"]
    assert {info.path for info in backup.list_backups(vault_dir)} == {old.path, safety.path}
    assert not (vault_dir / "vault.db.restoring").exists()

    # the state before the restore is itself a backup that can be restored
    backup.restore(vault_dir, safety.path, passphrase=PASSPHRASE)
    assert open_names(vault_dir) == ["New", "Old"]


def test_restoring_the_oldest_of_ten_backups_restores_it(vault, vault_dir):
    """The safety copy must not rotate away the very backup being restored."""
    add_vendor(vault, "Oldest")
    for i in range(backup.KEEP):
        backup.make_backup(vault, reason=f"n{i}")
    add_vendor(vault, "Newer")
    vault.close()
    oldest = backup.list_backups(vault_dir)[-1]
    assert oldest.reason == "n0"

    backup.restore(vault_dir, oldest.path, passphrase=PASSPHRASE)
    assert open_names(vault_dir) == ["Oldest"]


def test_restore_works_when_the_database_is_damaged(vault, vault_dir):
    add_vendor(vault, "Saved")
    taken = backup.make_backup(vault)
    vault.close()
    db = vault_dir / "vault.db"
    damaged = bytearray(db.read_bytes())
    damaged[300] ^= 0x01  # page 1: the database no longer opens
    db.write_bytes(bytes(damaged))

    assert backup.restore(vault_dir, taken.path, passphrase=PASSPHRASE) is None
    (aside,) = vault_dir.glob("vault.db.damaged-*")
    assert aside.read_bytes() == bytes(damaged)  # kept for the user, not deleted
    assert open_names(vault_dir) == ["Saved"]


def test_restore_works_when_the_key_header_is_damaged(vault, vault_dir):
    add_vendor(vault, "Saved")
    taken = backup.make_backup(vault)
    vault.close()
    (vault_dir / "vault.json").write_bytes(b'{"format": "vrmdesk-vault/1", "chec')

    backup.restore(vault_dir, taken.path, passphrase=PASSPHRASE)
    assert (vault_dir / "vault.json").read_bytes() == taken.header_copy.read_bytes()
    assert open_names(vault_dir) == ["Saved"]


@pytest.fixture
def other_vaults_backup(tmp_path) -> Path:
    """A real backup of another vault, with the same passphrase."""
    other, _ = Vault.create(tmp_path / "other", PASSPHRASE, kdf=FAST())
    with other:
        add_vendor(other, "Somebody else")
        return backup.make_backup(other).path


@pytest.mark.parametrize("kind", ["random-bytes", "other-vault", "empty", "missing"])
def test_restoring_what_is_not_a_backup_of_this_vault_changes_nothing(
    vault, vault_dir, tmp_path, tree_hashes, other_vaults_backup, kind
):
    add_vendor(vault, "Mine")
    backup.make_backup(vault)
    vault.close()
    if kind == "other-vault":
        candidate = other_vaults_backup
    else:
        candidate = tmp_path / "vault-20240101T000000000000Z.db"
        if kind == "random-bytes":
            candidate.write_bytes(os.urandom(64 * 1024))
        elif kind == "empty":
            candidate.write_bytes(b"")
    before = tree_hashes(vault_dir)

    with pytest.raises(BackupError) as err:
        backup.restore(vault_dir, candidate, passphrase=PASSPHRASE)
    assert type(err.value) is BackupError
    assert candidate.name in str(err.value)
    assert tree_hashes(vault_dir) == before
    assert open_names(vault_dir) == ["Mine"]


def test_a_refused_restore_leaves_even_a_damaged_header_as_it_was(
    vault, vault_dir, tmp_path, tree_hashes
):
    """With vault.json damaged, the backup's header copy is tried, but kept only if it fits."""
    add_vendor(vault, "Mine")
    vault.close()
    other, _ = Vault.create(tmp_path / "other", "another passphrase", kdf=FAST())
    with other:
        foreign = backup.make_backup(other).path
    (vault_dir / "vault.json").write_bytes(b"garbage")
    before = tree_hashes(vault_dir)

    with pytest.raises(WrongPassphrase):
        backup.restore(vault_dir, foreign, passphrase=PASSPHRASE)
    assert tree_hashes(vault_dir) == before


def test_another_vaults_backup_with_the_same_passphrase_is_refused_when_the_header_is_damaged(
    vault, vault_dir, tree_hashes, other_vaults_backup
):
    """The backup's header copy unlocks it, but its key does not open this vault's database."""
    add_vendor(vault, "Mine")
    vault.close()
    (vault_dir / "vault.json").write_bytes(b"garbage")
    before = tree_hashes(vault_dir)

    with pytest.raises(BackupError, match="not a backup of this vault"):
        backup.restore(vault_dir, other_vaults_backup, passphrase=PASSPHRASE)
    assert tree_hashes(vault_dir) == before


def test_restore_refuses_while_the_vault_is_open(vault, vault_dir, tree_hashes):
    add_vendor(vault, "Mine")
    taken = backup.make_backup(vault)
    add_vendor(vault, "Newer")
    before = tree_hashes(vault_dir / "backups")
    with pytest.raises(VaultInUse):
        backup.restore(vault_dir, taken.path, passphrase=PASSPHRASE)
    assert tree_hashes(vault_dir / "backups") == before
    assert vendor_names(vault) == ["Mine", "Newer"]

"""A passphrase that is changed leaves no copy of the header it opens; a passphrase that may be
known gets a new data key (`passwd --rotate-key`): the database, the attachments and the backups
under the old key are gone, a SIGKILL at any point leaves a vault that opens with the old
passphrase or the new one, and a new recovery key is shown."""

from __future__ import annotations

import io
import os
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
        capture_output=True, timeout=60,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert len(old_passphrase_opens_a_copy(vault_dir, PASSPHRASE)) == 2  # the kill left them
    with Vault.open(vault_dir, NEW) as vault:
        assert contents(vault) == EXPECTED
    assert old_passphrase_opens_a_copy(vault_dir, PASSPHRASE) == []

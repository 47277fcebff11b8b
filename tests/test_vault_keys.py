"""The vault's keys: create, open, close, recovery key, passphrase changes, the header, the keyring,
and no plaintext of the vault anywhere on disk."""

from __future__ import annotations

import base64
import io
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from vrmdesk.errors import (
    KeyringUnavailable,
    VaultExists,
    VaultLocked,
    VaultNotFound,
    WrongPassphrase,
)
from vrmdesk.store import backup, keys, keystore
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault

PASSPHRASE = "correct horse"  # the conftest's vault fixture uses it
FAST = keys.fast_params_for_tests


def vendor_names(vault: Vault) -> list[str]:
    with vault.session() as s:
        return sorted(s.scalars(select(m.Vendor.name)))


# -- create, open, close ----------------------------------------------------------------------
def test_a_new_vault_opens_again_with_its_passphrase_and_keeps_its_data(vault, vault_dir):
    with vault.session() as s:
        records.create(s, m.Vendor, name="Bosch", notes="dishwasher, 2023")
    vault.close()
    assert not vault.is_open
    with pytest.raises(VaultLocked):
        vault.engine  # noqa: B018 - a closed vault cannot be used any more
    with Vault.open(vault_dir, PASSPHRASE) as again:
        assert again.writable
        with again.session() as s:
            (vendor,) = s.scalars(select(m.Vendor))
            assert (vendor.name, vendor.notes) == ("Bosch", "dishwasher, 2023")
    assert {"vault.db", "vault.json"} <= {p.name for p in vault_dir.iterdir()}


def test_create_refuses_to_overwrite_a_vault(vault, vault_dir):
    with vault.session() as s:
        records.create(s, m.Vendor, name="Kept")
    with pytest.raises(VaultExists):
        Vault.create(vault_dir, "another passphrase", kdf=FAST())
    assert vendor_names(vault) == ["Kept"]


def test_opening_a_folder_without_a_vault_says_so(tmp_path):
    with pytest.raises(VaultNotFound):
        Vault.open(tmp_path / "nothing here", PASSPHRASE)
    (tmp_path / "empty").mkdir()
    with pytest.raises(VaultNotFound):
        Vault.open(tmp_path / "empty", PASSPHRASE)


def test_the_database_file_is_not_plain_sqlite(vault, vault_dir):
    with vault.session() as s:
        records.create(s, m.Vendor, name="Bosch")
    vault.close()
    raw = (vault_dir / "vault.db").read_bytes()
    assert len(raw) > 4096
    assert not raw.startswith(b"SQLite format 3")
    conn = sqlite3.connect(vault_dir / "vault.db")
    try:
        with pytest.raises(sqlite3.DatabaseError):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()


# -- recovery key ----------------------------------------------------------------------------
def _recovery_forms(key: str) -> list[str]:
    bare = key.replace("-", "")
    return [
        key,
        key.lower(),
        key.replace("-", " "),
        key.lower().replace("-", " "),
        bare,
        "  " + " ".join(bare[i : i + 4] for i in range(0, len(bare), 4)).lower() + "\n",
    ]


def test_the_recovery_key_unlocks_however_it_is_typed(vault_and_recovery_key, vault_dir):
    vault, recovery_key = vault_and_recovery_key
    assert len(recovery_key.replace("-", "")) == 40
    with vault.session() as s:
        records.create(s, m.Vendor, name="Miele")
    vault.close()
    for typed in _recovery_forms(recovery_key):
        with Vault.open(vault_dir, recovery_key=typed) as again:
            assert vendor_names(again) == ["Miele"]


def test_a_wrong_recovery_key_is_refused(vault_and_recovery_key, vault_dir):
    vault, recovery_key = vault_and_recovery_key
    vault.close()
    other = keys.new_recovery_key()
    assert other != recovery_key
    with pytest.raises(WrongPassphrase) as err:
        Vault.open(vault_dir, recovery_key=other)
    assert type(err.value) is WrongPassphrase
    assert "recovery key" in str(err.value)
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_dir, recovery_key=PASSPHRASE)  # a passphrase is not a recovery key


# -- changing and resetting the passphrase -------------------------------------------------------
def test_change_passphrase_rewraps_the_key_and_keeps_everything_else(
    vault_and_recovery_key, vault_dir
):
    vault, recovery_key = vault_and_recovery_key
    with vault.session() as s:
        records.create(s, m.Vendor, name="Bosch", notes="before the change")
    data_key = vault.data_key
    db_before = (vault_dir / "vault.db").read_bytes()
    vault.change_passphrase(PASSPHRASE, "battery staple", kdf=FAST())
    assert (vault_dir / "vault.db").read_bytes() == db_before  # only the header changes
    vault.close()

    with pytest.raises(WrongPassphrase):
        Vault.open(vault_dir, PASSPHRASE)
    with Vault.open(vault_dir, "battery staple") as again:
        assert again.data_key == data_key
        with again.session() as s:
            (vendor,) = s.scalars(select(m.Vendor))
            assert (vendor.name, vendor.notes) == ("Bosch", "before the change")
    with Vault.open(vault_dir, recovery_key=recovery_key) as again:
        assert vendor_names(again) == ["Bosch"]


def test_change_passphrase_needs_the_current_one(vault, vault_dir):
    header_before = (vault_dir / "vault.json").read_bytes()
    with pytest.raises(WrongPassphrase):
        vault.change_passphrase("not it", "battery staple", kdf=FAST())
    assert (vault_dir / "vault.json").read_bytes() == header_before
    vault.close()
    Vault.open(vault_dir, PASSPHRASE).close()
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_dir, "battery staple")


def test_a_forgotten_passphrase_is_reset_with_the_recovery_key(vault_and_recovery_key, vault_dir):
    vault, recovery_key = vault_and_recovery_key
    with vault.session() as s:
        records.create(s, m.Vendor, name="Siemens")
    vault.close()

    with Vault.open(vault_dir, recovery_key=recovery_key.lower()) as recovered:
        recovered.reset_passphrase("a new one", kdf=FAST())
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_dir, PASSPHRASE)
    with Vault.open(vault_dir, "a new one") as again:
        assert vendor_names(again) == ["Siemens"]
    # the recovery key stays valid: it does not depend on the passphrase
    Vault.open(vault_dir, recovery_key=recovery_key).close()


# -- the key header --------------------------------------------------------------------------
def test_the_product_calibrates_argon2id_to_at_least_the_rfc_9106_floor(tmp_path):
    vault, _ = Vault.create(tmp_path / "calibrated", PASSPHRASE)  # keys.calibrate(), once
    vault.close()
    kdf = json.loads((tmp_path / "calibrated" / "vault.json").read_text())["kdf"]
    assert kdf["name"] == "argon2id"
    assert kdf["iterations"] >= 3
    assert kdf["memory_kib"] >= 64 * 1024
    assert kdf["lanes"] >= 4
    assert len(base64.b64decode(kdf["salt"])) >= 16


def test_the_header_reveals_no_key(vault_and_recovery_key, vault_dir):
    vault, recovery_key = vault_and_recovery_key
    data_key = vault.data_key
    vault.close()
    header = (vault_dir / "vault.json").read_bytes()
    json.loads(header)  # plain JSON
    forbidden = [
        data_key,
        data_key.hex().encode(),
        data_key.hex().upper().encode(),
        base64.b64encode(data_key),
        base64.urlsafe_b64encode(data_key).rstrip(b"="),
        base64.b32encode(data_key).rstrip(b"="),
        recovery_key.encode(),
        recovery_key.replace("-", "").encode(),
        PASSPHRASE.encode(),
    ]
    for secret in forbidden:
        assert secret not in header
    # the wrapped copies are there, and they are not the key
    wrapped = json.loads(header)["wrapped_keys"]
    assert set(wrapped) == {"passphrase", "recovery"}
    for wrap in wrapped.values():
        assert data_key not in base64.b64decode(wrap["ciphertext"])


# -- "remember on this device" ------------------------------------------------------------------
@pytest.mark.parametrize(
    "backend", ["keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"]
)
def test_without_a_usable_keyring_remembering_is_refused_with_a_reason(
    backend, select_keyring, vault, vault_dir
):
    select_keyring(backend)
    usable, reason = keystore.availability()
    assert usable is False
    assert reason[:1].isupper() and reason.endswith(".")
    assert "keyring" in reason.lower()
    assert "Error" not in reason and "Traceback" not in reason

    with pytest.raises(KeyringUnavailable) as err:
        vault.remember(True)
    assert type(err.value) is KeyringUnavailable
    assert str(err.value).startswith("Cannot remember the vault on this device")
    assert not vault.is_remembered()
    vault.remember(False)  # forgetting what cannot be kept is no error
    vault.close()
    assert Vault.open_remembered(vault_dir) is None
    assert Vault.open_remembered(vault_dir.parent / "no vault") is None


def test_remember_on_this_device_with_a_real_keyring(real_keyring, vault_dir):
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=FAST())
    vault_id = vault.header.vault_id
    try:
        with vault.session() as s:
            records.create(s, m.Vendor, name="Remembered")
        assert not vault.is_remembered()
        assert Vault.open_remembered(vault_dir) is None  # nobody asked to remember it yet
        vault.remember(True)
        assert vault.is_remembered()
        vault.close()

        again = Vault.open_remembered(vault_dir)
        assert again is not None, "the remembered vault did not open from the keyring"
        with again:
            assert again.writable
            assert vendor_names(again) == ["Remembered"]
            again.remember(False)
            assert not again.is_remembered()
        assert Vault.open_remembered(vault_dir) is None
    finally:
        vault.close()
        keystore.forget(vault_id)


# -- no plaintext on disk ------------------------------------------------------------------------
NOTES_SECRET = "Zebrafinch-notes-7731"
BODY_SECRET = "Quokka-body-4410"
FILE_SECRET = "Pangolin-attachment-9902"
FILE_NAME = "Narwhal-invoice-5518.txt"


def _leaks(folder: Path) -> list[str]:
    """Files under ``folder`` holding any of the secrets, in UTF-8 or UTF-16, in any case."""
    found = []
    needles = []
    for secret in (NOTES_SECRET, BODY_SECRET, FILE_SECRET, FILE_NAME.removesuffix(".txt")):
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            needles.append((secret, secret.lower().encode(encoding)))
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes().lower()  # ASCII letters only: UTF-16 of ASCII lowers too
        found += [f"{secret} in {path.relative_to(folder)}" for secret, n in needles if n in data]
    return found


@pytest.mark.parametrize("with_backup", [False, True], ids=["vault", "vault-and-backup"])
def test_no_plaintext_of_the_vault_on_disk(vault, vault_dir, with_backup):
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Acme", notes=f"my notes: {NOTES_SECRET}")
        records.create(
            s,
            m.Interaction,
            vendor_id=vendor.id,
            direction="inbound",
            channel="email",
            subject="Re: your order",
            body=f"Dear customer, {BODY_SECRET} regards",
        )
        content = (f"invoice\n{FILE_SECRET}\n" * 50).encode()
        vault.attachments.add(s, vendor, io.BytesIO(content), name=FILE_NAME)
    if with_backup:
        info = backup.make_backup(vault, reason="test")
        assert not info.path.read_bytes().startswith(b"SQLite format 3")
    # while open, with the write-ahead log in use
    assert _leaks(vault_dir) == []
    # the secrets are really stored (the search would be meaningless otherwise)
    with vault.session() as s:
        (attachment,) = s.scalars(select(m.Attachment))
        assert FILE_SECRET.encode() in vault.attachments.read_bytes(attachment)
        assert NOTES_SECRET in s.scalar(select(m.Vendor.notes))
    vault.close()
    files = {p.relative_to(vault_dir).parts[0] for p in vault_dir.rglob("*") if p.is_file()}
    assert {"vault.db", "vault.json", "attachments"} <= files
    assert ("backups" in files) == with_backup
    assert _leaks(vault_dir) == []

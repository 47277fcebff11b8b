"""The tests' vault copies (tests/vault_templates.py) are what Vault.create and demo.build make,
each a vault of its own: its own id, key header, recovery key and share identity."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from vault_templates import copy_vault

from vrmdesk.store import demo, keys
from vrmdesk.store import models as m
from vrmdesk.store.vault import IDENTITY_META_KEY, Vault


def counts(vault: Vault) -> dict[str, int]:
    with vault.session() as s:
        return {
            cls.__name__: s.scalar(select(func.count()).select_from(cls)) or 0
            for cls in m.RECORD_TYPES
        }


def identity(vault: Vault) -> str:
    with vault.session() as s:
        row = s.get(m.Meta, IDENTITY_META_KEY)
        assert row is not None
        return row.value


def files(folder: Path) -> list[Path]:
    """The attachment files of a closed vault (the demo's receipts, encrypted)."""
    return [path for path in (folder / "attachments").rglob("*") if path.is_file()]


def test_a_demo_copy_holds_what_the_demo_builder_makes(tmp_path: Path) -> None:
    made, _ = Vault.create(tmp_path / "made", "pw", kdf=keys.fast_params_for_tests())
    with made:
        with made.session() as s:
            demo.build(s, made.attachments)
        expected = counts(made)
    copied, _ = copy_vault(tmp_path / "copy", "pw", with_demo=True)
    with copied:
        assert counts(copied) == expected and expected["Vendor"] >= 15
    assert len(files(tmp_path / "copy")) == len(files(tmp_path / "made")) > 0  # both closed


def test_an_empty_copy_holds_no_records(tmp_path: Path) -> None:
    vault, _ = copy_vault(tmp_path / "v", "pw")
    with vault:
        assert set(counts(vault).values()) == {0}


def test_every_copy_is_a_vault_of_its_own_that_opens_with_its_keys(tmp_path: Path) -> None:
    first, first_key = copy_vault(tmp_path / "a", "one passphrase", with_demo=True)
    second, second_key = copy_vault(tmp_path / "b", "another", with_demo=True)
    with first, second:
        assert first.header.vault_id != second.header.vault_id
        assert first.header.kdf.salt != second.header.kdf.salt
        assert first_key != second_key
        assert identity(first) != identity(second)
        assert first.writable and second.writable
    with Vault.open(tmp_path / "a", "one passphrase") as again:
        assert counts(again)["Vendor"] >= 15
    with Vault.open(tmp_path / "b", recovery_key=second_key) as again:
        assert again.header.vault_id == second.header.vault_id

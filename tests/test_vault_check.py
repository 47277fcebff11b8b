"""`vrmdesk check`: whatever the damage, a report of what is damaged and what to do, never a
traceback; and a rebuild of the search index and the other indexes when only they are damaged."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from vrmdesk import cli
from vrmdesk.store import keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records, search
from vrmdesk.store.vault import Vault

PASSPHRASE = "correct horse"
PAGE = 4096


@pytest.fixture(scope="module")
def checked_vault(tmp_path_factory) -> Path:
    """A closed vault of many pages: 300 interactions, their full-text index, a few indexes."""
    folder = tmp_path_factory.mktemp("check") / "v"
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=keys.fast_params_for_tests())
    with vault, vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Bosch", notes="the dishwasher people")
        for i in range(300):
            records.create(
                s,
                m.Interaction,
                vendor_id=vendor.id,
                channel="email",
                direction="inbound" if i % 2 else "outbound",
                subject=f"message {i}",
                body=f"body of message {i} about pump{i} " * 12,
            )
    assert (folder / "vault.db").stat().st_size > 60 * PAGE
    return folder


@pytest.fixture
def copy(checked_vault, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "copy"
    shutil.copytree(checked_vault, folder)
    monkeypatch.setenv(cli.PASSPHRASE_ENV, PASSPHRASE)
    return folder


def check(capsys, folder: Path, *extra: str) -> tuple[int, str, str]:
    code = cli.main(["check", "--vault", str(folder), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def root_page(folder: Path, name: str) -> int:
    with Vault.open(folder, PASSPHRASE, readonly=True) as vault, vault.engine.connect() as conn:
        return int(
            conn.exec_driver_sql(
                "SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)
            ).scalar_one()
        )


def flip(folder: Path, page: int, offset_in_page: int = 1000, mask: int = 0x04) -> bytes:
    db = folder / "vault.db"
    data = bytearray(db.read_bytes())
    data[(page - 1) * PAGE + offset_in_page] ^= mask
    db.write_bytes(bytes(data))
    return bytes(data)


def test_an_intact_vault_passes(copy, capsys):
    code, out, err = check(capsys, copy)
    assert (code, err) == (0, "")
    assert "The vault is intact" in out


def test_two_hundred_random_flipped_bits_never_crash_the_check(
    checked_vault, tmp_path, capsys, monkeypatch
):
    """Every answer is exit 0 (intact) or exit 1 with what is damaged and what to do."""
    monkeypatch.setenv(cli.PASSPHRASE_ENV, PASSPHRASE)
    original = (checked_vault / "vault.db").read_bytes()
    rng = random.Random(10)
    folder = tmp_path / "flipped"
    shutil.copytree(checked_vault, folder)
    wrong, outcomes = [], {0: 0, 1: 0}
    for _ in range(200):
        bit = rng.randrange(len(original) * 8)
        damaged = bytearray(original)
        damaged[bit // 8] ^= 1 << (bit % 8)
        (folder / "vault.db").write_bytes(bytes(damaged))
        try:
            code, out, err = check(capsys, folder)
        except BaseException as exc:
            wrong.append(f"bit {bit}: {type(exc).__name__}: {exc}")
            continue
        outcomes[code] = outcomes.get(code, 0) + 1
        if code == 0:
            if "intact" not in out or err:
                wrong.append(f"bit {bit}: exit 0 but {out!r} {err!r}")
        elif code == 1:
            one_line = err.startswith("vrmdesk: ") and err.count("\n") == 1
            advice = "vrmdesk restore" in err or "vrmdesk check --repair" in err
            if not (one_line and advice and "damaged" in err) or "Traceback" in out + err:
                wrong.append(f"bit {bit}: {err!r}")
        else:
            wrong.append(f"bit {bit}: exit {code}")
        if (folder / "vault.db").read_bytes() != damaged:
            wrong.append(f"bit {bit}: check changed vault.db")
    assert wrong == []
    assert outcomes[1] > 150  # nearly every page is in use: nearly every flip is damage


def test_a_damaged_table_is_named_with_its_pages_and_a_restore_is_advised(copy, capsys):
    page = root_page(copy, "interactions")
    damaged = flip(copy, page)
    code, out, err = check(capsys, copy)
    assert code == 1
    assert f"page {page}" in out and "interactions" in out
    assert "vrmdesk restore" in err and "--repair" not in err
    # and a rebuild is refused: the records themselves are damaged
    code, out, err = check(capsys, copy, "--repair")
    assert code == 1 and "vrmdesk restore" in err
    assert (copy / "vault.db").read_bytes() == damaged
    assert not list(copy.glob("vault.db.*"))


@pytest.mark.parametrize(
    "name", ["search_index_data", "search_index_content", "ix_interactions_vendor_time"]
)
def test_damage_only_in_an_index_is_rebuilt_from_the_records(copy, capsys, name):
    page = root_page(copy, name)
    damaged = flip(copy, page)
    code, out, err = check(capsys, copy)
    assert code == 1
    assert f"page {page}" in out and name in out
    assert "vrmdesk check --repair" in err

    code, out, err = check(capsys, copy, "--repair")
    assert (code, err) == (0, "")
    assert "Rebuilt" in out
    (aside,) = copy.glob("vault.db.damaged-*")
    assert aside.read_bytes() == damaged  # the damaged file is kept for the user
    code, out, err = check(capsys, copy)
    assert (code, err) == (0, "") and "intact" in out
    with Vault.open(copy, PASSPHRASE) as vault, vault.session() as s:
        assert len(records.list_records(s, m.Interaction)) == 300
        hits = search.search(s, "pump217", limit=5)
        assert [hit.title for hit in hits] == ["message 217"]


def test_check_names_another_vaults_header(copy, tmp_path, capsys):
    other, _ = Vault.create(tmp_path / "other", PASSPHRASE, kdf=keys.fast_params_for_tests())
    other.close()
    shutil.copyfile(tmp_path / "other" / "vault.json", copy / "vault.json")
    code, _out, err = check(capsys, copy)
    assert code == 1 and "belongs to another vault" in err

"""``vrmdesk sync …``: the command-line contract of issue 15, on two real vaults and a folder."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import sync_helpers
from sqlalchemy import select

from vrmdesk import cli
from vrmdesk.store import keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault

PASS = "sync pass"


@pytest.fixture
def vaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    made = []
    for name in ("laptop", "desktop"):
        folder = tmp_path / name
        vault, _ = Vault.create(folder, PASS, kdf=keys.fast_params_for_tests())
        vault.close()
        made.append(folder)
    monkeypatch.setenv(cli.PASSPHRASE_ENV, PASS)
    return made[0], made[1]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def sync(capsys, vault: Path, *argv: str) -> tuple[int, str, str]:
    return run(capsys, "sync", *argv, "--vault", str(vault))


def as_json(capsys, vault: Path, *argv: str) -> object:
    code, out, err = sync(capsys, vault, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def set_up_pair(capsys, a: Path, b: Path, folder: Path) -> None:
    for vault, name in ((a, "laptop"), (b, "desktop")):
        code, out, err = sync(capsys, vault, "init", "--folder", str(folder), "--name", name)
        assert code == 0, err
        assert f"syncs through {folder}" in out
    codes = {}
    for vault in (a, b):
        code, out, _ = sync(capsys, vault, "code")
        assert code == 0
        assert len(out.splitlines()) == 1 and out.startswith("VRMSYNC1:")
        codes[vault] = out.strip()
    shown = []
    for vault, other in ((a, b), (b, a)):
        code, out, err = sync(capsys, vault, "pair", codes[other], "--yes")
        assert code == 0, err
        shown.append(next(line for line in out.splitlines() if line.startswith("Comparison: ")))
    assert shown[0] == shown[1]  # both devices show the same string


def with_vault(folder: Path, fn):  # type: ignore[no-untyped-def]
    return sync_helpers.in_vault(folder, PASS, fn)


def test_two_vaults_pair_and_stay_in_step_through_the_cli(vaults, capsys, tmp_path):
    a, b = vaults
    folder = tmp_path / "shared"
    set_up_pair(capsys, a, b, folder)
    with_vault(a, lambda v, s: records.create(s, m.Vendor, name="Bosch"))
    report = as_json(capsys, a, "now")
    assert set(report) >= {"sent", "applied", "conflicts", "waiting", "problems"}
    assert report["sent"] > 0 and report["applied"] == 0
    report = as_json(capsys, b, "now")
    assert report["applied"] > 0 and report["problems"] == [] and report["conflicts"] == 0
    assert with_vault(b, lambda v, s: records.find_vendor(s, "Bosch").name) == "Bosch"

    status = as_json(capsys, b, "status")
    assert status["set_up"] is True and status["devices"] == 1 and status["unsent"] >= 0
    assert status["last_sync"] is not None and status["name"] == "desktop"
    devices = as_json(capsys, b, "devices")
    assert [d["name"] for d in devices] == ["laptop"]
    code, out, _ = sync(capsys, b, "devices")
    assert "laptop" in out and "SETS READ" in out

    # the same field edited on both: a conflict on both, resolved from the command line
    def edit(url: str):
        return lambda v, s: records.update(
            s, m.Vendor, records.find_vendor(s, "Bosch").id, website=url
        )

    with_vault(a, edit("https://a.example"))
    with_vault(b, edit("https://b.example"))
    for vault in (a, b, a, b):
        as_json(capsys, vault, "now")
    [conflict] = as_json(capsys, a, "conflicts")
    assert as_json(capsys, b, "conflicts")[0]["gid"] == conflict["gid"]
    assert conflict["kind"] == "concurrent edit" and conflict["field"] == "website"
    values = [v["value"] for v in conflict["versions"]]
    assert sorted(values) == ["https://a.example", "https://b.example"]
    code, out, _ = sync(capsys, a, "conflicts")
    assert "concurrent edit: vendor Bosch, field website" in out and "(in force)" in out
    keep = values.index("https://b.example") + 1
    code, out, err = sync(capsys, a, "resolve", str(conflict["id"]), "--keep", str(keep))
    assert code == 0, err
    for vault in (a, b):
        as_json(capsys, vault, "now")
    assert as_json(capsys, a, "conflicts") == as_json(capsys, b, "conflicts") == []
    site = with_vault(b, lambda v, s: records.find_vendor(s, "Bosch").website)
    assert site == "https://b.example"

    # revoked: the laptop's later changes are ignored on the desktop
    code, out, _ = sync(capsys, b, "revoke", "laptop")
    assert code == 0 and "no further change sets" in out
    with_vault(a, lambda v, s: records.create(s, m.Vendor, name="Miele"))
    as_json(capsys, a, "now")
    report = as_json(capsys, b, "now")
    assert [p["kind"] for p in report["problems"]] == ["revoked"]
    names = with_vault(b, lambda v, s: list(s.scalars(select(m.Vendor.name))))
    assert names == ["Bosch"]


def test_pairing_without_a_terminal_asks_for_yes_and_stores_nothing(vaults, capsys, tmp_path):
    a, b = vaults
    for vault in (a, b):
        sync(capsys, vault, "init", "--folder", str(tmp_path / "shared"))
    _, code_b, _ = sync(capsys, b, "code")
    code, out, err = sync(capsys, a, "pair", code_b.strip())
    assert code == 1
    assert "Comparison: " in out and "--yes" in err and "Traceback" not in err
    assert as_json(capsys, a, "devices") == []


@pytest.mark.parametrize(
    "bad",
    ["", "VRMSYNC1:", "VRMSYNC1:NOTBASE32!!", "VRMSYNC9:AAAA", "hello", "VRMSYNC1:" + "A" * 3000],
)
def test_a_malformed_code_is_refused_with_a_message_and_changes_nothing(vaults, capsys, bad):
    a, _ = vaults
    code, _, err = sync(capsys, a, "pair", bad, "--yes")
    assert code == 1 and err.strip() and "Traceback" not in err
    assert as_json(capsys, a, "devices") == []


def test_a_code_can_come_from_standard_input(vaults, capsys, tmp_path, monkeypatch):
    a, b = vaults
    for vault in (a, b):
        sync(capsys, vault, "init", "--folder", str(tmp_path / "shared"))
    _, code_b, _ = sync(capsys, b, "code")
    monkeypatch.setattr("sys.stdin", io.StringIO(code_b))
    code, _, err = sync(capsys, a, "pair", "-", "--name", "the desktop", "--yes")
    assert code == 0, err
    assert [d["name"] for d in as_json(capsys, a, "devices")] == ["the desktop"]


def test_the_code_as_a_qr_image(vaults, capsys, tmp_path):
    a, _ = vaults
    sync(capsys, a, "init", "--folder", str(tmp_path / "shared"))
    png = tmp_path / "code.png"
    code, out, _ = sync(capsys, a, "code", "--qr", str(png))
    assert code == 0 and out.startswith("VRMSYNC1:")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sync_before_init_and_a_missing_folder_are_refused_clearly(vaults, capsys, tmp_path):
    a, _ = vaults
    code, _, err = sync(capsys, a, "now")
    assert code == 1 and "sync init --folder" in err
    code, out, _ = sync(capsys, a, "status")
    assert code == 0 and "does not sync" in out
    code, _, err = sync(capsys, a, "init", "--folder", str(tmp_path / "no" / "such" / "dir"))
    assert code == 1 and "does not exist" in err
    shared = tmp_path / "usb"
    sync(capsys, a, "init", "--folder", str(shared))
    (shared / "vrmsync.json").unlink()  # the drive is not mounted
    code, _, err = sync(capsys, a, "now", "--json")
    assert code == 1 and "is the drive mounted" in err and "Traceback" not in err


def test_resolve_refuses_what_is_not_an_open_conflict(vaults, capsys, tmp_path):
    a, _ = vaults
    sync(capsys, a, "init", "--folder", str(tmp_path / "shared"))
    code, _, err = sync(capsys, a, "resolve", "7", "--keep", "1")
    assert code == 1 and "No open conflict 7" in err
    with pytest.raises(SystemExit) as usage:  # one of --keep/--value/--keep-deleted/--restore
        sync(capsys, a, "resolve", "7")
    assert usage.value.code == 2


def test_a_file_for_a_folder_and_a_qr_code_into_no_folder_are_refused_clearly(
    vaults, capsys, tmp_path
):
    a, _ = vaults
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    code, _, err = sync(capsys, a, "init", "--folder", str(a_file))
    assert code == 1 and "is a file, not a folder" in err
    assert as_json(capsys, a, "status")["set_up"] is False
    sync(capsys, a, "init", "--folder", str(tmp_path / "shared"))
    code, out, err = sync(capsys, a, "code", "--qr", str(tmp_path / "no" / "code.png"))
    assert code == 1 and "does not exist" in err and out == ""

"""Issue 15's "done when": two vaults on this machine, synced through a real Syncthing folder
(two Syncthing instances on loopback, tests/sync_harness.py), stay in step through edits,
deletes, attachments and conflicts, driven through the command line as a person would."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import sync_helpers
from sqlalchemy import select
from sync_harness import SyncthingPair

from vrmdesk import cli
from vrmdesk.store import changelog, keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault

PASS = "household pass"


def cli_json(capsys: pytest.CaptureFixture[str], vault: Path, *argv: str) -> object:
    code = cli.main(["sync", *argv, "--vault", str(vault), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def cli_run(capsys: pytest.CaptureFixture[str], vault: Path, *argv: str) -> str:
    code = cli.main(["sync", *argv, "--vault", str(vault)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def in_vault(folder: Path, fn):  # type: ignore[no-untyped-def]
    return sync_helpers.in_vault(folder, PASS, fn)


def snapshot(folder: Path) -> dict[str, tuple[str, dict[str, object]]]:
    return in_vault(folder, lambda v, s: changelog.snapshot(s))


def contents(folder: Path) -> dict[str, bytes]:
    return in_vault(
        folder,
        lambda v, s: {a.name: v.attachments.read_bytes(a) for a in s.scalars(select(m.Attachment))},
    )


def test_two_vaults_stay_in_step_through_a_real_syncthing_folder(
    syncthing_pair: SyncthingPair,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pair = syncthing_pair
    pair.clear()
    monkeypatch.setenv(cli.PASSPHRASE_ENV, PASS)
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    for folder in (laptop, desktop):
        Vault.create(folder, PASS, kdf=keys.fast_params_for_tests())[0].close()

    # set up: the laptop first; the desktop once Syncthing brought it the folder's marker
    cli_run(capsys, laptop, "init", "--folder", str(pair.a), "--name", "laptop")
    pair.wait_synced()
    cli_run(capsys, desktop, "init", "--folder", str(pair.b), "--name", "desktop")
    code_laptop = cli_run(capsys, laptop, "code").strip()
    code_desktop = cli_run(capsys, desktop, "code").strip()
    shown_on_laptop = cli_run(capsys, laptop, "pair", code_desktop, "--yes")
    shown_on_desktop = cli_run(capsys, desktop, "pair", code_laptop, "--yes")
    comparison = [line for line in shown_on_laptop.splitlines() if line.startswith("Comparison")]
    assert comparison and comparison[0] in shown_on_desktop

    def exchange() -> list[dict[str, object]]:
        """Both sync, Syncthing carries the sets, both sync again (as the window would)."""
        reports = [cli_json(capsys, laptop, "now"), cli_json(capsys, desktop, "now")]
        pair.wait_synced()
        reports += [cli_json(capsys, laptop, "now"), cli_json(capsys, desktop, "now")]
        pair.wait_synced()
        reports += [cli_json(capsys, laptop, "now"), cli_json(capsys, desktop, "now")]
        for report in reports:
            assert all(p["kind"] != "damaged" for p in report["problems"]), report  # type: ignore[attr-defined]
        return reports

    # an edit with an attachment on the laptop appears on the desktop
    def make_dishwasher(v: Vault, s) -> None:  # type: ignore[no-untyped-def]
        bosch = records.create(s, m.Vendor, name="Bosch", website="https://bosch.example")
        dishwasher = records.create(s, m.Asset, name="Dishwasher", maker_id=bosch.id)
        v.attachments.add(s, dishwasher, io.BytesIO(b"%PDF-1.4 receipt " * 1000), name="r.pdf")

    in_vault(laptop, make_dishwasher)
    exchange()
    assert snapshot(desktop) == snapshot(laptop)
    assert contents(desktop) == {"r.pdf": b"%PDF-1.4 receipt " * 1000}

    # an edit and a delete on the desktop reach the laptop
    def edit_and_delete(v: Vault, s) -> None:  # type: ignore[no-untyped-def]
        bosch = records.find_vendor(s, "Bosch")
        records.update(s, m.Vendor, bosch.id, notes="Hotline 0800 123")
        asset = s.scalars(select(m.Asset)).one()
        records.delete_record(s, m.Asset, asset.id, attachments=v.attachments)

    in_vault(desktop, edit_and_delete)
    exchange()
    assert snapshot(laptop) == snapshot(desktop)
    assert (
        in_vault(laptop, lambda v, s: records.find_vendor(s, "Bosch").notes) == "Hotline 0800 123"
    )
    assert contents(laptop) == {}

    # the two edit one field while Syncthing is cut off: a conflict on both, no value lost
    pair.disconnect()
    for folder, url in ((laptop, "https://laptop.example"), (desktop, "https://desktop.example")):
        in_vault(
            folder,
            lambda v, s, url=url: records.update(
                s, m.Vendor, records.find_vendor(s, "Bosch").id, website=url
            ),
        )
        cli_json(capsys, folder, "now")
    pair.reconnect()
    reports = exchange()
    assert any(r["conflicts"] for r in reports)  # type: ignore[index]
    assert snapshot(laptop) == snapshot(desktop)
    on_laptop = cli_json(capsys, laptop, "conflicts")
    on_desktop = cli_json(capsys, desktop, "conflicts")
    assert [c["gid"] for c in on_laptop] == [c["gid"] for c in on_desktop]  # type: ignore[index]
    [conflict] = on_laptop  # type: ignore[misc]
    values = sorted(v["value"] for v in conflict["versions"])
    assert values == ["https://desktop.example", "https://laptop.example"]

    # settled on the laptop, settled on the desktop too
    keep = [v["value"] for v in conflict["versions"]].index("https://laptop.example") + 1
    cli_run(capsys, laptop, "resolve", str(conflict["id"]), "--keep", str(keep))
    exchange()
    assert cli_json(capsys, laptop, "conflicts") == cli_json(capsys, desktop, "conflicts") == []
    site = in_vault(desktop, lambda v, s: records.find_vendor(s, "Bosch").website)
    assert site == "https://laptop.example"
    assert snapshot(laptop) == snapshot(desktop)
    status = cli_json(capsys, desktop, "status")
    assert status["unsent"] == 0 and status["waiting"] == 0 and status["conflicts"] == 0  # type: ignore[index]

"""The command-line contract: subcommands, passphrase sources, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from vault_templates import demo_folder

from vrmdesk import cli
from vrmdesk.store import demo, keys
from vrmdesk.store.vault import Vault


@pytest.fixture
def demo_vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = demo_folder(tmp_path / "demo", "demo pass")
    monkeypatch.setenv(cli.PASSPHRASE_ENV, "demo pass")
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_and_search_as_text_and_json(demo_vault, capsys):
    code, out, _ = run(capsys, "--vault", str(demo_vault), "list", "vendors")
    assert code == 0 and "Bosch Home Appliances" in out
    code, out, _ = run(capsys, "list", "tickets", "--json", "--vault", str(demo_vault))
    tickets = json.loads(out)
    assert {t["title"] for t in tickets} >= {"Dishwasher stops with error E24"}
    code, out, _ = run(
        capsys,
        "list",
        "interactions",
        "--vendor",
        "bosch home appliances",
        "--json",
        "--vault",
        str(demo_vault),
    )
    assert code == 0 and len(json.loads(out)) == 5
    code, out, _ = run(capsys, "search", "E24", "--json", "--vault", str(demo_vault))
    hits = json.loads(out)
    assert code == 0 and any(h["kind"] == "ticket" for h in hits)
    assert any("[E24]" in h["snippet"] for h in hits)
    pasted = "E24 " + " ".join(f"word{n}" for n in range(30))
    code, out, err = run(capsys, "search", pasted, "--json", "--vault", str(demo_vault))
    assert code == 0 and json.loads(out) == []  # the twelve words kept match nothing
    assert "only its first 12 words were searched for" in err


def test_info_reports_protection_and_attention(demo_vault, capsys):
    code, out, _ = run(capsys, "info", "--json", "--vault", str(demo_vault))
    info = json.loads(out)
    assert code == 0
    assert info["records"]["asset"] == len(demo.ASSETS)
    assert info["attention"]["follow-ups due"] >= 1
    assert info["key_derivation"]["algorithm"] == "argon2id"


def test_passphrase_file_wins_over_the_environment(demo_vault, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv(cli.PASSPHRASE_ENV, "wrong")
    secret = tmp_path / "pass.txt"
    secret.write_text("demo pass\n")
    code, _, _ = run(capsys, "--vault", str(demo_vault), "--passphrase-file", str(secret), "info")
    assert code == 0
    code, _, err = run(capsys, "--vault", str(demo_vault), "info")
    assert code == 1 and "passphrase is not right" in err


def test_backup_restore_and_passwd(demo_vault, capsys, tmp_path, monkeypatch):
    code, out, _ = run(capsys, "backup", "--vault", str(demo_vault))
    assert code == 0 and "Backed up to" in out
    code, out, _ = run(capsys, "restore", "--vault", str(demo_vault))
    assert "  1  " in out
    new = tmp_path / "new.txt"
    new.write_text("a new passphrase")
    code, out, err = run(
        capsys, "passwd", "--new-passphrase-file", str(new), "--vault", str(demo_vault)
    )
    assert code == 0, err
    monkeypatch.setenv(cli.PASSPHRASE_ENV, "a new passphrase")
    code, out, err = run(capsys, "restore", "1", "--vault", str(demo_vault))
    assert code == 0, err
    assert "Restored" in out
    code, out, _ = run(capsys, "check", "--vault", str(demo_vault))
    assert code == 0 and "intact" in out


def test_init_refuses_to_overwrite_and_prints_a_recovery_key(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(keys, "calibrate", keys.fast_params_for_tests)
    monkeypatch.setenv(cli.PASSPHRASE_ENV, "pw")
    folder = tmp_path / "new"
    code, out, _ = run(capsys, "init", "--vault", str(folder))
    assert code == 0
    recovery = out.split("safe):")[1].split()[0]
    assert len(keys.normalize_recovery_key(recovery).replace("-", "")) == 40
    code, _, err = run(capsys, "init", "--vault", str(folder))
    assert code == 1 and "already" in err
    with Vault.open(folder, recovery_key=recovery) as vault:
        assert vault.is_open


def _cli(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "vrmdesk.cli", *argv],
        capture_output=True,
        text=True,
        env=full_env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_expected_failures_give_one_line_and_exit_1(demo_vault, tmp_path):
    bad = _cli("info", "--vault", str(demo_vault), env={cli.PASSPHRASE_ENV: "nope"})
    assert bad.returncode == 1
    assert bad.stderr.strip().count("\n") == 0 and "Traceback" not in bad.stderr
    missing = _cli("list", "vendors", "--vault", str(tmp_path / "none"))
    assert missing.returncode == 1 and "no vault" in missing.stderr
    (demo_vault / "vault.json").write_text("{not json")
    damaged = _cli("info", "--vault", str(demo_vault), env={cli.PASSPHRASE_ENV: "demo pass"})
    assert (
        damaged.returncode == 1
        and "damaged" in damaged.stderr
        and "Traceback" not in damaged.stderr
    )


def test_no_terminal_and_no_passphrase_is_a_clear_failure(demo_vault):
    env = {k: v for k, v in os.environ.items() if k != cli.PASSPHRASE_ENV}
    result = subprocess.run(
        [sys.executable, "-m", "vrmdesk.cli", "info", "--vault", str(demo_vault)],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1 and "--passphrase-file" in result.stderr


def test_usage_errors_exit_2():
    assert _cli("list", "spaceships").returncode == 2
    assert _cli("--no-such-flag").returncode == 2


def test_share_identity_prints_the_public_key_and_fingerprint(demo_vault, capsys, tmp_path):
    code, out, err = run(capsys, "share", "identity", "--vault", str(demo_vault))
    jwk = json.loads(out)
    assert code == 0 and jwk["kty"] == "OKP" and "d" not in jwk
    assert "Fingerprint:" in err
    code, out, _ = run(
        capsys, "share", "identity", "--out", str(tmp_path / "me.jwk"), "--vault", str(demo_vault)
    )
    assert code == 0 and json.loads((tmp_path / "me.jwk").read_text()) == jwk


@pytest.mark.parametrize("command", ["init", "demo"])
@pytest.mark.parametrize("where", ["the-file", "below-the-file"])
def test_init_where_a_file_stands_says_so_and_changes_nothing(tmp_path, command, where):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    target = notes if where == "the-file" else notes / "vault"
    result = _cli("--vault", str(target), command, env={cli.PASSPHRASE_ENV: "pw"})
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("vrmdesk: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert f"{notes} is a file, not a folder" in result.stderr
    assert notes.read_text() == "my notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]

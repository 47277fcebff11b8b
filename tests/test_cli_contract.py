"""The command line's last promises: usage errors exit 2, no display is told in one line, and an
unexpected error is logged without content and told in one line, never as a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from vrmdesk import cli, crashlog


def _cli(
    *argv: str,
    env: dict[str, str] | None = None,
    drop: tuple[str, ...] = (),
    module: str = "vrmdesk.cli",
) -> subprocess.CompletedProcess[str]:
    """``python -m vrmdesk.cli`` (the commands), or ``module="vrmdesk"`` (the program)."""
    full_env = {k: v for k, v in os.environ.items() if k not in drop}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", module, *argv],
        capture_output=True,
        text=True,
        env=full_env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


@pytest.mark.parametrize(
    "argv",
    [
        ("list", "vendors", "--limit", "-1"),
        ("list", "vendors", "--limit", "0"),
        ("list", "vendors", "--limit", "many"),
        ("search", ""),
        ("search", "   "),
        ("search", "E24", "--limit", "0"),
    ],
)
def test_bad_numbers_and_empty_queries_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(list(argv))
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" in err and ("at least 1" in err or "whole number" in err or "some words" in err)


NO_SCREEN = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")


def test_without_a_display_the_gui_says_so_in_one_line(tmp_path):
    result = _cli("--vault", str(tmp_path / "v"), drop=NO_SCREEN, module="vrmdesk")
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "No display found" in result.stderr and "xvfb-run" in result.stderr
    assert "libxcb" not in result.stderr


def test_a_display_that_does_not_answer_is_named(tmp_path):
    result = _cli(
        "--vault", str(tmp_path / "v"), env={"DISPLAY": ":87"}, drop=NO_SCREEN, module="vrmdesk"
    )
    assert result.returncode == 1, result.stderr
    assert "the X display :87 does not answer" in result.stderr and "xvfb-run" in result.stderr


def test_a_platform_chosen_on_purpose_is_left_to_qt():
    from vrmdesk.ui.app.display import display_problem

    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert display_problem({}, "darwin") is None and display_problem({}, "win32") is None
    assert "graphical session" in (display_problem({}, "linux") or "")
    missing = display_problem(
        {"WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": "/nonexistent"}, "linux"
    )
    assert missing is not None and "wayland-9" in missing


@pytest.fixture
def log_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "logs"
    monkeypatch.setattr(crashlog, "log_dir", lambda: folder)
    monkeypatch.setattr(crashlog, "_logger", None)
    yield folder
    if crashlog._logger is not None:
        for handler in crashlog._logger.handlers:
            handler.close()
        crashlog._logger.handlers.clear()


def test_a_bug_is_logged_without_content_and_told_in_one_line(log_folder, capsys, monkeypatch):
    def broken(args):  # type: ignore[no-untyped-def]
        secret = "SMS6" + "ZCI49E"  # a value from the vault (a serial number) held by a bug
        raise RuntimeError(f"cannot format the serial {secret}")

    monkeypatch.setattr(cli.vault, "cmd_info", broken)
    code = cli.main(["info"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and err.startswith(
        "vrmdesk: Something went wrong inside vrmdesk (RuntimeError)"
    )
    assert str(log_folder / "vrmdesk.log") in err
    log = (log_folder / "vrmdesk.log").read_text()
    assert "builtins.RuntimeError" in log and "in broken" in log and "vrmdesk info" in log
    assert "SMS6ZCI49E" not in log  # never the message, never a value
    assert oct((log_folder / "vrmdesk.log").stat().st_mode & 0o777) == "0o600"


def test_a_refused_file_is_told_with_its_name(tmp_path, capsys, monkeypatch):
    from vault_templates import demo_folder

    demo_folder(tmp_path / "v", "pw")
    monkeypatch.setenv(cli.PASSPHRASE_ENV, "pw")
    target = tmp_path / "no" / "such" / "folder" / "me.jwk"
    code = cli.main(["share", "identity", "--out", str(target), "--vault", str(tmp_path / "v")])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert str(target.parent) in err or str(target) in err


@pytest.mark.parametrize("source", ["/dev/zero", "fifo", "folder", "huge"])
def test_a_passphrase_file_that_is_not_a_small_file_is_refused_at_once(source, tmp_path):
    from vrmdesk.store import keys
    from vrmdesk.store.vault import Vault

    Vault.create(tmp_path / "v", "pw", kdf=keys.fast_params_for_tests())[0].close()
    if source == "fifo":
        path = tmp_path / "pipe"
        os.mkfifo(path)
    elif source == "folder":
        path = tmp_path
    elif source == "huge":
        path = tmp_path / "huge"
        path.write_bytes(b"x" * (1 << 20))
    else:
        path = Path(source)
    result = _cli("info", "--vault", str(tmp_path / "v"), "--passphrase-file", str(path))
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert "passphrase file" in result.stderr and "Traceback" not in result.stderr


def test_a_name_the_terminal_cannot_show_is_escaped_not_a_crash(tmp_path):
    from vrmdesk.store import keys
    from vrmdesk.store import models as m
    from vrmdesk.store.services import records
    from vrmdesk.store.vault import Vault

    vault, _ = Vault.create(tmp_path / "v", "pw", kdf=keys.fast_params_for_tests())
    with vault, vault.session() as s:
        records.create(s, m.Vendor, name="Müller Küchen 北京")
    env = {**os.environ, "PYTHONIOENCODING": "latin-1", cli.PASSPHRASE_ENV: "pw"}
    result = subprocess.run(
        [sys.executable, "-m", "vrmdesk.cli", "list", "vendors", "--vault", str(tmp_path / "v")],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("latin-1")
    assert "Müller Küchen" in out and "\\u5317" in out


def test_info_counts_in_words_that_agree_with_their_numbers(tmp_path, capsys, monkeypatch):
    from vault_templates import demo_folder

    demo_folder(tmp_path / "v", "pw")
    monkeypatch.setenv(cli.PASSPHRASE_ENV, "pw")
    assert cli.main(["info", "--vault", str(tmp_path / "v")]) == 0
    out = capsys.readouterr().out
    assert "1 iteration," in out and "1 lane;" in out
    assert "1 ticket waiting on the vendor too long" in out and "1 tickets" not in out
    assert "20 vendors" in out and "13 warranties" in out and "13 things" in out

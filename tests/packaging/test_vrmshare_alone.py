"""vrmshare, the vendor's distribution, on its own: its wheel installed into a fresh virtual
environment with only its own dependencies (no PySide6, no SQLCipher, no SQLAlchemy in it at
all) verifies, opens and answers a bundle that vrmdesk made, and the customer's vrmdesk imports
the answer. And in this environment: importing every vrmshare module loads none of the vault's
libraries or Qt.

The fresh environment's dependencies come from the package index (cryptography, jwcrypto,
jsonschema, pyrage and theirs; pip's cache makes a second run fast), as a vendor would install
them: that the distribution declares what it needs is part of what is tested. Alone:
``pytest -m packaging``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest
from vrmshare import __version__

from vrmdesk import cli

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]
SHARE = ROOT / "packages" / "vrmshare"
PASSPHRASE = "the customer's vault"
FORBIDDEN = ("PySide6", "shiboken6", "sqlalchemy", "sqlcipher3", "alembic", "vrmdesk")


@pytest.fixture(scope="module")
def vendor_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv holding the vrmshare wheel and its dependencies, nothing else."""
    root = tmp_path_factory.mktemp("vrmshare-alone")
    tree = root / "src"
    shutil.copytree(SHARE, tree, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    out = root / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(tree)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = out.glob("vrmshare-*.whl")
    prefix = root / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(prefix)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(prefix / "bin" / "python"), "install",
         "-q", "--disable-pip-version-check", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    yield prefix
    shutil.rmtree(root, ignore_errors=True)


def vendor(prefix: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return subprocess.run(
        [str(prefix / "bin" / "vrmshare"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def customer(monkeypatch: pytest.MonkeyPatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.setenv(cli.PASSPHRASE_ENV, PASSPHRASE)
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out + err


def test_the_environment_has_none_of_the_vault_or_the_desktop(vendor_env: Path):
    probe = (
        "import importlib.util, json;"
        f"print(json.dumps([m for m in {list(FORBIDDEN)!r} if importlib.util.find_spec(m)]))"
    )
    done = subprocess.run(  # not from the checkout, whose vrmdesk/ would be found
        [str(vendor_env / "bin" / "python"), "-c", probe],
        capture_output=True,
        text=True,
        cwd=vendor_env,
    )
    assert done.returncode == 0 and json.loads(done.stdout) == [], done.stdout + done.stderr


def test_vrmshare_alone_verifies_opens_and_answers_a_vrmdesk_bundle(
    vendor_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    vault, bundle = tmp_path / "vault", tmp_path / "for-miele.vrmshare"
    assert customer(monkeypatch, capsys, "--vault", str(vault), "demo")[0] == 0
    code, said = customer(
        monkeypatch, capsys, "--vault", str(vault), "share", "export", "--vendor", "Miele",
        "--out", str(bundle),
    )  # fmt: skip
    assert code == 0, said

    done = vendor(vendor_env, "--version", cwd=tmp_path)
    assert done.stdout.strip() == f"vrmshare {__version__}", done
    done = vendor(vendor_env, "verify", str(bundle), "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    verified = json.loads(done.stdout)
    assert verified["ok"] is True and verified["sender"] and verified["records"] > 0
    assert len(verified["safety_number"].split()) == 12
    done = vendor(vendor_env, "open", str(bundle), "--out", str(tmp_path / "opened"), cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "opened" / "index.html").is_file(), done.stderr
    done = vendor(vendor_env, "roster", "--json", cwd=tmp_path)
    assert {"SD-BASE", "P2B1"} <= {a["id"] for a in json.loads(done.stdout)}, done.stderr

    key, reply = tmp_path / "miele-key.jwk", tmp_path / "reply.vrmshare"
    done = vendor(vendor_env, "keygen", "--out", str(key), cwd=tmp_path)
    assert done.returncode == 0 and "Safety number:" in done.stdout, done.stderr
    done = vendor(
        vendor_env, "reply", "--signing-key", str(key), "--in-reply-to", str(bundle),
        "--out", str(reply), "--message", "We will send a technician on Monday.", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0 and reply.is_file(), done.stderr

    # a refusal is one line, never a traceback
    done = vendor(vendor_env, "verify", str(key), cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.startswith("vrmshare: "), done
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1

    code, said = customer(
        monkeypatch, capsys, "--vault", str(vault), "share", "import", str(reply), "--yes"
    )
    assert code == 0 and "Imported the reply from Miele: 1 message" in said, said


def test_importing_vrmshare_loads_no_qt_and_no_vault_library():
    modules = [
        f"vrmshare.{p.stem}" for p in (SHARE / "vrmshare").glob("*.py") if p.stem != "__main__"
    ]
    probe = (
        f"import importlib, json, sys\nfor name in {modules!r}: importlib.import_module(name)\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(FORBIDDEN)!r})))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0 and json.loads(done.stdout) == [], done.stdout + done.stderr

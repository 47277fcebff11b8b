"""The package as a person installs it: ``python -m build`` makes an sdist and a wheel (the wheel
built from the sdist, as a release builds it) that pass ``twine check``; the wheel, installed (not
editable) into a fresh virtual environment, runs ``--version``, ``demo``, ``info``, ``share
export`` and ``share verify``, ``install-desktop``, and the desktop application offscreen up to
the unlock dialog. Every file under vrmdesk/ that is not Python must be in the wheel, so a
forgotten package-data pattern (icons, JSON Schema, migrations, laws, desktop files) fails here.

Built once per session. The fresh environment gets the wheel alone (``--no-deps``); its
dependencies (PySide6 alone is 651 MB) come from the project's .venv through a ``.pth`` line, so
the test needs no network and takes seconds. A ``.pth`` line only adds a folder: the .venv's
editable install of vrmdesk is not processed there, and the test checks that the program it runs
is the installed one. Alone: ``pytest -m packaging``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from vrmdesk import __version__

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "installed and working"


@dataclass(frozen=True)
class Built:
    wheel: Path
    sdist: Path
    #: vrmshare, the vendor's distribution vrmdesk depends on (packages/vrmshare)
    share_wheel: Path
    share_sdist: Path


@dataclass(frozen=True)
class Installed:
    prefix: Path
    home: Path

    @property
    def vrmdesk(self) -> Path:
        return self.prefix / "bin" / "vrmdesk"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTHON", "VIRTUAL_ENV", "VRMDESK_", "XDG_"))
        }
        return env | {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_DATA_HOME": str(self.home / "share"),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "VRMDESK_PASSPHRASE": PASSPHRASE,
            "QT_QPA_PLATFORM": "offscreen",
            **extra,
        }

    def run(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                [str(self.vrmdesk), *args],
                capture_output=True,
                text=True,
                env=self.env(**extra),
                cwd=self.home,
                timeout=120,
            )
        except subprocess.TimeoutExpired as exc:  # e.g. the dialog shown but never cancelled
            pytest.fail(f"vrmdesk {' '.join(args)} did not end: {exc.stdout!r} {exc.stderr!r}")


def tree_files() -> list[str]:
    """The source tree's files: git's list (tracked, and new ones not ignored) where it is a
    checkout, so nothing generated counts; else every file outside the caches."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
        names = [n for n in listed.split("\0") if n and (ROOT / n).exists()]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "__pycache__", "build", "dist", ".mypy_cache", ".ruff_cache"}
        names = [
            str(p.relative_to(ROOT))
            for p in ROOT.rglob("*")
            if p.is_file() and not skip & set(p.relative_to(ROOT).parts)
        ]
    return sorted(n for n in names if not n.endswith(".egg-info") and ".egg-info/" not in n)


def source_files(package: str = "vrmdesk/") -> list[str]:
    """Every file under ``package`` that is not Python: each must be in the wheel."""
    return [
        n
        for n in tree_files()
        if n.startswith(package) and not n.endswith((".py", ".pyc"))
        and "__pycache__" not in n.split("/")
    ]  # fmt: skip


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    # from a copy of the tree: no stale vrmdesk.egg-info/SOURCES.txt of an earlier build (which
    # setuptools reads and which would hide a missing package-data pattern), nothing written here
    tree = tmp_path_factory.mktemp("tree")
    for name in tree_files():
        target = tree / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target, follow_symlinks=False)
    out = tmp_path_factory.mktemp("dist")
    for source in (tree, tree / "packages" / "vrmshare"):
        done = subprocess.run(
            [sys.executable, "-m", "build", "--outdir", str(out), str(source)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = out.glob("vrmdesk-*.whl")
    (sdist,) = out.glob("vrmdesk-*.tar.gz")
    (share_wheel,) = out.glob("vrmshare-*.whl")
    (share_sdist,) = out.glob("vrmshare-*.tar.gz")
    return Built(wheel, sdist, share_wheel, share_sdist)


@pytest.fixture(scope="session")
def installed(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("installed")
    prefix = root / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(prefix)
    python = prefix / "bin" / "python"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         "--no-index", "--no-cache-dir", str(built.wheel), str(built.share_wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # the dependencies: this environment's site-packages, after the fresh one's own
    (Path(site) / "zz-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    home = root / "home"
    home.mkdir()
    yield Installed(prefix, home)
    shutil.rmtree(root, ignore_errors=True)


def test_the_sdist_and_the_wheel_pass_twine_check(built: Built):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "twine",
            "check",
            "--strict",
            str(built.wheel),
            str(built.sdist),
            str(built.share_wheel),
            str(built.share_sdist),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert built.wheel.name == f"vrmdesk-{__version__}-py3-none-any.whl"
    assert built.share_wheel.name == f"vrmshare-{__version__}-py3-none-any.whl"  # released together


def test_every_file_that_is_not_python_is_in_the_wheel_and_the_sdist(built: Built):
    wanted = source_files()
    assert "vrmdesk/store/rights_laws/gdpr.toml" in wanted  # the list is not empty
    with zipfile.ZipFile(built.wheel) as wheel:
        in_wheel = set(wheel.namelist())
        metadata = next(n for n in in_wheel if n.endswith(".dist-info/METADATA"))
        assert f"\nVersion: {__version__}\n" in wheel.read(metadata).decode()
    assert [n for n in wanted if n not in in_wheel] == []
    with tarfile.open(built.sdist) as sdist:
        top = f"vrmdesk-{__version__}/"
        in_sdist = {n.removeprefix(top) for n in sdist.getnames()}
    assert [n for n in wanted if n not in in_sdist] == []
    assert {"CHANGELOG.md", "README.md", "pyproject.toml"} <= in_sdist


def test_vrmshare_is_released_with_vrmdesk_under_one_version():
    """vrmdesk's version is the one place; vrmshare's and vrmdesk's pin on it must follow it."""
    import tomllib

    import vrmshare

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert f"vrmshare=={__version__}" in [
        d.split("#")[0].strip() for d in pyproject["project"]["dependencies"]
    ]
    assert vrmshare.__version__ == __version__


def test_every_file_of_vrmshare_that_is_not_python_is_in_its_wheel(built: Built):
    wanted = [
        n.removeprefix("packages/vrmshare/") for n in source_files("packages/vrmshare/vrmshare/")
    ]
    assert (
        "vrmshare/schema/manifest.schema.json" in wanted and "vrmshare/roster/P2B1.toml" in wanted
    )
    with zipfile.ZipFile(built.share_wheel) as wheel:
        in_wheel = set(wheel.namelist())
        metadata = wheel.read(next(n for n in in_wheel if n.endswith(".dist-info/METADATA")))
    assert [n for n in wanted if n not in in_wheel] == []
    requires = [line for line in metadata.decode().splitlines() if line.startswith("Requires-Dist")]
    assert not [
        r for r in requires if any(q in r.lower() for q in ("pyside", "sqlalchemy", "sqlcipher"))
    ]


def test_the_installed_program_runs_from_the_wheel(installed: Installed):
    done = installed.run("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"vrmdesk {__version__}", done
    where = subprocess.run(
        [str(installed.prefix / "bin" / "python"), "-c", "import vrmdesk; print(vrmdesk.__file__)"],
        capture_output=True,
        text=True,
        env=installed.env(),
        cwd=installed.home,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(installed.prefix), where  # not the checkout's

    vault = installed.home / "vault"
    done = installed.run("--vault", str(vault), "demo")
    assert done.returncode == 0, done.stderr
    done = installed.run("--vault", str(vault), "info")
    assert done.returncode == 0 and re.search(r"^Schema\s+\d{4}$", done.stdout, re.M), done
    bundle = installed.home / "for-apple.vrmshare"
    done = installed.run("--vault", str(vault), "share", "export", "--vendor", "Apple",
                         "--out", str(bundle))  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = installed.run("share", "verify", str(bundle))
    assert done.returncode == 0 and "Signature and every file hash: OK" in done.stdout, done

    done = installed.run("install-desktop")
    assert done.returncode == 0, done.stderr
    entry = installed.home / "share" / "applications" / "io.github.vrmdesk.vrmdesk.desktop"
    assert f"Exec={installed.vrmdesk} %f" in entry.read_text().splitlines()

    # the desktop application, up to the unlock dialog (which the smoke hook cancels)
    done = installed.run("--vault", str(vault), VRMDESK_SMOKE="dialog")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "vrmdesk: the unlock dialog is shown" in done.stdout, done.stdout + done.stderr

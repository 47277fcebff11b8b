"""The Linux desktop integration (vrmdesk/desktop, packaging/linux): the menu entry, the AppStream
description and the ``.vrmshare`` file type are checked by the freedesktop tools themselves, and
``vrmdesk install-desktop`` puts them where the desktop looks, for the current user only.

A validator that is not installed skips its test on a developer's machine and fails it in CI
(``VRMDESK_CI=1``): scripts/setup --test installs them all.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from share_helpers import make_bundle

from vrmdesk import desktop
from vrmdesk.cli import main

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        reason = f"{name} is not installed (scripts/setup --test installs it)"
        if os.environ.get("VRMDESK_CI"):
            pytest.fail(f"{reason}: CI must run the desktop-file checks")
        pytest.skip(reason)
    return found


def run(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture
def bundle_file(tmp_path: Path) -> Path:
    return make_bundle(tmp_path / "for-the-vendor.vrmshare").path


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """This test's own XDG_DATA_HOME and XDG_CONFIG_HOME (never the person's)."""
    homes = {"data": tmp_path / "share", "config": tmp_path / "config"}
    monkeypatch.setenv("XDG_DATA_HOME", str(homes["data"]))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(homes["config"]))
    return homes


def test_packaging_linux_holds_the_files_the_wheel_carries():
    for name in (f"{desktop.APP_ID}.desktop", f"{desktop.APP_ID}.metainfo.xml"):
        assert (LINUX / name).resolve() == (desktop.DATA / name).resolve()
    assert (LINUX / f"{desktop.APP_ID}.mime.xml").is_file()
    for size in desktop.ICON_SIZES:
        assert (LINUX / "icons" / f"{size}.png").is_file(), size


def test_the_rendered_icons_have_their_sizes():
    for size in desktop.ICON_SIZES:
        head = (desktop.DATA / "icons" / f"{size}.png").read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        assert (width, height) == (size, size)


def test_the_desktop_entries_validate(tmp_path: Path):
    validate = tool("desktop-file-validate")
    odd = tmp_path / "a folder with 'quotes' & $signs" / "vrmdesk"
    entries = {
        "template": desktop.DATA / f"{desktop.APP_ID}.desktop",
        "installed": desktop.desktop_entry([str(odd)]),
        "autostart": desktop.desktop_entry(autostart=True),
    }
    for name, entry in entries.items():
        if isinstance(entry, str):
            path = tmp_path / f"{name}.desktop"
            path.write_text(entry)
            entry = path
        done = run(validate, str(entry))
        assert done.returncode == 0 and not done.stdout.strip(), (name, done.stdout, done.stderr)


def test_the_exec_line_quotes_as_the_specification_says():
    assert desktop.exec_line(["/usr/bin/vrmdesk"], "%f") == "/usr/bin/vrmdesk %f"
    # reserved characters: the argument quoted, then " ` $ \ escaped, then the value's own escape
    assert desktop.exec_line(["/a b/$x/vr\\m"]) == '"/a b/\\\\$x/vr\\\\\\\\m"'
    assert desktop.exec_line(["/opt/100%/vrmdesk"]) == "/opt/100%%/vrmdesk"
    entry = desktop.desktop_entry(autostart=True)
    assert re.search(r"^Exec=.+ --tray$", entry, re.M)
    assert "MimeType=" not in entry and "X-GNOME-Autostart-enabled=true" in entry


def test_the_launcher_is_this_installation(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    # beside the interpreter when pip put the script there; else the interpreter with -m
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    monkeypatch.setattr(sys, "executable", str(python))
    assert desktop.launcher() == [str(python), "-m", "vrmdesk"]
    script = python.with_name("vrmdesk")
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    assert desktop.launcher() == [str(script)]


def test_the_metainfo_validates_and_its_releases_are_the_changelogs():
    appstreamcli = tool("appstreamcli")
    metainfo = desktop.DATA / f"{desktop.APP_ID}.metainfo.xml"
    done = run(appstreamcli, "validate", "--no-net", str(metainfo))
    assert done.returncode == 0, done.stdout + done.stderr
    releases = re.findall(r'<release version="([^"]+)" date="([^"]+)"', metainfo.read_text())
    changelog = (ROOT / "CHANGELOG.md").read_text()
    logged = re.findall(r"^## \[(\d[^\]]*)\] - (\d{4}-\d\d-\d\d)$", changelog, re.M)
    assert releases == logged
    from vrmdesk import __version__

    assert releases[0][0] == __version__ or "## [Unreleased]" in changelog


def test_the_mime_type_is_registered_and_classifies_a_real_bundle(
    xdg: dict[str, Path], tmp_path: Path, bundle_file: Path
):
    tool("update-mime-database")
    xdg_mime = tool("xdg-mime")
    tool("mimetype")  # xdg-mime's generic look-up (File::MimeInfo), which reads shared-mime-info
    gio = tool("gio")
    assert main(["install-desktop"]) == 0
    assert (xdg["data"] / "mime" / "packages" / f"{desktop.APP_ID}.xml").is_file()
    assert "*.vrmshare" in (xdg["data"] / "mime" / "globs2").read_text()
    without_suffix = tmp_path / "bundle-without-a-suffix"
    shutil.copyfile(bundle_file, without_suffix)  # known by its magic: manifest.json first
    other_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("readme.txt", "not a bundle")
    env = dict(os.environ, XDG_CURRENT_DESKTOP="", DE="generic")
    expected = {bundle_file: desktop.MIME_TYPE, without_suffix: desktop.MIME_TYPE}
    expected[other_zip] = "application/zip"
    for path, mime in expected.items():
        done = run(xdg_mime, "query", "filetype", str(path), env=env)
        assert done.stdout.strip() == mime, (path.name, done.stdout, done.stderr)
        done = run(gio, "info", "-a", "standard::content-type", str(path), env=env)
        assert f"standard::content-type: {mime}" in done.stdout, (path.name, done.stdout)


def test_install_desktop_registers_for_this_user_and_uninstall_removes_it(
    xdg: dict[str, Path], capsys: pytest.CaptureFixture[str]
):
    data = xdg["data"]
    assert main(["install-desktop"]) == 0
    entry = data / "applications" / f"{desktop.APP_ID}.desktop"
    assert entry.is_file() and oct(entry.stat().st_mode & 0o777) == "0o644"
    text = entry.read_text()
    assert "Exec=" + desktop.exec_line(desktop.launcher(), "%f") in text.splitlines()
    assert (data / "metainfo" / f"{desktop.APP_ID}.metainfo.xml").is_file()
    assert (data / "icons/hicolor/scalable/apps" / f"{desktop.APP_ID}.svg").is_file()
    for size in desktop.ICON_SIZES:
        png = data / f"icons/hicolor/{size}x{size}/apps/{desktop.APP_ID}.png"
        assert png.read_bytes() == (desktop.DATA / "icons" / f"{size}.png").read_bytes()
    assert str(data) in capsys.readouterr().out
    assert main(["install-desktop", "--uninstall"]) == 0
    assert not entry.exists()
    assert not list(data.rglob(f"{desktop.APP_ID}*"))
    assert main(["install-desktop", "--uninstall"]) == 0  # nothing left to remove: no error


def test_install_desktop_without_the_cache_tools(
    xdg: dict[str, Path], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PATH", str(xdg["data"]))  # none of them to be found
    done = desktop.install()
    assert done.refreshed == [] and all(p.is_file() for p in done.files)


def test_autostart_honours_xdg_config_home(xdg: dict[str, Path], monkeypatch):
    path = xdg["config"] / "autostart" / f"{desktop.APP_ID}.desktop"
    assert not desktop.autostart_enabled()
    assert desktop.set_autostart(True) == path
    assert desktop.autostart_enabled() and "--tray" in path.read_text()
    desktop.set_autostart(False)
    assert not path.exists() and not desktop.autostart_enabled()
    desktop.set_autostart(False)  # already off: nothing to do
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/path")  # not absolute: ignored, as specified
    monkeypatch.setenv("HOME", str(xdg["config"].parent))
    assert desktop.autostart_path() == xdg["config"].parent / ".config" / "autostart" / path.name


def test_tray_is_handed_to_the_desktop_application(tmp_path: Path):
    started: list[tuple[Path | None, bool]] = []

    def gui(folder: Path | None, bundle: Path | None, tray: bool) -> int:
        started.append((folder, tray))
        return 0

    assert main(["--tray"], gui=gui) == 0
    assert main(["--vault", str(tmp_path)], gui=gui) == 0
    assert started == [(None, True), (tmp_path, False)]


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_install_desktop_elsewhere_says_it_is_for_linux(
    platform: str, xdg: dict[str, Path], monkeypatch, capsys
):
    monkeypatch.setattr(sys, "platform", platform)
    assert main(["install-desktop"]) == 1
    assert "for Linux desktops" in capsys.readouterr().err
    assert not xdg["data"].exists()

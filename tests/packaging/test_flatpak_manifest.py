"""The Flatpak manifest (packaging/flatpak), checked as far as a machine without flatpak-builder
can: it parses, it is the program's id on the PySide base app of a PySide6 inside pyproject's
range, its requirements name every dependency but PySide6 (with pyproject's bounds), and every
file it installs exists. Building it is not tested here (packaging/README.md)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

from vrmdesk import desktop

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]
FLATPAK = ROOT / "packaging" / "flatpak"
MANIFEST = FLATPAK / f"{desktop.APP_ID}.yml"


def pyproject() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_the_manifest_is_the_program_on_the_pyside_base_app():
    manifest = yaml.safe_load(MANIFEST.read_text())
    assert manifest["id"] == desktop.APP_ID
    assert manifest["base"] == "io.qt.PySide.BaseApp"
    assert manifest["runtime"] == "org.kde.Platform"
    assert manifest["base-version"] == manifest["runtime-version"]
    assert manifest["command"] in pyproject()["scripts"]
    pyside = next(
        Requirement(r) for r in pyproject()["dependencies"] if r.startswith("PySide6-Essentials")
    )
    assert Version(manifest["base-version"] + ".0") in pyside.specifier  # the base app's PySide6
    names = [m if isinstance(m, str) else m["name"] for m in manifest["modules"]]
    assert names == ["python3-requirements.json", "vrmdesk"]


def test_its_requirements_are_pyprojects_but_pyside():
    wanted = {
        Requirement(r).name.lower(): str(Requirement(r).specifier)
        for r in pyproject()["dependencies"]
        if not r.lower().startswith(("pyside6", "vrmshare"))  # the base app's; the tree's
    }
    lines = (FLATPAK / "requirements.txt").read_text().splitlines()
    listed = {
        Requirement(line).name.lower(): str(Requirement(line).specifier)
        for line in lines
        if line.strip() and not line.startswith("#")
    }
    assert listed == wanted


def test_every_file_it_installs_is_in_the_tree():
    manifest = yaml.safe_load(MANIFEST.read_text())
    (app,) = [m for m in manifest["modules"] if isinstance(m, dict)]
    commands = "\n".join(app["build-commands"])
    # vrmdesk depends on vrmshare, which no index has: built from the tree, before vrmdesk
    installs = [c.split()[-1] for c in app["build-commands"] if c.startswith("pip3 install")]
    assert installs == ["./packages/vrmshare", "."]
    sizes = re.search(r"for size in ([\d ]+); do", commands)
    assert sizes and tuple(int(s) for s in sizes.group(1).split()) == desktop.ICON_SIZES
    sources = re.findall(r"install -Dm644 (\S+)", commands)
    assert len(sources) == 5
    for source in sources:
        for size in desktop.ICON_SIZES if "${size}" in source else (0,):
            path = source.replace("${FLATPAK_ID}", desktop.APP_ID).replace("${size}", str(size))
            assert (ROOT / path).is_file(), path

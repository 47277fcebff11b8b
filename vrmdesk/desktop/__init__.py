"""The program as the desktop knows it (Linux, freedesktop.org): the menu entry, the icons, the
``.vrmshare`` file type and the AppStream description, registered for the current user, and the
"start at login in the tray" autostart entry.

    data/         the files themselves (package data, so a pip install has them; packaging/linux
                  links to them): APP_ID.desktop, APP_ID.metainfo.xml, APP_ID.mime.xml, and
                  icons/N.png rendered from the window's SVG by scripts/render_icons.py

A base-level module: paths and file writes only, no Qt, no vault. ``vrmdesk install-desktop``
(cli/desktop.py) and the Settings dialog call it. Every path honours ``XDG_DATA_HOME`` and
``XDG_CONFIG_HOME`` (an unset or relative one means ``~/.local/share`` and ``~/.config``, as the
XDG Base Directory specification says).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vrmshare.fileutil import atomic_write_bytes

__all__ = [
    "APP_ID",
    "ICON_SIZES",
    "MIME_TYPE",
    "Installed",
    "autostart_enabled",
    "autostart_path",
    "desktop_entry",
    "install",
    "launcher",
    "set_autostart",
    "uninstall",
]

#: the reverse-DNS id the desktop knows the program by (file names, icon name, Wayland app id)
APP_ID = "io.github.vrmdesk.vrmdesk"
#: a share bundle's type (data/APP_ID.mime.xml): glob *.vrmshare, magic "PK\3\4" + manifest.json
MIME_TYPE = "application/x-vrmshare"
DATA = Path(__file__).with_name("data")
#: the icon's one source: the window's own (ui/widgets/icons_svg), read as a file, not imported
SVG_ICON = Path(__file__).resolve().parent.parent / "ui" / "widgets" / "icons_svg" / "vrmdesk.svg"
#: the hicolor sizes rendered to data/icons/N.png (the SVG goes to scalable/ as well)
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
#: what refreshes the desktop's caches after a change, each run only where it is installed
_REFRESH = (
    ("update-desktop-database", "applications"),
    ("update-mime-database", "mime"),
    ("gtk-update-icon-cache", "icons/hicolor"),
)


def _xdg(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable, "")
    return Path(value) if os.path.isabs(value) else Path.home() / fallback


def data_home() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share")


def config_home() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config")


def launcher() -> list[str]:
    """The command that starts this installation of vrmdesk, as absolute paths.

    The ``vrmdesk`` script that pip (or pipx) put beside this interpreter when there is one, so
    the menu starts the same program the person installed even where that ``bin`` folder is not
    on the desktop session's PATH (pipx's ~/.local/bin often is not); otherwise this interpreter
    with ``-m vrmdesk`` (a checkout run with ``python -m vrmdesk``), which is always right.
    """
    python = Path(sys.executable)
    script = python.with_name("vrmdesk.exe" if os.name == "nt" else "vrmdesk")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [str(python), "-m", "vrmdesk"]


_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def _exec_quote(argument: str) -> str:
    """One argument of an Exec key, quoted as the Desktop Entry specification says."""
    argument = argument.replace("%", "%%")
    if not argument or _RESERVED & set(argument):
        inner = "".join("\\" + c if c in '"`$\\' else c for c in argument)
        argument = f'"{inner}"'
    return argument.replace("\\", "\\\\")  # the value's own escape, on top of the quoting


def exec_line(arguments: Sequence[str], field_code: str = "") -> str:
    line = " ".join(_exec_quote(a) for a in arguments)
    return f"{line} {field_code}" if field_code else line


def desktop_entry(command: Sequence[str] | None = None, *, autostart: bool = False) -> str:
    """The menu entry (data/APP_ID.desktop) with its Exec and TryExec pointing at ``command``
    (:func:`launcher` when None); for autostart, started in the tray and taking no file."""
    command = list(command or launcher())
    lines = []
    for line in (DATA / f"{APP_ID}.desktop").read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            if autostart:
                line = "Exec=" + exec_line([*command, "--tray"])
            else:
                line = "Exec=" + exec_line(command, "%f")
            lines.append(line)
            lines.append("TryExec=" + command[0].replace("\\", "\\\\"))  # a plain string
        elif autostart and line.startswith("MimeType="):
            continue
        else:
            lines.append(line)
    if autostart:
        lines.append("X-GNOME-Autostart-enabled=true")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Installed:
    """What an install or uninstall did: the files written or removed, the caches refreshed."""

    files: list[Path]
    refreshed: list[str]


def _targets(data: Path) -> Iterable[tuple[Path, bytes | None]]:
    """Every file install-desktop writes, with its content (None: copied as it is)."""
    yield data / "applications" / f"{APP_ID}.desktop", desktop_entry().encode()
    yield data / "metainfo" / f"{APP_ID}.metainfo.xml", None
    yield data / "mime" / "packages" / f"{APP_ID}.xml", None
    yield data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg", None
    for size in ICON_SIZES:
        yield data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png", None


def _source(target: Path) -> Path:
    if target.suffix == ".svg":
        return SVG_ICON
    if target.suffix == ".png":
        return DATA / "icons" / f"{target.parent.parent.name.split('x')[0]}.png"
    if target.parent.name == "packages":
        return DATA / f"{APP_ID}.mime.xml"
    return DATA / target.name


def install(data: Path | None = None) -> Installed:
    """Register the menu entry, icons, file type and description for this user."""
    data = data or data_home()
    written = []
    for target, content in _targets(data):
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, _source(target).read_bytes() if content is None else content)
        target.chmod(0o644)  # other programs of the desktop read them (the writer makes 0600)
        written.append(target)
    return Installed(written, _refresh(data))


def uninstall(data: Path | None = None) -> Installed:
    """Remove what :func:`install` registered (what is not there is not an error)."""
    data = data or data_home()
    removed = []
    for target, _content in _targets(data):
        try:
            target.unlink()
        except FileNotFoundError:
            continue
        removed.append(target)
    return Installed(removed, _refresh(data))


def _refresh(data: Path) -> list[str]:
    """Run the desktop's cache tools that are installed; a missing or failing one is skipped
    (the desktop then finds the files on its next scan)."""
    ran = []
    for tool, folder in _REFRESH:
        path = shutil.which(tool)
        if path is None or not (data / folder).is_dir():
            continue
        extra = ["-f", "-t", "-q"] if tool == "gtk-update-icon-cache" else []
        try:
            done = subprocess.run(
                [path, *extra, str(data / folder)], capture_output=True, timeout=120, check=False
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            ran.append(tool)
    return ran


def autostart_path(config: Path | None = None) -> Path:
    return (config or config_home()) / "autostart" / f"{APP_ID}.desktop"


def autostart_enabled(config: Path | None = None) -> bool:
    return autostart_path(config).is_file()


def set_autostart(enabled: bool, config: Path | None = None) -> Path:
    """Write (or remove) the XDG autostart entry that starts vrmdesk, locked, in the tray at
    login; the entry's path."""
    path = autostart_path(config)
    if enabled:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, desktop_entry(autostart=True).encode())
        path.chmod(0o644)
    else:
        path.unlink(missing_ok=True)
    return path

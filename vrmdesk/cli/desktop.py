"""``vrmdesk install-desktop [--uninstall]``: the menu entry, icons, the ``.vrmshare`` file type
and the AppStream description registered for the current user (vrmdesk/desktop)."""

from __future__ import annotations

import argparse
import shlex
import sys

from vrmdesk import desktop
from vrmdesk.cli.common import AddCommand
from vrmdesk.errors import VrmError


def cmd_install_desktop(args: argparse.Namespace) -> int:
    if sys.platform in ("win32", "darwin"):
        raise VrmError(
            "install-desktop is for Linux desktops (freedesktop.org); on Windows and macOS "
            "see packaging/README.md."
        )
    data = desktop.data_home()
    if args.uninstall:
        done = desktop.uninstall(data)
        print(f"Removed {len(done.files)} files of vrmdesk's desktop integration from {data}.")
    else:
        done = desktop.install(data)
        print(
            f"Registered vrmdesk for this user in {data}: the menu entry, "
            f"{len(desktop.ICON_SIZES) + 1} icons, the .vrmshare file type and its description."
        )
        print("It starts: " + shlex.join(desktop.launcher()))
    if done.refreshed:
        print("Refreshed: " + ", ".join(done.refreshed))
    return 0


def add_parsers(add: AddCommand) -> None:
    p = add(
        "install-desktop",
        cmd_install_desktop,
        "add vrmdesk to this user's application menu, with its icon and the .vrmshare file type "
        "(Linux desktops; XDG_DATA_HOME)",
    )
    p.add_argument("--uninstall", action="store_true", help="remove them again")

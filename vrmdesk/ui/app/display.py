"""Is there a screen to open a window on? Asked before Qt is started.

Qt aborts the process (SIGABRT) when its platform plugin finds no display, with a message about
``libxcb-cursor0`` that sends people the wrong way. On Linux and the BSDs this looks first: the
environment names an X or a Wayland display, and an X display answers (a connection through
libxcb, which Qt's own xcb plugin needs anyway). A platform chosen on purpose
(``QT_QPA_PLATFORM=offscreen``, ``vnc`` …) is left alone, and so are macOS and Windows.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from collections.abc import Mapping
from pathlib import Path

HOW = (
    "On a machine without a screen, run it under a virtual one (xvfb-run -a vrmdesk), "
    "or use a command (vrmdesk --help)."
)


def display_problem(
    env: Mapping[str, str] | None = None, platform: str | None = None
) -> str | None:
    """Why no window can open here, in one sentence, or None when one can (or Qt decides)."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform.startswith(("win", "darwin", "cygwin")):
        return None
    chosen = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0]
    if chosen and chosen not in ("xcb", "wayland", "wayland-egl"):
        return None
    x_display = env.get("DISPLAY", "")
    wayland = env.get("WAYLAND_DISPLAY", "")
    if chosen.startswith("wayland") or (wayland and not x_display):
        if _wayland_socket(env, wayland or "wayland-0").exists():
            return None
        return f"No display found: the Wayland display {wayland or 'wayland-0'} is not there. {HOW}"
    if not x_display:
        return f"No display found: the desktop application needs a graphical session. {HOW}"
    if _x_answers(x_display) is False:
        return f"No display found: the X display {x_display} does not answer. {HOW}"
    return None


def _wayland_socket(env: Mapping[str, str], name: str) -> Path:
    if name.startswith("/"):
        return Path(name)
    return Path(env.get("XDG_RUNTIME_DIR", f"/run/user/{os.getuid()}")) / name


def _x_answers(display: str) -> bool | None:
    """True or False when libxcb could ask; None when it is not there to ask (Qt will say)."""
    name = ctypes.util.find_library("xcb")
    if name is None:
        return None
    try:
        xcb = ctypes.CDLL(name)
    except OSError:
        return None
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return connection is not None and xcb.xcb_connection_has_error(connection) == 0
    finally:
        if connection:
            xcb.xcb_disconnect(connection)

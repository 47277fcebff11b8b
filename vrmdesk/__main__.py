"""The ``vrmdesk`` program: a command (``vrmdesk.cli``), or the desktop application without one.

It sits above both layers, so the command line never imports Qt and the desktop application
never parses arguments of its own; Qt is imported only when the window is wanted.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from vrmdesk.cli import main as cli_main


def run_gui(folder: Path | None, bundle: Path | None = None, tray: bool = False) -> int:
    from vrmdesk.ui.app.application import run  # Qt from here on

    return run(folder, bundle, tray=tray)


def main(argv: Sequence[str] | None = None) -> int:
    return cli_main(argv, gui=run_gui)


if __name__ == "__main__":
    sys.exit(main())

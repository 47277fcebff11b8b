"""The core runs without Qt: the store, share and CLI modules never import PySide6."""

from __future__ import annotations

import subprocess
import sys


def test_core_and_cli_import_no_qt():
    code = (
        "import sys, pkgutil, importlib, vrmdesk\n"
        "for mod in pkgutil.walk_packages(vrmdesk.__path__, 'vrmdesk.'):\n"
        "    if not mod.name.startswith('vrmdesk.ui'):\n"
        "        importlib.import_module(mod.name)\n"
        "import vrmdesk.cli\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'vrmdesk.ui.')))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""

"""The unlock dialog comes before the database library: the real program, started on a vault that
exists, shows the dialog with neither SQLAlchemy nor SQLCipher loaded (they load on a worker while
the passphrase is typed). Counted in modules, not timed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from vrmdesk.store.vault import Vault

CHILD = r"""
import os, sys
from vrmdesk.ui.vault import unlock

def shown(self, event):
    tops = {m.split(".")[0] for m in sys.modules}
    loaded = sorted(tops & {"sqlalchemy", "sqlcipher3", "alembic"})
    print("loaded at the dialog:", ",".join(loaded), flush=True)
    os._exit(0)

unlock.UnlockDialog.showEvent = shown
from vrmdesk.__main__ import main
main(["--vault", sys.argv[1]])
"""


def test_the_unlock_dialog_shows_before_the_database_library_loads(vault: Vault, tmp_path: Path):
    folder = vault.folder
    vault.close()
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",  # no remembered key: the dialog
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        HOME=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "loaded at the dialog:" in result.stdout, result.stdout + result.stderr
    assert result.stdout.strip().endswith("loaded at the dialog:")

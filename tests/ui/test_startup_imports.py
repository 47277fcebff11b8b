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


WINDOW_CHILD = r"""
import sys
from pathlib import Path
from vrmdesk.store.tempcopies import TempCopies
from vrmdesk.store.vault import Vault
from vrmdesk.ui.app.application import make_app
from vrmdesk.ui.app.main_window import MainWindow
from vrmdesk.ui.core import preferences
from vrmdesk.ui.core.controller import VaultController

app = make_app()
controller = VaultController(Vault.open(Path(sys.argv[1]), sys.argv[2]), TempCopies())
window = MainWindow(controller, preferences.Preferences())
window.show()
controller.notify({"*"})
app.processEvents()
print("signing code loaded:", "jwcrypto" in sys.modules, flush=True)
controller.lock()
"""


def test_the_window_built_after_the_unlock_loads_no_signing_code(vault: Vault, tmp_path: Path):
    # jwcrypto (about 0.1 s to import) is for making and checking bundles, not for showing them
    folder = vault.folder
    vault.close()
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        HOME=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-c", WINDOW_CHILD, str(folder), "correct horse"],  # the vault fixture's
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "signing code loaded: False" in result.stdout, result.stdout + result.stderr

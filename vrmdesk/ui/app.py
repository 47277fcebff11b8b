"""Starting the desktop application."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from vrmdesk.store.vault import default_vault_dir


class MainWindow(QMainWindow):
    """A plain window until the desktop issue builds the real one."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.setWindowTitle(f"vrmdesk — {folder}")
        label = QLabel(
            f"vrmdesk\n\nVault: {folder}\n\nUse the command line (vrmdesk --help) for now."
        )
        label.setMargin(24)
        self.setCentralWidget(label)
        self.resize(640, 400)


def run(folder: Path | None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("vrmdesk")
    window = MainWindow(folder or default_vault_dir())
    window.show()
    return app.exec()

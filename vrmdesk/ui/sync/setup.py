"""Set up sync…: the folder another program replicates between the devices (Syncthing, a cloud
drive, a network share), and this device's name as the others will show it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.sync import engine
from vrmdesk.sync.device import default_name
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.progress import run_with_progress
from vrmdesk.ui.editors.form_rows import ErrorLabel

EXPLAIN = (
    "Each device keeps its own vault. They exchange signed, encrypted change sets through a "
    "folder that another program copies between them: Syncthing, Nextcloud, Dropbox, a network "
    "share or a USB stick. Choose an empty folder that program replicates (never the vault's own "
    "folder). Then pair the devices with Sync → Pair a device…"
)


def non_native() -> bool:
    """The file dialog of Qt itself where there is no desktop to ask (the tests' offscreen)."""
    return QApplication.platformName() in ("offscreen", "minimal")


class SetUpDialog(QDialog):
    def __init__(self, controller: VaultController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Set up sync")
        self.setAccessibleName("Set up sync")
        self.folder_set: Path | None = None
        status = engine.status(controller.vault)
        intro = QLabel(EXPLAIN)
        intro.setWordWrap(True)
        self.folder = QLineEdit(str(status.folder) if status.folder else "")
        self.folder.setAccessibleName("Sync folder")
        self.folder.setPlaceholderText(str(Path.home() / "Sync" / "vrmdesk"))
        self.browse = QPushButton("&Browse…")
        self.browse.setAutoDefault(False)
        self.browse.clicked.connect(self.choose_folder)
        self.folder_error = ErrorLabel()
        self.folder_error.setAccessibleName("Sync folder problem")
        self.name = QLineEdit(status.name or default_name())
        self.name.setAccessibleName("This device's name")
        self.name.setToolTip("How the other devices show this one (the host name unless you say)")
        self.file_dialog: QFileDialog | None = None

        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(self.browse)
        folder_box = QVBoxLayout()
        folder_box.addLayout(row)
        folder_box.addWidget(self.folder_error)
        form = QFormLayout()
        folder_label = QLabel("&Folder:")
        folder_label.setBuddy(self.folder)
        form.addRow(folder_label, folder_box)
        form.addRow("This device's &name:", self.name)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("&Set up sync" if not status.set_up else "&Save")
        self.ok.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Cancel")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(620, self.sizeHint().height())

    def choose_folder(self) -> None:
        start = self.folder.text().strip() or str(Path.home())
        dialog = QFileDialog(self, "The sync folder", start)
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, non_native())
        dialog.fileSelected.connect(self._chosen)
        dialog.finished.connect(dialog.deleteLater)
        self.file_dialog = dialog
        dialog.open()

    def _chosen(self, path: str) -> None:
        if path:
            self.folder.setText(path)
            self.folder_error.set_text("")

    def save(self) -> None:
        text = self.folder.text().strip()
        if not text:
            self.folder_error.set_text("Choose the folder the devices share.")
            self.folder.setFocus()
            return
        name = self.name.text().strip() or None
        folder = Path(text).expanduser()
        vault = self.controller.vault
        self.ok.setEnabled(False)
        # off the UI thread: setting up logs every record made before the change log existed
        # (a minute for a decade's vault)
        run_with_progress(
            self,
            self.controller,
            "Setting up sync…",
            lambda task: engine.init(vault, folder, name=name),
            self._set_up,
            self._refused,
        )

    def _set_up(self, folder: Path) -> None:
        self.folder_set = folder
        self.controller.status.emit(f"Sync set up: this vault syncs through {folder}.")
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        self.folder_error.set_text(explain(exc))
        self.folder.setFocus()

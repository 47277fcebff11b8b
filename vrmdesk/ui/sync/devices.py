"""The paired devices: name, short id, when paired, the last set applied, revoked; Rename and
Revoke."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import VrmError
from vrmdesk.sync import engine
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.editors.form_rows import ErrorLabel
from vrmdesk.ui.sync.words import short_id, when
from vrmdesk.ui.widgets.buttons import ask_action

COLUMNS = ("Name", "Device", "Paired", "Last set", "Revoked")


class DevicesDialog(QDialog):
    def __init__(self, controller: VaultController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Paired devices")
        self.setAccessibleName("Paired devices")
        self.devices: list[Any] = []
        self.this_device = QLabel()
        self.this_device.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Paired devices")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selected)
        self.empty = QLabel("No device is paired yet: Sync → Pair a device…")
        self.error = ErrorLabel()
        self.rename_button = QPushButton("&Rename…")
        self.rename_button.clicked.connect(self.rename)
        self.revoke_button = QPushButton("Re&voke…")
        self.revoke_button.clicked.connect(self.revoke)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("C&lose")
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.rename_button)
        row.addWidget(self.revoke_button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.this_device)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.error)
        layout.addLayout(row)
        self.resize(720, 360)
        self.reload()

    def reload(self, keep: str | None = None) -> None:
        vault = self.controller.vault
        status = engine.status(vault)
        self.this_device.setText(
            f"This device: {status.name} ({short_id(status.device)})"
            + (f", syncing through {status.folder}" if status.folder else ", not set up")
        )
        self.devices = engine.devices(vault)
        self.table.setRowCount(len(self.devices))
        for row, device in enumerate(self.devices):
            cells = (
                device.name,
                short_id(device.device),
                when(device.paired_at),
                str(device.last_set) if device.last_set else "none yet",
                when(device.revoked_at) if device.revoked_at else "",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setToolTip(device.device)
                self.table.setItem(row, column, item)
            if device.device == keep:
                self.table.selectRow(row)
        self.empty.setVisible(not self.devices)
        self.table.setVisible(bool(self.devices))
        if keep is None and self.devices:
            self.table.selectRow(0)
        self._selected()

    def current(self) -> Any | None:
        rows = self.table.selectionModel().selectedRows()
        return self.devices[rows[0].row()] if rows else None

    def _selected(self) -> None:
        device = self.current()
        self.rename_button.setEnabled(device is not None)
        self.revoke_button.setEnabled(device is not None and device.revoked_at is None)

    def rename(self) -> None:
        device = self.current()
        if device is None:
            return
        name, ok = QInputDialog.getText(
            self, "Rename the device", "New name:", QLineEdit.EchoMode.Normal, device.name
        )
        if not ok or not name.strip() or name.strip() == device.name:
            return
        try:
            renamed = engine.rename(self.controller.vault, device.device, name.strip())
        except VrmError as exc:
            self.error.set_text(str(exc))
            return
        self.error.set_text("")
        self.controller.notify({"sync"}, f"The device is now called {renamed.name!r}.")
        self.reload(keep=device.device)

    def revoke(self) -> None:
        device = self.current()
        if device is None or device.revoked_at is not None:
            return
        if not ask_action(
            self,
            "Revoke the device?",
            f"Revoke {device.name!r} ({short_id(device.device)})?\n\nIt gets no further change "
            "sets from this device, and whatever it writes to the folder from now on is "
            "ignored here. A revoked device cannot be paired again.",
            "Revoke device",
        ):
            return
        try:
            engine.revoke(self.controller.vault, device.device)
        except VrmError as exc:
            self.error.set_text(str(exc))
            return
        self.error.set_text("")
        self.controller.notify({"sync"}, f"Revoked the device {device.name!r}.")
        self.reload(keep=device.device)

"""What the main window's Sync menu and its status do: one object the window holds, with the
syncer, the status button and the dialogs (one of each open at a time)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QDialog, QWidget

from vrmdesk.errors import VrmError
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.sync.status import SyncStatus
from vrmdesk.ui.sync.syncer import Syncer


class SyncCommands(QObject):
    def __init__(self, controller: VaultController, window: QWidget) -> None:
        super().__init__(window)
        self.controller = controller
        self.window = window
        self.syncer = Syncer(controller, self)
        self.status = SyncStatus(self.syncer)
        self.status.wanted.connect(self._status_clicked)
        self.dialogs: dict[str, QDialog] = {}
        controller.locked.connect(self._close_all)

    #: milliseconds after the window is made: the status and the first sync come then
    START_DELAY = 1000

    def start(self) -> None:
        """The window is up over an unlocked vault: a moment later (the window shows first),
        the status, and a sync if it is set up."""
        QTimer.singleShot(self.START_DELAY, self, self._start)

    def _start(self) -> None:
        if self.controller.is_open:
            self.syncer.start()

    def _status_clicked(self, what: str) -> None:
        {"set_up": self.set_up, "conflicts": self.conflicts, "sync": self.sync_now}[what]()

    def sync_now(self) -> None:
        self.syncer.sync_now(asked=True)

    def _open(
        self, key: str, make: Callable[[VaultController, QWidget], QDialog]
    ) -> QDialog | None:
        """The dialog ``key``, brought forward if it is open already."""
        if not self.controller.is_open:
            return None
        dialog = self.dialogs.get(key)
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        try:
            dialog = make(self.controller, self.window)
        except VrmError as exc:
            self.controller.status.emit(str(exc))
            return None
        dialog.finished.connect(lambda *_: self.dialogs.pop(key, None))
        dialog.finished.connect(dialog.deleteLater)
        self.dialogs[key] = dialog
        dialog.open()
        return dialog

    def set_up(self) -> QDialog | None:
        from vrmdesk.ui.sync.setup import SetUpDialog

        dialog = self._open("set_up", SetUpDialog)
        if dialog is not None:
            dialog.accepted.connect(self.syncer.start)
        return dialog

    def pair(self) -> QDialog | None:
        from vrmdesk.ui.sync.pairing import PairDialog

        if self.controller.is_open and not self.syncer.is_set_up():
            self.controller.status.emit("Set up sync first: choose the folder the devices share.")
            return self.set_up()
        return self._open("pair", PairDialog)

    def devices(self) -> QDialog | None:
        from vrmdesk.ui.sync.devices import DevicesDialog

        return self._open("devices", DevicesDialog)

    def conflicts(self) -> QDialog | None:
        from vrmdesk.ui.sync.conflicts import ConflictsDialog

        return self._open("conflicts", ConflictsDialog)

    def _close_all(self) -> None:
        for dialog in list(self.dialogs.values()):
            dialog.reject()

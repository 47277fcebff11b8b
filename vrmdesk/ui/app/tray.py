"""The tray icon: where the program waits while it is locked, and where reminders appear.

Its menu offers Unlock (or Show) and Quit. It never shows vault content while the vault is
locked: the tooltip says only "vrmdesk — locked".
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from vrmdesk.ui.widgets.icons import icon


class Tray(QSystemTrayIcon):
    unlock_requested = Signal()
    show_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(icon("vrmdesk", color="#2f6f5e"), parent)
        self.menu = QMenu()
        self.unlock_action = QAction("&Unlock…", self.menu)
        self.unlock_action.triggered.connect(lambda: self.unlock_requested.emit())
        self.show_action = QAction("&Show vrmdesk", self.menu)
        self.show_action.triggered.connect(lambda: self.show_requested.emit())
        self.quit_action = QAction("&Quit", self.menu)
        self.quit_action.triggered.connect(lambda: self.quit_requested.emit())
        for action in (self.unlock_action, self.show_action):
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.setContextMenu(self.menu)
        self.activated.connect(self._activated)
        self.set_locked(False)

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def set_locked(self, locked: bool) -> None:
        self.locked = locked
        self.unlock_action.setVisible(locked)
        self.unlock_action.setEnabled(locked)
        self.show_action.setVisible(not locked)
        self.setToolTip("vrmdesk — locked" if locked else "vrmdesk")

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            (self.unlock_requested if self.locked else self.show_requested).emit()

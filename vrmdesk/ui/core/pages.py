"""What every page of the main window offers the window."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QWidget

from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.preferences import Preferences


class Page(QWidget):
    """A page: shows part of the vault, refreshes on changes and empties itself on lock."""

    #: ask the window to show a record: (kind, id)
    open_record = Signal(str, int)

    def __init__(
        self, controller: VaultController, prefs: Preferences, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.prefs = prefs
        controller.changed.connect(self._on_changed)
        controller.locked.connect(self.clear)

    def _on_changed(self, kinds: set[str]) -> None:
        if self.controller.is_open:
            self.refresh(kinds)

    def refresh(self, kinds: set[str]) -> None:
        """Reload what shows records of these kinds (``"*"``: everything)."""

    def clear(self) -> None:
        """The vault was locked: drop every record from every view and model."""

    def save_state(self, store: QSettings) -> None:
        """Keep how the page is laid out (splitters, sorting) for the next run."""

"""What every page of the main window offers the window."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QWidget

from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.preferences import Preferences


class Page(QWidget):
    """A page: shows part of the vault, refreshes on changes and empties itself on lock.

    While the window keeps it out of sight (``set_out_of_sight(True)``) a page only notes what
    changed, and refreshes once when it comes into sight: a change costs the pages on screen.
    """

    #: ask the window to show a record: (kind, id)
    open_record = Signal(str, int)

    def __init__(
        self, controller: VaultController, prefs: Preferences, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.prefs = prefs
        self.out_of_sight = False
        #: the kinds that changed while out of sight
        self._missed: set[str] = set()
        controller.changed.connect(self._on_changed)
        controller.locked.connect(self._missed.clear)
        controller.locked.connect(self.clear)

    def _on_changed(self, kinds: set[str]) -> None:
        if not self.controller.is_open:
            return
        if self.out_of_sight:
            self._missed |= kinds
        else:
            self.refresh(kinds)

    def set_out_of_sight(self, out_of_sight: bool) -> None:
        """The window hides the page, or shows it: then it catches up with what it missed."""
        self.out_of_sight = out_of_sight
        if not out_of_sight and self._missed and self.controller.is_open:
            kinds, self._missed = self._missed, set()
            self.refresh(kinds)

    def refresh(self, kinds: set[str]) -> None:
        """Reload what shows records of these kinds (``"*"``: everything)."""

    def clear(self) -> None:
        """The vault was locked: drop every record from every view and model."""

    def save_state(self, store: QSettings) -> None:
        """Keep how the page is laid out (splitters, sorting) for the next run."""

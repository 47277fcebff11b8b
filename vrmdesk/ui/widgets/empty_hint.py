"""What an empty list is for, and how to add to it, written inside the list itself.

``EmptyHint(view, text)`` lays a centred, soft label over the view's viewport while its model has
no rows (and ``active()`` says the list belongs to something, e.g. a vendor is shown). The view
keeps its header, its focus and its keys (Insert adds, as when it has rows); the label lets the
mouse through.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QLabel


class EmptyHint(QLabel):
    MARGIN = 16
    WIDTH = 520

    def __init__(
        self,
        view: QAbstractItemView,
        text: str,
        active: Callable[[], bool] = lambda: True,
    ) -> None:
        super().__init__(text, view.viewport())
        self.view, self.active = view, active
        self.setObjectName("empty-hint")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAccessibleName("Empty list")
        view.viewport().installEventFilter(self)
        model = view.model()
        for signal in (
            model.modelReset,
            model.rowsInserted,
            model.rowsRemoved,
            model.layoutChanged,
        ):
            signal.connect(self.refresh)
        self.refresh()

    def set_text(self, text: str) -> None:
        self.setText(text)
        self.refresh()

    def refresh(self, *_args: object) -> None:
        shown = self.view.model().rowCount() == 0 and bool(self.text()) and self.active()
        self.setVisible(shown)
        # a screen reader hears it on the list too
        self.view.setAccessibleDescription(self.text() if shown else "")
        if shown:
            self._place()

    def _place(self) -> None:
        """Centred in the viewport, in lines short enough to read (at most ``WIDTH`` wide)."""
        area = self.view.viewport().rect().adjusted(self.MARGIN, 0, -self.MARGIN, 0)
        width = min(area.width(), self.WIDTH)
        self.setGeometry(
            area.left() + (area.width() - width) // 2, area.top(), width, area.height()
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False

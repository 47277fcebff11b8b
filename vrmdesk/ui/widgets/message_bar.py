"""A message shown inside a panel (not a modal box), with an optional action such as Undo."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from vrmdesk.ui.widgets.icons import icon


class MessageBar(QFrame):
    """One message at a time: an icon, the text, an optional action button and Dismiss."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Message")
        self.icon = QLabel()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action = QPushButton()
        self.action.setAutoDefault(False)
        self.action.hide()
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.setAccessibleName("Dismiss the message")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.action)
        layout.addWidget(close)
        self._slot: Callable[[], None] | None = None
        self.action.clicked.connect(self._act)
        self.hide()

    def show_message(
        self,
        text: str,
        *,
        warning: bool = False,
        action: str = "",
        slot: Callable[[], None] | None = None,
    ) -> None:
        self.icon.setPixmap(icon("warning" if warning else "file").pixmap(16, 16))
        self.text.setText(text)
        self.setAccessibleDescription(text)
        self._slot = slot
        self.action.setText(action)
        self.action.setVisible(bool(action and slot))
        self.show()

    def _act(self) -> None:
        slot, self._slot = self._slot, None
        self.hide()
        if slot is not None:
            slot()

"""A record's tags as small labels ("chips"), as HTML for a label or an item delegate.

Each tag is drawn on a tint of the palette's highlight colour; its spaces do not break, so a
tag never wraps across lines, while a row of many tags wraps between them.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QWidget


def _mix(a: QColor, b: QColor, share_of_a: float) -> QColor:
    keep = 1.0 - share_of_a
    return QColor(
        int(a.red() * share_of_a + b.red() * keep),
        int(a.green() * share_of_a + b.green() * keep),
        int(a.blue() * share_of_a + b.blue() * keep),
    )


def chips_html(names: Sequence[str], palette: QPalette) -> str:
    """``names`` as a row of chips (HTML, every name escaped); "" for no tags."""
    back = _mix(
        palette.color(QPalette.ColorRole.Highlight), palette.color(QPalette.ColorRole.Base), 0.22
    )
    fore = palette.color(QPalette.ColorRole.Text)
    chips = [
        f"<span style='background-color:{back.name()}; color:{fore.name()}'>"
        f"&nbsp;{escape(name).replace(' ', '&nbsp;')}&nbsp;</span>"
        for name in names
    ]
    return " ".join(chips)


class TagChips(QLabel):
    """The tags of the record on show; hidden while it has none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Tags")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.names: tuple[str, ...] = ()
        self.hide()

    def set_tags(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        self.setText(chips_html(self.names, self.palette()))
        self.setAccessibleDescription(", ".join(self.names))
        self.setToolTip("Tags: " + ", ".join(self.names) if self.names else "")
        self.setVisible(bool(self.names))

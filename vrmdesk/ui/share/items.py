"""Small helpers for the share wizard's trees: read-only and bold items, and the role keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QStandardItem

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
ERROR_COLOR = "#c0392b"


def key_text(kind: str, record_id: int) -> str:
    return f"{kind}:{record_id}"


def bold(item: QStandardItem) -> QStandardItem:
    font = QFont(item.font())
    font.setBold(True)
    item.setFont(font)
    return item


def readonly(text: str) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    return item


def reading_lines(number: str, per_line: int = 4, sep: str = "\n") -> str:
    """A safety number (12 groups of 5 digits) in lines of ``per_line`` groups, to read aloud."""
    groups = number.split()
    return sep.join(" ".join(groups[i : i + per_line]) for i in range(0, len(groups), per_line))

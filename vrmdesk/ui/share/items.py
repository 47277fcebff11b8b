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

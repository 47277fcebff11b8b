"""The attachments of one record as a table model: name, type, size, when added."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeDatabase,
    QObject,
    Qt,
)

from vrmdesk.store.attachments import format_size
from vrmdesk.store.services.files import AttachedFile
from vrmdesk.ui.widgets.dates import show_datetime
from vrmdesk.ui.widgets.modelindex import NO_PARENT, AnyIndex

ID_ROLE = Qt.ItemDataRole.UserRole
HEADERS = ("Name", "Type", "Size", "Added")
_MIME = QMimeDatabase()


#: a file as the panel lists it (the core's plain row)
FileRow = AttachedFile


def type_label(row: FileRow) -> str:
    """The file's type as the desktop names it ("PDF document"), else its media type."""
    mime = _MIME.mimeTypeForName(row.media_type)
    comment = mime.comment() if mime.isValid() else ""
    return comment[:1].upper() + comment[1:] if comment else row.media_type


def added_label(row: FileRow) -> str:
    return show_datetime(row.added, utc=True)


class AttachmentsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[FileRow] = []

    def set_rows(self, rows: list[FileRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def row_at(self, row: int) -> FileRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of_id(self, attachment_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == attachment_id), -1)

    def rowCount(self, parent: AnyIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if section == 2 else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None or not 0 <= index.column() < len(HEADERS):
            return None
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (row.name, type_label(row), format_size(row.size), added_label(row))[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.name}\n{row.media_type}, {row.size:,} bytes"
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ID_ROLE:
            return row.id
        return None

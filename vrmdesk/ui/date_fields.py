"""Date fields of the editors: a date that may be empty ("no date"), and a date with a time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QDateEdit, QDateTimeEdit, QToolButton, QWidget

from vrmdesk.ui.editor_widgets import Field

#: the date a nullable date edit shows as "no date" (real dates start the day after)
NO_DATE = QDate(1900, 1, 1)
DATE_FORMAT = "yyyy-MM-dd"
DATETIME_FORMAT = "yyyy-MM-dd HH:mm"


class NullableDateEdit(QDateEdit):
    """A date edit that may hold "no date" (shown as ``null_text``).

    Typing a digit, the arrow keys or a click start from today; Delete returns to no date.
    """

    def __init__(self, nullable: bool, null_text: str = "no date", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.nullable = nullable
        self.setDisplayFormat(DATE_FORMAT)
        self.setCalendarPopup(True)
        if nullable:
            self.setMinimumDate(NO_DATE)
            self.setSpecialValueText(null_text)
        self.setDate(NO_DATE if nullable else QDate.currentDate())

    def is_null(self) -> bool:
        return self.nullable and self.date() == NO_DATE

    def set_null(self) -> None:
        if self.nullable:
            self.setDate(NO_DATE)

    def _start_from_today(self) -> None:
        if self.is_null():
            self.setDate(QDate.currentDate())
            self.setSelectedSection(QDateTimeEdit.Section.YearSection)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.nullable and event.key() == Qt.Key.Key_Delete:
            self.set_null()
            return
        if self.is_null() and (event.text().isdigit() or event.key() in (
            Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown
        )):
            self._start_from_today()
            if not event.text().isdigit():
                return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._start_from_today()
        super().mousePressEvent(event)


class DateField(Field):
    def __init__(self, name: str, nullable: bool, null_text: str = "no date") -> None:
        super().__init__((name,))
        self.edit = NullableDateEdit(nullable, null_text)
        self.edit.dateChanged.connect(self.changed)
        self.layout_.addWidget(self.edit, 1)
        if nullable:
            self.clear_button = QToolButton()
            self.clear_button.setText("×")
            self.clear_button.setToolTip(f"Set to “{null_text}” (Delete)")
            self.clear_button.setAccessibleName(f"Clear the date ({null_text})")
            self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Delete does it by keyboard
            self.clear_button.clicked.connect(self.edit.set_null)
            self.layout_.addWidget(self.clear_button)
        self.setFocusProxy(self.edit)

    def value(self) -> date | None:
        if self.edit.is_null():
            return None
        return self.edit.date().toPython()  # type: ignore[no-any-return]

    def set_value(self, value: Any) -> None:
        if value is None:
            if self.edit.nullable:
                self.edit.set_null()
            return
        if isinstance(value, str):
            value = date.fromisoformat(value)
        if isinstance(value, datetime):
            value = value.date()
        self.edit.setDate(QDate(value.year, value.month, value.day))

    def focus_target(self) -> QWidget:
        return self.edit


class DateTimeField(Field):
    def __init__(self, name: str) -> None:
        super().__init__((name,))
        self.edit = QDateTimeEdit()
        self.edit.setDisplayFormat(DATETIME_FORMAT)
        self.edit.setCalendarPopup(True)
        self.set_value(datetime.now())
        self.edit.dateTimeChanged.connect(self.changed)
        self.layout_.addWidget(self.edit)
        self.setFocusProxy(self.edit)

    def value(self) -> datetime:
        return self.edit.dateTime().toPython().replace(second=0, microsecond=0)  # type: ignore[no-any-return]

    def set_value(self, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        self.edit.setDateTime(QDateTime(
            QDate(value.year, value.month, value.day), QTime(value.hour, value.minute)
        ))

    def focus_target(self) -> QWidget:
        return self.edit

"""Date fields of the editors: a date typed as a person writes it, and a date with a time.

A date is typed into a line edit, never into Qt's sectioned date edit: that widget moves between
day, month and year sections as keys arrive, so ``2026-11-30`` typed with its dashes became
2026-12-11. Here the whole text is read once, in the forms a person writes (ISO ``2026-11-30``,
``20261130``, and the locale's own short form such as ``30/11/2026`` or ``11/30/26``), and the
result is exactly that date or a clear "not a date" under the field. A date is shown in the style
chosen in Settings (``ui/widgets/dates.py``, ``17 Dec 2026`` by default), and that form is read
back too, so what the field shows saves as the same day. The date understood is shown
beside the field with its weekday, so a day and month read the other way round are seen at once.
A calendar button picks one with the mouse; empty means "no date" where a field may be empty.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from PySide6.QtCore import QDate, QLocale, QPoint, Qt, QTime, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTimeEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import ValidationError
from vrmdesk.ui.editors.fields import Field
from vrmdesk.ui.widgets import dates as shown
from vrmdesk.ui.widgets import icons

#: ISO 8601, always understood
DATE_FORMAT = "yyyy-MM-dd"
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _two_digit_base() -> int:
    """Two-digit years fall in the 100 years that end 20 years from now (26 -> 2026, 95 -> 1995)."""
    return date.today().year + 20 - 99


def _locale_formats(locale: QLocale) -> list[str]:
    """The locale's short date form, loosened: one or two digits for day and month, 2 or 4 for
    the year."""
    short = locale.dateFormat(QLocale.FormatType.ShortFormat)
    loose = re.sub(r"d+", "d", re.sub(r"M+", "M", short))
    four = re.sub(r"y+", "yyyy", loose)
    two = re.sub(r"y+", "yy", loose)
    # the form dates are shown in, and the day with the month's name (short or long)
    named = [shown.date_format(locale=locale), "d MMM yyyy", "d MMMM yyyy"]
    return list(dict.fromkeys([*named, four, two]))


def example_text(locale: QLocale | None = None) -> str:
    """How to type a date here, for hints and messages: ``30 Nov 2026 or 2026-11-30``."""
    locale = locale or QLocale()
    sample = QDate(date.today().year, 11, 30)
    iso = sample.toString(DATE_FORMAT)
    local = locale.toString(sample, shown.date_format(locale=locale))
    return iso if local == iso else f"{local} or {iso}"


#: ``date`` by another name, for :class:`DateInput`, whose ``date()`` hides the type in its body
Day = date


def parse_date(text: str, locale: QLocale | None = None) -> date | None:
    """The date ``text`` names: None when blank; :class:`ValueError` when it names none.

    ISO (``2026-11-30``), compact ISO (``20261130``) and the locale's short form are read; a form
    that matches but names no day (``2026-02-30``) is refused, never moved to another day.
    """
    text = text.strip()
    if not text:
        return None
    for pattern in (_ISO, _COMPACT):
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)  # ValueError for a day that does not exist
    locale = locale or QLocale()
    for form in _locale_formats(locale):
        parsed = locale.toDate(text, form, _two_digit_base())
        if parsed.isValid():
            return date(parsed.year(), parsed.month(), parsed.day())
    raise ValueError(text)


def format_date(value: date) -> str:
    """``value`` as the field shows it: the style of every other date in the program."""
    return shown.show_date(value)


class DateLineEdit(QLineEdit):
    """The text of a date. Delete at the end of the text (where it deletes nothing) empties it."""

    cleared = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if (
            event.key() == Qt.Key.Key_Delete
            and not self.hasSelectedText()
            and (self.cursorPosition() == len(self.text()))
        ):
            self.clear()
            self.cleared.emit()
            return
        super().keyPressEvent(event)


class CalendarPopup(QWidget):
    """A month calendar shown under a date field; a click or Enter picks the day."""

    picked = Signal(QDate)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(False)
        self.calendar.activated.connect(self._pick)
        self.calendar.clicked.connect(self._pick)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.addWidget(self.calendar)

    def _pick(self, day: QDate) -> None:
        self.picked.emit(day)
        self.hide()

    def show_at(self, anchor: QWidget, current: date | None) -> None:
        day = current or date.today()
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        self.move(anchor.mapToGlobal(QPoint(0, anchor.height())))
        self.show()
        self.calendar.setFocus()


class DateInput(QWidget):
    """A line to type a date in, a calendar button, and the date understood shown beside it."""

    changed = Signal()
    #: a day was picked from the calendar (after ``changed``)
    picked = Signal()

    def __init__(self, null_text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.locale_ = QLocale()
        self.edit = DateLineEdit()
        self.edit.setPlaceholderText(null_text or example_text(self.locale_))
        self.edit.setToolTip(f"Type a date as {example_text(self.locale_)}, or pick one.")
        self.edit.setMaxLength(32)
        self.edit.setFixedWidth(self.edit.fontMetrics().horizontalAdvance("00/00/0000 mmmm") + 16)
        self.calendar_button = QToolButton()
        self.calendar_button.setIcon(icons.icon("calendar"))
        self.calendar_button.setToolTip("Pick a date from a calendar")
        self.calendar_button.setAccessibleName("Pick a date")
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field is typed into
        self.calendar_button.clicked.connect(self.open_calendar)
        self.understood = QLabel()
        self.understood.setEnabled(False)  # the palette's muted colour
        self.understood.setMinimumWidth(
            self.understood.fontMetrics().horizontalAdvance("Wed 30 Sep 2026") + 8
        )
        self._popup: CalendarPopup | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.calendar_button)
        self.extra = layout  # callers add their own buttons after the calendar
        self.edit.textChanged.connect(self._on_text)
        self.edit.editingFinished.connect(self._tidy)
        self.setFocusProxy(self.edit)

    def date(self) -> date | None:
        """The date typed; None when empty; :class:`ValueError` when the text names no date."""
        return parse_date(self.edit.text(), self.locale_)

    def checked_date(self, field: str, required: bool) -> Day | None:
        """The date typed, or a :class:`ValidationError` for ``field`` saying how to type one."""
        try:
            value = self.date()
        except ValueError:
            raise ValidationError(
                f"“{self.edit.text().strip()}” is not a date: type it as {example_text()}.",
                field=field,
            ) from None
        if value is None and required:
            raise ValidationError(
                f"A date is needed here, for example {example_text()}.", field=field
            )
        return value

    def set_date(self, value: Day | None) -> None:
        self.edit.setText("" if value is None else format_date(value))

    def open_calendar(self) -> None:
        if self._popup is None:
            self._popup = CalendarPopup(self)
            self._popup.picked.connect(self._picked)
        try:
            current = self.date()
        except ValueError:
            current = None
        self._popup.show_at(self.edit, current)

    def _picked(self, day: QDate) -> None:
        self.set_date(date(day.year(), day.month(), day.day()))
        self.edit.setFocus()
        self.picked.emit()

    def _on_text(self) -> None:
        try:
            value = self.date()
        except ValueError:
            value = None
        self.understood.setText(
            ""
            if value is None
            else self.locale_.toString(QDate(value.year, value.month, value.day), "ddd d MMM yyyy")
        )
        self.changed.emit()

    def _tidy(self) -> None:
        """Leaving the field: a date typed in another form is shown in the one chosen."""
        try:
            value = self.date()
        except ValueError:
            return
        if value is not None and self.edit.text() != format_date(value):
            self.set_date(value)


class DateField(Field):
    """A date in an editor; ``nullable`` ones may be left empty (shown as ``null_text``)."""

    def __init__(self, name: str, nullable: bool, null_text: str = "no date") -> None:
        super().__init__((name,))
        self.nullable = nullable
        self.input = DateInput(null_text if nullable else "")
        self.edit = self.input.edit
        self.input.changed.connect(self.changed)
        self.layout_.addWidget(self.input, 1)
        if nullable:
            self.clear_button = QToolButton()
            self.clear_button.setText("×")
            self.clear_button.setToolTip(f"Set to “{null_text}” (Delete at the end of the date)")
            self.clear_button.setAccessibleName(f"Clear the date ({null_text})")
            self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Delete does it by keyboard
            self.clear_button.clicked.connect(self.edit.clear)
            self.input.extra.addWidget(self.clear_button)
        self.input.extra.addWidget(self.input.understood, 1)
        if not nullable:
            self.input.set_date(date.today())
        self.setFocusProxy(self.edit)

    def value(self) -> date | None:
        return self.input.checked_date(self.names[0], required=not self.nullable)

    def set_value(self, value: Any) -> None:
        if value is None:
            if self.nullable:
                self.edit.clear()
            return
        if isinstance(value, str):
            value = date.fromisoformat(value)
        if isinstance(value, datetime):
            value = value.date()
        self.input.set_date(value)

    def is_empty(self) -> bool:
        return not self.edit.text().strip()

    def focus_target(self) -> QWidget:
        return self.edit


class DateTimeField(Field):
    """A date (typed as in :class:`DateField`) and a time of day."""

    def __init__(self, name: str) -> None:
        super().__init__((name,))
        self.input = DateInput()
        self.edit = self.input.edit
        self.time = QTimeEdit()
        self.time.setDisplayFormat("HH:mm")
        self.time.setAccessibleName("Time")
        self.input.extra.addWidget(self.time)
        self.input.extra.addWidget(self.input.understood, 1)
        self.set_value(datetime.now())
        self.input.changed.connect(self.changed)
        self.time.timeChanged.connect(self.changed)
        self.layout_.addWidget(self.input, 1)
        self.setFocusProxy(self.edit)

    def value(self) -> datetime:
        day = self.input.checked_date(self.names[0], required=True)
        assert day is not None
        clock = self.time.time()
        return datetime.combine(day, time(clock.hour(), clock.minute()))

    def set_value(self, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        self.input.set_date(value.date())
        self.time.setTime(QTime(value.hour, value.minute))

    def is_empty(self) -> bool:
        return not self.edit.text().strip()

    def focus_target(self) -> QWidget:
        return self.edit

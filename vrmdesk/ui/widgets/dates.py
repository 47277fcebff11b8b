"""How every date and time is shown: one style, chosen in Settings, used by every list, page,
dialog and editor (the editors read back what they show, see ``ui/editors/dates.py``).

The styles:

- ``medium`` (the default): ``17 Dec 2026`` — the month's short name in the locale's language, so
  day and month can never be read the wrong way round;
- ``system``: the locale's own short form, with a four-digit year (``17/12/2026``,
  ``12/17/2026``, ``17.12.2026``);
- ``iso``: ``2026-12-17``.

Times are the locale's short time of day. A time the vault keeps in UTC (a mail's date, a
disclosure's) is shown in local time: pass ``utc=True``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

#: style key -> how Settings names it
STYLES: dict[str, str] = {
    "medium": "Day, month name, year",
    "system": "The system's short form",
    "iso": "ISO 8601",
}
DEFAULT_STYLE = "medium"
_style = DEFAULT_STYLE


def set_style(name: str) -> None:
    """Use style ``name`` from now on (an unknown name: the default)."""
    global _style
    _style = name if name in STYLES else DEFAULT_STYLE


def style() -> str:
    return _style


def date_format(name: str | None = None, locale: QLocale | None = None) -> str:
    """The Qt date format of style ``name`` (the current one when None)."""
    name = name or _style
    if name == "iso":
        return "yyyy-MM-dd"
    if name == "system":
        short = (locale or QLocale()).dateFormat(QLocale.FormatType.ShortFormat)
        return re.sub(r"y+", "yyyy", short)
    return "d MMM yyyy"


def time_format(name: str | None = None, locale: QLocale | None = None) -> str:
    if (name or _style) == "iso":
        return "HH:mm"
    return (locale or QLocale()).timeFormat(QLocale.FormatType.ShortFormat)


def show_date(value: date | None, name: str | None = None) -> str:
    """``value`` in the style chosen (``""`` for no date)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    locale = QLocale()
    return locale.toString(QDate(value.year, value.month, value.day), date_format(name, locale))


def show_month(value: date) -> str:
    """A month and its year: ``Dec 2026`` (``2026-12`` in the ISO style)."""
    if _style == "iso":
        return f"{value:%Y-%m}"
    return QLocale().toString(QDate(value.year, value.month, 1), "MMM yyyy")


def local_time(value: datetime, *, utc: bool = False) -> datetime:
    """``value`` as local wall-clock time; a naive ``value`` is local already unless ``utc``."""
    if value.tzinfo is None and not utc:
        return value
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone().replace(tzinfo=None)


def show_datetime(value: datetime | None, *, utc: bool = False, name: str | None = None) -> str:
    """``value``'s date (in the style chosen) and its time of day, in local time."""
    if value is None:
        return ""
    value = local_time(value, utc=utc)
    locale = QLocale()
    when = QDateTime(
        QDate(value.year, value.month, value.day), QTime(value.hour, value.minute, value.second)
    )
    separator = " " if (name or _style) != "medium" else ", "
    return locale.toString(
        when, f"{date_format(name, locale)}'{separator}'{time_format(name, locale)}"
    )

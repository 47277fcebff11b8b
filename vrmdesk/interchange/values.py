"""Reading the values people and other programs put in spreadsheet cells.

Dates: ISO (``2025-03-04``), the day-month-year and month-day-year orders with ``/ . -`` and two-
or four-digit years, and written months (``4 Mar 2025``, ``March 4, 2025``), read with
python-dateutil once the order is known. A file whose dates could be read either way
(``03/04/2025``) has its order decided from the column itself (a first part over 12 means the
day comes first) or given by the person; never guessed per cell. Amounts: ``1299.00``,
``1,299.00``, ``1.299,00``, ``1 299,00``, with the decimal separator decided the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

from dateutil import parser as dateparser

DateOrder = Literal["ymd", "dmy", "mdy"]
DATE_ORDERS: dict[DateOrder, str] = {
    "ymd": "year-month-day (2025-03-04)",
    "dmy": "day/month/year (04/03/2025)",
    "mdy": "month/day/year (03/04/2025)",
}
Decimals = Literal[".", ","]

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+(?:Z|[+-]\d\d:?\d\d)?)?")
_NUMERIC = re.compile(r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{2,4})")
_MIN_YEAR, _MAX_YEAR = 1900, 2200


class ValueProblem(ValueError):
    """A cell that does not hold what its column is for; the message says what was wrong."""


@dataclass(frozen=True)
class Reading:
    """How a file's dates and amounts are read (decided once per file, shown to the person)."""

    date_order: DateOrder | None = None  # None: only unambiguous dates are accepted
    date_format: str | None = None  # a strptime format the person gave, which wins
    decimals: Decimals = "."


def _check_year(value: date, text: str) -> date:
    if not _MIN_YEAR <= value.year <= _MAX_YEAR:
        raise ValueProblem(f"{text!r} is not a date between {_MIN_YEAR} and {_MAX_YEAR}")
    return value


def _two_digit_year(year: int) -> int:
    if year >= 100:
        return year
    pivot = (date.today().year + 20) % 100
    return 2000 + year if year <= pivot else 1900 + year


def parse_date(text: str, reading: Reading = Reading()) -> date | None:
    """The date in a cell; None for an empty one; :class:`ValueProblem` otherwise."""
    text = text.strip()
    if not text:
        return None
    if reading.date_format:
        try:
            return _check_year(datetime.strptime(text, reading.date_format).date(), text)
        except ValueError:
            raise ValueProblem(
                f"{text!r} is not a date in the form {reading.date_format}"
            ) from None
    iso = _ISO.fullmatch(text)
    if iso:
        try:
            return _check_year(date(int(iso[1]), int(iso[2]), int(iso[3])), text)
        except ValueError:
            raise ValueProblem(f"{text!r} is not a date") from None
    numeric = _NUMERIC.fullmatch(text)
    if numeric:
        return _numeric_date(text, numeric, reading.date_order)
    if not any(ch.isalpha() for ch in text):
        raise ValueProblem(f"{text!r} is not a date")
    try:  # a written month: "4 Mar 2025", "March 4, 2025"
        parsed = dateparser.parse(text, dayfirst=reading.date_order == "dmy", fuzzy=False)
    except (ValueError, OverflowError):
        raise ValueProblem(f"{text!r} is not a date") from None
    return _check_year(parsed.date(), text)


def _numeric_date(text: str, match: re.Match[str], order: DateOrder | None) -> date:
    a, b, c = (int(part) for part in match.groups())
    if len(match[1]) == 4:  # 2025/03/04 is read one way only
        candidates: dict[DateOrder, tuple[int, int, int]] = {"ymd": (a, b, c)}
    else:
        year = _two_digit_year(c)
        candidates = {"dmy": (year, b, a), "mdy": (year, a, b)}
    valid: dict[DateOrder, date] = {}
    for name, (y, mo, d) in candidates.items():
        try:
            valid[name] = _check_year(date(y, mo, d), text)
        except ValueError:
            continue
    if not valid:
        raise ValueProblem(f"{text!r} is not a date")
    if len(set(valid.values())) == 1:  # one reading, or both the same day (01/01/2025)
        return next(iter(valid.values()))
    if order in valid:
        return valid[order]
    if order is not None:
        raise ValueProblem(f"{text!r} is not a date in the order {DATE_ORDERS[order]}")
    raise ValueProblem(
        f"{text!r} could be {valid['dmy']:%d %b %Y} or {valid['mdy']:%d %b %Y}: choose the date "
        "order"
    )


def date_orders_seen(cells: Iterable[str]) -> set[DateOrder]:
    """The orders a column's numeric dates show: a first part over 12 can only be a day (day
    first), a second part over 12 only a day (month first). Both seen: the column is mixed."""
    seen: set[DateOrder] = set()
    for cell in cells:
        match = _NUMERIC.fullmatch(cell.strip())
        if not match or len(match[1]) == 4:
            continue
        if int(match[1]) > 12:
            seen.add("dmy")
        if int(match[2]) > 12:
            seen.add("mdy")
    return seen


def date_order_of(cells: Iterable[str]) -> DateOrder | None:
    """The order a column's dates must be read in, or None when they do not tell (or mix)."""
    seen = date_orders_seen(cells)
    return next(iter(seen)) if len(seen) == 1 else None


def is_ambiguous_date(text: str) -> bool:
    """True for a numeric date both orders read (``03/04/2025``; not ``04/04/2025``)."""
    match = _NUMERIC.fullmatch(text.strip())
    if not match or len(match[1]) == 4:
        return False
    first, second = int(match[1]), int(match[2])
    return first <= 12 and second <= 12 and first != second


_AMOUNT = re.compile(r"[+-]?[\d.,' \u00a0\u202f]*\d")
_CURRENCY = re.compile(r"^\s*([A-Z]{3}|[€$£¥])?\s*(.*?)\s*([A-Z]{3}|[€$£¥])?\s*$")
_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY"}


def parse_amount(text: str, reading: Reading = Reading()) -> tuple[int | None, str | None]:
    """An amount in minor units and its currency if the cell names one (``EUR 1.299,00``)."""
    text = text.strip()
    if not text:
        return None, None
    match = _CURRENCY.match(text)
    assert match is not None  # the pattern matches any text
    before, number, after = match.groups()
    currency = _SYMBOLS.get(before or after or "", before or after)
    number = number.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    if not _AMOUNT.fullmatch(number):
        raise ValueProblem(f"{text!r} is not an amount")
    thousands = "," if reading.decimals == "." else "."
    cleaned = number.replace(thousands, "").replace(reading.decimals, ".")
    if cleaned.count(".") > 1:
        raise ValueProblem(f"{text!r} is not an amount (with {reading.decimals!r} as decimals)")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueProblem(f"{text!r} is not an amount") from None
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueProblem(f"{text!r} has more than two decimals")
    if abs(amount) >= Decimal(10) ** 13:
        raise ValueProblem(f"{text!r} is too large an amount")
    return int(amount * 100), currency


def decimals_of(cells: Iterable[str]) -> Decimals | None:
    """The decimal separator a column's amounts use, or None when they do not tell.

    ``1,299.00`` or ``12.5`` say "."; ``1.299,00`` or ``12,5`` say ","; ``1,299`` and ``1.299``
    (three digits after the only separator) could be either and say nothing.
    """
    dot = comma = False
    for cell in cells:
        number = cell.strip()
        last_dot, last_comma = number.rfind("."), number.rfind(",")
        if last_dot >= 0 and last_comma >= 0:
            dot |= last_dot > last_comma
            comma |= last_comma > last_dot
            continue
        position = max(last_dot, last_comma)
        if position < 0:
            continue
        digits_after = len(number) - position - 1
        if digits_after != 3:
            dot |= last_dot >= 0
            comma |= last_comma >= 0
    if dot and not comma:
        return "."
    if comma and not dot:
        return ","
    return None


_TRUE = {"1", "true", "yes", "y", "x", "✓", "ja", "oui", "si", "sí"}
_FALSE = {"0", "false", "no", "n", "", "nein", "non"}


def parse_bool(text: str) -> bool:
    value = text.strip().casefold()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueProblem(f"{text!r} is not yes or no")


def parse_int(text: str, *, minimum: int = 0, maximum: int = 100_000) -> int | None:
    value = text.strip()
    if not value:
        return None
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise ValueProblem(f"{text!r} is not a whole number") from None
    if number != number.to_integral_value() or not minimum <= number <= maximum:
        raise ValueProblem(f"{text!r} is not a whole number from {minimum} to {maximum}")
    return int(number)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs: a leading ``= + - @`` gets a quote.

    (OWASP's advice on CSV injection.) Numbers such as ``-12.50`` stay as they are.
    """
    if text.startswith(_FORMULA_START) and not re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", text):
        return "'" + text
    return text


def from_spreadsheet_safe(text: str) -> str:
    """A cell as :func:`spreadsheet_safe` wrote it, back as it was (the quote taken off)."""
    if (
        text.startswith("'")
        and text[1:2] in ("=", "+", "-", "@", "\t", "\r")
        and (spreadsheet_safe(text[1:]) == text)
    ):
        return text[1:]
    return text

"""How sync's times, counts and values are said in the windows."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from vrmdesk.ui.widgets.dates import show_datetime


def counted(n: int, word: str, plural: str | None = None) -> str:
    """ "1 conflict", "3 conflicts"."""
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def ago(when: datetime | None, now: datetime | None = None) -> str:
    """ "just now", "2 min ago", "3 h ago", else the date and time (``when`` in UTC)."""
    if when is None:
        return ""
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    seconds = (now - aware).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 24 * 3600:
        return f"{int(seconds // 3600)} h ago"
    return f"on {show_datetime(aware)}"


def when(value: datetime | None) -> str:
    """A time the engine gives (UTC) in local time, in the date style chosen."""
    return show_datetime(value, utc=True) if value is not None else ""


def value_text(value: Any) -> str:
    """A field's value as a person reads it: "(empty)" for none, JSON for a structure."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def short_id(device: str) -> str:
    """The first 8 characters of a device id, as the CLI shows them."""
    return device[:8]

"""Reminders: the dashboard's items as notifications, each with a stable key so it is shown once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from vrmdesk.store.services.dashboard import Dashboard


@dataclass(frozen=True)
class Reminder:
    key: str  # stable: kind, id and the date it is about
    title: str
    message: str
    kind: str
    record_id: int


def _day(value: date | None) -> str:
    return f"{value:%d %b %Y}" if value else ""


def reminders(board: Dashboard, show_date: Callable[[date | None], str] = _day) -> list[Reminder]:
    """The board's items as reminders; ``show_date`` writes their dates (the interface passes
    its date style)."""
    out: list[Reminder] = []
    for w in board.expiring_warranties:
        out.append(
            Reminder(
                f"warranty:{w.id}:{w.ends_on}",
                "Warranty ending soon",
                f"{w.asset.name}: {w.title or 'warranty'} ends on {show_date(w.ends_on)}.",
                "warranty",
                w.id,
            )
        )
    for t in board.follow_ups_due:
        out.append(
            Reminder(
                f"ticket:{t.id}:{t.follow_up_on}",
                "Follow-up due",
                f"{t.vendor.name}: {t.title}",
                "ticket",
                t.id,
            )
        )
    for e in board.service_due:
        out.append(
            Reminder(
                f"service:{e.id}:{e.next_due}",
                "Service due",
                f"{e.asset.name}: {e.description} is due on {show_date(e.next_due)}.",
                "service_event",
                e.id,
            )
        )
    for a in board.notice_deadlines:
        out.append(
            Reminder(
                f"agreement:{a.id}:{a.notice_deadline}",
                "Notice deadline near",
                f"{a.vendor.name}: give notice for {a.title} by {show_date(a.notice_deadline)}.",
                "agreement",
                a.id,
            )
        )
    return out

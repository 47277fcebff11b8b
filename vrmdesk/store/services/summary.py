"""A vault in numbers: how many records of each kind, and how many things need attention."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vrmdesk.store import models as m
from vrmdesk.store.services.dashboard import Dashboard


def record_counts(session: Session) -> dict[str, int]:
    """Record kind (``vendor``, ``asset`` …) -> how many there are, for every kind."""
    return {
        cls.kind: int(session.scalar(select(func.count()).select_from(cls)) or 0)
        for cls in m.RECORD_TYPES
    }


def attention_counts(board: Dashboard) -> dict[str, int]:
    """What the dashboard lists, counted (the keys are part of ``vrmdesk info --json``)."""
    return {
        "warranties expiring": len(board.expiring_warranties),
        "follow-ups due": len(board.follow_ups_due),
        "tickets waiting on the vendor too long": len(board.waiting_too_long),
        "notice deadlines near": len(board.notice_deadlines),
        "service due": len(board.service_due),
        "vendors over my contact policy": len(board.over_policy),
    }


def is_new(session: Session) -> bool:
    """Nothing is kept yet: no vendor, no thing, no mail waiting (Home says where to start)."""
    return all(
        session.scalar(select(cls.id).limit(1)) is None
        for cls in (m.Vendor, m.Asset, m.UnsortedMail)
    )

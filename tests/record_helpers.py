"""Records made in bulk for the tests of lists that show only their first items."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from vrmdesk.store import models as m
from vrmdesk.store.services import records


def add_expiring_warranties(session: Session, count: int) -> None:
    """``count`` warranties on one thing, "Warranty 1" … ending today and on each day after."""
    asset = records.create(session, m.Asset, name="Kettle").id
    for day in range(count):
        records.create(
            session,
            m.Warranty,
            asset_id=asset,
            title=f"Warranty {day + 1}",
            starts_on=date(2020, 1, 1),
            end_date=date.today() + timedelta(days=day),
        )

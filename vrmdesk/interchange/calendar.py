"""The vault's deadlines as an iCalendar file (RFC 5545), written with the ``icalendar`` library.

Every dated obligation from today on becomes an all-day event with a reminder (``VALARM``) at
the lead time set in Settings: a warranty that ends, an agreement's notice deadline and its
renewal, a ticket's follow-up, a service due. Each event's UID is made of the vault's id, the
record and what the date is (``warranty-12-ends.<vault>@vrmdesk``), and its time stamp is the
record's last change, so the same vault writes the same file and a calendar that subscribes to
it (or imports it again) updates its events instead of adding copies.

``detail="titles"`` writes only what the event is about (the thing's or the agreement's name),
``"full"`` adds vendor names and notes: the file leaves the vault in the clear, so the person
chooses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

from icalendar import Alarm, Calendar, Event
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased, joinedload

from vrmdesk.interchange.output import atomic_output
from vrmdesk.store import models as m
from vrmdesk.store.services.dashboard import Lead
from vrmdesk.store.services.rules import today

Detail = Literal["titles", "full"]
PRODID = "-//vrmdesk//deadlines//EN"


@dataclass(frozen=True)
class Deadline:
    uid: str
    on: date
    summary: str
    description: str
    category: str
    lead_days: int
    changed: datetime


def _sentences(*parts: str) -> str:
    """Parts joined as sentences, each ending in one full stop."""
    return " ".join(p.strip().rstrip(".") + "." for p in parts if p and p.strip())


def _stamp(record: m.Record) -> datetime:
    when = record.updated_at or record.created_at
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def deadlines(
    session: Session,
    vault_id: str,
    lead: Lead | None = None,
    *,
    detail: Detail = "titles",
    on: date | None = None,
) -> Iterator[Deadline]:
    """Every deadline from ``on`` (today) onward, in date order within each kind."""
    lead = lead or Lead()
    on = on or today()
    full = detail == "full"

    def uid(kind: str, record_id: int, what: str) -> str:
        return f"{kind}-{record_id}-{what}.{vault_id}@vrmdesk"

    def with_vendor(text: str, vendor: m.Vendor | None) -> str:
        return f"{text} ({vendor.name})" if full and vendor is not None else text

    warranties = (
        select(m.Warranty)
        .options(joinedload(m.Warranty.asset), joinedload(m.Warranty.provider))
        .where(m.Warranty.void.is_(False), m.Warranty.ends_on >= on)
        .order_by(m.Warranty.ends_on, m.Warranty.id)
    )
    for w in session.scalars(warranties):
        title = w.title or "warranty"
        text = (
            f"The {title.lower()} of {w.asset.name} ends on {w.ends_on:%d %B %Y}: claim any fault "
            "before then"
        )
        if full and w.provider:
            text += f" from {w.provider.name}"
        claim = f"How to claim: {w.how_to_claim}" if full and w.how_to_claim else ""
        yield Deadline(
            uid("warranty", w.id, "ends"),
            w.ends_on,
            f"{w.asset.name}: {title} ends",
            _sentences(text, claim, w.notes if full else ""),
            "Warranty",
            lead.warranty_days,
            _stamp(w),
        )

    agreements = (
        select(m.Agreement)
        .options(joinedload(m.Agreement.vendor))
        .where((m.Agreement.notice_deadline >= on) | (m.Agreement.renews_on >= on))
        .order_by(m.Agreement.renews_on, m.Agreement.id)
    )
    for a in session.scalars(agreements):
        if a.notice_deadline is not None and a.notice_deadline >= on:
            text = (
                f"Last day to give notice on {a.title} before it renews on {a.renews_on:%d %B %Y}"
                if a.renews_on
                else f"Last day to give notice on {a.title}"
            )
            yield Deadline(
                uid("agreement", a.id, "notice"),
                a.notice_deadline,
                with_vendor(f"Give notice: {a.title}", a.vendor),
                _sentences(text, a.notes if full else ""),
                "Agreement",
                lead.notice_days,
                _stamp(a),
            )
        if a.renews_on is not None and a.renews_on >= on:
            yield Deadline(
                uid("agreement", a.id, "renews"),
                a.renews_on,
                with_vendor(f"{a.title} renews", a.vendor),
                f"{a.title} renews today unless notice was given.",
                "Agreement",
                lead.notice_days,
                _stamp(a),
            )

    tickets = (
        select(m.Ticket)
        .options(joinedload(m.Ticket.vendor))
        .where(m.Ticket.follow_up_on >= on, m.Ticket.status.in_(m.OPEN_TICKET_STATUSES))
        .order_by(m.Ticket.follow_up_on, m.Ticket.id)
    )
    for t in session.scalars(tickets):
        assert t.follow_up_on is not None
        text = f"Follow up on the ticket “{t.title}”"
        if full:
            text += f" with {t.vendor.name}" + (f" (case {t.reference})" if t.reference else "")
        yield Deadline(
            uid("ticket", t.id, "follow-up"),
            t.follow_up_on,
            with_vendor(f"Follow up: {t.title}", t.vendor),
            _sentences(text),
            "Ticket",
            0,
            _stamp(t),
        )

    later = aliased(m.ServiceEvent)
    superseded = exists().where(
        later.asset_id == m.ServiceEvent.asset_id,
        later.description == m.ServiceEvent.description,
        later.performed_on > m.ServiceEvent.performed_on,
    )
    services = (
        select(m.ServiceEvent)
        .options(joinedload(m.ServiceEvent.asset), joinedload(m.ServiceEvent.vendor))
        .join(m.Asset, m.Asset.id == m.ServiceEvent.asset_id)
        .where(m.ServiceEvent.next_due >= on, m.Asset.status == m.AssetStatus.IN_USE, ~superseded)
        .order_by(m.ServiceEvent.next_due, m.ServiceEvent.id)
    )
    for e in session.scalars(services):
        assert e.next_due is not None
        text = f"{e.asset.name} is due for: {e.description}"
        if full and e.vendor is not None:
            text += f" (last done by {e.vendor.name})"
        yield Deadline(
            uid("service_event", e.id, "due"),
            e.next_due,
            f"{e.asset.name}: service due",
            _sentences(text),
            "Service",
            lead.service_days,
            _stamp(e),
        )


def calendar_bytes(
    session: Session,
    vault_id: str,
    lead: Lead | None = None,
    *,
    detail: Detail = "titles",
    on: date | None = None,
) -> bytes:
    """The whole calendar; the same vault (and day) gives the same bytes."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "vrmdesk deadlines")
    for d in deadlines(session, vault_id, lead, detail=detail, on=on):
        event = Event()
        event.add("uid", d.uid)
        event.add("dtstamp", d.changed)
        event.add("last-modified", d.changed)
        event.add("dtstart", d.on)
        event.add("dtend", d.on + timedelta(days=1))
        event.add("summary", d.summary)
        event.add("description", d.description)
        event.add("categories", [d.category])
        event.add("transp", "TRANSPARENT")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", d.summary)
        alarm.add("trigger", timedelta(days=-d.lead_days) if d.lead_days else timedelta(0))
        event.add_component(alarm)
        cal.add_component(event)
    return bytes(cal.to_ical())


def write_calendar(
    session: Session,
    vault_id: str,
    out: Path,
    lead: Lead | None = None,
    *,
    detail: Detail = "titles",
) -> int:
    """Write the calendar to ``out`` atomically (a subscribed file is never seen half-written);
    the number of events."""
    data = calendar_bytes(session, vault_id, lead, detail=detail)
    with atomic_output(out, what="the calendar") as handle:
        handle.write(data)
    return data.count(b"BEGIN:VEVENT")

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

from icalendar import Alarm, Calendar, Event, vCategory, vDate, vDatetime, vDuration, vText
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

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


def deadlines(
    session: Session,
    vault_id: str,
    lead: Lead | None = None,
    *,
    detail: Detail = "titles",
    on: date | None = None,
) -> Iterator[Deadline]:
    """Every deadline from ``on`` (today) onward, in date order within each kind."""
    ask = _Ask(session, vault_id, lead or Lead(), on or today(), detail == "full")
    yield from _warranties(ask)
    yield from _agreements(ask)
    yield from _tickets(ask)
    yield from _services(ask)


@dataclass(frozen=True)
class _Ask:
    """What the calendar is asked for; each kind of deadline reads the columns it needs only
    (loading whole records was most of the time of a large vault's calendar)."""

    session: Session
    vault_id: str
    lead: Lead
    on: date
    full: bool

    def uid(self, kind: str, record_id: int, what: str) -> str:
        return f"{kind}-{record_id}-{what}.{self.vault_id}@vrmdesk"

    def with_vendor(self, text: str, vendor: str | None) -> str:
        return f"{text} ({vendor})" if self.full and vendor else text


def _stamp_of(updated: datetime | None, created: datetime) -> datetime:
    when = updated or created
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def _warranties(ask: _Ask) -> Iterator[Deadline]:
    w, provider = m.Warranty, aliased(m.Vendor)
    query = (
        select(w.id, w.title, w.ends_on, w.how_to_claim, w.notes, w.updated_at, w.created_at)
        .add_columns(m.Asset.name.label("asset"), provider.name.label("provider"))
        .join(m.Asset, m.Asset.id == w.asset_id)
        .outerjoin(provider, provider.id == w.provider_id)
        .where(w.void.is_(False), w.ends_on >= ask.on)
        .order_by(w.ends_on, w.id)
    )
    for row in ask.session.execute(query):
        title = row.title or "warranty"
        text = (
            f"The {title.lower()} of {row.asset} ends on {row.ends_on:%d %B %Y}: claim any fault "
            "before then"
        )
        if ask.full and row.provider:
            text += f" from {row.provider}"
        claim = f"How to claim: {row.how_to_claim}" if ask.full and row.how_to_claim else ""
        yield Deadline(
            ask.uid("warranty", row.id, "ends"),
            row.ends_on,
            f"{row.asset}: {title} ends",
            _sentences(text, claim, row.notes if ask.full else ""),
            "Warranty",
            ask.lead.warranty_days,
            _stamp_of(row.updated_at, row.created_at),
        )


def _agreements(ask: _Ask) -> Iterator[Deadline]:
    a = m.Agreement
    query = (
        select(a.id, a.title, a.notice_deadline, a.renews_on, a.notes, a.updated_at, a.created_at)
        .add_columns(m.Vendor.name.label("vendor"))
        .outerjoin(m.Vendor, m.Vendor.id == a.vendor_id)
        .where((a.notice_deadline >= ask.on) | (a.renews_on >= ask.on))
        .order_by(a.renews_on, a.id)
    )
    for row in ask.session.execute(query):
        stamp = _stamp_of(row.updated_at, row.created_at)
        if row.notice_deadline is not None and row.notice_deadline >= ask.on:
            text = (
                f"Last day to give notice on {row.title} before it renews on "
                f"{row.renews_on:%d %B %Y}"
                if row.renews_on
                else f"Last day to give notice on {row.title}"
            )
            yield Deadline(
                ask.uid("agreement", row.id, "notice"),
                row.notice_deadline,
                ask.with_vendor(f"Give notice: {row.title}", row.vendor),
                _sentences(text, row.notes if ask.full else ""),
                "Agreement",
                ask.lead.notice_days,
                stamp,
            )
        if row.renews_on is not None and row.renews_on >= ask.on:
            yield Deadline(
                ask.uid("agreement", row.id, "renews"),
                row.renews_on,
                ask.with_vendor(f"{row.title} renews", row.vendor),
                f"{row.title} renews today unless notice was given.",
                "Agreement",
                ask.lead.notice_days,
                stamp,
            )


def _tickets(ask: _Ask) -> Iterator[Deadline]:
    t = m.Ticket
    query = (
        select(t.id, t.title, t.reference, t.follow_up_on, t.updated_at, t.created_at)
        .add_columns(m.Vendor.name.label("vendor"))
        .join(m.Vendor, m.Vendor.id == t.vendor_id)
        .where(t.follow_up_on >= ask.on, t.status.in_(m.OPEN_TICKET_STATUSES))
        .order_by(t.follow_up_on, t.id)
    )
    for row in ask.session.execute(query):
        text = f"Follow up on the ticket “{row.title}”"
        if ask.full:
            text += f" with {row.vendor}" + (f" (case {row.reference})" if row.reference else "")
        yield Deadline(
            ask.uid("ticket", row.id, "follow-up"),
            row.follow_up_on,
            ask.with_vendor(f"Follow up: {row.title}", row.vendor),
            _sentences(text),
            "Ticket",
            0,
            _stamp_of(row.updated_at, row.created_at),
        )


def _services(ask: _Ask) -> Iterator[Deadline]:
    e, later = m.ServiceEvent, aliased(m.ServiceEvent)
    superseded = exists().where(
        later.asset_id == e.asset_id,
        later.description == e.description,
        later.performed_on > e.performed_on,
    )
    query = (
        select(e.id, e.description, e.next_due, e.updated_at, e.created_at)
        .add_columns(m.Asset.name.label("asset"), m.Vendor.name.label("vendor"))
        .join(m.Asset, m.Asset.id == e.asset_id)
        .outerjoin(m.Vendor, m.Vendor.id == e.vendor_id)
        .where(e.next_due >= ask.on, m.Asset.status == m.AssetStatus.IN_USE, ~superseded)
        .order_by(e.next_due, e.id)
    )
    for row in ask.session.execute(query):
        text = f"{row.asset} is due for: {row.description}"
        if ask.full and row.vendor:
            text += f" (last done by {row.vendor})"
        yield Deadline(
            ask.uid("service_event", row.id, "due"),
            row.next_due,
            f"{row.asset}: service due",
            _sentences(text),
            "Service",
            ask.lead.service_days,
            _stamp_of(row.updated_at, row.created_at),
        )


def _day(on: date) -> vDate:
    value = vDate(on)
    value.params["VALUE"] = "DATE"
    return value


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
    # Properties are set as typed values rather than through ``add``, which infers each type
    # and costs half the time of a large calendar; the text written is the same.
    for d in deadlines(session, vault_id, lead, detail=detail, on=on):
        changed = vDatetime(d.changed)
        event = Event()
        event["uid"] = vText(d.uid)
        event["dtstamp"] = changed
        event["last-modified"] = changed
        event["dtstart"] = _day(d.on)
        event["dtend"] = _day(d.on + timedelta(days=1))
        event["summary"] = vText(d.summary)
        event["description"] = vText(d.description)
        event["categories"] = vCategory([d.category])
        event["transp"] = vText("TRANSPARENT")
        alarm = Alarm()
        alarm["action"] = vText("DISPLAY")
        alarm["description"] = vText(d.summary)
        alarm["trigger"] = vDuration(timedelta(days=-d.lead_days) if d.lead_days else timedelta(0))
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

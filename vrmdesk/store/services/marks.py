"""Done and Snooze on the home page's items (the dashboard's, see ``dashboard.attention``).

What "done" means depends on the item:

- a follow-up due: the ticket's follow-up date is cleared (the ticket stays open; closing it is
  a decision of its own, made on the ticket);
- a service due: the service is recorded as done today, as a new service event of the same
  kind (thing, description, who does it, interval), so a recurring one is due again after its
  interval and a one-off one is not due any more;
- a warranty ending, a notice deadline, a ticket waiting too long, a vendor over my policy: it
  is acknowledged, a mark in the vault (:class:`models.AttentionMark`) that hides it until it
  changes (another end or deadline, a new word from the vendor on the ticket, another count of
  offers).

Snoozing marks an item hidden until a day; it shows again on that day, or as soon as it changes.
Both are kept in the vault, so they hold on every computer the vault is opened on. Each returns
the step that undoes it (see ``undo``): the GUI puts it on its undo stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from vrmdesk.errors import NotFound, ValidationError
from vrmdesk.store import models as m
from vrmdesk.store.services import dashboard, records, undo
from vrmdesk.store.services.rules import add_months, today

#: the kind of record each section of the home page lists
SECTION_KINDS: dict[str, str] = {
    "warranties": "warranty",
    "follow_ups": "ticket",
    "waiting": "ticket",
    "notices": "agreement",
    "service": "service_event",
    "over_policy": "vendor",
}


#: how the Edit menu names a Done: "Undo Done on “Leaks”"
DONE_ON = "Done on"


@dataclass(frozen=True)
class Outcome:
    """What an action did: a sentence for the person, the kinds of record it changed, and the
    step that undoes it (``undo.undo_step``)."""

    message: str
    kinds: frozenset[str]
    step: undo.Step


def _kind(section: str) -> str:
    try:
        return SECTION_KINDS[section]
    except KeyError:
        raise NotFound(f"The home page has no section {section!r}.") from None


def _about(session: Session, section: str, record_id: int, on: date) -> tuple[str, str]:
    """What the item says now (its day, ISO, or a vendor's reason) and its title."""
    if section == "over_policy":
        vendor = records.get(session, m.Vendor, record_id)
        for breach in dashboard.over_contact_policy(session, on):
            if breach.vendor.id == record_id:
                return breach.reason, vendor.name
        raise ValidationError(f"{vendor.name} keeps to my contact policy now.")
    obj = records.get(session, m.RECORD_BY_KIND[_kind(section)], record_id)
    if section == "waiting":
        since = session.scalar(select(dashboard.waiting_since()).where(m.Ticket.id == record_id))
        return str(since or ""), records.title_of(obj)
    day = {
        "warranties": "ends_on",
        "follow_ups": "follow_up_on",
        "notices": "notice_deadline",
        "service": "next_due",
    }[section]
    value: date | None = getattr(obj, day)
    title = records.title_of(obj)
    if isinstance(obj, m.Warranty):
        title = f"{obj.asset.name}: {obj.title or 'warranty'}"
    return (value.isoformat() if value else ""), title


def _mark(
    session: Session,
    section: str,
    record_id: int,
    about: str,
    until: date | None,
    *,
    label: str,
    verb: str,
) -> undo.RowChange:
    """Set the item's one mark (replacing any), returning what undo needs."""
    key = {"section": section, "kind": _kind(section), "record_id": record_id}
    values = {"about": about[:500], "until": until, "created_at": m.utcnow()}
    return undo.row_change(session, m.AttentionMark, key, values, label=label, verb=verb)


def done(session: Session, section: str, record_id: int, on: date | None = None) -> Outcome:
    """Mark an item of the home page done (what that means: see the module's text)."""
    on = on or today()
    if section == "follow_ups":
        edit = undo.edit_with_undo(session, "ticket", record_id, verb=DONE_ON, follow_up_on=None)
        edit.label = f"“{edit.label}”"
        return Outcome(
            f"Followed up {edit.label}: its follow-up date is cleared.",
            frozenset({"ticket"}),
            edit,
        )
    if section == "service":
        return _service_done(session, record_id, on)
    about, title = _about(session, section, record_id, on)
    step = _mark(session, section, record_id, about, None, label=f"“{title}”", verb=DONE_ON)
    return Outcome(f"Acknowledged “{title}”.", frozenset({"attention"}), step)


def _service_done(session: Session, event_id: int, on: date) -> Outcome:
    event = records.get(session, m.ServiceEvent, event_id)
    what = event.description or "the service"
    label = f"“{what}” on {event.asset.name}"
    step: undo.Step
    if event.performed_on >= on:  # a later one would not be later: this one moves on
        next_due = add_months(on, event.interval_months) if event.interval_months else None
        step = undo.edit_with_undo(
            session, "service_event", event_id, verb=DONE_ON, next_due=next_due
        )
        step.label = label
    else:
        made = records.create(
            session,
            m.ServiceEvent,
            asset_id=event.asset_id,
            vendor_id=event.vendor_id,
            performed_on=on,
            performed_by=event.performed_by,
            description=event.description,
            currency=event.currency,
            interval_months=event.interval_months,
        )
        step = undo.Created(m.ServiceEvent, made.id, label, DONE_ON)
        next_due = made.next_due
    then = f"; next due {next_due:%d %b %Y}" if next_due else ""
    return Outcome(f"Recorded {label} as done today{then}.", frozenset({"service_event"}), step)


def snooze(
    session: Session, section: str, record_id: int, until: date, on: date | None = None
) -> Outcome:
    """Hide an item of the home page until ``until`` (a day after ``on``)."""
    on = on or today()
    if until <= on:
        raise ValidationError("Snooze until a day after today.", field="until")
    about, title = _about(session, section, record_id, on)
    step = _mark(session, section, record_id, about, until, label=f"“{title}”", verb="snooze of")
    return Outcome(f"Snoozed “{title}” until {until:%a %d %b %Y}.", frozenset({"attention"}), step)


def snooze_days(on: date | None = None) -> list[tuple[str, date]]:
    """The days a snooze offers at once: tomorrow, in a week, in a month."""
    on = on or today()
    return [
        ("tomorrow", on + timedelta(days=1)),
        ("next week", on + timedelta(days=7)),
        ("next month", add_months(on, 1)),
    ]

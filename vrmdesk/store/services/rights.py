"""Data-rights requests: a letter to a vendor under a law, its legal deadline, and what follows.

The laws are data: one TOML file per law in :mod:`vrmdesk.store` ``rights_laws/`` (the format
is described in docs/rights-requests.md), so a new jurisdiction is a new file. A request is
drafted (:func:`draft`) from the law's words, the details the vendor already holds about me (my
accounts and registrations with it, nothing else) and the vendor's addresses (its e-mail and
postal channels, its contacts' e-mail); recording it sent (:func:`record_sent`) makes a ticket
of kind "rights request" (a :class:`~vrmdesk.store.models.RightsRequest` beside it) and puts
the letter on the vendor's timeline. Deadlines are counted with dateutil (relativedelta,
rrule), never by hand.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, FR, MO, TH, TU, WE, rrule
from sqlalchemy import select
from sqlalchemy.orm import Session
from vrmshare.fileutil import atomic_write_bytes

from vrmdesk.errors import NotFound, ValidationError
from vrmdesk.pdffonts import close_fonts, printable_in, use_unicode_font
from vrmdesk.store import models as m
from vrmdesk.store.services import records

#: the rights a request can ask for, in the order they are offered
RIGHTS = ("access", "rectification", "erasure", "portability", "objection", "restriction")

RIGHT_TITLES = {
    "access": "access",
    "rectification": "rectification",
    "erasure": "erasure",
    "portability": "portability",
    "objection": "objection to marketing",
    "restriction": "restriction of processing",
}

#: the paragraph on an enclosed bundle of corrections, for a law file that has none
DEFAULT_ENCLOSURE = (
    "The corrected details are in the enclosed file $file, signed by my key with the "
    "fingerprint $fingerprint."
)

#: how many days before a deadline the request shows among the follow-ups
REMIND_DAYS_BEFORE = 7


@dataclass(frozen=True)
class Right:
    article: str
    ask: str


@dataclass(frozen=True)
class Law:
    """One law file: its rights (or why it has none of a kind), deadlines and letters."""

    id: str
    name: str
    short: str
    authority: str
    deadline_article: str
    unit: str
    answer: int
    extension: int
    extensions: int
    claim_within_first: bool
    confirm_business_days: int
    rights: dict[str, Right]
    missing: dict[str, str]
    templates: dict[str, tuple[str, str]]
    #: the letter's paragraph on a rectification request's enclosed bundle ($file, $fingerprint)
    enclosure: str = DEFAULT_ENCLOSURE

    def right(self, right: str) -> Right:
        if right not in RIGHTS:
            raise ValidationError(
                f"There is no right {right!r}; choose one of {', '.join(RIGHTS)}.", field="right"
            )
        if right in self.missing:
            raise ValidationError(self.missing[right], field="right")
        if right not in self.rights:
            raise ValidationError(f"The {self.short} has no right of {right}.", field="right")
        return self.rights[right]

    def _after(self, start: date, amount: int) -> date:
        step = relativedelta(months=amount) if self.unit == "months" else relativedelta(days=amount)
        return start + step

    def due(self, start: date) -> date:
        """The legal deadline counted from ``start`` (a month: the same day of the next month,
        or that month's last day when the day does not exist)."""
        return self._after(start, self.answer)

    def extended_due(self, start: date) -> date:
        return self._after(start, self.answer + self.extension)

    def confirm_by(self, start: date) -> date | None:
        """The day a confirmation of receipt is due (business days, Monday to Friday)."""
        if not self.confirm_business_days:
            return None
        days = rrule(
            DAILY,
            dtstart=start + timedelta(days=1),
            byweekday=(MO, TU, WE, TH, FR),
            count=self.confirm_business_days,
        )
        return list(days)[-1].date()


def _law_from(data: dict[str, Any]) -> Law:
    deadline = data["deadline"]
    rights = {k: Right(v["article"], v["ask"]) for k, v in data["rights"].items() if "ask" in v}
    missing = {k: v["missing"] for k, v in data["rights"].items() if "missing" in v}
    templates = {
        part: (data[part]["subject"], data[part]["body"].strip())
        for part in ("letter", "reminder", "complaint")
    }
    unit = deadline["unit"]
    if unit not in ("months", "days"):
        raise ValueError(f"law {data['id']}: deadline unit {unit!r}")
    return Law(
        id=data["id"],
        name=data["name"],
        short=data["short"],
        authority=data["authority"],
        deadline_article=data["deadline_article"],
        unit=unit,
        answer=int(deadline["answer"]),
        extension=int(deadline.get("extension", 0)),
        extensions=int(deadline.get("extensions", 0)),
        claim_within_first=bool(deadline.get("claim_within_first", True)),
        confirm_business_days=int(deadline.get("confirm_business_days", 0)),
        rights=rights,
        missing=missing,
        templates=templates,
        enclosure=data.get("enclosure", {}).get("text", DEFAULT_ENCLOSURE),
    )


@cache
def laws() -> dict[str, Law]:
    """Every law file shipped, by id (``gdpr``, ``uk-gdpr``, ``ccpa`` …)."""
    folder = resources.files("vrmdesk.store") / "rights_laws"
    found: dict[str, Law] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            law = _law_from(tomllib.loads(entry.read_text(encoding="utf-8")))
            found[law.id] = law
    return found


def law(law_id: str) -> Law:
    known = laws()
    if law_id not in known:
        raise ValidationError(
            f"There is no law {law_id!r}; choose one of {', '.join(sorted(known))}.", field="law"
        )
    return known[law_id]


@dataclass
class Draft:
    """A letter ready to send, or one that says what is missing (``missing`` not empty)."""

    vendor_id: int
    vendor: str
    law: str
    right: str
    article: str
    sent_on: date
    counted_from: date
    received: bool
    due_on: date
    confirm_by: date | None
    subject: str
    body: str
    email: str = ""
    postal: str = ""
    details: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def sendable(self) -> bool:
        return not self.missing

    @property
    def text(self) -> str:
        """The whole letter as text: addressee, date, subject, body (or what is missing)."""
        head = [self.vendor]
        if self.postal:
            head += self.postal.splitlines()
        if self.email:
            head.append(self.email)
        lines = [*head, "", self.sent_on.isoformat(), "", f"Subject: {self.subject}", ""]
        if self.missing:
            lines += ["This letter cannot be sent yet. Missing:", *self.missing, ""]
        return "\n".join([*lines, self.body])


def vendor_details(session: Session, vendor_id: int) -> list[str]:
    """What the vendor already holds about me: my accounts and registrations with it."""
    accounts = session.scalars(
        select(m.Account).where(m.Account.vendor_id == vendor_id).order_by(m.Account.id)
    )
    lines = [f"- {a.label or 'Account'}: {a.number}" for a in accounts]
    registrations = session.scalars(
        select(m.Registration)
        .where(m.Registration.vendor_id == vendor_id)
        .order_by(m.Registration.registered_on, m.Registration.id)
    )
    for r in registrations:
        line = f"- Registration of {r.asset.name} on {r.registered_on.isoformat()}"
        if r.registration_ref:
            line += f", reference {r.registration_ref}"
        if r.data_given:
            line += f" (given: {' '.join(r.data_given.split())})"
        lines.append(line)
    return lines


def vendor_addresses(session: Session, vendor_id: int) -> tuple[str, str]:
    """The vendor's e-mail and postal address from its channels, else its contacts' e-mail."""
    channels = session.scalars(
        select(m.Channel).where(m.Channel.vendor_id == vendor_id).order_by(m.Channel.id)
    ).all()
    email = next((c.value for c in channels if c.channel == m.ChannelKind.EMAIL), "")
    postal = next((c.value for c in channels if c.channel == m.ChannelKind.POSTAL), "")
    if not email:
        email = (
            session.scalar(
                select(m.Contact.email)
                .where(m.Contact.vendor_id == vendor_id, m.Contact.email != "")
                .order_by(m.Contact.id)
                .limit(1)
            )
            or ""
        )
    return email.strip(), postal.strip()


def _fill(template: str, values: dict[str, str]) -> str:
    """The template filled; a paragraph left empty (no enclosure) leaves no gap."""
    return re.sub(r"\n{3,}", "\n\n", string.Template(template).safe_substitute(values))


def enclosure_text(law_id: str, file_name: str, fingerprint: str) -> str:
    """The letter's paragraph naming the enclosed bundle of corrections and its signing key."""
    return _fill(law(law_id).enclosure, {"file": file_name, "fingerprint": fingerprint})


def draft(
    session: Session,
    vendor: str | int,
    right: str,
    law_id: str,
    *,
    sent: date | None = None,
    received: date | None = None,
    today: date | None = None,
    enclosure: str = "",
) -> Draft:
    """The letter for a request; refuses an unknown law or right, or a right the law lacks.

    ``enclosure`` (:func:`enclosure_text`) names the signed bundle of corrected records that
    goes with a request for rectification; any other right refuses one.
    """
    chosen = law(law_id)
    the_right = chosen.right(right)
    today = today or date.today()
    sent = sent or today
    if sent > today:
        raise ValidationError(f"The day sent, {sent.isoformat()}, is in the future.", "sent")
    if received is not None and received < sent:
        raise ValidationError("A letter cannot be received before it was sent.", "received")
    if enclosure and right != "rectification":
        raise ValidationError(
            "Corrected records go with a request for rectification only.", field="right"
        )
    found = records.find_vendor(session, vendor)
    start = received or sent
    due, confirm = chosen.due(start), chosen.confirm_by(start)
    details = vendor_details(session, found.id)
    email, postal = vendor_addresses(session, found.id)
    values = {
        "law_name": chosen.name,
        "law_short": chosen.short,
        "article": the_right.article,
        "ask": the_right.ask,
        "details": "\n".join(details)
        or "- (no account or registration with you is recorded; I give my name and address below)",
        "deadline_article": chosen.deadline_article,
        "due": due.isoformat(),
        "sent": sent.isoformat(),
        "confirm_by": confirm.isoformat() if confirm else "",
        "confirm_days": str(chosen.confirm_business_days),
        "authority": chosen.authority,
        "vendor": found.name,
        "enclosure": enclosure,
    }
    subject, body = (_fill(t, values) for t in chosen.templates["letter"])
    if enclosure and "$enclosure" not in chosen.templates["letter"][1]:
        body = f"{body}\n\n{enclosure}"  # a law file whose letter has no place for it
    missing = (
        []
        if email or postal
        else [
            f"- an address for {found.name}: add its e-mail or postal address "
            "(a channel, or a contact's e-mail) to its page"
        ]
    )
    return Draft(
        vendor_id=found.id,
        vendor=found.name,
        law=chosen.id,
        right=right,
        article=the_right.article,
        sent_on=sent,
        counted_from=start,
        received=received is not None,
        due_on=due,
        confirm_by=confirm,
        subject=subject,
        body=body,
        email=email,
        postal=postal,
        details=details,
        missing=missing,
    )


def _title(letter: Draft | m.RightsRequest, due: date) -> str:
    """The ticket's title, with the deadline in force (shown wherever tickets are listed)."""
    chosen = law(letter.law)
    return f"Data-rights request: {RIGHT_TITLES[letter.right]} ({chosen.short}), due {due}"


def record_sent(session: Session, letter: Draft, *, enclosed_bundle: str = "") -> m.RightsRequest:
    """The request as a ticket of kind "rights request", with the letter on the timeline.

    A letter that lacks an address is refused: nothing is recorded as sent. ``enclosed_bundle``
    is the id of the bundle of corrections sent with it (in the disclosure log), noted on the
    ticket.
    """
    if letter.missing:
        raise ValidationError(
            f"The letter to {letter.vendor} cannot be sent: "
            + "; ".join(line.lstrip("- ") for line in letter.missing)
            + ".",
            field="vendor_id",
        )
    ticket = records.create(
        session,
        m.Ticket,
        vendor_id=letter.vendor_id,
        title=_title(letter, letter.due_on),
        status=m.TicketStatus.WAITING_ON_VENDOR,
        opened_on=letter.sent_on,
        follow_up_on=letter.due_on - timedelta(days=REMIND_DAYS_BEFORE),
        notes=f"{letter.article}. Legal deadline: {letter.due_on.isoformat()}."
        + (f" Corrected records sent as the bundle {enclosed_bundle}." if enclosed_bundle else ""),
    )
    request = m.RightsRequest(
        ticket_id=ticket.id,
        law=letter.law,
        right=letter.right,
        sent_on=letter.sent_on,
        counted_from=letter.counted_from,
        received=letter.received,
        due_on=letter.due_on,
        confirm_by=letter.confirm_by,
        letter=letter.text,
    )
    session.add(request)
    records.create(
        session,
        m.Interaction,
        vendor_id=letter.vendor_id,
        ticket_id=ticket.id,
        occurred_at=datetime.combine(letter.sent_on, time(12)),
        direction=m.Direction.OUTBOUND,
        channel=m.InteractionChannel.EMAIL if letter.email else m.InteractionChannel.LETTER,
        subject=letter.subject,
        body=letter.text,
    )
    session.flush()
    return request


def get(session: Session, request_id: int) -> m.RightsRequest:
    found = session.get(m.RightsRequest, request_id)
    if found is None:
        raise NotFound(f"There is no rights request {request_id}.", field="id")
    return found


def deadline(request: m.RightsRequest) -> date:
    """The deadline in force: the extended one once extended."""
    return request.extended_due_on or request.due_on


def state(request: m.RightsRequest, on: date | None = None) -> str:
    """``answered``, ``overdue`` (the deadline passed unanswered), ``extended`` or ``waiting``."""
    if request.answered_on is not None:
        return "answered"
    if (on or date.today()) > deadline(request):
        return "overdue"
    return "extended" if request.extended_due_on else "waiting"


def extend(session: Session, request_id: int, on: date | None = None) -> m.RightsRequest:
    """The vendor claimed more time on ``on``: the extended deadline, or refused with why."""
    request = get(session, request_id)
    chosen = law(request.law)
    on = on or date.today()
    if request.answered_on is not None:
        raise ValidationError(f"Rights request {request.id} is already answered.", "id")
    if not chosen.extensions or not chosen.extension:
        raise ValidationError(f"The {chosen.short} allows no extension.", "id")
    if request.extended_due_on is not None:
        raise ValidationError(
            f"Rights request {request.id} was already extended on "
            f"{request.extended_on.isoformat() if request.extended_on else '?'}: "
            f"the {chosen.short} allows it once.",
            "id",
        )
    if on < request.counted_from:
        raise ValidationError("An extension cannot be claimed before the request was made.", "on")
    if chosen.claim_within_first and on > request.due_on:
        raise ValidationError(
            f"Refused: the extension was claimed on {on.isoformat()}, after the first period "
            f"ended on {request.due_on.isoformat()}; under {chosen.deadline_article} of the "
            f"{chosen.short} it must be claimed within it.",
            "on",
        )
    request.extended_on = on
    request.extended_due_on = chosen.extended_due(request.counted_from)
    request.ticket.follow_up_on = request.extended_due_on - timedelta(days=REMIND_DAYS_BEFORE)
    request.ticket.title = _title(request, request.extended_due_on)
    session.flush()
    return request


def answered(session: Session, request_id: int, on: date | None = None) -> m.RightsRequest:
    """The vendor answered: the ticket is resolved and leaves the follow-ups."""
    request = get(session, request_id)
    if request.answered_on is not None:
        raise ValidationError(f"Rights request {request.id} is already answered.", "id")
    on = on or date.today()
    if on < request.sent_on:
        raise ValidationError("A request cannot be answered before it was sent.", "on")
    request.answered_on = on
    request.ticket.status = m.TicketStatus.RESOLVED
    request.ticket.closed_on = on
    request.ticket.follow_up_on = None
    session.flush()
    return request


def _values(request: m.RightsRequest) -> dict[str, str]:
    chosen = law(request.law)
    the_right = chosen.right(request.right)
    letter_details = request.letter.split("\n")
    details = [line for line in letter_details if line.startswith("- ")]
    return {
        "law_name": chosen.name,
        "law_short": chosen.short,
        "article": the_right.article,
        "ask": the_right.ask,
        "details": "\n".join(details),
        "deadline_article": chosen.deadline_article,
        "due": deadline(request).isoformat(),
        "sent": request.sent_on.isoformat(),
        "authority": chosen.authority,
        "vendor": request.ticket.vendor.name,
    }


def follow_up_letter(
    session: Session, request_id: int, part: str, on: date | None = None
) -> tuple[str, str]:
    """The drafted ``reminder`` or ``complaint`` (to the supervisory authority): subject, text.

    Only once the deadline has passed unanswered; refused before, or once answered.
    """
    request = get(session, request_id)
    current = state(request, on)
    if current != "overdue":
        raise ValidationError(
            f"Rights request {request.id} is {current}: a {part} is drafted only once its "
            f"deadline ({deadline(request).isoformat()}) has passed unanswered.",
            "id",
        )
    subject, body = law(request.law).templates[part]
    values = _values(request)
    return _fill(subject, values), _fill(body, values)


@dataclass(frozen=True)
class RequestRow:
    id: int
    ticket_id: int
    vendor: str
    right: str
    law: str
    sent: date
    counted_from: date
    due: date
    extended_due: date | None
    confirm_by: date | None
    answered: date | None
    state: str

    def to_json(self) -> dict[str, Any]:
        def day(value: date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "id": self.id,
            "ticket_id": self.ticket_id,
            "vendor": self.vendor,
            "right": self.right,
            "law": self.law,
            "sent": day(self.sent),
            "counted_from": day(self.counted_from),
            "due": day(self.due),
            "extended_due": day(self.extended_due),
            "confirm_by": day(self.confirm_by),
            "answered": day(self.answered),
            "state": self.state,
        }


def _row(request: m.RightsRequest, on: date | None) -> RequestRow:
    return RequestRow(
        id=request.id,
        ticket_id=request.ticket_id,
        vendor=request.ticket.vendor.name,
        right=request.right,
        law=request.law,
        sent=request.sent_on,
        counted_from=request.counted_from,
        due=request.due_on,
        extended_due=request.extended_due_on,
        confirm_by=request.confirm_by,
        answered=request.answered_on,
        state=state(request, on),
    )


def list_requests(
    session: Session, *, vendor_id: int | None = None, on: date | None = None, limit: int = 500
) -> list[RequestRow]:
    """The requests, newest first (a vendor's only, with ``vendor_id``)."""
    query = select(m.RightsRequest).join(m.Ticket).order_by(m.RightsRequest.id.desc())
    if vendor_id is not None:
        query = query.where(m.Ticket.vendor_id == vendor_id)
    return [_row(r, on) for r in session.scalars(query.limit(limit))]


def request_of_ticket(session: Session, ticket_id: int) -> m.RightsRequest | None:
    return session.scalar(select(m.RightsRequest).where(m.RightsRequest.ticket_id == ticket_id))


def letter_pdf(letter_text: str, path: Path | None = None) -> bytes:
    """The letter as an A4 PDF for post (written to ``path`` when given)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(True, margin=25)
    pdf.set_title("Data-rights request")
    pdf.set_creator("vrmdesk")
    family = use_unicode_font(pdf)
    try:
        pdf.add_page()
        pdf.set_font(family, size=11)
        pdf.multi_cell(0, 5.5, printable_in(pdf, letter_text))
        data = bytes(pdf.output())
    finally:
        close_fonts(pdf)
    if path is not None:
        atomic_write_bytes(path, data)  # a full disk leaves no half a letter behind
    return data


def rights_of(law_id: str) -> Sequence[tuple[str, str | None]]:
    """Each right with the reason the law lacks it (None: the law has it)."""
    chosen = law(law_id)
    return [(r, chosen.missing.get(r)) for r in RIGHTS]

"""What the share wizard offers: a vendor's shareable records as a tree of choices.

:func:`choices` lists everything that could go to a vendor — things with their warranties,
registrations, service and files; tickets with their timeline; single messages; agreements; my
notes — as :class:`Choice` entries. :func:`default_checks` says what starts ticked, given where
the wizard was opened from, and :func:`selection_from_checks` turns the ticked entries into the
:class:`~vrmdesk.share.slice.Selection` that is exported. The widget only shows this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from vrmdesk.share.slice import Selection, related_asset_ids
from vrmdesk.store import models as m
from vrmdesk.store.attachments import format_size
from vrmdesk.store.services import records as rec

#: a direction as the interface says it (ui/widgets/words.py)
_DIRECTION = {"inbound": "from them", "outbound": "to them"}


def _title(obj: m.Record) -> str:
    return rec.title_of(obj)


@dataclass
class Choice:
    """One checkable entry of the "what to share" tree: a record, or a file or note under it."""

    kind: str  # "asset", "ticket", "interaction", "agreement", "vendor_note", or a child kind
    id: int
    label: str
    #: more about it; ``{when}`` stands for :attr:`when`, which the interface shows in its style
    detail: str = ""
    children: list[Choice] = field(default_factory=list)
    #: checked when its parent is (a note is not: notes are opt-in)
    follows_parent: bool = True
    #: a file's record, (kind, id): a message's files sit beside it under its ticket
    owner: tuple[str, int] | None = None
    when: date | None = None

    def describe(self, show: Callable[[date], str] = lambda d: f"{d:%Y-%m-%d}") -> str:
        """:attr:`detail` with its date written by ``show``."""
        if self.when is None:
            return self.detail
        return self.detail.replace("{when}", show(self.when))

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.id)


@dataclass
class Choices:
    vendor_id: int
    vendor_name: str
    age_recipient: str
    groups: list[tuple[str, list[Choice]]]

    def all(self) -> Iterator[tuple[Choice | None, Choice]]:
        """(parent, choice) for every entry, parents first."""
        for _, items in self.groups:
            for item in items:
                yield None, item
                for child in item.children:
                    yield item, child

    def find(self, kind: str, record_id: int) -> Choice | None:
        return next((c for _, c in self.all() if c.key == (kind, record_id)), None)


def _attachment_choices(session: Session, kind: str, ids: list[int]) -> dict[int, list[Choice]]:
    out: dict[int, list[Choice]] = {}
    if not ids:
        return out
    query = (
        select(m.Attachment)
        .where(m.Attachment.owner_kind == kind, m.Attachment.owner_id.in_(ids))
        .order_by(m.Attachment.id)
    )
    for att in session.scalars(query):
        out.setdefault(att.owner_id, []).append(
            Choice(
                "attachment",
                att.id,
                f"File: {att.name}",
                f"{att.media_type}, {format_size(att.size)}",
                owner=(kind, att.owner_id),
            )
        )
    return out


def _note_choice(kind: str, record_id: int, text: str) -> list[Choice]:
    text = (text or "").strip()
    if not text:
        return []
    first = text.splitlines()[0]
    return [
        Choice(
            f"{kind}_note",
            record_id,
            "My note",
            first if len(first) <= 80 else first[:79] + "…",
            follows_parent=False,
        )
    ]


def choices(session: Session, vendor_id: int, *, asset_ids: Iterable[int] = ()) -> Choices:
    """Everything that could be shared with a vendor, grouped, with sub-records and files.

    ``asset_ids`` adds things not otherwise related to the vendor (the one a wizard was opened
    from)."""
    vendor = rec.get(session, m.Vendor, vendor_id)
    ids = list(dict.fromkeys([*related_asset_ids(session, vendor_id), *asset_ids]))
    tickets, messages = _conversation_choices(session, vendor_id)
    groups = [
        ("Things", _thing_choices(session, ids)),
        ("Tickets", tickets),
        ("Messages", messages),
        ("Agreements", _agreement_choices(session, vendor_id)),
        ("Notes", _vendor_note_choices(vendor)),
    ]
    return Choices(vendor.id, vendor.name, vendor.age_recipient or "", groups)


class _OfAsset(Protocol):
    """A thing's sub-record (warranty, registration, service event)."""

    @property
    def id(self) -> int: ...

    @property
    def asset_id(self) -> int: ...


S = TypeVar("S", bound=_OfAsset)
R = TypeVar("R", bound=m.Record)


def _by_asset(rows: Iterable[S]) -> dict[int, list[S]]:
    out: dict[int, list[S]] = {}
    for row in rows:
        out.setdefault(row.asset_id, []).append(row)
    return out


def _with_files(
    rows: Iterable[R], choice: Callable[[R], Choice], files: dict[int, list[Choice]]
) -> list[Choice]:
    """Each row's entry followed by the entries of its files."""
    out: list[Choice] = []
    for row in rows:
        out.append(choice(row))
        out += files.get(row.id, [])
    return out


def _warranty_choice(w: m.Warranty) -> Choice:
    label = f"Warranty: {w.title or 'warranty'}"
    return Choice("warranty", w.id, label, "until {when}", when=w.ends_on)


def _registration_choice(r: m.Registration) -> Choice:
    return Choice("registration", r.id, "Registration", "on {when}", when=r.registered_on)


def _service_choice(e: m.ServiceEvent) -> Choice:
    label = f"Service: {e.description or 'service'}"
    return Choice("service_event", e.id, label, "on {when}", when=e.performed_on)


def _thing_choices(session: Session, ids: list[int]) -> list[Choice]:
    """The things, each with its warranties, registrations, service events, files and note."""
    assets = session.scalars(select(m.Asset).where(m.Asset.id.in_(ids)))
    ordered = sorted(assets, key=lambda a: (a.name.casefold(), a.id))
    warranties = _by_asset(
        session.scalars(
            select(m.Warranty)
            .where(m.Warranty.asset_id.in_(ids))
            .order_by(m.Warranty.starts_on, m.Warranty.id)
        )
    )
    registrations = _by_asset(
        session.scalars(
            select(m.Registration)
            .where(m.Registration.asset_id.in_(ids))
            .order_by(m.Registration.registered_on, m.Registration.id)
        )
    )
    services = _by_asset(
        session.scalars(
            select(m.ServiceEvent)
            .where(m.ServiceEvent.asset_id.in_(ids))
            .order_by(m.ServiceEvent.performed_on, m.ServiceEvent.id)
        )
    )
    sub_ids: dict[str, list[int]] = {
        "warranty": [w.id for ws in warranties.values() for w in ws],
        "registration": [r.id for rs in registrations.values() for r in rs],
        "service_event": [e.id for es in services.values() for e in es],
    }
    files = {kind: _attachment_choices(session, kind, rids) for kind, rids in sub_ids.items()}
    files["asset"] = _attachment_choices(session, "asset", ids)

    things: list[Choice] = []
    for a in ordered:
        label = f"{a.name} ({a.model})" if a.model else a.name
        item = Choice("asset", a.id, label, a.category)
        item.children += _with_files(warranties.get(a.id, []), _warranty_choice, files["warranty"])
        item.children += _with_files(
            registrations.get(a.id, []), _registration_choice, files["registration"]
        )
        item.children += _with_files(
            services.get(a.id, []), _service_choice, files["service_event"]
        )
        item.children += files["asset"].get(a.id, [])
        item.children += _note_choice("asset", a.id, a.notes)
        things.append(item)
    return things


def _conversation_choices(session: Session, vendor_id: int) -> tuple[list[Choice], list[Choice]]:
    """The vendor's tickets (each with its timeline, files and note), and its loose messages."""
    tickets = list(
        session.scalars(
            select(m.Ticket)
            .where(m.Ticket.vendor_id == vendor_id)
            .order_by(m.Ticket.opened_on.desc(), m.Ticket.id.desc())
        )
    )
    ticket_ids = [t.id for t in tickets]
    timeline: dict[int, list[m.Interaction]] = {}
    in_tickets = (
        select(m.Interaction)
        .where(m.Interaction.ticket_id.in_(ticket_ids))
        .order_by(m.Interaction.occurred_at, m.Interaction.id)
    )
    if ticket_ids:
        for i in session.scalars(in_tickets):
            if i.ticket_id is not None:  # always, as asked for
                timeline.setdefault(i.ticket_id, []).append(i)
    loose = list(
        session.scalars(
            select(m.Interaction)
            .where(m.Interaction.vendor_id == vendor_id, m.Interaction.ticket_id.is_(None))
            .order_by(m.Interaction.occurred_at.desc(), m.Interaction.id.desc())
        )
    )
    interaction_ids = [i.id for its in timeline.values() for i in its] + [i.id for i in loose]
    ticket_files = _attachment_choices(session, "ticket", ticket_ids)
    message_files = _attachment_choices(session, "interaction", interaction_ids)

    def in_timeline(i: m.Interaction) -> Choice:
        detail = f"{{when}} {_DIRECTION[i.direction.value]}"
        return Choice("interaction", i.id, f"Message: {_title(i)}", detail, when=i.occurred_at)

    ticket_items: list[Choice] = []
    for t in tickets:
        detail = f"{t.status.value.replace('_', ' ')}, opened {{when}}"
        item = Choice("ticket", t.id, t.title, detail, when=t.opened_on)
        item.children += _with_files(timeline.get(t.id, []), in_timeline, message_files)
        item.children += ticket_files.get(t.id, [])
        item.children += _note_choice("ticket", t.id, t.notes)
        ticket_items.append(item)
    message_items = [
        Choice(
            "interaction",
            i.id,
            _title(i),
            f"{{when}} {_DIRECTION[i.direction.value]}, {i.channel.value}",
            children=list(message_files.get(i.id, [])),
            when=i.occurred_at,
        )
        for i in loose
    ]
    return ticket_items, message_items


def _agreement_choices(session: Session, vendor_id: int) -> list[Choice]:
    agreements = list(
        session.scalars(
            select(m.Agreement)
            .where(m.Agreement.vendor_id == vendor_id)
            .order_by(m.Agreement.started_on, m.Agreement.id)
        )
    )
    agreement_files = _attachment_choices(session, "agreement", [a.id for a in agreements])
    items = []
    for a in agreements:
        item = Choice(
            "agreement",
            a.id,
            a.title,
            f"since {a.started_on}",
            children=list(agreement_files.get(a.id, [])),
        )
        item.children += _note_choice("agreement", a.id, a.notes)
        items.append(item)
    return items


def _vendor_note_choices(vendor: m.Vendor) -> list[Choice]:
    text = (vendor.notes or "").strip()
    if not text:
        return []
    label = f"My notes on {vendor.name}"
    return [
        Choice("vendor_note", vendor.id, label, text.splitlines()[0][:80], follows_parent=False)
    ]


def default_checks(
    found: Choices,
    *,
    asset_id: int | None = None,
    ticket_id: int | None = None,
    interaction_ids: Iterable[int] = (),
    session: Session | None = None,
) -> set[tuple[str, int]]:
    """What starts checked: where the wizard was opened from, with what belongs to it.

    From a vendor page (nothing given): everything but notes. From a thing: the thing and this
    vendor's tickets about it. From a ticket: the ticket with its timeline and its thing. From
    messages: those messages.
    """
    interaction_ids = list(interaction_ids)
    tops: set[tuple[str, int]] = set()
    if asset_id is None and ticket_id is None and not interaction_ids:
        tops = {item.key for parent, item in found.all() if parent is None and item.follows_parent}
    if asset_id is not None:
        tops.add(("asset", asset_id))
        if session is not None:
            tops |= {
                ("ticket", t)
                for t in session.scalars(
                    select(m.Ticket.id).where(
                        m.Ticket.vendor_id == found.vendor_id, m.Ticket.asset_id == asset_id
                    )
                )
            }
    if ticket_id is not None:
        tops.add(("ticket", ticket_id))
        if session is not None:
            ticket = session.get(m.Ticket, ticket_id)
            if ticket is not None and ticket.asset_id is not None:
                tops.add(("asset", ticket.asset_id))
    tops |= {("interaction", i) for i in interaction_ids}
    checked: set[tuple[str, int]] = set()
    for parent, item in found.all():
        if (parent is None and item.key in tops) or (
            parent is not None and parent.key in tops and item.follows_parent
        ):
            checked.add(item.key)
    # a message given by id that sits in a ticket's timeline: check it there, with its files
    messages = {("interaction", i) for i in interaction_ids}
    for parent, item in found.all():
        if parent is not None and item.key in messages:
            checked |= {parent.key, item.key}
        if parent is not None and item.owner in messages:
            checked.add(item.key)
    return checked


Key = tuple[str, int]


def ticked(found: Choices, checked: set[Key], key: Key, on: bool) -> set[Key]:
    """The ticks after a person ticks (``on``) or unticks ``key``.

    An entry under it follows it when it ``follows_parent`` (a thing's warranties and files, a
    ticket's messages), and so do a message's files beside it in its ticket; a note, which is
    opt-in, keeps its tick (it only counts while its parent is ticked, see :func:`available`).
    """
    out = set(checked) | {key} if on else set(checked) - {key}
    entry = found.find(*key)
    # its children, and the files of a message that sit beside it under its ticket
    owned = (
        [c for _, c in found.all() if c.owner == key and c not in entry.children] if entry else []
    )
    for child in [*(entry.children if entry is not None else []), *owned]:
        if child.follows_parent:
            if on:
                out.add(child.key)
            else:
                out.discard(child.key)
    return out


def available(found: Choices, checked: set[Key]) -> set[Key]:
    """The entries a person can tick now: every top entry, and those under a ticked one."""
    return {item.key for parent, item in found.all() if parent is None or parent.key in checked}


def selection_from_checks(
    found: Choices,
    checked: set[tuple[str, int]],
    *,
    redact: Iterable[str] = (),
) -> Selection:
    """The selection a checked tree stands for: checked top entries are shared; an unchecked
    entry under a checked one is excluded (a note under it is shared only when checked)."""
    tops: dict[str, list[int]] = {"asset": [], "ticket": [], "interaction": [], "agreement": []}
    exclude: set[tuple[str, int]] = set()
    vendor_notes = False
    ticket_messages: list[int] = []
    for parent, item in found.all():
        if parent is None:
            if item.key not in checked:
                continue
            if item.kind == "vendor_note":
                vendor_notes = True
            else:
                tops[item.kind].append(item.id)
        elif parent.key in checked and item.key not in checked:
            exclude.add(item.key)
        elif (
            parent.key not in checked
            and parent.kind == "ticket"
            and item.key in checked
            and item.kind == "interaction"
        ):
            ticket_messages.append(item.id)  # single messages out of a ticket not shared whole
    return Selection(
        vendor_id=found.vendor_id,
        asset_ids=tuple(tops["asset"]),
        ticket_ids=tuple(tops["ticket"]),
        interaction_ids=tuple(tops["interaction"] + ticket_messages),
        agreement_ids=tuple(tops["agreement"]),
        include_vendor_notes=vendor_notes,
        redact=frozenset(redact),
        exclude=frozenset(exclude),
    )


def vendors_for_asset(session: Session, asset_id: int) -> list[tuple[int, str]]:
    """(id, name) of the vendors a thing could be shared with, likeliest first: its maker, its
    seller, the providers of its warranties, the vendors of its registrations, service and tickets.
    """
    asset = rec.get(session, m.Asset, asset_id)
    ids: list[int] = [i for i in (asset.maker_id, asset.seller_id) if i is not None]
    for query in (
        select(m.Warranty.provider_id).where(m.Warranty.asset_id == asset_id),
        select(m.Registration.vendor_id).where(m.Registration.asset_id == asset_id),
        select(m.ServiceEvent.vendor_id).where(m.ServiceEvent.asset_id == asset_id),
        select(m.Ticket.vendor_id).where(m.Ticket.asset_id == asset_id),
    ):
        ids += [i for i in session.scalars(query) if i is not None]
    ordered = list(dict.fromkeys(ids))
    named = select(m.Vendor.id, m.Vendor.name).where(m.Vendor.id.in_(ordered))
    names = {row.id: row.name for row in session.execute(named)}
    return [(i, names[i]) for i in ordered if i in names]

"""Choosing what to share: a selection, the records and files it gives, and a preview of them.

A :class:`Selection` names what a person chose (by local ids) and what they left out (redacted
fields, excluded sub-records and files). :func:`collect` turns it into a :class:`Slice`: the
records as schema.org dicts with their stable ``@id`` and the files with their attachment rows,
exactly as they will leave. :meth:`Slice.preview` lists that field by field and file by file;
the wizard, the readable page and the disclosure log all read from it, so what a person is
shown is what is written.

The rules:
- the recipient vendor is always the first record; other vendors that a shared record refers to
  (a thing's maker, a warranty's provider) come along with their name and website only;
- a thing comes with its warranties, registrations, service events and attachments; a ticket
  with its whole timeline; excluded sub-records and files are left out;
- a bundle is closed: every ``{"@id": …}`` reference points to a record in it (a ticket about a
  thing that is not shared does not name it);
- a redacted field is absent from every record (see ``terms.REDACTABLE``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from vrmshare import terms
from vrmshare.layout import record_uid, safe_file_name

from vrmdesk.errors import ValidationError
from vrmdesk.share import schemaorg
from vrmdesk.store import models as m
from vrmdesk.store.attachments import format_size
from vrmdesk.store.services import records as rec
from vrmdesk.store.services import rules

if TYPE_CHECKING:
    from vrmdesk.store.vault import Vault

#: kinds of record whose attachments travel with them
FILE_OWNERS = (
    "asset",
    "warranty",
    "registration",
    "service_event",
    "ticket",
    "interaction",
    "agreement",
)


@dataclass(frozen=True)
class Selection:
    """What to share with one vendor, by local ids; JSON round-trips for the disclosure log."""

    vendor_id: int
    asset_ids: tuple[int, ...] = ()
    ticket_ids: tuple[int, ...] = ()
    interaction_ids: tuple[int, ...] = ()
    agreement_ids: tuple[int, ...] = ()
    include_vendor_notes: bool = False
    redact: frozenset[str] = frozenset()
    #: attachment choice: files at all, and ``exclude`` may name single ones ("attachment", id)
    include_files: bool = True
    #: sub-records and files left out: ("warranty" | "registration" | "service_event" |
    #: "interaction" | "attachment" | "<kind>_note", id)
    exclude: frozenset[tuple[str, int]] = frozenset()

    def __post_init__(self) -> None:
        unknown = sorted(set(self.redact) - set(terms.REDACTABLE))
        if unknown:
            choices = ", ".join(terms.REDACTABLE)
            raise ValidationError(
                f"{unknown[0]!r} is not a field that can be left out (choose from {choices}).",
                field="redact",
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "vendor_id": self.vendor_id,
            "asset_ids": list(self.asset_ids),
            "ticket_ids": list(self.ticket_ids),
            "interaction_ids": list(self.interaction_ids),
            "agreement_ids": list(self.agreement_ids),
            "include_vendor_notes": self.include_vendor_notes,
            "redact": sorted(self.redact),
            "include_files": self.include_files,
            "exclude": sorted([kind, rid] for kind, rid in self.exclude),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Selection:
        return cls(
            vendor_id=int(data["vendor_id"]),
            asset_ids=tuple(int(i) for i in data.get("asset_ids", ())),
            ticket_ids=tuple(int(i) for i in data.get("ticket_ids", ())),
            interaction_ids=tuple(int(i) for i in data.get("interaction_ids", ())),
            agreement_ids=tuple(int(i) for i in data.get("agreement_ids", ())),
            include_vendor_notes=bool(data.get("include_vendor_notes", False)),
            redact=frozenset(data.get("redact", ())),
            include_files=bool(data.get("include_files", True)),
            exclude=frozenset((str(k), int(i)) for k, i in data.get("exclude", ())),
        )

    def with_redaction(self, redact: Iterable[str]) -> Selection:
        return replace(self, redact=frozenset(redact))


@dataclass
class SliceRecord:
    kind: str  # the local kind ("asset", "ticket", "vendor_note" …)
    id: int
    uid: str
    label: str
    data: dict[str, Any]


@dataclass
class SliceFile:
    attachment: m.Attachment  # detached row: name, size, media_type, sha256, blob_name
    path: str  # files/NNN-safe-name
    about: str  # @id of the record it belongs to

    @property
    def name(self) -> str:
        return self.attachment.name

    @property
    def size(self) -> int:
        return self.attachment.size

    @property
    def media_type(self) -> str:
        return self.attachment.media_type

    @property
    def sha256(self) -> str:
        return self.attachment.sha256


class PreviewRecord(NamedTuple):
    label: str
    fields: list[tuple[str, str]]


class PreviewFile(NamedTuple):
    name: str
    size: int
    media_type: str
    path: str
    about: str  # the label of the record it belongs to

    @property
    def size_text(self) -> str:
        return format_size(self.size)


@dataclass
class Preview:
    records: list[PreviewRecord]
    files: list[PreviewFile]
    redacted: list[str]

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)


@dataclass
class Slice:
    selection: Selection
    vendor_id: int
    vendor_name: str
    vendor_uid: str
    age_recipient: str
    records: list[SliceRecord] = field(default_factory=list)
    files: list[SliceFile] = field(default_factory=list)

    @property
    def redacted(self) -> list[str]:
        return sorted(self.selection.redact)

    def manifest_records(self) -> list[dict[str, Any]]:
        return [r.data for r in self.records]

    def labels(self) -> dict[str, str]:
        return {r.uid: r.label for r in self.records}

    def preview(self) -> Preview:
        """Exactly what will leave: every record's fields and every file."""
        labels = self.labels()
        return Preview(
            records=[
                PreviewRecord(r.label, schemaorg.flatten(r.data, labels)) for r in self.records
            ],
            files=[
                PreviewFile(f.name, f.size, f.media_type, f.path, labels.get(f.about, ""))
                for f in self.files
            ],
            redacted=self.redacted,
        )

    def contents(self) -> list[dict[str, Any]]:
        """For the disclosure log: kind, local id, @id and the fields included of each record."""
        labels = self.labels()
        return [
            {
                "kind": r.kind,
                "id": r.id,
                "uid": r.uid,
                "fields": [key for key, _ in schemaorg.flatten(r.data, labels)],
            }
            for r in self.records
        ]

    def file_log(self) -> list[dict[str, Any]]:
        return [
            {
                "path": f.path,
                "name": f.name,
                "size": f.size,
                "sha256": f.sha256,
                "attachment_id": f.attachment.id,
            }
            for f in self.files
        ]


# -- choosing ---------------------------------------------------------------------------------
def related_asset_ids(session: Session, vendor_id: int) -> list[int]:
    """Things this vendor made, sold, covers, registered, serviced, or has a ticket about."""
    subqueries = [
        select(m.Asset.id).where(
            or_(m.Asset.maker_id == vendor_id, m.Asset.seller_id == vendor_id)
        ),
        select(m.Warranty.asset_id).where(m.Warranty.provider_id == vendor_id),
        select(m.Registration.asset_id).where(m.Registration.vendor_id == vendor_id),
        select(m.ServiceEvent.asset_id).where(m.ServiceEvent.vendor_id == vendor_id),
        select(m.Ticket.asset_id).where(m.Ticket.vendor_id == vendor_id),
    ]
    ids: set[int] = set()
    for query in subqueries:
        ids.update(i for i in session.scalars(query) if i is not None)
    return sorted(ids)


def everything(session: Session, vendor_id: int, *, redact: Iterable[str] = ()) -> Selection:
    """All I hold about a vendor: its things, tickets, loose messages, agreements and notes."""
    rec.get(session, m.Vendor, vendor_id)
    tickets = session.scalars(
        select(m.Ticket.id).where(m.Ticket.vendor_id == vendor_id).order_by(m.Ticket.id)
    )
    loose = session.scalars(
        select(m.Interaction.id)
        .where(m.Interaction.vendor_id == vendor_id, m.Interaction.ticket_id.is_(None))
        .order_by(m.Interaction.id)
    )
    agreements = session.scalars(
        select(m.Agreement.id).where(m.Agreement.vendor_id == vendor_id).order_by(m.Agreement.id)
    )
    return Selection(
        vendor_id=vendor_id,
        asset_ids=tuple(related_asset_ids(session, vendor_id)),
        ticket_ids=tuple(tickets),
        interaction_ids=tuple(loose),
        agreement_ids=tuple(agreements),
        include_vendor_notes=True,
        redact=frozenset(redact),
    )


def narrowed(
    session: Session,
    vendor_id: int,
    *,
    asset_ids: Iterable[int] = (),
    ticket_ids: Iterable[int] = (),
    redact: Iterable[str] = (),
) -> Selection:
    """Only the given things (with this vendor's tickets and loose messages about them) and the
    given tickets; no agreements, no vendor notes. Without ids: :func:`everything`."""
    asset_ids, ticket_ids = list(dict.fromkeys(asset_ids)), list(dict.fromkeys(ticket_ids))
    if not asset_ids and not ticket_ids:
        return everything(session, vendor_id, redact=redact)
    rec.get(session, m.Vendor, vendor_id)
    for asset_id in asset_ids:
        rec.get(session, m.Asset, asset_id)
    tickets = list(ticket_ids)
    loose: list[int] = []
    if asset_ids:
        tickets += [
            t
            for t in session.scalars(
                select(m.Ticket.id)
                .where(m.Ticket.vendor_id == vendor_id, m.Ticket.asset_id.in_(asset_ids))
                .order_by(m.Ticket.id)
            )
            if t not in tickets
        ]
        loose = list(
            session.scalars(
                select(m.Interaction.id)
                .where(
                    m.Interaction.vendor_id == vendor_id,
                    m.Interaction.ticket_id.is_(None),
                    m.Interaction.asset_id.in_(asset_ids),
                )
                .order_by(m.Interaction.id)
            )
        )
    return Selection(
        vendor_id=vendor_id,
        asset_ids=tuple(asset_ids),
        ticket_ids=tuple(tickets),
        interaction_ids=tuple(loose),
        redact=frozenset(redact),
    )


# -- collecting -------------------------------------------------------------------------------
def _title(obj: m.Record) -> str:
    return rec.title_of(obj)


def collect(
    session: Session, vault: Vault, selection: Selection, *, on: date | None = None
) -> Slice:
    """The records and files a selection gives. ``on``: the day warranty states are told for
    (the bundle's created day, so the same input gives the same bundle)."""
    collector = _Collector(session, vault.header.vault_id, selection, on or rules.today())
    collector.recipient()
    for asset_id in dict.fromkeys(selection.asset_ids):
        collector.asset(asset_id)
    for ticket_id in dict.fromkeys(selection.ticket_ids):
        collector.ticket(ticket_id)
    for interaction_id in dict.fromkeys(selection.interaction_ids):
        collector.message(interaction_id)
    for agreement_id in dict.fromkeys(selection.agreement_ids):
        collector.agreement(agreement_id)
    collector.other_vendors()
    if selection.include_files:
        _collect_files(session, collector.result, selection.exclude)
    return collector.result


class _Collector:
    """Builds one :class:`Slice`, a record kind at a time: every record once, in the order
    added, with the ``@id`` references it makes (the vendors among them come along last)."""

    def __init__(self, session: Session, vault_id: str, selection: Selection, on: date) -> None:
        self.session = session
        self.vault_id = vault_id
        self.on = on
        self.redact = frozenset(selection.redact)
        self.excluded = selection.exclude
        self.include_vendor_notes = selection.include_vendor_notes
        self.vendor = rec.get(session, m.Vendor, selection.vendor_id)
        self.result = Slice(
            selection,
            self.vendor.id,
            self.vendor.name,
            record_uid(vault_id, "vendor", self.vendor.id),
            self.vendor.age_recipient or "",
        )
        self.referenced_vendors: list[int] = []
        self.seen: set[str] = set()
        self.shared_assets: set[int] = set()
        self.shared_tickets: set[int] = set()

    # -- the parts every kind uses -----------------------------------------------------------
    def ref(self, kind: str, record_id: int) -> str:
        """A record's @id; a vendor named this way is shared too (name and website only)."""
        if kind == "vendor" and record_id not in self.referenced_vendors:
            self.referenced_vendors.append(record_id)
        return record_uid(self.vault_id, kind, record_id)

    def add(
        self, kind: str, obj_id: int, type_label: str, title: str, data: dict[str, Any]
    ) -> None:
        if data["@id"] in self.seen:
            return
        self.seen.add(data["@id"])
        label = f"{type_label}: {title}" if title else type_label
        self.result.records.append(SliceRecord(kind, obj_id, data["@id"], label, data))

    def note(self, owner_kind: str, owner_id: int, owner_uid: str, text: str, title: str) -> None:
        kind = f"{owner_kind}_note"
        if "notes" in self.redact or not (text or "").strip() or (kind, owner_id) in self.excluded:
            return
        data = schemaorg.note(record_uid(self.vault_id, kind, owner_id), text, owner_uid)
        self.add(kind, owner_id, "Note", f"on {title}", data)

    def shared(self, kind: str, record_id: int) -> bool:
        return (kind, record_id) not in self.excluded

    # -- one collector per kind of record ----------------------------------------------------
    def recipient(self) -> None:
        """The vendor the bundle goes to: always the first record."""
        vendor = self.vendor
        data = schemaorg.organization(
            vendor,
            self.ref,
            self.redact,
            recipient=True,
            accounts=sorted(vendor.accounts, key=lambda a: a.id),
            contacts=sorted(vendor.contacts, key=lambda c: c.id),
            channels=sorted(vendor.channels, key=lambda c: c.id),
        )
        self.add("vendor", vendor.id, "Vendor", vendor.name, data)
        if self.include_vendor_notes:
            self.note("vendor", vendor.id, self.result.vendor_uid, vendor.notes, vendor.name)

    def asset(self, asset_id: int) -> None:
        """A thing, with its warranties, registrations and service history."""
        asset = rec.get(self.session, m.Asset, asset_id)
        self.shared_assets.add(asset.id)
        name = f"{asset.name} ({asset.model})" if asset.model else asset.name
        self.add("asset", asset.id, "Thing", name, schemaorg.product(asset, self.ref, self.redact))
        self.note("asset", asset.id, self.ref("asset", asset.id), asset.notes, asset.name)
        self.warranties(asset)
        self.registrations(asset)
        self.service_events(asset)

    def warranties(self, asset: m.Asset) -> None:
        query = (
            select(m.Warranty)
            .where(m.Warranty.asset_id == asset.id)
            .order_by(m.Warranty.starts_on, m.Warranty.id)
        )
        for w in self.session.scalars(query):
            if not self.shared("warranty", w.id):
                continue
            title = w.title or "warranty"
            data = schemaorg.warranty(w, self.ref, self.redact, self.on)
            self.add("warranty", w.id, "Warranty", f"{title} ({asset.name})", data)
            self.note("warranty", w.id, self.ref("warranty", w.id), w.notes, title)

    def registrations(self, asset: m.Asset) -> None:
        query = (
            select(m.Registration)
            .where(m.Registration.asset_id == asset.id)
            .order_by(m.Registration.registered_on, m.Registration.id)
        )
        for r in self.session.scalars(query):
            if self.shared("registration", r.id):
                data = schemaorg.registration(r, self.ref, self.redact)
                self.add("registration", r.id, "Registration", asset.name, data)

    def service_events(self, asset: m.Asset) -> None:
        query = (
            select(m.ServiceEvent)
            .where(m.ServiceEvent.asset_id == asset.id)
            .order_by(m.ServiceEvent.performed_on, m.ServiceEvent.id)
        )
        for e in self.session.scalars(query):
            if self.shared("service_event", e.id):
                title = f"{e.description or 'service'} ({asset.name}, {e.performed_on})"
                data = schemaorg.service_event(e, self.ref, self.redact)
                self.add("service_event", e.id, "Service", title, data)

    def ticket(self, ticket_id: int) -> None:
        """A ticket with its whole timeline."""
        t = rec.get(self.session, m.Ticket, ticket_id)
        _same_vendor(t, self.vendor, "ticket")
        self.shared_tickets.add(t.id)
        product_shared = t.asset_id in self.shared_assets
        data = schemaorg.ticket(t, self.ref, self.redact, product_shared=product_shared)
        self.add("ticket", t.id, "Ticket", t.title, data)
        about = self.ref("ticket", t.id)
        self.note("ticket", t.id, about, t.notes, t.title)
        query = (
            select(m.Interaction)
            .where(m.Interaction.ticket_id == t.id)
            .order_by(m.Interaction.occurred_at, m.Interaction.id)
        )
        for i in self.session.scalars(query):
            if self.shared("interaction", i.id):
                data = schemaorg.message(i, self.ref, self.redact, about=about)
                self.add("interaction", i.id, "Message", _title(i), data)

    def message(self, interaction_id: int) -> None:
        """A single message: about its ticket or its thing when that is shared too."""
        i = rec.get(self.session, m.Interaction, interaction_id)
        _same_vendor(i, self.vendor, "message")
        if not self.shared("interaction", i.id):
            return
        about: str | None = None
        if i.ticket_id is not None and i.ticket_id in self.shared_tickets:
            about = self.ref("ticket", i.ticket_id)
        elif i.asset_id is not None and i.asset_id in self.shared_assets:
            about = self.ref("asset", i.asset_id)
        data = schemaorg.message(i, self.ref, self.redact, about=about)
        self.add("interaction", i.id, "Message", _title(i), data)

    def agreement(self, agreement_id: int) -> None:
        a = rec.get(self.session, m.Agreement, agreement_id)
        _same_vendor(a, self.vendor, "agreement")
        data = schemaorg.agreement(a, self.ref, self.redact)
        self.add("agreement", a.id, "Agreement", a.title, data)
        self.note("agreement", a.id, self.ref("agreement", a.id), a.notes, a.title)

    def other_vendors(self) -> None:
        """Other vendors named by a shared record: their name and website only."""
        for other_id in list(self.referenced_vendors):
            if other_id == self.vendor.id:
                continue
            other = self.session.get(m.Vendor, other_id)
            if other is not None:
                data = schemaorg.organization(other, self.ref, self.redact, recipient=False)
                self.add("vendor", other.id, "Vendor", other.name, data)


def _same_vendor(obj: Any, vendor: m.Vendor, noun: str) -> None:
    if obj.vendor_id != vendor.id:
        raise ValidationError(
            f"The {noun} {obj.id} is with {obj.vendor.name}, not with {vendor.name}."
        )


def _collect_files(session: Session, result: Slice, excluded: frozenset[tuple[str, int]]) -> None:
    owners = [(r.kind, r.id, r.uid) for r in result.records if r.kind in FILE_OWNERS]
    by_kind: dict[str, list[int]] = {}
    for kind, rid, _ in owners:
        by_kind.setdefault(kind, []).append(rid)
    found: dict[tuple[str, int], list[m.Attachment]] = {}
    for kind, ids in by_kind.items():
        query = (
            select(m.Attachment)
            .where(m.Attachment.owner_kind == kind, m.Attachment.owner_id.in_(ids))
            .order_by(m.Attachment.id)
        )
        for att in session.scalars(query):
            found.setdefault((kind, att.owner_id), []).append(att)
    number = 0
    for kind, rid, uid in owners:
        for att in found.get((kind, rid), []):
            if ("attachment", att.id) in excluded:
                continue
            number += 1
            session.expunge(att)  # a plain row from here on: the export runs outside the session
            path = safe_file_name(number, att.name)
            result.files.append(SliceFile(att, path, uid))

"""Address books in and out (vCard 2.1, 3.0 and 4.0), read and written with ``vobject``.

Import: each card's organisation (``ORG``) becomes a vendor, matched to one the vault has by
name, or by the domain of its e-mail addresses (a card from ``service@bosch-home.example``
belongs to the vendor whose website or e-mail is on ``bosch-home.example``); the person on the
card becomes one of its contacts; ``EMAIL``, ``TEL``, ``ADR`` and ``URL`` become the vendor's
channels (and the contact's e-mail and phone). A card with no organisation is not a vendor and
is left out, with a note. Cards are remembered by their ``UID`` (or a fingerprint), so the same
address book imported again adds nothing. A card that cannot be read (broken line folding, an
unknown character set) is a problem naming the card; nothing is imported then, as with CSV.

Export: vCard 3.0, which every address book reads: one card per vendor (its channels, marked as
a company) and one per contact, with UIDs from the vault, so exporting again replaces cards.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import vobject
from sqlalchemy import select
from sqlalchemy.orm import Session
from vrmshare.fileutil import read_regular

from vrmdesk.errors import ValidationError
from vrmdesk.interchange.csv_import import (
    CancelCheck,
    ImportCancelled,
    Outcome,
    Progress,
    RowPreview,
    Sessions,
    cancel_check,
)
from vrmdesk.interchange.csvfile import CsvError
from vrmdesk.interchange.output import atomic_output
from vrmdesk.store import models as m
from vrmdesk.store.services import records, rules

MAX_BYTES = 64 * 1024 * 1024
PROGRESS_EVERY = 50
SOURCE = "vcard"


class VcardError(CsvError):
    """The file cannot be read as an address book at all."""


@dataclass(frozen=True)
class Card:
    number: int  # the card's place in the file, from 1
    uid: str
    organisation: str
    person: str
    role: str
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    addresses: tuple[str, ...]
    urls: tuple[str, ...]
    note: str


def _values(component: Any, name: str) -> list[Any]:
    return [line.value for line in component.contents.get(name, [])]


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value if v).strip()
    return " ".join(str(value or "").split())


def _card(number: int, component: Any) -> Card:
    orgs = _values(component, "org")
    organisation = _text(
        orgs[0][0] if orgs and isinstance(orgs[0], list) and orgs[0] else (orgs[0] if orgs else "")
    )
    person = _text(_values(component, "fn")[0]) if _values(component, "fn") else ""
    kind = _text(_values(component, "kind")[0]).lower() if _values(component, "kind") else ""
    show_as = _values(component, "x-abshowas")
    is_company = kind == "org" or (show_as and _text(show_as[0]).upper() == "COMPANY")
    if is_company or person.casefold() == organisation.casefold():
        person = ""
    uid = _text(_values(component, "uid")[0]) if _values(component, "uid") else ""
    return Card(
        number=number,
        uid=uid,
        organisation=organisation,
        person=person,
        role=_text(_values(component, "title")[0]) if _values(component, "title") else "",
        emails=tuple(_text(v) for v in _values(component, "email") if _text(v)),
        phones=tuple(_text(v).removeprefix("tel:") for v in _values(component, "tel") if _text(v)),
        addresses=tuple(
            " ".join(str(v).split()) for v in _values(component, "adr") if str(v).strip()
        ),
        urls=tuple(_text(v) for v in _values(component, "url") if _text(v)),
        note=_text(_values(component, "note")[0]) if _values(component, "note") else "",
    )


def read_cards(path: Path) -> Iterator[Card]:
    """The cards of an address book file; :class:`VcardError` naming a card that cannot be read."""
    raw = read_regular(Path(path), MAX_BYTES, VcardError, "the address book")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    if "BEGIN:VCARD" not in text.upper():
        raise VcardError(f"{Path(path).name} is not an address book (no vCard in it).")
    number = 0
    try:
        for component in vobject.readComponents(text, ignoreUnreadable=False):
            if component.name.upper() != "VCARD":
                continue
            number += 1
            yield _card(number, component)
    except (vobject.base.ParseError, LookupError, UnicodeError, ValueError) as exc:
        raise VcardError(
            f"Card {number + 1} of {Path(path).name} cannot be read ({_reason(exc)}); nothing "
            "was imported."
        ) from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, LookupError):
        return f"an unknown character set: {exc}"
    return str(exc).strip() or type(exc).__name__


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().casefold()


def _web_domain(url: str) -> str:
    host = urlsplit(url if "://" in url else f"https://{url}").hostname or ""
    return host.casefold().removeprefix("www.")


class _Importer:
    def __init__(self, session: Session, outcome: Outcome) -> None:
        self.session = session
        self.outcome = outcome
        self.by_name = {
            " ".join(v.name.split()).casefold(): v.id for v in session.scalars(select(m.Vendor))
        }
        self.by_domain: dict[str, int] = {}
        for vendor in session.scalars(select(m.Vendor)):
            if vendor.website:
                self.by_domain.setdefault(_web_domain(vendor.website), vendor.id)
        for vendor_id, value in session.execute(
            select(m.Channel.vendor_id, m.Channel.value).where(
                m.Channel.channel == m.ChannelKind.EMAIL
            )
        ):
            self.by_domain.setdefault(_domain(value), vendor_id)

    def vendor_for(self, card: Card) -> tuple[int, bool]:
        name = " ".join(card.organisation.split())
        found = self.by_name.get(name.casefold())
        if found is None:
            found = next(
                (self.by_domain[_domain(e)] for e in card.emails if _domain(e) in self.by_domain),
                None,
            )
        if found is not None:
            return found, False
        vendor = records.create(
            self.session, m.Vendor, name=name, website=card.urls[0] if card.urls else ""
        )
        self.by_name[name.casefold()] = vendor.id
        for email in card.emails:
            self.by_domain.setdefault(_domain(email), vendor.id)
        self.outcome.vendors_created.append(vendor.name)
        return vendor.id, True

    def channel(self, vendor_id: int, kind: m.ChannelKind, value: str) -> bool:
        exists = self.session.scalar(
            select(m.Channel.id).where(m.Channel.vendor_id == vendor_id, m.Channel.value == value)
        )
        if exists is not None:
            return False
        records.create(self.session, m.Channel, vendor_id=vendor_id, channel=kind, value=value)
        return True

    def card(self, card: Card) -> str:
        vendor_id, new_vendor = self.vendor_for(card)
        changed = new_vendor
        emails = [e for e in card.emails if rules.is_email_address(e)]
        for email in card.emails:
            if email not in emails:
                self.outcome.notes.append(
                    f"Card {card.number}: {email!r} is not an e-mail address and was left out."
                )
        for kind, items in (
            (m.ChannelKind.EMAIL, emails),
            (m.ChannelKind.PHONE, card.phones),
            (m.ChannelKind.POSTAL, card.addresses),
        ):
            for value in items:
                changed |= self.channel(vendor_id, kind, value[:500])
        for url in card.urls:
            if rules.is_web_address(url):
                changed |= self.channel(vendor_id, m.ChannelKind.WEB_PORTAL, url[:500])
        if card.person:
            changed |= self.contact(vendor_id, card, emails)
        return "create" if new_vendor else ("update" if changed else "unchanged")

    def contact(self, vendor_id: int, card: Card, emails: list[str]) -> bool:
        ref = (
            card.uid
            or "card:"
            + hashlib.sha256(f"{card.organisation}\n{card.person}\n{emails}".encode()).hexdigest()[
                :40
            ]
        )
        known = self.session.scalar(
            select(m.ImportRef.record_id).where(
                m.ImportRef.source == SOURCE, m.ImportRef.kind == "contact", m.ImportRef.ref == ref
            )
        )
        fields = {
            "vendor_id": vendor_id,
            "name": card.person[:200],
            "role": card.role[:200],
            "email": emails[0] if emails else "",
            "phone": card.phones[0][:64] if card.phones else "",
            "notes": card.note,
        }
        contact = self.session.get(m.Contact, known) if known is not None else None
        if contact is None:
            contact = self.session.scalar(
                select(m.Contact).where(
                    m.Contact.vendor_id == vendor_id, m.Contact.name == fields["name"]
                )
            )
        if contact is None:
            contact = records.create(self.session, m.Contact, **fields)
            changed = True
        else:
            differs = {k: v for k, v in fields.items() if getattr(contact, k) != v}
            if differs:
                records.update(self.session, m.Contact, contact.id, **differs)
            changed = bool(differs)
        if known is None:
            self.session.add(
                m.ImportRef(source=SOURCE, kind="contact", ref=ref[:200], record_id=contact.id)
            )
        return changed


class _RollBack(Exception):
    pass


def import_vcards(
    vault: Sessions,
    path: Path,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: CancelCheck | threading.Event | None = None,
) -> Outcome:
    """Import an address book in one transaction (none of it if a card is refused).

    ``cancelled`` is asked before every card: once true, :class:`ImportCancelled` comes out and
    nothing is written; ``progress(done, total, text)`` hears of every ``PROGRESS_EVERY`` cards.
    """
    stop = cancel_check(cancelled)
    cards = list(read_cards(path))  # every card readable, or nothing is touched
    outcome = Outcome(dry_run=dry_run)
    left_out = [c for c in cards if not c.organisation]
    if left_out:
        outcome.notes.append(
            f"{len(left_out)} cards have no organisation (people, not vendors) and were left out."
        )
    try:
        with vault.session() as session:
            importer = _Importer(session, outcome)
            for n, card in enumerate(cards, 1):
                if stop is not None and stop():
                    raise ImportCancelled()
                if progress is not None and n % PROGRESS_EVERY == 0:
                    progress(n, len(cards), f"Card {n:,} of {len(cards):,}")
                if not card.organisation:
                    continue
                try:
                    action = importer.card(card)
                except ValidationError as exc:
                    outcome.problem(card.number, card.organisation, str(exc))
                    action = "problem"
                if action == "create":
                    outcome.created += 1
                elif action == "update":
                    outcome.updated += 1
                elif action == "unchanged":
                    outcome.unchanged += 1
                if len(outcome.preview) < 200:
                    outcome.preview.append(
                        RowPreview(card.number, action, card.person or card.organisation)
                    )
            if dry_run or outcome.problems:
                raise _RollBack
            outcome.committed = True
    except _RollBack:
        pass
    return outcome


# -- export -------------------------------------------------------------------------------------
def _uid(kind: str, record_id: int, vault_id: str) -> str:
    return f"{kind}-{record_id}.{vault_id}@vrmdesk"


def _add(card: Any, name: str, value: Any, **params: list[str]) -> None:
    line = card.add(name)
    line.value = value
    for key, values in params.items():
        line.params[key.upper()] = values


def cards_text(session: Session, vault_id: str, vendor_id: int | None = None) -> str:
    """vCard 3.0 text of the vendors (one, or all) and their contacts."""
    query = select(m.Vendor).order_by(m.Vendor.name)
    if vendor_id is not None:
        query = query.where(m.Vendor.id == vendor_id)
    out: list[str] = []
    for vendor in session.scalars(query):
        card = vobject.vCard()
        _add(card, "fn", vendor.name)
        _add(card, "n", vobject.vcard.Name(family=vendor.name))
        _add(card, "org", [vendor.name])
        _add(card, "x-abshowas", "COMPANY")
        _add(card, "uid", _uid("vendor", vendor.id, vault_id))
        if vendor.website:
            _add(card, "url", vendor.website)
        for channel in vendor.channels:
            if channel.channel == m.ChannelKind.EMAIL:
                _add(card, "email", channel.value, type=["INTERNET", "WORK"])
            elif channel.channel == m.ChannelKind.PHONE:
                _add(card, "tel", channel.value, type=["WORK", "VOICE"])
            elif channel.channel == m.ChannelKind.POSTAL:
                _add(card, "adr", vobject.vcard.Address(street=channel.value), type=["WORK"])
            elif channel.channel == m.ChannelKind.WEB_PORTAL and channel.value != vendor.website:
                _add(card, "url", channel.value)
        out.append(card.serialize())
        for contact in vendor.contacts:
            person = vobject.vCard()
            _add(person, "fn", contact.name)
            family, _, given = contact.name.rpartition(" ")
            _add(
                person,
                "n",
                vobject.vcard.Name(family=family or contact.name, given=given if family else ""),
            )
            _add(person, "org", [vendor.name])
            _add(person, "uid", _uid("contact", contact.id, vault_id))
            if contact.role:
                _add(person, "title", contact.role)
            if contact.email:
                _add(person, "email", contact.email, type=["INTERNET", "WORK"])
            if contact.phone:
                _add(person, "tel", contact.phone, type=["WORK", "VOICE"])
            if contact.notes:
                _add(person, "note", contact.notes)
            out.append(person.serialize())
    return "".join(out)


def export_vcards(session: Session, vault_id: str, out: Path, vendor_id: int | None = None) -> int:
    """Write the address book to ``out`` atomically; the number of cards."""
    text = cards_text(session, vault_id, vendor_id)
    with atomic_output(out, what="the address book") as handle:
        handle.write(text.encode("utf-8"))
    return len(re.findall(r"^BEGIN:VCARD", text, re.M))

"""My own addresses (a vault setting), and which vendor an e-mail address belongs to.

A vendor's e-mail channels hold whole addresses (``support@example.com``) or domains
(``@example.com`` or ``example.com``); a domain covers its subdomains (``mail.example.com``). An
address wins over a domain, a longer domain over a shorter one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from vrmdesk.errors import ValidationError
from vrmdesk.store import models as m

OWN_ADDRESSES_KEY = "mail.own_addresses"

#: domains shared by everybody: a vendor is learnt by its address there, never by the domain
FREE_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
        "mail.ru",
        "yandex.ru",
        "t-online.de",
        "orange.fr",
        "free.fr",
    }
)


def normalise(address: str) -> str:
    return address.strip().strip("<>").lower()


def own_addresses(session: Session) -> list[str]:
    meta = session.get(m.Meta, OWN_ADDRESSES_KEY)
    if meta is None:
        return []
    value = json.loads(meta.value)
    return [str(a) for a in value] if isinstance(value, list) else []


def set_own_addresses(session: Session, addresses: Iterable[str]) -> list[str]:
    chosen = sorted({normalise(a) for a in addresses if a.strip()})
    for address in chosen:
        if "@" not in address or address.startswith("@") or address.endswith("@"):
            raise ValidationError(f"{address!r} is not an e-mail address.", field="addresses")
    meta = session.get(m.Meta, OWN_ADDRESSES_KEY)
    if meta is None:
        session.add(m.Meta(key=OWN_ADDRESSES_KEY, value=json.dumps(chosen)))
    else:
        meta.value = json.dumps(chosen)
    session.flush()
    return chosen


def domain_of(address: str) -> str:
    return normalise(address).rpartition("@")[2]


class VendorDirectory:
    """The e-mail channels of every vendor, read once for an import."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.reload()

    def reload(self) -> None:
        self.addresses: dict[str, int] = {}
        self.domains: dict[str, int] = {}
        query = select(m.Channel.vendor_id, m.Channel.value).where(
            m.Channel.channel == m.ChannelKind.EMAIL
        )
        for vendor_id, value in self.session.execute(query):
            text = normalise(value)
            if not text:
                continue
            if "@" in text and not text.startswith("@"):
                self.addresses.setdefault(text, vendor_id)
            else:
                self.domains.setdefault(text.lstrip("@"), vendor_id)
        self.senders: dict[str, tuple[int | None, bool | None]] = {
            s.address.lower(): (s.vendor_id, s.offer)
            for s in self.session.scalars(select(m.MailSender))
        }

    def vendor_for(self, address: str) -> int | None:
        address = normalise(address)
        remembered = self.senders.get(address, (None, None))[0]
        if remembered is not None:
            return remembered
        if address in self.addresses:
            return self.addresses[address]
        labels = domain_of(address).split(".")
        for i in range(len(labels) - 1):
            vendor_id = self.domains.get(".".join(labels[i:]))
            if vendor_id is not None:
                return vendor_id
        return None

    def offer_choice(self, address: str) -> bool | None:
        """What the person said about this sender's mail: offer (True), conversation (False)."""
        return self.senders.get(normalise(address), (None, None))[1]


def remember_sender(
    session: Session, address: str, *, vendor_id: int | None = None, offer: bool | None = None
) -> None:
    """Remember a decision about a sender (its vendor, or offer or not); others stay."""
    address = normalise(address)
    if not address:
        return
    row = session.scalar(select(m.MailSender).where(m.MailSender.address == address))
    if row is None:
        row = m.MailSender(address=address)
        session.add(row)
    if vendor_id is not None:
        row.vendor_id = vendor_id
    if offer is not None:
        row.offer = offer
    session.flush()

"""One message into the vault, once only; and many of them in batches.

A message is read in one pass: its top-level headers decide everything (already stored? whose?
offer or conversation? which ticket?), then the record it becomes is made and its parts stream
into it (text into the body, every other part into the vault's attachments, each under the
size cap or left out with a note). A message refused half-way (nested too deep) rolls back to a
savepoint: nothing of it stays.

Who it is with: the vendor given for the import, else a sender remembered, else the thread it
answers, else a vendor's e-mail channel (address or domain); none: Unsorted. Inbound or outbound:
mail from one of my own addresses is outbound, its correspondent the first other recipient.

An import is one transaction per batch of messages (``BATCH``), so a killed process leaves whole
batches and nothing of the batch it was in; the next import skips what is stored and goes on.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from vrmdesk.errors import AttachmentError, VrmError
from vrmdesk.mail import mime, parse, references
from vrmdesk.mail.addresses import VendorDirectory, normalise, own_addresses
from vrmdesk.store import models as m
from vrmdesk.store.attachments import AttachmentStore, format_size
from vrmdesk.store.services import records

if TYPE_CHECKING:
    from vrmdesk.store.vault import Vault

BATCH = 200
#: an attachment of a message larger than this is left out (with a note on the interaction)
MAX_FILE_SIZE = 50 * 1024 * 1024

#: what became of one message
IMPORTED, OFFER, UNSORTED, DUPLICATE = "imported", "offer", "unsorted", "duplicate"


@dataclass
class Problem:
    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass
class Outcome:
    imported: int = 0
    offers: int = 0
    unsorted: int = 0
    duplicates: int = 0
    problems: list[Problem] = field(default_factory=list)
    #: the import was cancelled: the batches before were kept, the rest not read
    stopped: bool = False

    def count(self, result: str) -> None:
        if result == IMPORTED:
            self.imported += 1
        elif result == OFFER:
            self.offers += 1
        elif result == UNSORTED:
            self.unsorted += 1
        else:
            self.duplicates += 1

    @property
    def stored(self) -> int:
        """Messages this import put into the vault (on the timeline, as offers or unsorted)."""
        return self.imported + self.offers + self.unsorted

    def to_json(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "offers": self.offers,
            "unsorted": self.unsorted,
            "duplicates": self.duplicates,
            "problems": [{"source": p.source, "reason": p.reason} for p in self.problems],
        }

    def summary(self) -> str:
        parts = [
            f"{self.imported} to the timeline",
            f"{self.offers} offer{'s' if self.offers != 1 else ''}",
            f"{self.unsorted} unsorted",
            f"{self.duplicates} already stored",
        ]
        if self.problems:
            parts.append(f"{len(self.problems)} refused")
        return ", ".join(parts)


def stored_ids(session: Session, message_ids: Iterable[str]) -> set[str]:
    """Which of ``message_ids`` the vault holds (as conversation, offer or unsorted)."""
    wanted = list(set(message_ids))
    found: set[str] = set()
    for column in (m.Interaction.message_id, m.Offer.message_id, m.UnsortedMail.message_id):
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found.update(i for i in session.scalars(select(column).where(column.in_(chunk))) if i)
    return found


@dataclass
class Decision:
    """Where a message goes, from its headers alone."""

    vendor_id: int | None
    ticket_id: int | None
    direction: m.Direction
    correspondent: tuple[str, str]
    offer: bool


class Capture:
    """Messages into one session: what they need read once (channels, my addresses)."""

    def __init__(
        self,
        session: Session,
        attachments: AttachmentStore,
        *,
        vendor_id: int | None = None,
        max_file_size: int = MAX_FILE_SIZE,
        outbound: bool = False,
    ) -> None:
        self.session = session
        self.attachments = attachments
        self.vendor_id = vendor_id
        self.max_file_size = max_file_size
        #: a Sent folder: mail in it is outbound whoever it says it is from
        self.outbound = outbound
        self.directory = VendorDirectory(session)
        self.own = set(own_addresses(session))
        self._vendors: dict[int, m.Vendor] = {}

    # -- deciding ------------------------------------------------------------------------------
    def decide(self, env: parse.Envelope) -> Decision:
        sender = env.sender
        outbound = self.outbound or normalise(sender[1]) in self.own
        others = [r for r in env.recipients if normalise(r[1]) not in self.own]
        if outbound:
            correspondent = others[0] if others else (env.recipients or [sender])[0]
        else:
            correspondent = sender
        address = normalise(correspondent[1])
        parent = self._parent(env.parents)
        vendor_id = self.vendor_id or self.directory.senders.get(address, (None, None))[0]
        ticket_id = None
        if parent is not None and (vendor_id is None or vendor_id == parent.vendor_id):
            vendor_id, ticket_id = parent.vendor_id, parent.ticket_id
        if vendor_id is None:
            vendor_id = self.directory.vendor_for(address)
        if vendor_id is not None and ticket_id is None:
            ticket_id = self._ticket_by_reference(vendor_id, env.subject)
        choice = self.directory.offer_choice(address)
        offer = (env.bulk if choice is None else choice) and not outbound and ticket_id is None
        return Decision(
            vendor_id=vendor_id,
            ticket_id=ticket_id,
            direction=m.Direction.OUTBOUND if outbound else m.Direction.INBOUND,
            correspondent=correspondent,
            offer=offer,
        )

    def _parent(self, parents: list[str]) -> m.Interaction | None:
        if not parents:
            return None
        rows = self.session.scalars(
            select(m.Interaction).where(m.Interaction.message_id.in_(parents[:100]))
        ).all()
        by_id = {row.message_id: row for row in rows}
        for parent in parents:
            if parent in by_id:
                return by_id[parent]
        return None

    def _vendor(self, vendor_id: int) -> m.Vendor | None:
        """The vendor, held here: the session's identity map holds records weakly, so without
        this each message's checks would read the vendor again (three queries a message)."""
        if vendor_id not in self._vendors:
            found = self.session.get(m.Vendor, vendor_id)
            if found is None:
                return None
            self._vendors[vendor_id] = found
        return self._vendors[vendor_id]

    def _ticket_by_reference(self, vendor_id: int, subject: str) -> int | None:
        vendor = self._vendor(vendor_id)
        found = references.references_in(subject, vendor.case_reference_pattern if vendor else "")
        if not found:
            return None
        wanted = {references.key(text) for pair in found for text in pair}
        tickets = self.session.execute(
            select(m.Ticket.id, m.Ticket.reference).where(
                m.Ticket.vendor_id == vendor_id, m.Ticket.reference != ""
            )
        )
        for ticket_id, reference in tickets:
            if references.key(reference) in wanted:
                return int(ticket_id)
        return None

    # -- storing -------------------------------------------------------------------------------
    def message(self, source: BinaryIO) -> str:
        """Store one message read from ``source``; what became of it (IMPORTED, OFFER, …).

        Raises :class:`mime.MailRefused` (nothing of it kept) for a message it does not take.
        """
        lines = mime.Lines(source)
        headers = mime.read_headers(lines, [])
        if not headers.keys():
            raise mime.MailRefused("it is not an e-mail message (no headers)")
        env = parse.envelope(headers)
        if stored_ids(self.session, [env.message_id]):
            return DUPLICATE
        decision = self.decide(env)
        with self.session.begin_nested():
            owner, result = self._owner(env, decision)
            collector = parse.PartCollector(lambda *a: self._store_file(owner, *a))
            mime.walk_body(lines, headers, collector)
            self._finish(owner, env, collector.contents)
        if decision.vendor_id is not None:
            self.directory.senders.setdefault(
                normalise(decision.correspondent[1]), (decision.vendor_id, None)
            )
        return result

    def _owner(self, env: parse.Envelope, d: Decision) -> tuple[m.Record, str]:
        name, address = d.correspondent
        subject = env.subject or "(no subject)"
        if d.vendor_id is None:
            unsorted = m.UnsortedMail(
                message_id=env.message_id,
                in_reply_to=" ".join(env.parents),
                occurred_at=env.occurred_at,
                direction=d.direction,
                correspondent=address[:320],
                correspondent_name=name[:200],
                subject=subject,
                body="",
                capture_notes="",
                bulk=env.bulk,
            )
            self.session.add(unsorted)
            self.session.flush()
            return unsorted, UNSORTED
        if d.offer:
            offer = records.create(
                self.session,
                m.Offer,
                vendor_id=d.vendor_id,
                received_at=env.occurred_at,
                channel=m.InteractionChannel.EMAIL,
                content=subject,
            )
            offer.message_id, offer.correspondent = env.message_id, address[:320]
            return offer, OFFER
        interaction = records.create(
            self.session,
            m.Interaction,
            vendor_id=d.vendor_id,
            ticket_id=d.ticket_id,
            occurred_at=env.occurred_at,
            direction=d.direction,
            channel=m.InteractionChannel.EMAIL,
            subject=subject,
        )
        interaction.message_id = env.message_id
        interaction.in_reply_to = " ".join(env.parents)
        interaction.correspondent = address[:320]
        return interaction, IMPORTED

    def _store_file(self, owner: m.Record, name: str, media_type: str, body: io.RawIOBase) -> str:
        try:
            self.attachments.add(
                self.session,
                owner,
                cast(BinaryIO, body),
                name=name or "attachment",
                media_type=media_type,
                max_size=self.max_file_size,
            )
        except AttachmentError:
            return (
                f"The attachment {name!r} is larger than {format_size(self.max_file_size)} "
                "and was left out."
            )
        return ""

    def _finish(self, owner: m.Record, env: parse.Envelope, contents: parse.Contents) -> None:
        text = contents.text()
        notes = "\n".join(dict.fromkeys([*env.notes, *contents.notes]))
        if isinstance(owner, m.Offer):
            owner.content = f"{owner.content}\n\n{text}".strip() if text else owner.content
        elif isinstance(owner, m.Interaction | m.UnsortedMail):
            owner.body = text
            owner.capture_notes = notes
        self.session.flush()


# -- imports in batches ----------------------------------------------------------------------
#: one message of a source: a label for problems, and how to open it (a binary stream)
Message = tuple[str, Callable[[], BinaryIO]]


def import_messages(
    vault: Vault,
    messages: Iterable[Message],
    *,
    vendor_id: int | None = None,
    batch: int = BATCH,
    outbound: bool = False,
    max_file_size: int = MAX_FILE_SIZE,
    on_message: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    outcome: Outcome | None = None,
) -> Outcome:
    """Import ``messages`` into an open vault, a transaction per ``batch`` of them.

    ``on_message(done)`` is told after every message; ``cancelled()`` is asked after every
    committed batch: when it says so, the import stops there (``outcome.stopped``), keeping the
    batches it committed and reading no further.
    """
    outcome = outcome or Outcome()
    done = 0
    pending: Iterator[Message] = iter(messages)
    more = True
    while more:
        more = False
        with vault.session() as session:
            capture = Capture(
                session,
                vault.attachments,
                vendor_id=vendor_id,
                outbound=outbound,
                max_file_size=max_file_size,
            )
            # one message at a time: a source may close its file once it has given the last
            for label, opener in pending:
                capture_one(capture, label, opener, outcome)
                done += 1
                if on_message is not None:
                    on_message(done)
                if done % batch == 0:
                    more = True
                    break
        if more and cancelled is not None and cancelled():
            outcome.stopped = True
            break
    return outcome


def capture_one(
    capture: Capture, label: str, opener: Callable[[], BinaryIO], outcome: Outcome
) -> None:
    """One message of a source into ``capture``, counted in ``outcome`` (or its problem)."""
    try:
        with opener() as source:
            outcome.count(capture.message(source))
    except mime.MailRefused as exc:
        outcome.problems.append(Problem(label, f"refused: {exc}"))
    except VrmError as exc:
        outcome.problems.append(Problem(label, str(exc)))
    except OSError as exc:
        outcome.problems.append(Problem(label, f"could not be read ({exc.strerror or exc})"))


def headers_of(source: BinaryIO) -> EmailMessage:
    """The top-level headers of a message (for listing a folder without storing)."""
    return mime.read_headers(mime.Lines(source), [])

"""The domain model: SQLAlchemy 2.0 typed declarative classes.

Every record has ``created_at`` and ``updated_at`` (UTC). Amounts are integers in the currency's
minor unit (cents) with an ISO 4217 code beside them, so sums and sorting stay exact in SQL.
Attachments and tags attach to any record through ``(owner_kind, owner_id)``; ``owner_kind`` is
the record class's ``kind`` string.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeEngine

from vrmdesk.store.gid import new_gid

# the plain enums (no SQLAlchemy in them), re-exported: the program finds them here
from vrmdesk.store.kinds import OPEN_TICKET_STATUSES as OPEN_TICKET_STATUSES
from vrmdesk.store.kinds import AssetStatus as AssetStatus
from vrmdesk.store.kinds import BillingPeriod as BillingPeriod
from vrmdesk.store.kinds import ChannelKind as ChannelKind
from vrmdesk.store.kinds import Coverage as Coverage
from vrmdesk.store.kinds import Direction as Direction
from vrmdesk.store.kinds import InteractionChannel as InteractionChannel
from vrmdesk.store.kinds import RelationshipStatus as RelationshipStatus
from vrmdesk.store.kinds import TicketStatus as TicketStatus
from vrmdesk.store.kinds import VendorKind as VendorKind
from vrmdesk.store.kinds import WarrantyState as WarrantyState


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _gid() -> Any:
    """The record's global id (UUIDv7), the same on every device it syncs to."""
    return mapped_column(String(36), default=new_gid, unique=True, index=True)


def _enum(cls: type[enum.StrEnum]) -> Enum:
    return Enum(
        cls,
        native_enum=False,
        create_constraint=True,
        values_callable=lambda members: [m.value for m in members],
        length=24,
        validate_strings=True,
        name=cls.__name__.lower(),
    )


intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
name_str = Annotated[str, mapped_column(String(200))]
text = Annotated[str, mapped_column(Text, default="")]
money = Annotated[int | None, mapped_column(Integer)]
currency = Annotated[str | None, mapped_column(String(3))]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, TypeEngine[Any]]] = {
        datetime: DateTime(),
        date: Date(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


class Record(Base):
    """Abstract base of every user record: an id, timestamps and a ``kind`` name."""

    __abstract__ = True
    kind: str = ""
    #: ordinal used to give each record a stable row in the full-text index
    kind_code: int = 0

    id: Mapped[intpk]
    gid: Mapped[str] = _gid()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def _vendor_fk(nullable: bool = False, ondelete: str = "CASCADE") -> Any:
    return mapped_column(ForeignKey("vendors.id", ondelete=ondelete), nullable=nullable, index=True)


class Vendor(Record):
    __tablename__ = "vendors"
    kind = "vendor"
    kind_code = 1

    name: Mapped[str] = mapped_column(String(200, collation="NOCASE"), unique=True)
    vendor_kind: Mapped[VendorKind] = mapped_column(_enum(VendorKind), default=VendorKind.OTHER)
    website: Mapped[str] = mapped_column(String(500), default="")
    since: Mapped[date | None]
    status: Mapped[RelationshipStatus] = mapped_column(
        _enum(RelationshipStatus), default=RelationshipStatus.ACTIVE
    )
    #: my contact policy: at most this many offers a year (None: no limit stated)
    max_offers_per_year: Mapped[int | None]
    #: my contact policy: the channels this vendor may use to reach me (empty: any)
    allowed_channels: Mapped[list[str]] = mapped_column(default=list)
    notes: Mapped[text]
    #: the vendor's age recipient (age1…), for bundles encrypted to it
    age_recipient: Mapped[str] = mapped_column(String(100), default="")
    #: how this vendor writes its case numbers in a subject (a regular expression whose first
    #: group is the reference; empty: the usual forms, see vrmdesk.mail.references)
    case_reference_pattern: Mapped[str] = mapped_column(String(500), default="")

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="vendor", cascade="all, delete-orphan", passive_deletes=True
    )
    channels: Mapped[list[Channel]] = relationship(
        back_populates="vendor", cascade="all, delete-orphan", passive_deletes=True
    )
    accounts: Mapped[list[Account]] = relationship(
        back_populates="vendor", cascade="all, delete-orphan", passive_deletes=True
    )


class Contact(Record):
    __tablename__ = "contacts"
    kind = "contact"
    kind_code = 2

    vendor_id: Mapped[int] = _vendor_fk()
    name: Mapped[name_str]
    role: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    notes: Mapped[text]

    vendor: Mapped[Vendor] = relationship(back_populates="contacts")


class Channel(Record):
    __tablename__ = "channels"
    kind = "channel"
    kind_code = 3

    vendor_id: Mapped[int] = _vendor_fk()
    channel: Mapped[ChannelKind] = mapped_column(_enum(ChannelKind))
    value: Mapped[str] = mapped_column(String(500))
    label: Mapped[str] = mapped_column(String(200), default="")

    vendor: Mapped[Vendor] = relationship(back_populates="channels")


class Account(Record):
    """My account or customer number with a vendor."""

    __tablename__ = "accounts"
    kind = "account"
    kind_code = 4

    vendor_id: Mapped[int] = _vendor_fk()
    label: Mapped[str] = mapped_column(String(200), default="")
    number: Mapped[str] = mapped_column(String(200))

    vendor: Mapped[Vendor] = relationship(back_populates="accounts")


class Asset(Record):
    __tablename__ = "assets"
    kind = "asset"
    kind_code = 5

    name: Mapped[name_str]
    category: Mapped[str] = mapped_column(String(100), default="", index=True)
    maker_id: Mapped[int | None] = _vendor_fk(nullable=True, ondelete="SET NULL")
    seller_id: Mapped[int | None] = _vendor_fk(nullable=True, ondelete="SET NULL")
    model: Mapped[str] = mapped_column(String(200), default="")
    serial_number: Mapped[str] = mapped_column(String(200), default="")
    purchase_date: Mapped[date | None]
    price_minor: Mapped[money]
    currency: Mapped[currency]
    order_number: Mapped[str] = mapped_column(String(200), default="")
    location: Mapped[str] = mapped_column(String(200), default="", index=True)
    status: Mapped[AssetStatus] = mapped_column(_enum(AssetStatus), default=AssetStatus.IN_USE)
    notes: Mapped[text]

    maker: Mapped[Vendor | None] = relationship(foreign_keys=[maker_id])
    seller: Mapped[Vendor | None] = relationship(foreign_keys=[seller_id])
    warranties: Mapped[list[Warranty]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", passive_deletes=True
    )


class Warranty(Record):
    __tablename__ = "warranties"
    kind = "warranty"
    kind_code = 6

    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[int | None] = _vendor_fk(nullable=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date]
    #: either an explicit end or a length in months; ``ends_on`` holds the result
    end_date: Mapped[date | None]
    months: Mapped[int | None]
    ends_on: Mapped[date] = mapped_column(index=True)
    coverage: Mapped[Coverage] = mapped_column(_enum(Coverage), default=Coverage.PARTS_AND_LABOUR)
    how_to_claim: Mapped[text]
    void: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[text]

    asset: Mapped[Asset] = relationship(back_populates="warranties")
    provider: Mapped[Vendor | None] = relationship()


class Registration(Record):
    __tablename__ = "registrations"
    kind = "registration"
    kind_code = 7

    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    vendor_id: Mapped[int] = _vendor_fk()
    registered_on: Mapped[date]
    registration_ref: Mapped[str] = mapped_column(String(200), default="")
    data_given: Mapped[text]
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)

    asset: Mapped[Asset] = relationship()
    vendor: Mapped[Vendor] = relationship()


class ServiceEvent(Record):
    __tablename__ = "service_events"
    kind = "service_event"
    kind_code = 8

    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    vendor_id: Mapped[int | None] = _vendor_fk(nullable=True, ondelete="SET NULL")
    performed_on: Mapped[date]
    performed_by: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[text]
    cost_minor: Mapped[money]
    currency: Mapped[currency]
    #: recurring maintenance: every N months; ``next_due`` follows unless set by hand
    interval_months: Mapped[int | None]
    next_due: Mapped[date | None] = mapped_column(index=True)

    asset: Mapped[Asset] = relationship()
    vendor: Mapped[Vendor | None] = relationship()


class Ticket(Record):
    __tablename__ = "tickets"
    kind = "ticket"
    kind_code = 9

    vendor_id: Mapped[int] = _vendor_fk()
    asset_id: Mapped[int | None] = mapped_column(
        ForeignKey("assets.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[name_str]
    reference: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[TicketStatus] = mapped_column(
        _enum(TicketStatus), default=TicketStatus.OPEN, index=True
    )
    opened_on: Mapped[date]
    closed_on: Mapped[date | None]
    follow_up_on: Mapped[date | None] = mapped_column(index=True)
    notes: Mapped[text]

    vendor: Mapped[Vendor] = relationship()
    asset: Mapped[Asset | None] = relationship()


class Interaction(Record):
    __tablename__ = "interactions"
    __table_args__ = (Index("ix_interactions_vendor_time", "vendor_id", "occurred_at", "id"),)
    kind = "interaction"
    kind_code = 10

    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    asset_id: Mapped[int | None] = mapped_column(
        ForeignKey("assets.id", ondelete="SET NULL"), index=True
    )
    occurred_at: Mapped[datetime]
    direction: Mapped[Direction] = mapped_column(_enum(Direction))
    channel: Mapped[InteractionChannel] = mapped_column(_enum(InteractionChannel))
    subject: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[text]
    #: a captured e-mail's Message-ID (or ``digest:…`` of its headers): stored once
    message_id: Mapped[str | None] = mapped_column(String(500), unique=True, index=True)
    #: the Message-IDs it answers (In-Reply-To, then References), space-separated
    in_reply_to: Mapped[str] = mapped_column(Text, default="")
    #: the other side's address of a captured e-mail
    correspondent: Mapped[str] = mapped_column(String(320), default="")
    #: what capture could not keep (undecodable text, attachments left out)
    capture_notes: Mapped[text]

    vendor: Mapped[Vendor] = relationship()
    ticket: Mapped[Ticket | None] = relationship()
    asset: Mapped[Asset | None] = relationship()


class Offer(Record):
    __tablename__ = "offers"
    __table_args__ = (Index("ix_offers_vendor_time", "vendor_id", "received_at"),)
    kind = "offer"
    kind_code = 11

    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"))
    received_at: Mapped[datetime]
    channel: Mapped[InteractionChannel] = mapped_column(_enum(InteractionChannel))
    content: Mapped[text]
    #: a captured e-mail's Message-ID (or ``digest:…`` of its headers): stored once
    message_id: Mapped[str | None] = mapped_column(String(500), unique=True, index=True)
    #: the sender's address of a captured e-mail
    correspondent: Mapped[str] = mapped_column(String(320), default="")

    vendor: Mapped[Vendor] = relationship()


class Agreement(Record):
    __tablename__ = "agreements"
    kind = "agreement"
    kind_code = 12

    vendor_id: Mapped[int] = _vendor_fk()
    title: Mapped[name_str]
    started_on: Mapped[date]
    renews_on: Mapped[date | None]
    notice_days: Mapped[int] = mapped_column(Integer, default=0)
    #: the last day to give notice before renewal (``renews_on - notice_days``)
    notice_deadline: Mapped[date | None] = mapped_column(index=True)
    cost_minor: Mapped[money]
    currency: Mapped[currency]
    period: Mapped[BillingPeriod] = mapped_column(_enum(BillingPeriod), default=BillingPeriod.MONTH)
    notes: Mapped[text]

    vendor: Mapped[Vendor] = relationship()


class Blob(Base):
    """One stored content: an age-encrypted file named by a keyed hash of its plaintext."""

    __tablename__ = "blobs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(Record):
    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_owner", "owner_kind", "owner_id"),)
    kind = "attachment"
    kind_code = 13

    owner_kind: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int]
    blob_name: Mapped[str] = mapped_column(
        ForeignKey("blobs.name", ondelete="RESTRICT"), index=True
    )
    name: Mapped[name_str]
    media_type: Mapped[str] = mapped_column(String(200), default="application/octet-stream")
    size: Mapped[int]
    #: SHA-256 of the plaintext, hex (what a share bundle lists)
    sha256: Mapped[str] = mapped_column(String(64))

    blob: Mapped[Blob] = relationship()


class Tag(Base):
    __tablename__ = "tags"
    kind: ClassVar[str] = "tag"

    id: Mapped[intpk]
    gid: Mapped[str] = _gid()
    name: Mapped[str] = mapped_column(String(100, collation="NOCASE"), unique=True)


class Tagging(Base):
    __tablename__ = "taggings"
    __table_args__ = (
        UniqueConstraint("tag_id", "owner_kind", "owner_id"),
        Index("ix_taggings_owner", "owner_kind", "owner_id"),
    )

    kind: ClassVar[str] = "tagging"

    id: Mapped[intpk]
    gid: Mapped[str] = _gid()
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"))
    owner_kind: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int]

    tag: Mapped[Tag] = relationship()


class Disclosure(Base):
    """One share bundle I exported: when, to whom, what (records and fields), on what terms."""

    __tablename__ = "disclosures"

    id: Mapped[intpk]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    vendor_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendors.id", ondelete="SET NULL"), index=True
    )
    #: the recipient's name as it was, kept if the vendor is deleted later
    vendor_name: Mapped[str] = mapped_column(String(200))
    bundle_id: Mapped[str] = mapped_column(String(64), unique=True)
    bundle_created: Mapped[datetime]
    purpose: Mapped[str] = mapped_column(String(40))
    terms: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: what left: [{"kind", "id", "uid", "fields": [...]}]
    contents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: [{"path", "name", "size", "sha256", "attachment_id"}]
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    redacted: Mapped[list[str]] = mapped_column(default=list)
    #: how it was chosen, so "re-export" can build it again
    selection: Mapped[dict[str, Any]] = mapped_column(default=dict)
    bundle_sha256: Mapped[str] = mapped_column(String(64))
    encrypted_to: Mapped[str] = mapped_column(String(100), default="")
    path: Mapped[str] = mapped_column(Text, default="")


class VendorKey(Base):
    """A vendor's signing key, pinned on first contact after the user confirmed its fingerprint."""

    __tablename__ = "vendor_keys"

    id: Mapped[intpk]
    vendor_id: Mapped[int] = mapped_column(
        ForeignKey("vendors.id", ondelete="CASCADE"), unique=True
    )
    thumbprint: Mapped[str] = mapped_column(String(64), unique=True)
    jwk: Mapped[dict[str, Any]] = mapped_column(default=dict)
    pinned_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImportedBundle(Base):
    """A vendor's reply imported into the vault (importing it again changes nothing)."""

    __tablename__ = "imported_bundles"

    id: Mapped[intpk]
    bundle_id: Mapped[str] = mapped_column(String(64), unique=True)
    vendor_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendors.id", ondelete="SET NULL"), index=True
    )
    in_reply_to: Mapped[str] = mapped_column(String(64), default="")
    bundle_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImportedRecord(Base):
    """Which local record a record of an imported bundle became (by the bundle's stable @id)."""

    __tablename__ = "imported_records"
    __table_args__ = (Index("ix_imported_records_local", "kind", "record_id"),)

    id: Mapped[intpk]
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    bundle_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int]


class ImportRef(Base):
    """Which record a row of an imported file became, so importing it again updates, not adds.

    ``source`` names where the row came from (``homebox``, ``warracker``, ``csv``, ``vcard``);
    ``ref`` is that program's own id for it (HomeBox's import ref) or, where it has none, a
    fingerprint of the row.
    """

    __tablename__ = "import_refs"
    __table_args__ = (
        UniqueConstraint("source", "kind", "ref", name="uq_import_refs_source_kind_ref"),
        Index("ix_import_refs_local", "kind", "record_id"),
    )

    id: Mapped[intpk]
    source: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(200))
    record_id: Mapped[int]


class UnsortedMail(Record):
    """A captured e-mail whose correspondent matches no vendor, kept until assigned or dismissed.

    Its attachments are already in the vault (owned by it) and move to the interaction it
    becomes. A dismissed one stays as a row (``dismissed``), so importing it again adds nothing.
    Not one of ``RECORD_TYPES``: it is no record of a relationship until it is assigned.
    """

    __tablename__ = "unsorted_mail"
    kind = "unsorted_mail"

    message_id: Mapped[str] = mapped_column(String(500), unique=True)
    in_reply_to: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime]
    direction: Mapped[Direction] = mapped_column(_enum(Direction))
    #: the other side's address (the sender of inbound mail, the first recipient of outbound)
    correspondent: Mapped[str] = mapped_column(String(320), index=True)
    correspondent_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[text]
    capture_notes: Mapped[text]
    #: a mailing list's or bulk mail's: an offer once assigned
    bulk: Mapped[bool] = mapped_column(Boolean, default=False)
    dismissed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class MailAccount(Base):
    """An IMAP account mail is fetched from (read only)."""

    __tablename__ = "mail_accounts"
    __table_args__ = (UniqueConstraint("host", "user", name="uq_mail_accounts_host_user"),)

    id: Mapped[intpk]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int]
    user: Mapped[str] = mapped_column(String(320))
    folders: Mapped[list[str]] = mapped_column(default=list)
    #: plain IMAP upgraded with STARTTLS (else IMAPS)
    starttls: Mapped[bool] = mapped_column(Boolean, default=False)
    #: SHA-256 of a self-signed certificate the person chose to trust (hex, empty: none)
    trusted_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    #: the password, kept in the (encrypted) vault; empty when it is in the OS keyring
    password: Mapped[str] = mapped_column(Text, default="")
    use_keyring: Mapped[bool] = mapped_column(Boolean, default=False)


class MailFolderState(Base):
    """How far a folder of an account has been fetched: UIDVALIDITY and the last UID stored."""

    __tablename__ = "mail_folder_states"
    __table_args__ = (
        UniqueConstraint("account_id", "folder", name="uq_mail_folder_states_account_folder"),
    )

    id: Mapped[intpk]
    account_id: Mapped[int] = mapped_column(ForeignKey("mail_accounts.id", ondelete="CASCADE"))
    folder: Mapped[str] = mapped_column(String(500))
    uidvalidity: Mapped[int]
    last_uid: Mapped[int] = mapped_column(Integer, default=0)


class MailSender(Base):
    """What the person decided about a sender: whose it is, and offer or conversation."""

    __tablename__ = "mail_senders"

    id: Mapped[intpk]
    address: Mapped[str] = mapped_column(String(320, collation="NOCASE"), unique=True)
    vendor_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendors.id", ondelete="CASCADE"), index=True
    )
    #: True: its mail is an offer; False: conversation; None: decided by the headers
    offer: Mapped[bool | None]


class AttentionMark(Base):
    """What the person did about an item of the home page: acknowledged it, or snoozed it.

    ``section`` is the home page's list (``warranties``, ``follow_ups`` …), ``kind`` and
    ``record_id`` the record the item is about. ``about`` is what the item said when the person
    acted (its day, ISO; a vendor's reason for one over my policy): the mark holds only while the
    item still says it, so a changed item shows again. ``until`` is a snooze's day (the item
    shows again on it); None means acknowledged.
    """

    __tablename__ = "attention_marks"
    __table_args__ = (
        UniqueConstraint(
            "section", "kind", "record_id", name="uq_attention_marks_section_kind_record"
        ),
    )

    id: Mapped[intpk]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    section: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int]
    about: Mapped[str] = mapped_column(String(500))
    until: Mapped[date | None]


class SyncLog(Base):
    """The change log: one row per change of a synced record, in the sync contract's shape.

    Written in the same transaction as the change by :mod:`vrmdesk.store.changelog` (this
    device's changes) and by applying another device's change (under that device's id and
    number). ``(device, seq)`` is unique: a change is in the log once.
    """

    __tablename__ = "sync_log"
    __table_args__ = (
        UniqueConstraint("device", "seq", name="uq_sync_log_device_seq"),
        Index("ix_sync_log_gid", "gid", "hlc"),
    )

    id: Mapped[intpk]
    hlc: Mapped[str] = mapped_column(String(60), index=True)
    device: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int]
    op: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(32))
    gid: Mapped[str] = mapped_column(String(36))
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    base: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SyncField(Base):
    """The hlc of the last change known here of a record's field (``field`` empty: its create).

    An update's ``base`` for a field is its row here, or else the record's create row.
    """

    __tablename__ = "sync_fields"

    gid: Mapped[str] = mapped_column(String(36), primary_key=True)
    field: Mapped[str] = mapped_column(String(64), primary_key=True)
    hlc: Mapped[str] = mapped_column(String(60))


class Meta(Base):
    """Vault-wide settings and secrets (the attachment identity); inside the encrypted DB."""

    __tablename__ = "vault_meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


RECORD_TYPES: tuple[type[Record], ...] = (
    Vendor,
    Contact,
    Channel,
    Account,
    Asset,
    Warranty,
    Registration,
    ServiceEvent,
    Ticket,
    Interaction,
    Offer,
    Agreement,
    Attachment,
)
RECORD_BY_KIND: dict[str, type[Record]] = {cls.kind: cls for cls in RECORD_TYPES}
RECORD_BY_CODE: dict[int, type[Record]] = {cls.kind_code: cls for cls in RECORD_TYPES}


class RightsRequest(Base):
    """What makes a ticket one of kind "rights request": a data-rights letter sent to its vendor.

    ``law`` names a law file of :mod:`vrmdesk.store.rights_laws` (``gdpr``, ``uk-gdpr``,
    ``ccpa``), ``right`` one of its rights. The deadline is counted from ``counted_from``: the
    day sent, or the day a posted letter was received (``received``). ``due_on`` is the legal
    deadline, ``extended_due_on`` the extended one once the vendor claimed more time
    (``extended_on``); ``confirm_by`` the day a confirmation of receipt is due (CCPA).
    """

    __tablename__ = "rights_requests"

    id: Mapped[intpk]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), unique=True
    )
    law: Mapped[str] = mapped_column(String(32))
    right: Mapped[str] = mapped_column(String(32))
    sent_on: Mapped[date]
    counted_from: Mapped[date]
    received: Mapped[bool] = mapped_column(Boolean, default=False)
    due_on: Mapped[date] = mapped_column(index=True)
    extended_on: Mapped[date | None]
    extended_due_on: Mapped[date | None]
    confirm_by: Mapped[date | None]
    answered_on: Mapped[date | None]
    letter: Mapped[text]

    ticket: Mapped[Ticket] = relationship()


class TermsAgreement(Base):
    """An agreement of the MyTerms roster (IEEE 7012) I proffered to a vendor, and its answer.

    One row per proffer; the newest row of a vendor is the one in play. ``state`` is one of
    :data:`vrmdesk.store.services.myterms.STATES` (``proffered``, ``accepted``,
    ``alternative_offered`` with ``alternative_id``, ``declined``, ``withdrawn``). The proffer's
    bundle is in the Disclosure log (``proffer_bundle_id``, with its sha256), the vendor's
    signed answer in ImportedBundle (``answer_bundle_id``).
    """

    __tablename__ = "terms_agreements"

    id: Mapped[intpk]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    agreement_id: Mapped[str] = mapped_column(String(64))
    agreement_version: Mapped[str] = mapped_column(String(32))
    agreement_title: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(32))
    alternative_id: Mapped[str | None] = mapped_column(String(64))
    proffered_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    proffer_bundle_id: Mapped[str] = mapped_column(String(64), unique=True)
    answer_bundle_id: Mapped[str | None] = mapped_column(String(64))


class QuoteRequest(Base):
    """A request for quotes (intentcasting): what I want, sent as one bundle to each vendor chosen.

    ``uid`` is the @id of its ``vrm:QuoteRequest`` record, the same in every bundle. Amounts are
    minor units with their currency like every price; ``state`` is ``open``, ``decided`` (a quote
    accepted: ``accepted_quote_id``) or ``withdrawn``. The things shared with it are
    ``asset_ids``; its terms are always "this request only, no marketing, ``retention_days``".
    """

    __tablename__ = "quote_requests"

    id: Mapped[intpk]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    subject: Mapped[str] = mapped_column(String(500))
    #: what I want, in my words
    body: Mapped[str] = mapped_column(Text, default="")
    constraints: Mapped[list[str]] = mapped_column(JSON, default=list)
    budget_minor: Mapped[money]
    currency: Mapped[currency]
    wanted_by: Mapped[date | None]
    retention_days: Mapped[int] = mapped_column(Integer, default=90)
    asset_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    #: the quote accepted (a plain id: quotes point at their request, not the other way round)
    accepted_quote_id: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None]

    recipients: Mapped[list[QuoteRecipient]] = relationship(
        back_populates="request", cascade="all, delete-orphan", passive_deletes=True
    )


class QuoteRecipient(Base):
    """One vendor a quote request went to: the bundle (in the Disclosure log) and when."""

    __tablename__ = "quote_recipients"
    __table_args__ = (UniqueConstraint("request_id", "vendor_id"),)

    id: Mapped[intpk]
    request_id: Mapped[int] = mapped_column(
        ForeignKey("quote_requests.id", ondelete="CASCADE"), index=True
    )
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    bundle_id: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime]

    request: Mapped[QuoteRequest] = relationship(back_populates="recipients")
    vendor: Mapped[Vendor] = relationship()


class Quote(Base):
    """A vendor's signed quote (a ``vrm:Quote`` of its reply), against the request it answers.

    Response time is ``received_at`` (the reply's signed time) less the recipient's ``sent_at``.
    """

    __tablename__ = "quotes"

    id: Mapped[intpk]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("quote_requests.id", ondelete="CASCADE"), index=True
    )
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    price_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    valid_until: Mapped[date]
    message: Mapped[text]
    received_at: Mapped[datetime]
    #: the reply it came in, and the quote record's @id in it
    bundle_id: Mapped[str] = mapped_column(String(64), index=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)

    request: Mapped[QuoteRequest] = relationship()
    vendor: Mapped[Vendor] = relationship()


class SyncConflict(Base):
    """A conflict of merged changes that the person resolves (vrmdesk.sync.merge.Conflict):
    two concurrent edits of a field, or an edit of a record another device deleted.

    Kept per (gid, field, reason, base); ``data`` is the conflict's JSON (its values with their
    hlcs). The rows of a record are rewritten whenever a sync touches it.
    """

    __tablename__ = "sync_conflicts"
    __table_args__ = (UniqueConstraint("gid", "field", "reason", "base", name="uq_sync_conflict"),)

    id: Mapped[intpk]
    gid: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    field: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
    base: Mapped[str] = mapped_column(String(60))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncDevice(Base):
    """Another device of this household, paired for sync (vrmdesk.sync.pairing): its pinned
    Ed25519 key and age recipient, and the head of its chain of change sets read so far.

    ``last_set`` is the number of its newest change set applied here (0: none yet) and
    ``last_sha256`` the SHA-256 of that set's file, which its next set must name as ``prev``.
    A revoked device (``revoked_at``) gets no further sets and what it writes is ignored.
    """

    __tablename__ = "sync_devices"

    id: Mapped[intpk]
    device: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    jwk: Mapped[dict[str, Any]] = mapped_column(default=dict)
    thumbprint: Mapped[str] = mapped_column(String(64), unique=True)
    age_recipient: Mapped[str] = mapped_column(String(100))
    paired_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_set: Mapped[int] = mapped_column(Integer, default=0)
    last_sha256: Mapped[str | None] = mapped_column(String(64))

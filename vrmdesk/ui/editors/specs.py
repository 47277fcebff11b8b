"""What the editor of each kind of record asks for: one list of field specs per kind.

A spec names the column, the label, the kind of input and whether the field is required (the
core decides the rest and says so on save). ``build_field`` turns a spec into its widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from vrmdesk.store import models as m
from vrmdesk.store.services import records, things
from vrmdesk.ui.editors.dates import DateField, DateTimeField
from vrmdesk.ui.editors.fields import (
    AmountField,
    ChannelsField,
    CheckField,
    EnumField,
    Field,
    IntField,
    LineField,
    PickerField,
    TextField,
)

#: how each kind is called in the interface
NOUNS: dict[str, str] = {
    "vendor": "vendor",
    "contact": "contact",
    "channel": "channel",
    "account": "account",
    "asset": "thing",
    "warranty": "warranty",
    "registration": "registration",
    "service_event": "service event",
    "ticket": "ticket",
    "interaction": "interaction",
    "offer": "offer",
    "agreement": "agreement",
    "attachment": "file",
}

CURRENCIES = ["EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "JPY", "CAD", "AUD"]


@dataclass(frozen=True)
class Spec:
    name: str
    label: str
    #: line, text, date, datetime, enum, vendor, asset, ticket, amount, int, check, channels
    kind: str
    required: bool = False
    hint: str = ""
    #: what a nullable date or number shows when it is empty
    null_text: str = ""
    #: line: offer these existing values ("categories" or "locations")
    suggest: str = ""
    #: a date the core fills in when it is left empty on a new record (a warranty's start)
    core_default: bool = False
    suffix: str = ""


def S(name: str, label: str, kind: str = "line", **options: Any) -> Spec:
    return Spec(name, label, kind, **options)


VENDOR = S("vendor_id", "Vendor", "vendor", required=True)
NOTES = S("notes", "Notes", "text")

SPECS: dict[type[m.Record], list[Spec]] = {
    m.Vendor: [
        S("name", "Name", required=True),
        S("vendor_kind", "Kind", "enum"),
        S("status", "Relationship", "enum"),
        S("website", "Website"),
        S("since", "Customer since", "date"),
        S(
            "max_offers_per_year",
            "Offers a year",
            "int",
            null_text="no limit",
            hint="My contact policy: at most this many offers a year.",
        ),
        S(
            "allowed_channels",
            "Allowed channels",
            "channels",
            hint="The channels this vendor may use to reach me; none ticked: any channel.",
        ),
        S(
            "age_recipient",
            "Age recipient",
            hint="The vendor's age public key (age1…), for share bundles encrypted to it.",
        ),
        NOTES,
    ],
    m.Contact: [
        VENDOR,
        S("name", "Name", required=True),
        S("role", "Role"),
        S("email", "E-mail"),
        S("phone", "Phone"),
        NOTES,
    ],
    m.Channel: [
        VENDOR,
        S("channel", "Channel", "enum"),
        S("value", "Address", required=True, hint="The e-mail address, number, page or handle."),
        S("label", "Label"),
    ],
    m.Account: [VENDOR, S("label", "Label"), S("number", "Number", required=True)],
    m.Asset: [
        S("name", "Name", required=True),
        S("category", "Category", suggest="categories"),
        S("maker_id", "Maker", "vendor"),
        S("seller_id", "Seller", "vendor"),
        S("model", "Model"),
        S("serial_number", "Serial number"),
        S("purchase_date", "Purchase date", "date"),
        S("price_minor", "Price", "amount"),
        S("order_number", "Order number"),
        S("location", "Location", suggest="locations"),
        S("status", "Status", "enum"),
        NOTES,
    ],
    m.Warranty: [
        S("asset_id", "Thing", "asset", required=True),
        S("provider_id", "Provider", "vendor"),
        S("title", "Title"),
        S("starts_on", "Starts", "date", null_text="on the purchase date", core_default=True),
        S("end_date", "Ends", "date", hint="Give an end date or a length in months."),
        S("months", "Length", "int", null_text="not set", suffix=" months"),
        S("coverage", "Coverage", "enum"),
        S("how_to_claim", "How to claim", "text"),
        S("void", "Void (no longer valid)", "check"),
        NOTES,
    ],
    m.Registration: [
        S("asset_id", "Thing", "asset", required=True),
        VENDOR,
        S("registered_on", "Registered on", "date"),
        S("registration_ref", "Reference"),
        S("data_given", "Data given", "text", hint="What I told them (name, address, …)."),
        S("marketing_consent", "I agreed to marketing", "check"),
    ],
    m.ServiceEvent: [
        S("asset_id", "Thing", "asset", required=True),
        S("description", "What was done", "text", required=True),
        S("performed_on", "Done on", "date"),
        S("performed_by", "Done by"),
        S("vendor_id", "Vendor", "vendor"),
        S("cost_minor", "Cost", "amount"),
        S("interval_months", "Repeat every", "int", null_text="not recurring", suffix=" months"),
        S("next_due", "Next due", "date", null_text="from the interval"),
    ],
    m.Ticket: [
        VENDOR,
        S("title", "Title", required=True),
        S("asset_id", "Thing", "asset"),
        S("reference", "Reference", hint="The vendor's case number."),
        S("status", "Status", "enum"),
        S("opened_on", "Opened on", "date"),
        S(
            "closed_on",
            "Closed on",
            "date",
            hint="Kept for a resolved or closed ticket; today if left empty.",
        ),
        S("follow_up_on", "Follow up on", "date"),
        NOTES,
    ],
    m.Interaction: [
        VENDOR,
        S("ticket_id", "Ticket", "ticket"),
        S("asset_id", "Thing", "asset"),
        S("occurred_at", "When", "datetime"),
        S("direction", "Direction", "enum"),
        S("channel", "Channel", "enum"),
        S("subject", "Subject"),
        S("body", "Text", "text"),
    ],
    m.Offer: [
        VENDOR,
        S("received_at", "Received", "datetime"),
        S("channel", "Channel", "enum"),
        S("content", "Content", "text"),
    ],
    m.Agreement: [
        VENDOR,
        S("title", "Title", required=True),
        S("started_on", "Started on", "date"),
        S("renews_on", "Renews on", "date"),
        S("notice_days", "Notice period", "int", suffix=" days"),
        S("cost_minor", "Cost", "amount"),
        S("period", "Billed every", "enum"),
        NOTES,
    ],
}


@dataclass
class Choices:
    """What pickers and suggestions offer, read once when an editor opens."""

    vendors: list[tuple[int, str]]
    assets: list[tuple[int, str]]
    categories: list[str]
    locations: list[str]


def load_choices(session: Session, specs: list[Spec]) -> Choices:
    kinds = {spec.kind for spec in specs}
    suggests = {spec.suggest for spec in specs}
    return Choices(
        vendors=[(v.id, v.name) for v in records.list_records(session, m.Vendor)]
        if "vendor" in kinds
        else [],
        assets=things.asset_choices(session) if "asset" in kinds else [],
        categories=things.categories(session) if "categories" in suggests else [],
        locations=things.locations(session) if "locations" in suggests else [],
    )


def ticket_choices(session: Session, vendor_id: int | None) -> list[tuple[int, str]]:
    """The tickets of one vendor for a ticket picker (open ones first, newest first)."""
    if vendor_id is None:
        return []
    tickets = records.list_records(session, m.Ticket, vendor_id=vendor_id)
    tickets.sort(key=lambda t: t.status not in m.OPEN_TICKET_STATUSES)
    return [(t.id, f"{t.title} [{t.reference}]" if t.reference else t.title) for t in tickets]


def build_field(spec: Spec, cls: type[m.Record], choices: Choices, is_new: bool) -> Field:
    column = records.editable_fields(cls)[spec.name]
    nullable = bool(column.nullable)
    if spec.kind == "line":
        suggestions = getattr(choices, spec.suggest) if spec.suggest else None
        return LineField(spec.name, getattr(column.type, "length", None), suggestions)
    if spec.kind == "text":
        return TextField(spec.name)
    if spec.kind == "date":
        if spec.core_default and is_new:
            return DateField(spec.name, True, spec.null_text)
        return DateField(spec.name, nullable, spec.null_text or "no date")
    if spec.kind == "datetime":
        return DateTimeField(spec.name)
    if spec.kind == "enum":
        return EnumField(spec.name, column.type.enum_class)
    if spec.kind in ("vendor", "asset", "ticket"):
        picker = PickerField(spec.name, NOUNS.get(spec.kind, spec.kind), optional=nullable)
        if spec.kind != "ticket":
            picker.set_choices(choices.vendors if spec.kind == "vendor" else choices.assets)
        return picker
    if spec.kind == "amount":
        return AmountField(spec.name, "currency", CURRENCIES)
    if spec.kind == "int":
        return IntField(spec.name, nullable, spec.null_text or "not set", suffix=spec.suffix)
    if spec.kind == "check":
        return CheckField(spec.name, spec.label)
    if spec.kind == "channels":
        return ChannelsField(spec.name, [c.value for c in m.InteractionChannel])
    raise ValueError(f"unknown field kind {spec.kind!r}")


def initial_values(cls: type[m.Record]) -> dict[str, Any]:
    """A new record's values: the columns' own defaults (enums, flags, numbers)."""
    out: dict[str, Any] = {}
    for name, column in records.editable_fields(cls).items():
        default = column.default
        if default is not None and getattr(default, "is_scalar", False):
            out[name] = default.arg
    return out

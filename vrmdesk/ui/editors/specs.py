"""What the editor of each kind of record asks for: one list of field specs per kind.

A spec names the column, the label, the kind of input and whether the field is required (the
core decides the rest and says so on save). ``build_field`` turns a spec into its widget, with
what the core says of that field (``editing.FieldInfo``: may it be empty, its length, its values).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from vrmdesk.store.services import editing, tags, things
from vrmdesk.store.services import settings as vault_settings
from vrmdesk.store.services.editing import FieldInfo
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
    TagsField,
    TextField,
)
from vrmdesk.ui.editors.pattern_field import PatternField
from vrmdesk.ui.widgets.words import NOUNS

CURRENCIES = ["EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "JPY", "CAD", "AUD"]


@dataclass(frozen=True)
class Spec:
    name: str
    label: str
    #: line, text, date, datetime, enum, vendor, asset, ticket, amount, int, check, channels,
    #: pattern (a case reference pattern with its live test), tags (the record's tags)
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

#: kind of record -> its editor's fields, in order
SPECS: dict[str, list[Spec]] = {
    "vendor": [
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
            "Encryption key",
            hint="The vendor's public encryption key (an age key, age1…): bundles shared with "
            "this vendor are encrypted so that only the vendor can open them.",
        ),
        S(
            "case_reference_pattern",
            "Case reference pattern",
            "pattern",
            hint="How this vendor writes its case numbers in subjects, as a regular expression "
            "(its first group is the reference); mail carrying a ticket's reference lands on it.",
        ),
        NOTES,
    ],
    "contact": [
        VENDOR,
        S("name", "Name", required=True),
        S("role", "Role"),
        S("email", "E-mail"),
        S("phone", "Phone"),
        NOTES,
    ],
    "channel": [
        VENDOR,
        S("channel", "Channel", "enum"),
        S("value", "Address", required=True, hint="The e-mail address, number, page or handle."),
        S("label", "Label"),
    ],
    "account": [VENDOR, S("label", "Label"), S("number", "Number", required=True)],
    "asset": [
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
    "warranty": [
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
    "registration": [
        S("asset_id", "Thing", "asset", required=True),
        VENDOR,
        S("registered_on", "Registered on", "date"),
        S("registration_ref", "Reference"),
        S("data_given", "Data given", "text", hint="What I told them (name, address, …)."),
        S("marketing_consent", "I agreed to marketing", "check"),
    ],
    "service_event": [
        S("asset_id", "Thing", "asset", required=True),
        S("description", "What was done", "text", required=True),
        S("performed_on", "Done on", "date"),
        S("performed_by", "Done by"),
        S("vendor_id", "Vendor", "vendor"),
        S("cost_minor", "Cost", "amount"),
        S("interval_months", "Repeat every", "int", null_text="not recurring", suffix=" months"),
        S("next_due", "Next due", "date", null_text="from the interval"),
    ],
    "ticket": [
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
    "interaction": [
        VENDOR,
        S("ticket_id", "Ticket", "ticket"),
        S("asset_id", "Thing", "asset"),
        S("occurred_at", "When", "datetime"),
        S("direction", "Direction", "enum"),
        S("channel", "Channel", "enum"),
        S("subject", "Subject"),
        S("body", "Text", "text"),
    ],
    "offer": [
        VENDOR,
        S("received_at", "Received", "datetime"),
        S("channel", "Channel", "enum"),
        S("content", "Content", "text"),
    ],
    "agreement": [
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

#: every kind's editor ends with the record's tags
TAGS = S(
    editing.TAGS,
    "Tags",
    "tags",
    hint="Separated by commas; tags already in use are offered as you type.",
)
for _specs in SPECS.values():
    _specs.append(TAGS)


@dataclass
class Choices:
    """What pickers and suggestions offer, read once when an editor opens."""

    vendors: list[tuple[int, str]]
    assets: list[tuple[int, str]]
    categories: list[str]
    locations: list[str]
    #: the tags in use, for completion
    tags: list[str] = field(default_factory=list)
    #: the currency a new amount starts in (Settings → Defaults)
    currency: str = vault_settings.FALLBACK_CURRENCY


def load_choices(session: Session, specs: list[Spec]) -> Choices:
    kinds = {spec.kind for spec in specs}
    suggests = {spec.suggest for spec in specs}
    return Choices(
        vendors=editing.vendor_choices(session) if "vendor" in kinds else [],
        assets=things.asset_choices(session) if "asset" in kinds else [],
        categories=things.categories(session) if "categories" in suggests else [],
        locations=things.locations(session) if "locations" in suggests else [],
        tags=tags.all_tags(session) if "tags" in kinds else [],
        currency=(
            vault_settings.default_currency(session)
            if "amount" in kinds
            else vault_settings.FALLBACK_CURRENCY
        ),
    )


def build_field(spec: Spec, info: FieldInfo, choices: Choices, is_new: bool) -> Field:
    """The widget for ``spec``; ``info`` is the core's description of that field."""
    if spec.kind == "line":
        suggestions = getattr(choices, spec.suggest) if spec.suggest else None
        return LineField(spec.name, info.max_length, suggestions)
    if spec.kind == "text":
        return TextField(spec.name)
    if spec.kind == "date":
        if spec.core_default and is_new:
            return DateField(spec.name, True, spec.null_text)
        return DateField(spec.name, info.nullable, spec.null_text or "no date")
    if spec.kind == "datetime":
        return DateTimeField(spec.name)
    if spec.kind == "enum":
        return EnumField(spec.name, info.choices)
    if spec.kind in ("vendor", "asset", "ticket"):
        picker = PickerField(spec.name, NOUNS.get(spec.kind, spec.kind), optional=info.nullable)
        if spec.kind != "ticket":
            picker.set_choices(choices.vendors if spec.kind == "vendor" else choices.assets)
        return picker
    if spec.kind == "amount":
        amount = AmountField(spec.name, "currency", CURRENCIES)
        amount.currency.setEditText(choices.currency)  # a record's own currency replaces it
        return amount
    if spec.kind == "int":
        return IntField(spec.name, info.nullable, spec.null_text or "not set", suffix=spec.suffix)
    if spec.kind == "check":
        return CheckField(spec.name, spec.label)
    if spec.kind == "channels":
        return ChannelsField(spec.name, list(info.choices))
    if spec.kind == "pattern":
        return PatternField(spec.name, info.max_length)
    if spec.kind == "tags":
        return TagsField(spec.name, choices.tags)
    raise ValueError(f"unknown field kind {spec.kind!r}")

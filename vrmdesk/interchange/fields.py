"""What a CSV import can fill in, per kind of record, and how a column's header is recognised.

Each target has a key (used in ``--map COLUMN=KEY``, in remembered mappings and as the header
of vrmdesk's own CSV export, so an export imports back with no mapping at all), what kind of
value it takes, and the header names people and other programs use for it (English, the usual
German and French ones, and the names HomeBox and Warracker write).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

ValueKind = Literal[
    "text",
    "date",
    "datetime",
    "amount",
    "currency",
    "int",
    "bool",
    "enum",
    "vendor",
    "thing",
    "ticket",
    "tags",
]
ImportKind = Literal["vendors", "assets", "warranties", "service_events", "tickets", "interactions"]
IMPORT_KINDS: tuple[ImportKind, ...] = (
    "vendors",
    "assets",
    "warranties",
    "service_events",
    "tickets",
    "interactions",
)
KIND_NOUNS: dict[ImportKind, tuple[str, str]] = {
    "vendors": ("vendor", "vendors"),
    "assets": ("thing", "things"),
    "warranties": ("warranty", "warranties"),
    "service_events": ("service event", "service events"),
    "tickets": ("ticket", "tickets"),
    "interactions": ("interaction", "interactions"),
}


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    kind: ValueKind
    aliases: tuple[str, ...] = ()
    required: bool = False
    #: enum values, for kind "enum" (the value, or the word people write for it)
    choices: tuple[str, ...] = ()


def _t(
    key: str,
    label: str,
    kind: ValueKind,
    *aliases: str,
    required: bool = False,
    choices: Sequence[str] = (),
) -> Target:
    return Target(key, label, kind, aliases, required, tuple(choices))


IMPORT_REF = _t(
    "import_ref",
    "Import reference",
    "text",
    "import ref",
    "hb.import_ref",
    "ref",
    "external id",
    "id in the other program",
)
TAGS = _t("tags", "Tags", "tags", "labels", "hb.tags", "hb.labels", "categories", "schlagwörter")
NOTES = _t(
    "notes",
    "Notes",
    "text",
    "note",
    "comments",
    "comment",
    "remarks",
    "hb.notes",
    "notizen",
    "bemerkung",
    "remarques",
)

TARGETS: dict[ImportKind, tuple[Target, ...]] = {
    "vendors": (
        _t(
            "name",
            "Name",
            "text",
            "vendor",
            "company",
            "organisation",
            "organization",
            "firma",
            "hersteller",
            "fournisseur",
            "supplier",
            "manufacturer",
            "shop",
            "store",
            required=True,
        ),
        _t(
            "vendor_kind",
            "Kind",
            "enum",
            "type",
            "vendor type",
            "art",
            choices=("maker", "retailer", "service_provider", "supplier", "public_body", "other"),
        ),
        _t(
            "status",
            "Relationship",
            "enum",
            "relationship",
            "state",
            choices=("active", "dormant", "ended"),
        ),
        _t("website", "Website", "text", "url", "web", "homepage", "site", "webseite"),
        _t("since", "Customer since", "date", "customer since", "kunde seit", "client depuis"),
        _t("email", "E-mail", "text", "mail", "e-mail address", "email address"),
        _t("phone", "Phone", "text", "telephone", "tel", "telefon", "téléphone"),
        _t(
            "account_number",
            "Account number",
            "text",
            "customer number",
            "account",
            "kundennummer",
            "customer id",
        ),
        NOTES,
        TAGS,
        IMPORT_REF,
    ),
    "assets": (
        _t(
            "name",
            "Name",
            "text",
            "item",
            "thing",
            "product",
            "product name",
            "productname",
            "article",
            "hb.name",
            "bezeichnung",
            "artikel",
            "produit",
            required=True,
        ),
        _t("category", "Category", "text", "group", "type", "kategorie", "catégorie"),
        _t(
            "maker",
            "Maker",
            "vendor",
            "manufacturer",
            "brand",
            "make",
            "hb.manufacturer",
            "hersteller",
            "marke",
            "fabricant",
            "marque",
        ),
        _t(
            "seller",
            "Seller",
            "vendor",
            "vendor",
            "retailer",
            "shop",
            "store",
            "bought from",
            "bought at",
            "purchased from",
            "purchased at",
            "purchase from",
            "hb.purchase_from",
            "händler",
            "gekauft bei",
            "magasin",
        ),
        _t(
            "model",
            "Model",
            "text",
            "model number",
            "model no",
            "hb.model_number",
            "modell",
            "modèle",
        ),
        _t(
            "serial_number",
            "Serial number",
            "text",
            "serial",
            "serial no",
            "s/n",
            "sn",
            "serialnumber",
            "hb.serial_number",
            "seriennummer",
            "numéro de série",
        ),
        _t(
            "purchase_date",
            "Purchase date",
            "date",
            "purchased",
            "bought",
            "date of purchase",
            "purchasedate",
            "hb.purchase_date",
            "hb.purchase_time",
            "kaufdatum",
            "date d'achat",
        ),
        _t(
            "price",
            "Price",
            "amount",
            "purchase price",
            "cost",
            "amount",
            "purchaseprice",
            "hb.purchase_price",
            "preis",
            "kaufpreis",
            "prix",
        ),
        _t("currency", "Currency", "currency", "währung", "devise"),
        _t(
            "order_number",
            "Order number",
            "text",
            "order",
            "order no",
            "invoice",
            "invoice number",
            "bestellnummer",
            "rechnungsnummer",
            "commande",
        ),
        _t(
            "location",
            "Location",
            "text",
            "room",
            "place",
            "where",
            "hb.location",
            "ort",
            "standort",
            "raum",
            "emplacement",
        ),
        _t("status", "Status", "enum", "state", choices=("in_use", "sold", "disposed")),
        NOTES,
        _t("description", "Description", "text", "details", "hb.description", "beschreibung"),
        _t(
            "warranty_ends",
            "Warranty ends",
            "date",
            "warranty expires",
            "warranty end",
            "warranty until",
            "expiration date",
            "expirationdate",
            "hb.warranty_expires",
            "garantie bis",
            "fin de garantie",
        ),
        _t(
            "warranty_months",
            "Warranty months",
            "int",
            "warranty length",
            "warranty (months)",
            "warrantydurationmonths",
            "garantie monate",
        ),
        _t(
            "warranty_years",
            "Warranty years",
            "int",
            "warranty (years)",
            "warrantydurationyears",
            "garantie jahre",
        ),
        _t("warranty_days", "Warranty days", "int", "warrantydurationdays"),
        _t(
            "warranty_lifetime",
            "Lifetime warranty",
            "bool",
            "lifetime",
            "islifetime",
            "hb.lifetime_warranty",
        ),
        _t(
            "warranty_details",
            "Warranty details",
            "text",
            "warranty",
            "warranty type",
            "warrantytype",
            "hb.warranty_details",
            "garantie",
        ),
        _t("url", "Link", "text", "product url", "producturl", "hb.url"),
        _t("archived", "Archived", "bool", "hb.archived", "disposed"),
        _t("sold_date", "Sold on", "date", "sold", "date sold", "hb.sold_date", "hb.sold_time"),
        TAGS,
        IMPORT_REF,
    ),
    "warranties": (
        _t("thing", "Thing", "thing", "item", "product", "asset", "serial number", required=True),
        _t("provider", "Provider", "vendor", "vendor", "maker", "warrantor", "issuer"),
        _t("title", "Title", "text", "name", "warranty", "type"),
        _t("starts_on", "Starts", "date", "start", "start date", "from", "valid from", "beginn"),
        _t(
            "end_date",
            "Ends",
            "date",
            "end",
            "end date",
            "until",
            "expires",
            "expiration date",
            "valid until",
            "valid through",
            "ende",
            "gültig bis",
        ),
        _t("months", "Length (months)", "int", "months", "length", "duration"),
        _t(
            "coverage",
            "Coverage",
            "enum",
            "covers",
            choices=("parts_and_labour", "parts", "labour", "accidental", "other"),
        ),
        _t("how_to_claim", "How to claim", "text", "claim", "claims", "contact"),
        NOTES,
        IMPORT_REF,
    ),
    "service_events": (
        _t("thing", "Thing", "thing", "item", "asset", "product", required=True),
        _t(
            "description",
            "What was done",
            "text",
            "service",
            "work",
            "description",
            "task",
            required=True,
        ),
        _t("performed_on", "Done on", "date", "date", "done", "serviced on", "datum"),
        _t("performed_by", "Done by", "text", "technician", "by", "who"),
        _t("vendor", "Vendor", "vendor", "company", "service provider", "provider"),
        _t("cost", "Cost", "amount", "price", "amount", "kosten"),
        _t("currency", "Currency", "currency"),
        _t("interval_months", "Repeat every (months)", "int", "interval", "every", "months"),
        _t("next_due", "Next due", "date", "next", "due", "next service"),
        IMPORT_REF,
    ),
    "tickets": (
        _t("vendor", "Vendor", "vendor", "company", "supplier", "with", required=True),
        _t("title", "Title", "text", "subject", "summary", "issue", "problem", required=True),
        _t("thing", "Thing", "thing", "item", "product", "asset"),
        _t(
            "reference",
            "Reference",
            "text",
            "case",
            "case number",
            "ticket number",
            "ticket id",
            "vorgangsnummer",
        ),
        _t(
            "status",
            "Status",
            "enum",
            "state",
            choices=("open", "waiting_on_vendor", "waiting_on_me", "resolved", "closed"),
        ),
        _t("opened_on", "Opened on", "date", "opened", "created", "date", "start"),
        _t("closed_on", "Closed on", "date", "closed", "resolved"),
        _t(
            "follow_up_on",
            "Follow up on",
            "date",
            "follow up",
            "follow-up",
            "next action",
            "wiedervorlage",
        ),
        NOTES,
        TAGS,
        IMPORT_REF,
    ),
    "interactions": (
        _t("vendor", "Vendor", "vendor", "company", "from", "to", "with", required=True),
        _t("occurred_at", "When", "datetime", "date", "time", "sent", "received", "datum"),
        _t("direction", "Direction", "enum", "in/out", choices=("inbound", "outbound")),
        _t(
            "channel",
            "Channel",
            "enum",
            "medium",
            "via",
            "type",
            choices=("email", "phone", "chat", "forum", "social", "letter", "visit", "note"),
        ),
        _t("subject", "Subject", "text", "title", "betreff", "objet"),
        _t("body", "Text", "text", "message", "body", "content", "notes", "nachricht"),
        _t("ticket", "Ticket", "ticket", "case", "ticket reference", "case number"),
        _t("thing", "Thing", "thing", "item", "product"),
        IMPORT_REF,
    ),
}

#: words people write for enum values, per target key (lower-case)
ENUM_WORDS: dict[str, dict[str, str]] = {
    "direction": {
        "in": "inbound",
        "received": "inbound",
        "incoming": "inbound",
        "out": "outbound",
        "sent": "outbound",
        "outgoing": "outbound",
    },
    "channel": {
        "e-mail": "email",
        "mail": "email",
        "call": "phone",
        "telephone": "phone",
        "post": "letter",
        "letter": "letter",
        "in person": "visit",
    },
    "status": {
        "waiting on vendor": "waiting_on_vendor",
        "waiting on me": "waiting_on_me",
        "done": "closed",
        "solved": "resolved",
        "in use": "in_use",
        "archived": "disposed",
    },
    "vendor_kind": {
        "manufacturer": "maker",
        "shop": "retailer",
        "store": "retailer",
        "service provider": "service_provider",
        "authority": "public_body",
    },
    "coverage": {
        "parts and labour": "parts_and_labour",
        "parts and labor": "parts_and_labour",
        "labor": "labour",
    },
}


def normalise(header: str) -> str:
    """A header as compared: case, accents, spaces, dots and underscores do not count."""
    text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    return re.sub(r"[\s._\-()/]+", " ", text.casefold()).strip()


def guess(kind: ImportKind, headers: Sequence[str]) -> dict[str, str]:
    """Column -> target key for the headers that name a target (each target once, best first).

    An exact key or label wins over an alias; the first column to claim a target keeps it.
    """
    targets = TARGETS[kind]
    exact = {normalise(t.key): t.key for t in targets} | {
        normalise(t.label): t.key for t in targets
    }
    alias = {normalise(a): t.key for t in targets for a in t.aliases}
    taken: set[str] = set()
    out: dict[str, str] = {}
    for pass_ in (exact, alias):
        for header in headers:
            if header in out:
                continue
            key = pass_.get(normalise(header))
            if key is not None and key not in taken:
                out[header] = key
                taken.add(key)
    return out


def target(kind: ImportKind, key: str) -> Target:
    for t in TARGETS[kind]:
        if t.key == key:
            return t
    choices = ", ".join(t.key for t in TARGETS[kind])
    raise KeyError(f"{key!r} is not a field of {KIND_NOUNS[kind][1]} (choose from {choices})")

"""Records as schema.org dicts: what a share bundle says about each thing, ticket and message.

Each builder takes an ORM record, a function that gives any record its stable ``@id``
(``ref(kind, id)``) and the set of redacted field names, and returns the record's dict with only
the fields that leave: an empty value is left out, and so is every field a redaction names. A
redacted field is absent (the key is not there), never blanked.

schema.org names are used where one exists (Organization, Product, Order, WarrantyPromise,
Message); the rest are in the ``vrm:`` namespace. docs/bundle-records.md lists them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from vrmdesk.store import models as m
from vrmdesk.store.services import rules

Ref = Callable[[str, int], str]

#: the fields a person can leave out of a bundle: name -> what it covers (shown in the wizard)

#: which keys of which record type each redactable field removes (for the documentation and tests)
REDACTED_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "price": (("Product", "vrm:purchase.price"), ("Product", "vrm:purchase.priceCurrency")),
    "cost": (
        ("vrm:ServiceEvent", "vrm:cost"),
        ("vrm:ServiceEvent", "vrm:currency"),
        ("vrm:Agreement", "vrm:cost"),
        ("vrm:Agreement", "vrm:currency"),
    ),
    "order_number": (("Product", "vrm:purchase.orderNumber"),),
    "purchase_date": (("Product", "vrm:purchase.orderDate"),),
    "serial_number": (("Product", "serialNumber"),),
    "location": (("Product", "vrm:location"),),
    "account_numbers": (("Organization", "vrm:accountNumbers"),),
    "contact_details": (("Organization", "contactPoint"),),
    "data_given": (("vrm:ProductRegistration", "vrm:dataGiven"),),
    "registration_ref": (("vrm:ProductRegistration", "identifier"),),
    "case_reference": (("vrm:SupportTicket", "identifier"),),
    "message_text": (("Message", "text"),),
    "notes": (("vrm:Note", "*"),),
}


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def iso_datetime(value: datetime | None) -> str | None:
    """RFC 3339 UTC (the vault keeps naive UTC times)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def decimal_amount(minor: int | None) -> str | None:
    """Minor units as a decimal string: 74900 -> "749.00"."""
    if minor is None:
        return None
    return str((Decimal(minor) / 100).quantize(Decimal("0.01")))


class _Builder:
    """Collects one record's fields, dropping empty values and redacted ones."""

    def __init__(self, type_: str, uid: str, redact: frozenset[str]) -> None:
        self.data: dict[str, Any] = {"@type": type_, "@id": uid}
        self.redact = redact

    def put(self, key: str, value: Any, field: str | None = None) -> None:
        if field is not None and field in self.redact:
            return
        if value is None or value == "" or value == [] or value == {}:
            return
        self.data[key] = value


def organization(
    vendor: m.Vendor,
    ref: Ref,
    redact: frozenset[str],
    *,
    recipient: bool,
    accounts: Iterable[m.Account] = (),
    contacts: Iterable[m.Contact] = (),
    channels: Iterable[m.Channel] = (),
) -> dict[str, Any]:
    """The vendor. Only the recipient carries my account numbers and the contacts I hold."""
    b = _Builder("Organization", ref("vendor", vendor.id), redact)
    b.put("name", vendor.name)
    b.put("url", vendor.website)
    if recipient:
        b.put(
            "vrm:accountNumbers",
            [f"{a.label}: {a.number}" if a.label else a.number for a in accounts],
            "account_numbers",
        )
        points: list[dict[str, Any]] = []
        for c in contacts:
            point = {
                "@type": "ContactPoint",
                "name": c.name,
                "contactType": c.role,
                "email": c.email,
                "telephone": c.phone,
            }
            points.append({k: v for k, v in point.items() if v})
        for ch in channels:
            point = {
                "@type": "ContactPoint",
                "name": ch.label,
                "contactType": ch.channel.value,
                "vrm:value": ch.value,
            }
            points.append({k: v for k, v in point.items() if v})
        b.put("contactPoint", points, "contact_details")
    return b.data


def product(asset: m.Asset, ref: Ref, redact: frozenset[str]) -> dict[str, Any]:
    b = _Builder("Product", ref("asset", asset.id), redact)
    b.put("name", asset.name)
    b.put("category", asset.category)
    b.put("manufacturer", {"@id": ref("vendor", asset.maker_id)} if asset.maker_id else None)
    b.put("model", asset.model)
    b.put("serialNumber", asset.serial_number, "serial_number")
    b.put("vrm:location", asset.location, "location")
    b.put("vrm:status", asset.status.value if asset.status else None)
    order = _Builder("Order", "", redact)
    del order.data["@id"]
    order.put("orderNumber", asset.order_number, "order_number")
    order.put("orderDate", iso_date(asset.purchase_date), "purchase_date")
    order.put("seller", {"@id": ref("vendor", asset.seller_id)} if asset.seller_id else None)
    order.put("price", decimal_amount(asset.price_minor), "price")
    if "price" not in redact and asset.price_minor is not None:
        order.put("priceCurrency", asset.currency)
    if len(order.data) > 1:
        b.put("vrm:purchase", order.data)
    return b.data


def warranty(
    w: m.Warranty, ref: Ref, redact: frozenset[str], on: date | None = None
) -> dict[str, Any]:
    b = _Builder("WarrantyPromise", ref("warranty", w.id), redact)
    b.put("name", w.title)
    b.put("vrm:product", {"@id": ref("asset", w.asset_id)})
    b.put("vrm:provider", {"@id": ref("vendor", w.provider_id)} if w.provider_id else None)
    b.put("vrm:validFrom", iso_date(w.starts_on))
    b.put("vrm:validThrough", iso_date(w.ends_on))
    b.put("warrantyScope", w.coverage.value if w.coverage else None)
    b.put("vrm:howToClaim", w.how_to_claim)
    b.put("vrm:state", rules.warranty_state(w, on).value)
    return b.data


def registration(r: m.Registration, ref: Ref, redact: frozenset[str]) -> dict[str, Any]:
    b = _Builder("vrm:ProductRegistration", ref("registration", r.id), redact)
    b.put("vrm:product", {"@id": ref("asset", r.asset_id)})
    b.put("vrm:registeredWith", {"@id": ref("vendor", r.vendor_id)})
    b.put("vrm:registeredOn", iso_date(r.registered_on))
    b.put("identifier", r.registration_ref, "registration_ref")
    b.put("vrm:dataGiven", r.data_given, "data_given")
    b.put("vrm:marketingConsent", bool(r.marketing_consent))
    return b.data


def service_event(e: m.ServiceEvent, ref: Ref, redact: frozenset[str]) -> dict[str, Any]:
    b = _Builder("vrm:ServiceEvent", ref("service_event", e.id), redact)
    b.put("vrm:product", {"@id": ref("asset", e.asset_id)})
    b.put("vrm:performedOn", iso_date(e.performed_on))
    b.put("vrm:performedBy", e.performed_by)
    b.put("vrm:provider", {"@id": ref("vendor", e.vendor_id)} if e.vendor_id else None)
    b.put("description", e.description)
    b.put("vrm:cost", decimal_amount(e.cost_minor), "cost")
    if e.cost_minor is not None:
        b.put("vrm:currency", e.currency, "cost")
    b.put("vrm:nextDue", iso_date(e.next_due))
    return b.data


def ticket(
    t: m.Ticket, ref: Ref, redact: frozenset[str], *, product_shared: bool
) -> dict[str, Any]:
    b = _Builder("vrm:SupportTicket", ref("ticket", t.id), redact)
    b.put("name", t.title)
    b.put("identifier", t.reference, "case_reference")
    b.put("vrm:status", t.status.value if t.status else None)
    b.put("vrm:openedOn", iso_date(t.opened_on))
    b.put("vrm:closedOn", iso_date(t.closed_on))
    b.put("vrm:vendor", {"@id": ref("vendor", t.vendor_id)})
    if product_shared and t.asset_id:
        b.put("vrm:product", {"@id": ref("asset", t.asset_id)})
    return b.data


def message(
    i: m.Interaction, ref: Ref, redact: frozenset[str], *, about: str | None
) -> dict[str, Any]:
    b = _Builder("Message", ref("interaction", i.id), redact)
    b.put("dateSent", iso_datetime(i.occurred_at))
    b.put("headline", i.subject)
    b.put("text", i.body, "message_text")
    b.put("vrm:direction", i.direction.value if i.direction else None)
    b.put("vrm:channel", i.channel.value if i.channel else None)
    b.put("about", {"@id": about} if about else None)
    return b.data


def agreement(a: m.Agreement, ref: Ref, redact: frozenset[str]) -> dict[str, Any]:
    b = _Builder("vrm:Agreement", ref("agreement", a.id), redact)
    b.put("name", a.title)
    b.put("vrm:vendor", {"@id": ref("vendor", a.vendor_id)})
    b.put("vrm:startedOn", iso_date(a.started_on))
    b.put("vrm:renewsOn", iso_date(a.renews_on))
    b.put("vrm:noticeDays", a.notice_days)
    b.put("vrm:cost", decimal_amount(a.cost_minor), "cost")
    if a.cost_minor is not None:
        b.put("vrm:currency", a.currency, "cost")
    b.put("vrm:period", a.period.value if a.period else None)
    return b.data


def note(uid: str, text: str, about: str) -> dict[str, Any]:
    """A free note of mine about a record (``about``: that record's @id)."""
    return {"@type": "vrm:Note", "@id": uid, "about": {"@id": about}, "text": text}


#: how a person reads each record type
TYPE_LABELS: dict[str, str] = {
    "Organization": "Vendor",
    "Product": "Thing",
    "WarrantyPromise": "Warranty",
    "vrm:ProductRegistration": "Registration",
    "vrm:ServiceEvent": "Service",
    "vrm:SupportTicket": "Ticket",
    "Message": "Message",
    "vrm:Agreement": "Agreement",
    "vrm:Note": "Note",
}


def flatten(data: dict[str, Any], labels: dict[str, str]) -> list[tuple[str, str]]:
    """A record's fields as (key, text) pairs, exactly as in the manifest; references by name.

    Nested objects (the purchase ``Order``) give dotted keys (``vrm:purchase.price``); a
    reference ``{"@id": …}`` reads as the referenced record's label.
    """
    out: list[tuple[str, str]] = []

    def visit(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            if set(value) == {"@id"}:
                uid = str(value["@id"])
                out.append((prefix, "→ " + labels.get(uid, uid)))
                return
            for key in value:
                if key in ("@id", "@type") and prefix:
                    continue
                visit(f"{prefix}.{key}" if prefix else key, value[key])
        elif isinstance(value, list):
            if all(not isinstance(v, (dict, list)) for v in value):
                out.append((prefix, "; ".join(_text(v) for v in value)))
            else:
                for n, item in enumerate(value, 1):
                    visit(f"{prefix}[{n}]", item)
        else:
            out.append((prefix, _text(value)))

    for key, value in data.items():
        if key in ("@id", "@type"):
            continue
        visit(key, value)
    return out


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)

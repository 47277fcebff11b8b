"""A bundle's field keys and values in words, for the preview a person checks before sharing.

The manifest says ``contactPoint[1].contactType`` and ``vrm:status: in_use`` (schema.org and
vrm: names, exactly what a vendor's tools read); the preview shows ``Contact 1 — type`` and
``Status: in use``, with the key itself kept beside it (a tooltip) for whoever wants it.
"""

from __future__ import annotations

import re

#: a key's last part (without ``vrm:``) -> its words
NAMES: dict[str, str] = {
    "about": "about",
    "accountNumbers": "account numbers",
    "category": "category",
    "channel": "channel",
    "closedOn": "closed on",
    "contactPoint": "contact",
    "contactType": "type",
    "cost": "cost",
    "currency": "currency",
    "dataGiven": "data given",
    "dateSent": "date",
    "description": "description",
    "direction": "direction",
    "email": "e-mail",
    "headline": "subject",
    "howToClaim": "how to claim",
    "identifier": "reference",
    "location": "location",
    "manufacturer": "maker",
    "marketingConsent": "marketing allowed",
    "model": "model",
    "name": "name",
    "nextDue": "next due",
    "noticeDays": "notice period (days)",
    "openedOn": "opened on",
    "orderDate": "date",
    "orderNumber": "order number",
    "performedBy": "performed by",
    "performedOn": "performed on",
    "period": "period",
    "price": "price",
    "priceCurrency": "currency",
    "product": "thing",
    "provider": "provider",
    "purchase": "purchase",
    "registeredOn": "registered on",
    "registeredWith": "registered with",
    "renewsOn": "renews on",
    "seller": "seller",
    "serialNumber": "serial number",
    "startedOn": "started on",
    "state": "state",
    "status": "status",
    "telephone": "phone",
    "text": "text",
    "url": "web address",
    "validFrom": "valid from",
    "validThrough": "valid until",
    "value": "address",
    "vendor": "vendor",
    "warrantyScope": "coverage",
}
#: keys whose values are the vault's names for a choice (``in_use``, ``waiting_on_vendor``)
CHOICES = {"status", "state", "warrantyScope", "channel", "contactType", "period"}
DIRECTIONS = {"inbound": "from them", "outbound": "to them"}
_PART = re.compile(r"(?P<name>[^.\[\]]+)(?:\[(?P<n>\d+)\])?")


def _words(name: str) -> str:
    bare = name.removeprefix("vrm:")
    if bare in NAMES:
        return NAMES[bare]
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", bare).replace("_", " ")
    return spaced.lower()


def field_label(key: str) -> str:
    """``contactPoint[1].contactType`` -> ``Contact 1 — type``; ``vrm:status`` -> ``Status``."""
    parts = []
    for match in _PART.finditer(key):
        text = _words(match.group("name"))
        if match.group("n"):
            text += f" {match.group('n')}"
        parts.append(text)
    label = " — ".join(parts) or key
    return label[:1].upper() + label[1:]


def value_text(key: str, value: str) -> str:
    """``vrm:status``'s ``in_use`` -> ``in use``; a direction as the interface says it."""
    last = _PART.findall(key)[-1][0].removeprefix("vrm:") if key else ""
    if last == "direction":
        return DIRECTIONS.get(value, value)
    if last in CHOICES:
        return value.replace("_", " ")
    return value

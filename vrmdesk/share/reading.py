"""A verified bundle in words, for a person reading it (the viewer): the terms as sentences and
the records grouped by kind, each with a title and its fields labelled.

No Qt and no vault: the vendor's side reads a bundle with only this and ``verify``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from vrmshare.terms import PURPOSES, Terms
from vrmshare.text import printable

from vrmdesk.errors import ValidationError
from vrmdesk.share.field_words import field_label, value_text

#: a record's @type -> the group it is shown in (in this order; others after, by their name)
GROUPS: dict[str, str] = {
    "Organization": "Vendors",
    "Product": "Things",
    "WarrantyPromise": "Warranties",
    "Order": "Purchases",
    "vrm:SupportTicket": "Tickets",
    "Message": "Messages",
    "vrm:Agreement": "Agreements",
    "vrm:ProductRegistration": "Registrations",
    "vrm:ServiceEvent": "Service history",
    "vrm:Note": "Notes",
    "vrm:Correction": "Corrections",
}
_TITLE_KEYS = ("name", "headline", "identifier", "orderNumber", "text", "field")
_SKIP = {"@id", "@type"}


@dataclass
class RecordView:
    title: str
    uid: str
    kind: str
    fields: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class RecordGroup:
    name: str
    records: list[RecordView] = field(default_factory=list)


def terms_in_words(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """The bundle's purpose and terms as :meth:`Terms.describe` says them; a purpose this
    version does not know (a reply's) is shown as written."""
    terms = manifest.get("terms", {})
    purpose = str(manifest.get("purpose", ""))
    try:
        rows = Terms(
            purpose=purpose if purpose in PURPOSES else "other",
            purpose_note=str(manifest.get("purpose_note") or ""),
            allowed_use=str(terms.get("allowed_use")),
            marketing=bool(terms.get("marketing")),
            retention_days=terms.get("retention_days"),
            third_parties=bool(terms.get("third_parties")),
        ).describe()
    except ValidationError:
        return [(k, printable(json.dumps(v))) for k, v in terms.items()]
    if purpose not in PURPOSES:
        rows[0] = ("Purpose", "Reply" if purpose == "reply" else purpose.replace("_", " "))
    return [(label, printable(text)) for label, text in rows]


def _flat(key: str, value: Any, out: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        if set(value) == {"@id"}:
            out.append((key, str(value["@id"])))
            return
        for sub, inner in value.items():
            if sub not in _SKIP:  # a nested record's kind and id say nothing to a reader
                _flat(f"{key}.{sub}" if key else sub, inner, out)
    elif isinstance(value, list):
        for n, inner in enumerate(value, 1):
            _flat(f"{key}[{n}]", inner, out)
    elif isinstance(value, bool):
        out.append((key, "yes" if value else "no"))
    elif value is not None:
        out.append((key, str(value)))


def record_groups(records: list[dict[str, Any]]) -> list[RecordGroup]:
    """The records by kind, in the order of :data:`GROUPS`, each titled and labelled; a
    reference to another record of the bundle is shown by that record's title."""
    titles: dict[str, str] = {}
    for record in records:
        title = next((str(record[k]) for k in _TITLE_KEYS if record.get(k)), "")
        titles[str(record.get("@id", ""))] = printable(title[:120] or str(record.get("@type")))
    groups: dict[str, RecordGroup] = {}
    for record in records:
        kind = str(record.get("@type", ""))
        name = GROUPS.get(kind) or field_label(kind)
        group = groups.setdefault(name, RecordGroup(name))
        pairs: list[tuple[str, str]] = []
        for key, value in record.items():
            if key not in _SKIP:
                _flat(key, value, pairs)
        fields = [(field_label(k), printable(titles.get(v) or value_text(k, v))) for k, v in pairs]
        uid = str(record.get("@id", ""))
        group.records.append(RecordView(titles.get(uid, kind), uid, kind, fields))
    order = list(GROUPS.values())
    return sorted(
        groups.values(),
        key=lambda g: (order.index(g.name) if g.name in order else len(order), g.name),
    )

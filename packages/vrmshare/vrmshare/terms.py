"""The terms on which I give a vendor my data: purpose, allowed use, marketing, retention and
passing on.

They go into the manifest (``purpose``, ``purpose_note``, ``terms``) and, in words, to the top of
the readable page and the wizard's preview (:meth:`Terms.describe`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vrmshare.errors import ValidationError
from vrmshare.text import has_lone_surrogate

#: fields a person can leave out of what is shared (key -> what it is, for the wizard)
REDACTABLE: dict[str, str] = {
    "price": "Purchase price and currency of things",
    "cost": "Cost of services and agreements",
    "order_number": "Order numbers of purchases",
    "purchase_date": "When things were bought",
    "serial_number": "Serial numbers of things",
    "location": "Where things are (room, address)",
    "account_numbers": "My account and customer numbers with the vendor",
    "contact_details": "Contact people, e-mail addresses, phone numbers and channels I hold",
    "data_given": "What I told the vendor when registering a thing",
    "registration_ref": "Registration numbers",
    "case_reference": "The vendor's case numbers of tickets",
    "message_text": "The text of messages (their subjects stay)",
    "notes": "My free notes on things, tickets, warranties and agreements",
}

PURPOSES: dict[str, str] = {
    "warranty_claim": "Warranty claim",
    "support_case": "Support case",
    "registration": "Registration",
    "quote_request": "Quote request",
    "insurance_claim": "Insurance claim",
    "rights_request": "Data-rights request",
    "terms_proffer": "My terms (MyTerms agreement proffered)",
    "other": "Other",
}
#: the purposes a person picks for a share (a terms_proffer bundle is written by ``terms
#: proffer``, a rights_request one with its letter by ``request new``)
SHARE_PURPOSES: dict[str, str] = {
    k: v for k, v in PURPOSES.items() if k not in ("terms_proffer", "rights_request")
}
ALLOWED_USES: dict[str, str] = {
    "this_request_only": "Only to handle this request",
    "may_contact_about_it": "To handle this request; you may contact me about it",
}
DEFAULT_RETENTION_DAYS = 180
MAX_RETENTION_DAYS = 36500


@dataclass(frozen=True)
class Terms:
    purpose: str = "other"
    purpose_note: str = ""
    allowed_use: str = "this_request_only"
    marketing: bool = False
    retention_days: int = DEFAULT_RETENTION_DAYS
    third_parties: bool = False
    #: the MyTerms agreement in force with the vendor ({id, version, title, url}), if any
    agreement: dict[str, str] | None = None

    def __post_init__(self) -> None:
        if self.purpose not in PURPOSES:
            raise ValidationError(
                f"{self.purpose!r} is not a purpose (choose from {', '.join(PURPOSES)}).",
                field="purpose",
            )
        if self.allowed_use not in ALLOWED_USES:
            raise ValidationError(
                f"{self.allowed_use!r} is not an allowed use "
                f"(choose from {', '.join(ALLOWED_USES)}).",
                field="allowed_use",
            )
        if (
            isinstance(self.retention_days, bool)
            or not isinstance(self.retention_days, int)
            or not 0 <= self.retention_days <= MAX_RETENTION_DAYS
        ):
            raise ValidationError(
                f"The retention must be a whole number of days from 0 to {MAX_RETENTION_DAYS}.",
                field="retention_days",
            )
        if len(self.purpose_note) > 10000:
            raise ValidationError("The note on the purpose is too long.", field="purpose_note")
        if has_lone_surrogate(self.purpose_note):
            raise ValidationError(
                "The note on the purpose is not valid text (bytes that are not UTF-8?).",
                field="purpose_note",
            )

    def manifest_terms(self) -> dict[str, Any]:
        terms: dict[str, Any] = {
            "allowed_use": self.allowed_use,
            "marketing": self.marketing,
            "retention_days": self.retention_days,
            "third_parties": self.third_parties,
        }
        if self.agreement:
            terms["agreement"] = dict(self.agreement)
        return terms

    def to_json(self) -> dict[str, Any]:
        return {"purpose": self.purpose, "purpose_note": self.purpose_note, **self.manifest_terms()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Terms:
        return cls(
            purpose=str(data.get("purpose", "other")),
            purpose_note=str(data.get("purpose_note", "")),
            allowed_use=str(data.get("allowed_use", "this_request_only")),
            marketing=bool(data.get("marketing", False)),
            retention_days=int(data.get("retention_days", DEFAULT_RETENTION_DAYS)),
            third_parties=bool(data.get("third_parties", False)),
            agreement=_agreement_of(data.get("agreement")),
        )

    def describe(self) -> list[tuple[str, str]]:
        """The terms in words, in the order a vendor should read them."""
        days = self.retention_days
        keep = (
            "Delete it once this request is handled"
            if days == 0
            else (
                f"Delete it at the latest {days} day{'s' if days != 1 else ''} after receiving it"
            )
        )
        rows = [("Purpose", PURPOSES[self.purpose])]
        if self.purpose_note:
            rows.append(("About", self.purpose_note))
        rows += [
            ("Allowed use", ALLOWED_USES[self.allowed_use]),
            (
                "Marketing",
                "Allowed"
                if self.marketing
                else "Not allowed: do not use this for marketing or advertising",
            ),
            ("Retention", keep),
            (
                "Third parties",
                "May be passed on where needed for this request"
                if self.third_parties
                else "Not to be passed on to anyone else",
            ),
        ]
        if self.agreement:
            rows.append(("Agreement in force", agreement_words(self.agreement)))
        return rows


def agreement_words(agreement: dict[str, str]) -> str:
    """``SD-BASE version 1 (Service delivery only), accepted by you: https://…``"""
    return (
        f"{agreement.get('id', '?')} version {agreement.get('version', '?')} "
        f"({agreement.get('title', '')}), a MyTerms agreement you accepted; "
        f"it applies to this data too: {agreement.get('url', '')}"
    )


def _agreement_of(value: object) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    return {k: str(value[k]) for k in ("id", "version", "title", "url") if k in value}

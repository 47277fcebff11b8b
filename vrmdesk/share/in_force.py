"""The MyTerms agreement in force with a vendor, in a bundle's terms (``terms.agreement``).

Every bundle exported to a vendor that accepted an agreement I proffered carries it, whatever
the bundle's purpose: :func:`vrmdesk.share.export.prepare` and the share wizard's preview call
:func:`with_agreement`.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session
from vrmshare.roster import roster
from vrmshare.terms import Terms

from vrmdesk.store.services import myterms as service


def with_agreement(session: Session, vendor_id: int | None, terms: Terms) -> Terms:
    """``terms`` carrying the agreement in force with the vendor (or none, if none is)."""
    found = service.in_force(session, vendor_id) if vendor_id is not None else None
    entry = None
    if found is not None:
        known = roster().get(found.agreement_id)
        entry = {
            "id": found.agreement_id,
            "version": found.agreement_version,
            "title": found.agreement_title,
            "url": known.url if known is not None else "",
        }
    return terms if terms.agreement == entry else replace(terms, agreement=entry)

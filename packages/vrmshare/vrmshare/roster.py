"""The MyTerms roster (IEEE 7012-2025): the agreements a person may proffer, shipped as data.

One TOML file per agreement in ``roster/`` (``id``, ``version``, ``title``, ``source``, ``url``
and a plain-language ``summary`` of at most a page), read with tomllib. No vault and no
SQLAlchemy: the vendor's side (``vrmdesk share reply --offer-terms ID``) checks its answer
against the same roster. The records a proffer and an answer carry in a bundle are built here:

- ``vrm:TermsProffer`` (a customer's ``terms_proffer`` bundle): the agreement's id, version,
  title, url and the SHA-256 of the summary text the person saw;
- ``vrm:TermsAnswer`` (in a vendor's reply): ``accepted``, ``declined`` or
  ``alternative_offered`` with the alternative's id and version, about the proffer answered.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from vrmshare.errors import ValidationError

PROFFER_TYPE = "vrm:TermsProffer"
ANSWER_TYPE = "vrm:TermsAnswer"
#: what a vendor may answer, as the answer record says it
ANSWERS = ("accepted", "declined", "alternative_offered")
#: the agreements proposed when a vendor's offers exceed my contact policy, in this order
PROPOSED_FOR_CONTACT_POLICY = ("P2B1", "SD-BASE")
MAX_SUMMARY_CHARS = 4000  # "at most a page"


@dataclass(frozen=True)
class Agreement:
    id: str
    version: str
    title: str
    source: str
    url: str
    summary: str

    @property
    def summary_sha256(self) -> str:
        return hashlib.sha256(self.summary.encode("utf-8")).hexdigest()

    @property
    def label(self) -> str:
        """``SD-BASE (Service delivery only)``: how the program names it in a sentence."""
        return f"{self.id} ({self.title})"

    def terms_entry(self) -> dict[str, str]:
        """What a bundle's ``terms.agreement`` holds while this agreement is in force."""
        return {"id": self.id, "version": self.version, "title": self.title, "url": self.url}

    def proffer_record(self, uid: str) -> dict[str, Any]:
        return {
            "@type": PROFFER_TYPE,
            "@id": uid,
            "identifier": self.id,
            "version": self.version,
            "name": self.title,
            "url": self.url,
            "vrm:summarySha256": self.summary_sha256,
        }

    def to_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "summary": self.summary,
            "summary_sha256": self.summary_sha256,
        }


def _reflow(text: str) -> str:
    """The summary as paragraphs (blank lines between), each a line of its own; a list item
    (``- …``) keeps its line. The file wraps its lines for reading; a window wraps them again."""
    paragraphs = []
    for block in text.strip().split("\n\n"):
        lines: list[str] = []
        for line in block.splitlines():
            line = line.strip()
            if lines and not line.startswith("- "):
                lines[-1] += " " + line
            else:
                lines.append(line)
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _agreement_from(data: dict[str, Any], name: str) -> Agreement:
    try:
        found = Agreement(
            id=str(data["id"]),
            version=str(data["version"]),
            title=str(data["title"]),
            source=str(data.get("source", "")),
            url=str(data["url"]),
            summary=_reflow(str(data["summary"])),
        )
    except KeyError as exc:
        raise ValueError(f"roster file {name}: no {exc.args[0]}") from None
    if len(found.summary) > MAX_SUMMARY_CHARS:
        raise ValueError(f"roster file {name}: the summary is longer than a page")
    return found


@cache
def roster() -> dict[str, Agreement]:
    """Every agreement shipped, by id, in the order of their files' names."""
    folder = resources.files("vrmshare") / "roster"
    found: dict[str, Agreement] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            agreement = _agreement_from(tomllib.loads(entry.read_text("utf-8")), entry.name)
            found[agreement.id] = agreement
    return found


def is_on_roster(agreement_id: object, version: object = None) -> bool:
    """True for an id of the roster (and, when given, its version)."""
    if not isinstance(agreement_id, str):
        return False
    found = roster().get(agreement_id)
    return found is not None and (version is None or version == found.version)


def agreement(agreement_id: str) -> Agreement:
    """The roster's agreement of that id (case-insensitive), or a ValidationError naming the
    ones there are."""
    wanted = agreement_id.strip().upper()
    for found in roster().values():
        if found.id.upper() == wanted:
            return found
    raise ValidationError(
        f"{agreement_id!r} is not an agreement on the MyTerms roster "
        f"(choose from {', '.join(roster())}).",
        field="agreement",
    )


def proffer_of(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The ``vrm:TermsProffer`` record of a bundle's records, if it has one."""
    for record in records:
        if record.get("@type") == PROFFER_TYPE:
            return record
    return None


def answer_record(
    proffer: dict[str, Any], answer: str, alternative: Agreement | None = None
) -> dict[str, Any]:
    """A vendor's answer to ``proffer`` (without its own @id, which the reply gives it)."""
    record: dict[str, Any] = {
        "@type": ANSWER_TYPE,
        "about": {"@id": proffer["@id"]},
        "vrm:answer": answer,
        "vrm:agreement": {"id": proffer.get("identifier"), "version": proffer.get("version")},
    }
    if alternative is not None:
        record["vrm:alternative"] = {"id": alternative.id, "version": alternative.version}
    return record

"""The interface's one vocabulary, where the vault's names are not what a person says.

The vault says ``inbound``/``outbound`` and ``asset``; every string a person reads says "From
them"/"To them" (what the vendor sent me, what I sent the vendor: a mail, a call, a visit alike)
and "thing". Pages, lists, filters, charts and editors take their words from here.
"""

from __future__ import annotations

#: a direction of the vault -> how the interface says it
DIRECTION: dict[str, str] = {"inbound": "From them", "outbound": "To them"}

#: a kind of record -> how the interface calls one
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


def direction(inbound: bool) -> str:
    """``From them`` for what the vendor sent, ``To them`` for what I sent."""
    return DIRECTION["inbound" if inbound else "outbound"]


def noun(kind: str) -> str:
    """``asset`` -> ``thing``; a kind without a word of its own: its name with spaces."""
    return NOUNS.get(kind, kind.replace("_", " "))

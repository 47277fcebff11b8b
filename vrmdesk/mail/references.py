"""Case references in subjects: a vendor's own pattern, or the forms vendors usually write.

A pattern is a regular expression; its first group (or the whole match) is the reference. A
reference is compared with a ticket's without case, spaces or punctuation, so ``SR 1-234567``
in a subject finds the ticket whose reference is ``1-234567`` or ``SR 1-234567``.
"""

from __future__ import annotations

import re

from vrmdesk.store.services import rules

DEFAULT_PATTERNS = (
    r"\bCase\s*(?:#|No\.?|Number|ID)?\s*:?\s*#?\s*(\d[\w-]{2,})",
    r"\[\s*(?:Ticket|Case|Request)\s*(?:#|ID)?\s*:?\s*#?\s*([\w-]{3,})\s*\]",
    r"\bSR\s*#?\s*(\d[\d-]{3,})",
    r"\bTicket\s*(?:#|No\.?|ID)\s*:?\s*([\w-]{3,})",
)


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A vendor's pattern, or a ValidationError that says what is wrong with it (the store's
    rule, so the record editor and mail capture refuse the same patterns)."""
    return rules.case_reference_pattern(pattern)


def references_in(subject: str, pattern: str = "") -> list[tuple[str, str]]:
    """The (reference, whole match) pairs in ``subject``, in order."""
    patterns = [pattern] if pattern.strip() else list(DEFAULT_PATTERNS)
    found: list[tuple[str, str]] = []
    for text in patterns:
        for match in compile_pattern(text).finditer(subject):
            reference = match.group(1) if match.groups() and match.group(1) else match.group(0)
            found.append((reference.strip(), match.group(0).strip()))
    return found


def key(reference: str) -> str:
    """A reference compared: letters and digits only, without case."""
    return re.sub(r"[\W_]+", "", reference).lower()

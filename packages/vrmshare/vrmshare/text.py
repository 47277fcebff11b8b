"""Printing text that came from outside (a bundle, a reply, a name typed into a vault): harmlessly.

Whatever a sender put in its name, a recipient, a purpose note or a message reaches a terminal
only through :func:`printable`: C0 and C1 control characters (ESC, CR, LF, the one-byte CSI
U+009B, NEL U+0085 …), DEL, Unicode format characters (the bidi overrides and isolates
U+202A–U+202E and U+2066–U+2069, marks, zero-width characters), the line and paragraph
separators U+2028/U+2029 and lone surrogates are shown as ``\\xNN`` / ``\\uNNNN`` escapes, so
no text can move the cursor, recolour the screen, reorder what follows or start a line of its
own (a fake "Fingerprint:" line). Everything else, any script, stays as it is.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from typing import Any

# categories a terminal or a bidi algorithm acts on: control, format, line/paragraph separator,
# surrogate; checked per character beyond the ranges below (cheap for the common case)
_ACTED_ON = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_SUSPECT = re.compile(r"[^\x20-\x7e\xa0-\xac\xae-\u05ff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(text: str) -> bool:
    """True for a str that is not Unicode text: a ``"\\ud800"`` JSON escape, or bytes that were
    not UTF-8 decoded with ``surrogateescape`` (how Python reads command-line arguments)."""
    return _SURROGATE.search(text) is not None


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _replace(match: re.Match[str]) -> str:
    ch = match.group()
    return _escape(ch) if unicodedata.category(ch) in _ACTED_ON else ch


def printable(text: object) -> str:
    """``text`` (``str()`` of it) on one line, with every character a terminal acts on escaped."""
    return _SUSPECT.sub(_replace, str(text))


def _json_escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch == "\n" or unicodedata.category(ch) not in _ACTED_ON:
        return ch  # a newline here is json.dumps's indentation: it escapes those in strings
    code = ord(ch)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def printable_json(value: Any) -> str:
    """``value`` as indented JSON (non-ASCII kept readable), with the same characters escaped.

    Those characters can only stand inside JSON strings here, where ``\\uNNNN`` is the same
    value, so the output parses to exactly ``value``.
    """
    return _SUSPECT.sub(_json_escape, json.dumps(value, indent=2, ensure_ascii=False))


def tolerant_output() -> None:
    """A name the terminal's encoding cannot show is written escaped, not a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")

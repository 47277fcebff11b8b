"""Addresses a person follows: e-mail (mailto:), telephone (tel:) and web (http, https) links.

``email_url``, ``phone_url`` and ``web_url`` turn what a record holds into a URL, or None when
the text is not one of its kind (nothing here validates an editor's input; it only refuses to
make a link of what would not be one: a web address is only ever http or https, never
``javascript:`` or ``file:``). ``open_url`` hands the URL to the desktop (the mail program, the
dialler, the browser) through ``QDesktopServices``.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{3,}$")
_HOST = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:[0-9]+)?([/?#].*)?$")


def email_url(text: str) -> QUrl | None:
    address = text.strip()
    if not _EMAIL.match(address):
        return None
    url = QUrl()
    url.setScheme("mailto")
    url.setPath(address)
    return url


def phone_url(text: str) -> QUrl | None:
    number = text.strip()
    if not _PHONE.match(number) or sum(c.isdigit() for c in number) < 3:
        return None
    if number.startswith("+"):  # "+49 (0)30 …": the trunk 0 is not dialled from abroad
        number = number.replace("(0)", "")
    digits = ("+" if number.startswith("+") else "") + re.sub(r"[^0-9]", "", number)
    return QUrl(f"tel:{digits}")


def web_url(text: str) -> QUrl | None:
    address = text.strip()
    if not address or any(c.isspace() for c in address):
        return None
    if "://" not in address:  # "example.com/support": a web address without its scheme
        if not _HOST.match(address):
            return None
        address = f"https://{address}"
    url = QUrl(address, QUrl.ParsingMode.StrictMode)
    if not url.isValid() or url.scheme().lower() not in ("http", "https") or not url.host():
        return None
    return url


def open_url(url: QUrl) -> bool:
    """The desktop's program for this link (tests replace this)."""
    return QDesktopServices.openUrl(url)

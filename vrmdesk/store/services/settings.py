"""Vault-wide settings, kept inside the encrypted vault (the ``vault_meta`` table): they travel
with the vault to every device that opens it.

- ``sender_name``: my name as a vendor sees it on a share bundle (no made-up default: unset
  until I give it);
- ``default_currency``: the currency an amount starts in where one is entered.

Settings of one device (the keyring, the backup folder and schedule, how far reminders look)
are the desktop application's preferences, not here.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session
from vrmshare.text import has_lone_surrogate

from vrmdesk.errors import ValidationError
from vrmdesk.store import models as m

SENDER_NAME_KEY = "sender_name"
DEFAULT_CURRENCY_KEY = "default_currency"
MAX_NAME = 200
FALLBACK_CURRENCY = "EUR"
_CODE = re.compile(r"^[A-Z]{3}$")


def _get(session: Session, key: str) -> str:
    meta = session.get(m.Meta, key)
    return meta.value.strip() if meta is not None else ""


def _put(session: Session, key: str, value: str) -> None:
    meta = session.get(m.Meta, key)
    if meta is None:
        session.add(m.Meta(key=key, value=value))
    else:
        meta.value = value
    session.flush()


# -- my name as sender --------------------------------------------------------------------------
def sender_name(session: Session) -> str:
    """The name I gave as sender of share bundles, or "" while none is given."""
    return _get(session, SENDER_NAME_KEY)


def check_sender_name(name: str) -> str:
    """The name as it would be kept (trimmed), or ValidationError (field ``sender_name``)."""
    name = name.strip()
    if not name:
        raise ValidationError(
            "Give your name as the vendor should see it (it cannot be empty).",
            field="sender_name",
        )
    if has_lone_surrogate(name) or any(ord(ch) < 32 for ch in name):
        raise ValidationError(
            "The sender name is not valid text (control characters, or bytes that are not UTF-8?).",
            field="sender_name",
        )
    if len(name) > MAX_NAME:
        raise ValidationError(
            f"The sender name is too long (at most {MAX_NAME} characters).", field="sender_name"
        )
    return name


def set_sender_name(session: Session, name: str) -> str:
    name = check_sender_name(name)
    _put(session, SENDER_NAME_KEY, name)
    return name


# -- the default currency ---------------------------------------------------------------------
def default_currency(session: Session) -> str:
    """The currency a new amount starts in (EUR until another is chosen)."""
    return _get(session, DEFAULT_CURRENCY_KEY) or FALLBACK_CURRENCY


def check_currency(code: str) -> str:
    code = code.strip().upper()
    if not _CODE.match(code):
        raise ValidationError(
            f"{code or 'An empty code'!s} is not a currency code: give three letters "
            "(EUR, USD, GBP …).",
            field="default_currency",
        )
    return code


def set_default_currency(session: Session, code: str) -> str:
    code = check_currency(code)
    _put(session, DEFAULT_CURRENCY_KEY, code)
    return code


def vault_settings(session: Session) -> dict[str, str]:
    """Every vault-wide setting, for the settings dialog."""
    return {"sender_name": sender_name(session), "default_currency": default_currency(session)}


def save_vault_settings(
    session: Session, *, sender_name: str | None, default_currency: str
) -> None:
    """Keep both or neither: each is checked before either is written. ``sender_name`` None
    leaves the name as it is (none given yet, and none given now)."""
    name = None if sender_name is None else check_sender_name(sender_name)
    code = check_currency(default_currency)
    if name is not None:
        _put(session, SENDER_NAME_KEY, name)
    _put(session, DEFAULT_CURRENCY_KEY, code)

"""IMAP accounts: added, listed and removed; their passwords in the vault or the OS keyring.

The password of an account lives in the vault (which is encrypted, so it is never in a plain
file), or, when the person chooses, in the OS keyring under a name tied to this vault and
account. An account's user name that is an e-mail address becomes one of my own addresses, so
its mail sorts into inbound and outbound from the start.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vrmdesk.errors import NotFound, ValidationError, VrmError
from vrmdesk.mail import addresses
from vrmdesk.store import keystore
from vrmdesk.store import models as m

IMAPS_PORT, IMAP_PORT = 993, 143
DEFAULT_FOLDERS = ("INBOX",)
VAULT_ID_KEY = "vault_id"  # the Meta row that names the vault (store/vault.py)


class MailAccountError(VrmError):
    """An account cannot be used as it is (its password is missing from the keyring …)."""


@dataclass(frozen=True)
class Settings:
    """What a connection needs, read out of the account (no ORM object crosses threads)."""

    account_id: int
    host: str
    port: int
    user: str
    password: str
    folders: tuple[str, ...]
    starttls: bool = False
    trusted_fingerprint: str = ""

    @property
    def label(self) -> str:
        return f"{self.user}@{self.host}"


@dataclass(frozen=True)
class AccountRow:
    """An account as listed: everything but the password."""

    id: int
    host: str
    port: int
    user: str
    folders: list[str]
    starttls: bool
    trusted_fingerprint: str
    use_keyring: bool
    #: folder -> the last UID fetched from it
    fetched: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "folders": self.folders,
            "security": "starttls" if self.starttls else "tls",
            "trusted_fingerprint": self.trusted_fingerprint or None,
            "password_in": "keyring" if self.use_keyring else "vault",
            "last_uid": self.fetched,
        }


# -- fingerprints --------------------------------------------------------------------------------
def normalise_fingerprint(text: str) -> str:
    """A SHA-256 fingerprint as 64 lower-case hex digits (colons, spaces, case as one likes)."""
    digits = re.sub(r"[\s:]", "", text).lower().removeprefix("sha256:")
    if not re.fullmatch(r"[0-9a-f]{64}", digits):
        raise ValidationError(
            f"{text!r} is not a SHA-256 fingerprint (64 hex digits, colons allowed).",
            field="trusted_fingerprint",
        )
    return digits


def format_fingerprint(digits: str) -> str:
    """``AB:CD:…``, the way browsers and ``openssl x509 -fingerprint`` show one."""
    return ":".join(digits[i : i + 2] for i in range(0, len(digits), 2)).upper()


# -- the records ---------------------------------------------------------------------------------
def _keyring_name(session: Session, account_id: int) -> str:
    meta = session.get(m.Meta, VAULT_ID_KEY)
    return f"mail:{meta.value if meta else 'vault'}:{account_id}"


def add_account(
    session: Session,
    *,
    host: str,
    user: str,
    password: str,
    port: int | None = None,
    folders: Iterable[str] = (),
    starttls: bool = False,
    trusted_fingerprint: str = "",
    use_keyring: bool = False,
) -> AccountRow:
    host, user = host.strip(), user.strip()
    if not host:
        raise ValidationError("Give the server's host name.", field="host")
    if not user:
        raise ValidationError("Give the user name.", field="user")
    if not password:
        raise ValidationError("Give the password.", field="password")
    port = port or (IMAP_PORT if starttls else IMAPS_PORT)
    if not 0 < port < 65536:
        raise ValidationError(f"{port} is not a port number (1-65535).", field="port")
    chosen = list(dict.fromkeys(f.strip() for f in folders if f.strip())) or list(DEFAULT_FOLDERS)
    fingerprint = normalise_fingerprint(trusted_fingerprint) if trusted_fingerprint else ""
    existing = session.scalar(
        select(m.MailAccount).where(m.MailAccount.host == host, m.MailAccount.user == user)
    )
    if existing is not None:
        raise ValidationError(
            f"There is an account for {user} at {host} already (number {existing.id}); "
            "remove it first to add it anew.",
            field="user",
        )
    account = m.MailAccount(
        host=host,
        port=port,
        user=user,
        folders=chosen,
        starttls=starttls,
        trusted_fingerprint=fingerprint,
        use_keyring=use_keyring,
        password="" if use_keyring else password,
    )
    session.add(account)
    session.flush()
    if use_keyring:
        # refused (no keyring here): the session rolls back and no account is left without one
        keystore.store_secret(
            _keyring_name(session, account.id), password, f"the password of {user} at {host}"
        )
    if "@" in user and not user.startswith("@") and not user.endswith("@"):
        addresses.set_own_addresses(session, [*addresses.own_addresses(session), user])
    return _row(session, account)


def _row(session: Session, account: m.MailAccount) -> AccountRow:
    states = session.scalars(
        select(m.MailFolderState).where(m.MailFolderState.account_id == account.id)
    )
    return AccountRow(
        id=account.id,
        host=account.host,
        port=account.port,
        user=account.user,
        folders=list(account.folders),
        starttls=account.starttls,
        trusted_fingerprint=account.trusted_fingerprint,
        use_keyring=account.use_keyring,
        fetched={s.folder: s.last_uid for s in states},
    )


def list_accounts(session: Session) -> list[AccountRow]:
    accounts = session.scalars(select(m.MailAccount).order_by(m.MailAccount.id))
    return [_row(session, a) for a in accounts]


def _get(session: Session, account_id: int) -> m.MailAccount:
    account = session.get(m.MailAccount, account_id)
    if account is None:
        raise NotFound(f"There is no mail account number {account_id}.", field="id")
    return account


def remove_account(session: Session, account_id: int) -> AccountRow:
    """The account and how far its folders were fetched; the mail fetched stays."""
    account = _get(session, account_id)
    row = _row(session, account)
    session.execute(delete(m.MailFolderState).where(m.MailFolderState.account_id == account_id))
    session.delete(account)
    session.flush()
    if row.use_keyring:
        keystore.forget_secret(_keyring_name(session, account_id))
    return row


def settings(session: Session, account_id: int) -> Settings:
    account = _get(session, account_id)
    password = account.password
    if account.use_keyring:
        password = keystore.recall_secret(_keyring_name(session, account.id)) or ""
        if not password:
            raise MailAccountError(
                f"The password of {account.user} at {account.host} is not in the keyring "
                "(it is locked, or was removed there); remove the account and add it again."
            )
    return Settings(
        account_id=account.id,
        host=account.host,
        port=account.port,
        user=account.user,
        password=password,
        folders=tuple(account.folders) or DEFAULT_FOLDERS,
        starttls=account.starttls,
        trusted_fingerprint=account.trusted_fingerprint,
    )


def all_settings(session: Session) -> list[Settings | MailAccountError]:
    """Every account's settings, or why one cannot be used, in the order they were added."""
    found: list[Settings | MailAccountError] = []
    for account_id in session.scalars(select(m.MailAccount.id).order_by(m.MailAccount.id)):
        try:
            found.append(settings(session, account_id))
        except MailAccountError as exc:
            found.append(exc)
    return found

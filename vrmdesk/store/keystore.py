""" "Remember on this device": the data key kept in the OS keyring (keyring library).

Where no usable backend exists (a headless server, a locked collection, keyring disabled),
:func:`availability` says so with the reason and storing raises :class:`KeyringUnavailable`;
nothing here ever crashes the caller.
"""

from __future__ import annotations

from contextlib import suppress

import keyring
from keyring.errors import KeyringError, NoKeyringError

from vrmdesk.errors import KeyringUnavailable

SERVICE = "vrmdesk"


def _username(vault_id: str) -> str:
    return f"vault:{vault_id}"


def _backend_problem() -> str | None:
    """None when a backend that really stores secrets is there; otherwise why not."""
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring configuration must not take the app down
        return f"the keyring could not be loaded ({exc})"
    name = type(backend).__module__ + "." + type(backend).__name__
    if name.startswith("keyring.backends.fail."):
        return "no keyring service was found on this system (such as GNOME Keyring or KWallet)"
    if name.startswith("keyring.backends.null."):
        return "the keyring is turned off on this system"
    try:
        backend.get_password(SERVICE, "availability-probe")
    except NoKeyringError:
        return "no keyring service was found on this system"
    except KeyringError as exc:
        return f"the keyring service did not answer ({exc or type(exc).__name__})"
    except Exception as exc:  # D-Bus errors and the like, from third-party backends
        return f"the keyring service did not answer ({exc or type(exc).__name__})"
    return None


def availability() -> tuple[bool, str]:
    """(True, backend name) or (False, the reason "remember on this device" cannot work)."""
    problem = _backend_problem()
    if problem:
        return False, problem[0].upper() + problem[1:] + "."
    backend = keyring.get_keyring()
    return True, getattr(backend, "name", type(backend).__name__)


def store(vault_id: str, data_key: bytes) -> None:
    problem = _backend_problem()
    if problem:
        raise KeyringUnavailable(f"Cannot remember the vault on this device: {problem}.")
    try:
        keyring.set_password(SERVICE, _username(vault_id), data_key.hex())
    except Exception as exc:
        raise KeyringUnavailable(
            f"Cannot remember the vault on this device: the keyring refused ({exc})."
        ) from None


def recall(vault_id: str) -> bytes | None:
    """The remembered data key, or None (nothing kept, or no usable keyring)."""
    try:
        value = keyring.get_password(SERVICE, _username(vault_id))
    except Exception:
        return None
    if not value:
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        return None


def forget(vault_id: str) -> None:
    with suppress(Exception):  # nothing kept, or no keyring: either way nothing is remembered
        keyring.delete_password(SERVICE, _username(vault_id))


# -- other secrets of a vault (a mail account's password) -------------------------------------
def store_secret(name: str, secret: str, what: str) -> None:
    """Keep ``secret`` in the OS keyring under ``name``; ``what`` names it in a refusal."""
    problem = _backend_problem()
    if problem:
        raise KeyringUnavailable(f"Cannot keep {what} in the keyring: {problem}.")
    try:
        keyring.set_password(SERVICE, name, secret)
    except Exception as exc:
        raise KeyringUnavailable(
            f"Cannot keep {what} in the keyring: it refused ({exc})."
        ) from None


def recall_secret(name: str) -> str | None:
    """The secret kept under ``name``, or None (nothing kept, or no usable keyring)."""
    try:
        return keyring.get_password(SERVICE, name) or None
    except Exception:
        return None


def forget_secret(name: str) -> None:
    with suppress(Exception):
        keyring.delete_password(SERVICE, name)

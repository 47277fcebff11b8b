"""What every command shares: the passphrase sources, opening the vault, argument types, output.

The passphrase comes from ``--passphrase-file FILE`` when given, else from the environment
variable ``VRMDESK_PASSPHRASE``, else from a prompt on the terminal; a data key remembered in
the OS keyring ("remember on this device") needs none of them.

The store is imported inside the functions that open a vault, so that commands which need none
(``--help``, the vendor's ``share verify``) start without loading SQLAlchemy.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from vrmshare.fileutil import read_regular
from vrmshare.text import printable

from vrmdesk.errors import ValidationError, VrmError

if TYPE_CHECKING:
    from vrmdesk.store.vault import Vault

#: a command: runs on the parsed arguments, returns the exit status
Command = Callable[[argparse.Namespace], int]
#: ``add(name, command, help)``: a command of the top level, its parser returned to add arguments
AddCommand = Callable[[str, Command, str], argparse.ArgumentParser]
#: what ``ArgumentParser.add_subparsers`` returns (generic only for the type checker)
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

PASSPHRASE_ENV = "VRMDESK_PASSPHRASE"
NEW_PASSPHRASE_ENV = "VRMDESK_NEW_PASSPHRASE"
SECRET_FILE_LIMIT = 64 * 1024


class CliError(VrmError):
    """A command refused: a one-line reason, exit status 1."""


# -- passphrases --------------------------------------------------------------------------------
def read_secret_file(path: str) -> str:
    """A passphrase (or recovery key) file: a small regular file, never a pipe or a device."""
    data = read_regular(Path(path).expanduser(), SECRET_FILE_LIMIT, CliError, "the passphrase file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CliError(f"The passphrase file {path} is not UTF-8 text.") from None
    return text.rstrip("\r\n")


def prompt(label: str, confirm: bool, *, sources: str | None = None) -> str:
    """Ask on the terminal; ``sources`` names the other ways to give it (for the refusal when
    there is no terminal)."""
    if not sys.stdin.isatty():
        other = sources or f"use --passphrase-file FILE or set {PASSPHRASE_ENV}"
        raise CliError(f"No {label[:1].lower()}{label[1:]}: {other} (no terminal to ask on).")
    first = getpass.getpass(f"{label}: ")
    if confirm and getpass.getpass(f"{label} (again): ") != first:
        raise CliError("The two passphrases differ.")
    return first


def passphrase(args: argparse.Namespace, *, confirm: bool = False) -> str:
    if getattr(args, "passphrase_file", None):
        return read_secret_file(args.passphrase_file)
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    return prompt("Passphrase", confirm)


def new_passphrase(args: argparse.Namespace) -> str:
    if getattr(args, "new_passphrase_file", None):
        return read_secret_file(args.new_passphrase_file)
    if os.environ.get(NEW_PASSPHRASE_ENV):
        return os.environ[NEW_PASSPHRASE_ENV]
    return prompt("New passphrase", confirm=True)


# -- argument types -----------------------------------------------------------------------------
def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (``--limit 0`` or ``-1`` is a usage error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def search_words(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("give some words to search for")
    return text


# -- opening ------------------------------------------------------------------------------------
def vault_dir(args: argparse.Namespace) -> Path:
    from vrmdesk.store.paths import default_vault_dir

    return Path(args.vault).expanduser().resolve() if args.vault else default_vault_dir()


def open_vault(args: argparse.Namespace, *, readonly: bool = False) -> Vault:
    """The vault named by ``--vault``: remembered on this device, else with the passphrase."""
    from vrmdesk.store.vault import Vault

    folder = vault_dir(args)
    remembered = Vault.open_remembered(folder, readonly=readonly)
    if remembered is not None:
        return remembered
    if not (folder / "vault.json").exists():
        return Vault.open(folder, "", readonly=readonly)  # raises the right "no vault" error
    return Vault.open(folder, passphrase(args), readonly=readonly)


def common_arguments(default: str | None) -> argparse.ArgumentParser:
    """--vault and --passphrase-file, accepted before or after the command.

    The top-level parser gets them with ``None``; each command's copy with ``SUPPRESS``, so a
    value given before the command is not overwritten by the copy's default.
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--vault", metavar="DIR", default=default, help="the vault folder (default: your vault)"
    )
    common.add_argument(
        "--passphrase-file",
        metavar="FILE",
        default=default,
        help=f"read the passphrase from FILE (else ${PASSPHRASE_ENV}, else a prompt)",
    )
    return common


# -- output -------------------------------------------------------------------------------------
def counted(n: int, one: str, many: str | None = None) -> str:
    """``1 ticket``, ``2 tickets``; ``many`` where the plural is not ``one`` + s."""
    return f"{n} {one if n == 1 else many or one + 's'}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [min(max(w, len(cell)), 60) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            (c if len(c) <= w else c[: w - 1] + "…").ljust(w)
            for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def show_recovery_key(recovery_key: str) -> None:
    print()
    print("Your recovery key (shown once; print it or write it down and keep it safe):")
    print()
    print(f"    {recovery_key}")
    print()
    print("It opens the vault if you forget the passphrase: vrmdesk passwd --recovery-key")


def fail(message: str) -> int:
    """The one-line reason; names and paths in it may hold terminal escapes, so they are shown."""
    print(f"vrmdesk: {printable(message)}", file=sys.stderr)
    return 1


def add_bundle_writing(p: argparse.ArgumentParser, sender_help: str) -> None:
    """The options of every command that writes a bundle to a vendor: encryption (to a given
    age recipient, or the one on the vendor's record), my name as sender, a fixed time."""
    encrypt = p.add_mutually_exclusive_group()
    encrypt.add_argument("--encrypt-to", metavar="AGE1…", help="encrypt to this age recipient")
    encrypt.add_argument(
        "--encrypt",
        action="store_true",
        help="encrypt to the age recipient kept on the vendor's record",
    )
    p.add_argument("--sender-name", metavar="NAME", help=sender_help)
    p.add_argument("--created", metavar="TIME", help=argparse.SUPPRESS)  # reproducible builds


def encryption_recipient(args: argparse.Namespace, vendor_name: str, on_record: str) -> str | None:
    """The age recipient a bundle is encrypted to (``add_bundle_writing``'s options): the one
    given, the one on the vendor's record with ``--encrypt`` (refused if it has none), or none."""
    if not args.encrypt:
        return str(args.encrypt_to) if args.encrypt_to else None
    if not on_record:
        raise ValidationError(
            f"{vendor_name} has no age recipient on record; give one with "
            "--encrypt-to age1… or add it in the vendor's editor."
        )
    return on_record

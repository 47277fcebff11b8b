"""The command line: ``vrmdesk COMMAND …`` on a vault, and the vendor's ``vrmdesk share …``.

    common.py     passphrase sources, opening the vault, argument types, one-line output
    vault.py      init, demo, info, backup, restore, passwd, remember, check
    records.py    list, search
    share.py      share export / verify / open / keygen / reply / import / identity
    interchange.py  import csv, export csv (other programs' formats)
    mail.py       import mail, mail unsorted / assign / dismiss / me
    reports.py    report inventory (the insurer's pack)
    requests.py   request new / list / extend / answered / reminder / complaint
    terms.py      terms roster / proffer / list / withdraw / propose (MyTerms, IEEE 7012)
    desktop.py    install-desktop (the menu entry, icons, the .vrmshare type; vrmdesk/desktop)
    rfq.py        rfq new / list / show / accept / withdraw / letters (requests for quotes)
    sync.py       sync init / code / pair / now / status / devices / rename / revoke /
                  conflicts / resolve (several devices of one household, docs/sync.md)

Exit status: 0 success, 1 a failure with a one-line reason on standard error, 2 a usage error.
The command line never imports Qt: the desktop application is started by the ``vrmdesk``
program (``vrmdesk/__main__.py``), which hands :func:`main` a ``gui`` to call when no command
is given. A new command goes in the module of its group, with its ``add_parsers``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from vrmshare.fileutil import is_disk_full, storage_error
from vrmshare.text import tolerant_output

from vrmdesk import __version__
from vrmdesk.cli import (
    desktop,
    interchange,
    mail,
    records,
    reports,
    requests,
    rfq,
    share,
    sync,
    terms,
    vault,
)
from vrmdesk.cli.common import (
    NEW_PASSPHRASE_ENV,
    PASSPHRASE_ENV,
    Command,
    common_arguments,
    fail,
    vault_dir,
)
from vrmdesk.errors import VrmError

__all__ = ["NEW_PASSPHRASE_ENV", "PASSPHRASE_ENV", "build_parser", "main"]

#: starts the desktop application on a vault folder (None: the last or the default one),
#: opening a share bundle given as ``vrmdesk FILE.vrmshare`` (a double-click) if not None; with
#: True, in the tray, locked, until the person clicks it (the autostart entry's ``--tray``)
Gui = Callable[[Path | None, Path | None, bool], int]
BUNDLE_SUFFIXES = (".vrmshare", ".vrmshare.age")


def bundle_argument(argv: Sequence[str], commands: Sequence[str]) -> Path | None:
    """The bundle of ``vrmdesk [OPTIONS] FILE.vrmshare``: the last argument, an existing file
    named like a bundle, with no command before it (``vrmdesk share verify F`` is a command)."""
    if not argv or any(arg in commands for arg in argv[:-1]):
        return None
    last = argv[-1]
    if last.startswith("-") or not last.lower().endswith(BUNDLE_SUFFIXES):
        return None
    path = Path(last).expanduser()
    return path if path.is_file() else None


def build_parser() -> argparse.ArgumentParser:
    # A subcommand's copy must not overwrite what was given before the command.
    common = common_arguments(argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="vrmdesk",
        parents=[common_arguments(None)],
        description="Your side of every vendor relationship, encrypted on your own machine. "
        "Without a command, opens the desktop application.",
    )
    parser.add_argument("--version", action="version", version=f"vrmdesk {__version__}")
    parser.add_argument(
        "--tray",
        action="store_true",
        help="start the desktop application in the tray, locked, and unlock when its icon is "
        "clicked (as at login, with Settings' “Start at login in the tray”)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, func: Command, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(func=func)
        return p

    vault.add_parsers(add)
    records.add_parsers(add)
    desktop.add_parsers(add)
    share.add_parsers(sub, common)
    interchange.add_parsers(sub, common)
    mail.add_parsers(sub, common)
    reports.add_parsers(sub, common)
    requests.add_parsers(sub, common)
    terms.add_parsers(sub, common)
    rfq.add_parsers(sub, common)
    sync.add_parsers(sub, common)
    return parser


def main(argv: Sequence[str] | None = None, gui: Gui | None = None) -> int:
    """Run one command (or ``gui`` when none is given); the exit status."""
    tolerant_output()
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = next(a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    bundle = bundle_argument(argv, list(commands))
    args = parser.parse_args(argv[:-1] if bundle is not None else argv)
    func: Command | None = getattr(args, "func", None)
    try:
        if func is None:
            if gui is None:
                parser.error("give a command (the desktop application is started by `vrmdesk`)")
            return gui(vault_dir(args) if args.vault else None, bundle, args.tray)
        return func(args)
    except VrmError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        print("vrmdesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `vrmdesk … | head`: the reader went away; that is fine
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # the last line of defence: never a traceback
        if is_disk_full(exc):
            return fail(
                "The disk is full: the command could not finish. Free some space and try again."
            )
        if isinstance(exc, OSError):
            what = f"the command on {exc.filename}" if exc.filename else "the command"
            return fail(str(storage_error(exc, what)))
        from vrmdesk import crashlog  # logging and platformdirs only when a bug is to be told

        where = f"vrmdesk {args.command or 'gui'}"
        return fail(crashlog.one_line(exc, crashlog.record(exc, where)))

"""``vrmdesk import mail …`` and ``vrmdesk mail …``: e-mail onto the vendors' timelines.

    vrmdesk import mail PATH… [--vendor NAME] [--json]     (.eml files, mbox files, Maildir)
    vrmdesk mail unsorted [--json]
    vrmdesk mail assign ID --vendor NAME [--learn-domain]
    vrmdesk mail dismiss ID
    vrmdesk mail me [ADDRESS…]                             (my own addresses: shown, or set)
    vrmdesk mail account add --host H [--port P] --user U [--folder NAME]… [--starttls]
                             [--trust-fingerprint SHA256] [--keyring] [--no-check]
    vrmdesk mail account list [--json]
    vrmdesk mail account remove ID
    vrmdesk mail fetch [--json]                            (every account, read only)

An account's password comes from ``VRMDESK_MAIL_PASSWORD``, else from a prompt; it is kept in
the (encrypted) vault, or with ``--keyring`` in the OS keyring. ``account add`` logs in first
(unless ``--no-check``), so an untrusted certificate (its fingerprint shown) or a wrong password
is told before anything is stored.

``--json`` prints ``{"imported": N, "offers": N, "unsorted": N, "duplicates": N, "problems":
[{"source", "reason"}]}``. An import exits 0 when every message was read (stored now or
before), 1 when some were refused (listed; the others are stored).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from vrmshare.text import printable

from vrmdesk.cli.common import CliError, Subparsers, counted, open_vault, positive_int, table

MAIL_PASSWORD_ENV = "VRMDESK_MAIL_PASSWORD"


def cmd_import_mail(args: argparse.Namespace) -> int:
    from vrmdesk.mail import capture, sources
    from vrmdesk.store.services import records

    paths = [Path(p).expanduser() for p in args.paths]
    for path in paths:
        if not path.exists():
            raise CliError(f"{path} does not exist.")
    outcome = capture.Outcome()
    with open_vault(args) as vault:
        vendor_id = None
        if args.vendor:
            with vault.session() as session:
                vendor_id = records.find_vendor(session, args.vendor).id
        try:
            incoming, outgoing = sources.by_direction(paths)
        except sources.MailSourceError as exc:
            raise CliError(str(exc)) from None
        for group, outbound in ((incoming, False), (outgoing, True)):
            capture.import_messages(
                vault,
                (message for path in group for message in sources.messages_of(path)),
                vendor_id=vendor_id,
                outbound=outbound,
                outcome=outcome,
            )
    if args.json:
        print(json.dumps(outcome.to_json(), indent=2, ensure_ascii=False))
        return 1 if outcome.problems else 0
    for problem in outcome.problems:
        print(printable(str(problem)))
    print(f"Imported mail: {outcome.summary()}.")
    if outcome.unsorted:
        print("See the messages no vendor was found for with `vrmdesk mail unsorted`.")
    if outcome.problems:
        raise CliError(f"{counted(len(outcome.problems), 'message')} refused (listed above).")
    return 0


def cmd_unsorted(args: argparse.Namespace) -> int:
    from vrmdesk.mail import sorting

    with open_vault(args, readonly=True) as vault, vault.session() as session:
        rows = sorting.unsorted(session)
    return _print_rows(
        args,
        rows,
        "No unsorted mail.",
        ["id", "date", "", "correspondent", "subject"],
        lambda r: [
            str(r.id),
            f"{r.occurred_at:%Y-%m-%d}",
            "→" if r.direction == "outbound" else "←",
            printable(r.correspondent),
            printable(r.subject) + (" (bulk)" if r.bulk else ""),
        ],
    )


def _print_rows(
    args: argparse.Namespace,
    rows: Sequence[Any],
    empty: str,
    headers: list[str],
    cells: Callable[[Any], list[str]],
) -> int:
    """Rows as JSON (``--json``: each row's ``to_json()``), or a table, or ``empty``."""
    if args.json:
        print(json.dumps([r.to_json() for r in rows], indent=2, ensure_ascii=False))
    elif not rows:
        print(empty)
    else:
        print(table(headers, [cells(r) for r in rows]))
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    from vrmdesk.mail import sorting
    from vrmdesk.store.services import records

    with open_vault(args) as vault, vault.session() as session:
        vendor = records.find_vendor(session, args.vendor)
        done = sorting.assign(session, args.id, vendor.id, learn_domain=args.learn_domain)
        name = vendor.name
    print(printable(f"Assigned to {name}."))
    if done.learnt:
        print(
            printable(f"Learnt {done.learnt} for {name}; ")
            + f"{counted(done.also_sorted, 'other message')} sorted with it."
        )
    return 0


def cmd_dismiss(args: argparse.Namespace) -> int:
    from vrmdesk.mail import sorting

    with open_vault(args) as vault, vault.session() as session:
        sorting.dismiss(session, vault.attachments, args.id)
    print("Dismissed.")
    return 0


def cmd_me(args: argparse.Namespace) -> int:
    from vrmdesk.mail import addresses

    with open_vault(args, readonly=not args.addresses) as vault, vault.session() as session:
        if args.addresses:
            chosen = addresses.set_own_addresses(session, args.addresses)
        else:
            chosen = addresses.own_addresses(session)
    for address in chosen:
        print(printable(address))
    if not chosen:
        print("No own addresses yet: give them with `vrmdesk mail me ADDRESS…`.")
    return 0


def _mail_password(host: str, user: str) -> str:
    if os.environ.get(MAIL_PASSWORD_ENV):
        return os.environ[MAIL_PASSWORD_ENV]
    if not sys.stdin.isatty():
        raise CliError(f"No mail password: set {MAIL_PASSWORD_ENV} (no terminal to ask on).")
    return getpass.getpass(f"Password of {user} at {host}: ")


def cmd_account_add(args: argparse.Namespace) -> int:
    from vrmdesk.mail import accounts, imap

    fingerprint = args.trust_fingerprint or ""
    if fingerprint:
        fingerprint = accounts.normalise_fingerprint(fingerprint)
    password = _mail_password(args.host, args.user)
    folders = args.folder or list(accounts.DEFAULT_FOLDERS)
    if not args.no_check:  # before anything is stored: a refusal leaves nothing behind
        port = args.port or (accounts.IMAP_PORT if args.starttls else accounts.IMAPS_PORT)
        trial = accounts.Settings(
            0, args.host, port, args.user, password, tuple(folders), args.starttls, fingerprint
        )
        missing = imap.check(trial)
        if missing:
            names = ", ".join(repr(f) for f in missing)
            raise CliError(printable(f"{args.user} at {args.host} has no folder {names}."))
    with open_vault(args) as vault, vault.session() as session:
        row = accounts.add_account(
            session,
            host=args.host,
            port=args.port,
            user=args.user,
            password=password,
            folders=folders,
            starttls=args.starttls,
            trusted_fingerprint=fingerprint,
            use_keyring=args.keyring,
        )
    where = "the OS keyring" if row.use_keyring else "the vault"
    print(printable(f"Added account {row.id}: {row.user} at {row.host}:{row.port}, "))
    print(printable(f"folders {', '.join(row.folders)}; the password is kept in {where}."))
    print("Fetch its mail with `vrmdesk mail fetch`.")
    return 0


def cmd_account_list(args: argparse.Namespace) -> int:
    from vrmdesk.mail import accounts

    with open_vault(args, readonly=True) as vault, vault.session() as session:
        rows = accounts.list_accounts(session)
    return _print_rows(
        args,
        rows,
        "No mail accounts: add one with `vrmdesk mail account add`.",
        ["id", "account", "security", "folders", "password in"],
        lambda r: [
            str(r.id),
            printable(f"{r.user} at {r.host}:{r.port}"),
            ("STARTTLS" if r.starttls else "TLS")
            + (" (trusted fingerprint)" if r.trusted_fingerprint else ""),
            printable(", ".join(r.folders)),
            "keyring" if r.use_keyring else "vault",
        ],
    )


def cmd_account_remove(args: argparse.Namespace) -> int:
    from vrmdesk.mail import accounts

    with open_vault(args) as vault, vault.session() as session:
        row = accounts.remove_account(session, args.id)
    print(printable(f"Removed the account {row.user} at {row.host}; the mail fetched stays."))
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    from vrmdesk.mail import accounts, imap

    with open_vault(args) as vault:
        with vault.session() as session:
            if not accounts.list_accounts(session):
                raise CliError("No mail accounts: add one with `vrmdesk mail account add`.")
        outcome = imap.fetch_all(vault)
    failed = [p for p in outcome.problems if isinstance(p, imap.AccountProblem)]
    if args.json:
        print(json.dumps(outcome.to_json(), indent=2, ensure_ascii=False))
        return 1 if outcome.problems else 0
    for problem in outcome.problems:
        if problem not in failed or len(failed) > 1:
            print(printable(str(problem)))
    print(f"Fetched mail: {outcome.summary()}.")
    if outcome.unsorted:
        print("See the messages no vendor was found for with `vrmdesk mail unsorted`.")
    if len(failed) == 1:
        raise CliError(failed[0].reason)
    if failed:
        raise CliError(f"{counted(len(failed), 'account')} could not be fetched (listed above).")
    if outcome.problems:
        raise CliError(f"{counted(len(outcome.problems), 'problem')} (listed above).")
    return 0


def add_import_parser(import_sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """``import mail``, in the ``import`` group of :mod:`vrmdesk.cli.interchange`."""
    p = import_sub.add_parser(
        "mail",
        parents=[common],
        help="import e-mail (.eml files, mbox files, Maildir folders)",
        description="Import e-mail onto the vendors' timelines: a message goes to the vendor "
        "whose e-mail channel (an address or a domain) is its correspondent, mailing-list "
        "mail to that vendor's offers, the rest to Unsorted. A Thunderbird folder is an mbox "
        "file (or give the whole Local Folders directory). Every message is stored once, "
        "however often it is imported.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--vendor", metavar="NAME", help="all of it is with this vendor (name or id)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import_mail)


def add_parsers(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """The ``mail`` group."""
    group = sub.add_parser(
        "mail",
        help="captured e-mail: IMAP accounts and fetching, the Unsorted list, my own addresses",
        description="Captured e-mail (import it with `vrmdesk import mail`).",
    )
    mail_sub = group.add_subparsers(dest="mail_command", metavar="COMMAND", required=True)
    p = mail_sub.add_parser(
        "unsorted",
        parents=[common],
        help="list the messages no vendor was found for",
        description="The messages whose correspondent matches no vendor's e-mail channel.",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_unsorted)
    p = mail_sub.add_parser(
        "assign",
        parents=[common],
        help="put an unsorted message on a vendor's timeline",
        description="Put an unsorted message on a vendor's timeline; with --learn-domain the "
        "sender's domain becomes an e-mail channel of the vendor and sorts the rest.",
    )
    p.add_argument("id", type=positive_int)
    p.add_argument("--vendor", required=True, metavar="NAME")
    p.add_argument("--learn-domain", action="store_true")
    p.set_defaults(func=cmd_assign)
    p = mail_sub.add_parser(
        "dismiss",
        parents=[common],
        help="take a message off the Unsorted list",
        description="Take a message off the Unsorted list for good (importing it again "
        "brings nothing back).",
    )
    p.add_argument("id", type=positive_int)
    p.set_defaults(func=cmd_dismiss)
    p = mail_sub.add_parser(
        "me",
        parents=[common],
        help="show or set my own e-mail addresses",
        description="My own addresses decide inbound or outbound; with ADDRESS… they are set.",
    )
    p.add_argument("addresses", nargs="*", metavar="ADDRESS")
    p.set_defaults(func=cmd_me)
    p = mail_sub.add_parser(
        "fetch",
        parents=[common],
        help="fetch new mail from every IMAP account (read only)",
        description="Fetch what is new in every account's folders. Nothing on the server is "
        "changed: folders are opened read only and no message is marked as read.",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_fetch)
    _add_account_parsers(mail_sub, common)


def _add_account_parsers(mail_sub: Subparsers, common: argparse.ArgumentParser) -> None:
    group = mail_sub.add_parser(
        "account",
        help="the IMAP accounts mail is fetched from",
        description="The IMAP accounts mail is fetched from (read only).",
    )
    account_sub = group.add_subparsers(dest="account_command", metavar="COMMAND", required=True)
    p = account_sub.add_parser(
        "add",
        parents=[common],
        help="add an IMAP account",
        description="Add an IMAP account. The password is read from $"
        f"{MAIL_PASSWORD_ENV}, else asked for; it is kept in the encrypted vault (or, with "
        "--keyring, in the OS keyring). It logs in once first, so a wrong password or an "
        "untrusted certificate is told at once (with the certificate's fingerprint).",
    )
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=positive_int, help="default 993 (143 with --starttls)")
    p.add_argument("--user", required=True)
    p.add_argument(
        "--folder",
        action="append",
        metavar="NAME",
        help="a folder to fetch (again for more; default INBOX); a folder named like Sent "
        "holds outbound mail",
    )
    p.add_argument("--starttls", action="store_true", help="plain IMAP upgraded with STARTTLS")
    p.add_argument(
        "--trust-fingerprint",
        metavar="SHA256",
        help="trust exactly the certificate with this SHA-256 fingerprint (a self-signed one)",
    )
    p.add_argument("--keyring", action="store_true", help="keep the password in the OS keyring")
    p.add_argument("--no-check", action="store_true", help="store it without logging in first")
    p.set_defaults(func=cmd_account_add)
    p = account_sub.add_parser(
        "list", parents=[common], help="list the accounts", description="The IMAP accounts."
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_account_list)
    p = account_sub.add_parser(
        "remove",
        parents=[common],
        help="remove an account (the mail fetched stays)",
        description="Remove an account and its password; the mail fetched from it stays.",
    )
    p.add_argument("id", type=positive_int)
    p.set_defaults(func=cmd_account_remove)

"""``vrmdesk import mail …`` and ``vrmdesk mail …``: e-mail onto the vendors' timelines.

    vrmdesk import mail PATH… [--vendor NAME] [--json]     (.eml files, mbox files, Maildir)
    vrmdesk mail unsorted [--json]
    vrmdesk mail assign ID --vendor NAME [--learn-domain]
    vrmdesk mail dismiss ID
    vrmdesk mail me [ADDRESS…]                             (my own addresses: shown, or set)

``--json`` prints ``{"imported": N, "offers": N, "unsorted": N, "duplicates": N, "problems":
[{"source", "reason"}]}``. An import exits 0 when every message was read (stored now or
before), 1 when some were refused (listed; the others are stored).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from vrmdesk.cli.common import CliError, Subparsers, counted, open_vault, positive_int, table
from vrmdesk.text import printable


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
        for path in paths:
            capture.import_messages(
                vault,
                sources.messages_of(path),
                vendor_id=vendor_id,
                outbound=sources.is_sent_folder(path),
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
    if args.json:
        print(json.dumps([r.to_json() for r in rows], indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("No unsorted mail.")
        return 0
    print(
        table(
            ["id", "date", "", "correspondent", "subject"],
            [
                [
                    str(r.id),
                    f"{r.occurred_at:%Y-%m-%d}",
                    "→" if r.direction == "outbound" else "←",
                    printable(r.correspondent),
                    printable(r.subject) + (" (bulk)" if r.bulk else ""),
                ]
                for r in rows
            ],
        )
    )
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
        help="captured e-mail: the Unsorted list, my own addresses",
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

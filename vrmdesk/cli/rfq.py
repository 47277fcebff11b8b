"""``vrmdesk rfq …``: requests for quotes to several vendors, and their quotes side by side.

    vrmdesk rfq new --vendor A --vendor B … --subject TEXT --text TEXT --out-dir DIR
                    [--budget AMOUNT --currency C] [--wanted-by DATE] [--constraint TEXT]…
                    [--thing ID]… [--with-files] [--retention-days N] [--encrypt-to-each]
                    [--sender-name NAME]          (one signed bundle per vendor; their paths)
    vrmdesk rfq list [--json]
    vrmdesk rfq show ID [--json]                  (quotes: price, validity, response, health)
    vrmdesk rfq accept ID --vendor NAME           (the decision on every vendor's timeline)
    vrmdesk rfq withdraw ID                       (no longer wanted: nothing can be accepted)
    vrmdesk rfq letters ID                        (the thank-you/declines drafted once decided)

The vendors answer with ``vrmdesk share reply --quote PRICE --currency C --valid-until DATE``;
``vrmdesk share import`` brings their quotes in.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vrmshare.text import printable

from vrmdesk.cli.common import CliError, Subparsers, open_vault, positive_int, table
from vrmdesk.cli.requests import iso_date

if TYPE_CHECKING:
    from vrmdesk.store.services.quotes import Letter


def cmd_new(args: argparse.Namespace) -> int:
    from vrmdesk.share.rfq import send_request
    from vrmdesk.store.services.quotes import DEFAULT_RETENTION_DAYS, RequestDraft

    out_dir = Path(args.out_dir).expanduser()
    if not out_dir.is_dir():
        raise CliError(f"{out_dir} is not a folder.")
    draft = RequestDraft(
        subject=args.subject,
        body=args.text or "",
        vendors=args.vendor or [],
        constraints=args.constraint or [],
        budget=args.budget,
        currency=args.currency,
        wanted_by=args.wanted_by,
        asset_ids=args.thing or [],
        retention_days=(
            args.retention_days if args.retention_days is not None else DEFAULT_RETENTION_DAYS
        ),
    )
    with open_vault(args) as vault:
        sent = send_request(
            vault,
            draft,
            out_dir,
            sender=args.sender_name,
            encrypt_to_each=args.encrypt_to_each,
            include_files=args.with_files,
        )
    for bundle in sent.bundles:
        print(f"{printable(bundle.vendor)}\t{printable(str(bundle.path))}")
    print(f"Quote request {sent.request_id} sent as {len(sent.bundles)} bundle(s).")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from vrmdesk.store.services import quotes

    with open_vault(args, readonly=True) as vault, vault.session() as session:
        rows = quotes.list_requests(session)
    if args.json:
        print(json.dumps([r.to_json() for r in rows], indent=2, ensure_ascii=False))
    elif not rows:
        print("No quote requests.")
    else:
        print(
            table(
                ["id", "subject", "state", "sent", "vendors", "quotes", "accepted"],
                [
                    [
                        str(r.id),
                        printable(r.subject),
                        r.state,
                        r.created.date().isoformat(),
                        str(r.vendors),
                        str(r.quotes),
                        printable(r.accepted),
                    ]
                    for r in rows
                ],
            )
        )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from vrmdesk.store.services import quotes

    with open_vault(args, readonly=True) as vault, vault.session() as session:
        view = quotes.show(session, args.id)
    if args.json:
        print(json.dumps(view.to_json(), indent=2, ensure_ascii=False))
        return 0
    print(printable(f"Quote request {view.id}: {view.subject} ({view.state})"))
    if view.budget:
        print(f"Budget: {view.budget}")
    if view.wanted_by:
        print(f"Wanted by: {view.wanted_by.isoformat()}")
    print("Sent to: " + printable(", ".join(r.vendor for r in view.recipients)))
    if not view.quotes:
        print("No quotes yet.")
        return 0
    print(
        table(
            ["vendor", "price", "valid until", "response", "health", ""],
            [
                [
                    printable(q.vendor),
                    q.price,
                    q.valid_until.isoformat() + (" (expired)" if q.expired else ""),
                    f"{q.response_days:g} d" if q.response_days is not None else "",
                    q.health.describe(),
                    "accepted" if q.accepted else "",
                ]
                for q in view.quotes
            ],
        )
    )
    return 0


def _print_letters(letters: Sequence[Letter]) -> None:
    for letter in letters:
        print(printable(f"\n--- To {letter.vendor}\nSubject: {letter.subject}\n\n{letter.body}"))


def cmd_accept(args: argparse.Namespace) -> int:
    from vrmdesk.store.services import quotes

    with open_vault(args) as vault, vault.session() as session:
        decision = quotes.accept(session, args.id, args.vendor)
    chosen = decision.accepted
    print(
        printable(
            f"Accepted the quote of {chosen.vendor} ({chosen.price}) for request {args.id}; "
            "the decision is on every vendor's timeline."
        )
    )
    if decision.letters:
        print("Drafted for the others (send them yourself):")
        _print_letters(decision.letters)
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    from vrmdesk.store.services import quotes

    with open_vault(args) as vault, vault.session() as session:
        quotes.withdraw(session, args.id)
    print(f"Quote request {args.id} withdrawn.")
    return 0


def cmd_letters(args: argparse.Namespace) -> int:
    from vrmdesk.store.services import quotes

    with open_vault(args, readonly=True) as vault, vault.session() as session:
        letters = quotes.letters(session, args.id)
    if not letters:
        print(f"Nothing drafted: request {args.id} is not decided, or went to one vendor only.")
        return 0
    _print_letters(letters)
    return 0


def add_parsers(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """The ``rfq`` group."""
    group = sub.add_parser(
        "rfq",
        help="requests for quotes: one request to several vendors, their quotes side by side",
        description="Requests for quotes (intentcasting): one signed request per vendor, "
        "their signed quotes compared, one accepted.",
    )
    rfq_sub = group.add_subparsers(dest="rfq_command", metavar="COMMAND", required=True)
    p = rfq_sub.add_parser(
        "new",
        parents=[common],
        help="write a request for quotes: one signed bundle per vendor",
        description="Write one signed bundle (purpose quote_request) per vendor into DIR, on "
        "the terms: for this request only, no marketing, deleted after N days.",
    )
    p.add_argument("--vendor", action="append", metavar="NAME", help="repeat for each vendor")
    p.add_argument("--subject", required=True, metavar="TEXT")
    p.add_argument("--text", metavar="TEXT", help="what you want, in your words")
    p.add_argument("--out-dir", required=True, metavar="DIR")
    p.add_argument("--budget", metavar="AMOUNT")
    p.add_argument("--currency", metavar="CODE", help="the budget's ISO 4217 currency")
    p.add_argument("--wanted-by", type=iso_date, metavar="DATE")
    p.add_argument("--constraint", action="append", metavar="TEXT", help="repeatable")
    p.add_argument("--thing", action="append", type=positive_int, metavar="ID", help="repeatable")
    p.add_argument("--with-files", action="store_true", help="include the things' files")
    p.add_argument("--retention-days", type=int, metavar="N", help="default 90")
    p.add_argument(
        "--encrypt-to-each", action="store_true", help="encrypt each to its vendor's age key"
    )
    p.add_argument("--sender-name", metavar="NAME")
    p.set_defaults(func=cmd_new)
    p = rfq_sub.add_parser("list", parents=[common], help="list the quote requests")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)
    p = rfq_sub.add_parser(
        "show", parents=[common], help="a request's quotes side by side (price, validity …)"
    )
    p.add_argument("id", type=positive_int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)
    p = rfq_sub.add_parser(
        "accept",
        parents=[common],
        help="accept a vendor's quote; the others get a drafted thank-you/decline",
    )
    p.add_argument("id", type=positive_int)
    p.add_argument("--vendor", required=True, metavar="NAME")
    p.set_defaults(func=cmd_accept)
    p = rfq_sub.add_parser(
        "withdraw", parents=[common], help="withdraw an open request (no quote can be accepted)"
    )
    p.add_argument("id", type=positive_int)
    p.set_defaults(func=cmd_withdraw)
    p = rfq_sub.add_parser(
        "letters", parents=[common], help="the thank-you/declines drafted for a decided request"
    )
    p.add_argument("id", type=positive_int)
    p.set_defaults(func=cmd_letters)

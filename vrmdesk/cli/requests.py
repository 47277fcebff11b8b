"""``vrmdesk request …``: data-rights requests to vendors (GDPR, UK GDPR, CCPA/CPRA).

    vrmdesk request new --vendor NAME --right RIGHT --law LAW [--sent DATE] [--received DATE]
                        [--letter-out FILE]      (FILE.pdf: a PDF for post; else the text)
                        [--corrections-out FILE.vrmshare]  (rectification: the corrected
                                                  records as a signed bundle the letter names)
    vrmdesk request list [--json]                (id, vendor, right, law, sent, due,
                                                  extended_due, state …)
    vrmdesk request extend ID [--on DATE]        (the vendor claimed more time)
    vrmdesk request answered ID [--on DATE]
    vrmdesk request reminder ID                  (drafted once the deadline passed unanswered)
    vrmdesk request complaint ID                 (to the supervisory authority, likewise)

``new`` drafts the letter, records it as sent (a ticket of kind "rights request" with the letter
on the vendor's timeline) and prints it, or writes it to ``--letter-out``. A vendor with no
known address: the letter says what is missing, nothing is recorded, exit status 1.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from vrmshare.text import printable

from vrmdesk.cli.common import CliError, Subparsers, counted, open_vault, positive_int, table

RIGHTS = ("access", "rectification", "erasure", "portability", "objection", "restriction")
LAWS = ("gdpr", "uk-gdpr", "ccpa")


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _write_letter(path: Path, letter_text: str) -> None:
    from vrmshare.fileutil import atomic_write_bytes

    from vrmdesk.store.services import rights

    if path.suffix.lower() == ".pdf":
        rights.letter_pdf(letter_text, path)
    else:  # whole or not at all, like every file vrmdesk writes
        atomic_write_bytes(path, (letter_text + "\n").encode("utf-8"))


def cmd_new(args: argparse.Namespace) -> int:
    from vrmdesk.share import corrections, export
    from vrmdesk.store.services import rights

    out = Path(args.letter_out).expanduser() if args.letter_out else None
    if out is not None and not out.parent.is_dir():
        raise CliError(f"{out.parent} is not a folder.")
    bundle = None
    if args.corrections_out:
        if args.right != "rectification":
            raise CliError("--corrections-out goes with --right rectification only.")
        bundle = export.bundle_path(Path(args.corrections_out).expanduser(), None)
    written = None
    with open_vault(args) as vault:
        with vault.session() as session:
            enclosure = (
                corrections.enclosure(session, args.law, bundle.name) if bundle is not None else ""
            )
            letter = rights.draft(
                session,
                args.vendor,
                args.right,
                args.law,
                sent=args.sent,
                received=args.received,
                enclosure=enclosure,
            )
        if letter.sendable:
            if bundle is not None:  # written first: a letter naming a file never written is worse
                written = corrections.write(vault, letter, bundle, sender=args.sender_name)
            with vault.session() as session:
                request = rights.record_sent(
                    session, letter, enclosed_bundle=written.bundle_id if written else ""
                )
                request_id, due = request.id, request.due_on
    if out is not None:
        _write_letter(out, letter.text)
    else:
        print(printable(letter.text))
    if not letter.sendable:
        raise CliError(
            f"Nothing was recorded as sent: {letter.vendor} has no known address "
            "(add its e-mail or postal address first)."
        )
    if written is not None:
        print(
            f"Wrote the corrected records to {written.path}: {counted(written.records, 'record')}, "
            f"signed (bundle id {written.bundle_id})."
        )
    where = f" (letter written to {out})" if out is not None else ""
    print(f"Recorded rights request {request_id}, due {due.isoformat()}{where}.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from vrmdesk.store.services import rights

    with open_vault(args, readonly=True) as vault, vault.session() as session:
        rows = rights.list_requests(session)
    if args.json:
        print(json.dumps([r.to_json() for r in rows], indent=2, ensure_ascii=False))
    elif not rows:
        print("No rights requests.")
    else:
        print(
            table(
                ["id", "vendor", "right", "law", "sent", "due", "extended", "state"],
                [
                    [
                        str(r.id),
                        printable(r.vendor),
                        r.right,
                        r.law,
                        r.sent.isoformat(),
                        r.due.isoformat(),
                        r.extended_due.isoformat() if r.extended_due else "",
                        r.state,
                    ]
                    for r in rows
                ],
            )
        )
    return 0


def cmd_extend(args: argparse.Namespace) -> int:
    from vrmdesk.store.services import rights

    with open_vault(args) as vault, vault.session() as session:
        request = rights.extend(session, args.id, on=args.on)
        due = request.extended_due_on
    print(f"Rights request {args.id} extended: due {due.isoformat() if due else '?'}.")
    return 0


def cmd_answered(args: argparse.Namespace) -> int:
    from vrmdesk.store.services import rights

    with open_vault(args) as vault, vault.session() as session:
        rights.answered(session, args.id, on=args.on)
    print(f"Rights request {args.id} answered.")
    return 0


def cmd_draft(args: argparse.Namespace) -> int:
    from vrmdesk.store.services import rights

    with open_vault(args, readonly=True) as vault, vault.session() as session:
        subject, body = rights.follow_up_letter(session, args.id, args.part)
    print(printable(f"Subject: {subject}\n\n{body}"))
    return 0


def add_parsers(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """The ``request`` group."""
    group = sub.add_parser(
        "request",
        help="data-rights requests to vendors: access, erasure … under GDPR, UK GDPR, CCPA",
        description="Data-rights requests: the letter, its legal deadline, and what follows.",
    )
    request_sub = group.add_subparsers(dest="request_command", metavar="COMMAND", required=True)
    p = request_sub.add_parser(
        "new",
        parents=[common],
        help="write a data-rights letter to a vendor and record it as sent",
        description="Write the letter (the details the vendor holds about you, from your "
        "accounts and registrations with it) and record it as sent, with its legal deadline.",
    )
    p.add_argument("--vendor", required=True, metavar="NAME")
    p.add_argument("--right", required=True, choices=RIGHTS)
    p.add_argument("--law", required=True, choices=LAWS)
    p.add_argument("--sent", type=iso_date, metavar="DATE", help="the day sent (default today)")
    p.add_argument(
        "--received",
        type=iso_date,
        metavar="DATE",
        help="a posted letter's day of receipt: the deadline counts from it",
    )
    p.add_argument("--letter-out", metavar="FILE", help="write the letter here (.pdf: a PDF)")
    p.add_argument(
        "--corrections-out",
        metavar="FILE.vrmshare",
        help="rectification: also write my records as they are correct now, as a signed bundle "
        "that the letter names (the vendor's record and the things registered with it)",
    )
    p.add_argument(
        "--sender-name",
        metavar="NAME",
        help="your name as the vendor should see it in the bundle (else the one in Settings)",
    )
    p.set_defaults(func=cmd_new)
    p = request_sub.add_parser(
        "list",
        parents=[common],
        help="list the rights requests with their deadlines and state",
        description="The rights requests: due, extended_due once extended, and state "
        "(waiting, extended, overdue, answered).",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)
    for name, func, help_text in (
        ("extend", cmd_extend, "the vendor claimed more time (within the first period only)"),
        ("answered", cmd_answered, "the vendor answered the request"),
    ):
        p = request_sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.add_argument("id", type=positive_int)
        p.add_argument("--on", type=iso_date, metavar="DATE", help="the day (default today)")
        p.set_defaults(func=func)
    for part, help_text in (
        ("reminder", "draft a reminder to the vendor once the deadline passed unanswered"),
        ("complaint", "draft a complaint to the supervisory authority once it passed unanswered"),
    ):
        p = request_sub.add_parser(part, parents=[common], help=help_text, description=help_text)
        p.add_argument("id", type=positive_int)
        p.set_defaults(func=cmd_draft, part=part)

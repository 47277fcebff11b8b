"""``vrmdesk share export``: a signed share bundle for one vendor from the command line.

    vrmdesk share export --vendor Bosch --out bosch.vrmshare --purpose warranty_claim \\
        --asset 3 --redact price --redact location --retention-days 90

Without ``--asset``/``--ticket`` everything I hold about the vendor is shared; with them only
those things (and this vendor's tickets and messages about them) and tickets.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from vrmdesk.errors import ValidationError
from vrmdesk.share.schemaorg import REDACTABLE
from vrmdesk.share.terms import DEFAULT_RETENTION_DAYS, PURPOSES


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    help_text = "export a signed share bundle of what I hold about a vendor"
    p = sub.add_parser("export", parents=[common], help=help_text, description=help_text)
    p.add_argument("--vendor", required=True, metavar="NAME", help="the vendor (name or id)")
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="the bundle to write, exactly there; a name without a suffix gets "
        ".vrmshare (.vrmshare.age when encrypted)",
    )
    p.add_argument(
        "--asset",
        type=int,
        action="append",
        default=[],
        metavar="ID",
        help="share only this thing (repeatable)",
    )
    p.add_argument(
        "--ticket",
        type=int,
        action="append",
        default=[],
        metavar="ID",
        help="share only this ticket with its timeline (repeatable)",
    )
    p.add_argument(
        "--redact",
        action="append",
        default=[],
        choices=list(REDACTABLE),
        metavar="FIELD",
        help="leave this field out (repeatable): " + ", ".join(REDACTABLE),
    )
    p.add_argument("--no-files", action="store_true", help="leave out all attachments")
    p.add_argument("--purpose", choices=list(PURPOSES), default="other")
    p.add_argument("--purpose-note", default="", metavar="TEXT", help="a line on what it is for")
    marketing = p.add_mutually_exclusive_group()
    marketing.add_argument(
        "--marketing", dest="marketing", action="store_true", help="allow marketing use"
    )
    marketing.add_argument(
        "--no-marketing",
        dest="marketing",
        action="store_false",
        help="forbid marketing use (the default)",
    )
    p.set_defaults(marketing=False)
    p.add_argument(
        "--retention-days",
        type=int,
        default=DEFAULT_RETENTION_DAYS,
        metavar="N",
        help=f"how long the vendor may keep it (default {DEFAULT_RETENTION_DAYS})",
    )
    p.add_argument(
        "--allow-contact", action="store_true", help="the vendor may contact me about this request"
    )
    p.add_argument(
        "--third-parties",
        action="store_true",
        help="the vendor may pass it on where the request needs it",
    )
    encrypt = p.add_mutually_exclusive_group()
    encrypt.add_argument("--encrypt-to", metavar="AGE1…", help="encrypt to this age recipient")
    encrypt.add_argument(
        "--encrypt",
        action="store_true",
        help="encrypt to the age recipient kept on the vendor's record",
    )
    p.add_argument(
        "--sender-name",
        metavar="NAME",
        help="my name as the vendor sees it (remembered for later exports)",
    )
    p.add_argument("--created", metavar="TIME", help=argparse.SUPPRESS)  # reproducible builds
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from vrmdesk.cli import open_vault
    from vrmdesk.share import export, slice
    from vrmdesk.share.terms import Terms
    from vrmdesk.store.services import records

    terms = Terms(
        purpose=args.purpose,
        purpose_note=args.purpose_note,
        allowed_use="may_contact_about_it" if args.allow_contact else "this_request_only",
        marketing=args.marketing,
        retention_days=args.retention_days,
        third_parties=args.third_parties,
    )
    with open_vault(args) as vault:
        with vault.session() as session:
            vendor = records.find_vendor(session, args.vendor)
            selection = slice.narrowed(
                session, vendor.id, asset_ids=args.asset, ticket_ids=args.ticket, redact=args.redact
            )
            if args.no_files:
                selection = replace(selection, include_files=False)
            encrypt_to = args.encrypt_to
            if args.encrypt:
                encrypt_to = vendor.age_recipient
                if not encrypt_to:
                    raise ValidationError(
                        f"{vendor.name} has no age recipient on record; give one with "
                        "--encrypt-to age1… or add it in the vendor's editor."
                    )
            if args.sender_name:
                export.set_sender_name(session, args.sender_name)
        result = export.export_bundle(
            vault,
            selection,
            terms,
            Path(args.out),
            created=args.created,
            sender=args.sender_name,
            encrypt_to=encrypt_to,
        )
    print(f"Wrote {result.path}")
    print(f"Bundle id: {result.bundle_id}")
    print(f"Records: {result.records}, files: {result.files}")
    print(f"SHA-256: {result.sha256}")
    if result.encrypted_to:
        print(f"Encrypted to: {result.encrypted_to}")
    print(f"Signed by: {result.fingerprint}")
    return 0

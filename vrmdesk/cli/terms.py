"""``vrmdesk terms …``: MyTerms (IEEE 7012) agreements I proffer to vendors.

    vrmdesk terms roster [--json]                       the agreements one may proffer (no vault)
    vrmdesk terms proffer --vendor NAME --agreement ID [--out FILE] [--encrypt-to AGE1… |
                          --encrypt]                    a signed terms_proffer bundle, logged
    vrmdesk terms list [--json]                         per vendor: agreement, state, dates, bundles
    vrmdesk terms withdraw --vendor NAME                I withdraw the agreement in play
    vrmdesk terms propose [--json]                      vendors over my contact policy, with the
                                                        agreement proposed and the drafted message

The vendor answers a proffer with ``vrmdesk share reply --accept-terms`` (``--decline-terms``,
``--offer-terms ID``); ``vrmdesk share import`` then updates the state. Once accepted, every
bundle exported to that vendor carries the agreement in its terms.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import date
from pathlib import Path

from vrmshare import cli as vendor_side
from vrmshare.text import printable

from vrmdesk.cli.common import (
    Subparsers,
    add_bundle_writing,
    encryption_recipient,
    open_vault,
    table,
)


def _default_out(vendor: str, agreement_id: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", vendor).strip("-").lower() or "vendor"
    return Path(f"{slug}-terms-{agreement_id.lower()}-{date.today():%Y-%m-%d}.vrmshare")


def cmd_proffer(args: argparse.Namespace) -> int:
    from vrmshare.roster import agreement

    from vrmdesk.share import myterms
    from vrmdesk.store.services import records

    chosen = agreement(args.agreement)  # refused before the vault is opened
    with open_vault(args) as vault:
        with vault.session() as session:
            vendor = records.find_vendor(session, args.vendor)
            vendor_id, vendor_name = vendor.id, vendor.name
            encrypt_to = encryption_recipient(args, vendor.name, vendor.age_recipient)
        out = Path(args.out).expanduser() if args.out else _default_out(vendor_name, chosen.id)
        result = myterms.proffer(
            vault,
            vendor_id,
            chosen.id,
            out,
            encrypt_to=encrypt_to,
            created=args.created,
            sender=args.sender_name,
        )
    print(printable(f"Proffered {chosen.label} to {result.vendor}."))
    print(f"Wrote {result.path}")
    print(f"Bundle id: {result.bundle_id}")
    print(f"SHA-256: {result.sha256}")
    if result.encrypted_to:
        print(f"Encrypted to: {result.encrypted_to}")
    print(f"Signed by: {result.fingerprint}")
    return 0


def _when(value: object) -> str:
    return str(value)[:10] if value else ""


COLUMNS = [
    "vendor",
    "agreement",
    "state",
    "alternative",
    "proffered",
    "answered/withdrawn",
    "bundle",
]


def cmd_list(args: argparse.Namespace) -> int:
    from vrmdesk.store.services import myterms

    with open_vault(args, readonly=True) as vault, vault.session() as session:
        rows = myterms.list_agreements(session)
    if args.json:
        print(json.dumps([r.to_json() for r in rows], indent=2, ensure_ascii=False))
    elif not rows:
        print("No terms proffered.")
    else:
        print(
            table(
                COLUMNS,
                [
                    [
                        printable(r.vendor),
                        f"{r.agreement} v{r.version}",
                        r.state,
                        r.alternative or "",
                        _when(r.proffered_at),
                        _when(r.answered_at or r.withdrawn_at),
                        r.proffer_bundle_id,
                    ]
                    for r in rows
                ],
            )
        )
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    from vrmdesk.store.services import myterms, records

    with open_vault(args) as vault, vault.session() as session:
        vendor = records.find_vendor(session, args.vendor)
        row = myterms.withdraw(session, vendor.id)
        text = f"Withdrew {row.agreement_id} ({row.agreement_title}) from {vendor.name}."
    print(printable(text))
    return 0


def cmd_propose(args: argparse.Namespace) -> int:
    from vrmdesk.share import myterms

    with open_vault(args, readonly=True) as vault, vault.session() as session:
        proposals = myterms.propose(session)
    if args.json:
        print(json.dumps([p.to_json() for p in proposals], indent=2, ensure_ascii=False))
        return 0
    if not proposals:
        print("No vendor is over your contact policy without an agreement in force.")
        return 0
    for p in proposals:
        print(printable(f"{p.vendor}: {p.reason}"))
        print(
            printable(
                f"Proposed: proffer {p.agreement.label} "
                f"(vrmdesk terms proffer --vendor {p.vendor!r} --agreement {p.agreement.id})"
            )
        )
        print()
        print(printable(p.message))
        print("\n" + "-" * 72 + "\n")
    return 0


def add_parsers(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """The ``terms`` group."""
    group = sub.add_parser(
        "terms",
        help="MyTerms (IEEE 7012): proffer my terms to vendors, follow their answers",
        description="MyTerms agreements: proffer one of the roster to a vendor in a signed "
        "bundle; the vendor accepts, offers another, or declines.",
    )
    terms_sub = group.add_subparsers(dest="terms_command", metavar="COMMAND", required=True)
    p = terms_sub.add_parser(
        "roster",
        help="the agreements of the roster, with a plain summary of each (no vault)",
        description="The MyTerms roster shipped with vrmdesk: id, version, title, source, "
        "summary in plain words.",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=vendor_side.cmd_roster)
    p = terms_sub.add_parser(
        "proffer",
        parents=[common],
        help="write a signed bundle proffering an agreement to a vendor",
        description="Write a signed bundle (purpose terms_proffer) proffering one agreement of "
        "the roster to the vendor, logged in the disclosure log with its SHA-256.",
    )
    p.add_argument("--vendor", required=True, metavar="NAME", help="the vendor (name or id)")
    p.add_argument("--agreement", required=True, metavar="ID", help="e.g. SD-BASE or P2B1")
    p.add_argument(
        "--out",
        metavar="FILE",
        help="the bundle to write (default: VENDOR-terms-ID-DATE.vrmshare here)",
    )
    add_bundle_writing(p, "my name as the vendor sees it")
    p.set_defaults(func=cmd_proffer)
    p = terms_sub.add_parser(
        "list",
        parents=[common],
        help="every proffer: vendor, agreement, state, alternative, dates, bundle ids",
        description="The agreements proffered, per vendor (newest first): state is proffered, "
        "accepted, alternative_offered, declined or withdrawn.",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)
    p = terms_sub.add_parser(
        "withdraw",
        parents=[common],
        help="withdraw the agreement in play with a vendor",
        description="Withdraw the agreement proffered to (or accepted by) the vendor; it no "
        "longer goes into the terms of bundles to it.",
    )
    p.add_argument("--vendor", required=True, metavar="NAME")
    p.set_defaults(func=cmd_withdraw)
    p = terms_sub.add_parser(
        "propose",
        parents=[common],
        help="vendors over my contact policy, with the agreement to proffer and a drafted text",
        description="The vendors whose offers exceed my contact policy and that have no "
        "agreement in force: the agreement proposed (P2B1, #NoStalking) and the message drafted.",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_propose)

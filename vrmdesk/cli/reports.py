"""``vrmdesk report …``: reports to hand to someone else.

    vrmdesk report inventory --out FILE.pdf [--location L] [--category C]
                             [--bundle FILE.vrmshare --insurer NAME] [--note TEXT]
                             [--sender-name NAME]

The inventory (the insurer's pack) lists each selected thing with its thumbnail, maker, model,
serial, purchase date, price, location and warranty, then the totals per location and overall in
each currency. ``--bundle`` also writes the same things, with their photos and receipts, as a
signed share bundle of purpose ``insurance_claim`` to the insurer named by ``--insurer`` (a vendor
in the vault); the insurer checks it with ``vrmdesk share verify``. A filter that selects no
thing is refused and nothing is written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from vrmshare.text import printable

from vrmdesk.cli.common import CliError, counted, open_vault


def _pdf_path(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("give a file name")
    return text


def cmd_inventory(args: argparse.Namespace) -> int:
    from vrmdesk.interchange import inventory

    if bool(args.bundle) != bool(args.insurer):
        raise CliError(
            "--bundle and --insurer go together: the bundle is addressed to the insurer."
        )
    out = Path(args.out).expanduser()
    if out.is_dir():
        raise CliError(f"{out} is a folder: give a file name for the PDF.")
    filters = inventory.Filters(location=args.location or "", category=args.category or "")
    with open_vault(args, readonly=not args.bundle) as vault:
        if args.bundle:  # a bundle that would be refused is refused before the PDF is written
            with vault.session() as session:
                inventory.check_bundle(session, args.insurer, args.sender_name)
        written = inventory.write_pdf(vault, filters, out)
        for note in written.skipped_images:
            print(printable(note))
        print(
            f"Wrote {out}: {counted(written.things, 'thing')} on {counted(written.pages, 'page')}."
        )
        for line in written.totals.lines():
            print(printable(f"  {line}"))
        if args.bundle:
            result = inventory.write_bundle(
                vault,
                filters,
                args.insurer,
                Path(args.bundle).expanduser(),
                note=args.note,
                sender=args.sender_name,
            )
            print(
                f"Wrote {result.path}: {counted(result.records, 'record')}, "
                f"{counted(result.files, 'file')}, signed (bundle id {result.bundle_id})."
            )
    return 0


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """The ``report`` group."""
    report = sub.add_parser(
        "report",
        help="write a report to hand on (an inventory for the insurer)",
        description="Write a report to hand to someone else.",
    )
    report_sub = report.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    p = report_sub.add_parser(
        "inventory",
        parents=[common],
        help="the things you own as a PDF, with totals (and, with --bundle, a signed bundle)",
        description="Write an inventory of your things as a PDF for an insurer or loss adjuster: "
        "per thing its photo, maker, model, serial, purchase date, price, location and warranty; "
        "the totals per location and overall, in each currency.",
    )
    p.add_argument("--out", required=True, type=_pdf_path, metavar="FILE.pdf")
    p.add_argument("--location", metavar="L", help="only the things at this location")
    p.add_argument("--category", metavar="C", help="only the things of this category")
    p.add_argument(
        "--bundle",
        metavar="FILE.vrmshare",
        help="also write the same things with their receipts as a signed bundle "
        "(purpose insurance_claim; needs --insurer)",
    )
    p.add_argument("--insurer", metavar="NAME", help="the insurer the bundle goes to (a vendor)")
    p.add_argument("--note", default="", metavar="TEXT", help="a line on the claim, in the bundle")
    p.add_argument(
        "--sender-name",
        metavar="NAME",
        help="your name as the insurer should see it (else the one set in Settings)",
    )
    p.set_defaults(func=cmd_inventory)

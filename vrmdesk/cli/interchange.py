"""``vrmdesk import …`` and ``vrmdesk export …``: data in and out in other programs' formats.

    vrmdesk import csv FILE --kind KIND [--preset homebox|warracker|none] [--map COLUMN=FIELD]…
                       [--date-format FMT] [--decimal-separator . | ,] [--encoding NAME]
                       [--dry-run] [--skip-bad-rows] [--json]
    vrmdesk export csv --kind KIND --out FILE
    vrmdesk import vcard FILE [--dry-run] [--json]
    vrmdesk export vcard --out FILE [--vendor NAME]
    vrmdesk calendar --out FILE.ics [--detail titles|full] [--warranty-days N] …
    vrmdesk export archive --out FILE [--encrypt-to age1… | --plain] [--with-identity]
    vrmdesk --vault NEW import archive FILE [--identity AGE_IDENTITY_FILE] [--json]

``import csv`` exits 0 when it imported (or, with ``--dry-run``, would import), 1 when problems
stopped it; ``--json`` prints ``{"created", "updated", "unchanged", "problems": [{"line",
"column", "reason"}], …}``.

The archive (docs/archive-format.md) is encrypted to a passphrase from
``VRMDESK_ARCHIVE_PASSPHRASE`` or a prompt, unless ``--encrypt-to`` names an age recipient or
``--plain`` asks for none; ``import archive`` creates the vault when there is none (its
passphrase asked as ``init`` asks it) or fills an existing empty one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from vrmshare.text import printable

from vrmdesk.cli import mail
from vrmdesk.cli.common import (
    CliError,
    counted,
    open_vault,
    passphrase,
    positive_int,
    prompt,
    show_recovery_key,
    vault_dir,
)

ARCHIVE_PASSPHRASE_ENV = "VRMDESK_ARCHIVE_PASSPHRASE"

IMPORT_KINDS = ("vendors", "assets", "warranties", "service_events", "tickets", "interactions")
EXPORT_KINDS = (
    *IMPORT_KINDS,
    "contacts",
    "channels",
    "accounts",
    "registrations",
    "offers",
    "agreements",
)


def cmd_import_csv(args: argparse.Namespace) -> int:
    from vrmdesk.interchange import csv_import

    columns = csv_import.parse_map(args.map or [])
    reading = (
        csv_import.reading_from(args.date_format, args.decimal_separator)
        if args.date_format or args.decimal_separator
        else None
    )
    try:
        prepared = csv_import.prepare(
            Path(args.file),
            args.kind,
            preset=args.preset,
            columns=columns or None,
            reading=reading,
            encoding=args.encoding,
        )
    except KeyError as exc:
        raise CliError(str(exc.args[0])) from None
    with open_vault(args) as vault:
        outcome = csv_import.import_csv(
            vault, prepared, dry_run=args.dry_run, skip_bad_rows=args.skip_bad_rows
        )
    stopped = bool(outcome.problems) and not args.skip_bad_rows
    if args.json:
        print(json.dumps(outcome.to_json(), indent=2, ensure_ascii=False))
        return 1 if stopped else 0
    for note in outcome.notes:
        print(printable(note))
    for problem in outcome.problems:
        print(printable(str(problem)))
    if outcome.more_problems:
        print(f"… and {counted(outcome.more_problems, 'more problem')}")
    if stopped:
        found = counted(len(outcome.problems) + outcome.more_problems, "row problem")
        raise CliError(
            f"Nothing was imported: {found} (listed above). Fix them, or import the other rows "
            "with --skip-bad-rows."
        )
    prefix = "Would import" if args.dry_run else "Imported"
    print(f"{prefix} {Path(args.file).name}: {outcome.summary()}.")
    return 0


def cmd_import_vcard(args: argparse.Namespace) -> int:
    from vrmdesk.interchange import vcard

    with open_vault(args) as vault:
        outcome = vcard.import_vcards(vault, Path(args.file), dry_run=args.dry_run)
    if args.json:
        print(json.dumps(outcome.to_json(), indent=2, ensure_ascii=False))
        return 1 if outcome.problems else 0
    for note in outcome.notes:
        print(printable(note))
    for problem in outcome.problems:
        print(printable(f"card {problem.line} ({problem.column}): {problem.reason}"))
    if outcome.problems:
        raise CliError("Nothing was imported: a card was refused (listed above).")
    prefix = "Would import" if args.dry_run else "Imported"
    print(f"{prefix} {Path(args.file).name}: {outcome.summary()}.")
    return 0


def cmd_export_vcard(args: argparse.Namespace) -> int:
    from vrmdesk.interchange import vcard
    from vrmdesk.store.services import records

    with open_vault(args, readonly=True) as vault, vault.session() as session:
        vendor_id = records.find_vendor(session, args.vendor).id if args.vendor else None
        cards = vcard.export_vcards(session, vault.header.vault_id, Path(args.out), vendor_id)
    print(f"Wrote {counted(cards, 'card')} to {args.out}.")
    return 0


def cmd_export_csv(args: argparse.Namespace) -> int:
    from vrmdesk.interchange import csv_export

    with open_vault(args, readonly=True) as vault, vault.session() as session:
        written = csv_export.export_csv(session, args.kind, Path(args.out))
    print(f"Wrote {counted(written, 'record')} to {args.out}.")
    return 0


def cmd_calendar(args: argparse.Namespace) -> int:
    from vrmdesk.interchange import calendar
    from vrmdesk.store.services.dashboard import Lead

    lead = Lead(
        warranty_days=args.warranty_days,
        notice_days=args.notice_days,
        service_days=args.service_days,
    )
    with open_vault(args, readonly=True) as vault, vault.session() as session:
        events = calendar.write_calendar(
            session, vault.header.vault_id, Path(args.out), lead, detail=args.detail
        )
    print(f"Wrote {counted(events, 'deadline')} to {args.out}.")
    return 0


def archive_passphrase(*, confirm: bool) -> str:
    """The archive's passphrase: ``VRMDESK_ARCHIVE_PASSPHRASE``, else asked on the terminal."""
    if os.environ.get(ARCHIVE_PASSPHRASE_ENV):
        return os.environ[ARCHIVE_PASSPHRASE_ENV]
    return prompt("Archive passphrase", confirm, sources=f"set {ARCHIVE_PASSPHRASE_ENV}")


def _rows_summary(rows: dict[str, int], files: int) -> str:
    records = sum(n for table, n in rows.items() if table != "vault_meta")
    return f"{counted(records, 'row')} in {counted(len(rows), 'table')}, {counted(files, 'file')}"


def cmd_export_archive(args: argparse.Namespace) -> int:
    from vrmdesk.interchange import archive

    recipient = archive.parse_recipient(args.encrypt_to) if args.encrypt_to else None
    with open_vault(args, readonly=True) as vault:
        secret = None
        if args.plain:
            print(
                f"vrmdesk: warning: {printable(args.out)} is written unencrypted: whoever gets "
                "the file reads everything in the vault, attachments and stored mail passwords "
                "too.",
                file=sys.stderr,
            )
        elif recipient is None:
            secret = archive_passphrase(confirm=True)
        written = archive.export_archive(
            vault,
            Path(args.out),
            passphrase=secret,
            recipient=recipient,
            with_identity=args.with_identity,
        )
    how = {
        "passphrase": "encrypted to the archive passphrase",
        "recipient": f"encrypted to {args.encrypt_to}",
        "": "not encrypted",
    }[written.encrypted]
    identity = "; with the signing identity" if args.with_identity else ""
    print(
        f"Wrote {printable(args.out)}: {_rows_summary(written.rows, written.files)} "
        f"({written.size / 1024**2:.1f} MB, {how}{identity})."
    )
    return 0


def cmd_import_archive(args: argparse.Namespace) -> int:
    from vrmdesk.interchange import archive

    folder = vault_dir(args)
    identity = Path(args.identity).expanduser() if args.identity else None

    def ask() -> str:
        return archive_passphrase(confirm=False)

    recovery_key = None
    created = not (folder / "vault.json").exists()
    if created:
        with archive.open_archive(Path(args.file), passphrase=ask, identity_file=identity) as arc:
            rows, recovery_key = archive.import_into_new_vault(
                folder, passphrase(args, confirm=True), arc
            )
            files = arc.files
    else:
        with open_vault(args) as vault:
            with vault.session() as session:
                held = archive.records_in(session)
            if held:  # said before an archive is decrypted for nothing
                raise CliError(
                    f"The vault in {folder} is not empty: an archive is imported only into a "
                    "new or empty vault (give --vault a new folder)."
                )
            with archive.open_archive(
                Path(args.file), passphrase=ask, identity_file=identity
            ) as arc:
                rows = archive.import_archive(vault, arc)
                files = arc.files
    if args.json:
        out: dict[str, Any] = {
            "vault": str(folder),
            "created": created,
            "rows": rows,
            "files": files,
        }
        if recovery_key is not None:
            out["recovery_key"] = recovery_key
        print(json.dumps(out, indent=2))
        return 0
    where = "a new vault in" if created else "the vault in"
    print(
        f"Imported {printable(Path(args.file).name)} into {where} {folder}: "
        f"{_rows_summary(rows, files)}."
    )
    if recovery_key is not None:
        show_recovery_key(recovery_key)
    return 0


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """The ``import`` and ``export`` groups."""
    imports = sub.add_parser(
        "import",
        help="import records from another program's files (CSV)",
        description="Import records from other programs' files.",
    )
    import_sub = imports.add_subparsers(dest="import_command", metavar="FORMAT", required=True)
    p = import_sub.add_parser(
        "csv",
        parents=[common],
        help="import a CSV export (HomeBox, Warracker, a spreadsheet)",
        description="Import a CSV export into the vault: a mapping of its columns is guessed "
        "from their names (or a preset's), the dates and amounts read as the file writes them; "
        "all rows or none, and importing the same file again creates nothing new.",
    )
    p.add_argument("file")
    p.add_argument("--kind", required=True, choices=IMPORT_KINDS)
    p.add_argument(
        "--preset",
        choices=("homebox", "warracker", "none"),
        help="the file is this program's export (found by its columns if not given; "
        "none: read it as a plain spreadsheet even if it looks like one)",
    )
    p.add_argument(
        "--map",
        action="append",
        metavar="COLUMN=FIELD",
        help="import COLUMN as FIELD (repeatable; FIELD empty: leave the column out)",
    )
    p.add_argument(
        "--date-format",
        metavar="FMT",
        help="dmy, mdy or ymd, or a strptime form such as %%d.%%m.%%Y",
    )
    p.add_argument(
        "--decimal-separator",
        choices=(".", ","),
        help="the decimal separator of amounts (found from the file if not given)",
    )
    p.add_argument(
        "--encoding",
        metavar="NAME",
        help="the file's text encoding when it is not UTF-8 (for example cp1252)",
    )
    p.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")
    p.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="import the rows without problems and list the others",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import_csv)
    p = import_sub.add_parser(
        "vcard",
        parents=[common],
        help="import an address book (vCard 2.1, 3.0, 4.0)",
        description="Import an address book export (Thunderbird, Google Contacts, macOS and "
        "GNOME Contacts): organisations become vendors, people their contacts, e-mail, phone, "
        "address and web site their channels; importing it again adds nothing.",
    )
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import_vcard)
    mail.add_import_parser(import_sub, common)
    p = import_sub.add_parser(
        "archive",
        parents=[common],
        help="rebuild a vault from its archive (vrmdesk export archive)",
        description="Rebuild a vault from an archive made by `vrmdesk export archive`: into a "
        "new vault (made in --vault's folder, its passphrase asked as `init` asks it) or an "
        "empty one, with the same record ids, all or nothing. A passphrase archive's passphrase "
        f"comes from ${ARCHIVE_PASSPHRASE_ENV} or a prompt.",
    )
    p.add_argument("file")
    p.add_argument(
        "--identity",
        metavar="AGE_IDENTITY_FILE",
        help="the age identity file (AGE-SECRET-KEY-1…) of an archive encrypted to a recipient",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import_archive)

    exports = sub.add_parser(
        "export",
        help="export records in open formats (CSV)",
        description="Export records in formats other programs read.",
    )
    export_sub = exports.add_subparsers(dest="export_command", metavar="FORMAT", required=True)
    p = export_sub.add_parser(
        "csv",
        parents=[common],
        help="export every record of one kind as CSV",
        description="Every record of one kind as a UTF-8 CSV file with a header (names, not "
        "ids); the importable kinds import back with no mapping.",
    )
    p.add_argument("--kind", required=True, choices=EXPORT_KINDS)
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(func=cmd_export_csv)
    p = export_sub.add_parser(
        "vcard",
        parents=[common],
        help="export vendors and their contacts as vCard 3.0",
        description="Every vendor (or one) as a company card with its channels, and each of its "
        "contacts as a card of their own, in vCard 3.0, which address books read.",
    )
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--vendor", metavar="NAME", help="only this vendor (name or id)")
    p.set_defaults(func=cmd_export_vcard)
    p = export_sub.add_parser(
        "archive",
        parents=[common],
        help="export everything, losslessly, as one encrypted archive",
        description="Everything in the vault (every record with every field, tags, links, "
        "attachments, the disclosure log, imported replies, pinned vendor keys) as one ZIP of "
        "JSON and files (docs/archive-format.md), encrypted with age to a passphrase "
        f"(${ARCHIVE_PASSPHRASE_ENV}, else asked) or to a recipient: `age -d` opens it. "
        "`vrmdesk import archive` rebuilds the vault from it.",
    )
    p.add_argument("--out", required=True, metavar="FILE")
    how = p.add_mutually_exclusive_group()
    how.add_argument(
        "--encrypt-to",
        metavar="age1…",
        help="encrypt to this age recipient instead of a passphrase",
    )
    how.add_argument(
        "--plain", action="store_true", help="write the ZIP unencrypted (after a warning)"
    )
    p.add_argument(
        "--with-identity",
        action="store_true",
        help="include my signing identity (the private key vendors know me by)",
    )
    p.set_defaults(func=cmd_export_archive)

    p = sub.add_parser(
        "calendar",
        parents=[common],
        help="write the deadlines as an iCalendar (.ics) file",
        description="Every deadline from today on (warranties ending, notice deadlines and "
        "renewals, follow-ups, service due) as an all-day event with a reminder, with stable "
        "UIDs, so a calendar that subscribes to the file updates instead of duplicating.",
    )
    p.add_argument("--out", required=True, metavar="FILE.ics")
    p.add_argument(
        "--detail",
        choices=("titles", "full"),
        default="titles",
        help="titles only (the default), or with vendor names and notes",
    )
    p.add_argument(
        "--warranty-days",
        type=positive_int,
        default=60,
        metavar="N",
        help="remind N days before a warranty ends (default 60)",
    )
    p.add_argument(
        "--notice-days",
        type=positive_int,
        default=30,
        metavar="N",
        help="remind N days before a notice deadline or renewal (default 30)",
    )
    p.add_argument(
        "--service-days",
        type=positive_int,
        default=14,
        metavar="N",
        help="remind N days before a service is due (default 14)",
    )
    p.set_defaults(func=cmd_calendar)

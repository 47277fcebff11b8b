"""``vrmdesk share …``: signed share bundles from the command line.

    export            a bundle of what I hold about a vendor (opens my vault)
    verify, open      check a bundle, read it into a folder (no vault: the vendor's side)
    keygen, reply     a vendor's signing key, and its signed reply to my bundle (no vault)
    import            a vendor's reply into my vault
    identity          my signing key's fingerprint and public JWK

    vrmdesk share export --vendor Bosch --out bosch.vrmshare --purpose warranty_claim \\
        --asset 3 --redact price --redact location --retention-days 90

Without ``--asset``/``--ticket`` an export shares everything I hold about the vendor; with them
only those things (and this vendor's tickets and messages about them) and tickets. The share and
store layers are imported inside each command, so the vendor's commands start without the
vault's libraries.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from vrmshare import cli as vendor_side
from vrmshare.terms import DEFAULT_RETENTION_DAYS, REDACTABLE, SHARE_PURPOSES
from vrmshare.text import printable

from vrmdesk.cli.common import Subparsers, add_bundle_writing, encryption_recipient, open_vault


def add_parsers(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add the ``share`` group and its commands to the top-level subparsers."""
    share = sub.add_parser(
        "share",
        help="share bundles: export to a vendor; verify, open, reply (vendor side); import",
        description="Signed share bundles (format vrmshare/1, see docs/bundle-format.md).",
    )
    share_sub = share.add_subparsers(dest="share_command", metavar="COMMAND", required=True)
    _add_export(share_sub, common)
    _add_vendor_side(share_sub, common)
    p = share_sub.add_parser(
        "identity",
        parents=[common],
        help="show my signing key's fingerprint; export it as a JWK",
        description="My signing identity: the Ed25519 key made with the vault. Prints the public "
        "key as a JWK (or writes it with --out) and its fingerprint.",
    )
    p.add_argument("--out", metavar="FILE", help="write the public JWK to FILE")
    p.set_defaults(func=cmd_identity)


# -- my side: export, import, identity -----------------------------------------------------------
def _add_export(sub: Subparsers, common: argparse.ArgumentParser) -> None:
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
    p.add_argument("--purpose", choices=list(SHARE_PURPOSES), default="other")
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
    add_bundle_writing(p, "my name as the vendor sees it (remembered for later exports)")
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from vrmshare.terms import Terms

    from vrmdesk.share import export, slice
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
            encrypt_to = encryption_recipient(args, vendor.name, vendor.age_recipient)
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


def cmd_identity(args: argparse.Namespace) -> int:
    from vrmshare.fileutil import atomic_write_bytes
    from vrmshare.identity import public_jwk_text

    from vrmdesk.share.identity import ensure_identity

    with open_vault(args) as vault, vault.session() as session:
        identity = ensure_identity(session)
        text = public_jwk_text(identity)
    if args.out:
        atomic_write_bytes(Path(args.out).expanduser(), text.encode())
        print(f"Wrote my public key to {args.out}.")
    else:
        print(text, end="")
    out = sys.stderr if not args.out else sys.stdout
    print(f"Fingerprint: {identity.fingerprint}", file=out)
    print(f"Safety number: {identity.safety_number}", file=out)
    return 0


# -- the vendor's side (vrmshare's commands), and import on mine ----------------------------------
def _terminal_confirm(vendor_name: str, fingerprint: str) -> bool:
    print(
        f"First reply from {printable(vendor_name)}. Its signing key's fingerprint is:\n\n"
        f"    {fingerprint}\n"
    )
    print("Compare it with the one the vendor gave you (by phone, on its website).")
    answer = input("Trust this key for this vendor from now on? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def cmd_import(args: argparse.Namespace) -> int:
    from vrmshare.errors import ReplyRefused
    from vrmshare.verify import verify_bundle

    from vrmdesk.share.importer import import_reply

    verified = verify_bundle(Path(args.file), identities=vendor_side.identities(args))

    def confirm(vendor_name: str, fingerprint: str) -> bool:
        if args.yes:
            return True
        if not sys.stdin.isatty():
            raise ReplyRefused(
                f"First contact with {vendor_name} (key {fingerprint}): confirm the key on a "
                "terminal or pass --yes after checking the fingerprint."
            )
        return _terminal_confirm(vendor_name, fingerprint)

    with open_vault(args) as vault, vault.session() as session:
        result = import_reply(session, verified, confirm_key=confirm)
    print(printable(result.message()))
    return 0


def _add_vendor_side(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """verify, open, keygen and reply need no vault (the vendor's side, the same as the
    ``vrmshare`` command's); import opens mine."""
    vendor_side.add_commands(sub)
    p = sub.add_parser(
        "import",
        parents=[common],
        help="import a vendor's signed reply into your vault",
        description="import a vendor's signed reply into your vault",
    )
    p.set_defaults(func=cmd_import)
    p.add_argument("file")
    p.add_argument("--identity", metavar="AGE_IDENTITY_FILE", help=vendor_side.IDENTITY_HELP)
    p.add_argument("--yes", action="store_true", help="accept a first-contact key without asking")

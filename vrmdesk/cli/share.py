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
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from vrmdesk.cli.common import Command, Subparsers, open_vault
from vrmdesk.errors import ValidationError
from vrmdesk.share.terms import DEFAULT_RETENTION_DAYS, REDACTABLE, SHARE_PURPOSES
from vrmdesk.store.kinds import InteractionChannel, TicketStatus
from vrmdesk.text import printable, printable_json

if TYPE_CHECKING:
    from pyrage import x25519


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


def cmd_identity(args: argparse.Namespace) -> int:
    from vrmdesk.fileutil import atomic_write_bytes
    from vrmdesk.share.identity import ensure_identity, public_jwk_text

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


# -- the vendor's side: verify, open, keygen, reply (and import on mine) ---------------------------
def _identities(args: argparse.Namespace) -> list[x25519.Identity] | None:
    from vrmdesk.share.verify import load_identities

    path = getattr(args, "identity", None)
    return load_identities(Path(path)) if path else None


def cmd_verify(args: argparse.Namespace) -> int:
    from vrmdesk.share.verify import verify_bundle

    verified = verify_bundle(Path(args.file), identities=_identities(args))
    if getattr(args, "json", False):
        print(
            printable_json(
                {
                    "ok": True,
                    "sender": verified.sender_name,
                    "fingerprint": verified.fingerprint,
                    "safety_number": verified.safety_number,
                    "bundle_id": verified.bundle_id,
                    "purpose": verified.purpose,
                    "terms": verified.manifest["terms"],
                    "records": len(verified.records),
                    "files": len(verified.attached_files),
                    "listed_files": len(verified.files),
                }
            )
        )
    else:
        print("\n".join(verified.summary()))
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    from vrmdesk.share.verify import open_bundle

    verified = open_bundle(Path(args.file), Path(args.out), identities=_identities(args))
    print("\n".join(verified.summary()))
    print(printable(f"Written to {args.out} (open index.html to read it)."))
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    from vrmdesk.share.identity import display_fingerprint, safety_number
    from vrmdesk.share.reply import keygen

    public = keygen(Path(args.out))
    print(printable(f"Wrote the private key to {args.out} (keep it secret; mode 0600)."))
    print(f"Fingerprint: {display_fingerprint(public['kid'])}")
    print(f"Safety number: {safety_number(public['kid'])}")
    print("Public key (JWK):")
    print(json.dumps(public, indent=2, sort_keys=True))
    return 0


def _quote_content(args: argparse.Namespace) -> dict[str, str | None]:
    """The quote of a reply to a quote request (--quote, --currency, --valid-until)."""
    return {
        "quote_price": args.quote,
        "quote_currency": args.currency,
        "quote_valid_until": args.valid_until,
    }


def _add_quote_arguments(p: argparse.ArgumentParser) -> None:
    """A quote answering a quote request (its --message goes into the quote)."""
    p.add_argument("--quote", metavar="PRICE", help="the price quoted, e.g. 1499.00")
    p.add_argument("--currency", metavar="CODE", help="the quote's ISO 4217 currency (EUR)")
    p.add_argument("--valid-until", metavar="DATE", help="the last day the quote holds")


def cmd_reply(args: argparse.Namespace) -> int:
    from vrmdesk.share.reply import ReplyContent, load_signing_key, write_reply
    from vrmdesk.share.verify import verify_bundle

    key = load_signing_key(Path(args.signing_key))
    original = verify_bundle(Path(args.in_reply_to), identities=_identities(args))
    content = ReplyContent(
        messages=args.message or [],
        subject=args.subject or "",
        channel=args.channel,
        case_reference=args.case_reference,
        ticket=args.ticket,
        status=args.status,
        confirm_warranty=args.confirm_warranty,
        valid_through=args.valid_through,
        corrections=[tuple(c) for c in (args.correct or [])],
        sender_name=args.sender_name,
        accept_terms=args.accept_terms,
        decline_terms=args.decline_terms,
        offer_terms=args.offer_terms,
        **_quote_content(args),
    )
    out = Path(args.out)
    written = write_reply(original, key, content, out, encrypt_to=args.encrypt_to)
    print(
        printable(f"Wrote the reply {written.bundle_id} to {written.path} ({written.size} bytes).")
    )
    return 0


def _terminal_confirm(vendor_name: str, fingerprint: str) -> bool:
    print(
        f"First reply from {printable(vendor_name)}. Its signing key's fingerprint is:\n\n"
        f"    {fingerprint}\n"
    )
    print("Compare it with the one the vendor gave you (by phone, on its website).")
    answer = input("Trust this key for this vendor from now on? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def cmd_import(args: argparse.Namespace) -> int:
    from vrmdesk.share.errors import ReplyRefused
    from vrmdesk.share.importer import import_reply
    from vrmdesk.share.verify import verify_bundle

    verified = verify_bundle(Path(args.file), identities=_identities(args))

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


def _add_terms_answer(p: argparse.ArgumentParser) -> None:
    """The answer to a MyTerms proffer (a bundle of purpose terms_proffer): one of three."""
    p.add_argument(
        "--accept-terms", action="store_true", help="accept the MyTerms agreement proffered"
    )
    p.add_argument(
        "--decline-terms", action="store_true", help="decline the MyTerms agreement proffered"
    )
    p.add_argument(
        "--offer-terms",
        metavar="ID",
        help="offer another agreement of the MyTerms roster instead (see `vrmdesk terms roster`)",
    )


def _add_vendor_side(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """verify, open, keygen and reply need no vault (the vendor's side); import opens mine."""

    def add(
        name: str, func: Command, help: str, parents: list[argparse.ArgumentParser]
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=parents, help=help, description=help)
        p.set_defaults(func=func)
        return p

    identity_help = "an age identity file (AGE-SECRET-KEY-1…) for an encrypted bundle"
    p = add(
        "verify",
        cmd_verify,
        "check a bundle's signature and every file hash; print what it holds",
        [],
    )
    p.add_argument("file")
    p.add_argument("--identity", metavar="AGE_IDENTITY_FILE", help=identity_help)
    p.add_argument("--json", action="store_true")
    p = add("open", cmd_open, "verify a bundle, then write its contents into a new folder", [])
    p.add_argument("file")
    p.add_argument("--out", metavar="DIR", required=True)
    p.add_argument("--identity", metavar="AGE_IDENTITY_FILE", help=identity_help)
    p = add("keygen", cmd_keygen, "make a vendor's signing key (an Ed25519 private JWK file)", [])
    p.add_argument("--out", metavar="KEY_FILE", required=True)
    p = add("reply", cmd_reply, "write a vendor's signed reply to a customer's bundle", [])
    p.add_argument("--signing-key", metavar="KEY_FILE", required=True)
    p.add_argument("--in-reply-to", metavar="BUNDLE", required=True)
    p.add_argument("--identity", metavar="AGE_IDENTITY_FILE", help=identity_help)
    p.add_argument(
        "--out",
        metavar="FILE",
        required=True,
        help="the reply to write, exactly there; a name without a suffix gets "
        ".vrmshare (.vrmshare.age when encrypted)",
    )
    p.add_argument("--encrypt-to", metavar="AGE_RECIPIENT", help="the customer's age1… recipient")
    p.add_argument(
        "--sender-name", metavar="NAME", help="default: the recipient named in the bundle"
    )
    p.add_argument("--message", metavar="TEXT", action="append", help="an answer (repeatable)")
    p.add_argument("--subject", metavar="TEXT")
    p.add_argument(
        "--channel",
        default="email",
        choices=[c.value for c in InteractionChannel],
    )
    p.add_argument("--case-reference", metavar="REF")
    p.add_argument("--ticket", metavar="UID", help="the ticket's @id (default: the only ticket)")
    p.add_argument("--status", choices=[s.value for s in TicketStatus])
    p.add_argument("--confirm-warranty", metavar="UID")
    p.add_argument("--valid-through", metavar="DATE")
    p.add_argument("--correct", nargs=3, metavar=("UID", "FIELD", "VALUE"), action="append")
    _add_terms_answer(p)
    _add_quote_arguments(p)
    p = add("import", cmd_import, "import a vendor's signed reply into your vault", [common])
    p.add_argument("file")
    p.add_argument("--identity", metavar="AGE_IDENTITY_FILE", help=identity_help)
    p.add_argument("--yes", action="store_true", help="accept a first-contact key without asking")

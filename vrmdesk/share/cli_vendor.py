"""``vrmdesk share verify | open | keygen | reply | import``: the bundle format's command line.

``add_parsers(sub, common)`` adds the subcommands to the ``share`` group's subparsers; each
command returns an exit code and raises VrmError (a one-line reason, exit 1) for a refusal.
verify, open, keygen and reply need no vault; import opens one. None imports Qt.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from vrmdesk.errors import VrmError
from vrmdesk.text import printable, printable_json


def _identities(args: argparse.Namespace) -> list[Any] | None:
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
    from vrmdesk.share.identity import display_fingerprint
    from vrmdesk.share.reply import keygen

    public = keygen(Path(args.out))
    print(printable(f"Wrote the private key to {args.out} (keep it secret; mode 0600)."))
    print(f"Fingerprint: {display_fingerprint(public['kid'])}")
    print("Public key (JWK):")
    print(json.dumps(public, indent=2, sort_keys=True))
    return 0


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
    from vrmdesk.cli import open_vault
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


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add verify, open, keygen, reply and import to the ``vrmdesk share`` subparsers."""

    def add(
        name: str, func: Any, help: str, parents: list[argparse.ArgumentParser]
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
        choices=("email", "phone", "chat", "forum", "social", "letter", "visit", "note"),
    )
    p.add_argument("--case-reference", metavar="REF")
    p.add_argument("--ticket", metavar="UID", help="the ticket's @id (default: the only ticket)")
    p.add_argument(
        "--status", choices=("open", "waiting_on_vendor", "waiting_on_me", "resolved", "closed")
    )
    p.add_argument("--confirm-warranty", metavar="UID")
    p.add_argument("--valid-through", metavar="DATE")
    p.add_argument("--correct", nargs=3, metavar=("UID", "FIELD", "VALUE"), action="append")
    p = add("import", cmd_import, "import a vendor's signed reply into your vault", [common])
    p.add_argument("file")
    p.add_argument("--identity", metavar="AGE_IDENTITY_FILE", help=identity_help)
    p.add_argument("--yes", action="store_true", help="accept a first-contact key without asking")


def run(argv: list[str]) -> int:
    """For tests and until wired: ``vrmdesk share …`` with only these subcommands."""
    from vrmdesk.cli import _common

    parser = argparse.ArgumentParser(prog="vrmdesk share", parents=[_common(None)])
    add_parsers(parser.add_subparsers(dest="command", required=True), _common(argparse.SUPPRESS))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except VrmError as exc:
        print(f"vrmdesk: {printable(exc)}", file=sys.stderr)
        return 1

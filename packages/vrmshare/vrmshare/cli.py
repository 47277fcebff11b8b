"""The ``vrmshare`` command: a vendor's side of share bundles, with no vault.

    vrmshare verify FILE [--identity AGE_IDENTITY_FILE] [--json]
    vrmshare open FILE --out DIR [--identity …]
    vrmshare keygen --out KEY_FILE
    vrmshare reply --signing-key KEY_FILE --in-reply-to BUNDLE --out FILE [--message …] …

The same commands, with the same options, are ``vrmdesk share verify|open|keygen|reply``
(:func:`add_commands` adds them to both). Exit status: 0 success, 1 a failure with a one-line
reason on standard error, 2 a usage error; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from vrmshare import __version__
from vrmshare.errors import VrmError
from vrmshare.text import printable, printable_json, tolerant_output
from vrmshare.vocabulary import InteractionChannel, TicketStatus

if TYPE_CHECKING:
    from pyrage import x25519

Command = Callable[[argparse.Namespace], int]
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
IDENTITY_HELP = "an age identity file (AGE-SECRET-KEY-1…) for an encrypted bundle"


def identities(args: argparse.Namespace) -> list[x25519.Identity] | None:
    from vrmshare.verify import load_identities

    path = getattr(args, "identity", None)
    return load_identities(Path(path)) if path else None


def cmd_verify(args: argparse.Namespace) -> int:
    from vrmshare.verify import verify_bundle

    verified = verify_bundle(Path(args.file), identities=identities(args))
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
    from vrmshare.verify import open_bundle

    verified = open_bundle(Path(args.file), Path(args.out), identities=identities(args))
    print("\n".join(verified.summary()))
    print(printable(f"Written to {args.out} (open index.html to read it)."))
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    from vrmshare.identity import display_fingerprint, safety_number
    from vrmshare.reply import keygen

    public = keygen(Path(args.out))
    print(printable(f"Wrote the private key to {args.out} (keep it secret; mode 0600)."))
    print(f"Fingerprint: {display_fingerprint(public['kid'])}")
    print(f"Safety number: {safety_number(public['kid'])}")
    print("Public key (JWK):")
    print(json.dumps(public, indent=2, sort_keys=True))
    return 0


def cmd_roster(args: argparse.Namespace) -> int:
    from vrmshare.roster import roster

    agreements = list(roster().values())
    if args.json:
        print(json.dumps([a.to_json() for a in agreements], indent=2, ensure_ascii=False))
        return 0
    for a in agreements:
        print(f"{a.id} version {a.version}: {a.title}  ({a.source})")
        print(f"  {a.url}")
        for line in a.summary.splitlines():
            print(textwrap.fill(line, 96, initial_indent="  ", subsequent_indent="    ") or "")
        print()
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
        help="offer another agreement of the MyTerms roster instead (see `vrmshare roster`)",
    )


def cmd_reply(args: argparse.Namespace) -> int:
    from vrmshare.reply import ReplyContent, load_signing_key, write_reply
    from vrmshare.verify import verify_bundle

    key = load_signing_key(Path(args.signing_key))
    original = verify_bundle(Path(args.in_reply_to), identities=identities(args))
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


def add_commands(sub: Subparsers) -> None:
    """verify, open, keygen and reply: the vendor's commands, here and in ``vrmdesk share``."""

    def add(
        name: str, func: Command, help: str, parents: list[argparse.ArgumentParser]
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=parents, help=help, description=help)
        p.set_defaults(func=func)
        return p

    p = add(
        "verify",
        cmd_verify,
        "check a bundle's signature and every file hash; print what it holds",
        [],
    )
    p.add_argument("file")
    p.add_argument("--identity", metavar="AGE_IDENTITY_FILE", help=IDENTITY_HELP)
    p.add_argument("--json", action="store_true")
    p = add("open", cmd_open, "verify a bundle, then write its contents into a new folder", [])
    p.add_argument("file")
    p.add_argument("--out", metavar="DIR", required=True)
    p.add_argument("--identity", metavar="AGE_IDENTITY_FILE", help=IDENTITY_HELP)
    p = add("keygen", cmd_keygen, "make a vendor's signing key (an Ed25519 private JWK file)", [])
    p.add_argument("--out", metavar="KEY_FILE", required=True)
    p = add("reply", cmd_reply, "write a vendor's signed reply to a customer's bundle", [])
    p.add_argument("--signing-key", metavar="KEY_FILE", required=True)
    p.add_argument("--in-reply-to", metavar="BUNDLE", required=True)
    p.add_argument("--identity", metavar="AGE_IDENTITY_FILE", help=IDENTITY_HELP)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vrmshare",
        description="Verify, open and answer vrmshare/1 bundles (docs/bundle-format.md): the "
        "vendor's side of vrmdesk, without a vault.",
    )
    parser.add_argument("--version", action="version", version=f"vrmshare {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_commands(sub)
    p = sub.add_parser(
        "roster",
        help="the MyTerms agreements a customer may proffer (the ids --offer-terms takes)",
        description="The MyTerms (IEEE 7012) roster: id, version, title, source and summary.",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_roster)
    return parser


def fail(message: str) -> int:
    print(f"vrmshare: {printable(message)}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    tolerant_output()
    args = build_parser().parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except VrmError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        print("vrmshare: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `vrmshare verify … | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:
        return fail(f"{exc.strerror or exc} ({exc.filename or 'a file'}).")
    except Exception as exc:  # the last line of defence: never a traceback
        return fail(f"an unexpected error ({type(exc).__name__}); nothing was written.")

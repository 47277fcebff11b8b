"""The command line. ``vrmdesk`` alone opens the GUI; subcommands work on a vault.

Exit status: 0 success, 1 a failure with a one-line reason on standard error, 2 a usage error.
Qt is imported only in the branch that starts the GUI.

The passphrase comes from ``--passphrase-file FILE`` when given, else from the environment
variable ``VRMDESK_PASSPHRASE``, else from a prompt on the terminal; a data key remembered in
the OS keyring ("remember on this device") needs none of them.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from vrmdesk import __version__, crashlog
from vrmdesk.errors import VrmError
from vrmdesk.fileutil import is_disk_full, storage_error

PASSPHRASE_ENV = "VRMDESK_PASSPHRASE"
NEW_PASSPHRASE_ENV = "VRMDESK_NEW_PASSPHRASE"


class CliError(VrmError):
    pass


# -- passphrases --------------------------------------------------------------------------------
def _read_secret_file(path: str) -> str:
    """A passphrase (or recovery key) file: a small regular file, never a pipe or a device."""
    from vrmdesk.fileutil import read_regular

    data = read_regular(Path(path).expanduser(), 64 * 1024, CliError, "the passphrase file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CliError(f"The passphrase file {path} is not UTF-8 text.") from None
    return text.rstrip("\r\n")


def _prompt(label: str, confirm: bool) -> str:
    if not sys.stdin.isatty():
        raise CliError(
            f"No passphrase: use --passphrase-file FILE or set {PASSPHRASE_ENV} "
            "(no terminal to ask on)."
        )
    first = getpass.getpass(f"{label}: ")
    if confirm and getpass.getpass(f"{label} (again): ") != first:
        raise CliError("The two passphrases differ.")
    return first


def passphrase(args: argparse.Namespace, *, confirm: bool = False) -> str:
    if getattr(args, "passphrase_file", None):
        return _read_secret_file(args.passphrase_file)
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    return _prompt("Passphrase", confirm)


def new_passphrase(args: argparse.Namespace) -> str:
    if getattr(args, "new_passphrase_file", None):
        return _read_secret_file(args.new_passphrase_file)
    if os.environ.get(NEW_PASSPHRASE_ENV):
        return os.environ[NEW_PASSPHRASE_ENV]
    return _prompt("New passphrase", confirm=True)


# -- argument types -----------------------------------------------------------------------------
def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (``--limit 0`` or ``-1`` is a usage error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def search_words(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("give some words to search for")
    return text


# -- opening ------------------------------------------------------------------------------------
def vault_dir(args: argparse.Namespace) -> Path:
    from vrmdesk.store.vault import default_vault_dir

    return Path(args.vault).expanduser().resolve() if args.vault else default_vault_dir()


def open_vault(args: argparse.Namespace, *, readonly: bool = False):  # type: ignore[no-untyped-def]
    from vrmdesk.store.vault import Vault

    folder = vault_dir(args)
    remembered = Vault.open_remembered(folder, readonly=readonly)
    if remembered is not None:
        return remembered
    if not (folder / "vault.json").exists():
        return Vault.open(folder, "", readonly=readonly)  # raises the right "no vault" error
    return Vault.open(folder, passphrase(args), readonly=readonly)


# -- commands -----------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    from vrmdesk.store.vault import Vault

    folder = vault_dir(args)
    vault, recovery_key = Vault.create(folder, passphrase(args, confirm=True))
    with vault:
        if args.remember:
            vault.remember(True)
    print(f"Created a vault in {folder}.")
    _show_recovery_key(recovery_key)
    return 0


def _show_recovery_key(recovery_key: str) -> None:
    print()
    print("Your recovery key (shown once; print it or write it down and keep it safe):")
    print()
    print(f"    {recovery_key}")
    print()
    print("It opens the vault if you forget the passphrase: vrmdesk passwd --recovery-key")


def cmd_demo(args: argparse.Namespace) -> int:
    from vrmdesk.store import demo
    from vrmdesk.store.vault import Vault

    folder = vault_dir(args)
    vault, recovery_key = Vault.create(folder, passphrase(args, confirm=True))
    with vault, vault.session() as session:
        counts = demo.build(session)
    print(f"Created a demo vault in {folder}: {demo.summary(counts)}.")
    print(f"Recovery key: {recovery_key}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from vrmdesk.store import backup, migrate
    from vrmdesk.store import models as m
    from vrmdesk.store.services import dashboard

    with open_vault(args, readonly=True) as vault:
        with vault.session() as session:
            counts = {
                cls.kind: session.scalar(select(func.count()).select_from(cls))
                for cls in m.RECORD_TYPES
            }
            board = dashboard.dashboard(session)
            attention = {
                "warranties expiring": len(board.expiring_warranties),
                "follow-ups due": len(board.follow_ups_due),
                "tickets waiting on the vendor too long": len(board.waiting_too_long),
                "notice deadlines near": len(board.notice_deadlines),
                "service due": len(board.service_due),
                "vendors over my contact policy": len(board.over_policy),
            }
        backups = backup.list_backups(vault)
        kdf = vault.header.kdf
        info = {
            "folder": str(vault.folder),
            "vault_id": vault.header.vault_id,
            "created": vault.header.created,
            "schema": migrate.SCHEMA_HEAD,
            "key_derivation": {
                "algorithm": "argon2id",
                "iterations": kdf.iterations,
                "memory_mib": kdf.memory_kib // 1024,
                "lanes": kdf.lanes,
            },
            "remembered_on_this_device": vault.is_remembered(),
            "records": counts,
            "attention": attention,
            "backups": len(backups),
            "latest_backup": backups[0].taken.isoformat(timespec="seconds") if backups else None,
            "new_recovery_key_not_shown": vault.header.rotation_state == "unseen",
        }
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"Vault      {info['folder']}")
    print(f"Id         {info['vault_id']} (created {info['created']})")
    print(f"Schema     {info['schema']}")
    print(
        f"Key        Argon2id, {counted(kdf.iterations, 'iteration')}, {kdf.memory_kib // 1024} MiB, "
        f"{counted(kdf.lanes, 'lane')}; remembered on this device: "
        f"{'yes' if info['remembered_on_this_device'] else 'no'}"
    )
    print(f"Backups    {len(backups)}" + (f", latest {info['latest_backup']}" if backups else ""))
    if info["new_recovery_key_not_shown"]:
        print(
            "Recovery   a new recovery key (from a change of key) was never shown: "
            "run `vrmdesk passwd` to see it"
        )
    print(
        "Records    "
        + (
            ", ".join(counted(n, *RECORD_NOUNS.get(k, (k,))) for k, n in counts.items() if n)
            or "none"
        )
    )
    print(
        "Attention  "
        + (
            ", ".join(counted(n, *ATTENTION_NOUNS[k]) for k, n in attention.items() if n)
            or "nothing"
        )
    )
    return 0


def counted(n: int, one: str, many: str | None = None) -> str:
    """``1 ticket``, ``2 tickets``; ``many`` where the plural is not ``one`` + s."""
    return f"{n} {one if n == 1 else many or one + 's'}"


RECORD_NOUNS: dict[str, tuple[str, ...]] = {
    "asset": ("thing",),
    "service_event": ("service event",),
    "attachment": ("file",),
    "warranty": ("warranty", "warranties"),
}
ATTENTION_NOUNS: dict[str, tuple[str, str]] = {
    "warranties expiring": ("warranty expiring", "warranties expiring"),
    "follow-ups due": ("follow-up due", "follow-ups due"),
    "tickets waiting on the vendor too long": (
        "ticket waiting on the vendor too long",
        "tickets waiting on the vendor too long",
    ),
    "notice deadlines near": ("notice deadline near", "notice deadlines near"),
    "service due": ("service due", "services due"),
    "vendors over my contact policy": (
        "vendor over my contact policy",
        "vendors over my contact policy",
    ),
}


LIST_KINDS = ("vendors", "assets", "warranties", "tickets", "interactions", "agreements")


def _columns(kind: str) -> list[tuple[str, Callable[[Any], Any]]]:
    from vrmdesk.store.services import rules

    vendor = lambda r: r.vendor.name if r.vendor else ""  # noqa: E731
    return {
        "vendors": [
            ("id", lambda r: r.id),
            ("name", lambda r: r.name),
            ("kind", lambda r: r.vendor_kind.value),
            ("status", lambda r: r.status.value),
            ("since", lambda r: r.since or ""),
        ],
        "assets": [
            ("id", lambda r: r.id),
            ("name", lambda r: r.name),
            ("category", lambda r: r.category),
            ("maker", lambda r: r.maker.name if r.maker else ""),
            ("model", lambda r: r.model),
            ("location", lambda r: r.location),
            ("status", lambda r: r.status.value),
        ],
        "warranties": [
            ("id", lambda r: r.id),
            ("thing", lambda r: r.asset.name),
            ("provider", lambda r: r.provider.name if r.provider else ""),
            ("title", lambda r: r.title),
            ("ends", lambda r: r.ends_on),
            ("state", lambda r: rules.warranty_state(r).value),
        ],
        "tickets": [
            ("id", lambda r: r.id),
            ("vendor", vendor),
            ("title", lambda r: r.title),
            ("status", lambda r: r.status.value),
            ("opened", lambda r: r.opened_on),
            ("follow-up", lambda r: r.follow_up_on or ""),
        ],
        "interactions": [
            ("id", lambda r: r.id),
            ("when", lambda r: r.occurred_at.strftime("%Y-%m-%d %H:%M")),
            ("vendor", vendor),
            ("dir", lambda r: "in" if r.direction.value == "inbound" else "out"),
            ("channel", lambda r: r.channel.value),
            ("subject", lambda r: r.subject),
        ],
        "agreements": [
            ("id", lambda r: r.id),
            ("vendor", vendor),
            ("title", lambda r: r.title),
            ("renews", lambda r: r.renews_on or ""),
            ("notice by", lambda r: r.notice_deadline or ""),
            ("cost", lambda r: rules.format_amount(r.cost_minor, r.currency)),
        ],
    }[kind]


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [min(max(w, len(cell)), 60) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            (c if len(c) <= w else c[: w - 1] + "…").ljust(w)
            for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def cmd_list(args: argparse.Namespace) -> int:
    from vrmdesk.store import models as m
    from vrmdesk.store.services import records

    cls = {
        "vendors": m.Vendor,
        "assets": m.Asset,
        "warranties": m.Warranty,
        "tickets": m.Ticket,
        "interactions": m.Interaction,
        "agreements": m.Agreement,
    }[args.kind]
    with open_vault(args, readonly=True) as vault, vault.session() as session:
        filters: dict[str, Any] = {}
        if args.vendor:
            vendor = records.find_vendor(session, args.vendor)
            if cls is m.Vendor:
                filters["id"] = vendor.id
            elif cls is m.Asset:
                filters["maker_id"] = vendor.id
            elif cls is m.Warranty:
                filters["provider_id"] = vendor.id
            else:
                filters["vendor_id"] = vendor.id
        rows = records.list_records(session, cls, limit=args.limit, **filters)
        if args.json:
            print(json.dumps([records.to_dict(r) for r in rows], indent=2, ensure_ascii=False))
            return 0
        columns = _columns(args.kind)
        cells = [[str(get(r)) for _, get in columns] for r in rows]
    print(_table([name for name, _ in columns], cells) if cells else f"No {args.kind}.")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from vrmdesk.store.services import search

    with open_vault(args, readonly=True) as vault, vault.session() as session:
        hits = search.search(session, args.query, limit=args.limit)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "kind": h.kind,
                        "id": h.id,
                        "title": h.title,
                        "snippet": h.snippet_with("[", "]"),
                        "rank": h.rank,
                    }
                    for h in hits
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    if not hits:
        print("Nothing found.")
        return 0
    for hit in hits:
        print(f"{hit.kind} {hit.id}: {hit.title}")
        if hit.snippet:
            print(f"    {hit.snippet_with('[', ']')}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from vrmdesk.store import backup

    with open_vault(args) as vault:
        info = backup.make_backup(vault)
    print(f"Backed up to {info.path} ({info.size / 1024 / 1024:.1f} MB).")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from vrmdesk.store import backup

    folder = vault_dir(args)
    backups = backup.list_backups(folder)
    if not args.backup:
        if not backups:
            print(f"There are no backups in {folder / 'backups'}.")
            return 0
        print("Backups, newest first (restore one with `vrmdesk restore N` or a path):")
        for number, info in enumerate(backups, 1):
            reason = f"  ({info.reason})" if info.reason else ""
            print(f"{number:3}  {info.taken:%Y-%m-%d %H:%M:%S} UTC  {info.path.name}{reason}")
        return 0
    if args.backup.isdigit() and not Path(args.backup).exists():
        index = int(args.backup)
        if not 1 <= index <= len(backups):
            raise CliError(f"There is no backup number {index} (there are {len(backups)}).")
        chosen = backups[index - 1].path
    else:
        chosen = Path(args.backup)
    safety = backup.restore(folder, chosen, passphrase=passphrase(args))
    print(f"Restored {chosen.name}.")
    if safety is not None:
        print(f"The vault as it was is kept as {safety.path.name}.")
    else:
        print("The damaged database was moved aside (vault.db.damaged-…).")
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    from vrmdesk.store.vault import Vault

    folder = vault_dir(args)
    if args.recovery_key:
        key = (
            _read_secret_file(args.recovery_key_file)
            if args.recovery_key_file
            else (_prompt("Recovery key", confirm=False))
        )
        vault = Vault.open(folder, recovery_key=key)
    else:
        old = passphrase(args)
        vault = Vault.open(folder, old)
    with vault:
        unseen = vault.unseen_recovery_key  # a key change a kill interrupted was finished
        if unseen is not None:
            print(
                "The change of the vault's key that was interrupted is finished; the new "
                "passphrase opens it."
            )
            _show_recovery_key(unseen)
            vault.acknowledge_recovery_key()
            return 0
        if args.rotate_key:
            done = vault.rotate_key(new_passphrase(args))
            retired = (
                (f"; {len(done.retired_backups)} damaged backups could not be and are deleted")
                if done.retired_backups
                else ""
            )
            print(
                f"The vault has a new data key and the new passphrase: the database, "
                f"{done.attachments} attachments and {done.backups} backups are encrypted "
                f"again{retired}. The old passphrase and the old recovery key open nothing."
            )
            _show_recovery_key(done.recovery_key)
            vault.acknowledge_recovery_key()
            return 0
        if args.recovery_key:
            vault.reset_passphrase(new_passphrase(args))
        else:
            vault.change_passphrase(old, new_passphrase(args))
    print("The passphrase is changed.")
    return 0


def cmd_remember(args: argparse.Namespace) -> int:
    from vrmdesk.store import keystore

    if args.state == "status":
        available, reason = keystore.availability()
        print(f"Keyring: {'available (' + reason + ')' if available else 'unavailable: ' + reason}")
        with open_vault(args, readonly=True) as vault:
            print(
                f"This vault is {'' if vault.is_remembered() else 'not '}remembered on this device."
            )
        return 0
    with open_vault(args, readonly=True) as vault:
        vault.remember(args.state == "on")
    print("Remembered on this device." if args.state == "on" else "Forgotten on this device.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from vrmdesk.store import check
    from vrmdesk.store.vault import read_header, recall_key

    folder = vault_dir(args)
    header = read_header(folder)  # works where the vault will not open: that is when it is needed
    key = recall_key(header) or header.unlock_with_passphrase(passphrase(args))
    if args.repair:
        aside = check.rebuild(folder, key)
        if aside is None:
            print("The vault is intact; there is nothing to rebuild.")
        else:
            print(
                f"Rebuilt the search index and the indexes from the records; the damaged "
                f"database is kept as {aside.name}."
            )
        return 0
    report = check.check_database(folder, key)
    print("\n".join(report.lines()))
    if not report.intact:
        raise CliError(report.summary())
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
    print(f"Fingerprint: {identity.fingerprint}", file=sys.stderr if not args.out else sys.stdout)
    return 0


def run_gui(args: argparse.Namespace) -> int:
    from vrmdesk.ui.app import run  # the only place the command line imports Qt

    return run(vault_dir(args) if args.vault else None)


# -- parser -------------------------------------------------------------------------------------
def _common(default: Any) -> argparse.ArgumentParser:
    """--vault and --passphrase-file, accepted before or after the command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--vault", metavar="DIR", default=default, help="the vault folder (default: your vault)"
    )
    common.add_argument(
        "--passphrase-file",
        metavar="FILE",
        default=default,
        help=f"read the passphrase from FILE (else ${PASSPHRASE_ENV}, else a prompt)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    # A subcommand's copy must not overwrite what was given before the command.
    common = _common(argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="vrmdesk",
        parents=[_common(None)],
        description="Your side of every vendor relationship, encrypted on your own machine. "
        "Without a command, opens the desktop application.",
    )
    parser.add_argument("--version", action="version", version=f"vrmdesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(
        name: str, func: Callable[[argparse.Namespace], int], help: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(func=func)
        return p

    p = add("init", cmd_init, "create a new vault")
    p.add_argument(
        "--remember", action="store_true", help="remember it on this device (OS keyring)"
    )
    add("demo", cmd_demo, "create a vault filled with realistic sample data")
    p = add(
        "info", cmd_info, "show the vault's location, protection, contents and what needs attention"
    )
    p.add_argument("--json", action="store_true")
    p = add("list", cmd_list, "list records of one kind")
    p.add_argument("kind", choices=LIST_KINDS)
    p.add_argument("--vendor", metavar="NAME", help="only those of this vendor (name or id)")
    p.add_argument("--limit", type=positive_int, metavar="N")
    p.add_argument("--json", action="store_true")
    p = add("search", cmd_search, "full-text search over everything")
    p.add_argument("query", type=search_words)
    p.add_argument("--limit", type=positive_int, default=50, metavar="N")
    p.add_argument("--json", action="store_true")
    add("backup", cmd_backup, "take a backup now (the last 10 are kept)")
    p = add("restore", cmd_restore, "list backups, or restore one (number or path)")
    p.add_argument("backup", nargs="?", help="N from the list, or a backup file")
    p = add("passwd", cmd_passwd, "change the passphrase (or set a new one with the recovery key)")
    p.add_argument("--recovery-key", action="store_true", help="unlock with the recovery key")
    p.add_argument("--recovery-key-file", metavar="FILE")
    p.add_argument(
        "--new-passphrase-file",
        metavar="FILE",
        help=f"read the new passphrase from FILE (else ${NEW_PASSPHRASE_ENV}, else a prompt)",
    )
    p.add_argument(
        "--rotate-key",
        action="store_true",
        help="my passphrase may be known: also give the vault a new data key and a new "
        "recovery key, and encrypt everything again (backups included)",
    )
    p = add(
        "remember", cmd_remember, "remember the vault on this device (OS keyring), or forget it"
    )
    p.add_argument("state", choices=("on", "off", "status"))
    p = add(
        "check",
        cmd_check,
        "check the vault's integrity (reads every page): what is damaged, what to do",
    )
    p.add_argument(
        "--repair",
        action="store_true",
        help="rebuild the search index and the indexes from the records, when only they are damaged",
    )
    share = sub.add_parser(
        "share",
        help="share bundles: export to a vendor; verify, open, reply (vendor side); import",
        description="Signed share bundles (format vrmshare/1, see docs/bundle-format.md).",
    )
    share_sub = share.add_subparsers(dest="share_command", metavar="COMMAND", required=True)
    from vrmdesk.share import cli_export, cli_vendor

    cli_export.add_parsers(share_sub, common)
    cli_vendor.add_parsers(share_sub, common)
    p = share_sub.add_parser(
        "identity",
        parents=[common],
        help="show my signing key's fingerprint; export it as a JWK",
        description="My signing identity: the Ed25519 key made with the vault. Prints the public "
        "key as a JWK (or writes it with --out) and its fingerprint.",
    )
    p.add_argument("--out", metavar="FILE", help="write the public JWK to FILE")
    p.set_defaults(func=cmd_identity)
    return parser


def _fail(message: str) -> int:
    """The one-line reason; names and paths in it may hold terminal escapes, so they are shown."""
    from vrmdesk.text import printable

    print(f"vrmdesk: {printable(message)}", file=sys.stderr)
    return 1


def _tolerant_output() -> None:
    """A name the terminal's encoding cannot show is written escaped, not a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_output()
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    try:
        if func is None:
            return run_gui(args)
        return func(args)
    except VrmError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        print("vrmdesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `vrmdesk … | head`: the reader went away; that is fine
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # the last line of defence: never a traceback
        if is_disk_full(exc):
            return _fail(
                "The disk is full: the command could not finish. Free some space and try again."
            )
        if isinstance(exc, OSError):
            what = f"the command on {exc.filename}" if exc.filename else "the command"
            return _fail(str(storage_error(exc, what)))
        return _fail(
            crashlog.one_line(exc, crashlog.record(exc, f"vrmdesk {args.command or 'gui'}"))
        )


if __name__ == "__main__":
    sys.exit(main())

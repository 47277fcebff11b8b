"""``vrmdesk sync …``: this vault kept in step with the household's other devices (docs/sync.md).

    vrmdesk sync init --folder DIR [--name NAME]    this vault syncs through DIR (Syncthing's,
                                                    a cloud drive's, a share, a USB stick)
    vrmdesk sync code [--qr FILE]                   this device's pairing code, on one line
    vrmdesk sync pair CODE [--name NAME] [--yes]    pair with the device whose code it is (CODE
                                                    "-": read from standard input)
    vrmdesk sync now [--json]                       write this device's new sets, apply the others'
    vrmdesk sync status [--json]
    vrmdesk sync devices [--json]
    vrmdesk sync rename DEVICE NAME
    vrmdesk sync revoke DEVICE                      no further sets to it; what it writes is ignored
    vrmdesk sync conflicts [--json]
    vrmdesk sync resolve ID (--keep N | --value TEXT | --keep-deleted | --restore)

``pair`` shows the comparison string and asks whether the other device shows the same; ``--yes``
skips the question (compare the strings yourself). ``now --json`` prints ``{"sent", "applied",
"conflicts", "waiting", "problems": [{"kind", "device", "set", "message"}], …}``; it exits 0
when the sync ran (problems are reported, the rest went on) and 1 when it could not (no folder,
a full disk). A DEVICE is its id, a unique beginning of it, or its name.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from vrmshare.text import printable

from vrmdesk.cli.common import CliError, Subparsers, counted, open_vault, table


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def cmd_init(args: argparse.Namespace) -> int:
    from vrmdesk.sync import engine

    with open_vault(args) as vault:
        where = engine.init(vault, Path(args.folder).expanduser(), name=args.name)
        name = engine.own_name(vault)
    print(f"This vault ({printable(name)}) syncs through {where}.")
    print("Next: `vrmdesk sync code` here, and `vrmdesk sync pair CODE` on the other device.")
    return 0


def cmd_code(args: argparse.Namespace) -> int:
    from vrmdesk.sync import engine, pairing

    with open_vault(args) as vault:
        code = engine.own_code(vault)
    if args.qr:
        out = Path(args.qr).expanduser()
        if not out.parent.is_dir():
            raise CliError(f"The folder {out.parent} does not exist; the QR code was not written.")
        data = pairing.qr_svg(code) if out.suffix.lower() == ".svg" else pairing.qr_png(code)
        from vrmshare.fileutil import atomic_write_bytes

        atomic_write_bytes(out, data)
        print(f"Wrote the QR code to {out}.", file=sys.stderr)
    print(code)
    return 0


def _read_code_argument(text: str) -> str:
    if text == "-":
        return sys.stdin.read(4096)
    return text


def cmd_pair(args: argparse.Namespace) -> int:
    from vrmdesk.sync import engine

    code = engine.read_code(_read_code_argument(args.code))  # refused before the vault opens
    with open_vault(args) as vault:
        shown = engine.comparison(vault, code)
        print(f"Pairing with {printable(args.name or code.name)} ({code.device[:8]}).")
        print(f"Comparison: {shown}")
        if not args.yes:
            if not sys.stdin.isatty():
                raise CliError(
                    "Compare the string above with the other device's, then run this again "
                    "with --yes (no terminal to ask on)."
                )
            answer = input("Does the other device show the same? [y/N] ").strip().lower()
            if answer not in ("y", "yes"):
                raise CliError("Not paired: the strings were not confirmed.")
        device = engine.pair(vault, code, name=args.name)
    print(
        f"Paired with {printable(device.name)} ({device.device[:8]}). Pair this device on "
        "that one too (`vrmdesk sync code` here), then `vrmdesk sync now` on both."
    )
    return 0


def cmd_now(args: argparse.Namespace) -> int:
    from vrmdesk.sync import engine

    with open_vault(args) as vault:
        report = engine.sync_now(vault)
    if args.json:
        _print_json(report.to_json())
        return 0
    for problem in report.problems:
        print(printable(problem["message"]))
    print(report.summary())
    if report.conflicts:
        print("See them with `vrmdesk sync conflicts`.")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from vrmdesk.sync import engine

    with open_vault(args) as vault:
        status = engine.status(vault)
    if args.json:
        _print_json(status.to_json())
        return 0
    if not status.set_up:
        print("This vault does not sync. Set it up with `vrmdesk sync init --folder DIR`.")
        return 0
    last = status.last_sync.strftime("%Y-%m-%d %H:%M UTC") if status.last_sync else "never"
    print(f"Device: {printable(status.name)} ({status.device[:8]})")
    print(f"Folder: {status.folder}")
    print(f"Paired devices: {status.devices}")
    print(f"Last sync: {last}")
    if status.last_report is not None:
        print(f"  {status.last_report.summary()}")
    print(f"Changes not sent yet: {status.unsent}")
    print(f"Sets waiting: {status.waiting}")
    print(f"Open conflicts: {status.conflicts}")
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    from vrmdesk.sync import engine

    with open_vault(args) as vault:
        found = engine.devices(vault)
    if args.json:
        _print_json([d.to_json() for d in found])
        return 0
    if not found:
        print("No paired devices. Pair one with `vrmdesk sync pair CODE`.")
        return 0
    rows = [
        [
            d.device[:8],
            printable(d.name),
            f"{d.paired_at:%Y-%m-%d}",
            str(d.last_set),
            "revoked " + f"{d.revoked_at:%Y-%m-%d}" if d.revoked_at else "",
        ]
        for d in found
    ]
    print(table(["ID", "NAME", "PAIRED", "SETS READ", "STATE"], rows))
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    from vrmdesk.sync import engine

    with open_vault(args) as vault:
        device = engine.rename(vault, args.device, args.name)
    print(f"Device {device.device[:8]} is now {printable(device.name)!r}.")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from vrmdesk.sync import engine

    with open_vault(args) as vault:
        device = engine.revoke(vault, args.device)
    print(
        f"Revoked {printable(device.name)} ({device.device[:8]}): it gets no further change "
        "sets, and what it writes is ignored."
    )
    return 0


def _shown(value: Any) -> str:
    return printable(json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value)


def cmd_conflicts(args: argparse.Namespace) -> int:
    from vrmdesk.sync import engine

    with open_vault(args) as vault:
        found = engine.conflicts(vault)
    if args.json:
        _print_json([c.to_json() for c in found])
        return 0
    if not found:
        print("No open conflicts.")
        return 0
    for c in found:
        what = f"{c.record_kind} {printable(c.record_label)}"
        print(f"[{c.id}] {c.kind}: {what}, field {c.field}")
        for number, v in enumerate(c.versions, 1):
            mark = " (in force)" if number - 1 == c.winner else ""
            when = f"{v.when:%Y-%m-%d %H:%M UTC}"
            print(f"    {number}. {_shown(v.value)!s}  by {printable(v.device_name)}, {when}{mark}")
    print(
        f"{counted(len(found), 'conflict')}. Settle one with `vrmdesk sync resolve ID --keep N` "
        "(or --keep-deleted / --restore)."
    )
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    from vrmdesk.sync import engine

    with open_vault(args) as vault:
        if args.keep is not None:
            engine.resolve(vault, args.id, args.keep - 1)
            print(f"Conflict {args.id}: kept version {args.keep}.")
        elif args.value is not None:
            engine.resolve(vault, args.id, value=args.value)
            print(f"Conflict {args.id}: set to {printable(args.value)!r}.")
        elif args.keep_deleted:
            engine.keep_deleted(vault, args.id)
            print(f"Conflict {args.id}: the record stays deleted.")
        else:
            engine.restore(vault, args.id)
            print(f"Conflict {args.id}: the record is back.")
    print("The other devices take it at their next sync (`vrmdesk sync now`).")
    return 0


def add_parsers(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """The ``sync`` group."""
    group = sub.add_parser(
        "sync",
        help="keep this vault in step with the household's other devices, through a folder",
        description="Sync through a folder that Syncthing, a cloud drive, a network share or a "
        "USB stick replicates: signed, encrypted change sets, merged per field (docs/sync.md).",
    )
    sync_sub = group.add_subparsers(dest="sync_command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, func: Any, *, as_json: bool = False) -> Any:
        p = sync_sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        if as_json:
            p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(func=func)
        return p

    p = command("init", "this vault syncs through DIR from now on", cmd_init)
    p.add_argument(
        "--folder", required=True, metavar="DIR", help="the folder another program syncs"
    )
    p.add_argument("--name", metavar="NAME", help="this device's name (default: the computer's)")
    p = command("code", "print this device's pairing code on one line", cmd_code)
    p.add_argument("--qr", metavar="FILE", help="also write it as a QR code (.png or .svg)")
    p = command("pair", "pair with the device whose pairing code this is", cmd_pair)
    p.add_argument("code", metavar="CODE", help='the other device\'s code ("-": standard input)')
    p.add_argument("--name", metavar="NAME", help="what to call that device here")
    p.add_argument(
        "--yes", action="store_true", help="do not ask: the comparison strings were compared"
    )
    command(
        "now", "write this device's new change sets and apply the others'", cmd_now, as_json=True
    )
    command("status", "the last sync, sets waiting, conflicts", cmd_status, as_json=True)
    command("devices", "the paired devices", cmd_devices, as_json=True)
    p = command("rename", "rename a paired device", cmd_rename)
    p.add_argument("device", metavar="DEVICE", help="its id, a beginning of it, or its name")
    p.add_argument("name", metavar="NAME")
    p = command("revoke", "revoke a device: no further sets, what it writes is ignored", cmd_revoke)
    p.add_argument("device", metavar="DEVICE", help="its id, a beginning of it, or its name")
    command("conflicts", "the open conflicts, with every version", cmd_conflicts, as_json=True)
    p = command("resolve", "settle a conflict", cmd_resolve)
    p.add_argument("id", type=int, metavar="ID", help="the conflict's number (sync conflicts)")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--keep", type=int, metavar="N", help="keep version N (1, 2, …)")
    how.add_argument("--value", metavar="TEXT", help="set the field to this value instead")
    how.add_argument("--keep-deleted", action="store_true", help="the record stays deleted")
    how.add_argument("--restore", action="store_true", help="bring the deleted record back")

"""Commands on the vault as a whole: init, demo, info, backup, restore, passwd, remember, check."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from vrmdesk.cli.common import (
    NEW_PASSPHRASE_ENV,
    AddCommand,
    CliError,
    counted,
    new_passphrase,
    open_vault,
    passphrase,
    prompt,
    read_secret_file,
    show_recovery_key,
    vault_dir,
)


def cmd_init(args: argparse.Namespace) -> int:
    from vrmdesk.store.vault import Vault

    folder = vault_dir(args)
    vault, recovery_key = Vault.create(folder, passphrase(args, confirm=True))
    with vault:
        if args.remember:
            vault.remember(True)
    print(f"Created a vault in {folder}.")
    show_recovery_key(recovery_key)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from vrmdesk.mail.demo import add_demo_mail
    from vrmdesk.store import demo
    from vrmdesk.store.vault import Vault

    folder = vault_dir(args)
    vault, recovery_key = Vault.create(folder, passphrase(args, confirm=True))
    with vault:
        with vault.session() as session:
            counts = demo.build(session, vault.attachments)
        mail = add_demo_mail(vault)
    print(
        f"Created a demo vault in {folder}: {demo.summary(counts)}, {mail.unsorted} unsorted mails."
    )
    print(f"Recovery key: {recovery_key}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from vrmdesk.store import backup, migrate
    from vrmdesk.store.services import dashboard, summary

    with open_vault(args, readonly=True) as vault:
        with vault.session() as session:
            counts = summary.record_counts(session)
            attention = summary.attention_counts(dashboard.dashboard(session))
        backups = backup.list_backups(vault)
        kdf = vault.header.kdf
        info: dict[str, Any] = {
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
        f"Key        Argon2id, {counted(kdf.iterations, 'iteration')}, {kdf.memory_kib // 1024} "
        f"MiB, {counted(kdf.lanes, 'lane')}; remembered on this device: "
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
            read_secret_file(args.recovery_key_file)
            if args.recovery_key_file
            else (prompt("Recovery key", confirm=False))
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
            show_recovery_key(unseen)
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
            show_recovery_key(done.recovery_key)
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
    from vrmdesk.store.paths import read_header, recall_key

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


def add_parsers(add: AddCommand) -> None:
    """The vault commands, through ``add(name, func, help)`` (:func:`vrmdesk.cli.build_parser`)."""
    p = add("init", cmd_init, "create a new vault")
    p.add_argument(
        "--remember", action="store_true", help="remember it on this device (OS keyring)"
    )
    add("demo", cmd_demo, "create a vault filled with realistic sample data")
    p = add(
        "info", cmd_info, "show the vault's location, protection, contents and what needs attention"
    )
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
        help="rebuild the search index and the indexes from the records, when only they are "
        "damaged",
    )

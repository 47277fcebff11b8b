"""Reading records from the command line: list and search."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from vrmdesk.cli.common import AddCommand, open_vault, positive_int, search_words, table

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
    print(table([name for name, _ in columns], cells) if cells else f"No {args.kind}.")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from vrmdesk.store.services import search

    with open_vault(args, readonly=True) as vault, vault.session() as session:
        found = search.run(session, args.query, limit=args.limit)
    hits = found.hits
    if found.note:  # on stderr: --json's output stays JSON
        print(found.note, file=sys.stderr)
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


def add_parsers(add: AddCommand) -> None:
    """list and search, through ``add(name, func, help)``."""
    p = add("list", cmd_list, "list records of one kind")
    p.add_argument("kind", choices=LIST_KINDS)
    p.add_argument("--vendor", metavar="NAME", help="only those of this vendor (name or id)")
    p.add_argument("--limit", type=positive_int, metavar="N")
    p.add_argument("--json", action="store_true")
    p = add("search", cmd_search, "full-text search over everything")
    p.add_argument("query", type=search_words)
    p.add_argument("--limit", type=positive_int, default=50, metavar="N")
    p.add_argument("--json", action="store_true")

"""The merge engine on a decade vault's worth of records: applying one set of 10,000 changes.

    python benchmarks/sync_merge.py [--records 300000] [--changes 10000] [--seed 15]

Builds a merge state holding ``--records`` records (vendors, assets, warranties, interactions,
tickets: six to nine fields each, created by two devices over ten years, a tenth of them edited
since), then applies one set of ``--changes`` changes from a third device the
way a sync would: updates of one to three fields on top of the value in force (a tenth of them
concurrent with an edit of the same field by another device), creates, deletes, attachment
changes and a few edits of records deleted meanwhile. Prints the time of that apply (issue 15's
figure: under 5 s), of applying it again (every change a duplicate), of the state to and from
JSON, and the peak memory. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import time
from typing import Any

from vrmdesk.sync import merge
from vrmdesk.sync.merge import MergeState

DECADE_MS = 10 * 365 * 24 * 3600 * 1000
START_MS = 1_450_000_000_000
KINDS = {
    "vendor": ("name", "vendor_kind", "website", "phone", "email", "notes"),
    "asset": (
        "name",
        "vendor",
        "model",
        "serial",
        "purchase_date",
        "price_cents",
        "status",
        "notes",
    ),
    "warranty": ("asset", "vendor", "starts", "ends", "coverage", "notes"),
    "interaction": ("vendor", "channel", "direction", "occurred_at", "subject", "body", "ticket"),
    "ticket": (
        "vendor",
        "asset",
        "title",
        "status",
        "opened",
        "reference",
        "notes",
        "priority",
        "due",
    ),
}


class Device:
    def __init__(self, name: str) -> None:
        self.device = hashlib.md5(name.encode()).hexdigest()
        self.seq = 0
        self.counter = 0
        self.last = 0

    def stamp(self, ms: int) -> dict[str, Any]:
        self.counter = self.counter + 1 if ms <= self.last else 0
        self.last = max(ms, self.last)
        self.seq += 1
        return {
            "hlc": f"{self.last:016d}-{self.counter:04x}-{self.device}",
            "device": self.device,
            "seq": self.seq,
        }


def value(rng: random.Random, name: str, gids: list[str]) -> Any:
    if name in ("vendor", "asset", "ticket"):
        return rng.choice(gids) if gids else None
    if name.endswith("_cents") or name == "priority":
        return rng.randrange(100_000)
    if name.endswith(("date", "starts", "ends", "opened", "due")):
        return f"20{rng.randrange(15, 26)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    if name == "occurred_at":
        return f"2021-03-04T05:06:07.{rng.randrange(10**6):06d}Z"
    if name == "body" or name == "notes":
        return " ".join(
            rng.choice(("warranty", "repair", "invoice", "call", "the", "pump")) for _ in range(12)
        )
    return f"{name}-{rng.randrange(10**6)}"


def build(rng: random.Random, records: int) -> tuple[MergeState, list[str], int]:
    state = MergeState()
    devices = (Device("desktop"), Device("laptop"))
    gids: list[str] = []
    step = DECADE_MS // max(records, 1)
    ms = START_MS
    batch: list[dict[str, Any]] = []
    edited: set[str] = set()
    for i in range(records):
        kind = rng.choices(list(KINDS), weights=(2, 10, 4, 70, 14))[0]
        gid = f"0193{i:08x}-0000-7000-8000-{rng.getrandbits(48):012x}"
        dev = devices[i % 2]
        fields = {name: value(rng, name, gids) for name in KINDS[kind]}
        batch.append({**dev.stamp(ms), "op": "create", "kind": kind, "gid": gid, "fields": fields})
        gids.append(gid)
        done = len(gids) - len(batch)  # records already in the state: edits start from them
        if rng.random() < 0.1 and done > 0:
            target = gids[rng.randrange(max(0, done - 5000), done)]
            if target not in edited:  # two edits from one base would be concurrent
                edited.add(target)
                batch.append(edit(state, devices[(i + 1) % 2], ms + 1, target, rng, gids))
        ms += step
        if len(batch) >= 20_000:
            merge.apply(state, batch)
            batch = []
            edited.clear()
    merge.apply(state, batch)
    return state, gids, ms


def edit(
    state: MergeState,
    dev: Device,
    ms: int,
    gid: str,
    rng: random.Random,
    gids: list[str],
) -> dict[str, Any]:
    kind = state.kind_of(gid)
    names = rng.sample(KINDS[kind or "vendor"], rng.randint(1, 3))
    fields = {name: value(rng, name, gids) for name in names}
    base = {name: state.field_hlc(gid, name) for name in names}
    return {
        **dev.stamp(ms),
        "op": "update",
        "kind": kind,
        "gid": gid,
        "fields": fields,
        "base": base,
    }


def change_set(
    rng: random.Random, state: MergeState, gids: list[str], ms: int, size: int
) -> list[dict[str, Any]]:
    phone, other = Device("phone"), Device("laptop-2")
    changes: list[dict[str, Any]] = []
    while len(changes) < size:
        ms += rng.randrange(1, 5000)
        roll = rng.random()
        gid = rng.choice(gids)
        if roll < 0.6:
            changes.append(edit(state, phone, ms, gid, rng, gids))
            if rng.random() < 0.1:  # the same field, from the same base, on another device
                twin = dict(changes[-1])
                twin.update(other.stamp(ms - 1))
                twin["fields"] = {k: value(rng, k, gids) for k in twin["fields"]}
                changes.append(twin)
        elif roll < 0.85:
            kind = rng.choice(list(KINDS))
            new_gid = f"0194{len(changes):08x}-0000-7000-8000-{rng.getrandbits(48):012x}"
            fields = {name: value(rng, name, gids) for name in KINDS[kind]}
            changes.append(
                {**phone.stamp(ms), "op": "create", "kind": kind, "gid": new_gid, "fields": fields}
            )
        elif roll < 0.95:
            changes.append(
                {
                    **phone.stamp(ms),
                    "op": "delete",
                    "kind": state.kind_of(gid),
                    "gid": gid,
                    "fields": {},
                }
            )
            if rng.random() < 0.2:  # edited elsewhere without seeing the delete
                changes.append(edit(state, other, ms + 7, gid, rng, gids))
        else:
            blob = hashlib.sha256(rng.randbytes(16)).hexdigest()
            stamp = phone.stamp(ms)
            base = {"blob": state.field_hlc(gid, "blob")}
            change = {**stamp, "op": "update", "kind": state.kind_of(gid), "gid": gid, "base": base}
            changes.append({**change, "fields": {"blob": blob}})
    rng.shuffle(changes)  # sets arrive in any order; apply sorts by clock
    return changes[:size]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    t0 = time.perf_counter()
    state, gids, ms = build(rng, args.records)
    built = time.perf_counter() - t0
    print(
        f"state: {len(state):,} records, {len(state.conflicts()):,} open conflicts,"
        f" built in {built:.1f} s"
    )

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory with the whole state in memory: {peak:.0f} MiB")

    changes = change_set(rng, state, gids, ms, args.changes)
    # kept per record (in the vault): load the records the set names, apply, write them back
    stored = {gid: json.dumps(state.record_json(gid)) for gid in merge.gids_of(changes)}
    seen = json.dumps(state.to_json(records=False))
    t0 = time.perf_counter()
    partial = MergeState.from_json(json.loads(seen))
    for gid, text in stored.items():
        if text != "null":
            partial.load_record(gid, json.loads(text))
    merge.apply(partial, changes)
    written = [json.dumps(partial.record_json(gid)) for gid in stored]
    took = time.perf_counter() - t0
    print(
        f"the same, holding only the {len(written):,} records it names (load, apply, dump):"
        f" {took * 1000:.0f} ms"
    )

    t0 = time.perf_counter()
    result = merge.apply(state, changes)
    took = time.perf_counter() - t0
    ops = {
        op: sum(1 for r in result.records if r.op == op) for op in ("create", "update", "delete")
    }
    print(
        f"apply one set of {len(changes):,} changes: {took * 1000:.0f} ms (target: under 5 s); "
        f"{result.applied:,} applied, rows to touch {ops}, {len(result.blobs)} blobs, "
        f"{len(result.opened)} conflicts opened"
    )

    t0 = time.perf_counter()
    again = merge.apply(state, changes)
    took = time.perf_counter() - t0
    print(f"the same set again (all {again.skipped:,} duplicates): {took * 1000:.0f} ms")

    t0 = time.perf_counter()
    text = json.dumps(state.to_json(), separators=(",", ":"))
    dumped = time.perf_counter() - t0
    t0 = time.perf_counter()
    MergeState.from_json(json.loads(text))
    loaded = time.perf_counter() - t0
    print(
        f"state as JSON: {len(text) / 2**20:.0f} MiB,"
        f" to JSON {dumped:.1f} s, from JSON {loaded:.1f} s"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory, with the state as JSON too: {peak:.0f} MiB")


if __name__ == "__main__":
    main()

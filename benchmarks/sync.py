"""Figures for sync through a folder (issue 15): printed, never asserted.

    .venv/bin/python benchmarks/sync.py [--quick] [--decade DIR] [--workdir DIR] [--days 365]

Real vaults (``Vault.create``, encrypted, the fast test KDF), a real folder on disk, the real
engine (``vrmdesk.sync.engine``: ``init``, ``pair``, ``sync_now``):

1. **Applying 10,000 changes** (target < 5 s): one device makes them, the other's
   ``engine.sync_now`` applies them (timed, with its peak resident memory and the sets read).
   Three cases a person meets: 10,000 creates (things with a warranty each, as a CSV import on
   the other device makes them), 10,000 updates of existing records (a bulk re-categorise), and a
   mix (updates, creates, deletes; some of the same fields edited on the receiving device
   meanwhile, and some records it edited deleted on the other: conflicts). Each on an empty
   receiving vault and on a decade vault. Beside each, the floors measured in the same run on the
   same sets: decrypting and verifying them (``folder.read_sets``), loading the history of the
   records they touch from the log, and the pure merge (``merge.apply``) over it; what is left is
   writing the rows, the log and the stamps.
2. **Adding a device to the decade vault**: ``engine.init`` (the log's baseline of every record)
   on the generated vault, pairing a fresh vault, the catch-up written and received.
3. **A year of use** on that pair (a household: 3 syncs a day on each of the 2 devices, each a
   handful of edits, mail captured daily, a few new things a month with a receipt PDF of a few
   hundred KB): the folder's size then (sets and blobs) against the vaults' (``--days``).
4. **A sync with nothing new** on the decade vault after that year (target < 100 ms): median and
   p95 of 30, on both devices, with the floor of reading the folder (``read_sets``).

``--quick`` uses a household vault, 1,000 changes and 10 days (about a minute). The decade vault
is generated into the work folder (about 90 s) unless ``--decade DIR`` names one made by
``generate.py --size decade`` (it is copied, not changed). Each run writes to a fresh temporary
folder of its own unless ``--workdir`` is given.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from benchmarks.common import machine_note  # noqa: E402
from vrmdesk.store import changelog, keys  # noqa: E402
from vrmdesk.store import models as m  # noqa: E402
from vrmdesk.store.services import records  # noqa: E402
from vrmdesk.store.vault import Vault  # noqa: E402
from vrmdesk.sync import engine, merge  # noqa: E402
from vrmdesk.sync import folder as sync_folder  # noqa: E402

PASSPHRASE = "vrmdesk benchmark vault"  # generate.py's
T = TypeVar("T")


# -- measuring -------------------------------------------------------------------------------
def _status_kib(key: str) -> int:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> None:
    """Linux: let VmHWM (the peak resident size) start again from the current size."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass


@dataclass
class Timed:
    seconds: float
    rss_before_mib: float
    rss_peak_mib: float
    cpu: float = 0.0  # CPU seconds of this process: less disturbed by a shared machine


def timed(run: Callable[[], T]) -> tuple[T, Timed]:
    """``run()``'s result, its wall time and the process's peak resident size while it ran."""
    _reset_peak()
    before = _status_kib("VmRSS") / 1024
    start, cpu = time.perf_counter(), time.process_time()
    result = run()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return result, Timed(seconds, before, _status_kib("VmHWM") / 1024, cpu)


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back(vault: Vault) -> Iterator[Any]:
    """A session whose work is thrown away (for the floors: nothing of them stays)."""
    try:
        with vault.session() as s:
            yield s
            raise _Rollback
    except _Rollback:
        pass


def folder_bytes(path: Path) -> dict[str, int]:
    out = {"sets": 0, "set_files": 0, "blobs": 0, "blob_files": 0, "other": 0}
    for dirpath, _, names in os.walk(path):
        for name in names:
            size = os.path.getsize(os.path.join(dirpath, name))
            if name.endswith(".vrmsync"):
                out["sets"] += size
                out["set_files"] += 1
            elif os.path.basename(dirpath) == "blobs":
                out["blobs"] += size
                out["blob_files"] += 1
            else:
                out["other"] += size
    return out


def tree_bytes(path: Path) -> int:
    return sum(os.path.getsize(os.path.join(d, n)) for d, _, names in os.walk(path) for n in names)


def vault_text(path: Path) -> str:
    """A vault folder's size, and what of it is the database, its WAL and the attachments."""
    db = path / "vault.db"
    wal = path / "vault.db-wal"
    parts = {
        "database": db.stat().st_size if db.exists() else 0,
        "WAL": wal.stat().st_size if wal.exists() else 0,
        "attachments": tree_bytes(path / "attachments"),
    }
    return f"{mb(tree_bytes(path))} (" + ", ".join(f"{k} {mb(v)}" for k, v in parts.items()) + ")"


def mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


# -- vaults and pairs ------------------------------------------------------------------------
def new_vault(path: Path) -> Vault:
    return Vault.create(path, PASSPHRASE, kdf=keys.fast_params_for_tests())[0]


def pair(a: Vault, b: Vault, shared: Path) -> None:
    engine.init(a, shared, name="desktop")
    engine.init(b, shared, name="laptop")
    engine.pair(a, engine.read_code(engine.own_code(b)))
    engine.pair(b, engine.read_code(engine.own_code(a)))


@dataclass
class Pair:
    sender: Vault
    receiver: Vault
    shared: Path
    label: str
    vendor_ids: dict[int, list[int]] = field(default_factory=dict)  # id(vault) -> vendor ids


def vendor_ids(vault: Vault) -> list[int]:
    with vault.session() as s:
        return list(s.scalars(select(m.Vendor.id).order_by(m.Vendor.id)))


# -- the changes ------------------------------------------------------------------------------
BATCH = 1000


def make_things(vault: Vault, count: int, tag: str, rng: random.Random) -> list[tuple[str, str]]:
    """``count`` changes' worth of new things, each with a warranty (half things, half
    warranties), in one unit of work as an import makes them; returns (asset gid, warranty gid)."""
    vendors = vendor_ids(vault)
    made: list[tuple[m.Asset, m.Warranty]] = []
    with vault.session() as s:
        ids = records.IdAllocator(s)
        for i in range(count // 2):
            asset = records.add(
                s,
                m.Asset,
                name=f"{tag} thing {i}",
                category="kitchen",
                maker_id=rng.choice(vendors),
                model=f"M-{rng.randrange(10**6)}",
                serial_number=f"SN{rng.randrange(10**9)}",
                purchase_date=date(2026, 1, 1) + timedelta(days=i % 300),
                price_minor=rng.randrange(1000, 200_000),
                currency="EUR",
            )
            ids.assign(asset)
            warranty = records.add(
                s,
                m.Warranty,
                asset_id=asset.id,
                title="Manufacturer's warranty",
                starts_on=asset.purchase_date,
                months=24,
            )
            ids.assign(warranty)
            made.append((asset, warranty))
            if len(made) % BATCH == 0:
                s.flush()
        s.flush()
        return [(a.gid, w.gid) for a, w in made]


def recategorise(vault: Vault, things: list[tuple[str, str]], *, category: str, notes: str) -> int:
    """One field of each record changed (a thing's category, its warranty's notes)."""
    gids = [g for pair_ in things for g in pair_]
    n = 0
    with vault.session() as s:
        for start in range(0, len(gids), BATCH):
            chunk = gids[start : start + BATCH]
            for asset in s.scalars(select(m.Asset).where(m.Asset.gid.in_(chunk))):
                asset.category = category
                n += 1
            for warranty in s.scalars(select(m.Warranty).where(m.Warranty.gid.in_(chunk))):
                warranty.notes = notes
                n += 1
            s.flush()
    return n


def edit_warranties(vault: Vault, gids: list[str], notes: str) -> None:
    with vault.session() as s:
        for start in range(0, len(gids), BATCH):
            chunk = gids[start : start + BATCH]
            for warranty in s.scalars(select(m.Warranty).where(m.Warranty.gid.in_(chunk))):
                warranty.notes = notes
            s.flush()


def delete_warranties(vault: Vault, gids: list[str]) -> None:
    with vault.session() as s:
        for start in range(0, len(gids), BATCH):
            chunk = gids[start : start + BATCH]
            for warranty in s.scalars(select(m.Warranty).where(m.Warranty.gid.in_(chunk))):
                s.delete(warranty)
            s.flush()


# -- 1. applying 10,000 changes ----------------------------------------------------------------
@dataclass
class ApplyFigure:
    case: str
    vault: str
    changes: int
    send: Timed
    sync: Timed
    report: engine.Report
    read_sets: float
    history: float
    merge: float
    history_changes: int


def floors(vault: Vault, shared: Path) -> tuple[float, float, float, int]:
    """Decrypt+verify the ready sets, load the history of what they touch, merge: each timed,
    nothing kept."""
    with rolled_back(vault) as s:
        incoming, t_read = timed(lambda: sync_folder.read_sets(s, shared))
        changes = [c for r in incoming.ready for c in r.changes]
        conn = s.connection()
        gids = merge.gids_of(changes)
        history, t_hist = timed(lambda: changelog.history(conn, gids))
        state = merge.MergeState()

        def merged() -> None:
            merge.apply(state, history)
            merge.apply(state, changes)

        _, t_merge = timed(merged)
    return t_read.seconds, t_hist.seconds, t_merge.seconds, len(history)


def measure_apply(p: Pair, case: str, make: Callable[[], object]) -> ApplyFigure:
    make()
    sent, t_send = timed(lambda: engine.sync_now(p.sender))
    read, hist, merged, n_hist = floors(p.receiver, p.shared)
    report, t_sync = timed(lambda: engine.sync_now(p.receiver))
    engine.sync_now(p.sender)  # takes what the receiver sent (its own edits, renames)
    return ApplyFigure(case, p.label, sent.sent, t_send, t_sync, report, read, hist, merged, n_hist)


def apply_cases(p: Pair, changes: int, rng: random.Random) -> list[ApplyFigure]:
    out: list[ApplyFigure] = []
    things: list[tuple[str, str]] = []

    def creates() -> None:
        things.extend(make_things(p.sender, changes, "imported", rng))

    out.append(measure_apply(p, "creates (things + warranties)", creates))
    out.append(
        measure_apply(
            p,
            "updates (re-categorise)",
            lambda: recategorise(p.sender, things, category="household", notes="checked"),
        )
    )

    def mix() -> None:
        # of `changes`: half updates (a fifth of them edited on the receiver too: conflicts),
        # three tenths creates, a fifth deletes (a tenth of those edited on the receiver after
        # the delete was made: conflicts of an edit after a delete)
        n_update, n_create = changes // 2, changes * 3 // 10
        n_delete = changes - n_update - n_create
        shuffled = list(things)
        rng.shuffle(shuffled)
        updated = shuffled[: n_update // 2]  # both of a pair: thing and warranty
        deleted = [w for _, w in shuffled[n_update // 2 : n_update // 2 + n_delete]]
        recategorise(p.sender, updated, category="kitchen", notes="claimed")
        make_things(p.sender, n_create, "bought", rng)
        delete_warranties(p.sender, deleted)
        edit_warranties(p.receiver, [w for _, w in updated[: n_update // 10]], "on the laptop")
        edit_warranties(p.receiver, deleted[: n_delete // 10], "edited, deleted elsewhere")

    out.append(measure_apply(p, "mix (updates, creates, deletes, conflicts)", mix))
    return out


def print_apply(figures: list[ApplyFigure]) -> None:
    print(
        "\n1. Applying a set of changes through engine.sync_now on the receiving vault"
        " (target < 5 s for 10,000)"
    )
    for f in figures:
        r = f.report
        rest = f.sync.seconds - f.read_sets - f.history - f.merge
        target = 5 * max(f.changes, 1) / 10_000  # 5 s for 10,000, scaled to the changes
        verdict = f"{'met' if f.sync.seconds < target else 'MISSED'}: < {target:.1f} s"
        print(
            f"  {f.vault:>6} | {f.case}: {f.changes:,} changes in {r.sets_applied} sets: "
            f"{f.sync.seconds:.2f} s ({verdict}; {f.sync.cpu:.2f} s CPU), "
            f"peak RSS {f.sync.rss_peak_mib:.0f} MiB (from {f.sync.rss_before_mib:.0f}); "
            f"applied {r.applied:,}, conflicts open {r.conflicts:,}, waiting {r.waiting}, "
            f"problems {len(r.problems)}"
        )
        print(
            f"           floors: decrypt+verify {f.read_sets:.2f} s, history of "
            f"{f.history_changes:,} changes {f.history:.2f} s, merge {f.merge:.2f} s; "
            f"the rest (rows, log, stamps, conflicts) {rest:.2f} s; "
            f"sending them took {f.send.seconds:.2f} s"
        )


# -- 2. adding a device to a big vault --------------------------------------------------------
@dataclass
class Joined:
    records: int
    baseline: Timed
    catchup_send: Timed
    catchup_receive: Timed
    sent: engine.Report
    received: engine.Report
    folder: dict[str, int]
    vaults: str = ""


def join(big: Vault, fresh: Vault, shared: Path) -> Joined:
    with big.session() as s:
        count = len(changelog.snapshot(s))
    _, t_base = timed(lambda: engine.init(big, shared, name="desktop"))
    engine.init(fresh, shared, name="laptop")
    engine.pair(big, engine.read_code(engine.own_code(fresh)))
    engine.pair(fresh, engine.read_code(engine.own_code(big)))
    sent, t_send = timed(lambda: engine.sync_now(big))
    received, t_recv = timed(lambda: engine.sync_now(fresh))
    engine.sync_now(big)
    vaults = f"desktop {vault_text(big.folder)}; laptop {vault_text(fresh.folder)}"
    return Joined(count, t_base, t_send, t_recv, sent, received, folder_bytes(shared), vaults)


def print_join(j: Joined, label: str) -> None:
    print(f"\n2. Adding a device to the {label} vault ({j.records:,} synced records)")
    print(
        f"  engine.init (the log's baseline of every record): {j.baseline.seconds:.1f} s, "
        f"peak RSS {j.baseline.rss_peak_mib:.0f} MiB"
    )
    print(
        f"  catch-up written: {j.sent.sent:,} changes in {j.sent.sets_sent} sets, "
        f"{j.catchup_send.seconds:.1f} s, peak RSS {j.catchup_send.rss_peak_mib:.0f} MiB"
    )
    print(
        f"  catch-up received by the new device: {j.received.applied:,} changes, "
        f"{j.received.sets_applied} sets, {j.catchup_receive.seconds:.1f} s "
        f"({j.catchup_receive.cpu:.1f} s CPU), peak RSS "
        f"{j.catchup_receive.rss_peak_mib:.0f} MiB (from {j.catchup_receive.rss_before_mib:.0f})"
        f"; problems {len(j.received.problems)}"
    )
    f = j.folder
    print(
        f"  the folder then: {f['set_files']} sets {mb(f['sets'])}, {f['blob_files']} blobs "
        f"{mb(f['blobs'])}"
    )
    print(f"  the vaults then: {j.vaults}")


# -- 3. a year of use --------------------------------------------------------------------------
PDF_HEAD = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


@dataclass
class Year:
    days: int
    syncs: int
    edits: int
    mails: int
    things: int
    pdf_bytes: int
    seconds: float
    sync_seconds: list[float]
    before: dict[str, int]
    after: dict[str, int]
    vaults: dict[str, str]


def a_year(p: Pair, days: int, rng: random.Random) -> Year:
    devices = (p.sender, p.receiver)
    vendors = {id(v): vendor_ids(v) for v in devices}
    assets: dict[int, list[int]] = {}
    for v in devices:
        with v.session() as s:
            assets[id(v)] = list(s.scalars(select(m.Asset.id)))
    before = folder_bytes(p.shared)
    edits = mails = things = pdf_bytes = 0
    took: list[float] = []
    start = time.perf_counter()
    day0 = datetime(2027, 1, 1, tzinfo=UTC)
    for day in range(days):
        when = day0 + timedelta(days=day)
        for round_ in range(3):
            for v in devices:
                with v.session() as s:
                    for _ in range(rng.randint(1, 5)):  # a handful of edits
                        if rng.random() < 0.5 and assets[id(v)]:
                            ident = rng.choice(assets[id(v)])
                            records.update(
                                s, m.Asset, ident, notes=f"checked {when:%Y-%m-%d} #{round_}"
                            )
                        else:
                            records.update(
                                s,
                                m.Vendor,
                                rng.choice(vendors[id(v)]),
                                notes=f"called {when:%Y-%m-%d}, ref {rng.randrange(10**6)}",
                            )
                        edits += 1
                    if v is p.sender and round_ == 0:  # mail captured daily, on the desktop
                        for n in range(rng.randint(1, 6)):
                            records.create(
                                s,
                                m.Interaction,
                                vendor_id=rng.choice(vendors[id(v)]),
                                occurred_at=(when + timedelta(minutes=n)).replace(tzinfo=None),
                                direction="inbound",
                                channel="email",
                                subject=f"Your order {rng.randrange(10**7)}",
                                body=" ".join(
                                    rng.choice(WORDS) for _ in range(rng.randint(60, 140))
                                ),
                            )
                            mails += 1
                    if day % 10 == round_ * 3 and v is devices[day % 2]:  # ~3 things a month
                        asset = records.create(
                            s,
                            m.Asset,
                            name=f"New thing {day}",
                            maker_id=rng.choice(vendors[id(v)]),
                            purchase_date=when.date(),
                        )
                        size = rng.randint(150_000, 450_000)
                        content = PDF_HEAD + rng.randbytes(size)
                        v.attachments.add(s, asset, io.BytesIO(content), name="receipt.pdf")
                        assets[id(v)].append(asset.id)
                        things += 1
                        pdf_bytes += len(content)
                _, t = timed(lambda v=v: engine.sync_now(v))  # type: ignore[misc]
                took.append(t.seconds)
        for v in devices:  # the other device's new things can be edited too
            with v.session() as s:
                assets[id(v)] = list(s.scalars(select(m.Asset.id)))
    seconds = time.perf_counter() - start
    return Year(
        days,
        len(took),
        edits,
        mails,
        things,
        pdf_bytes,
        seconds,
        took,
        before,
        folder_bytes(p.shared),
        {"sender": vault_text(p.sender.folder), "receiver": vault_text(p.receiver.folder)},
    )


WORDS = tuple(
    " ".join(
        (
            "your order has shipped the invoice for warranty repair appointment confirmed",
            "engineer will call between delivery tracking number reference thank you for",
            "contacting support we have received payment monthly statement tariff renewal",
            "notice please find attached",
        )
    ).split(" ")
)


def print_year(y: Year, label: str) -> None:
    b, a = y.before, y.after
    sets, set_files = a["sets"] - b["sets"], a["set_files"] - b["set_files"]
    blobs, blob_files = a["blobs"] - b["blobs"], a["blob_files"] - b["blob_files"]
    print(
        f"\n3. A year of use, generated ({y.days} days on the {label} pair: {y.syncs:,} syncs, "
        f"{y.edits:,} edits, {y.mails:,} mails captured, {y.things} new things with a receipt of "
        f"{mb(y.pdf_bytes)} in all; generated in {y.seconds:.0f} s)"
    )
    print(
        f"  sets written in the year: {set_files:,} files, {mb(sets)} "
        f"({sets / max(set_files, 1) / 1e3:.1f} kB a set); blobs: {blob_files} files, {mb(blobs)}"
    )
    print(
        f"  the whole folder: {a['set_files']:,} sets {mb(a['sets'])} (the catch-up's "
        f"{b['set_files']:,} sets {mb(b['sets'])} among them), {a['blob_files']:,} blobs "
        f"{mb(a['blobs'])}, other {mb(a['other'])}; total "
        f"{mb(a['sets'] + a['blobs'] + a['other'])}"
    )
    print(f"  the vaults' folders: desktop {y.vaults['sender']}, laptop {y.vaults['receiver']}")
    took = sorted(y.sync_seconds)
    print(
        f"  each sync of the year (a handful of changes each way): median "
        f"{statistics.median(took) * 1000:.0f} ms, p95 {percentile(took, 95) * 1000:.0f} ms, "
        f"max {took[-1] * 1000:.0f} ms"
    )


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


# -- 4. a sync with nothing new ----------------------------------------------------------------
def nothing_new(p: Pair, runs: int) -> dict[str, tuple[list[float], list[float]]]:
    out: dict[str, tuple[list[float], list[float]]] = {}
    for name, v in (("desktop", p.sender), ("laptop", p.receiver)):
        engine.sync_now(v)  # anything left over
        syncs, reads = [], []
        for _ in range(runs):
            report, t = timed(lambda v=v: engine.sync_now(v))  # type: ignore[misc]
            assert report.applied == 0 and report.sent == 0, report
            syncs.append(t.seconds)
            with rolled_back(v) as s:
                _, t = timed(lambda s=s: sync_folder.read_sets(s, p.shared))  # type: ignore[misc]
            reads.append(t.seconds)
        out[name] = (syncs, reads)
    return out


def print_nothing_new(figures: dict[str, tuple[list[float], list[float]]], shared: Path) -> None:
    f = folder_bytes(shared)
    print(
        f"\n4. A sync with nothing new (target < 100 ms), the folder holding {f['set_files']:,} "
        f"sets and {f['blob_files']:,} blobs"
    )
    for name, (syncs, reads) in figures.items():
        med, p95 = statistics.median(syncs) * 1000, percentile(syncs, 95) * 1000
        print(
            f"  {name}: median {med:.1f} ms, p95 {p95:.1f} ms ({'met' if p95 < 100 else 'MISSED'}) "
            f"over {len(syncs)}; the floor, reading the folder (read_sets): median "
            f"{statistics.median(reads) * 1000:.1f} ms"
        )


# -- the run -----------------------------------------------------------------------------------
def big_vault(work: Path, given: Path | None, size: str) -> Path:
    if given is None:
        given = work / f"generated-{size}"
        if not given.exists():
            print(f"generating a {size} vault into {given} …", flush=True)
            subprocess.run(
                [sys.executable, "benchmarks/generate.py", "--size", size, "--out", str(given)],
                check=True,
                cwd=ROOT,
                capture_output=True,
            )
    copy = work / "desktop-big"
    shutil.copytree(given, copy)
    return copy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    parser.add_argument("--decade", type=Path, help="a vault made by generate.py --size decade")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--changes", type=int, help="changes per case (default 10,000)")
    parser.add_argument("--days", type=int, help="days of use generated (default 365)")
    parser.add_argument("--runs", type=int, default=30, help="syncs with nothing new")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument(
        "--empty-only", action="store_true", help="only part 1 on an empty receiving vault"
    )
    args = parser.parse_args(argv)
    changes = args.changes or (1_000 if args.quick else 10_000)
    days = args.days or (10 if args.quick else 365)
    size = "household" if args.quick else "decade"
    rng = random.Random(args.seed)
    print(machine_note(), flush=True)
    with tempfile.TemporaryDirectory(prefix="vrmdesk-sync-bench-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        figures: list[ApplyFigure] = []

        # empty receiving vault: the sender starts with a few vendors only
        a, b = new_vault(work / "empty-a"), new_vault(work / "empty-b")
        with a.session() as s:
            for i in range(40):
                records.create(s, m.Vendor, name=f"Vendor {i}")
        pair(a, b, work / "shared-empty")
        engine.sync_now(a)
        engine.sync_now(b)
        engine.sync_now(a)
        figures.extend(apply_cases(Pair(a, b, work / "shared-empty", "empty"), changes, rng))
        a.close()
        b.close()
        print_apply(figures)
        if args.empty_only:
            return 0

        big = Vault.open(big_vault(work, args.decade if not args.quick else None, size), PASSPHRASE)
        fresh = new_vault(work / "laptop-big")
        shared = work / "shared-big"
        joined = join(big, fresh, shared)
        print_join(joined, size)
        p = Pair(big, fresh, shared, size)
        year = a_year(p, days, rng)
        print_year(year, size)
        print_nothing_new(nothing_new(p, args.runs), shared)
        big_figures = apply_cases(p, changes, rng)
        print_apply(big_figures)
        big.close()
        fresh.close()
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Run the benchmark workload on an encrypted vault and on its plain SQLite twin; print the figures.

    python benchmarks/run.py --vault DIR --plain DIR [--skip-large]
    python benchmarks/run.py --generate --size decade [--scale K] [--workdir DIR] [--skip-large]
    python benchmarks/run.py --generate --size household   # a quick run

With ``--generate`` and no ``--workdir`` the vaults go to a fresh temporary folder, removed at
the end unless ``--keep`` is given; generated that way the encrypted vault has calibrated
Argon2id parameters (``--kdf fast`` for the test profile).

The same workload runs on both, in the same run, phase by phase (encrypted, then plain):

- open after the key is derived, to the dashboard answered: ``Vault.open(folder, data_key=…)``
  then ``services.dashboard.dashboard(session)`` (plain: ``make_engine`` then the dashboard), each
  sample in a fresh process (imports done before the clock starts), median of several; warm
  (the files in the OS page cache, as left by the sample before) and cold (every file of the
  vault folder evicted with ``posix_fadvise(POSIX_FADV_DONTNEED)`` before the clock starts);
- open including key derivation: ``Vault.open(folder, passphrase)`` with the vault's own Argon2id
  parameters (``generate.py --kdf calibrated`` for the ones ``vrmdesk init`` picks), then the
  dashboard, cold;
- full-text search over the generator's 100 queries and the hard cases of ``search.py`` (the 60
  commonest words, 1-2 letter prefixes, phrases, a pasted paragraph), each ``services.search``
  plus ``hits.describe`` of its hits, once on a freshly opened vault (first pass) and once more
  (warm), p95 and max;
- one edit committed, 200 times (update an interaction's subject / create an interaction,
  alternately, each in its own session), p95; the edits are undone afterwards (not timed);
- the first page (50) of the timeline of the vendor with the most interactions, and a deep page
  reached through the cursor, p95 of several fetches, each in a fresh session;
- the sum of all of the above, encrypted against plain;
- a 500 MB attachment stored and read back (encrypted vault only), peak memory growth measured
  with ``getrusage(RUSAGE_SELF).ru_maxrss`` in a fresh process (``--skip-large`` skips it);
- one key derivation with the parameters ``keys.calibrate()`` picks.

Targets come from issue 2. They are printed beside the figures and never asserted: the machine
is shared and noisy, so a figure near its target needs a second run before it means anything.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import search as search_set  # noqa: E402
from common import machine_note, make_plain_engine  # noqa: E402
from sqlalchemy import bindparam, delete, update  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from vrmdesk.store import keys  # noqa: E402
from vrmdesk.store import models as m  # noqa: E402
from vrmdesk.store.services import dashboard, records, timeline  # noqa: E402

HOME_SHOWN = 20  # what the home page shows of each section (vrmdesk/ui/home/page.py)
from vrmdesk.store.vault import Vault  # noqa: E402

INFO_NAME = "bench.json"
LARGE_MB = 500
OPEN_SAMPLES = 7
TIMELINE_SAMPLES = 30
DEEP_PAGE = 300


def ms(seconds: float) -> float:
    return seconds * 1000.0


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(0.95 * len(ordered) + 0.5) - 1))
    return ordered[index]


# -- the two sides -------------------------------------------------------------------------------


class Side:
    """One database to run the workload on: the encrypted vault or the plain twin."""

    def __init__(self, label: str, folder: Path, data_key: bytes | None) -> None:
        self.label = label
        self.folder = folder
        self.data_key = data_key
        self.vault: Vault | None = None
        self.engine = None
        self._sessions: sessionmaker[Session] | None = None

    @property
    def encrypted(self) -> bool:
        return self.data_key is not None

    def open(self) -> None:
        if self.encrypted:
            self.vault = Vault.open(self.folder, data_key=self.data_key)
        else:
            self.engine = make_plain_engine(self.folder / "vault.db")
            self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        if self.vault is not None:
            self.vault.close()
            self.vault = None
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work committed at the end, as ``Vault.session`` does it."""
        if self.vault is not None:
            with self.vault.session() as session:
                yield session
            return
        assert self._sessions is not None
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def raw_engine(self):  # type: ignore[no-untyped-def]
        return self.vault.engine if self.vault is not None else self.engine


@dataclass
class Figure:
    name: str
    target: str
    unit: str = "ms"
    encrypted: float | None = None
    plain: float | None = None
    meets: Callable[[float | None, float | None], bool | None] = lambda e, p: None
    note: str = ""

    def ratio(self) -> float | None:
        if self.encrypted is None or not self.plain:
            return None
        return self.encrypted / self.plain


@dataclass
class Results:
    figures: list[Figure] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    total: dict[str, float] = field(default_factory=lambda: {"encrypted": 0.0, "plain": 0.0})

    def add_time(self, label: str, seconds: float) -> None:
        self.total[label] += seconds


def _below(limit_ms: float) -> Callable[[float | None, float | None], bool | None]:
    return lambda e, p: None if e is None else e < limit_ms


# -- child processes -----------------------------------------------------------------------------


def evict(folder: Path) -> int:
    """Drop every file under ``folder`` from the OS page cache; returns how many.

    ``POSIX_FADV_DONTNEED`` leaves dirty pages, so each file is synced first (the vault is closed
    and checkpointed by then, so there is nothing to write but it costs nothing to be sure)."""
    count = 0
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fdatasync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
        count += 1
    return count


def _child(argv: list[str]) -> int:
    """Entry point of the fresh processes: ``run.py --child open|large`` with JSON on stdin."""
    what = argv[0]
    params = json.loads(sys.stdin.read())
    folder = Path(params["folder"])
    data_key = bytes.fromhex(params["data_key"]) if params.get("data_key") else None
    if what == "open":
        out: dict[str, Any] = {}
        if params.get("cold"):
            out["evicted_files"] = evict(folder)
        passphrase = params.get("passphrase")
        for attempt in ("fresh_process", "warm_process"):
            t0 = time.perf_counter()
            side = Side("x", folder, data_key)
            if passphrase and attempt == "fresh_process":
                side.vault = Vault.open(folder, passphrase)  # the key derived as the dialog does
            else:
                side.open()
            t1 = time.perf_counter()
            with side.session() as session:
                if params.get("home"):  # what the window's home page asks: 20 a section
                    items = dashboard.attention(session, limit=HOME_SHOWN).total
                else:  # the whole dashboard (what `vrmdesk info` counts)
                    items = dashboard.dashboard(session).total
                t2 = time.perf_counter()
                parts = {}
                if attempt == "fresh_process":
                    for name, fn in (
                        ("expiring_warranties", dashboard.expiring_warranties),
                        ("follow_ups_due", dashboard.follow_ups_due),
                        ("waiting_too_long", dashboard.waiting_too_long),
                        ("notice_deadlines", dashboard.notice_deadlines),
                        ("service_due", dashboard.service_due),
                        ("over_contact_policy", dashboard.over_contact_policy),
                    ):
                        s0 = time.perf_counter()
                        n = len(fn(session))
                        parts[name] = [round(ms(time.perf_counter() - s0), 2), n]
            side.close()
            out[attempt] = {
                "open": t1 - t0,
                "dashboard": t2 - t1,
                "total": t2 - t0,
                "items": items,
                "parts": parts,
            }
        print(json.dumps(out))
        return 0
    if what == "large":
        print(json.dumps(_large_attachment(folder, data_key, Path(params["tmp"]), params["mb"])))
        return 0
    raise SystemExit(f"unknown child {what}")


#: Linux carries a parent's resident size into a forked child's ru_maxrss (through exec), so a
#: child meant to measure its own peak is started by a small launcher process, not by this one
#: (which may hold hundreds of MB after generating a vault).
_LAUNCHER = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:]).returncode)"


def _run_child(what: str, params: dict[str, Any], *, via_launcher: bool = False) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", what]
    if via_launcher:
        command = [sys.executable, "-c", _LAUNCHER, *command]
    proc = subprocess.run(
        command,
        input=json.dumps(params),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child {what} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


class _Sink:
    """A write-only stream that keeps nothing (the attachment is checked by its hash anyway)."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


def _vm_hwm_kib() -> int | None:
    """This process's own peak resident size (Linux ``VmHWM``), a cross-check of ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _large_attachment(folder: Path, data_key: bytes | None, tmp: Path, mb: int) -> dict[str, Any]:
    assert data_key is not None
    source = tmp / "large-attachment.bin"
    chunk = os.urandom(1024 * 1024)
    t0 = time.perf_counter()
    with source.open("wb") as out:
        for i in range(mb):
            out.write(chunk[i % 7 :] + chunk[: i % 7])  # every MiB different, no dedup inside age
    make_s = time.perf_counter() - t0
    vault = Vault.open(folder, data_key=data_key)
    try:
        with vault.session() as session:  # warm up imports and the session machinery
            session.get(m.Vendor, 1)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        hwm_before = _vm_hwm_kib()
        t0 = time.perf_counter()
        with vault.session() as session:
            asset = records.create(
                session, m.Asset, name="Benchmark: 500 MB video of the installation"
            )
            attachment = vault.attachments.add(session, asset, source)
            asset_id, attachment_id = asset.id, attachment.id
        add_s = time.perf_counter() - t0
        after_add = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        sink = _Sink()
        with vault.session() as session:
            att = session.get(m.Attachment, attachment_id)
            size = vault.attachments.write_to(att, sink)  # type: ignore[arg-type]
        read_s = time.perf_counter() - t0
        after_read = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with vault.session() as session:
            records.delete_record(session, m.Asset, asset_id, attachments=vault.attachments)
    finally:
        vault.close()  # sweeps the now unreferenced encrypted file
        source.unlink(missing_ok=True)
    return {
        "size": size,
        "make_s": make_s,
        "add_s": add_s,
        "read_s": read_s,
        "before_kib": before,
        "after_add_kib": after_add,
        "after_read_kib": after_read,
        "growth_mib": (after_read - before) / 1024,
        "growth_add_mib": (after_add - before) / 1024,
        "hwm_before_kib": hwm_before,
        "hwm_after_kib": _vm_hwm_kib(),
    }


# -- phases --------------------------------------------------------------------------------------


def phase_open(sides: list[Side], res: Results, samples: int, passphrase: str) -> None:
    runs: dict[str, list[dict[str, Any]]] = {s.label: [] for s in sides}
    cold: dict[str, list[dict[str, Any]]] = {s.label: [] for s in sides}
    home_cold: dict[str, list[dict[str, Any]]] = {s.label: [] for s in sides}
    with_kdf: list[dict[str, Any]] = []
    for _ in range(samples):
        for side in sides:  # interleaved, so that noise hits both alike
            params: dict[str, Any] = {
                "folder": str(side.folder),
                "data_key": side.data_key.hex() if side.data_key else None,
            }
            runs[side.label].append(_run_child("open", params))
            cold[side.label].append(_run_child("open", dict(params, cold=True)))
            home_cold[side.label].append(_run_child("open", dict(params, cold=True, home=True)))
            if side.encrypted:
                with_kdf.append(_run_child("open", dict(params, cold=True, passphrase=passphrase)))
    fig = Figure("open -> dashboard, fresh process (median)", "< 300 ms", meets=_below(300))
    warm = Figure("open -> dashboard, fresh engine (median)", "< 300 ms", meets=_below(300))
    for side in sides:
        fresh = [r["fresh_process"]["total"] for r in runs[side.label]]
        again = [r["warm_process"]["total"] for r in runs[side.label]]
        res.add_time(side.label, sum(fresh))
        setattr(fig, side.label, ms(statistics.median(fresh)))
        setattr(warm, side.label, ms(statistics.median(again)))
        first = runs[side.label][len(runs[side.label]) // 2]["fresh_process"]
        fresh_runs = [r["fresh_process"] for r in runs[side.label]]
        opened = ms(statistics.median(r["open"] for r in fresh_runs))
        dashboard = ms(statistics.median(r["dashboard"] for r in fresh_runs))
        res.details.append(
            f"open ({side.label}): open {opened:.1f} ms + dashboard {dashboard:.1f} ms "
            f"(median of {samples}; samples {', '.join(f'{ms(x):.0f}' for x in fresh)} ms); "
            f"{first['items']} items; parts (warm, ms, rows): {first['parts']}"
        )
    cold_fig = Figure(
        "open -> dashboard, cold cache, fresh process (median)", "< 300 ms", meets=_below(300)
    )
    for side in sides:
        values = [r["fresh_process"]["total"] for r in cold[side.label]]
        setattr(cold_fig, side.label, ms(statistics.median(values)))
        runs_c = [r["fresh_process"] for r in cold[side.label]]
        res.details.append(
            f"open cold ({side.label}, {cold[side.label][0]['evicted_files']} files evicted): "
            f"open {ms(statistics.median(r['open'] for r in runs_c)):.1f} ms + dashboard "
            f"{ms(statistics.median(r['dashboard'] for r in runs_c)):.1f} ms; samples "
            f"{', '.join(f'{ms(x):.0f}' for x in values)} ms"
        )
    home_fig = Figure(
        f"open -> home page ({HOME_SHOWN} items a section, as the window asks), cold cache",
        "< 300 ms",
        meets=_below(300),
    )
    for side in sides:
        values = [r["fresh_process"]["total"] for r in home_cold[side.label]]
        setattr(home_fig, side.label, ms(statistics.median(values)))
    res.figures.append(home_fig)
    enc = next(s for s in sides if s.encrypted)
    kdf = keys.Header.load(enc.folder / "vault.json", str(enc.folder / "backups")).kdf
    kdf_fig = Figure(
        f"open incl. key derivation (t={kdf.iterations}, m={kdf.memory_kib // 1024} MiB, "
        f"p={kdf.lanes}), cold",
        "-",
        unit="ms",
    )
    values = [r["fresh_process"]["total"] for r in with_kdf]
    kdf_fig.encrypted = ms(statistics.median(values))
    res.details.append(
        "open incl. key derivation (passphrase, cold): "
        f"{ms(statistics.median(r['fresh_process']['open'] for r in with_kdf)):.0f} ms to open + "
        f"{ms(statistics.median(r['fresh_process']['dashboard'] for r in with_kdf)):.1f} ms "
        f"dashboard; samples {', '.join(f'{ms(x):.0f}' for x in values)} ms"
        + (
            " (the vault has the fast test profile: generate with --kdf calibrated)"
            if kdf.memory_kib < 64 * 1024
            else ""
        )
    )
    res.figures += [fig, warm, cold_fig, kdf_fig]


def phase_search(sides: list[Side], res: Results, queries: list[dict[str, str]]) -> None:
    n = len(queries)
    first = Figure(f"search + describe p95, {n} queries, first pass", "< 30 ms", meets=_below(30))
    warm = Figure(f"search + describe p95, {n} queries, warm", "< 30 ms", meets=_below(30))
    worst = Figure(f"search + describe max, {n} queries, warm", "< 100 ms", meets=_below(100))
    for side in sides:
        side.open()
        try:
            passes: list[list[tuple[float, int]]] = []
            for _ in range(2):
                times = []
                with side.session() as session:
                    for q in queries:
                        times.append(search_set.timed_query(session, q["q"]))
                passes.append(times)
        finally:
            side.close()
        for times in passes:
            res.add_time(side.label, sum(t for t, _ in times))
        setattr(first, side.label, ms(p95([t for t, _ in passes[0]])))
        setattr(warm, side.label, ms(p95([t for t, _ in passes[1]])))
        setattr(worst, side.label, ms(max(t for t, _ in passes[1])))
        by_kind: dict[str, list[float]] = {}
        for q, (t, _n) in zip(queries, passes[1], strict=True):
            by_kind.setdefault(q["kind"], []).append(ms(t))
        kinds = "; ".join(f"{k} p95 {p95(v):.1f}" for k, v in by_kind.items())
        slow = sorted(zip(queries, passes[0], passes[1], strict=True), key=lambda x: -x[1][0])[:6]
        slowest = ", ".join(
            f"{q['q']!r} {ms(a[0]):.0f}/{ms(b[0]):.0f} ms ({a[1]} hits)" for q, a, b in slow
        )
        res.details.append(f"search ({side.label}), warm pass by kind (ms): {kinds}")
        res.details.append(f"search ({side.label}), slowest first pass/warm: {slowest}")
        res.details.append(
            f"search ({side.label}): median first "
            f"{ms(statistics.median(t for t, _ in passes[0])):.1f} ms, warm "
            f"{ms(statistics.median(t for t, _ in passes[1])):.1f} ms; max first "
            f"{ms(max(t for t, _ in passes[0])):.1f} ms"
        )
    res.figures += [first, warm, worst]


def phase_timeline(sides: list[Side], res: Results, vendor_id: int) -> None:
    page1 = Figure("timeline first page (50) p95", "< 30 ms", meets=_below(30))
    deep = Figure("timeline deep page via cursor p95", "< 30 ms", meets=_below(30))
    for side in sides:
        side.open()
        try:
            with side.session() as session:
                total = (
                    session.query(m.Interaction)
                    .filter(m.Interaction.vendor_id == vendor_id)
                    .count()
                )
            pages = -(-total // timeline.PAGE)
            deep_page = max(2, min(DEEP_PAGE, pages * 3 // 4))
            deep.name = f"timeline page {deep_page} of {pages} via cursor p95"
            firsts, deeps = [], []
            for _ in range(TIMELINE_SAMPLES):
                with side.session() as session:
                    t0 = time.perf_counter()
                    page = timeline.timeline(session, vendor_id)
                    firsts.append(time.perf_counter() - t0)
            assert len(page.items) == timeline.PAGE
            # walk to the deep page once (not timed), then fetch it again and again
            cursor = None
            walked = 0
            t_walk = time.perf_counter()
            with side.session() as session:
                for _ in range(deep_page - 1):
                    page = timeline.timeline(session, vendor_id, after=cursor)
                    walked += len(page.items)
                    if page.next is None:
                        break
                    cursor = page.next
            walk_s = time.perf_counter() - t_walk
            n_deep = 0
            for _ in range(TIMELINE_SAMPLES):
                with side.session() as session:
                    t0 = time.perf_counter()
                    page = timeline.timeline(session, vendor_id, after=cursor)
                    deeps.append(time.perf_counter() - t0)
                    n_deep = len(page.items)
        finally:
            side.close()
        res.add_time(side.label, sum(firsts) + sum(deeps))
        setattr(page1, side.label, ms(p95(firsts)))
        setattr(deep, side.label, ms(p95(deeps)))
        res.details.append(
            f"timeline ({side.label}): first page median {ms(statistics.median(firsts)):.1f} ms, "
            f"first fetch {ms(firsts[0]):.1f} ms; deep page after {walked:,} rows: median "
            f"{ms(statistics.median(deeps)):.1f} ms ({n_deep} rows); walking {deep_page - 1} pages "
            f"took {walk_s:.2f} s ({ms(walk_s) / max(1, deep_page - 1):.1f} ms a page); {total:,} "
            f"interactions of vendor {vendor_id}"
        )
    res.figures += [page1, deep]


def phase_edits(sides: list[Side], res: Results, info: dict[str, Any]) -> None:
    fig = Figure("one edit committed p95 (200)", "< 10 ms", meets=_below(10))
    ids = info["edit_interaction_ids"][:100]
    vendors = info["edit_vendor_ids"]
    for side in sides:
        side.open()
        times_update, times_create = [], []
        created: list[int] = []
        original: dict[int, tuple[str, Any]] = {}
        try:
            with side.session() as session:
                original = {
                    row.id: (row.subject, row.updated_at)
                    for row in session.query(m.Interaction).filter(m.Interaction.id.in_(ids))
                }
            for i in range(200):
                t0 = time.perf_counter()
                with side.session() as session:
                    if i % 2 == 0:
                        iid = ids[(i // 2) % len(ids)]
                        records.update(
                            session,
                            m.Interaction,
                            iid,
                            subject=f"{original[iid][0]} [edited {i}]"[:500],
                        )
                    else:
                        obj = records.create(
                            session,
                            m.Interaction,
                            vendor_id=vendors[i % len(vendors)],
                            direction="outbound",
                            channel="note",
                            subject=f"Benchmark note {i}",
                            body="Called the hotline again about the replacement drain pump; they "
                            "promised a callback.",
                        )
                        created.append(obj.id)
                elapsed = time.perf_counter() - t0
                (times_update if i % 2 == 0 else times_create).append(elapsed)
        finally:
            # undo (not timed): the vault stays as generated for the next run
            engine = side.raw_engine()
            if engine is not None:
                table = m.Interaction.__table__
                with engine.begin() as conn:
                    if created:
                        conn.execute(delete(table).where(table.c.id.in_(created)))
                    if original:
                        conn.execute(
                            update(table)
                            .where(table.c.id == bindparam("iid"))
                            .values(
                                subject=bindparam("subj"),
                                updated_at=bindparam("upd", type_=table.c.updated_at.type),
                            ),
                            [{"iid": k, "subj": v[0], "upd": v[1]} for k, v in original.items()],
                        )
            side.close()
        both = times_update + times_create
        res.add_time(side.label, sum(both))
        setattr(fig, side.label, ms(p95(both)))
        res.details.append(
            f"edits ({side.label}): update p95 {ms(p95(times_update)):.1f} ms (median "
            f"{ms(statistics.median(times_update)):.1f}), create p95 {ms(p95(times_create)):.1f} "
            f"ms (median {ms(statistics.median(times_create)):.1f}), max {ms(max(both)):.1f} ms"
        )
    res.figures.append(fig)


def phase_large(enc: Side, res: Results, tmp_root: Path, mb: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="vrmdesk-large-", dir=tmp_root))
    try:
        out = _run_child(
            "large",
            {"folder": str(enc.folder), "data_key": enc.data_key.hex(), "tmp": str(tmp), "mb": mb},  # type: ignore[union-attr]
            via_launcher=True,
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    fig = Figure(
        f"{mb} MB attachment add + read: peak RSS growth",
        "< 64 MB",
        unit="MB",
        meets=lambda e, p: None if e is None else e < 64,
    )
    fig.encrypted = out["growth_mib"]
    res.figures.append(fig)
    res.details.append(
        f"large attachment: {out['size'] / 1024**2:.0f} MiB stored in {out['add_s']:.1f} s "
        f"({out['size'] / 1024**2 / out['add_s']:.0f} MiB/s), read back in {out['read_s']:.1f} s "
        f"({out['size'] / 1024**2 / out['read_s']:.0f} MiB/s); ru_maxrss before "
        f"{out['before_kib'] / 1024:.0f} MiB, after add {out['after_add_kib'] / 1024:.0f} MiB, "
        f"after read {out['after_read_kib'] / 1024:.0f} MiB"
        + (
            f" (VmHWM {out['hwm_before_kib'] / 1024:.0f} -> {out['hwm_after_kib'] / 1024:.0f} MiB)"
            if out.get("hwm_before_kib") and out.get("hwm_after_kib")
            else ""
        )
    )


def phase_kdf(res: Results) -> None:
    t0 = time.perf_counter()
    params = keys.calibrate()
    calib_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    params.derive("correct horse battery staple")
    derive_s = time.perf_counter() - t0
    fig = Figure(
        f"key derivation, calibrated (t={params.iterations}, m={params.memory_kib // 1024} MiB, "
        f"p={params.lanes})",
        "0.3-1.5 s",
        unit="s",
        meets=lambda e, p: None if e is None else 0.3 <= e <= 1.5,
    )
    fig.encrypted = derive_s
    res.figures.append(fig)
    res.details.append(
        f"key derivation: calibrate() took {calib_s:.2f} s, one derivation {derive_s:.2f} s"
    )


# -- report --------------------------------------------------------------------------------------


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:.1f} {unit}"


def report(res: Results, info: dict[str, Any], started: datetime, elapsed: float) -> str:
    lines = []
    lines.append(f"vrmdesk benchmarks, {info['size']} vault ({_counts(info)})")
    lines.append(f"run {started:%Y-%m-%d %H:%M}, took {elapsed:.0f} s")
    lines.append(machine_note())
    lines.append(_revision())
    lines.append(
        "caveat: the machine is shared and noisy (other jobs, a virtual disk); figures vary from "
        "run to run by 10-30%, so re-run before trusting one that is near its target."
    )
    lines.append("")
    header = f"{'figure':<58} {'encrypted':>11} {'plain':>11} {'ratio':>6}  {'target':<12} result"
    lines.append(header)
    lines.append("-" * len(header))
    for fig in res.figures:
        ratio = fig.ratio()
        verdict = fig.meets(fig.encrypted, fig.plain)
        result = "-" if verdict is None else ("meets" if verdict else "MISSES")
        lines.append(
            f"{fig.name:<58} {_fmt(fig.encrypted, fig.unit):>11} {_fmt(fig.plain, fig.unit):>11} "
            f"{(f'{ratio:.2f}' if ratio else '-'):>6}  {fig.target:<12} {result}"
        )
    enc, plain = res.total["encrypted"], res.total["plain"]
    if plain:
        ratio = enc / plain
        lines.append(
            f"{'whole workload (sum of the timed operations above)':<58} {_fmt(enc, 's'):>11} "
            f"{_fmt(plain, 's'):>11} {ratio:>6.3f}  {'ratio <= 1.3':<12} "
            f"{'meets' if ratio <= 1.3 else 'MISSES'}"
        )
    lines.append("")
    lines.append("details:")
    lines += [f"  {d}" for d in res.details]
    return "\n".join(lines)


def _revision() -> str:
    """The code measured: other work may be under way in the same tree, so say if it was dirty."""
    root = HERE.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "vrmdesk"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "code: (not a git checkout)"
    changed = len(dirty.splitlines())
    return f"code: vrmdesk at {head}" + (
        f" with {changed} uncommitted file(s) under vrmdesk/" if changed else " (clean)"
    )


def _counts(info: dict[str, Any]) -> str:
    c = info["counts"]
    keys_ = ["vendors", "assets", "warranties", "tickets", "interactions", "offers", "attachments"]
    return ", ".join(f"{c[k]:,} {k}" for k in keys_ if k in c)


# -- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return _child(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vault", type=Path, help="the encrypted vault made by generate.py")
    parser.add_argument("--plain", type=Path, help="its plain twin made by generate.py --plain")
    parser.add_argument(
        "--generate", action="store_true", help="generate both first, under --workdir"
    )
    parser.add_argument("--size", choices=["household", "decade"], default="household")
    parser.add_argument(
        "--scale", type=int, default=1, metavar="K", help="with --generate: every count times K"
    )
    parser.add_argument(
        "--kdf",
        choices=["fast", "calibrated"],
        default="calibrated",
        help="with --generate: the vault's Argon2id parameters (default: calibrated here)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="with --generate: where the vaults go (default: a fresh temporary folder)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder of --generate"
    )
    parser.add_argument(
        "--force", action="store_true", help="with --generate: replace vaults generated before"
    )
    parser.add_argument(
        "--skip-large", action="store_true", help=f"skip the {LARGE_MB} MB attachment"
    )
    parser.add_argument("--large-mb", type=int, default=LARGE_MB, help=argparse.SUPPRESS)
    parser.add_argument("--open-samples", type=int, default=OPEN_SAMPLES)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)

    started = datetime.now()
    t_start = time.perf_counter()
    scratch: Path | None = None  # a temporary workdir to remove at the end
    if args.generate and args.workdir is None:
        args.workdir = Path(tempfile.mkdtemp(prefix="vrmdesk-bench-run-"))
        if not args.keep:
            scratch = args.workdir
    try:
        if args.generate:
            import generate

            workdir = args.workdir
            vault_dir, plain_dir = workdir / "vault", workdir / "plain"
            for folder in (vault_dir, plain_dir):
                if folder.exists():
                    if not args.force:
                        parser.error(
                            f"{folder} exists; use --force to replace it, or --vault/--plain "
                            "to reuse it"
                        )
                    if not (folder / INFO_NAME).exists():
                        parser.error(f"{folder} was not made by generate.py; not removing it")
                    shutil.rmtree(folder)
            print(
                f"generating the {args.size} vault and its plain twin under {workdir} …", flush=True
            )
            info = generate.generate(
                args.size, vault_dir, plain_out=plain_dir, factor=args.scale, kdf=args.kdf
            )
            print(f"generation took {info['generation_seconds']:.1f} s", flush=True)
        else:
            if not (args.vault and args.plain):
                parser.error("give --vault and --plain, or --generate")
            vault_dir, plain_dir = args.vault, args.plain
        info = json.loads((vault_dir / INFO_NAME).read_text())
        plain_info = json.loads((plain_dir / INFO_NAME).read_text())
        if (plain_info["seed"], plain_info["size"], plain_info["today"]) != (
            info["seed"],
            info["size"],
            info["today"],
        ):
            print(
                "warning: the plain twin was generated with other settings; ratios compare "
                "unlike data",
                file=sys.stderr,
            )

        header = keys.Header.load(vault_dir / "vault.json", str(vault_dir / "backups"))
        data_key = header.unlock_with_passphrase(info["passphrase"])
        enc = Side("encrypted", vault_dir.resolve(), data_key)
        plain = Side("plain", plain_dir.resolve(), None)
        sides = [enc, plain]
        res = Results()

        steps: list[tuple[str, Callable[[], None]]] = [
            (
                "open -> dashboard",
                lambda: phase_open(sides, res, args.open_samples, info["passphrase"]),
            ),
            ("search", lambda: phase_search(sides, res, search_set.query_set(info))),
            ("timeline", lambda: phase_timeline(sides, res, info["big_vendor_id"])),
            ("edits", lambda: phase_edits(sides, res, info)),
        ]
        if not args.skip_large:
            steps.append(
                (
                    f"{args.large_mb} MB attachment",
                    lambda: phase_large(enc, res, vault_dir.resolve().parent, args.large_mb),
                )
            )
        steps.append(("key derivation", lambda: phase_kdf(res)))
        for name, step in steps:
            t0 = time.perf_counter()
            print(f"  {name} …", end="", flush=True)
            step()
            print(f" {time.perf_counter() - t0:.1f} s", flush=True)

        text = report(res, info, started, time.perf_counter() - t_start)
        print()
        print(text)
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "started": started.isoformat(timespec="seconds"),
                        "size": info["size"],
                        "figures": [
                            {
                                "name": f.name,
                                "unit": f.unit,
                                "encrypted": f.encrypted,
                                "plain": f.plain,
                                "target": f.target,
                            }
                            for f in res.figures
                        ],
                        "total": res.total,
                        "details": res.details,
                    },
                    indent=1,
                )
            )
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

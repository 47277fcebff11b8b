"""Figures for data in and out (issue 9): printed, never asserted.

    .venv/bin/python benchmarks/interchange.py [--rows 50000] [--decade DIR] [--workdir DIR]

- **CSV import**: a generated things file of ``--rows`` rows (with makers and sellers among 400
  vendors, serial numbers, dates, prices), imported into a new vault in a fresh process: the time
  and the growth of peak memory (``ru_maxrss``) over the process before the import. Target:
  50,000 rows under 20 s, under 100 MB. The same file imported again (nothing changes) too.
- **A 200 MB spreadsheet** (``--big-mb``) of rows with 10 KB notes, as a dry run: the time
  and the growth of peak memory, which streaming keeps flat.
- **Calendar**: the decade vault's deadlines as an ``.ics`` file (``--decade DIR``, a vault made
  by ``benchmarks/generate.py --size decade``; generated into the work folder if not given).
  Target: under 1 s.

Each run writes to a fresh temporary folder of its own unless ``--workdir`` is given.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import decade_vault, machine_note  # noqa: E402

PASSPHRASE = "vrmdesk benchmark vault"

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from vrmdesk.interchange import csv_import
from vrmdesk.store.vault import Vault
folder, csv_path = Path(sys.argv[1]), Path(sys.argv[2])
vault = Vault.open(folder, sys.argv[3])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
prepared = csv_import.prepare(csv_path, "assets")
outcome = csv_import.import_csv(vault, prepared)
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
vault.close()
print(json.dumps({"seconds": seconds, "rss_growth_mb": (after - before) / 1024,
                  "created": outcome.created, "unchanged": outcome.unchanged,
                  "problems": len(outcome.problems)}))
"""


def write_things(path: Path, rows: int, seed: int = 9) -> None:
    rng = random.Random(seed)
    makers = [f"Maker {i:03d}" for i in range(300)]
    shops = [f"Shop {i:03d}" for i in range(100)]
    kinds = ["Dishwasher", "Kettle", "Drill", "Laptop", "Phone", "Bicycle", "Camera", "Heater"]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "Name,Maker,Seller,Model,Serial number,Purchase date,Price,Currency,Location,"
            "Category,Notes\n"
        )
        for i in range(rows):
            kind = rng.choice(kinds)
            day = f"20{rng.randint(15, 26):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            out.write(
                f"{kind} {i},{rng.choice(makers)},{rng.choice(shops)},M-{rng.randint(100, 999)},"
                f"SN{i:08d},{day},{rng.randint(5, 3000)}.{rng.randint(0, 99):02d},EUR,"
                f"Room {rng.randint(1, 12)},{kind}s,Bought for the flat\n"
            )


def import_figures(work: Path, rows: int) -> dict[str, float]:
    from vrmdesk.store import keys
    from vrmdesk.store.vault import Vault

    csv_path = work / "things.csv"
    write_things(csv_path, rows)
    folder = work / "import-vault"
    Vault.create(folder, PASSPHRASE, kdf=keys.fast_params_for_tests())[0].close()
    figures: dict[str, float] = {"rows": rows, "csv_mb": csv_path.stat().st_size / 1e6}
    for label in ("first", "again"):
        result = subprocess.run(
            [sys.executable, "-c", CHILD, str(folder), str(csv_path), PASSPHRASE],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        data = json.loads(result.stdout)
        figures[f"{label}_seconds"] = data["seconds"]
        figures[f"{label}_rss_growth_mb"] = data["rss_growth_mb"]
        figures[f"{label}_created"] = data["created"]
    return figures


BIG_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from vrmdesk.interchange import csv_import
from vrmdesk.store.vault import Vault
folder, csv_path = Path(sys.argv[1]), Path(sys.argv[2])
vault = Vault.open(folder, sys.argv[3])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
prepared = csv_import.prepare(csv_path, "assets")
outcome = csv_import.import_csv(vault, prepared, dry_run=True)
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
vault.close()
print(json.dumps({"seconds": seconds, "rss_growth_mb": (after - before) / 1024,
                  "rows": prepared.rows, "created": outcome.created}))
"""


def big_file_figures(work: Path, megabytes: int) -> dict[str, float]:
    """A spreadsheet of ``megabytes`` MB whose rows carry long notes (10 KB each): read twice
    (deciding how it reads, then the dry run) and held to flat memory by streaming."""
    from vrmdesk.store import keys
    from vrmdesk.store.vault import Vault

    path = work / "big.csv"
    note = "Bought for the flat; receipt in the blue folder. " * 200  # about 10 KB, no commas
    rows = megabytes * 1_000_000 // (len(note) + 60)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Name,Serial number,Purchase date,Price,Notes\n")
        for i in range(rows):
            out.write(f"Thing {i},SN{i:08d},2024-03-{1 + i % 28:02d},{i % 900}.50,{note}\n")
    folder = work / "big-vault"
    Vault.create(folder, PASSPHRASE, kdf=keys.fast_params_for_tests())[0].close()
    result = subprocess.run(
        [sys.executable, "-c", BIG_CHILD, str(folder), str(path), PASSPHRASE],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    data = json.loads(result.stdout)
    return {"mb": path.stat().st_size / 1e6, **data}


def calendar_figures(work: Path, decade: Path | None) -> dict[str, float]:
    from vrmdesk.interchange import calendar
    from vrmdesk.store.vault import Vault

    vault = Vault.open(decade_vault(work, decade), PASSPHRASE, readonly=True)
    try:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            with vault.session() as session:
                events = calendar.write_calendar(session, vault.header.vault_id, work / "d.ics")
            times.append(time.perf_counter() - start)
    finally:
        vault.close()
    return {"events": events, "best_seconds": min(times), "worst_seconds": max(times)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--decade", type=Path, help="a decade vault made by generate.py")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--skip-calendar", action="store_true")
    parser.add_argument(
        "--big-mb", type=int, default=200, help="size of the long-notes file (0: skip it)"
    )
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="vrmdesk-bench-interchange-"))
    work.mkdir(parents=True, exist_ok=True)
    print(machine_note())
    figures = import_figures(work, args.rows)
    print(
        f"CSV import of {figures['rows']:,} things ({figures['csv_mb']:.1f} MB): "
        f"{figures['first_seconds']:.1f} s, peak memory +{figures['first_rss_growth_mb']:.0f} MB "
        f"(target < 20 s, < 100 MB); again (nothing new): {figures['again_seconds']:.1f} s, "
        f"+{figures['again_rss_growth_mb']:.0f} MB, {figures['again_created']:.0f} created"
    )
    if args.big_mb:
        big = big_file_figures(work, args.big_mb)
        print(
            f"Dry run of a {big['mb']:.0f} MB CSV ({big['rows']:,.0f} rows with 10 KB notes): "
            f"{big['seconds']:.1f} s, {big['created']:,.0f} would be created, peak memory "
            f"+{big['rss_growth_mb']:.0f} MB (streamed: memory stays flat)"
        )
    if not args.skip_calendar:
        cal = calendar_figures(work, args.decade)
        print(
            f"Calendar of the decade vault: {cal['events']:.0f} events in "
            f"{cal['best_seconds']:.2f} s best, {cal['worst_seconds']:.2f} s worst (target < 1 s)"
        )
    print(f"work folder: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Figures for the change log (issue 15 part 1): printed, never asserted.

    .venv/bin/python benchmarks/synclog.py [--rows 10000] [--workdir DIR]

- **Write overhead**: a generated things file of ``--rows`` rows (makers and sellers among 400
  vendors; the file of benchmarks/interchange.py) imported through the CSV import into a new
  vault, in a fresh process each, with the change log's session events and with them removed
  (alternately, ``--repeat`` times, the fastest of each): the seconds and CPU seconds (less
  disturbed by a shared machine), the overhead, and the log's rows and bytes in the vault.
- **Replaying** the whole log (``changelog.verify``: every record as the log would make it,
  compared with the rows) and **applying** it to an empty vault (``vrmdesk.sync.apply``).

Each run writes to a fresh temporary folder of its own unless ``--workdir`` is given.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import machine_note  # noqa: E402
from benchmarks.interchange import write_things  # noqa: E402

PASSPHRASE = "vrmdesk benchmark vault"

CHILD = r"""
import json, sys, time
from pathlib import Path
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session
from vrmdesk.interchange import csv_import
from vrmdesk.store import changelog
from vrmdesk.store import models as m
from vrmdesk.store.vault import Vault
folder, csv_path, capture = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[4] == "on"
if not capture:
    event.remove(Session, "before_flush", changelog._before_flush)
    event.remove(Session, "after_flush", changelog._after_flush)
    event.remove(Session, "do_orm_execute", changelog._bulk)
vault = Vault.open(folder, sys.argv[3])
start, cpu = time.perf_counter(), time.process_time()
outcome = csv_import.import_csv(vault, csv_import.prepare(csv_path, "assets"))
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
out = {"seconds": seconds, "cpu_seconds": cpu, "created": outcome.created}
with vault.session() as s:
    out["log_rows"] = s.scalar(select(func.count()).select_from(m.SyncLog))
    out["log_bytes"] = s.scalar(text(
        "SELECT coalesce(sum(length(hlc) + length(gid) + length(fields)"
        " + length(coalesce(base, '')) + 40), 0) FROM sync_log"))
    if capture:
        start = time.perf_counter()
        problems = changelog.verify(s)
        out["verify_seconds"] = time.perf_counter() - start
        out["verify_problems"] = len(problems)
        changes = changelog.entries(s)
vault.close()
if capture:
    from vrmdesk.store import keys
    from vrmdesk.sync.apply import Applier
    from vrmdesk.sync.changes import Change
    target = folder.with_name(folder.name + "-applied")
    other, _ = Vault.create(target, "pw", kdf=keys.fast_params_for_tests())
    start = time.perf_counter()
    with other.session() as s:
        with Applier(s) as applier:
            for change in changes:
                applier.apply(Change.from_json(change))
    out["apply_seconds"] = time.perf_counter() - start
    out["applied"] = len(changes)
    other.close()
print(json.dumps(out))
"""


def figures(work: Path, rows: int, repeat: int) -> dict[str, dict[str, float]]:
    from vrmdesk.store import keys
    from vrmdesk.store.vault import Vault

    csv_path = work / "things.csv"
    write_things(csv_path, rows)
    out: dict[str, dict[str, float]] = {}
    for run in range(repeat):  # alternately, the fastest of each: the machine is shared
        for capture in ("off", "on"):
            folder = work / f"vault-{capture}-{run}"
            Vault.create(folder, PASSPHRASE, kdf=keys.fast_params_for_tests())[0].close()
            result = subprocess.run(
                [sys.executable, "-c", CHILD, str(folder), str(csv_path), PASSPHRASE, capture],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            data = json.loads(result.stdout)
            if capture not in out or data["seconds"] < out[capture]["seconds"]:
                out[capture] = data
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vrmdesk-synclog-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        result = figures(work, args.rows, args.repeat)
    off, on = result["off"], result["on"]
    print(machine_note())
    print(f"CSV import of {args.rows} things ({on['created']} made), fastest of {args.repeat}:")
    print(f"  without the change log: {off['seconds']:.2f} s ({off['cpu_seconds']:.2f} s CPU)")
    print(
        f"  with the change log:    {on['seconds']:.2f} s ({on['cpu_seconds']:.2f} s CPU, "
        f"{(on['cpu_seconds'] / off['cpu_seconds'] - 1) * 100:+.0f} %), {on['log_rows']} log "
        f"entries, about {on['log_bytes'] / 1e6:.1f} MB"
    )
    print(
        f"  replaying the log against the rows (verify): {on['verify_seconds']:.2f} s, "
        f"{on['verify_problems']} problems"
    )
    print(f"  applying the {on['applied']} changes to an empty vault: {on['apply_seconds']:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""GUI figures on a generated vault (the decade vault for the issue's targets), offscreen Qt.

    python benchmarks/gui.py --vault bench-out/decade/vault

Prints, never asserts:
- process start to the unlock dialog shown (a fresh interpreter, median of 5): target < 1.0 s
- after unlock (vault open), main window populated with the home dashboard: target < 500 ms
- each timeline page fetched while scrolling the 20,000-entry timeline (p95): target < 30 ms
- resident memory with the vault open and every page and tab visited: target < 350 MB
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

UNLOCK_CHILD = r"""
import os, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from pathlib import Path
from vrmdesk.ui.app.application import make_app
from vrmdesk.ui.vault.unlock import UnlockDialog
app = make_app()
dialog = UnlockDialog(Path(sys.argv[1]))
dialog.show()
app.processEvents()
print("shown", flush=True)
"""


def rss_mb() -> tuple[float, float]:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def process_to_unlock(folder: Path, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", UNLOCK_CHILD, str(folder)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert child.stdout is not None
        line = child.stdout.readline()
        times.append(time.perf_counter() - start)
        child.wait()
        if line.strip() != "shown":
            raise SystemExit("the unlock dialog did not show")
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vault", type=Path, required=True, help="a vault made by generate.py")
    args = parser.parse_args()
    found = [p for p in (args.vault / "bench.json", args.vault.parent / "bench.json") if p.exists()]
    info = json.loads(found[0].read_text()) if found else {}
    passphrase = info.get("passphrase", "vrmdesk benchmark vault")

    rows: list[tuple[str, str, str]] = []
    start_s = process_to_unlock(args.vault)
    rows.append(
        (
            "process start -> unlock dialog shown (median of 5)",
            f"{start_s * 1000:.0f} ms",
            "< 1000 ms",
        )
    )

    from PySide6.QtCore import QSettings

    settings_dir = tempfile.mkdtemp(prefix="vrmdesk-bench-settings-")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)

    from vrmdesk.store.tempcopies import TempCopies
    from vrmdesk.store.vault import Vault
    from vrmdesk.ui.app.application import make_app
    from vrmdesk.ui.app.main_window import MainWindow
    from vrmdesk.ui.core import preferences as settings
    from vrmdesk.ui.core.controller import VaultController

    app = make_app()
    base_rss, _ = rss_mb()
    vault = Vault.open(args.vault, passphrase)
    started = time.perf_counter()
    controller = VaultController(vault, TempCopies())
    window = MainWindow(controller, settings.Preferences())
    window.resize(1280, 800)
    window.show()
    controller.notify({"*"})
    app.processEvents()
    populated = time.perf_counter() - started
    home = window.pages["home"]
    rows.append(
        (
            "after unlock -> main window populated "
            f"({sum(s.list.count() for s in home.sections.values())} home rows)",
            f"{populated * 1000:.0f} ms",
            "< 500 ms",
        )
    )

    big = info.get("big_vendor_id")
    vendors = window.pages["vendors"]
    if big:
        window.open_record("vendor", big)
        app.processEvents()
        page = vendors.page  # type: ignore[attr-defined]
        page.tabs.setCurrentWidget(page.timeline)
        app.processEvents()
        model = page.timeline.model
        fetches = []
        while model.canFetchMore() and len(fetches) < 400:
            t0 = time.perf_counter()
            model.fetchMore()
            fetches.append(time.perf_counter() - t0)
            if len(fetches) % 20 == 0:
                page.timeline.list.scrollToBottom()
                app.processEvents()
        rows.append(
            (
                f"timeline page fetch while scrolling ({model.rowCount()} rows, {len(fetches)} "
                "fetches) p95",
                f"{p95(fetches) * 1000:.1f} ms",
                "< 30 ms",
            )
        )
        for index in range(page.tabs.count()):
            page.tabs.setCurrentIndex(index)
            app.processEvents()

    window.show_page("things")
    app.processEvents()
    things = window.pages["things"]
    if things.table.model().rowCount():  # type: ignore[attr-defined]
        things.table.selectRow(0)  # type: ignore[attr-defined]
        app.processEvents()
        for index in range(things.panel.tabs.count()):  # type: ignore[attr-defined]
            things.panel.tabs.setCurrentIndex(index)  # type: ignore[attr-defined]
            app.processEvents()
    from vrmdesk.ui.search.dialog import SearchDialog

    dialog = SearchDialog(controller, window)
    dialog.show()
    app.processEvents()
    window.show_page("home")
    app.processEvents()
    rss, peak = rss_mb()
    rows.append(
        (
            "resident memory, every page and tab visited (peak)",
            f"{rss:.0f} MB ({peak:.0f})",
            "< 350 MB",
        )
    )
    rows.append(("  of which Qt and Python before the vault opened", f"{base_rss:.0f} MB", ""))

    controller.lock()
    window.close()
    print(f"vault: {args.vault}  (shared, noisy machine: figures vary run to run)")
    width = max(len(r[0]) for r in rows)
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>16}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

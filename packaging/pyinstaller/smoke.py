"""Smoke-test a frozen vrmdesk and print its figures beside the virtual environment's.

    python packaging/pyinstaller/smoke.py dist/vrmdesk/vrmdesk [--venv .venv/bin/vrmdesk]

Checks, each with a real vault in a temporary folder: ``--version``; ``demo`` creates a vault
(the Alembic migrations and the demo data are inside the build); ``info`` opens it; ``share
export`` then ``share verify`` (the JSON Schema, jwcrypto, the signature); the desktop
application offscreen up to the unlock dialog, which ``VRMDESK_SMOKE=dialog`` closes, and a clean
exit. Then the figures: the build's size on disk, and the median wall time of ``--version`` and of
start → unlock dialog → exit over five runs, frozen and (when given) from the venv. Exits 1 on the
first check that fails, with what the program printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(program: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "VRMDESK_PASSPHRASE": "smoke test passphrase",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        **env,
    }
    return subprocess.run(
        [program, *args], capture_output=True, text=True, env=environment, timeout=180
    )


def check(what: str, done: subprocess.CompletedProcess[str], expect: str) -> None:
    if done.returncode != 0 or expect not in done.stdout:
        print(f"FAILED: {what} (exit {done.returncode})\n{done.stdout}\n{done.stderr}")
        sys.exit(1)
    print(f"ok: {what}")


def median_time(program: str, *args: str, **env: str) -> float:
    times = []
    for _ in range(5):
        start = time.perf_counter()
        run(program, *args, **env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("program", help="the frozen vrmdesk executable")
    parser.add_argument("--venv", help="the venv's vrmdesk, for the figures beside it")
    args = parser.parse_args()
    program = str(Path(args.program).resolve())
    with tempfile.TemporaryDirectory(prefix="vrmdesk-smoke-") as work:
        vault, bundle = Path(work) / "vault", Path(work) / "miele.vrmshare"
        check("--version", run(program, "--version"), "vrmdesk ")
        check("demo", run(program, "--vault", str(vault), "demo"), "Created a demo vault")
        check("info", run(program, "--vault", str(vault), "info"), "Schema")
        check(
            "share export",
            run(
                program,
                "--vault",
                str(vault),
                "share",
                "export",
                "--vendor",
                "Miele",
                "--out",
                str(bundle),
            ),
            "Wrote",
        )
        check(
            "share verify",
            run(program, "share", "verify", str(bundle)),
            "Signature and every file hash: OK",
        )
        check(
            "the desktop application up to the unlock dialog",
            run(program, "--vault", str(vault), VRMDESK_SMOKE="dialog"),
            "the unlock dialog is shown",
        )
        print("\nfigures (median of 5; a shared machine: compare within one run only)")
        folder = Path(program).parent
        print(f"  size of {folder}: {size_of(folder) / 2**20:.0f} MiB")
        for label, exe in (("frozen", program), ("venv", args.venv)):
            if not exe:
                continue
            version = median_time(exe, "--version")
            dialog = median_time(exe, "--vault", str(vault), VRMDESK_SMOKE="dialog")
            print(f"  {label:6}  --version {version:.2f} s   start → dialog → exit {dialog:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

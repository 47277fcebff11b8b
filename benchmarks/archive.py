"""Figures for the lossless archive (issue 9 item 5): printed, never asserted.

    .venv/bin/python benchmarks/archive.py [--decade DIR] [--workdir DIR]

The decade vault's archive (``--decade DIR``, a vault made by ``benchmarks/generate.py --size
decade``, generated into the work folder if not given; 2,000 attachments) exported three ways,
each in a fresh process (time, and the growth of peak memory over the process before it):
encrypted to an age recipient, to a passphrase (age's scrypt, work factor 18, about a second of
it), and plain. Then the same bytes (the plain archive's members, extracted: the JSON Lines and
the attachment plaintexts) through ``tar -c | age -r`` (``age`` itself, or pyrage where the
command is missing). Target: the recipient export within 1.5 times of tar + age.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import decade_vault, machine_note  # noqa: E402

PASSPHRASE = "vrmdesk benchmark vault"

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from pyrage import x25519
from vrmdesk.interchange import archive
from vrmdesk.store.vault import Vault
folder, out, how, recipient = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
vault = Vault.open(folder, sys.argv[5], readonly=True)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
written = archive.export_archive(
    vault,
    out,
    passphrase="bench archive pass" if how == "passphrase" else None,
    recipient=x25519.Recipient.from_str(recipient) if how == "recipient" else None,
)
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
vault.close()
print(json.dumps({"seconds": seconds, "rss_growth_mb": (after - before) / 1024,
                  "size_mb": written.size / 1e6, "files": written.files,
                  "rows": sum(written.rows.values())}))
"""


def export_figures(vault: Path, work: Path, how: str, recipient: str) -> dict[str, float]:
    out = work / f"decade-{how}.vrmarchive"
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(vault), str(out), how, recipient, PASSPHRASE],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    figures: dict[str, float] = json.loads(result.stdout)
    return figures


def tar_age_seconds(work: Path, recipient: str) -> tuple[float, float, str]:
    """(seconds, MB of input) of tar + age over the plain archive's members, and the tool used."""
    members = work / "members"
    shutil.rmtree(members, ignore_errors=True)
    with zipfile.ZipFile(work / "decade-plain.vrmarchive") as zf:
        zf.extractall(members)  # our own archive, just written
    size = sum(p.stat().st_size for p in members.rglob("*") if p.is_file()) / 1e6
    out = work / "decade.tar.age"
    subprocess.run(["sync"], check=False)
    start = time.perf_counter()
    tar = subprocess.Popen(["tar", "-cf", "-", "-C", str(members), "."], stdout=subprocess.PIPE)
    if shutil.which("age"):
        tool = "tar | age -r"
        subprocess.run(["age", "-r", recipient, "-o", str(out)], stdin=tar.stdout, check=True)
    else:
        import pyrage
        from pyrage import x25519

        tool = "tar | pyrage"
        with out.open("wb") as sink:
            assert tar.stdout is not None
            pyrage.encrypt_io(tar.stdout, sink, [x25519.Recipient.from_str(recipient)])
    assert tar.stdout is not None
    tar.stdout.close()
    if tar.wait() != 0:
        raise SystemExit("tar failed")
    seconds = time.perf_counter() - start
    return seconds, size, tool


def main(argv: list[str] | None = None) -> int:
    from pyrage import x25519

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decade", type=Path, help="a decade vault made by generate.py")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="vrmdesk-bench-archive-"))
    work.mkdir(parents=True, exist_ok=True)
    print(machine_note())
    vault = decade_vault(work, args.decade)
    recipient = str(x25519.Identity.generate().to_public())
    figures = {how: export_figures(vault, work, how, recipient) for how in ("plain", "recipient")}
    figures["passphrase"] = export_figures(vault, work, "passphrase", recipient)
    for how, f in figures.items():
        print(
            f"Archive export of the decade vault ({f['rows']:,.0f} rows, {f['files']:,.0f} files), "
            f"{how}: {f['seconds']:.1f} s, {f['size_mb']:.0f} MB, "
            f"peak memory +{f['rss_growth_mb']:.0f} MB"
        )
    seconds, size, tool = tar_age_seconds(work, recipient)
    ratio = figures["recipient"]["seconds"] / seconds
    print(
        f"{tool} over the same bytes ({size:.0f} MB of JSON Lines and attachments): "
        f"{seconds:.1f} s; the archive export (to a recipient) takes {ratio:.2f}x that "
        "(target: within 1.5x)"
    )
    print(f"work folder: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

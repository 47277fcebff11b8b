"""Share bundles at size: export 500 records and 200 MB of files, then verify the bundle.

    .venv/bin/python benchmarks/share.py [--records 500] [--mb 200] [--files 20] [--deflated]

Builds a vault with one vendor, things with warranties and service history, a ticket with a long
timeline, and receipts (PDF and JPEG media types, random content) attached to the things. Each
measurement runs in a fresh subprocess, which reports its time and its peak memory growth (VmHWM
from /proc/self/status after the work minus before it, the vault already open). The export runs
plain and encrypted to an age recipient; beside them, in the same run, the floor: ``openssl dgst
-sha256`` of the plain bundle's bytes plus ``age -r`` over them (hashing and encrypting what the
export hands out, nothing more), and each export's ratio to it. Targets: export under 5 s with
under 64 MB growth; verification under 3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSPHRASE = "benchmark passphrase"
CREATED = "2026-01-01T00:00:00Z"


def vm_hwm_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def build(
    folder: Path, records: int, megabytes: int, files: int, deflated: bool = False
) -> dict[str, int]:
    from datetime import date, datetime, timedelta

    from vrmdesk.store import keys
    from vrmdesk.store import models as m
    from vrmdesk.store.services import records as rec
    from vrmdesk.store.vault import Vault

    vault, _ = Vault.create(folder, PASSPHRASE, kdf=keys.fast_params_for_tests())
    with vault, vault.session() as s:
        vendor = rec.create(s, m.Vendor, name="Benchmark Appliances", website="https://b.example")
        # records: 1 vendor + things*(1 thing, 1 warranty, 1 service) + 1 ticket + messages
        things = max(1, (records - 2) // 5)
        messages = max(0, records - 2 - things * 3)
        assets = []
        for n in range(things):
            asset = rec.create(
                s,
                m.Asset,
                name=f"Thing {n}",
                category="Kitchen",
                maker_id=vendor.id,
                model=f"M-{n}",
                serial_number=f"SN{n:06d}",
                purchase_date=date(2024, 1, 1) + timedelta(days=n),
                price_minor=10000 + n,
                currency="EUR",
                location="Kitchen",
            )
            rec.create(
                s,
                m.Warranty,
                asset_id=asset.id,
                provider_id=vendor.id,
                title="Maker's warranty",
                starts_on=asset.purchase_date,
                months=24,
            )
            rec.create(
                s,
                m.ServiceEvent,
                asset_id=asset.id,
                vendor_id=vendor.id,
                performed_on=date(2025, 1, 1),
                description="Yearly service",
                cost_minor=8900,
                currency="EUR",
            )
            assets.append(asset)
        ticket = rec.create(
            s,
            m.Ticket,
            vendor_id=vendor.id,
            asset_id=assets[0].id,
            title="Long case",
            opened_on=date(2025, 1, 1),
        )
        for n in range(messages):
            rec.create(
                s,
                m.Interaction,
                vendor_id=vendor.id,
                ticket_id=ticket.id,
                occurred_at=datetime(2025, 1, 1) + timedelta(hours=n),
                direction="outbound" if n % 2 else "inbound",
                channel="email",
                subject=f"Message {n}",
                body="Some words about the case. " * 20,
            )
        size = megabytes * 1024 * 1024 // max(files, 1)
        for n in range(files):
            path = folder.parent / f"receipt-{n}"
            with path.open("wb") as out:
                left = size
                while left:
                    chunk = os.urandom(min(left, 1024 * 1024))
                    out.write(chunk)
                    left -= len(chunk)
            kind = ("receipt.pdf", "application/pdf") if n % 2 else ("photo.jpg", "image/jpeg")
            if deflated:  # the worst case: incompressible content of a type the writer deflates
                kind = ("data.txt", "text/plain")
            vault.attachments.add(
                s, assets[n % len(assets)], path, name=f"{n:02d}-{kind[0]}", media_type=kind[1]
            )
            path.unlink()
        return {"vendor_id": vendor.id, "records": 2 + things * 3 + messages}


def child_export(folder: Path, out: Path, encrypt_to: str | None = None) -> dict[str, float]:
    from vrmshare.terms import Terms

    from vrmdesk.share import export
    from vrmdesk.share import slice as sl
    from vrmdesk.store.services import records
    from vrmdesk.store.vault import Vault

    with Vault.open(folder, PASSPHRASE) as vault:
        with vault.session() as s:
            vendor_id = records.find_vendor(s, "Benchmark Appliances").id
            selection = sl.everything(s, vendor_id)
        before = vm_hwm_kib()
        started = time.perf_counter()
        result = export.export_bundle(
            vault,
            selection,
            Terms(purpose="support_case"),
            out,
            created=CREATED,
            sender="Benchmark Customer",  # a bundle names its sender; none is set in the vault
            encrypt_to=encrypt_to,
        )
        seconds = time.perf_counter() - started
        growth = vm_hwm_kib() - before
    return {
        "seconds": seconds,
        "growth_mib": growth / 1024,
        "records": result.records,
        "files": result.files,
        "bytes": result.size,
    }


def child_verify(bundle: Path) -> dict[str, float]:
    from vrmshare import verify

    before = vm_hwm_kib()
    started = time.perf_counter()
    verified = verify.verify_bundle(bundle)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "growth_mib": (vm_hwm_kib() - before) / 1024,
        "records": len(verified.records),
    }


def floor_seconds(bundle: Path, recipient: str, work: Path) -> float | None:
    """``openssl dgst -sha256`` + ``age -r`` over ``bundle``'s bytes; None without the tools."""
    if not (shutil.which("openssl") and shutil.which("age")):
        return None
    started = time.perf_counter()
    subprocess.run(["openssl", "dgst", "-sha256", str(bundle)], check=True, capture_output=True)
    out = work / "floor.age"
    subprocess.run(["age", "-r", recipient, "-o", str(out), str(bundle)], check=True)
    with out.open("rb") as handle:
        os.fsync(handle.fileno())  # the export syncs what it writes; so does the floor
    seconds = time.perf_counter() - started
    out.unlink()
    return seconds


def report_export(label: str, exported: dict[str, float], floor: float | None) -> None:
    ratio = f", {exported['seconds'] / floor:.1f}x the floor" if floor else ""
    print(
        f"export ({label}): {exported['seconds']:.2f} s{ratio}, peak memory growth "
        f"{exported['growth_mib']:.1f} MiB ({exported['records']} records, "
        f"{exported['files']} files, {exported['bytes'] / 1024**2:.0f} MiB bundle) "
        f"[target < 5 s, < 64 MiB]"
    )


def run_child(*args: str) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it")
    parser.add_argument(
        "--deflated",
        action="store_true",
        help="files of a media type the writer deflates (worst case), not PDF/JPEG",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, *rest = args.child
        out = (
            child_export(Path(rest[0]), Path(rest[1]), *rest[2:3])
            if what == "export"
            else child_verify(Path(rest[0]))
        )
        print(json.dumps(out))
        return

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="vrmshare-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        info = build(work / "vault", args.records, args.mb, args.files, args.deflated)
        media = "incompressible text/plain" if args.deflated else "stored PDF/JPEG"
        print(
            f"set-up: {info['records']} records, {args.files} files ({media}), {args.mb} MB "
            f"in {time.perf_counter() - started:.1f} s"
        )
        from pyrage import x25519

        recipient = str(x25519.Identity.generate().to_public())
        bundle = work / "bench.vrmshare"
        exported = run_child("export", str(work / "vault"), str(bundle))
        encrypted = run_child("export", str(work / "vault"), str(work / "enc.age"), recipient)
        (work / "enc.age").unlink()
        floor = floor_seconds(bundle, recipient, work)
        if floor is None:
            print("floor: openssl or age is not installed; no ratio")
        else:
            print(f"floor: openssl dgst -sha256 + age -r over the bundle's bytes: {floor:.2f} s")
        report_export("plain", exported, floor)
        report_export("encrypted", encrypted, floor)
        try:
            import vrmshare.verify  # noqa: F401
        except ImportError:
            print("verify: vrmshare.verify is not there yet")
        else:
            verified = run_child("verify", str(bundle))
            print(
                f"verify: {verified['seconds']:.2f} s, peak memory growth "
                f"{verified['growth_mib']:.1f} MiB ({verified['records']} records) "
                f"[target < 3 s]"
            )
        from benchmarks.common import machine_note

        print(machine_note())
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

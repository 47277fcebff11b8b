"""Mail figures (issue 10), printed, not asserted.

- **IMAP, nothing new**: a throwaway Dovecot (tests/dovecot_server.py) with ``--imap-messages``
  messages in its INBOX, fetched once; then the incremental fetch that finds nothing new, timed
  (best and median of 5). Target: under 1 s.
- **mbox import** (``--mbox``): a generated mbox of ``--mbox-messages`` messages of about
  ``--mbox-mb`` MB in all (text and an attachment each), imported into a new vault in a fresh
  process: the time and the growth of peak memory (``ru_maxrss``). Target: 10,000 messages,
  about 500 MB, under 60 s and under 150 MB.

    .venv/bin/python benchmarks/mail.py [--imap-messages 2000] [--mbox --mbox-messages 10000]
"""

from __future__ import annotations

import argparse
import json
import mailbox
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from benchmarks.common import machine_note  # noqa: E402

IMPORT = """
import json, random, resource, statistics, sys, time
from pathlib import Path
from vrmdesk.mail import capture, sources
from vrmdesk.store import keys, models as m
from vrmdesk.store.services import records, search
from vrmdesk.store.vault import Vault
vault, _ = Vault.create(Path(sys.argv[1]), "bench", kdf=keys.fast_params_for_tests())
with vault.session() as s:  # the sender's vendor: the mail goes to its timeline, searchable
    bosch = records.create(s, m.Vendor, name="Bosch")
    records.create(s, m.Channel, vendor_id=bosch.id, channel="email", value="bosch-home.example")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
outcome = capture.import_messages(vault, sources.messages_of(Path(sys.argv[2])))
elapsed = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rng = random.Random(5)
times, found = [], 0
with vault.session() as s:
    for _ in range(200):
        term = f"word{rng.randrange(5000)}"
        t = time.perf_counter()
        found += bool(search.search(s, term))
        times.append((time.perf_counter() - t) * 1000)
vault.close()
times.sort()
print(json.dumps({"seconds": elapsed, "rss_mb": (after - before) / 1024,
                  "summary": outcome.summary(), "search_p50_ms": statistics.median(times),
                  "search_p95_ms": times[int(len(times) * 0.95) - 1], "found": found}))
"""


def message(n: int, size: int) -> bytes:
    import mail_corpus as corpus

    body = " ".join(f"word{(n * 7 + i) % 5000}" for i in range(300)) + "\n"
    payload = os.urandom(max(0, size * 3 // 4 - len(body)))
    data = corpus.with_attachment(payload, name=f"invoice-{n}.pdf", message_id=f"<b{n}@bench>")
    return data.replace(b"Attached.\r\n", body.replace("\n", "\r\n").encode(), 1)


def imap_figure(messages: int) -> None:
    import mail_corpus as corpus
    from dovecot_server import PASSWORD, USER, Dovecot, find_dovecot

    from vrmdesk.mail import accounts, imap
    from vrmdesk.store import keys
    from vrmdesk.store.vault import Vault

    binary = find_dovecot()
    if binary is None:
        print("IMAP: skipped, Dovecot is not installed (dovecot-imapd)")
        return
    folder = Path(tempfile.mkdtemp(prefix="vrmdesk-bench-dovecot-"))
    work = Path(tempfile.mkdtemp(prefix="vrmdesk-bench-mail-"))
    server = Dovecot(folder, binary)
    server.deliver(
        [corpus.raw(message_id=f"<i{n}@bench>", subject=f"Message {n}") for n in range(messages)]
    )
    server.start()
    try:
        vault, _ = Vault.create(work / "vault", "bench", kdf=keys.fast_params_for_tests())
        with vault.session() as s:
            accounts.add_account(
                s,
                host="127.0.0.1",
                port=server.imaps_port,
                user=USER,
                password=PASSWORD,
                trusted_fingerprint=server.fingerprint,
            )
        started = time.perf_counter()
        first = imap.fetch_all(vault)
        print(
            f"IMAP first fetch: {messages} messages in {time.perf_counter() - started:.2f} s "
            f"({first.summary()})"
        )
        times = []
        for _ in range(5):
            started = time.perf_counter()
            again = imap.fetch_all(vault)
            times.append(time.perf_counter() - started)
            assert again.imported + again.unsorted == 0
        print(
            f"IMAP incremental fetch, nothing new: best {min(times) * 1000:.0f} ms, median "
            f"{statistics.median(times) * 1000:.0f} ms (target < 1 s)"
        )
        vault.close()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


def mbox_figure(messages: int, megabytes: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="vrmdesk-bench-mbox-"))
    try:
        path = work / "Archive.mbox"
        size = megabytes * 1024 * 1024 // messages
        started = time.perf_counter()
        box = mailbox.mbox(path)
        box.lock()
        for n in range(messages):
            box.add(message(n, size))
        box.flush()
        box.unlock()
        box.close()
        print(
            f"mbox generated: {messages} messages, {path.stat().st_size / 1e6:.0f} MB "
            f"in {time.perf_counter() - started:.1f} s"
        )
        result = subprocess.run(
            [sys.executable, "-c", IMPORT, str(work / "vault"), str(path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        out = json.loads(result.stdout)
        print(
            f"mbox import: {out['seconds']:.1f} s (target < 60 s), peak memory growth "
            f"{out['rss_mb']:.0f} MB (target < 150 MB); {out['summary']}"
        )
        print(
            f"search for a word of the bodies afterwards (200 words): p50 "
            f"{out['search_p50_ms']:.1f} ms, p95 {out['search_p95_ms']:.1f} ms "
            f"({out['found']} of 200 found; the decade vault's search p95 is about 20 ms)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--imap-messages", type=int, default=2000)
    parser.add_argument("--mbox", action="store_true", help="the mbox import figure too")
    parser.add_argument("--mbox-messages", type=int, default=10_000)
    parser.add_argument("--mbox-mb", type=int, default=500)
    args = parser.parse_args()
    print(machine_note())
    imap_figure(args.imap_messages)
    if args.mbox:
        mbox_figure(args.mbox_messages, args.mbox_mb)


if __name__ == "__main__":
    main()

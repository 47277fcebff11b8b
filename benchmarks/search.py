"""Search on an encrypted vault, the way the search dialog runs it: ``search`` then ``describe``.

    python benchmarks/search.py --vault DIR [--passes 2]

The query set is ``bench.json``'s 100 queries (see ``generate.py``) plus the hard cases of
issue 11, which the generator's set avoids: the 60 most common words, 1- and 2-letter prefixes
(search-as-you-type sends them), multi-word phrases (one of them ``the`` fifty times) and a
500-word pasted paragraph. Every query runs once right after opening (first pass) and once more
per further pass (warm); each time is ``search.search`` plus ``hits.describe`` of its hits.
p50, p95 and max are printed per class and over the whole set. Nothing is asserted.

``run.py`` uses :func:`query_set` and :func:`timed_query` for its search phase.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from vrmdesk.store import keys  # noqa: E402
from vrmdesk.store.services import hits, search  # noqa: E402
from vrmdesk.store.vault import Vault  # noqa: E402

SEED = 11


def hard_queries() -> list[dict[str, str]]:
    """The expensive cases: the commonest words, short prefixes, phrases, a pasted paragraph."""
    rng = random.Random(SEED)
    common = corpus.COMMON[:60]
    out = [{"kind": "top-60 word", "q": w} for w in common]
    letters = sorted({w[0] for w in common if w[0].isalpha()})
    out += [{"kind": "1-letter", "q": c} for c in letters[:10]]
    twos = sorted({w[:2] for w in common if len(w) >= 2})
    out += [{"kind": "2-letter prefix", "q": p} for p in twos[:20]]
    phrases = [
        "the engineer will call you",
        "thank you for your email",
        "we are sorry for the delay",
        "please find attached the invoice",
        "your order has been dispatched",
        "the the the",
        " ".join(["the"] * 50),
    ]
    phrases += [" ".join(rng.sample(common, 5)) for _ in range(3)]
    out += [{"kind": "phrase", "q": p} for p in phrases]
    words = corpus.COMMON[:200]
    out.append({"kind": "pasted paragraph", "q": " ".join(rng.choice(words) for _ in range(500))})
    return out


def query_set(info: dict[str, object]) -> list[dict[str, str]]:
    base = info.get("queries", [])
    assert isinstance(base, list)
    return list(base) + hard_queries()


def timed_query(session: Session, text: str) -> tuple[float, int]:
    """Seconds for ``search`` + ``describe`` of ``text``, and the number of hits."""
    t0 = time.perf_counter()
    found = search.search(session, text)
    hits.describe(session, found)
    return time.perf_counter() - t0, len(found)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def summary(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"{label:<18} n={len(ms):>3}  p50 {statistics.median(ms):7.1f}  "
        f"p95 {p95(ms):7.1f}  max {max(ms):7.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vault", type=Path, required=True)
    parser.add_argument("--passes", type=int, default=2)
    args = parser.parse_args()
    info = json.loads((args.vault / "bench.json").read_text())
    queries = query_set(info)
    header = keys.Header.load(args.vault / "vault.json", str(args.vault / "backups"))
    data_key = header.unlock_with_passphrase(info["passphrase"])
    vault = Vault.open(args.vault, data_key=data_key)
    passes: list[list[tuple[float, int]]] = []
    try:
        for _ in range(max(1, args.passes)):
            with vault.session() as session:
                passes.append([timed_query(session, q["q"]) for q in queries])
    finally:
        vault.close()
    print(f"search + describe, {info['size']} vault, {len(queries)} queries")
    for n, times in enumerate(passes):
        name = "first pass" if n == 0 else f"warm pass {n}"
        print(f"-- {name}")
        by_kind: dict[str, list[float]] = {}
        for q, (t, _count) in zip(queries, times, strict=True):
            by_kind.setdefault(q["kind"], []).append(t)
        for kind, values in by_kind.items():
            print("  " + summary(kind, values))
        print("  " + summary("ALL", [t for t, _ in times]))
        slow = sorted(zip(queries, times, strict=True), key=lambda x: -x[1][0])[:5]
        print(
            "  slowest: "
            + ", ".join(f"{q['q'][:24]!r} {t * 1000:.0f} ms ({n} hits)" for q, (t, n) in slow)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

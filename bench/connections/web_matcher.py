"""What the connections pages cost: fitting a demo network once, then one member's suggestions.

    python bench/connections/web_matcher.py                  # 2,000 and 10,000 members, prints a table
    python bench/connections/web_matcher.py --members 500

Each size gets a temporary SQLite database with the demo network of that many members (their offers and needs
are the demo's Dutch and English texts); the profiles are read the way the web app reads them (only what each
member shows to the network). Times the `Matcher` fit, the `SearchIndex` fit, and `Matcher.suggest` for 50
members, single-threaded like a web worker's share of two cores.
"""

# ruff: noqa: E402
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import resource
import statistics
import tempfile
import time

from werkkring.demo import build_demo_network
from werkkring.engines.connections import Matcher, SearchIndex
from werkkring.queries.connections import _profiles
from werkkring.store import Database, upgrade


def measure(members: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/demo.db"
        upgrade(url)
        database = Database(url)
        with database.transaction() as session:
            build_demo_network(session, members=members, seed=0)
        with database.reader() as session:
            profiles = _profiles(session, None)
        database.dispose()
    texts = sum(len(p.needs) + len(p.offers) for p in profiles)
    started = time.perf_counter()
    matcher = Matcher(profiles)
    fit = time.perf_counter() - started
    started = time.perf_counter()
    SearchIndex(profiles)
    index = time.perf_counter() - started
    asked = [p.id for p in profiles if p.needs][:50]
    times = []
    for member_id in asked:
        started = time.perf_counter()
        matcher.suggest(member_id, top=5)
        times.append(time.perf_counter() - started)
    return {
        "members": members,
        "texts": texts,
        "fit": fit,
        "index": index,
        "suggest_ms": statistics.median(times) * 1000,
        "suggest_max_ms": max(times) * 1000,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", default="2000,10000", help="comma-separated network sizes")
    args = parser.parse_args()
    print(
        "| members | texts (needs + offers shown) | Matcher fit (s) | SearchIndex fit (s) "
        "| suggest, median (ms) | suggest, slowest of 50 (ms) | peak memory so far (MB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size in (int(s) for s in args.members.split(",") if s):
        r = measure(size)
        print(
            f"| {r['members']:,} | {r['texts']:,} | {r['fit']:.1f} | {r['index']:.1f} | "
            f"{r['suggest_ms']:.0f} | {r['suggest_max_ms']:.0f} | {r['peak_mb']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()

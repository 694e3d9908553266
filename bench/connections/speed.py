"""Speed and memory of the connections index the web app keeps: fit, one member's suggestions, a search, an
incremental update, at 2,000 / 10,000 / 30,000 members, lexical and hybrid side by side.

    python bench/connections/speed.py [--members 2000,10000,30000] [--backends lexical,hybrid] [--out FILE.md]
        [--cached-texts] [--profile 25]

Members draw 1-2 needs and 1-3 offers from the texts of the shared sets (the pools of networks.py, about
35,000 distinct texts, with replacement; with ``--cached-texts`` only those whose embeddings are already in
the on-disk cache, so that a hybrid fit embeds nothing). ``--profile N`` prints the N functions the Matcher
fit spends most time in (cProfile, cumulative), one size and backend at a time.

Embeddings come from the on-disk cache (embeddings.py), so the
fit times are those of a network whose texts were embedded when they were written (the database cache does
that in the app); the update embeds its new texts for real. Each size runs in its own process (peak memory
is that process's); one thread, like a web worker's share of two cores. The fits are given in wall time and
in the process's CPU time: on a shared machine the wall time is the CPU time stretched by the other jobs.
"""

# ruff: noqa: E402
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import cProfile
import dataclasses
import datetime as dt
import multiprocessing
import pstats
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from embeddings import cached_embedder
from networks import data_sets, text_pool

from werkkring.engines.connections import Matcher, MemberProfile, SearchIndex
from werkkring.engines.embedding import cache_space, text_hash


def make_profiles(n: int, seed: int = 0, texts: list[str] | None = None) -> list[MemberProfile]:
    """``texts``: the texts to draw from (default: the pools of all shared sets)."""
    if texts is None:
        texts = sorted({t for name in data_sets() for t, _ in text_pool(name)})
    rng = random.Random(seed)
    return [
        MemberProfile(
            id=f"m{i}",
            needs=tuple(rng.sample(texts, rng.randint(1, 2))),
            offers=tuple(rng.sample(texts, rng.randint(1, 3))),
        )
        for i in range(n)
    ]


def cached_texts() -> list[str]:
    """The pools' texts whose embeddings (query kind) are in the on-disk cache."""
    pool = sorted({t for name in data_sets() for t, _ in text_pool(name)})
    embedder = cached_embedder()
    hashes = [text_hash(t) for t in pool]
    found = embedder.cache.lookup(cache_space(embedder.embedder, "query"), hashes)
    return [t for t, h in zip(pool, hashes, strict=True) if h in found]


def measure(members: int, backend: str, texts: list[str] | None = None, profile: int = 0) -> dict[str, float]:
    profiles = make_profiles(members, texts=texts)
    embedder = cached_embedder() if backend != "lexical" else None
    count = sum(len(p.needs) + len(p.offers) for p in profiles)
    profiler = cProfile.Profile() if profile else None
    cpu = time.process_time()
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    matcher = Matcher(profiles, backend=backend, encoder=embedder)  # type: ignore[arg-type]
    fit = time.perf_counter() - started
    fit_cpu = time.process_time() - cpu
    if profiler is not None:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(profile)
    cpu = time.process_time()
    started = time.perf_counter()
    index = SearchIndex(profiles, backend=backend, encoder=embedder)  # type: ignore[arg-type]
    index_fit = time.perf_counter() - started
    index_cpu = time.process_time() - cpu
    asked = [p.id for p in profiles[:50]]
    suggest, suggest_cpu = [], []
    for member_id in asked:
        cpu = time.process_time()
        started = time.perf_counter()
        matcher.suggest(member_id, top=5)
        suggest.append(time.perf_counter() - started)
        suggest_cpu.append(time.process_time() - cpu)
    searches = []
    for query in ("help with my bookkeeping", "wie kan mijn website bouwen", "python pandas dataframe"):
        started = time.perf_counter()
        index.search(query, top=10)
        searches.append(time.perf_counter() - started)
    # One member edits their profile: new texts (never embedded), then their suggestions and a search.
    rng = random.Random(members)
    stamp = f"{members}-{backend}-{time.time_ns()}"
    edited = [
        dataclasses.replace(p, offers=(f"{p.offers[0]} ({stamp})",), needs=(f"{p.needs[0]} ({stamp})",))
        for p in rng.sample(profiles, 20)
    ]
    started = time.perf_counter()
    one = matcher.updated(edited[:1])
    one_index = index.updated(edited[:1])
    update_one = time.perf_counter() - started
    started = time.perf_counter()
    one.suggest(edited[0].id, top=5)
    one_index.search(edited[0].offers[0], top=10)
    after_one = time.perf_counter() - started
    started = time.perf_counter()
    many = one.updated(edited[1:])
    one_index.updated(edited[1:])
    update_many = time.perf_counter() - started
    started = time.perf_counter()
    many.suggest(edited[5].id, top=5)
    after_many = time.perf_counter() - started
    return {
        "members": members,
        "texts": count,
        "fit": fit,
        "fit_cpu": fit_cpu,
        "index": index_fit,
        "index_cpu": index_cpu,
        "suggest_ms": statistics.median(suggest) * 1000,
        "suggest_max_ms": max(suggest) * 1000,
        "suggest_cpu_ms": statistics.median(suggest_cpu) * 1000,
        "search_ms": statistics.median(searches) * 1000,
        "update_one_ms": update_one * 1000,
        "after_one_ms": after_one * 1000,
        "update_many_ms": update_many * 1000,
        "after_many_ms": after_many * 1000,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load": os.getloadavg()[0],
    }


def _run(args: tuple[int, str, list[str] | None, int]) -> dict[str, float]:
    cached_embedder.cache_clear()  # its own database connection in the forked process
    return measure(*args)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", default="2000,10000,30000")
    parser.add_argument("--backends", default="lexical,hybrid")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--cached-texts", action="store_true", help="draw from texts already embedded")
    parser.add_argument("--profile", type=int, default=0, help="print the fit's N costliest functions")
    args = parser.parse_args()
    at = dt.datetime.now(dt.UTC)
    load = os.getloadavg()[0]
    git = ["git", "rev-parse", "--short", "HEAD"]
    done = subprocess.run(git, capture_output=True, text=True, check=False)  # the code that runs: now
    texts = cached_texts() if args.cached_texts else None
    header = (
        "members | backend | texts | Matcher fit, wall / CPU (s) | SearchIndex fit, wall / CPU (s)"
        " | suggest median / slowest of 50 (ms) | suggest CPU median (ms) | search (ms)"
        " | update 1 member (ms) | then suggest + search (ms) | update 19 more (ms) | then suggest (ms)"
        " | peak memory (MB) | load"
    )
    lines = [f"| {header} |", "|---:|---|" + "---:|" * 12]
    context = multiprocessing.get_context("fork")
    for size in (int(s) for s in args.members.split(",") if s):
        for backend in args.backends.split(","):
            with context.Pool(1) as pool:  # a process per size: its own peak memory
                r = pool.map(_run, [(size, backend, texts, args.profile)])[0]
            line = (
                f"| {r['members']:,} | {backend} | {r['texts']:,} | {r['fit']:.1f} / {r['fit_cpu']:.1f} | "
                f"{r['index']:.1f} / {r['index_cpu']:.1f} | "
                f"{r['suggest_ms']:.0f} / {r['suggest_max_ms']:.0f} | {r['suggest_cpu_ms']:.0f} | "
                f"{r['search_ms']:.0f} | "
                f"{r['update_one_ms']:.0f} | {r['after_one_ms']:.0f} | {r['update_many_ms']:.0f} | "
                f"{r['after_many_ms']:.0f} | {r['peak_mb']:.0f} | {r['load']:.1f} |"
            )
            print(line, flush=True)
            lines.append(line)
    command = "python bench/connections/" + " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
    intro = (
        f"Command: `{command}`. Date: {at:%Y-%m-%d %H:%M} UTC, commit {done.stdout.strip()}; load average "
        f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
        + (f"; {len(texts):,} distinct texts to draw from (those already embedded)." if texts else ".")
    )
    print(intro)
    if args.out:
        args.out.write_text("\n".join([intro, "", *lines]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

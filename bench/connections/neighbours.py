"""Neighbour smoothing at scale: exact all-pairs neighbours against an HNSW graph, time and recall@10.

    python bench/connections/neighbours.py [--sizes 10000,20000,40000,90000] [--out FILE.md]

The vectors are the LSA vectors (300 dimensions, before smoothing) that TextSpace fits on texts drawn from
all shared sets; one thread, like a web worker's share of two cores.
"""

# ruff: noqa: E402
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from networks import data_sets, load

from werkkring.engines.connections._space import SpaceSettings, TextSpace, nearest


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,20000,40000,90000")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    texts = [t for name in data_sets() for t, _ in load(name)]
    random.Random(0).shuffle(texts)
    lines = [
        "| texts | exact neighbours (s) | HNSW neighbours (s) | recall@10 of HNSW | load |",
        "|---:|---:|---:|---:|---:|",
    ]
    for size in (int(s) for s in args.sizes.split(",")):
        corpus = [texts[i % len(texts)] + ("" if i < len(texts) else f" {i}") for i in range(size)]
        space = TextSpace(corpus, replace(SpaceSettings(), smooth_weight=0.0))
        vectors = space.dense
        started = time.perf_counter()
        exact, _ = nearest(vectors, 10, approximate_above=size + 1)
        exact_s = time.perf_counter() - started
        started = time.perf_counter()
        approx, _ = nearest(vectors, 10, approximate_above=0)
        approx_s = time.perf_counter() - started
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact, approx, strict=True)])
        line = f"| {size:,} | {exact_s:.1f} | {approx_s:.1f} | {recall:.3f} | {os.getloadavg()[0]:.1f} |"
        print(line, flush=True)
        lines.append(line)
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

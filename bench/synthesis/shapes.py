"""How well ``themes="auto"`` finds the number of themes in session-sized inputs of several shapes.

    python bench/synthesis/shapes.py            # writes bench/results/synthesis-shapes.md
    python bench/synthesis/shapes.py --draws 10 --no-write

Each draw takes L random labels of a data set and ``per`` random texts of each (the small-sessions benchmark
in run.py is the shape 4 x 7-8). The lexical vectors are the engine's own; the number of themes is chosen
two ways on the same vectors: the engine's choice (modularity of the 5-nearest-neighbour graph over spectral
partitions, ``_cluster.cluster_auto``) and, for comparison, the eigengap of the same graph's normalised
Laplacian (the engine's earlier method, reimplemented here). A choice that simply leans toward some number
would win one shape and lose the others.
"""

# ruff: noqa: E402
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import datetime as dt
import platform
import statistics
import sys
from pathlib import Path

import numpy as np
from scipy.linalg import eigh
from sklearn.metrics import normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import DATASETS, ROOT, load

from werkkring.engines.synthesis import _cluster, _features
from werkkring.engines.text import detect_language

SHAPES = ((3, 10), (4, 8), (5, 8), (6, 8), (8, 8), (6, 15))


def vectors_of(texts: list[str]) -> np.ndarray:
    analysed = _features.analyse(texts, detect_language(texts))
    words, _ = _features.word_tfidf(analysed)
    stacked = _features.stacked(words, _features.char_tfidf(analysed))
    return _features.lsa(stacked, 0)


def eigengap_labels(vectors: np.ndarray) -> np.ndarray:
    """The previous method: k after the largest gap among the first eigenvalues, k in 2..min(10, n/3)."""
    top = min(10, vectors.shape[0] // 3)
    laplacian = _cluster._normalised_laplacian(_cluster._knn_weights(vectors, _cluster.NEIGHBOURS))
    values = eigh(laplacian, eigvals_only=True, subset_by_index=[0, top + 1])
    k = 2 + int(np.argmax(np.diff(values)[1:top]))
    return _cluster.spectral(vectors, k, 0)


def draw(labels: list[str], count: int, per: int, rng: np.random.Generator) -> list[int] | None:
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    eligible = sorted(label for label, rows in by_label.items() if len(rows) >= per)
    if len(eligible) < count:
        return None
    rows: list[int] = []
    for index in rng.choice(len(eligible), count, replace=False):
        pool = by_label[eligible[int(index)]]
        rows += [pool[int(j)] for j in rng.choice(len(pool), per, replace=False)]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--draws", type=int, default=40, help="draws per data set and shape")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "synthesis-shapes.md"))
    args = parser.parse_args()
    names = [n for n in args.datasets.split(",") if n]
    methods = {"modularity (engine)": _cluster.cluster_auto, "eigengap (before)": eigengap_labels}
    # results[shape][method] = list of (k found, NMI)
    results: dict[tuple[int, int], dict[str, list[tuple[int, float]]]] = {}
    for name in names:
        texts, labels = load(name)
        for count, per in SHAPES:
            rng = np.random.default_rng(1)
            for _ in range(args.draws):
                rows = draw(labels, count, per, rng)
                if rows is None:
                    break
                vectors = vectors_of([texts[i] for i in rows])
                truth = [labels[i] for i in rows]
                for method, choose in methods.items():
                    found = choose(vectors, 0) if method == "modularity (engine)" else choose(vectors)
                    k = len(set(found.tolist()))
                    nmi = float(normalized_mutual_info_score(truth, found))
                    results.setdefault((count, per), {}).setdefault(method, []).append((k, nmi))
        print(name, flush=True)

    option = f" --draws {args.draws}" if args.draws != 40 else ""
    lines = [
        "# Choosing the number of themes in session-sized inputs",
        "",
        f"- Command: `python bench/synthesis/shapes.py{option}` (from the repo root)",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; Python {platform.python_version()}",
        f"- Data sets: {', '.join(names)}; {args.draws} draws per data set and shape (fewer where a set has "
        "too few labels with enough texts). Shape L x m = L labels, m texts each.",
        "- exact = share of draws where the number of themes found is L; mean |k - L|; NMI of the partition.",
        "",
        "| shape | draws | method | exact | mean k | mean abs(k - L) | NMI |",
        "|---|---|---|---|---|---|---|",
    ]
    for (count, per), by_method in results.items():
        for method, found in by_method.items():
            ks = [k for k, _ in found]
            exact = sum(k == count for k in ks) / len(ks)
            lines.append(
                f"| {count} x {per} | {len(found)} | {method} | {exact:.2f} | "
                f"{statistics.fmean(ks):.1f} | {statistics.fmean(abs(k - count) for k in ks):.2f} | "
                f"{statistics.fmean(n for _, n in found):.3f} |"
            )
    table = "\n".join(lines) + "\n"
    print(table)
    if not args.no_write:
        Path(args.out).write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()

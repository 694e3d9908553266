"""Lexical, embedding and hybrid side by side on the shared labelled data sets (NMI and ARI against the
labels, true number of themes and ``auto``), for the data sets small enough to embed on a shared 2-core
machine in minutes.

    python bench/synthesis/labelled_backends.py      # sib200-eng, sib200-nld, xsid-eng, xsid-nld, tweet89
    python bench/synthesis/labelled_backends.py --datasets xsid-nld --no-write

Sentence vectors come from the engines' offline default and are cached on disk outside the repo (see
``bench_embedding_cache.py``). Results: ``bench/results/synthesis-labelled-backends.md``.
"""

# ruff: noqa: E402
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_embedding_cache import cached_default_embedder  # type: ignore[import-not-found]
from run import ROOT, baseline, load  # type: ignore[import-not-found]

from werkkring.engines.synthesis import Contribution, synthesize

SMALL = ("sib200-eng", "sib200-nld", "xsid-eng", "xsid-nld", "tweet89")
BACKENDS = ("lexical", "embedding", "hybrid")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", default=",".join(SMALL))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    embedder = cached_default_embedder()
    rows = []
    for name in [n for n in args.datasets.split(",") if n]:
        texts, labels = load(name)
        k = len(set(labels))
        row: dict[str, object] = {"data set": name, "n": len(texts), "N": k}
        row["baseline"] = float(normalized_mutual_info_score(labels, baseline(texts, k)))
        items = [Contribution(t) for t in texts]
        for backend in BACKENDS:
            for themes in (k, "auto"):
                start = time.perf_counter()
                result = synthesize(
                    items,
                    themes=themes,  # type: ignore[arg-type]
                    backend=backend,  # type: ignore[arg-type]
                    embedder=embedder,
                    seed=0,
                )
                seconds = time.perf_counter() - start
                found = [-1 if a is None else a for a in result.assignments]
                tag = f"{backend} {'N' if themes == k else 'auto'}"
                row[f"{tag} NMI"] = float(normalized_mutual_info_score(labels, found))
                row[f"{tag} ARI"] = float(adjusted_rand_score(labels, found))
                row[f"{tag} s"] = seconds
                if themes == "auto":
                    row[f"{backend} auto k"] = len(result.themes)
        rows.append(row)
        print(json.dumps(row), flush=True)
    table = render(rows)
    print(table)
    if not args.no_write:
        (ROOT / "bench" / "results" / "synthesis-labelled-backends.md").write_text(table, encoding="utf-8")


def render(rows: list[dict[str, object]]) -> str:
    columns = ["baseline", *(f"{b} {m} NMI" for b in BACKENDS for m in ("N", "auto"))]
    lines = [
        "# Synthesis feature sets on the shared labelled data sets",
        "",
        f"- Command: `python bench/synthesis/labelled_backends.py {' '.join(sys.argv[1:])}`".rstrip()
        + " (from the repo root)",
        f"- Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}, load {os.getloadavg()[0]:.1f}",
        "- NMI against the labels; N = the true number of labels, auto = chosen by the engine (k found",
        "  in brackets); set-aside lines count as one extra cluster. baseline = TF-IDF 1-2-grams + LSA +",
        "  k-means.",
        "",
        "| data set | n | N | " + " | ".join(columns) + " |",
        "|---|---|---|" + "---|" * len(columns),
    ]
    for row in rows:
        cells = []
        for column in columns:
            value = f"{float(row[column]):.3f}"  # type: ignore[arg-type]
            if column.endswith("auto NMI"):
                value += f" ({row[column.replace(' NMI', ' k')]})"
            cells.append(value)
        lines.append(f"| {row['data set']} | {row['n']} | {row['N']} | " + " | ".join(cells) + " |")
    means = [statistics.fmean(float(r[c]) for r in rows) for c in columns]  # type: ignore[arg-type]
    lines.append("| **mean** | | | " + " | ".join(f"{m:.3f}" for m in means) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

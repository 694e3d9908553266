"""Benchmark of theme synthesis against human labels: NMI and ARI, small sessions, speed and memory.

    python bench/synthesis/run.py                      # everything, writes bench/results/synthesis.md
    python bench/synthesis/run.py --quick --datasets xsid-nld,sib200-nld --no-write

Data: ``../shared/data/*/data.tsv`` from the repo root (or ``$WERKKRING_DATA``), columns text and label.
"""

# ruff: noqa: E402
from __future__ import annotations

import os

# The baseline and the engine alike run single-threaded: two cores' BLAS and OpenMP pools fighting each other
# made k-means many times slower (see docs/synthesis.md).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import csv
import datetime as dt
import json
import platform
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.preprocessing import Normalizer

from werkkring.engines.synthesis import Contribution, synthesize

ROOT = Path(__file__).resolve().parents[2]
ENGLISH = {
    "banking77",
    "biomedical",
    "clinc150",
    "googlenews-t",
    "searchsnippets",
    "sib200-eng",
    "stackoverflow",
    "tweet89",
    "xsid-eng",
}


def data_dir() -> Path:
    return Path(os.environ.get("WERKKRING_DATA", ROOT / ".." / "shared" / "data")).resolve()


def load(name: str) -> tuple[list[str], list[str]]:
    with open(data_dir() / name / "data.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def baseline(texts: list[str], k: int, seed: int = 0) -> list[int]:
    """TF-IDF word 1-2-grams + LSA(100) + k-means, the figures the issue starts from."""
    matrix = TfidfVectorizer(ngram_range=(1, 2)).fit_transform(texts)
    reduced = Normalizer().fit_transform(TruncatedSVD(100, random_state=seed).fit_transform(matrix))
    return [int(x) for x in KMeans(k, n_init=10, random_state=seed).fit_predict(reduced)]


def engine(texts: list[str], themes: int | str, backend: str = "lexical") -> list[int]:
    result = synthesize([Contribution(t) for t in texts], themes=themes, backend=backend, seed=0)  # type: ignore[arg-type]
    return [-1 if a is None else a for a in result.assignments]


def scores(truth: list[str], predicted: list[int]) -> tuple[float, float, int]:
    return (
        float(normalized_mutual_info_score(truth, predicted)),
        float(adjusted_rand_score(truth, predicted)),
        len({p for p in predicted if p >= 0}),
    )


def bertopic_available() -> bool:
    try:
        import bertopic  # noqa: F401
    except Exception:
        return False
    return True


def bertopic_run(texts: list[str], k: int) -> list[int]:
    """BERTopic with the packaged local MiniLM model (the vectors of the embedding backend), default UMAP,
    and k-means with the true N in place of HDBSCAN."""
    from bertopic import BERTopic
    from umap import UMAP

    from werkkring.engines.embedding import local_embedder

    vectors = local_embedder(None).encode(texts)
    model = BERTopic(
        umap_model=UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=0),
        hdbscan_model=KMeans(k, n_init=10, random_state=0),
        calculate_probabilities=False,
    )
    topics, _ = model.fit_transform(texts, embeddings=vectors)
    return [int(t) for t in topics]


def embedding_available() -> bool:
    try:
        import sentence_transformers  # noqa: F401

        from werkkring.engines.embedding import default_model_path
    except Exception:
        return False
    return default_model_path() is not None


def timed(fn: Callable[[], list[int]]) -> tuple[list[int], float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def small_sessions(texts: list[str], labels: list[str], draws: int, seed: int = 0) -> dict[str, object]:
    """``draws`` sessions of 30 contributions from 4 random labels (7-8 each), themes found and NMI."""
    rng = np.random.default_rng(seed)
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    eligible = sorted(label for label, rows in by_label.items() if len(rows) >= 8)
    found: Counter[int] = Counter()
    nmi_auto: list[float] = []
    nmi_four: list[float] = []
    for _ in range(draws):
        chosen = rng.choice(len(eligible), 4, replace=False)
        rows: list[int] = []
        for slot, index in enumerate(chosen):
            pool = by_label[eligible[int(index)]]
            rows += [pool[int(j)] for j in rng.choice(len(pool), 8 if slot < 2 else 7, replace=False)]
        sub_texts = [texts[i] for i in rows]
        truth = [labels[i] for i in rows]
        auto = engine(sub_texts, "auto")
        found[len({a for a in auto if a >= 0})] += 1
        nmi_auto.append(scores(truth, auto)[0])
        nmi_four.append(scores(truth, engine(sub_texts, 4))[0])
    return {
        "found": dict(sorted(found.items())),
        "share_4": found[4] / draws,
        "nmi_auto": statistics.fmean(nmi_auto),
        "nmi_4": statistics.fmean(nmi_four),
    }


SPEED_CHILD = """
import resource, sys, time, json
sys.path.insert(0, {src!r})
import numpy as np
sys.path.insert(0, {bench!r})
from run import load, DATASETS
from werkkring.engines.synthesis import Contribution, synthesize
texts = []
for name in DATASETS:
    texts += load(name)[0]
rng = np.random.default_rng(0)
picked = [texts[i] for i in rng.choice(len(texts), {n}, replace={n} > len(texts))]
start = time.perf_counter()
result = synthesize([Contribution(t) for t in picked], themes={themes!r}, seed=0)
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "themes": len(result.themes),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def speed(n: int, themes: int | str) -> dict[str, float]:
    code = SPEED_CHILD.format(src=str(ROOT / "src"), bench=str(Path(__file__).parent), n=n, themes=themes)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


DATASETS = (
    sorted(p.name for p in data_dir().iterdir() if (p / "data.tsv").exists()) if data_dir().exists() else []
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", default=",".join(DATASETS), help="comma-separated data set names")
    parser.add_argument("--quick", action="store_true", help="20 small-session draws, no 100,000 speed run")
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--no-auto", action="store_true")
    parser.add_argument("--no-embedding", action="store_true")
    parser.add_argument("--no-bertopic", action="store_true")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--no-small", action="store_true")
    parser.add_argument("--embedding-max-rows", type=int, default=0, help="skip embedding above (0: never)")
    parser.add_argument("--bertopic-max-rows", type=int, default=0, help="skip BERTopic above (0: never)")
    parser.add_argument("--embedding-only", action="store_true", help="only the embedding backend, BERTopic")
    parser.add_argument(
        "--no-write", action="store_true", help="print the table, do not write the results file"
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "synthesis.md"))
    args = parser.parse_args()
    names = [n for n in args.datasets.split(",") if n]
    draws = 20 if args.quick else args.draws
    use_embedding = not args.no_embedding and embedding_available()
    use_bertopic = not args.no_bertopic and bertopic_available() and use_embedding

    rows: list[dict[str, object]] = []
    for name in names:
        texts, labels = load(name)
        k = len(set(labels))
        row: dict[str, object] = {"data set": name, "n": len(texts), "N": k}
        if not args.embedding_only:
            base, row["t base"] = timed(lambda texts=texts, k=k: baseline(texts, k))
            row["base NMI"], row["base ARI"], _ = scores(labels, base)
            lex, row["t lex"] = timed(lambda texts=texts, k=k: engine(texts, k))
            row["lex NMI"], row["lex ARI"], _ = scores(labels, lex)
        if not args.no_auto and not args.embedding_only:
            auto, row["t auto"] = timed(lambda texts=texts: engine(texts, "auto"))
            row["auto NMI"], row["auto ARI"], row["auto k"] = scores(labels, auto)
        emb_ok = not args.embedding_max_rows or len(texts) <= args.embedding_max_rows
        bt_ok = not args.bertopic_max_rows or len(texts) <= args.bertopic_max_rows
        if use_embedding and name in ENGLISH and emb_ok:
            emb, row["t emb"] = timed(lambda texts=texts, k=k: engine(texts, k, "embedding"))
            row["emb NMI"], row["emb ARI"], _ = scores(labels, emb)
            if use_bertopic and bt_ok:
                try:
                    bt, row["t bertopic"] = timed(lambda texts=texts, k=k: bertopic_run(texts, k))
                    row["BERTopic NMI"], row["BERTopic ARI"], _ = scores(labels, bt)
                except Exception as error:  # report, don't hide
                    row["BERTopic NMI"] = f"failed: {type(error).__name__}"
        if not args.no_small and not args.embedding_only:
            row["small"] = small_sessions(texts, labels, draws)
        rows.append(row)
        print(json.dumps(row), flush=True)

    speeds: dict[str, dict[str, float]] = {}
    if not args.no_speed:
        speeds["300 (auto, the largest session-sized input)"] = speed(300, "auto")
        speeds["1,000 (auto)"] = speed(1_000, "auto")
        speeds["1,000 (N=10)"] = speed(1_000, 10)
        if not args.quick:
            speeds["100,000 (auto)"] = speed(100_000, "auto")
            speeds["100,000 (N=50)"] = speed(100_000, 50)
        print(json.dumps(speeds), flush=True)

    table = render(rows, speeds, args, draws)
    print(table)
    if not args.no_write:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(table, encoding="utf-8")


def _f(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else ("" if value is None else str(value))


def render(
    rows: list[dict[str, object]], speeds: dict[str, dict[str, float]], args: argparse.Namespace, draws: int
) -> str:
    command = "python " + " ".join(["bench/synthesis/run.py", *sys.argv[1:]])
    lines = [
        "# Theme synthesis benchmark",
        "",
        f"- Command: `{command}` (from the repo root)",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()}",
        f"- Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        "- Scores: NMI and ARI against the human labels; outliers (no theme) count as one extra cluster.",
        "- base = TF-IDF word 1-2-grams + LSA(100) + k-means (true N);"
        " lex = werkkring lexical backend (true N);"
        ' auto = lexical backend with `themes="auto"` (k = themes found); emb = embedding backend'
        " (packaged English MiniLM, true N); BERTopic with the same local model and k-means (true N).",
        "",
    ]
    columns = [
        "data set",
        "n",
        "N",
        "base NMI",
        "lex NMI",
        "Δ",
        "auto NMI",
        "auto/lex",
        "auto k",
        "base ARI",
        "lex ARI",
        "auto ARI",
        "emb NMI",
        "emb ARI",
        "BERTopic NMI",
        "t lex",
        "t auto",
    ]
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "---|" * len(columns))
    for row in rows:
        row = dict(row)
        if isinstance(row.get("lex NMI"), float):
            row["Δ"] = float(row["lex NMI"]) - float(row["base NMI"])  # type: ignore[arg-type]
            if isinstance(row.get("auto NMI"), float) and float(row["lex NMI"]) > 0:  # type: ignore[arg-type]
                row["auto/lex"] = float(row["auto NMI"]) / float(row["lex NMI"])  # type: ignore[arg-type]
        for t in ("t lex", "t auto"):
            if isinstance(row.get(t), float):
                row[t] = f"{row[t]:.1f} s"
        lines.append("| " + " | ".join(_f(row.get(c)) for c in columns) + " |")
    if rows:
        mean = {
            c: statistics.fmean([float(r[c]) for r in rows if isinstance(r.get(c), float)])  # type: ignore[arg-type]
            for c in ("base NMI", "lex NMI", "auto NMI")
            if any(isinstance(r.get(c), float) for r in rows)
        }
        lines.append(
            "| **mean** | | | "
            + " | ".join(_f(mean.get(c)) for c in ("base NMI", "lex NMI"))
            + f" | {_f(mean.get('lex NMI', 0) - mean.get('base NMI', 0))} | {_f(mean.get('auto NMI'))} | "
            + (f"{_f(mean['auto NMI'] / mean['lex NMI'])}" if "auto NMI" in mean else "")
            + " |" * 11
        )
    small = [r for r in rows if "small" in r]
    if small:
        lines += [
            "",
            f"## Small sessions ({draws} draws of 30 contributions from 4 labels, 7-8 each)",
            "",
            "| data set | themes found (count of draws) | share with 4 | NMI auto | NMI with 4 |",
            "|---|---|---|---|---|",
        ]
        total: Counter[int] = Counter()
        for r in small:
            s = r["small"]
            assert isinstance(s, dict)
            total.update({int(k): int(v) for k, v in s["found"].items()})
            found = ", ".join(f"{k}: {v}" for k, v in s["found"].items())
            lines.append(
                f"| {r['data set']} | {found} | {s['share_4']:.2f} | {s['nmi_auto']:.3f} | {s['nmi_4']:.3f} |"
            )
        all_draws = sum(total.values())
        lines.append(
            f"| **all** | {', '.join(f'{k}: {v}' for k, v in sorted(total.items()))} | "
            f"{total[4] / all_draws:.2f} | | |"
        )
    if speeds:
        lines += [
            "",
            "## Speed and memory (lexical backend, contributions drawn from all data sets)",
            "",
            "| contributions (themes) | seconds | themes | peak memory (MB, whole process) |",
            "|---|---|---|---|",
        ]
        for label, s in speeds.items():
            lines.append(f"| {label} | {s['seconds']:.1f} | {int(s['themes'])} | {s['peak_mb']:.0f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

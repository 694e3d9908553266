"""Matching quality, side by side: random, TF-IDF cosine, lexical werkkring, semantic alone, hybrid.

    python bench/connections/quality.py [--members 1000] [--draws 3] [--sets banking77,...] [--out FILE.md]

Same-language networks come from every set in ../shared/data, cross-language ones from the parallel xsid and
sib200 sets (needs in one language, offers in the other); see networks.py. Each network is drawn ``--draws``
times (seeds 0, 1, 2: different texts, different members). The hybrid's two weights are chosen on draw 0 only
(same-language weight on the same-language networks, cross-language weight on the cross-language ones) and
the tables report draws 1 and 2 apart, so the reader can see whether the choice carries over to networks it
was not chosen on. The defaults in ``HybridSettings`` are the weights chosen here.

TF-IDF cosine is scikit-learn's TfidfVectorizer with default settings, need text against the member's offers
concatenated. Semantic alone is ``backend="embedding"`` with the offline multilingual model; embeddings come
from the on-disk cache (embeddings.py), so a rerun embeds nothing it has seen.
"""

# ruff: noqa: E402
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

sys.path.insert(0, str(Path(__file__).resolve().parent))

from embeddings import cached_embedder
from networks import PARALLEL, Network, build_cross_network, build_network, data_sets

from werkkring.engines.connections import HybridSettings, match_members
from werkkring.engines.connections._matching import _Texts, fit_similarity, match_fitted

K = 10
SMOOTHS = (0.0, 0.5)
SAME_WEIGHTS = (0.5, 0.6, 0.7, 0.8, 0.9)
CROSS_WEIGHTS = (0.8, 0.9, 1.0)
Ranking = list[list[int]]


def metrics(network: Network, ranked: Ranking) -> tuple[float, float]:
    p5, rr = [], []
    for i, order in enumerate(ranked):
        rel = [network.relevant(i, j) for j in order[:K]]
        p5.append(sum(rel[:5]) / 5)
        rr.append(next((1 / (r + 1) for r, hit in enumerate(rel) if hit), 0.0))
    return float(np.mean(p5)), float(np.mean(rr))


def _from_scores(scores: np.ndarray) -> Ranking:
    np.fill_diagonal(scores, -np.inf)
    return [list(np.argsort(-row, kind="stable")[:K]) for row in scores]


def random_ranking(network: Network) -> Ranking:
    rng = np.random.default_rng(0)
    n = len(network.profiles)
    return _from_scores(rng.random((n, n)))


def tfidf_cosine(network: Network) -> Ranking:
    needs = [" ".join(p.needs) for p in network.profiles]
    offers = [" ".join(p.offers) for p in network.profiles]
    vectorizer = TfidfVectorizer().fit(needs + offers)
    return _from_scores((vectorizer.transform(needs) @ vectorizer.transform(offers).T).toarray())


def _ids(network: Network, results: list) -> Ranking:  # type: ignore[type-arg]
    index = {p.id: i for i, p in enumerate(network.profiles)}
    return [[index[m.id] for m in r.matches] for r in results]


def backend(name: str) -> Callable[[Network], Ranking]:
    def rank(network: Network) -> Ranking:
        encoder = cached_embedder() if name != "lexical" else None
        plain = HybridSettings(semantic_smooth=0.0)  # semantic alone: the model's own cosine, nothing added
        results = match_members(
            network.profiles,
            top=K,
            backend=name,  # type: ignore[arg-type]
            encoder=encoder,
            settings=plain,
        )
        return _ids(network, results)

    return rank


def hybrid_grid(network: Network, settings: list[HybridSettings]) -> list[tuple[float, float]]:
    """The hybrid with each of ``settings``, on one fit (embeddings, lexical space and calibration)."""
    texts = _Texts.of(network.profiles)
    similarity = fit_similarity(texts, "hybrid", cached_embedder(), 0, settings[0])
    out = []
    for s in settings:
        results = match_fitted(network.profiles, texts, similarity.with_settings(s), K, None, 0.25, 1.0)
        out.append(metrics(network, _ids(network, results)))
    return out


BASELINES: dict[str, Callable[[Network], Ranking]] = {
    "random": random_ranking,
    "TF-IDF cosine": tfidf_cosine,
    "lexical werkkring": backend("lexical"),
    "semantic alone": backend("embedding"),
}


def _cell(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--sets", default=",".join(data_sets()))
    parser.add_argument("--cross", default=",".join(f"{a}:{b}" for a, b in PARALLEL))
    parser.add_argument("--offer-kind", default="query", choices=("query", "passage"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    base = HybridSettings(offer_kind=args.offer_kind)
    grid = [
        replace(base, semantic_smooth=m, semantic_weight=s, cross_language_weight=c)
        for m in SMOOTHS
        for s in SAME_WEIGHTS
        for c in CROSS_WEIGHTS
    ]
    names = [(n, False) for n in args.sets.split(",") if n] + [(c, True) for c in args.cross.split(",") if c]
    # results[network name][method] = list over draws of (p5, mrr); grids[(name, 0)] = list over the grid
    results: dict[str, dict[str, list[tuple[float, float]]]] = {}
    grids: dict[tuple[str, int], list[tuple[float, float]]] = {}
    cross_of: dict[str, bool] = {}
    started_all = time.perf_counter()

    def run(name: str, cross: bool, draw: int, settings: list[HybridSettings]) -> list[tuple[float, float]]:
        if cross:
            need_set, offer_set = name.split(":")
            network = build_cross_network(need_set, offer_set, args.members, seed=draw)
        else:
            network = build_network(name, args.members, seed=draw)
        cross_of[network.name] = cross
        row = results.setdefault(network.name, {})
        for method, rank in BASELINES.items():
            started = time.perf_counter()
            row.setdefault(method, []).append(metrics(network, rank(network)))
            p5 = row[method][-1][0]
            print(
                f"{network.name} draw {draw} {method}: P@5 {p5:.3f} ({time.perf_counter() - started:.1f} s)",
                flush=True,
            )
        started = time.perf_counter()
        if not cross:  # no Dutch-English pairs: the cross-language weight changes nothing, run each once
            once = {(x.semantic_smooth, x.semantic_weight): x for x in settings}
            scored = dict(zip(once, hybrid_grid(network, list(once.values())), strict=True))
            out = [scored[(x.semantic_smooth, x.semantic_weight)] for x in settings]
        else:
            out = hybrid_grid(network, settings)
        print(
            f"{network.name} draw {draw} hybrid ({len(settings)} settings): best P@5 {max(out)[0]:.3f} "
            f"({time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        grids[(network.name, draw)] = out
        return out

    for name, cross in names:  # draw 0: the whole grid, to choose the weights on
        run(name, cross, 0, grid)

    def grid_mean(cross: bool, index: int) -> float:
        values = [grids[(n, 0)][index][0] for n in results if cross_of[n] == cross]
        return float(np.mean(values)) if values else 0.0

    # Choose on draw 0: smoothing and same-language weight on the same-language networks, then the
    # cross-language weight on the cross-language networks with those.
    at_default = [i for i, g in enumerate(grid) if g.cross_language_weight == base.cross_language_weight]
    best_same = max(at_default, key=lambda i: grid_mean(False, i))
    same = grid[best_same]
    candidates = [
        i
        for i, g in enumerate(grid)
        if (g.semantic_smooth, g.semantic_weight) == (same.semantic_smooth, same.semantic_weight)
    ]
    chosen = max(candidates, key=lambda i: grid_mean(True, i))
    chosen_same, chosen_cross = grid[chosen].semantic_weight, grid[chosen].cross_language_weight
    chosen_smooth = grid[chosen].semantic_smooth
    for name in results:
        results[name]["hybrid"] = [grids[(name, 0)][chosen]]
    for draw in range(1, args.draws):  # the other draws: only the chosen weights
        for name, cross in names:
            network_name = list(results)[[n for n, _ in names].index(name)]
            results[network_name]["hybrid"] += run(name, cross, draw, [grid[chosen]])
    methods = [*BASELINES, "hybrid"]

    lines = [
        f"Networks of up to {args.members} members, {args.draws} draws each; "
        "cells: mean ± standard deviation over the draws.",
        f"Hybrid settings chosen on draw 0: semantic weight {chosen_same} for texts in the same language, "
        f"{chosen_cross} across languages, semantic smoothing {chosen_smooth} "
        f"(offers embedded as '{args.offer_kind}').",
        "",
        "| network | members | " + " | ".join(f"{m} P@5" for m in methods) + " | hybrid MRR@10 |",
        "|---|---:|" + "---:|" * (len(methods) + 1),
    ]
    for name, row in results.items():
        size = build_network(name, args.members).profiles if not cross_of[name] else None
        members = len(size) if size is not None else "≤200"
        cells = [_cell([v[0] for v in row[m]]) for m in methods]
        lines.append(
            f"| {name} | {members} | " + " | ".join(cells) + f" | {_cell([v[1] for v in row['hybrid']])} |"
        )

    def summary(cross: bool, draws: slice, label: str) -> str:
        means = {}
        for m in methods:
            means[m] = np.mean(
                [v[0] for n, row in results.items() if cross_of[n] == cross for v in row[m][draws]]
            )
        below = sum(
            np.mean([v[0] for v in row["hybrid"][draws]])
            < np.mean([v[0] for v in row["TF-IDF cosine"][draws]])
            for n, row in results.items()
            if cross_of[n] == cross
        )
        return (
            f"| {label} | "
            + " | ".join(f"{means[m]:.3f}" for m in methods)
            + f" | {means['hybrid'] - means['TF-IDF cosine']:+.3f} | {below} |"
        )

    lines += [
        "",
        "Mean P@5 over networks:",
        "",
        "| networks, draws | "
        + " | ".join(methods)
        + " | hybrid − TF-IDF | networks where hybrid < TF-IDF |",
        "|---|" + "---:|" * (len(methods) + 2),
        summary(False, slice(0, 1), "same language, draw 0 (weights chosen here)"),
        summary(False, slice(1, None), "same language, draws 1+ (not chosen on)"),
        summary(True, slice(0, 1), "across languages, draw 0 (weights chosen here)"),
        summary(True, slice(1, None), "across languages, draws 1+ (not chosen on)"),
        "",
        "Hybrid grid, mean P@5 on draw 0 (rows: same-language weight, columns: cross-language weight); "
        "same-language networks / cross-language networks:",
        "",
        "| smoothing, semantic weight | " + " | ".join(f"cross {c}" for c in CROSS_WEIGHTS) + " |",
        "|---:|" + "---:|" * len(CROSS_WEIGHTS),
    ]
    for m in SMOOTHS:
        for w in SAME_WEIGHTS:
            at = [i for i, g in enumerate(grid) if (g.semantic_smooth, g.semantic_weight) == (m, w)]
            cells = [f"{grid_mean(False, i):.3f} / {grid_mean(True, i):.3f}" for i in at]
            lines.append(f"| {m}, {w} | " + " | ".join(cells) + " |")
    lines += ["", f"Took {time.perf_counter() - started_all:.0f} s; load average {os.getloadavg()[0]:.1f}."]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Matching quality: precision@5 and MRR@10 of werkkring's matcher against random and plain TF-IDF cosine.

    python bench/connections/quality.py [--members 1000] [--sets banking77,clinc150] [--out FILE.md]

Networks come from ../shared/data (see networks.py). TF-IDF cosine is scikit-learn's TfidfVectorizer with
default settings, need text against the member's offers concatenated into one profile.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

sys.path.insert(0, str(Path(__file__).resolve().parent))

from networks import Network, build_network, data_sets

from werkkring.engines.connections import match_members
from werkkring.engines.connections._scale import match_members_large

K = 10


def metrics(network: Network, ranked: list[list[int]]) -> tuple[float, float]:
    p5, rr = [], []
    for i, order in enumerate(ranked):
        rel = [network.relevant(i, j) for j in order[:K]]
        p5.append(sum(rel[:5]) / 5)
        rr.append(next((1 / (r + 1) for r, hit in enumerate(rel) if hit), 0.0))
    return float(np.mean(p5)), float(np.mean(rr))


def _from_scores(scores: np.ndarray) -> list[list[int]]:
    np.fill_diagonal(scores, -np.inf)
    return [list(np.argsort(-row, kind="stable")[:K]) for row in scores]


def random_ranking(network: Network) -> list[list[int]]:
    rng = np.random.default_rng(0)
    n = len(network.profiles)
    return _from_scores(rng.random((n, n)))


def tfidf_cosine(network: Network) -> list[list[int]]:
    needs = [" ".join(p.needs) for p in network.profiles]
    offers = [" ".join(p.offers) for p in network.profiles]
    vectorizer = TfidfVectorizer().fit(needs + offers)
    return _from_scores((vectorizer.transform(needs) @ vectorizer.transform(offers).T).toarray())


def werkkring(reciprocal: float) -> Callable[[Network], list[list[int]]]:
    def rank(network: Network) -> list[list[int]]:
        index = {p.id: i for i, p in enumerate(network.profiles)}
        results = match_members(network.profiles, top=K, reciprocal=reciprocal, exclude=None)
        return [[index[m.id] for m in r.matches] for r in results]

    return rank


def werkkring_large(network: Network) -> list[list[int]]:
    index = {p.id: i for i, p in enumerate(network.profiles)}
    results = match_members_large(network.profiles, top=K, reciprocal=0.25, explain_matches=False)
    return [[index[m.id] for m in r.matches] for r in results]


METHODS: dict[str, Callable[[Network], list[list[int]]]] = {
    "random": random_ranking,
    "tfidf-cosine": tfidf_cosine,
    "werkkring": werkkring(0.25),
    "werkkring (no reciprocal)": werkkring(0.0),
    "werkkring large-network mode": werkkring_large,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--sets", default=",".join(data_sets()))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    names = list(METHODS)
    lines = [
        "| data set | members | " + " | ".join(f"{m} P@5 / MRR@10" for m in names) + " |",
        "|---|---:|" + "---:|" * len(names),
    ]
    table: dict[str, list[tuple[float, float]]] = {m: [] for m in names}
    for name in args.sets.split(","):
        network = build_network(name, args.members)
        cells = []
        for method in names:
            start = time.perf_counter()
            p5, mrr = metrics(network, METHODS[method](network))
            table[method].append((p5, mrr))
            cells.append(f"{p5:.3f} / {mrr:.3f}")
            print(
                f"{name} {method}: P@5 {p5:.3f} MRR@10 {mrr:.3f} ({time.perf_counter() - start:.1f} s)",
                flush=True,
            )
        lines.append(f"| {name} | {len(network.profiles)} | " + " | ".join(cells) + " |")
    means = {m: np.mean(table[m], axis=0) for m in names}
    lines.append(
        "| **mean** | | " + " | ".join(f"**{means[m][0]:.3f} / {means[m][1]:.3f}**" for m in names) + " |"
    )
    gain = means["werkkring"] - means["tfidf-cosine"]
    lines.append("")
    lines.append(f"Gain of werkkring over TF-IDF cosine: P@5 {gain[0]:+.3f}, MRR@10 {gain[1]:+.3f}.")
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""The measurements behind two design choices of issue 15, on the dev sessions (sentence vectors cached as in
``sessions.py``):

    python bench/synthesis/probes.py off-topic    # ROC AUC and set-aside rates of the off-topic scores
    python bench/synthesis/probes.py features     # ARI of feature stacks on the on-topic lines (true N, auto)

``off-topic``: per session, robust z-scores of the mean similarity to the three nearest other contributions
(sentence vectors, E) and of the similarity to the question (passage against query, rel), alone and
combined (rel at weights 1 and 0.3), with the share of off-topic and on-topic lines at z <= -2 over all
sessions. ``features``: spectral clustering with modularity (auto) and with the true number of themes on
the lines that answer the question, for lexical LSA (L), centred sentence vectors (E), the answer read with
its question (Q), and stacks of them.
"""

# ruff: noqa: E402
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_embedding_cache import cached_default_embedder  # type: ignore[import-not-found]
from sessions import load_sessions  # type: ignore[import-not-found]

from werkkring.engines.synthesis import _cluster, _features, _offtopic
from werkkring.engines.text import detect_language


def _unit(matrix: np.ndarray) -> np.ndarray:
    return (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)


def off_topic() -> None:
    embedder = cached_default_embedder()
    aucs: dict[str, list[float]] = {}
    counts: dict[str, list[int]] = {}
    for session in load_sessions("dev"):
        off = np.array([t == 0 for t in session.truth])
        plain = embedder.encode(session.texts, kind="query")
        passages = embedder.encode(session.texts, kind="passage")
        asked = embedder.encode([session.question], kind="query")[0]
        neighbours = _offtopic.robust_z(_offtopic.neighbour_similarity(plain))
        question = _offtopic.robust_z(passages @ asked)
        scores = {
            "E": neighbours,
            "rel": question,
            "E+rel": (neighbours + question) / np.sqrt(2),
            "E+0.3rel": (neighbours + 0.3 * question) / np.sqrt(1.09),
        }
        for name, score in scores.items():
            aucs.setdefault(name, []).append(float(roc_auc_score(off, -score)))
            chosen = score <= _offtopic.THRESHOLD
            tally = counts.setdefault(name, [0, 0, 0, 0])
            tally[0] += int((chosen & off).sum())
            tally[1] += int(off.sum())
            tally[2] += int((chosen & ~off).sum())
            tally[3] += int((~off).sum())
    print("| score | mean ROC AUC | off-topic at z <= -2 | on-topic at z <= -2 |")
    print("|---|---|---|---|")
    for name, values in aucs.items():
        t = counts[name]
        print(f"| {name} | {statistics.fmean(values):.3f} | {t[0] / t[1]:.0%} | {t[2] / t[3]:.1%} |")


def features() -> None:
    embedder = cached_default_embedder()
    results: dict[str, list[tuple[float, float]]] = {}
    for session in load_sessions("dev"):
        keep = [i for i, t in enumerate(session.truth) if t > 0]
        texts = [session.texts[i] for i in keep]
        truth = [session.truth[i] for i in keep]
        k = len(set(truth))
        analysed = _features.analyse(texts, detect_language(texts))
        words, _ = _features.word_tfidf(analysed)
        lexical = _features.lsa(_features.stacked(words, _features.char_tfidf(analysed)), 0)
        plain = embedder.encode(texts, kind="query")
        centred = _unit(plain - plain.mean(axis=0))
        read = embedder.encode([f"{session.question} {t}" for t in texts], kind="query")
        in_context = _unit(read - read.mean(axis=0))
        stacks = {
            "L": lexical,
            "E": centred,
            "L+E": _unit(np.hstack([lexical, centred])),
            "L+Q": _unit(np.hstack([lexical, in_context])),
            "L+Q+E (used)": _unit(np.hstack([lexical, in_context, centred])),
        }
        for name, vectors in stacks.items():
            auto = _cluster.modularity_spectral(vectors, 0)
            fixed = _cluster.spectral(vectors, k, 0)
            results.setdefault(name, []).append(
                (float(adjusted_rand_score(truth, auto)), float(adjusted_rand_score(truth, fixed)))
            )
    print("| features | ARI auto | ARI true N |")
    print("|---|---|---|")
    for name, values in results.items():
        auto, fixed = statistics.fmean(a for a, _ in values), statistics.fmean(b for _, b in values)
        print(f"| {name} | {auto:.3f} | {fixed:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("probe", choices=["off-topic", "features"])
    args = parser.parse_args()
    off_topic() if args.probe == "off-topic" else features()


if __name__ == "__main__":
    main()

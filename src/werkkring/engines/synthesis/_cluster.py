"""Clustering of unit vectors, and the choice of the number of themes.

k-means on L2-normalised vectors is (close to) spherical k-means: it groups by cosine. Above a few tens of
thousands of texts, mini-batch k-means keeps time and memory linear. The number of themes, when not given, is
the k with the best cosine silhouette on a sample: it asks that texts sit closer to their own theme than to the
nearest other one, which is the property a reader of the themes cares about.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import silhouette_score

FloatMatrix = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

_FULL_KMEANS_UP_TO = 30_000
_SELECTION_SAMPLE = 3_000


def kmeans(vectors: FloatMatrix, k: int, seed: int, n_init: int = 10) -> IntArray:
    """Labels 0..k-1 for each row; deterministic for ``seed``."""
    n = vectors.shape[0]
    k = max(1, min(k, n))
    if k == 1:
        return np.zeros(n, dtype=np.int64)
    if n <= _FULL_KMEANS_UP_TO:
        model: KMeans | MiniBatchKMeans = KMeans(n_clusters=k, n_init=n_init, random_state=seed)
    else:
        model = MiniBatchKMeans(
            n_clusters=k, n_init=3, batch_size=4096, random_state=seed, max_no_improvement=20, reassignment_ratio=0.01
        )
    return np.asarray(model.fit_predict(vectors), dtype=np.int64)


def candidate_ks(n: int) -> list[int]:
    """2..10 one by one, then steps of about 15 %, up to about 1.5 * sqrt(n) (and at most n / 3)."""
    top = max(2, min(n // 3, max(10, round(1.5 * np.sqrt(n)))))
    ks = list(range(2, min(top, 10) + 1))
    k = 10
    while True:
        k = max(k + 1, round(k * 1.15))
        if k > top:
            break
        ks.append(k)
    return ks


def choose_k(vectors: FloatMatrix, seed: int) -> int:
    """The k with the best cosine silhouette, on a random sample of at most a few thousand rows."""
    n = vectors.shape[0]
    if n < 6:
        return 1 if n < 3 else 2
    rng = np.random.default_rng(seed)
    sample = vectors if n <= _SELECTION_SAMPLE else vectors[rng.choice(n, _SELECTION_SAMPLE, replace=False)]
    best_k, best_score = 1, -np.inf
    for k in candidate_ks(sample.shape[0]):
        labels = kmeans(sample, k, seed, n_init=3)
        if len(set(labels.tolist())) < 2:
            continue
        score = float(silhouette_score(sample, labels, metric="cosine"))
        if score > best_score:
            best_k, best_score = k, score
    if n > _SELECTION_SAMPLE:
        best_k = round(best_k * 1.0)
    return best_k

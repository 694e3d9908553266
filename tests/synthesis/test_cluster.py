"""The choice of the number of themes: modularity of the nearest-neighbour graph over spectral partitions."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from werkkring.engines.synthesis import _cluster


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """As ``synthesize`` does: one BLAS/OpenMP thread (pools fighting on 2 cores slow k-means badly)."""
    with threadpool_limits(limits=1):
        yield


def blobs(sizes: list[int], dimensions: int = 40, spread: float = 0.35, seed: int = 0) -> np.ndarray:
    """Unit vectors around one random direction per blob."""
    rng = np.random.default_rng(seed)
    rows = []
    for size in sizes:
        centre = rng.normal(size=dimensions)
        centre /= np.linalg.norm(centre)
        points = centre + spread * rng.normal(size=(size, dimensions)) / np.sqrt(dimensions)
        rows.append(points / np.linalg.norm(points, axis=1, keepdims=True))
    return np.vstack(rows).astype(np.float32)


def test_modularity_prefers_the_real_parts() -> None:
    clique = np.ones((4, 4)) - np.eye(4)
    weights = np.zeros((8, 8))
    weights[:4, :4] = clique
    weights[4:, 4:] = clique
    weights[3, 4] = weights[4, 3] = 0.1
    real = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    mixed = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    assert _cluster.modularity(weights, real) > 0.4
    assert _cluster.modularity(weights, np.zeros(8, dtype=np.int64)) == pytest.approx(0.0)
    assert _cluster.modularity(weights, mixed) < 0.0


@pytest.mark.parametrize("sizes", [[10, 10, 10], [8, 8, 7, 7], [6, 6, 6, 6, 6, 6], [12, 8, 8, 5, 5]])
def test_auto_finds_the_number_of_separated_themes(sizes: list[int]) -> None:
    vectors = blobs(sizes, seed=len(sizes))
    labels = _cluster.cluster_auto(vectors, seed=0)
    assert len(set(labels.tolist())) == len(sizes)
    truth = np.repeat(np.arange(len(sizes)), sizes)
    # Same partition up to renaming: every found part lies inside one true part.
    for part in set(labels.tolist()):
        assert len(set(truth[labels == part].tolist())) == 1


def test_auto_is_deterministic_and_handles_tiny_inputs() -> None:
    vectors = blobs([9, 9, 9])
    assert np.array_equal(_cluster.cluster_auto(vectors, 3), _cluster.cluster_auto(vectors, 3))
    assert _cluster.cluster_auto(vectors[:2], 0).tolist() == [0, 0]
    assert len(_cluster.cluster_auto(vectors[:5], 0)) == 5


def test_session_candidates_grow_with_the_session() -> None:
    assert _cluster.session_candidate_ks(30) == list(range(2, 11))
    assert _cluster.session_candidate_ks(9) == [2, 3]
    assert _cluster.session_candidate_ks(300)[-1] == 26

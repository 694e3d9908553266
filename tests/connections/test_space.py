"""The lexical text space: its LSA axes fitted on a sample above a size, and neighbours for the smoothing."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from werkkring.engines.connections._space import SpaceSettings, TextSpace, nearest

TOPICS = [
    ("boekhouding", "administratie", "belastingaangifte", "facturen"),
    ("website", "wordpress", "webdesign", "hosting"),
    ("tuin", "snoeien", "planten", "moestuin"),
    ("fiets", "repareren", "band", "ketting"),
]


def _texts(n: int) -> list[str]:
    rng = np.random.default_rng(3)
    out = []
    for i in range(n):
        words = TOPICS[i % len(TOPICS)]
        picked = rng.choice(len(words), size=3, replace=False)
        out.append(f"hulp bij {' en '.join(words[int(k)] for k in picked)} nummer {i % 7}")
    return out


def test_a_sampled_fit_places_every_text_on_axes_learned_from_part_of_them() -> None:
    texts = _texts(240)
    settings = replace(SpaceSettings(lsa_dims=8, smooth_weight=0.0), lsa_sample=60)
    sampled = TextSpace(texts, settings)
    assert sampled.dense.shape == (240, 8)
    assert np.allclose(np.linalg.norm(sampled.dense, axis=1), 1.0, atol=1e-5)
    # A corpus text placed again from outside lands where the fit put it (no smoothing here).
    _, again = sampled.transform(texts[:5])
    assert np.allclose(again, sampled.dense[:5], atol=1e-5)
    # Texts on one topic are closer to each other than to another topic's.
    sims = sampled.similarity([0], [4, 1])
    assert sims[0, 0] > sims[0, 1]


def test_below_the_sample_size_the_fit_is_the_full_one() -> None:
    texts = _texts(120)
    small = TextSpace(texts, SpaceSettings(lsa_dims=8, lsa_sample=1000))
    same = TextSpace(texts, SpaceSettings(lsa_dims=8, lsa_sample=120))
    assert np.array_equal(small.dense, same.dense)
    sampled = TextSpace(texts, SpaceSettings(lsa_dims=8, lsa_sample=119))
    assert not np.array_equal(small.dense, sampled.dense)


def test_approximate_neighbours_find_the_exact_ones_on_clustered_vectors() -> None:
    pytest.importorskip("hnswlib")
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(40, 16))
    vectors = centres[rng.integers(0, 40, size=3000)] + 0.3 * rng.normal(size=(3000, 16))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    exact, _ = nearest(vectors, 10, approximate_above=10_000)
    approx, sims = nearest(vectors, 10, approximate_above=100)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact, approx, strict=True)])
    assert recall >= 0.9
    assert not (approx == np.arange(3000)[:, None]).any()  # never a row itself
    assert np.all(sims <= 1.0 + 1e-5)

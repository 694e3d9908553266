from __future__ import annotations

import numpy as np
import pytest

from werkkring.engines.connections import Exclusions, MemberProfile
from werkkring.engines.connections._scale import VectorIndex, exact_top_k, match_members_large

from .conftest import NETWORK


def test_exact_top_k_agrees_with_sorting() -> None:
    rng = np.random.default_rng(0)
    base = rng.standard_normal((300, 8)).astype(np.float32)
    queries = rng.standard_normal((20, 8)).astype(np.float32)
    labels, scores = exact_top_k(queries, base, 5, block=7)
    full = queries @ base.T
    for row in range(20):
        assert list(labels[row]) == list(np.argsort(-full[row], kind="stable")[:5])
        assert np.allclose(scores[row], np.sort(full[row])[::-1][:5], atol=1e-5)


def test_hnsw_index_recalls_the_exact_neighbours() -> None:
    pytest.importorskip("hnswlib")
    rng = np.random.default_rng(1)
    centres = rng.standard_normal((50, 32))
    base = centres[rng.integers(0, 50, 5000)] + 0.3 * rng.standard_normal((5000, 32))
    base = (base / np.linalg.norm(base, axis=1, keepdims=True)).astype(np.float32)
    queries = base[:200] + 0.05
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    index = VectorIndex.build(base, exact_limit=0)
    assert index.approximate
    got, _ = index.query(queries, 10)
    truth, _ = exact_top_k(queries, base, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got, truth, strict=True)])
    assert recall >= 0.9


def test_large_mode_keeps_the_rules() -> None:
    profiles = [MemberProfile(i, needs=(n,), offers=tuple(o), circle=c) for i, n, o, c in NETWORK]
    profiles.append(MemberProfile("zoe", offers=("boekhouding en administratie",), opt_in=False))
    exclude = Exclusions.of(known=[("cato", "daan")], small_circle=0)
    results = match_members_large(profiles, top=3, exclude=exclude, exact_limit=0)
    assert [r.id for r in results] == [p.id for p in profiles]
    for r in results:
        ids = [m.id for m in r.matches]
        assert r.id not in ids and "zoe" not in ids and len(ids) == len(set(ids))
        if r.id in ("cato", "daan"):
            assert {"cato", "daan"} - {r.id} - set(ids)
    anna = results[0]
    assert anna.matches[0].id == "bram" and anna.matches[0].why.startswith("Your need")

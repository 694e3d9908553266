from __future__ import annotations

import numpy as np
import pytest

from werkkring.engines.connections import Exclusions, MemberProfile
from werkkring.engines.connections._scale import CompactEncoder, VectorIndex, member_vectors, top_candidates

from .conftest import NETWORK


@pytest.mark.ray
@pytest.mark.slow
def test_ray_job_gives_the_in_process_result() -> None:
    ray = pytest.importorskip("ray")
    from werkkring.jobs.matching import run_matching

    profiles = [MemberProfile(i, needs=(n,), offers=tuple(o), circle=c) for i, n, o, c in NETWORK]
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    try:
        got = run_matching(profiles, top=3, shards=3, reciprocal=0.0, exclude=Exclusions(small_circle=0))
    finally:
        ray.shutdown()
    encoder = CompactEncoder().fit([t for p in profiles for t in (*p.needs, *p.offers)])
    needs, offers, _, has_offers = member_vectors(encoder, profiles)
    offered = np.flatnonzero(has_offers)
    expected = top_candidates(
        needs, offers, VectorIndex.build(offers[offered]), offered, np.arange(8), 3, {}, 0.0
    )
    assert [[m for m, _ in row] for row in got] == [[profiles[j].id for j, _ in row] for row in expected]
    assert got[0][0][0] == "bram"

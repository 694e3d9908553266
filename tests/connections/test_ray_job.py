"""The Ray job runs the engine's large-network steps on workers: the same result as in-process."""

from __future__ import annotations

import pytest

from werkkring.engines.connections import Exclusions, MemberProfile
from werkkring.engines.connections._scale import match_members_large
from werkkring.engines.embedding import default_embedder

from .conftest import NETWORK


@pytest.mark.ray
@pytest.mark.slow
def test_ray_job_gives_the_in_process_result_lexical_and_with_embeddings() -> None:
    ray = pytest.importorskip("ray")
    from werkkring.jobs.matching import run_matching

    profiles = [MemberProfile(i, needs=(n,), offers=tuple(o), circle=c) for i, n, o, c in NETWORK]
    profiles.append(
        MemberProfile("zoe", needs=("someone to do my bookkeeping",), offers=("pottery classes",))
    )
    exclude = Exclusions(small_circle=0)
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    try:
        lexical = run_matching(profiles, top=3, shards=3, reciprocal=0.0, exclude=exclude)
        hybrid = run_matching(profiles, top=3, shards=3, exclude=exclude, embedder=default_embedder())
    finally:
        ray.shutdown()
    for got, embedder in ((lexical, None), (hybrid, default_embedder())):
        expected = match_members_large(
            profiles,
            top=3,
            reciprocal=0.0 if embedder is None else 0.25,
            exclude=exclude,
            embedder=embedder,
            explain_matches=False,
        )
        assert [[m for m, _ in row] for row in got] == [[m.id for m in r.matches] for r in expected]
    assert lexical[0][0][0] == "bram"
    # the English need meets the Dutch bookkeeping offer through the embeddings
    assert "daan" in [m for m, _ in hybrid[-1]]

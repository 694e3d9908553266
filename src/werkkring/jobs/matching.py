"""Batch need <-> offer matching on Ray: the engine's ``match_members_large``, its shard steps as Ray tasks.

Nothing of the engine is copied here: the job hands ``match_members_large`` a shard map (``ray_map``). The
driver fits the encoder on a sample (``fit_large_encoder``: compact lexical vectors, plus sentence
embeddings when an embedder is given) and ships it through the object store; tasks turn shards of members
into need/offer vectors (``member_vectors``: with an embedder, each worker embeds its own shard, which is
where the time goes for a million members); the driver builds the index and exclusions once (``LargeNetwork``)
and puts it in the object store; tasks ask it for their shard of members (``LargeNetwork.ask``).

Run on a laptop with ``ray.init()`` (local instance) or on a cluster with ``ray.init(address="auto")`` after
``ray start --head`` / ``ray start --address=HEAD:6379`` on the nodes; see docs/connections.md.
Ray is an optional extra (``pip install 'werkkring[ray]'``) and only imported when a job runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from werkkring.engines.connections import Exclusions, MemberProfile
from werkkring.engines.connections._scale import match_members_large
from werkkring.engines.embedding import Embedder
from werkkring.errors import WerkkringError


def ray_map(function: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> list[Any]:
    """``function(*args)`` for each call as Ray tasks, in order (the engine's ``ShardMap``). Each distinct
    argument goes to the object store once, so the encoder or the index that every shard shares is shipped
    once, not once per task."""
    import ray

    task = ray.remote(function)
    refs: dict[int, Any] = {}

    def ref(value: Any) -> Any:
        if isinstance(value, int | float | str | bool) or value is None:
            return value
        if id(value) not in refs:
            refs[id(value)] = ray.put(value)
        return refs[id(value)]

    return list(ray.get([task.remote(*(ref(a) for a in args)) for args in calls]))


def run_matching(
    profiles: Sequence[MemberProfile],
    *,
    top: int = 10,
    shards: int = 4,
    exclude: Exclusions | None = None,
    reciprocal: float = 0.25,
    dims: int = 96,
    exact_limit: int = 20_000,
    embedder: Embedder | None = None,
    known: Mapping[str, NDArray[np.float32]] | None = None,
    seed: int = 0,
) -> list[list[tuple[str, float]]]:
    """Top-``top`` suggestions for every member (input order) as (id, score) lists, computed on Ray:
    ``match_members_large`` with its shard steps as Ray tasks.

    ``embedder`` adds sentence embeddings (the hybrid); ``known`` are embeddings already computed, by text
    hash (from the database cache), which the workers do not compute again. Connects to the running Ray
    instance if there is one (``ray.init`` was called or RAY_ADDRESS is set), else starts a local one.
    """
    try:
        import ray
    except ImportError as error:
        raise WerkkringError("the Ray job needs the optional extra: pip install 'werkkring[ray]'") from error
    if not ray.is_initialized():
        ray.init(ignore_reinit_error=True, include_dashboard=False, log_to_driver=False)
    results = match_members_large(
        profiles,
        top=top,
        exclude=exclude,
        reciprocal=reciprocal,
        dims=dims,
        exact_limit=exact_limit,
        explain_matches=False,
        embedder=embedder,
        known=known,
        shards=shards,
        map_shards=ray_map,
        seed=seed,
    )
    return [[(m.id, m.score) for m in r.matches] for r in results]

"""Batch need <-> offer matching on Ray: the engine's large-network steps, sharded over a cluster.

The driver fits the encoder on a sample (``fit_large_encoder``: compact lexical vectors, plus sentence
embeddings when an embedder is given) and ships it through the object store; tasks turn shards of members
into need/offer vectors (``member_vectors``: with an embedder, each worker embeds its own shard, which is
where the time goes for a million members); the driver builds the index and exclusions once (``LargeNetwork``)
and puts it in the object store; tasks ask it for their shard of members (``LargeNetwork.ask``). The same
steps, in-process, are ``match_members_large``.

Run on a laptop with ``ray.init()`` (local instance) or on a cluster with ``ray.init(address="auto")`` after
``ray start --head`` / ``ray start --address=HEAD:6379`` on the nodes; see docs/connections.md.
Ray is an optional extra (``pip install 'werkkring[ray]'``) and only imported when a job runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from werkkring.engines.connections import Exclusions, MemberProfile
from werkkring.engines.connections._scale import (
    LargeEncoder,
    LargeNetwork,
    fit_large_encoder,
    member_vectors,
)
from werkkring.engines.embedding import Embedder
from werkkring.errors import WerkkringError


def _encode_shard(encoder: LargeEncoder, profiles: Sequence[MemberProfile]) -> tuple[Any, ...]:
    return member_vectors(encoder, profiles)


def _ask_shard(
    network: LargeNetwork, askers: NDArray[np.int64], top: int, reciprocal: float
) -> tuple[list[int], list[list[tuple[int, float]]]]:
    return [int(a) for a in askers], network.ask(askers, top, reciprocal)


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
    """Top-``top`` suggestions for every member (input order) as (id, score) lists, computed on Ray.

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
    n = len(profiles)
    if n == 0:
        return []
    shards = max(1, min(shards, n))
    bounds = np.linspace(0, n, shards + 1).astype(int)
    encoder = fit_large_encoder(profiles, dims=dims, embedder=embedder, known=known, seed=seed)
    encoder_ref = ray.put(encoder)
    encode = ray.remote(_encode_shard)
    parts = ray.get(
        [encode.remote(encoder_ref, list(profiles[bounds[s] : bounds[s + 1]])) for s in range(shards)]
    )
    network = LargeNetwork.build(profiles, parts, exclude=exclude, exact_limit=exact_limit, seed=seed)
    network_ref = ray.put(network)
    ask = ray.remote(_ask_shard)
    pending = [
        ask.remote(network_ref, chunk, top, reciprocal)
        for chunk in np.array_split(network.askers, shards)
        if chunk.size
    ]
    out: list[list[tuple[str, float]]] = [[] for _ in profiles]
    for members, matches in ray.get(pending):
        for member, row in zip(members, matches, strict=True):
            out[member] = [(profiles[j].id, round(score, 4)) for j, score in row]
    return out

"""Batch need <-> offer matching on Ray: sharded encoding and sharded top-k queries.

The driver fits the compact encoder on a sample and ships it (a few hundred MB at most) through the object
store; tasks turn shards of members into need/offer vectors; the driver builds one HNSW index over all
offer vectors (exact below ``exact_limit``) and puts it in the object store; tasks query their shard of
needs, apply exclusions and the reciprocal re-ranking, and return (member, [(other, score)]) rows.

Run on a laptop with ``ray.init()`` (local instance) or on a cluster with ``ray.init(address="auto")`` after
``ray start --head`` / ``ray start --address=HEAD:6379`` on the nodes; see docs/connections.md.
Ray is an optional extra (``pip install 'werkkring[ray]'``) and only imported when a job runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from werkkring.engines.connections import Exclusions, MemberProfile, excluded_pairs
from werkkring.engines.connections._scale import CompactEncoder, VectorIndex, member_vectors, top_candidates
from werkkring.errors import WerkkringError


@dataclass(frozen=True)
class ShardResult:
    """Top-k suggestions of one shard: member index -> list of (member index, score)."""

    members: list[int]
    matches: list[list[tuple[int, float]]]


def _encode_shard(encoder: CompactEncoder, profiles: Sequence[MemberProfile]) -> tuple[Any, ...]:
    return member_vectors(encoder, profiles)


def _query_shard(
    index: VectorIndex,
    needs: np.ndarray,
    offers: np.ndarray,
    offered: np.ndarray,
    askers: np.ndarray,
    top: int,
    blocked: dict[int, set[int]],
    reciprocal: float,
) -> ShardResult:
    matches = top_candidates(needs, offers, index, offered, askers, top, blocked, reciprocal)
    return ShardResult([int(a) for a in askers], matches)


def run_matching(
    profiles: Sequence[MemberProfile],
    *,
    top: int = 10,
    shards: int = 4,
    exclude: Exclusions | None = None,
    reciprocal: float = 0.25,
    dims: int = 96,
    exact_limit: int = 20_000,
    seed: int = 0,
) -> list[list[tuple[str, float]]]:
    """Top-``top`` suggestions for every member (input order) as (id, score) lists, computed on Ray.

    Connects to the running Ray instance if there is one (``ray.init`` was called or RAY_ADDRESS is set),
    else starts a local one.
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
    texts = [t for p in profiles for t in (*p.needs, *p.offers) if t.strip()] or [""]
    encoder = CompactEncoder(dims=dims, seed=seed).fit(texts)
    encoder_ref = ray.put(encoder)
    encode = ray.remote(_encode_shard)
    parts = ray.get(
        [encode.remote(encoder_ref, list(profiles[bounds[s] : bounds[s + 1]])) for s in range(shards)]
    )
    needs = np.concatenate([p[0] for p in parts])
    offers = np.concatenate([p[1] for p in parts])
    has_needs = np.concatenate([p[2] for p in parts])
    has_offers = np.concatenate([p[3] for p in parts])
    offered = np.flatnonzero(has_offers & np.array([p.opt_in for p in profiles]))
    index = VectorIndex.build(offers[offered], exact_limit=exact_limit, seed=seed)
    ids = {p.id: i for i, p in enumerate(profiles)}
    blocked: dict[int, set[int]] = {}
    for pair in excluded_pairs(profiles, exclude or Exclusions()):
        a, b = tuple(pair)
        if a in ids and b in ids:
            blocked.setdefault(ids[a], set()).add(ids[b])
            blocked.setdefault(ids[b], set()).add(ids[a])
    index_ref, needs_ref, offers_ref = ray.put(index), ray.put(needs), ray.put(offers)
    offered_ref, blocked_ref = ray.put(offered), ray.put(blocked)
    query = ray.remote(_query_shard)
    askers = np.flatnonzero(has_needs)
    pending = [
        query.remote(index_ref, needs_ref, offers_ref, offered_ref, chunk, top, blocked_ref, reciprocal)
        for chunk in np.array_split(askers, shards)
        if chunk.size
    ]
    out: list[list[tuple[str, float]]] = [[] for _ in profiles]
    for result in ray.get(pending):
        for member, matches in zip(result.members, result.matches, strict=True):
            out[member] = [(profiles[j].id, round(score, 4)) for j, score in matches]
    return out

"""Matching for very large networks: compact vectors and an approximate nearest-neighbour index.

At a million members the exact hybrid space does not fit: every text becomes one small dense vector
(hashed lemma and character n-gram counts, TF-IDF weighted, projected by an SVD fitted on a sample, float32),
each member one need vector and one offer vector (the normalised sum of theirs), and an HNSW graph
(hnswlib, optional extra ``werkkring[ann]``) finds the best offers for every need. Below
``exact_limit`` members, or without hnswlib, the same vectors are searched exactly by blocked matrix
products, so results do not depend on whether the extra is installed except in speed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

from werkkring.engines.connections._matching import explain
from werkkring.engines.connections._profiles import (
    Exclusions,
    Match,
    MemberMatches,
    MemberProfile,
    excluded_pairs,
    validate_profiles,
)
from werkkring.engines.connections._similarity import HybridSettings
from werkkring.engines.connections._space import content_words
from werkkring.engines.embedding import Embedder, text_hash
from werkkring.engines.text import Language, detect_language
from werkkring.errors import InputError

Vectors = NDArray[np.float32]


class CompactEncoder:
    """Texts -> small dense float32 vectors; fit on a sample, then transform any number of texts in shards
    (the fitted encoder is small enough to ship to Ray workers)."""

    def __init__(
        self,
        dims: int = 96,
        n_features: int = 2**18,
        sample: int = 100_000,
        svd_sample: int = 20_000,
        seed: int = 0,
    ) -> None:
        self.dims = dims
        self.svd_sample = svd_sample
        self.n_features = n_features
        self.sample = sample
        self.seed = seed
        self.language: Language = "nl"
        self.idf: NDArray[np.float32] | None = None
        self.components: NDArray[np.float32] | None = None

    def _counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        language = self.language

        def words(text: str) -> list[str]:
            return content_words(text, language)

        word_hasher = HashingVectorizer(
            analyzer=words, n_features=self.n_features, alternate_sign=False, norm=None
        )
        char_hasher = HashingVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 4),
            n_features=self.n_features,
            alternate_sign=False,
            norm=None,
        )
        counts = word_hasher.transform(texts) * 2.0 + char_hasher.transform(texts)
        counts = sp.csr_matrix(counts)
        counts.data = 1.0 + np.log(counts.data)
        return counts

    def fit(self, texts: Sequence[str]) -> CompactEncoder:
        if not texts:
            raise InputError("cannot fit the compact encoder on no texts")
        rng = np.random.default_rng(self.seed)
        chosen = rng.choice(len(texts), size=min(self.sample, len(texts)), replace=False)
        sample = [texts[int(i)] for i in np.sort(chosen)]
        self.language = detect_language(sample[:2000])
        counts = self._counts(sample)
        df = np.bincount(counts.indices, minlength=self.n_features)
        self.idf = (np.log((1 + len(sample)) / (1 + df)) + 1).astype(np.float32)
        # idf from the whole sample; the projection from a smaller part of it (enough for ~100 dimensions).
        weighted = normalize(counts[: self.svd_sample] @ sp.diags(self.idf))
        dims = max(1, min(self.dims, weighted.shape[0] - 1, weighted.shape[1] - 1))
        svd = TruncatedSVD(dims, algorithm="randomized", n_iter=2, random_state=self.seed)
        svd.fit(weighted)
        self.components = svd.components_.T.astype(np.float32)
        return self

    @property
    def dimension(self) -> int:
        return self.components.shape[1] if self.components is not None else self.dims

    def transform(self, texts: Sequence[str]) -> Vectors:
        if self.idf is None or self.components is None:
            raise InputError("the compact encoder must be fitted first")
        if not texts:
            return np.zeros((0, self.components.shape[1]), dtype=np.float32)
        weighted = normalize(self._counts(texts) @ sp.diags(self.idf)).astype(np.float32)
        dense: Vectors = normalize(np.asarray(weighted @ self.components)).astype(np.float32)
        return dense


class LargeEncoder(Protocol):
    """Texts -> unit float32 rows, fitted once and shipped to workers: CompactEncoder or HybridEncoder."""

    @property
    def dimension(self) -> int: ...

    @property
    def language(self) -> Language: ...

    def transform(self, texts: Sequence[str]) -> Vectors: ...


def member_vectors(
    encoder: LargeEncoder, profiles: Sequence[MemberProfile], chunk: int = 50_000
) -> tuple[Vectors, Vectors, NDArray[np.bool_], NDArray[np.bool_]]:
    """One need vector and one offer vector per member (normalised sums), and who has needs / offers.
    Any shard of members can be encoded on its own (the Ray job does that on the workers)."""
    dims = encoder.dimension
    result = []
    for field in ("needs", "offers"):
        texts: list[str] = []
        owners: list[int] = []
        for i, p in enumerate(profiles):
            for text in getattr(p, field):
                if text.strip():
                    texts.append(text)
                    owners.append(i)
        summed = np.zeros((len(profiles), dims), dtype=np.float32)
        owner_array = np.asarray(owners, dtype=np.int64)
        for start in range(0, len(texts), chunk):
            np.add.at(
                summed, owner_array[start : start + chunk], encoder.transform(texts[start : start + chunk])
            )
        has = np.zeros(len(profiles), dtype=bool)
        has[owner_array] = True
        result.append((normalize(summed).astype(np.float32), has))
    (needs, has_needs), (offers, has_offers) = result
    return needs, offers, has_needs, has_offers


class HybridEncoder:
    """Compact lexical vectors and sentence embeddings in one row per text, scaled so that the inner product
    of two rows is the hybrid similarity: ``(1 - w) * lexical + w * (spread_l / spread_s) * semantic``, the
    calibrated weighted sum of ``Similarity`` (without its per-pair language weight, which one vector per
    text cannot carry). ``known`` holds vectors already computed (a cache's, by text hash): only other texts
    reach the embedder. Picklable with its embedder, so Ray workers embed their own shards."""

    def __init__(
        self,
        compact: CompactEncoder,
        embedder: Embedder,
        *,
        semantic_weight: float = 0.5,
        known: Mapping[str, NDArray[np.float32]] | None = None,
    ) -> None:
        self.compact = compact
        self.embedder = embedder
        self.semantic_weight = semantic_weight
        self.known = dict(known or {})
        self.lexical_scale = float(np.sqrt(1 - semantic_weight))
        self.semantic_scale = float(np.sqrt(semantic_weight))
        self.embedded = 0

    @property
    def dimension(self) -> int:
        return self.compact.dimension + self.embedder.dimension

    @property
    def language(self) -> Language:
        return self.compact.language

    def calibrate(self, texts: Sequence[str], sample: int = 600, seed: int = 0) -> HybridEncoder:
        """Scale the semantic part by the spread of both similarities over pairs of ``sample`` texts."""
        rng = np.random.default_rng(seed)
        chosen = [texts[int(i)] for i in rng.choice(len(texts), size=min(sample, len(texts)), replace=False)]
        lexical = self.compact.transform(chosen)
        semantic = self._embed(chosen)
        half = len(chosen) // 2
        spread_l = float(np.std(lexical[:half] @ lexical[half:].T)) or 1.0
        spread_s = float(np.std(semantic[:half] @ semantic[half:].T)) or 1.0
        self.semantic_scale = float(np.sqrt(self.semantic_weight * spread_l / spread_s))
        return self

    def _embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.embedder.dimension), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for row, text in enumerate(texts):
            vector = self.known.get(text_hash(text))
            if vector is None:
                missing.setdefault(text, []).append(row)
            else:
                out[row] = vector
        if missing:
            fresh = self.embedder.encode(list(missing), kind="query")
            self.embedded += len(missing)
            for vector, rows in zip(fresh, missing.values(), strict=True):
                out[rows] = vector
        return out

    def transform(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        lexical = self.compact.transform(texts) * self.lexical_scale
        semantic = self._embed(texts) * self.semantic_scale
        rows: Vectors = normalize(np.hstack([lexical, semantic])).astype(np.float32)
        return rows


def exact_top_k(
    queries: Vectors, base: Vectors, k: int, block: int | None = None
) -> tuple[NDArray[np.int64], Vectors]:
    """The ``k`` rows of ``base`` with the largest inner product for each query, best first (exact).
    Blocks of queries are sized so that one block of similarities stays near 64 MB."""
    k = min(k, base.shape[0])
    block = block or max(1, 16_000_000 // max(1, base.shape[0]))
    labels = np.empty((queries.shape[0], k), dtype=np.int64)
    scores = np.empty((queries.shape[0], k), dtype=np.float32)
    for start in range(0, queries.shape[0], block):
        sims = queries[start : start + block] @ base.T
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        part_scores = np.take_along_axis(sims, part, axis=1)
        order = np.argsort(-part_scores, axis=1, kind="stable")
        labels[start : start + block] = np.take_along_axis(part, order, axis=1)
        scores[start : start + block] = np.take_along_axis(part_scores, order, axis=1)
    return labels, scores


@dataclass
class VectorIndex:
    """Inner-product top-k over fixed vectors: HNSW when hnswlib is there and the set is large, else exact."""

    vectors: Vectors
    approximate: bool
    ef: int = 128
    _hnsw: object | None = None

    @staticmethod
    def build(
        vectors: Vectors,
        *,
        exact_limit: int = 20_000,
        m: int = 16,
        ef_construction: int = 100,
        threads: int = -1,
        seed: int = 0,
    ) -> VectorIndex:
        if vectors.shape[0] <= exact_limit:
            return VectorIndex(vectors, approximate=False)
        try:
            import hnswlib
        except ImportError:
            return VectorIndex(vectors, approximate=False)
        index = hnswlib.Index(space="ip", dim=vectors.shape[1])
        index.init_index(
            max_elements=vectors.shape[0], M=m, ef_construction=ef_construction, random_seed=seed
        )
        index.add_items(vectors, np.arange(vectors.shape[0]), num_threads=threads)
        return VectorIndex(vectors, approximate=True, _hnsw=index)

    def query(self, queries: Vectors, k: int, threads: int = -1) -> tuple[NDArray[np.int64], Vectors]:
        k = min(k, self.vectors.shape[0])
        if not self.approximate or self._hnsw is None:
            return exact_top_k(queries, self.vectors, k)
        index = self._hnsw
        index.set_ef(max(self.ef, k))  # type: ignore[attr-defined]
        labels, distances = index.knn_query(queries, k=k, num_threads=threads)  # type: ignore[attr-defined]
        return labels.astype(np.int64), (1.0 - distances).astype(np.float32)


def fit_large_encoder(
    profiles: Sequence[MemberProfile],
    *,
    dims: int = 96,
    embedder: Embedder | None = None,
    semantic_weight: float = HybridSettings().semantic_weight,
    known: Mapping[str, NDArray[np.float32]] | None = None,
    seed: int = 0,
) -> LargeEncoder:
    """The encoder of a large network, fitted on a sample of its texts (on the driver): compact lexical
    vectors, plus embeddings when an ``embedder`` is given."""
    texts = [t for p in profiles for t in (*p.needs, *p.offers) if t.strip()] or [""]
    compact = CompactEncoder(dims=dims, seed=seed).fit(texts)
    if embedder is None:
        return compact
    return HybridEncoder(compact, embedder, semantic_weight=semantic_weight, known=known).calibrate(
        texts, seed=seed
    )


@dataclass
class LargeNetwork:
    """A large network's member vectors with the index over the offers and the exclusions, ready to be asked
    in shards (``ask``), in-process or on Ray workers."""

    needs: Vectors
    offers: Vectors
    index: VectorIndex
    offered: NDArray[np.int64]
    askers: NDArray[np.int64]
    blocked: dict[int, set[int]]

    @staticmethod
    def build(
        profiles: Sequence[MemberProfile],
        parts: Sequence[tuple[Vectors, Vectors, NDArray[np.bool_], NDArray[np.bool_]]],
        *,
        exclude: Exclusions | None = None,
        exact_limit: int = 20_000,
        seed: int = 0,
    ) -> LargeNetwork:
        """From ``member_vectors`` of consecutive shards of ``profiles``."""
        needs = np.concatenate([p[0] for p in parts])
        offers = np.concatenate([p[1] for p in parts])
        has_needs = np.concatenate([p[2] for p in parts])
        has_offers = np.concatenate([p[3] for p in parts])
        offered = np.flatnonzero(has_offers & np.array([p.opt_in for p in profiles], dtype=bool))
        index = VectorIndex.build(offers[offered], exact_limit=exact_limit, seed=seed)
        ids = {p.id: i for i, p in enumerate(profiles)}
        blocked: dict[int, set[int]] = {}
        for pair in excluded_pairs(profiles, exclude or Exclusions()):
            a, b = tuple(pair)
            if a in ids and b in ids:
                blocked.setdefault(ids[a], set()).add(ids[b])
                blocked.setdefault(ids[b], set()).add(ids[a])
        return LargeNetwork(needs, offers, index, offered, np.flatnonzero(has_needs), blocked)

    def ask(self, askers: NDArray[np.int64], top: int, reciprocal: float) -> list[list[tuple[int, float]]]:
        """The ``top`` (member, score) for each of ``askers``."""
        return top_candidates(
            self.needs, self.offers, self.index, self.offered, askers, top, self.blocked, reciprocal
        )


ShardMap = Callable[[Callable[..., Any], Sequence[tuple[Any, ...]]], list[Any]]
"""Calls ``function(*args)`` for each args tuple, anywhere (in-process, or as Ray tasks: the Ray job passes
one), and gives the answers in order."""


def in_process(function: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> list[Any]:
    return [function(*args) for args in calls]


def _ask(
    network: LargeNetwork, askers: NDArray[np.int64], top: int, reciprocal: float
) -> list[list[tuple[int, float]]]:
    return network.ask(askers, top, reciprocal)


def large_network(
    profiles: Sequence[MemberProfile],
    *,
    exclude: Exclusions | None = None,
    dims: int = 96,
    exact_limit: int = 20_000,
    embedder: Embedder | None = None,
    semantic_weight: float = HybridSettings().semantic_weight,
    known: Mapping[str, NDArray[np.float32]] | None = None,
    shards: int = 1,
    map_shards: ShardMap = in_process,
    seed: int = 0,
) -> tuple[LargeEncoder, LargeNetwork]:
    """The front half of :func:`match_members_large`: the encoder fitted on a sample (here), members turned
    into vectors in ``shards`` by ``map_shards`` (with an embedder, that is where a million members' time
    goes), the index and exclusions built once (here)."""
    encoder = fit_large_encoder(
        profiles, dims=dims, embedder=embedder, semantic_weight=semantic_weight, known=known, seed=seed
    )
    bounds = np.linspace(0, len(profiles), max(1, min(shards, len(profiles))) + 1).astype(int)
    parts = map_shards(
        member_vectors, [(encoder, list(profiles[a:b])) for a, b in itertools.pairwise(bounds)]
    )
    network = LargeNetwork.build(profiles, parts, exclude=exclude, exact_limit=exact_limit, seed=seed)
    return encoder, network


def match_members_large(
    profiles: Sequence[MemberProfile],
    *,
    top: int = 5,
    exclude: Exclusions | None = None,
    reciprocal: float = 0.25,
    dims: int = 96,
    exact_limit: int = 20_000,
    explain_matches: bool = True,
    embedder: Embedder | None = None,
    semantic_weight: float = HybridSettings().semantic_weight,
    known: Mapping[str, NDArray[np.float32]] | None = None,
    shards: int = 1,
    map_shards: ShardMap = in_process,
    seed: int = 0,
) -> list[MemberMatches]:
    """Like :func:`match_members`, for networks too large for the exact hybrid space (hundreds of thousands
    of members and up): compact vectors (with ``embedder``: plus embeddings, weighted as the hybrid; ``known``
    are embeddings already computed, by text hash), profile-level (not per-offer) similarity, HNSW retrieval
    of candidates and re-ranking of those with the reciprocal gain. Same exclusions and opt-out rules.

    ``map_shards`` runs the per-shard steps (encoding members, asking the index) over ``shards`` shards;
    ``werkkring.jobs.matching`` passes one that runs them as Ray tasks."""
    validate_profiles(profiles)
    if top < 1:
        raise InputError(f"top must be at least 1, got {top}")
    if not profiles:
        return []
    encoder, network = large_network(
        profiles,
        exclude=exclude,
        dims=dims,
        exact_limit=exact_limit,
        embedder=embedder,
        semantic_weight=semantic_weight,
        known=known,
        shards=shards,
        map_shards=map_shards,
        seed=seed,
    )
    return ask_large(profiles, encoder, network, top, reciprocal, explain_matches, shards, map_shards)


def ask_large(
    profiles: Sequence[MemberProfile],
    encoder: LargeEncoder,
    network: LargeNetwork,
    top: int,
    reciprocal: float,
    explain_matches: bool = True,
    shards: int = 1,
    map_shards: ShardMap = in_process,
) -> list[MemberMatches]:
    """The back half of :func:`match_members_large`: every member with needs asks the index, in chunks of
    at most 50,000 members (bounded memory) spread over ``shards``."""
    chunks = max(shards, -(-network.askers.size // 50_000))
    calls = [(network, c, top, reciprocal) for c in np.array_split(network.askers, chunks) if c.size]
    answers = map_shards(_ask, calls)
    language = encoder.language if explain_matches else None
    results: list[MemberMatches] = [MemberMatches(p.id, ()) for p in profiles]
    for (_, chunk, _, _), rows in zip(calls, answers, strict=True):
        for i, candidates in zip(chunk, rows, strict=True):
            results[int(i)] = to_matches(profiles, int(i), candidates, language)
    return results


def to_matches(
    profiles: Sequence[MemberProfile],
    asker: int,
    candidates: Sequence[tuple[int, float]],
    language: Language | None,
) -> MemberMatches:
    """One member's result rows as :class:`MemberMatches`, with reasons when ``language`` is given."""
    matches = []
    for j, score in candidates:
        why = _explain_pair(profiles[asker], profiles[j], language) if language is not None else ""
        matches.append(Match(id=profiles[j].id, score=round(score, 4), why=why))
    return MemberMatches(profiles[asker].id, tuple(matches))


def top_candidates(
    needs: Vectors,
    offers: Vectors,
    index: VectorIndex,
    offered: NDArray[np.int64],
    askers: NDArray[np.int64],
    top: int,
    blocked: dict[int, set[int]],
    reciprocal: float,
    block: int = 20_000,
) -> list[list[tuple[int, float]]]:
    """For each asker the ``top`` members by need->offer score plus the reciprocal gain, from the index's
    candidates (vectorised); an asker whose candidates run out after exclusions is asked again with a
    larger k."""
    if askers.size > block:  # bounded memory: candidates x dims floats per block of askers
        out: list[list[tuple[int, float]]] = []
        for start in range(0, askers.size, block):
            out += top_candidates(
                needs, offers, index, offered, askers[start : start + block], top, blocked, reciprocal, block
            )
        return out
    slack = max(10, top)
    k = min(top + slack, offered.size)
    if askers.size == 0 or k == 0:
        return [[] for _ in askers]
    labels, _ = index.query(needs[askers], k)
    valid = labels >= 0
    members = offered[np.where(valid, labels, 0)]
    valid &= members != askers[:, None]
    if blocked:
        for row, i in enumerate(askers):
            gone = blocked.get(int(i))
            if gone:
                valid[row] &= ~np.isin(members[row], list(gone))
    score = np.einsum("md,mkd->mk", needs[askers], offers[members])
    if reciprocal:
        score += reciprocal * np.clip(np.einsum("mkd,md->mk", needs[members], offers[askers]), 0, None)
    score = np.where(valid, score, -np.inf)
    order = np.argsort(-score, axis=1, kind="stable")[:, :top]
    out = []
    for row, i in enumerate(askers):
        chosen = [(int(members[row, o]), float(score[row, o])) for o in order[row] if valid[row, o]]
        if len(chosen) < top and k < offered.size:
            chosen = _retry(needs, offers, index, offered, int(i), top, blocked, reciprocal)
        out.append(chosen)
    return out


def _retry(
    needs: Vectors,
    offers: Vectors,
    index: VectorIndex,
    offered: NDArray[np.int64],
    i: int,
    top: int,
    blocked: dict[int, set[int]],
    reciprocal: float,
) -> list[tuple[int, float]]:
    k = min(offered.size, 4 * (top + max(10, top)))
    while True:
        labels = index.query(needs[i : i + 1], k)[0][0]
        members = offered[labels[labels >= 0]]
        keep = np.asarray([int(j) for j in members if j != i and j not in blocked.get(i, ())], dtype=np.int64)
        if keep.size >= top or k >= offered.size:
            break
        k = min(offered.size, k * 4)
    if keep.size == 0:
        return []
    score = offers[keep] @ needs[i] + reciprocal * np.clip(needs[keep] @ offers[i], 0, None)
    order = np.argsort(-score, kind="stable")[:top]
    return [(int(keep[o]), float(score[o])) for o in order]


def _explain_pair(asker: MemberProfile, other: MemberProfile, language: Language) -> str:
    """The reason for a large-network suggestion: the need and offer that share most words."""
    best: tuple[int, str, str, list[str]] = (-1, "", "", [])
    for need in asker.needs:
        need_words = content_words(need, language)
        for offer in other.offers:
            offer_words = set(content_words(offer, language))
            shared = [w for w in dict.fromkeys(need_words) if w in offer_words and len(w) > 2][:5]
            if len(shared) > best[0]:
                best = (len(shared), need, offer, shared)
    return explain(best[1], best[2], best[3])

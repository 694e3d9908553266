"""Need <-> offer matching: for every member, the members whose offers best meet their needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from werkkring.engines.connections._profiles import (
    Exclusions,
    Match,
    MemberMatches,
    MemberProfile,
    excluded_pairs,
    validate_profiles,
)
from werkkring.engines.connections._similarity import (
    Backend,
    Encoder,
    HybridSettings,
    Role,
    Similarity,
)
from werkkring.engines.connections._space import content_words
from werkkring.engines.embedding import Embedder, default_embedder
from werkkring.engines.text import Language
from werkkring.errors import InputError

# A reciprocal gain is mentioned in the reason when my offer meets your need at least this well.
RECIPROCAL_MENTION = 0.2


@dataclass(frozen=True)
class _Texts:
    """All needs and offers of a network in one list, with who wrote each (member by member)."""

    texts: list[str]
    need_rows: NDArray[np.int64]
    need_owner: NDArray[np.int64]
    offer_rows: NDArray[np.int64]
    offer_owner: NDArray[np.int64]

    @staticmethod
    def of(profiles: Sequence[MemberProfile], owners: Sequence[int] | None = None) -> _Texts:
        """``owners`` gives each profile's member number (default: its position)."""
        texts: list[str] = []
        need_rows, need_owner, offer_rows, offer_owner = [], [], [], []
        numbers = list(range(len(profiles))) if owners is None else list(owners)
        for i, p in zip(numbers, profiles, strict=True):
            for need in p.needs:
                if need.strip():
                    need_rows.append(len(texts))
                    need_owner.append(i)
                    texts.append(need)
        for i, p in zip(numbers, profiles, strict=True):
            for offer in p.offers:
                if offer.strip():
                    offer_rows.append(len(texts))
                    offer_owner.append(i)
                    texts.append(offer)
        as_array = np.asarray
        return _Texts(
            texts,
            as_array(need_rows, dtype=np.int64),
            as_array(need_owner, dtype=np.int64),
            as_array(offer_rows, dtype=np.int64),
            as_array(offer_owner, dtype=np.int64),
        )

    @property
    def roles(self) -> list[Role]:
        roles: list[Role] = ["offer"] * len(self.texts)
        for row in self.need_rows:
            roles[int(row)] = "need"
        return roles


def owner_matrix(owners: NDArray[np.int64], n: int) -> sp.csr_matrix:
    """Members x texts, 1 where the member wrote the text."""
    return sp.csr_matrix((np.ones(owners.size), (owners, np.arange(owners.size))), shape=(n, owners.size))


def fit_similarity(
    texts: _Texts,
    backend: Backend,
    embedder: Embedder | Encoder | None,
    seed: int,
    settings: HybridSettings = HybridSettings(),
) -> Similarity:
    if backend != "lexical" and embedder is None:
        if backend == "embedding":
            raise InputError("the 'embedding' backend needs an encoder (a function from texts to vectors)")
        embedder = default_embedder()
    return Similarity(texts.texts, texts.roles, backend, embedder, settings=settings, seed=seed)


@dataclass(frozen=True)
class _Side:
    """One member's needs and offers against the network: for each need (row) and member (column) the best
    score and which offer gave it; for each own offer and member, the best score and which need."""

    need_texts: list[str]
    need_best: NDArray[np.float32]
    need_offer: NDArray[np.int64]
    offer_texts: list[str]
    offer_best: NDArray[np.float32]
    offer_need: NDArray[np.int64]


class _Network:
    """What ranking needs to know about the network: who may be suggested, texts, word lists.

    ``need_texts`` and ``offer_texts`` are every need and offer by the position the scoring reports for it
    (``_Side.need_offer`` points into ``offer_texts``, ``_Side.offer_need`` into ``need_texts``); members in
    ``gone`` (removed since the fit) are never suggested."""

    def __init__(
        self,
        profiles: Sequence[MemberProfile],
        need_texts: Sequence[str],
        offer_texts: Sequence[str],
        language: Language,
        gone: Sequence[int] = (),
    ) -> None:
        self.n = len(profiles)
        self.profiles = profiles
        self.need_texts = need_texts
        self.offer_texts = offer_texts
        self.language = language
        self.cannot_be_suggested = np.array([not p.opt_in for p in profiles], dtype=bool)
        self.cannot_be_suggested[list(gone)] = True
        self._words: dict[str, list[str]] = {}

    @staticmethod
    def of(profiles: Sequence[MemberProfile], texts: _Texts, language: Language) -> _Network:
        return _Network(
            profiles,
            [texts.texts[r] for r in texts.need_rows],
            [texts.texts[r] for r in texts.offer_rows],
            language,
        )

    def lemmas(self, text: str) -> list[str]:
        if text not in self._words:
            self._words[text] = content_words(text, self.language)
        return self._words[text]

    def rank(
        self, i: int, side: _Side, top: int, reciprocal: float, blocked: Sequence[int]
    ) -> tuple[Match, ...]:
        """Member ``i``'s suggestions, best first, each with its reason."""
        n = self.n
        if not side.need_texts:
            return ()
        columns = np.arange(n)
        best_need = np.argmax(side.need_best, axis=0)
        gain = side.need_best[best_need, columns]
        back_gain = np.zeros(n, dtype=np.float32)
        back_need = np.full(n, -1, dtype=np.int64)
        back_offer = np.full(n, -1, dtype=np.int64)
        if side.offer_texts:
            back_offer = np.argmax(side.offer_best, axis=0)
            back_gain = np.clip(side.offer_best[back_offer, columns], 0, None)
            back_need = side.offer_need[back_offer, columns]
        score = gain + reciprocal * back_gain
        score[i] = -np.inf
        score[self.cannot_be_suggested] = -np.inf
        if blocked:
            score[list(blocked)] = -np.inf
        matches = []
        for j in _top_indices(score, top):
            need_text = side.need_texts[int(best_need[j])]
            offer_k = int(side.need_offer[best_need[j], j])
            offer_text = self.offer_texts[offer_k]
            shared = _shared(self.lemmas(need_text), self.lemmas(offer_text))
            mutual = bool(back_gain[j] >= RECIPROCAL_MENTION and back_need[j] >= 0)
            back = None
            if mutual:
                back = (side.offer_texts[int(back_offer[j])], self.need_texts[int(back_need[j])])
            matches.append(
                Match(
                    id=self.profiles[j].id,
                    score=round(float(score[j]), 4),
                    why=explain(need_text, offer_text, shared, back),
                    need=need_text,
                    offer=offer_text,
                    shared=tuple(shared),
                    reciprocal=mutual,
                )
            )
        return tuple(matches)


def _member_max(
    sims: NDArray[np.float32], owners: NDArray[np.int64], n: int, axis: int
) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """Reduce a text-by-text block to text-by-member along ``axis``: the best text of each member,
    and which text that was (the first on ties; -1 and -inf for members without texts).

    ``owners`` lists texts member by member (as ``_Texts`` builds them), so each member's texts are one
    contiguous run and the reduction is two vectorised ``reduceat`` calls instead of a loop over texts.
    """
    moved = sims if axis == 1 else sims.T
    best = np.full((moved.shape[0], n), -np.inf, dtype=np.float32)
    arg = np.full((moved.shape[0], n), -1, dtype=np.int64)
    if moved.shape[1] == 0 or moved.shape[0] == 0:
        return best, arg
    if np.any(owners[1:] < owners[:-1]):
        raise ValueError("texts must be listed member by member")
    starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
    segment_max = np.maximum.reduceat(moved, starts, axis=1)
    lengths = np.diff(np.r_[starts, owners.size])
    positions = np.where(
        moved >= np.repeat(segment_max, lengths, axis=1), np.arange(owners.size), owners.size
    )
    best[:, owners[starts]] = segment_max
    arg[:, owners[starts]] = np.minimum.reduceat(positions, starts, axis=1)
    return best, arg


def match_members(
    profiles: Sequence[MemberProfile],
    *,
    top: int = 5,
    exclude: Exclusions | None = None,
    backend: Backend = "lexical",
    reciprocal: float = 0.25,
    profile: float = 1.0,
    encoder: Embedder | Encoder | None = None,
    settings: HybridSettings = HybridSettings(),
    seed: int = 0,
    block: int = 256,
) -> list[MemberMatches]:
    """For every member (in input order) the ``top`` members whose offers best meet their needs.

    The score of j for i is the best similarity between one of i's needs and one of j's offers (per-offer
    maximum, so one strong offer is not drowned by unrelated ones) plus ``profile`` times the similarity
    of that need to all of j's offers together (several related offers add up), plus ``reciprocal``
    times the best similarity between one of j's needs and one of i's offers (both sides gain). Left out:
    i itself, members without offers, members who opted out (``opt_in`` False: never suggested to
    others) and the pairs that ``exclude`` rules out. Exact search; for very large networks use
    ``match_members_large``.

    ``backend``: "lexical" (the network's own words), "embedding" (``encoder`` alone) or "hybrid" (both; the
    encoder defaults to the offline multilingual model). ``encoder`` is an :class:`Embedder` or a function.
    """
    validate_profiles(profiles)
    check_options(top, reciprocal)
    n = len(profiles)
    texts = _Texts.of(profiles)
    if n == 0:
        return []
    if texts.need_rows.size == 0 or texts.offer_rows.size == 0:
        return [MemberMatches(p.id, ()) for p in profiles]
    similarity = fit_similarity(texts, backend, encoder, seed, settings)
    return match_fitted(profiles, texts, similarity, top, exclude, reciprocal, profile, block)


def check_options(top: int, reciprocal: float) -> None:
    if top < 1:
        raise InputError(f"top must be at least 1, got {top}")
    if reciprocal < 0:
        raise InputError(f"reciprocal must be zero or more, got {reciprocal}")


def match_fitted(
    profiles: Sequence[MemberProfile],
    texts: _Texts,
    similarity: Similarity,
    top: int,
    exclude: Exclusions | None,
    reciprocal: float,
    profile: float,
    block: int = 256,
) -> list[MemberMatches]:
    """:func:`match_members` on a similarity already fitted on ``texts`` (the benchmark compares settings
    on one fit)."""
    n = len(profiles)
    needs = similarity.rows(texts.need_rows)
    offers = similarity.rows(texts.offer_rows)
    offer_profiles = offers.summed(owner_matrix(texts.offer_owner, n))
    index = {p.id: i for i, p in enumerate(profiles)}
    blocked: dict[int, list[int]] = {}
    for pair in excluded_pairs(profiles, exclude or Exclusions()):
        a, b = tuple(pair)
        if a in index and b in index:
            blocked.setdefault(index[a], []).append(index[b])
            blocked.setdefault(index[b], []).append(index[a])
    network = _Network.of(profiles, texts, similarity.language)
    members_with_needs = np.unique(texts.need_owner)
    results: dict[int, MemberMatches] = {}
    for start in range(0, members_with_needs.size, block):
        members = members_with_needs[start : start + block]
        local_needs = np.flatnonzero(np.isin(texts.need_owner, members))
        local_offers = np.flatnonzero(np.isin(texts.offer_owner, members))
        # Their needs against everyone's offers, and everyone's needs against their offers.
        my_needs = needs.take(local_needs)
        forward = similarity.compare(my_needs, offers)
        backward = similarity.compare(needs, offers.take(local_offers))
        fwd_best, fwd_arg = _member_max(forward, texts.offer_owner, n, axis=1)
        if profile:
            fwd_best += profile * similarity.compare(my_needs, offer_profiles)
        bwd_best, bwd_arg = _member_max(backward, texts.need_owner, n, axis=0)
        for m in members:
            i = int(m)
            rows = np.flatnonzero(texts.need_owner[local_needs] == i)
            cols = np.flatnonzero(texts.offer_owner[local_offers] == i)
            side = _Side(
                need_texts=[texts.texts[texts.need_rows[k]] for k in local_needs[rows]],
                need_best=fwd_best[rows],
                need_offer=fwd_arg[rows],
                offer_texts=[texts.texts[texts.offer_rows[k]] for k in local_offers[cols]],
                offer_best=bwd_best[cols],
                offer_need=bwd_arg[cols],
            )
            results[i] = MemberMatches(
                profiles[i].id, network.rank(i, side, top, reciprocal, blocked.get(i, []))
            )
    return [results.get(i, MemberMatches(p.id, ())) for i, p in enumerate(profiles)]


def _top_indices(score: NDArray[np.float32], top: int) -> list[int]:
    """Indices of the ``top`` finite scores, best first; ties go to the earlier member (stable)."""
    finite = np.flatnonzero(np.isfinite(score))
    if finite.size == 0:
        return []
    order = finite[np.argsort(-score[finite], kind="stable")]
    return [int(j) for j in order[:top]]


def _shared(need: list[str], offer: list[str], limit: int = 5) -> list[str]:
    offered = set(offer)
    shared: list[str] = []
    for word in need:
        if word in offered and word not in shared and len(word) > 2:
            shared.append(word)
    return shared[:limit]


def _quote(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def explain(need: str, offer: str, shared: Sequence[str], back: tuple[str, str] | None = None) -> str:
    """The reason for a suggestion, in plain language."""
    why = f"Your need '{_quote(need)}' meets their offer '{_quote(offer)}'"
    if shared:
        why += f" (shared: {', '.join(shared)})"
    else:
        why += " (close in meaning)"
    if back is not None:
        why += f"; and your offer '{_quote(back[0])}' meets their need '{_quote(back[1])}', so you both gain"
    return why + "."


def pair_values(
    profiles: Sequence[MemberProfile],
    *,
    backend: Backend = "lexical",
    encoder: Embedder | Encoder | None = None,
    seed: int = 0,
) -> NDArray[np.float32]:
    """How much two members could give each other: the mean of the two one-way need-offer scores
    (0 where a side has no need or no offer). Symmetric, zero diagonal; for :func:`introduction_round`."""
    validate_profiles(profiles)
    n = len(profiles)
    values = np.zeros((n, n), dtype=np.float32)
    texts = _Texts.of(profiles)
    if texts.need_rows.size == 0 or texts.offer_rows.size == 0:
        return values
    similarity = fit_similarity(texts, backend, encoder, seed)
    needs, offers = similarity.rows(texts.need_rows), similarity.rows(texts.offer_rows)
    one_way = np.full((n, n), -np.inf, dtype=np.float32)
    for start in range(0, texts.need_rows.size, 1024):
        rows = np.arange(start, min(start + 1024, texts.need_rows.size))
        best, _ = _member_max(similarity.compare(needs.take(rows), offers), texts.offer_owner, n, 1)
        for r, owner in zip(rows, texts.need_owner[rows], strict=True):
            np.maximum(one_way[owner], best[r - start], out=one_way[owner])
    one_way = np.clip(np.where(np.isfinite(one_way), one_way, 0), 0, None)
    values = ((one_way + one_way.T) / 2).astype(np.float32)
    np.fill_diagonal(values, 0)
    return values

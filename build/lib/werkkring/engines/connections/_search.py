""" "Who can help me with X": free-text search over what members offer (and their tags)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from werkkring.engines.connections._profiles import MemberProfile, SearchHit, validate_profiles
from werkkring.engines.connections._space import SpaceSettings, TextSpace, content_words
from werkkring.errors import InputError

# A tag is a weaker statement than an offer written out, so it counts a little less.
_FIELD_WEIGHT = {"offer": 1.0, "tag": 0.8}


class SearchIndex:
    """Offers and tags of a network, fitted once, to answer many questions (the web app keeps one)."""

    def __init__(self, profiles: Sequence[MemberProfile], seed: int = 0) -> None:
        validate_profiles(profiles)
        self.profiles = list(profiles)
        self._texts: list[str] = []
        self._owner: list[int] = []
        self._field: list[Literal["offer", "tag"]] = []
        for i, p in enumerate(self.profiles):
            if not p.opt_in:  # opted out: not to be found by others
                continue
            for offer in p.offers:
                if offer.strip():
                    self._add(offer, i, "offer")
            if p.tags:
                self._add(", ".join(p.tags), i, "tag")
        # Needs are part of the corpus so that the space knows the network's vocabulary, not searched.
        corpus = self._texts + [n for p in self.profiles for n in p.needs if n.strip()]
        self._space = TextSpace(corpus, SpaceSettings(smooth_weight=0.0), seed=seed) if self._texts else None

    def _add(self, text: str, owner: int, field: Literal["offer", "tag"]) -> None:
        self._texts.append(text)
        self._owner.append(owner)
        self._field.append(field)

    def search(self, query: str, top: int = 10) -> list[SearchHit]:
        """The members best placed to help with ``query``, best first, each with the text that matched."""
        if not query.strip():
            raise InputError("the search query is empty")
        if top < 1:
            raise InputError(f"top must be at least 1, got {top}")
        if self._space is None:
            return []
        vectors = self._space.transform([query])
        sims = self._space.similarity_to(vectors, np.arange(len(self._texts)))[0]
        weights = np.array([_FIELD_WEIGHT[f] for f in self._field], dtype=np.float32)
        sims = sims * weights
        best: dict[int, int] = {}
        for k in np.argsort(-sims, kind="stable"):
            owner = self._owner[int(k)]
            if owner not in best and sims[k] > 0:
                best[owner] = int(k)
            if len(best) >= top:
                break
        query_words = set(content_words(query, self._space.language))
        return [
            SearchHit(
                id=self.profiles[owner].id,
                score=round(float(sims[k]), 4),
                snippet=snippet(self._texts[k], query_words, self._space.language),
                field=self._field[k],
            )
            for owner, k in best.items()
        ]


def search(profiles: Sequence[MemberProfile], query: str, top: int = 10, seed: int = 0) -> list[SearchHit]:
    """Who can help with ``query``: members ranked by their best offer or tags (opted-out members are
    never returned). Fits a :class:`SearchIndex` each call; keep one index for repeated questions."""
    return SearchIndex(profiles, seed=seed).search(query, top)


def snippet(text: str, query_words: set[str], language: str = "nl", width: int = 120) -> str:
    """The part of ``text`` around the first word that matches the query, with matches in **bold**."""
    words = text.split()
    from werkkring.engines.text import Language

    lang: Language = language if language in ("nl", "en", "mixed") else "nl"  # type: ignore[assignment]
    marked: list[str] = []
    first = None
    for position, word in enumerate(words):
        lemmas = set(content_words(word, lang))
        if lemmas & query_words:
            marked.append(f"**{word}**")
            first = position if first is None else first
        else:
            marked.append(word)
    start = max(0, (first or 0) - 6)
    out = " ".join(marked[start:])
    if len(out) > width:
        out = out[: width - 1].rstrip() + "…"
    return ("…" if start > 0 else "") + out

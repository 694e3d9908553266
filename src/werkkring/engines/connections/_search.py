""" "Who can help me with X": free-text search over what members offer (and their tags)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from werkkring.engines.connections._profiles import MemberProfile, SearchHit, validate_profiles
from werkkring.engines.connections._similarity import (
    Backend,
    Encoder,
    HybridSettings,
    Role,
    Similarity,
    Vectors,
)
from werkkring.engines.connections._space import SpaceSettings, content_words
from werkkring.engines.embedding import Embedder, default_embedder
from werkkring.errors import InputError

Field = Literal["offer", "tag"]
# A tag is a weaker statement than an offer written out, so it counts a little less.
_FIELD_WEIGHT = {"offer": 1.0, "tag": 0.8}


@dataclass(frozen=True)
class _Found:
    """Searchable texts of some members: each text, whose it is, which field, and its vectors."""

    texts: list[str]
    owner: NDArray[np.int64]
    field: list[Field]
    vectors: Vectors | None

    @staticmethod
    def collect(
        profiles: Sequence[MemberProfile], numbers: Sequence[int]
    ) -> tuple[list[str], list[int], list[Field]]:
        texts: list[str] = []
        owners: list[int] = []
        fields: list[Field] = []
        for i, p in zip(numbers, profiles, strict=True):
            if not p.opt_in:  # opted out: not to be found by others
                continue
            for offer in p.offers:
                if offer.strip():
                    texts.append(offer)
                    owners.append(i)
                    fields.append("offer")
            if p.tags:
                texts.append(", ".join(p.tags))
                owners.append(i)
                fields.append("tag")
        return texts, owners, fields


class SearchIndex:
    """Offers and tags of a network, fitted once, to answer many questions (the web app keeps one).

    ``backend`` as for matching: "lexical" (the network's words), "embedding" or "hybrid" (with the offline
    multilingual model by default, so an English question finds a Dutch offer). ``updated(changed, removed)``
    gives an index with those members' texts replaced without refitting (see :class:`Matcher`)."""

    def __init__(
        self,
        profiles: Sequence[MemberProfile],
        seed: int = 0,
        *,
        backend: Backend = "lexical",
        encoder: Embedder | Encoder | None = None,
        settings: HybridSettings = HybridSettings(),
    ) -> None:
        validate_profiles(profiles)
        self._fit = {"seed": seed, "backend": backend, "encoder": encoder, "settings": settings}
        self.profiles = list(profiles)
        self._index = {p.id: i for i, p in enumerate(self.profiles)}
        self._changed: dict[str, MemberProfile] = {}
        self._removed: set[str] = set()
        texts, owners, fields = _Found.collect(self.profiles, range(len(self.profiles)))
        self._similarity: Similarity | None = None
        vectors = None
        if texts:
            # Needs are part of the corpus so that the space knows the network's vocabulary, not searched.
            needs = [n for p in self.profiles for n in p.needs if n.strip()]
            offer_roles: list[Role] = ["offer"] * len(texts)
            need_roles: list[Role] = ["need"] * len(needs)
            roles = offer_roles + need_roles
            if backend != "lexical" and encoder is None:
                encoder = default_embedder()
            self._similarity = Similarity(
                texts + needs,
                roles,
                backend,
                encoder,
                settings=replace(settings, semantic_smooth=0.0),  # like the lexical space: not for search
                space_settings=SpaceSettings(smooth_weight=0.0),
                seed=seed,
            )
            vectors = self._similarity.rows(np.arange(len(texts)))
        self._parts = [_Found(texts, np.asarray(owners, dtype=np.int64), fields, vectors)]
        self._floor = self._minimum()

    def _minimum(self) -> float:
        """The least similarity a hit needs. Lexically: any shared word or n-gram (> 0). With embeddings every
        text is somewhat like every question, so a hit must at least beat the network's average need-offer
        pair."""
        similarity = self._similarity
        if similarity is None or similarity.calibration is None:
            return 0.0
        c = similarity.calibration
        return c.semantic_mean if similarity.backend == "embedding" else c.lexical_mean

    @property
    def changed_share(self) -> float:
        return (len(self._changed) + len(self._removed)) / max(1, len(self._index))

    def updated(self, changed: Iterable[MemberProfile] = (), removed: Iterable[str] = ()) -> SearchIndex:
        """An index in which ``changed`` members have the texts given and ``removed`` ones are gone; this one
        is left as it was."""
        changed = list(changed)
        validate_profiles(changed)
        new = object.__new__(SearchIndex)
        new.__dict__.update(self.__dict__)
        new.profiles = list(self.profiles)
        new._index = dict(self._index)
        new._changed = dict(self._changed)
        for profile in changed:
            if profile.id not in new._index:
                new._index[profile.id] = len(new.profiles)
                new.profiles.append(profile)
            else:
                new.profiles[new._index[profile.id]] = profile
            new._changed[profile.id] = profile
        gone = set(removed)
        for member_id in gone:
            new._changed.pop(member_id, None)
        new._removed = (self._removed - {p.id for p in changed}) | (gone & set(new._index))
        members = sorted(new._index[i] for i in new._changed)
        texts, owners, fields = _Found.collect([new.profiles[m] for m in members], members)
        vectors = None
        if self._similarity is not None:
            vectors = self._similarity.encode(texts, "offer")
        elif texts:  # nothing was searchable at the fit: fit now
            current = [p for p in new.profiles if p.id not in new._removed]
            return SearchIndex(current, **self._fit)  # type: ignore[arg-type]
        new._parts = [self._parts[0], _Found(texts, np.asarray(owners, dtype=np.int64), fields, vectors)]
        return new

    def search(self, query: str, top: int = 10, offset: int = 0) -> list[SearchHit]:
        """The members best placed to help with ``query``, best first, each with the text that matched;
        ``offset`` skips that many of the best (paging)."""
        if not query.strip():
            raise InputError("the search query is empty")
        if top < 1:
            raise InputError(f"top must be at least 1, got {top}")
        if offset < 0:
            raise InputError(f"offset must be zero or more, got {offset}")
        similarity = self._similarity
        if similarity is None:
            return []
        question = similarity.encode([query], "need")
        outdated = {self._index[i] for i in self._changed} | {self._index[i] for i in self._removed}
        scored: list[tuple[float, int, int, int]] = []  # (score, owner, part, text)
        for k, part in enumerate(self._parts):
            if not part.texts or part.vectors is None:
                continue
            sims = similarity.compare(question, part.vectors)[0]
            sims = sims * np.array([_FIELD_WEIGHT[f] for f in part.field], dtype=np.float32)
            for row in np.flatnonzero(sims > self._floor):
                owner = int(part.owner[row])
                if k == 0 and owner in outdated:
                    continue
                scored.append((float(sims[row]), owner, k, int(row)))
        scored.sort(key=lambda s: (-s[0], s[1], s[2], s[3]))
        best: dict[int, tuple[float, int, int]] = {}
        for score, owner, part_no, text_no in scored:
            if owner not in best:
                best[owner] = (score, part_no, text_no)
                if len(best) >= offset + top:
                    break
        query_words = set(content_words(query, similarity.language))
        hits = []
        for owner, (score, part_no, t) in list(best.items())[offset:]:
            part = self._parts[part_no]
            hits.append(
                SearchHit(
                    id=self.profiles[owner].id,
                    score=round(score, 4),
                    snippet=snippet(part.texts[t], query_words, similarity.language),
                    field=part.field[t],
                    text=part.texts[t],
                )
            )
        return hits


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

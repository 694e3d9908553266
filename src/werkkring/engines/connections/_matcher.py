"""Suggestions for one member at a time from a network fitted once (what the web app keeps), kept fresh by
small updates instead of refits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from werkkring.engines.connections._matching import (
    _member_max,
    _Network,
    _Side,
    _Texts,
    check_options,
    fit_similarity,
    owner_matrix,
)
from werkkring.engines.connections._profiles import (
    Exclusions,
    MemberMatches,
    MemberProfile,
    excluded_pairs,
    validate_profiles,
)
from werkkring.engines.connections._similarity import Backend, Encoder, HybridSettings, Similarity, Vectors
from werkkring.engines.embedding import Embedder
from werkkring.errors import InputError

Ints = NDArray[np.int64]
Floats = NDArray[np.float32]


@dataclass(frozen=True)
class _Part:
    """Needs and offers of some members placed in the fitted space, listed member by member.

    Owners are member numbers of the whole network. The fitted network is one part; the members changed or
    added since the fit are another (rebuilt from their current texts on every update)."""

    needs: Vectors
    need_owner: Ints
    need_texts: list[str]
    offers: Vectors
    offer_owner: Ints
    offer_texts: list[str]
    members: Ints
    """The members whose texts this part holds (sorted)."""
    profiles: Vectors
    """Each of ``members``' offers summed into one profile, in the order of ``members``."""

    @staticmethod
    def build(needs: Vectors, offers: Vectors, texts: _Texts, members: Ints) -> _Part:
        position = {int(m): k for k, m in enumerate(members)}
        local = np.asarray([position[int(o)] for o in texts.offer_owner], dtype=np.int64)
        return _Part(
            needs,
            texts.need_owner,
            [texts.texts[r] for r in texts.need_rows],
            offers,
            texts.offer_owner,
            [texts.texts[r] for r in texts.offer_rows],
            members,
            offers.summed(owner_matrix(local, members.size)),
        )


def _best_of(parts: Sequence[tuple[Floats, Ints, Ints]], offsets: Sequence[int]) -> tuple[Floats, Ints]:
    """Combine per-part (best, which text, members to keep) into one: each member lives in one part, so the
    best over parts is that part's; text numbers are shifted by each part's offset in the combined list."""
    best, arg = None, None
    for (part_best, part_arg, keep), offset in zip(parts, offsets, strict=True):
        masked = np.full_like(part_best, -np.inf)
        masked[:, keep] = part_best[:, keep]
        shifted = np.where(part_arg >= 0, part_arg + offset, -1)
        if best is None or arg is None:
            best, arg = masked, shifted
        else:
            better = masked > best
            best = np.where(better, masked, best)
            arg = np.where(better, shifted, arg)
    assert best is not None and arg is not None
    return best, arg


class Matcher:
    """A network's needs and offers fitted once, to answer "who should I meet?" for one member at a time
    (the web app keeps one per network; :func:`match_members` answers for everyone at once).

    ``suggest`` gives the same suggestions as :func:`match_members` for a member whose texts are in the
    fitted profiles. A member may also pass their own needs and offers in full (fields they keep to their
    circles or to themselves, which were not fitted): those are placed in the fitted space as queries.

    ``updated(changed, removed)`` gives a new matcher in which those members' texts are replaced (or added,
    or taken out) without refitting: the new texts are placed in the fitted space, like a search query. The
    fitted one is shared and never modified, so requests still using it are safe. Refit (a new Matcher) when
    ``changed_share`` grows large: words the fit never saw count only through the embedding and the
    character n-grams it knows.
    """

    def __init__(
        self,
        profiles: Sequence[MemberProfile],
        *,
        backend: Backend = "lexical",
        encoder: Embedder | Encoder | None = None,
        settings: HybridSettings = HybridSettings(),
        seed: int = 0,
    ) -> None:
        validate_profiles(profiles)
        self._fit = {"backend": backend, "encoder": encoder, "settings": settings, "seed": seed}
        self.profiles = list(profiles)
        self._index = {p.id: i for i, p in enumerate(self.profiles)}
        self._fitted_members = len(self.profiles)
        self._changed: dict[str, MemberProfile] = {}
        self._removed: frozenset[str] = frozenset()
        texts = _Texts.of(self.profiles)
        self._similarity: Similarity | None = None
        self._parts: list[_Part] = []
        if texts.offer_rows.size:
            self._similarity = fit_similarity(texts, backend, encoder, seed, settings)
            base = _Part.build(
                self._similarity.rows(texts.need_rows),
                self._similarity.rows(texts.offer_rows),
                texts,
                np.arange(len(self.profiles), dtype=np.int64),
            )
            self._parts = [base]
        self._finish()

    def _finish(self) -> None:
        """Where each member's texts live now, and the ranking view over all parts."""
        n = len(self.profiles)
        self._home = np.full(n, -1, dtype=np.int64)  # which part holds each member's texts (-1: none)
        for k, part in enumerate(self._parts):
            self._home[part.members] = k
        gone = [self._index[i] for i in self._removed if i in self._index]
        self._home[gone] = -1
        self._need_offset = [int(x) for x in np.cumsum([0, *(len(p.need_texts) for p in self._parts)])][:-1]
        self._offer_offset = [int(x) for x in np.cumsum([0, *(len(p.offer_texts) for p in self._parts)])][:-1]
        language = self._similarity.language if self._similarity is not None else "nl"
        self._network = _Network(
            self.profiles,
            [t for p in self._parts for t in p.need_texts],
            [t for p in self._parts for t in p.offer_texts],
            language,
            gone,
        )

    @property
    def changed_share(self) -> float:
        """Members changed, added or removed since the fit, as a share of the fitted network."""
        return (len(self._changed) + len(self._removed)) / max(1, self._fitted_members)

    def updated(self, changed: Iterable[MemberProfile] = (), removed: Iterable[str] = ()) -> Matcher:
        """A matcher in which ``changed`` members (new or edited) have the texts given and ``removed`` ones
        are gone; this one is left as it was."""
        changed = list(changed)
        validate_profiles(changed)
        removed_now = set(removed)
        if self._similarity is None:  # nothing was fitted (no offers at all): fit now
            merged = {p.id: p for p in self.profiles if p.id not in removed_now}
            merged.update({p.id: p for p in changed})
            return Matcher(list(merged.values()), **self._fit)  # type: ignore[arg-type]
        new = object.__new__(Matcher)
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
        for member_id in removed_now:
            new._changed.pop(member_id, None)
        new._removed = (self._removed - {p.id for p in changed}) | (removed_now & set(new._index))
        new._parts = [self._parts[0], *new._delta()]
        new._finish()
        return new

    def _delta(self) -> list[_Part]:
        """One part with every member changed since the fit, their texts placed in the fitted space."""
        assert self._similarity is not None
        members = np.asarray(sorted(self._index[i] for i in self._changed), dtype=np.int64)
        if members.size == 0:
            return []
        profiles = [self.profiles[int(m)] for m in members]
        texts = _Texts.of(profiles, owners=[int(m) for m in members])
        needs = self._similarity.encode([texts.texts[r] for r in texts.need_rows], "need")
        offers = self._similarity.encode([texts.texts[r] for r in texts.offer_rows], "offer")
        return [_Part.build(needs, offers, texts, members)]

    def _keep(self, k: int) -> Ints:
        """Members whose texts part ``k`` holds now (not changed since, not removed)."""
        return np.flatnonzero(self._home == k)

    def suggest(
        self,
        member_id: str,
        *,
        needs: Sequence[str] | None = None,
        offers: Sequence[str] | None = None,
        top: int = 5,
        exclude: Exclusions | None = None,
        reciprocal: float = 0.25,
        profile: float = 1.0,
    ) -> MemberMatches:
        """The ``top`` members whose offers best meet ``member_id``'s needs (scored as in
        :func:`match_members`); ``needs``/``offers`` replace the member's fitted ones when given."""
        check_options(top, reciprocal)
        i = self._index.get(member_id)
        if i is None or member_id in self._removed:
            raise InputError(f"member {member_id!r} is not in the fitted network")
        similarity = self._similarity
        if similarity is None:
            return MemberMatches(member_id, ())
        home = self._parts[int(self._home[i])] if self._home[i] >= 0 else None
        mine_n = np.flatnonzero(home.need_owner == i) if home is not None else np.zeros(0, np.int64)
        mine_o = np.flatnonzero(home.offer_owner == i) if home is not None else np.zeros(0, np.int64)
        fitted_needs = [home.need_texts[k] for k in mine_n] if home is not None else []
        fitted_offers = [home.offer_texts[k] for k in mine_o] if home is not None else []
        need_texts = fitted_needs if needs is None else [t for t in needs if t.strip()]
        offer_texts = fitted_offers if offers is None else [t for t in offers if t.strip()]
        if not need_texts:
            return MemberMatches(member_id, ())
        n = len(self.profiles)
        if need_texts == fitted_needs and home is not None:
            needs_in = home.needs.take(mine_n)
        else:
            needs_in = similarity.encode(need_texts, "need")
        forward, profiles_term = [], np.zeros((len(needs_in), n), dtype=np.float32)
        for k, part in enumerate(self._parts):
            best, arg = _member_max(similarity.compare(needs_in, part.offers), part.offer_owner, n, axis=1)
            forward.append((best, arg, self._keep(k)))
            if profile:
                profiles_term[:, part.members] = similarity.compare(needs_in, part.profiles)
        need_best, need_offer = _best_of(forward, self._offer_offset)
        if profile:
            need_best = need_best + profile * profiles_term
        if offer_texts == fitted_offers and home is not None:
            offers_in = home.offers.take(mine_o)
        else:
            offers_in = similarity.encode(offer_texts, "offer")
        backward = []
        for k, part in enumerate(self._parts):
            sims = similarity.compare(part.needs, offers_in)
            best, arg = _member_max(sims, part.need_owner, n, axis=0)
            backward.append((best, arg, self._keep(k)))
        offer_best, offer_need = _best_of(backward, self._need_offset)
        blocked = [
            self._index[other]
            for pair in excluded_pairs(self.profiles, exclude or Exclusions())
            if member_id in pair
            for other in pair
            if other != member_id and other in self._index
        ]
        side = _Side(need_texts, need_best, need_offer, offer_texts, offer_best, offer_need)
        return MemberMatches(member_id, self._network.rank(i, side, top, reciprocal, blocked))

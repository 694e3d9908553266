"""Suggestions for one member at a time from a network fitted once (what the web app keeps)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from werkkring.engines.connections._matching import (
    Backend,
    Encoder,
    _member_max,
    _Network,
    _Side,
    _Similarity,
    _Texts,
)
from werkkring.engines.connections._profiles import (
    Exclusions,
    MemberMatches,
    MemberProfile,
    excluded_pairs,
    validate_profiles,
)
from werkkring.errors import InputError


class Matcher:
    """A network's needs and offers fitted once, to answer "who should I meet?" for one member at a time
    (the web app keeps one per network; :func:`match_members` answers for everyone at once).

    ``suggest`` gives the same suggestions as :func:`match_members` for a member whose texts are in the
    fitted profiles. A member may also pass their own needs and offers in full (fields they keep to their
    circles or to themselves, which were not fitted): those are placed in the fitted space as queries.
    """

    def __init__(
        self,
        profiles: Sequence[MemberProfile],
        *,
        backend: Backend = "lexical",
        encoder: Encoder | None = None,
        seed: int = 0,
    ) -> None:
        validate_profiles(profiles)
        self.profiles = list(profiles)
        self._index = {p.id: i for i, p in enumerate(self.profiles)}
        self._texts = _Texts.of(self.profiles)
        self._similarity: _Similarity | None = None
        if self._texts.offer_rows.size:
            self._similarity = _Similarity(self._texts.texts, backend, encoder, seed)
            self._offer_profiles = self._similarity.profiles(self._texts, len(self.profiles))
            self._network = _Network(self.profiles, self._texts, self._similarity.language)

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
        if top < 1:
            raise InputError(f"top must be at least 1, got {top}")
        if reciprocal < 0:
            raise InputError(f"reciprocal must be zero or more, got {reciprocal}")
        i = self._index.get(member_id)
        if i is None:
            raise InputError(f"member {member_id!r} is not in the fitted network")
        texts, similarity = self._texts, self._similarity
        mine_n = np.flatnonzero(texts.need_owner == i)
        mine_o = np.flatnonzero(texts.offer_owner == i)
        fitted_needs = [texts.texts[texts.need_rows[k]] for k in mine_n]
        fitted_offers = [texts.texts[texts.offer_rows[k]] for k in mine_o]
        need_texts = fitted_needs if needs is None else [t for t in needs if t.strip()]
        offer_texts = fitted_offers if offers is None else [t for t in offers if t.strip()]
        if similarity is None or not need_texts:
            return MemberMatches(member_id, ())
        n = len(self.profiles)
        needs_in = (
            similarity.rows(texts.need_rows[mine_n])
            if need_texts == fitted_needs
            else similarity.encode(need_texts)
        )
        forward = similarity.query_block(needs_in, texts.offer_rows)
        to_profiles = similarity.query_profile_block(needs_in, self._offer_profiles)
        need_best, need_offer = _member_max(forward, texts.offer_owner, n, axis=1)
        if profile:
            need_best = need_best + profile * to_profiles
        if offer_texts == fitted_offers:
            backward = similarity.block(texts.need_rows, texts.offer_rows[mine_o])
        elif offer_texts:
            backward = similarity.query_block(similarity.encode(offer_texts), texts.need_rows).T
        else:
            backward = np.zeros((texts.need_rows.size, 0), dtype=np.float32)
        offer_best, offer_need = _member_max(backward, texts.need_owner, n, axis=0)
        blocked = [
            self._index[other]
            for pair in excluded_pairs(self.profiles, exclude or Exclusions())
            if member_id in pair
            for other in pair
            if other != member_id and other in self._index
        ]
        side = _Side(need_texts, need_best, need_offer, offer_texts, offer_best, offer_need)
        return MemberMatches(member_id, self._network.rank(i, side, top, reciprocal, blocked))

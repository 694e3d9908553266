from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from werkkring.engines.connections import Exclusions, MemberProfile, excluded_pairs, match_members
from werkkring.errors import InputError

PARTNER = {
    "anna": "bram",
    "bram": "anna",
    "cato": "daan",
    "daan": "cato",
    "eva": "floor",
    "floor": "eva",
    "gijs": "hanna",
    "hanna": "gijs",
}


def test_the_member_whose_offer_meets_the_need_comes_first(profiles: list[MemberProfile]) -> None:
    results = match_members(profiles, top=3, exclude=Exclusions(small_circle=0))
    assert [r.id for r in results] == [p.id for p in profiles]
    for result in results:
        assert result.matches[0].id == PARTNER[result.id], result
        assert result.matches[0].reciprocal
        assert "so you both gain" in result.matches[0].why
        assert result.matches[0].why.startswith("Your need '")


def test_results_are_sorted_bounded_and_never_self(profiles: list[MemberProfile]) -> None:
    for top in (1, 3, 20):
        for result in match_members(profiles, top=top, exclude=Exclusions(small_circle=0)):
            ids = [m.id for m in result.matches]
            assert result.id not in ids
            assert len(ids) == len(set(ids)) == min(top, len(profiles) - 1)
            scores = [m.score for m in result.matches]
            assert scores == sorted(scores, reverse=True)


def test_exclusions_and_opt_out_are_respected(profiles: list[MemberProfile]) -> None:
    profiles = [dataclasses.replace(p, opt_in=False) if p.id == "hanna" else p for p in profiles]
    exclude = Exclusions.of(known=[("anna", "bram")], groups=[("cato", "daan", "eva")], small_circle=2)
    forbidden = excluded_pairs(profiles, exclude)
    assert frozenset(("eva", "floor")) in forbidden  # same circle of two
    assert frozenset(("cato", "eva")) in forbidden  # same breakout group
    results = match_members(profiles, top=7, exclude=exclude)
    for result in results:
        for match in result.matches:
            assert frozenset((result.id, match.id)) not in forbidden
            assert match.id != "hanna"
    hanna = next(r for r in results if r.id == "hanna")
    assert hanna.matches and hanna.matches[0].id == "gijs"  # opted out: still gets own suggestions


def test_reciprocal_gain_only_reorders_by_its_weight(profiles: list[MemberProfile]) -> None:
    plain = match_members(profiles, top=7, reciprocal=0.0, exclude=Exclusions(small_circle=0))
    mutual = match_members(profiles, top=7, reciprocal=0.5, exclude=Exclusions(small_circle=0))
    for a, b in zip(plain, mutual, strict=True):
        one_way = {m.id: m.score for m in a.matches}
        for m in b.matches:
            assert m.score >= one_way[m.id] - 1e-4


def test_deterministic_and_multiple_needs_take_the_best(profiles: list[MemberProfile]) -> None:
    first = match_members(profiles, top=3, seed=3)
    assert first == match_members(profiles, top=3, seed=3)
    extended = [
        dataclasses.replace(p, needs=("iets heel anders: bijenhouden", *p.needs)) if p.id == "anna" else p
        for p in profiles
    ]
    anna = match_members(extended, top=1, exclude=Exclusions(small_circle=0))[0]
    assert anna.matches[0].id == "bram"
    assert "website" in anna.matches[0].need


def test_members_without_texts_and_bad_input() -> None:
    lonely = [MemberProfile("a", needs=("x",)), MemberProfile("b", needs=("y",))]
    assert [r.matches for r in match_members(lonely)] == [(), ()]
    assert match_members([]) == []
    with pytest.raises(InputError, match="duplicate member id 'a'"):
        match_members([MemberProfile("a", offers=("x",)), MemberProfile("a", needs=("y",))])
    with pytest.raises(InputError, match="top must be at least 1"):
        match_members(lonely, top=0)


def test_embedding_backend_uses_the_encoder(profiles: list[MemberProfile]) -> None:
    def letters(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 26))
        for row, text in enumerate(texts):
            for ch in text.lower():
                if "a" <= ch <= "z":
                    out[row, ord(ch) - 97] += 1
        return out

    results = match_members(profiles, top=2, backend="embedding", encoder=letters)
    assert all(len(r.matches) == 2 for r in results)
    with pytest.raises(InputError, match="needs an encoder"):
        match_members(profiles, backend="embedding")


def test_member_max_is_the_best_text_of_each_member_first_on_ties() -> None:
    from werkkring.engines.connections._matching import _member_max

    rng = np.random.default_rng(3)
    owners = np.array([0, 0, 2, 2, 2, 3, 5, 5], dtype=np.int64)  # members 1 and 4 have no texts
    sims = rng.integers(0, 4, size=(5, owners.size)).astype(np.float32)  # small integers: many ties
    best, arg = _member_max(sims, owners, 6, axis=1)
    for row in range(5):
        for member in range(6):
            texts = np.flatnonzero(owners == member)
            if texts.size == 0:
                assert best[row, member] == -np.inf and arg[row, member] == -1
                continue
            top = sims[row, texts].max()
            assert best[row, member] == top
            assert arg[row, member] == texts[np.flatnonzero(sims[row, texts] == top)[0]]
    by_column, _ = _member_max(sims.T.copy(), owners, 6, axis=0)
    assert np.array_equal(by_column, best)
    with pytest.raises(ValueError, match="member by member"):
        _member_max(sims, owners[::-1].copy(), 6, axis=1)

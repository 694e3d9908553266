"""The fitted Matcher (what the web app keeps): the same suggestions as match_members, one member at a time,
and a member's own texts that were not fitted (kept to their circles) placed in the space as queries."""

from __future__ import annotations

import dataclasses

import pytest

from tests.connections.test_matching import PARTNER
from werkkring.engines.connections import Exclusions, Matcher, MemberProfile, match_members
from werkkring.errors import InputError

# Cato and Daan share a circle of two, which the default exclusions leave out; these tests want them to meet.
ANYONE = Exclusions(small_circle=0)


def test_suggest_equals_match_members_for_every_member(profiles: list[MemberProfile]) -> None:
    exclude = Exclusions.of(known=[("anna", "bram")], groups=[("cato", "eva")], small_circle=0)
    everyone = match_members(profiles, top=4, exclude=exclude)
    matcher = Matcher(profiles)
    for result in everyone:
        assert matcher.suggest(result.id, top=4, exclude=exclude) == result


def test_own_texts_that_were_not_fitted_are_used_as_queries(profiles: list[MemberProfile]) -> None:
    # Cato keeps her need to her circles: the network's view has no need for her.
    public = [dataclasses.replace(p, needs=()) if p.id == "cato" else p for p in profiles]
    matcher = Matcher(public)
    assert matcher.suggest("cato", exclude=ANYONE).matches == ()
    cato = next(p for p in profiles if p.id == "cato")
    own = matcher.suggest("cato", needs=cato.needs, top=3, exclude=ANYONE)
    assert own.matches[0].id == PARTNER["cato"]
    assert own.matches[0].need == cato.needs[0]
    # Her own offer (portraits) meets Daan's need: the reciprocal part works from a query too.
    assert own.matches[0].reciprocal
    assert "so you both gain" in own.matches[0].why


def test_offers_passed_in_replace_the_fitted_ones(profiles: list[MemberProfile]) -> None:
    matcher = Matcher(profiles)
    fitted = matcher.suggest("cato", top=3, exclude=ANYONE)
    assert fitted.matches[0].reciprocal
    without = matcher.suggest("cato", offers=[], top=3, exclude=ANYONE)
    assert without.matches[0].id == fitted.matches[0].id
    assert not any(m.reciprocal for m in without.matches)


def test_bad_requests_say_what(profiles: list[MemberProfile]) -> None:
    matcher = Matcher(profiles)
    with pytest.raises(InputError, match="not in the fitted network"):
        matcher.suggest("nobody")
    with pytest.raises(InputError, match="top must be at least 1"):
        matcher.suggest("anna", top=0)
    assert Matcher([dataclasses.replace(p, offers=()) for p in profiles]).suggest("anna").matches == ()

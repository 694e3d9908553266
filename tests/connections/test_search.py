from __future__ import annotations

import dataclasses

import pytest

from werkkring.engines.connections import MemberProfile, SearchIndex, search
from werkkring.errors import InputError


def test_who_can_help_finds_the_offer_with_a_snippet(profiles: list[MemberProfile]) -> None:
    hits = search(profiles, "wie kan mijn boekhouding doen?", top=3)
    assert hits[0].id == "daan"
    assert "**boekhouding**" in hits[0].snippet
    assert hits[0].field == "offer"
    assert len(hits) <= 3 and len({h.id for h in hits}) == len(hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_english_query_and_compound_words(profiles: list[MemberProfile]) -> None:
    assert search(profiles, "solar panels sustainable energy advice")[0].id == "hanna"
    assert search(profiles, "subsidie")[0].id == "floor"  # inside 'subsidieaanvragen'


def test_opted_out_members_are_never_found(profiles: list[MemberProfile]) -> None:
    hidden = [dataclasses.replace(p, opt_in=False) if p.id == "daan" else p for p in profiles]
    assert all(h.id != "daan" for h in SearchIndex(hidden).search("boekhouding", top=10))


def test_tags_are_searched_and_bad_queries_refused(profiles: list[MemberProfile]) -> None:
    tagged = [*profiles, MemberProfile("ivo", tags=("podcast", "audio"))]
    assert search(tagged, "podcast opnemen")[0].id == "ivo"
    with pytest.raises(InputError, match="empty"):
        search(profiles, "   ")

"""Matcher.updated / SearchIndex.updated: a changed, new or removed member counts at once, without a refit,
and the fitted index it came from is left as it was (requests still holding it are safe)."""

from __future__ import annotations

import dataclasses

import pytest

from werkkring.engines.connections import Exclusions, Matcher, MemberProfile, SearchIndex, match_members
from werkkring.engines.embedding import CachedEmbedder, MemoryCache, default_embedder
from werkkring.errors import InputError

EMBEDDER = CachedEmbedder(default_embedder(), MemoryCache())


OPEN = Exclusions(small_circle=0)  # the fixture's pairs share small circles


def _ids(matcher: Matcher, member: str, top: int = 3) -> list[str]:
    return [m.id for m in matcher.suggest(member, top=top, exclude=OPEN).matches]


@pytest.mark.parametrize("backend", ["lexical", "hybrid"])
def test_an_edited_offer_is_matched_at_once_and_the_old_one_no_longer(
    profiles: list[MemberProfile], backend: str
) -> None:
    fitted = Matcher(profiles, backend=backend, encoder=EMBEDDER)  # type: ignore[arg-type]
    assert _ids(fitted, "cato", 1) == ["daan"]  # daan does bookkeeping
    daan = next(p for p in profiles if p.id == "daan")
    moved = dataclasses.replace(daan, offers=("portretfotografie en bedrijfsreportages",))
    updated = fitted.updated([moved])
    before = next(m for m in fitted.suggest("cato", top=10, exclude=OPEN).matches if m.id == "daan")
    after = [m for m in updated.suggest("cato", top=10, exclude=OPEN).matches if m.id == "daan"]
    assert [m.offer for m in after] in ([], ["portretfotografie en bedrijfsreportages"])  # never the old one
    assert not after or after[0].score < before.score - 0.1
    assert _ids(fitted, "cato", 1) == ["daan"]  # the fitted one is unchanged
    assert updated.changed_share == pytest.approx(1 / len(profiles))
    # daan's need (a photographer) still finds cato, and daan now shows his new offer to those who need it
    match = next(m for m in updated.suggest("daan", top=5, exclude=OPEN).matches if m.id == "cato")
    assert match.offer == "fotografie van portretten"


@pytest.mark.parametrize("backend", ["lexical", "hybrid"])
def test_a_new_member_is_suggested_and_gets_suggestions(profiles: list[MemberProfile], backend: str) -> None:
    fitted = Matcher(profiles, backend=backend, encoder=EMBEDDER)  # type: ignore[arg-type]
    newcomer = MemberProfile(
        "nina", needs=("juridisch advies over mijn contracten",), offers=("boekhouding en belastingaangifte",)
    )
    updated = fitted.updated([newcomer])
    assert "nina" in _ids(updated, "cato")
    assert _ids(updated, "nina", 1) == ["gijs"]
    with pytest.raises(InputError, match="not in the fitted network"):
        fitted.suggest("nina")


def test_a_removed_or_opted_out_member_is_never_suggested(profiles: list[MemberProfile]) -> None:
    fitted = Matcher(profiles)
    assert "daan" in _ids(fitted, "cato")
    assert "daan" not in _ids(fitted.updated(removed=["daan"]), "cato", 10)
    with pytest.raises(InputError):
        fitted.updated(removed=["daan"]).suggest("daan")
    daan = next(p for p in profiles if p.id == "daan")
    opted_out = fitted.updated([dataclasses.replace(daan, opt_in=False)])
    assert "daan" not in _ids(opted_out, "cato", 10)
    back = fitted.updated(removed=["daan"]).updated([daan])
    assert "daan" in _ids(back, "cato")


def test_no_change_changes_nothing(profiles: list[MemberProfile]) -> None:
    fitted = Matcher(profiles)
    everyone = match_members(profiles, top=3, exclude=OPEN)
    same = fitted.updated([])
    for row in everyone:
        assert same.suggest(row.id, top=3, exclude=OPEN).matches == row.matches


def test_updates_pile_up_on_the_fit_not_on_each_other(profiles: list[MemberProfile]) -> None:
    fitted = Matcher(profiles)
    daan = next(p for p in profiles if p.id == "daan")
    first = fitted.updated([dataclasses.replace(daan, offers=("tuinontwerp",))])
    second = first.updated([dataclasses.replace(daan, offers=("boekhouding voor zzp",))])
    assert _ids(second, "cato", 1) == ["daan"] and second.changed_share == first.changed_share


@pytest.mark.parametrize("backend", ["lexical", "hybrid"])
def test_search_sees_edits_at_once(profiles: list[MemberProfile], backend: str) -> None:
    index = SearchIndex(profiles, backend=backend, encoder=EMBEDDER)  # type: ignore[arg-type]
    assert index.search("boekhouding", top=1)[0].id == "daan"
    daan = next(p for p in profiles if p.id == "daan")
    hidden = index.updated([dataclasses.replace(daan, offers=())])
    assert all(h.id != "daan" for h in hidden.search("boekhouding", top=10))
    assert index.search("boekhouding", top=1)[0].id == "daan"
    newcomer = MemberProfile("nina", offers=("keramiek en pottenbakken",))
    assert hidden.updated([newcomer]).search("pottenbakken", top=1)[0].id == "nina"
    assert all(h.id != "daan" for h in index.updated(removed=["daan"]).search("boekhouding"))


def test_hybrid_search_across_languages(profiles: list[MemberProfile]) -> None:
    index = SearchIndex(profiles, backend="hybrid", encoder=EMBEDDER)
    assert index.search("who can do my bookkeeping and taxes?", top=1)[0].id == "daan"
    assert index.search("solar panels", top=1)[0].id == "hanna"
    assert len(index.search("boekhouding", top=20)) < len(profiles)  # not everyone is a hit


def test_search_pages(profiles: list[MemberProfile]) -> None:
    index = SearchIndex(profiles)
    everyone = index.search("advies", top=50)
    assert len(everyone) >= 2
    assert index.search("advies", top=1, offset=1) == everyone[1:2]
    with pytest.raises(InputError, match="offset"):
        index.search("advies", offset=-1)

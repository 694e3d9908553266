"""The hybrid backend: lexical and multilingual similarity on one calibrated scale, Dutch and English."""

from __future__ import annotations

import numpy as np
import pytest

from werkkring.engines.connections import HybridSettings, Matcher, MemberProfile, match_members
from werkkring.engines.connections._matching import _Texts, fit_similarity
from werkkring.engines.embedding import CachedEmbedder, MemoryCache, default_embedder
from werkkring.errors import InputError

EMBEDDER = CachedEmbedder(default_embedder(), MemoryCache())

BILINGUAL = [
    MemberProfile(
        "nl-boekhouding",
        needs=("iemand die mijn boekhouding en belastingaangifte doet",),
        offers=("fotografie van portretten",),
    ),
    MemberProfile(
        "en-bookkeeper",
        needs=("a photographer for our team portraits",),
        offers=("bookkeeping and tax returns for freelancers",),
    ),
    MemberProfile(
        "en-web", needs=("legal advice on my contracts",), offers=("building websites and webshops",)
    ),
    MemberProfile(
        "nl-jurist",
        needs=("hulp bij het bouwen van mijn website",),
        offers=("juridisch advies over contracten",),
    ),
    MemberProfile(
        "nl-energie",
        needs=("translation of my website into English",),
        offers=("advies over zonnepanelen en duurzame energie",),
    ),
    MemberProfile(
        "en-translator",
        needs=("advice on solar panels for my building",),
        offers=("translations between Dutch and English",),
    ),
]


def _best(results: list, member: str) -> str:  # type: ignore[type-arg]
    row = next(r for r in results if r.id == member)
    return row.matches[0].id if row.matches else ""


def test_dutch_needs_meet_english_offers_and_back() -> None:
    results = match_members(BILINGUAL, top=1, backend="hybrid", encoder=EMBEDDER, exclude=None)
    assert _best(results, "nl-boekhouding") == "en-bookkeeper"
    assert _best(results, "en-web") == "nl-jurist"
    assert _best(results, "nl-jurist") == "en-web"
    assert _best(results, "en-translator") == "nl-energie"


def test_the_reason_quotes_need_and_offer_when_no_word_is_shared() -> None:
    results = match_members(BILINGUAL, top=1, backend="hybrid", encoder=EMBEDDER)
    match = next(r for r in results if r.id == "nl-boekhouding").matches[0]
    assert match.need == BILINGUAL[0].needs[0] and match.offer == BILINGUAL[1].offers[0]
    assert match.shared == () and "close in meaning" in match.why


def test_calibration_puts_the_semantic_similarity_on_the_lexical_scale() -> None:
    texts = _Texts.of(BILINGUAL * 1)
    similarity = fit_similarity(texts, "hybrid", EMBEDDER, 0)
    calibration = similarity.calibration
    assert calibration is not None and 0.5 < calibration.semantic_mean < 1.0
    needs, offers = similarity.rows(texts.need_rows), similarity.rows(texts.offer_rows)
    mapped = calibration.semantic_on_lexical_scale(needs.semantic @ offers.semantic.T)  # type: ignore[operator]
    assert abs(float(mapped.mean()) - calibration.lexical_mean) < 1e-4
    assert abs(float(mapped.std()) - calibration.lexical_std) < 1e-3


def test_the_cross_language_weight_applies_to_dutch_english_pairs_only() -> None:
    texts = _Texts.of(BILINGUAL)
    lexical_only = fit_similarity(texts, "hybrid", EMBEDDER, 0).with_settings(
        HybridSettings(semantic_weight=0.0, cross_language_weight=0.0)
    )
    cross_only = lexical_only.with_settings(HybridSettings(semantic_weight=0.0, cross_language_weight=1.0))
    needs, offers = lexical_only.rows(texts.need_rows), lexical_only.rows(texts.offer_rows)
    a, b = lexical_only.compare(needs, offers), cross_only.compare(needs, offers)
    differs = ~np.isclose(a, b)
    cross = (needs.language[:, None] != offers.language[None, :]) & (needs.language[:, None] > 0)
    cross &= offers.language[None, :] > 0
    assert differs.any() and not (differs & ~cross).any()


def test_matcher_with_the_hybrid_equals_match_members() -> None:
    matcher = Matcher(BILINGUAL, backend="hybrid", encoder=EMBEDDER)
    everyone = match_members(BILINGUAL, top=3, backend="hybrid", encoder=EMBEDDER)
    for row in everyone:
        assert matcher.suggest(row.id, top=3).matches == row.matches


def test_an_unknown_backend_is_named() -> None:
    with pytest.raises(InputError, match="backend must be one of lexical, embedding, hybrid"):
        match_members(BILINGUAL, backend="semantic")  # type: ignore[arg-type]

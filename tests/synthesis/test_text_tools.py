"""The shared text tools this helper improved: Dutch compound splitting and language detection."""

from __future__ import annotations

import pytest

from werkkring.engines.text import detect_language
from werkkring.engines.text._compounds import split_compound


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("arbeidsmarkt", ["arbeid", "markt"]),
        ("wekkerinstelling", ["wekker", "instelling"]),
        ("ziekenhuisopname", ["ziekenhuis", "opname"]),
        ("radarontwikkelingen", ["radar", "ontwikkeling"]),
    ],
)
def test_compounds_split_into_known_lemmas(word: str, parts: list[str]) -> None:
    assert split_compound(word) == parts


@pytest.mark.parametrize(
    "word", ["plek", "verbinding", "mogelijkheden", "veiligheid", "12345678", "a-b-c-d-e-f"]
)
def test_short_or_unsplittable_words_stay_whole(word: str) -> None:
    assert split_compound(word) == [word]


def test_parts_always_spell_the_word_with_at_most_linking_sounds() -> None:
    for word in ["arbeidsmarkt", "boekenkast", "verjaardagsfeest", "weersverwachting", "werkgelegenheid"]:
        parts = split_compound(word)
        assert 1 <= len(parts) <= 3
        assert all(len(p) >= 3 for p in parts)


def test_corpus_frequencies_can_make_a_split() -> None:
    # By the dictionary alone "zorgflapdoos" is zorg-flap-doos; "flapdoos" being frequent in the texts at hand
    # makes it one part.
    assert split_compound("zorgflapdoos") == ["zorg", "flap", "doos"]
    assert split_compound("zorgflapdoos", {"zorg": 5, "flapdoos": 4}) == ["zorg", "flapdoos"]
    assert split_compound("xyzqwvbnm") == ["xyzqwvbnm"]


def test_english_headlines_are_not_dutch() -> None:
    headlines = [
        "taylor swift met prince william",
        "best picture nominees announced",
        "net profit rises at apple",
        "die hard sequel in the works",
        "van gogh museum reopens",
    ] * 5 + ["what is the weather in london", "how do I set an alarm"]
    assert detect_language(headlines) == "en"


def test_dutch_and_mixed() -> None:
    dutch = [
        "een luisterend oor",
        "het is fijn om samen te werken",
        "wat mij betreft niet",
        "een veilige plek",
    ]
    english = ["a safe place to talk", "this is what we need", "they want to be heard", "it is about trust"]
    assert detect_language(dutch) == "nl"
    assert detect_language(english) == "en"
    assert detect_language(dutch + english) == "mixed"


def test_label_pairs_are_words_that_stand_together_in_the_text() -> None:
    from werkkring.engines.synthesis import _describe, _features

    texts = [
        "een luisterend oor als het even niet loopt",
        "iemand met een luisterend oor",
        "klussen te groot voor één persoon samen uitvoeren",
        "fietsen repareren in de buurt",
        "fietsen repareren voor elkaar",
        "de buurt helpen met fietsen",
    ]
    analysed = _features.analyse(texts, "nl")
    keywords = _describe.class_tfidf_keywords(analysed, [[0, 1, 2], [3, 4, 5]])
    assert "luisterend oor" in keywords[0]
    assert not any(k in ("groot persoon", "persoon uitvoeren", "één persoon") for k in keywords[0])
    assert "elkaar" not in keywords[1]
    assert not {"fiets", "fietsen"} <= set(keywords[1])  # one word family once

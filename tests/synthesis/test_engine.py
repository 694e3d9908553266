"""Properties of the synthesis engine: validation, determinism, assignments, quotes, undercurrent."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from werkkring.engines.synthesis import Contribution, Synthesis, synthesize, to_markdown
from werkkring.errors import InputError

# Three clearly different themes, in Dutch, each raised in several groups with its own words.
SAFE = [
    "een luisterend oor en een veilige plek",
    "veilige plek om je verhaal te delen",
    "een plek waar je veilig kunt praten en gehoord wordt",
    "luisteren naar elkaar in een veilige omgeving",
    "gehoord worden, een luisterend oor",
    "een veilige plek waar iemand echt luistert",
]
NEW = [
    "samen met anderen zoeken naar nieuwe mogelijkheden",
    "nieuwe mogelijkheden ontdekken in verbinding met anderen",
    "verbinding met andere smaakmakers en nieuwe kansen",
    "in verbinding blijven en samen kansen zoeken",
    "nieuwe kansen en mogelijkheden vinden met elkaar",
    "verbinding zoeken met mensen buiten je eigen kring",
]
AWARE = [
    "bewustwording dat een andere manier van werken mogelijk is",
    "laten zien dat werken anders kan, zonder keurslijf van plannen",
    "bewustwording creëren: een andere manier van werken",
    "werken zonder vaste plannen is mogelijk",
    "een andere manier van werken bespreekbaar maken",
    "bewust worden van andere manieren van werken",
]


def session(seed: int = 0) -> tuple[list[Contribution], list[int]]:
    rng = random.Random(seed)
    rows = [(text, truth) for truth, texts in enumerate([SAFE, NEW, AWARE]) for text in texts]
    rng.shuffle(rows)
    groups = ["A", "B", "C"]
    contributions = [Contribution(text, group=groups[i % 3]) for i, (text, _) in enumerate(rows)]
    return contributions, [truth for _, truth in rows]


def pair_agreement(truth: list[int], found: list[int | None]) -> float:
    """Share of pairs on which two partitions agree (same theme or not): the Rand index."""
    pairs = list(itertools.combinations(range(len(truth)), 2))
    same = sum((truth[i] == truth[j]) == (found[i] == found[j] and found[i] is not None) for i, j in pairs)
    return same / len(pairs)


def check_invariants(result: Synthesis, contributions: list[Contribution]) -> None:
    assert len(result.assignments) == len(contributions)
    ids = [t.id for t in result.themes]
    assert ids == list(range(len(ids)))
    for theme in result.themes:
        members = [c for c, a in zip(contributions, result.assignments, strict=True) if a == theme.id]
        assert theme.size == len(members) > 0
        assert 1 <= theme.distinct <= theme.size
        texts = {c.text.strip() for c in members}
        assert theme.summary in texts, "the summary line is a contribution of the theme, verbatim"
        assert set(theme.quotes) <= texts, "quotes are the theme's own contributions, verbatim"
        assert theme.summary not in theme.quotes
        assert len(theme.quotes) <= 3
        assert list(theme.groups) == sorted({c.group for c in members if c.group is not None})
        assert theme.label
    skipped = sum(not c.text.strip() for c in contributions)
    assert result.skipped == skipped
    assert sum(a is None for a in result.assignments) == skipped + result.outliers
    if result.themes:
        assert result.undercurrent is not None
        top = max(len(t.groups) for t in result.themes)
        under = result.themes[result.undercurrent]
        assert len(under.groups) == top
        assert under.size == max(t.size for t in result.themes if len(t.groups) == top)
    else:
        assert result.undercurrent is None


def test_finds_the_three_themes_of_a_session() -> None:
    contributions, truth = session()
    result = synthesize(contributions, themes=3, seed=0)
    check_invariants(result, contributions)
    assert len(result.themes) == 3
    assert pair_agreement(truth, list(result.assignments)) >= 0.85
    assert result.language == "nl"


def test_auto_finds_a_handful_of_themes_and_good_pairs() -> None:
    contributions, truth = session(1)
    result = synthesize(contributions, themes="auto", seed=0)
    check_invariants(result, contributions)
    assert len(result.themes) == 3
    assert pair_agreement(truth, list(result.assignments)) >= 0.75


def test_same_seed_same_result_and_input_order_does_not_matter_for_partition() -> None:
    contributions, _ = session()
    first = synthesize(contributions, themes=3, seed=7)
    assert synthesize(contributions, themes=3, seed=7) == first


def test_empty_and_whitespace_contributions_are_skipped_and_counted() -> None:
    contributions, _ = session()
    with_blanks = [Contribution(""), *contributions[:5], Contribution("   \t "), *contributions[5:]]
    result = synthesize(with_blanks, themes=3)
    check_invariants(result, with_blanks)
    assert result.skipped == 2
    assert result.assignments[0] is None and result.assignments[6] is None


@pytest.mark.parametrize("texts", [[], ["alleen deze"], ["een", "twee"], ["", "  "], ["de het een", "of en"]])
def test_tiny_inputs_give_a_valid_result(texts: list[str]) -> None:
    contributions = [Contribution(t) for t in texts]
    for themes in ("auto", 1, 2, 5):
        result = synthesize(contributions, themes=themes)  # type: ignore[arg-type]
        check_invariants(result, contributions)
        assert len(result.themes) <= max(1, len(texts))


def test_identical_contributions_share_a_theme_and_count_once() -> None:
    contributions, _ = session()
    doubled = [
        *contributions,
        Contribution(contributions[0].text, group="Z"),
        Contribution(contributions[0].text),
    ]
    result = synthesize(doubled, themes=3)
    check_invariants(result, doubled)
    assert result.assignments[0] == result.assignments[-1] == result.assignments[-2]
    theme = result.themes[result.assignments[0]]  # type: ignore[index]
    assert theme.distinct <= theme.size - 2


def test_undercurrent_is_the_theme_raised_by_most_groups() -> None:
    # "veilig" is raised in all four groups, the other themes only in one group each.
    contributions = [Contribution(t, group=g) for t, g in zip(SAFE[:4], "ABCD", strict=True)]
    contributions += [Contribution(t, group="A") for t in NEW]
    contributions += [Contribution(t, group="B") for t in AWARE]
    result = synthesize(contributions, themes=3)
    check_invariants(result, contributions)
    under = result.themes[result.undercurrent]  # type: ignore[index]
    assert len(under.groups) == max(len(t.groups) for t in result.themes)


def test_english_input_is_english() -> None:
    texts = [
        "a safe place to share your story",
        "someone who really listens to you",
        "new opportunities together with others",
        "finding new chances with other people",
        "awareness that another way of working is possible",
        "working without rigid plans is possible",
    ]
    result = synthesize([Contribution(t) for t in texts], themes=3)
    assert result.language == "en"
    assert "In short" in to_markdown(result)


@pytest.mark.parametrize("themes", [0, -1, "many", 2.5, True, 10_001])
def test_bad_theme_count_is_an_input_error(themes: object) -> None:
    with pytest.raises(InputError) as caught:
        synthesize([Contribution("a b c")], themes=themes)  # type: ignore[arg-type]
    assert "themes" in str(caught.value)


def test_bad_contribution_is_named() -> None:
    with pytest.raises(InputError) as caught:
        synthesize([Contribution("goed"), "kaal"])  # type: ignore[list-item]
    assert "contribution 1" in str(caught.value)


def test_bad_backend_is_an_input_error() -> None:
    with pytest.raises(InputError):
        synthesize([Contribution("a")], backend="magic")  # type: ignore[arg-type]


def test_more_themes_than_distinct_contributions() -> None:
    contributions = [Contribution("veilige plek")] * 4 + [Contribution("nieuwe kansen")] * 3
    result = synthesize(contributions, themes=5)
    check_invariants(result, contributions)
    assert len(result.themes) == 2


word = st.sampled_from(
    [
        "veilig",
        "plek",
        "luisteren",
        "kans",
        "verbinding",
        "werken",
        "samen",
        "netwerk",
        "plan",
        "geld",
        "zingeving",
        "rust",
        "vertrouwen",
        "safe",
        "place",
        "listen",
        "chance",
        "together",
        "network",
        "money",
        "meaning",
        "trust",
        "work",
    ]
)
text = st.one_of(st.just(""), st.just("  "), st.lists(word, min_size=1, max_size=8).map(" ".join))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(text, min_size=0, max_size=25),
    groups=st.lists(st.sampled_from(["A", "B", "C", None]), min_size=25, max_size=25),
    themes=st.one_of(st.just("auto"), st.integers(1, 6)),
)
def test_invariants_hold_for_any_input(texts: list[str], groups: list[str | None], themes: object) -> None:
    contributions = [Contribution(t, group=g) for t, g in zip(texts, groups, strict=False)]
    result = synthesize(contributions, themes=themes, seed=0)  # type: ignore[arg-type]
    check_invariants(result, contributions)
    if isinstance(themes, int):
        assert len(result.themes) <= themes
    markdown = to_markdown(result)
    for theme in result.themes[:12]:
        assert theme.label in markdown

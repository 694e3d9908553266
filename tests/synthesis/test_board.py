"""The engine API for the host's board: re-runs that never undo the host, splits, votes, group harvest."""

from __future__ import annotations

import pytest

from werkkring.engines.synthesis import (
    Board,
    Contribution,
    GroupSummary,
    HostTheme,
    Vote,
    split_theme,
    synthesize,
)
from werkkring.errors import InputError

from .test_engine import AWARE, NEW, SAFE

TEXTS = [*SAFE, *NEW, *AWARE]
TRUTH = [0] * len(SAFE) + [1] * len(NEW) + [2] * len(AWARE)
GROUPS = ["A", "B", "C"] * 6


def contributions(**changes: Contribution) -> list[Contribution]:
    items = [Contribution(text, group=group) for text, group in zip(TEXTS, GROUPS, strict=True)]
    for index, item in changes.items():
        items[int(index[1:])] = item
    return items


def test_a_rerun_keeps_every_card_the_host_placed_and_every_name_the_host_gave() -> None:
    items = contributions()
    # The host puts a "new possibilities" card (6) into the safe-place theme on purpose, names the theme,
    # adds an empty theme with a name, and leaves everything else to the engine.
    board = Board(
        themes=(
            HostTheme("safe", cards=(0, 1, 6), label="Een veilige plek"),
            HostTheme("later", cards=(), label="Nog te vullen"),
        )
    )
    first = synthesize(items, themes="auto", board=board, seed=0)
    again = synthesize(items, themes="auto", board=board, seed=3)
    for result in (first, again):
        safe = next(t for t in result.themes if t.key == "safe")
        assert {0, 1, 6} <= set(safe.members)
        assert safe.label == "Een veilige plek" and safe.label_source == "host"
        assert all(result.assignments[c] == safe.id for c in (0, 1, 6))
        empty = next(t for t in result.themes if t.key == "later")
        assert empty.label == "Nog te vullen" and empty.size == 0 and empty.members == ()
        assert [t.key for t in result.themes[:2]] == ["safe", "later"], "host themes first, in host order"
        # The cards the host left are clustered: the rest of the safe-place cards join the host's theme.
        assert sum(result.assignments[c] == safe.id for c in range(2, 6)) >= 3


def test_the_number_of_themes_counts_the_hosts_themes() -> None:
    board = Board(themes=(HostTheme("safe", cards=(0, 1)),))
    result = synthesize(contributions(), themes=3, board=board)
    assert len([t for t in result.themes if t.size]) == 3
    assert result.themes[0].key == "safe" and result.themes[0].label_source == "draft"


def test_cards_the_host_set_aside_stay_aside_and_are_never_quoted() -> None:
    board = Board(set_aside=(2, 9))
    result = synthesize(contributions(), themes=3, board=board)
    reasons = {item.index: item.reason for item in result.set_aside}
    assert reasons[2] == "host" and reasons[9] == "host"
    assert result.assignments[2] is None and result.assignments[9] is None
    quoted = {q for t in result.themes for q in (t.summary, *t.quotes)}
    assert TEXTS[2] not in quoted and TEXTS[9] not in quoted
    assert result.outliers == len(result.set_aside)


def test_a_card_put_back_on_topic_is_never_set_aside_again() -> None:
    items = [*contributions(), Contribution("Graag het wifi-wachtwoord op het bord.", group="A")]
    board = Board(on_topic=(len(items) - 1,))
    result = synthesize(items, themes="auto", board=board, question="Waar heb jij behoefte aan?")
    assert all(item.index != len(items) - 1 for item in result.set_aside)


def test_split_reclusters_inside_one_theme() -> None:
    items = contributions()
    cards = list(range(0, 12))  # the safe-place and the new-possibilities cards, as if merged
    parts = split_theme(items, cards, parts=2, seed=0)
    assert len(parts) == 2
    assert sorted(m for t in parts for m in t.members) == cards
    for part in parts:
        truths = [TRUTH[m] for m in part.members]
        assert max(truths.count(0), truths.count(1)) >= len(truths) - 2
        assert part.summary in {TEXTS[m] for m in part.members}
    auto = split_theme(items, cards, seed=0)
    assert len(auto) >= 2
    with pytest.raises(InputError):
        split_theme(items, cards, parts=1)
    with pytest.raises(InputError):
        split_theme(items, [0, 0, 99])


def test_support_counts_distinct_voters_and_their_groups() -> None:
    votes = [
        Vote(0, "ann", "A"),
        Vote(1, "ann", "A"),  # the same voter twice in one theme counts once
        Vote(2, "bob", "B"),
        Vote(6, "cas", "C"),
    ]
    result = synthesize(contributions(), themes=3, votes=votes)
    safe = result.themes[result.assignments[0]]  # type: ignore[index]
    assert result.assignments[1] == result.assignments[2] == safe.id
    assert safe.support == 2 and safe.support_groups == ("A", "B")
    other = result.themes[result.assignments[6]]  # type: ignore[index]
    assert other.support == 1 and other.support_groups == ("C",)
    assert sum(t.support for t in result.themes) == 3


def test_group_harvest_summary_and_key_contributions_weigh_in() -> None:
    summary = GroupSummary("A", "Wij willen vooral een veilige plek waar iemand luistert.")
    result = synthesize(contributions(), themes=3, summaries=[summary])
    safe = result.themes[result.assignments[0]]  # type: ignore[index]
    assert safe.summary == summary.text and safe.summary_source == "group"
    assert all(t.summary_source == "draft" for t in result.themes if t.id != safe.id)
    # A key contribution is never set aside, however unlike the others it is.
    odd = Contribution("Graag het wifi-wachtwoord op het bord.", group="B", key=True)
    items = [*contributions(), odd]
    marked = synthesize(items, question="Waar heb jij behoefte aan?", backend="hybrid")
    assert all(item.index != len(items) - 1 for item in marked.set_aside)


def test_came_up_in_counts_the_groups_of_the_themes_own_cards() -> None:
    result = synthesize(contributions(), themes=3)
    assert result.groups == ("A", "B", "C")
    for theme in result.themes:
        assert list(theme.groups) == sorted({GROUPS[m] for m in theme.members})
        assert theme.size == len(theme.members)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"board": Board(themes=(HostTheme("a", (0,)), HostTheme("b", (0,))))}, "card 0 is in board themes"),
        ({"board": Board(themes=(HostTheme("a", (99,)),))}, "holds card 99"),
        ({"board": Board(themes=(HostTheme("a"), HostTheme("a")))}, "used twice"),
        ({"board": Board(themes=(HostTheme("a", (1,)),), set_aside=(1,))}, "both set aside"),
        ({"votes": [Vote(99, "ann")]}, "vote 0 is for contribution 99"),
        ({"votes": [Vote(0, " ")]}, "vote 0 has no voter"),
        ({"question": "x" * 10_000}, "10,000 characters"),
        ({"summaries": [GroupSummary("A", "x" * 5_000)]}, "group summary 0"),
    ],
)
def test_bad_board_votes_and_question_are_clear_input_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        synthesize(contributions(), **kwargs)  # type: ignore[arg-type]


def test_few_distinct_lines_repeated_across_groups_still_give_themes() -> None:
    """A demo session (seed 4): eight distinct lines, most written by two or three groups. LAPACK's subset
    eigensolver failed on its graph ("Internal Error"); the engine falls back to the full decomposition."""
    rows = [
        ("1", "Een gezamenlijke presentatie bij de gemeente over werken in netwerken"),
        ("1", "Met de werkkring een workshop geven in de bibliotheek"),
        ("1", "Informeel bij elkaar komen zonder agenda"),
        ("1", "Elke maand samen lunchen om elkaar beter te leren kennen"),
        ("1", "Opdrachten die te groot zijn voor één persoon samen uitvoeren"),
        ("1", "Samen offreren op grotere projecten"),
        ("2", "Met de werkkring een workshop geven in de bibliotheek"),
        ("2", "Samen een stand op de lokale ondernemersmarkt"),
        ("2", "Informeel bij elkaar komen zonder agenda"),
        ("3", "Een gezamenlijke presentatie bij de gemeente over werken in netwerken"),
        ("3", "Met de werkkring een workshop geven in de bibliotheek"),
        ("3", "Samen offreren op grotere projecten"),
        ("4", "Samen een stand op de lokale ondernemersmarkt"),
        ("4", "Elke maand samen lunchen om elkaar beter te leren kennen"),
        ("4", "Vaker gewoon koffie drinken met mensen uit de kring"),
        ("4", "Samen offreren op grotere projecten"),
        ("4", "Opdrachten die te groot zijn voor één persoon samen uitvoeren"),
    ]
    items = [Contribution(text, group=group) for group, text in rows]
    result = synthesize(
        items, question="Wat kunnen de werkkringen in de regio samen oppakken?", backend="hybrid", seed=4
    )
    assert result.themes
    assert sum(t.size for t in result.themes) + len(result.set_aside) == len(items)

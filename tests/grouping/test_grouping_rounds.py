"""Rounds in which no pair meets twice (the social golfer problem) on instances known to be solvable."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from werkkring.engines.grouping import Participants, form_rounds


def _repeats(rounds: tuple[tuple[int, ...], ...]) -> int:
    seen: dict[tuple[int, int], int] = {}
    for row in rounds:
        for a, b in itertools.combinations(range(len(row)), 2):
            if row[a] == row[b]:
                seen[(a, b)] = seen.get((a, b), 0) + 1
    return sum(c - 1 for c in seen.values() if c > 1)


@pytest.mark.parametrize(("n", "size", "rounds"), [(9, 3, 4), (12, 3, 4), (16, 4, 4), (20, 4, 5), (30, 5, 4)])
def test_no_pair_meets_twice(n: int, size: int, rounds: int) -> None:
    room = Participants(ids=[f"g{i}" for i in range(n)])
    result = form_rounds(room, rounds=rounds, size=size, time_limit=20)
    assert len(result.rounds) == rounds
    for row in result.rounds:
        assert sorted(np.bincount(row).tolist()) == sorted(result.sizes)
    assert result.repeat_pairs == _repeats(result.rounds) == 0
    assert result.rounds_without_repeat == rounds


def test_too_many_rounds_are_counted_honestly() -> None:
    room = Participants(ids=[f"g{i}" for i in range(8)])
    result = form_rounds(room, rounds=4, size=4, time_limit=2)  # at most 3 rounds of 4+4 can be repeat-free
    assert result.repeat_pairs == _repeats(result.rounds) > 0
    assert result.rounds_without_repeat < 4


def test_rounds_keep_the_mix() -> None:
    rng = np.random.default_rng(1)
    room = Participants(
        ids=[f"g{i}" for i in range(24)],
        numeric={"age": [float(a) for a in rng.integers(20, 70, 24)]},
        categorical={"tenure": ["new"] * 8 + ["old"] * 16},
    )
    result = form_rounds(room, rounds=3, size=4, time_limit=20)
    assert result.repeat_pairs == 0
    assert all(m.max_category_deviation == 0 for m in result.round_metrics)


@pytest.mark.parametrize(("n", "size", "rounds"), [(9, 3, 4), (16, 4, 5), (25, 5, 6), (32, 4, 9)])
def test_affine_construction_reaches_the_maximum_where_it_applies(n: int, size: int, rounds: int) -> None:
    room = Participants(ids=[f"g{i}" for i in range(n)])
    result = form_rounds(room, rounds=rounds, size=size, time_limit=5)
    assert result.repeat_pairs == _repeats(result.rounds) == 0
    assert result.rounds_without_repeat == rounds
    for row in result.rounds:
        assert sorted(np.bincount(row).tolist()) == [size] * (n // size)

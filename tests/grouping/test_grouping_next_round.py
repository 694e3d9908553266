"""The next round from the rounds that actually happened: no pair meets again where that is possible (checked
against every partition of small rooms), hosts stay at their tables, late arrivals and leavers are fine."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.grouping.grouping_brute import partitions
from werkkring.engines.grouping import Participants, form_groups, form_rounds, next_round
from werkkring.engines.grouping._affine import affine_rounds
from werkkring.errors import ConstraintError, InputError


def _met(previous: list[dict[str, int]]) -> set[frozenset[str]]:
    pairs: set[frozenset[str]] = set()
    for round_ in previous:
        for a, b in itertools.combinations(sorted(round_), 2):
            if round_[a] == round_[b]:
                pairs.add(frozenset((a, b)))
    return pairs


def _repeats(ids: list[str], assignment: tuple[int, ...], met: set[frozenset[str]]) -> int:
    return sum(
        1
        for (i, a), (j, b) in itertools.combinations(enumerate(ids), 2)
        if assignment[i] == assignment[j] and frozenset((a, b)) in met
    )


def _fewest_repeats(ids: list[str], size: int, met: set[frozenset[str]], pins: dict[str, int]) -> int:
    """The fewest repeat pairs over every partition into groups of ``size`` that honours the pins."""
    best = len(met) + 1
    index = {pid: i for i, pid in enumerate(ids)}
    for groups in partitions(list(range(len(ids))), [size] * (len(ids) // size)):
        labels = [{pins[ids[i]] for i in g if ids[i] in pins} for g in groups]
        if any(len(x) > 1 for x in labels):
            continue
        used = [next(iter(x)) for x in labels if x]
        if len(used) != len(set(used)):
            continue
        count = sum(
            1 for g in groups for a, b in itertools.combinations(g, 2) if frozenset((ids[a], ids[b])) in met
        )
        best = min(best, count)
    assert index  # the room is not empty
    return best


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**9))
def test_small_rooms_repeat_no_pair_when_a_repeat_free_round_exists(seed: int) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.choice([2, 3, 4]))
    n = size * int(rng.integers(2, 4))  # 4 to 12 people present now
    present = [f"p{i}" for i in range(n)]
    left = [f"gone{i}" for i in range(int(rng.integers(0, 3)))]
    late = set(rng.choice(present, size=int(rng.integers(0, 3)), replace=False).tolist())
    previous: list[dict[str, int]] = []
    for _ in range(int(rng.integers(1, 4))):
        there = [p for p in present if p not in late] + left
        order = rng.permutation(len(there))
        previous.append({there[i]: int(r // size) for r, i in enumerate(order)})
    roles = ["host" if rng.random() < 0.3 else None for _ in range(n)]
    room = Participants(
        ids=present,
        categorical={"tenure": [str(rng.choice(["new", "old"])) for _ in range(n)]},
        roles=roles,
    )
    result = next_round(room, previous, size=size)
    k = n // size
    assert sorted(np.bincount(result.assignment, minlength=k).tolist()) == [size] * k
    # The hosts stay where they sat last (if that table exists and has a seat for every host there).
    pins: dict[str, int] = {}
    for pid, role in zip(present, roles, strict=True):
        last = [r[pid] for r in previous if pid in r]
        if role and last and last[-1] < k and sum(v == last[-1] for v in pins.values()) < size:
            pins[pid] = last[-1]
    for pid, g in pins.items():
        assert result.assignment[present.index(pid)] == g
    met = _met(previous)
    got = _repeats(present, result.assignment, met)
    assert got == result.repeat_pairs
    assert got == _fewest_repeats(present, size, met, pins)


def test_the_search_finds_the_last_repeat_free_round_of_an_affine_plane() -> None:
    # 16 people in groups of 4 have exactly 5 repeat-free rounds; after 4 of them the fifth is forced.
    rng = np.random.default_rng(0)
    design = affine_rounds(16, 4, rng)
    assert len(design) == 5
    ids = [f"g{i}" for i in range(16)]
    room = Participants(ids=ids, numeric={"age": [float(a) for a in rng.integers(20, 70, 16)]})
    previous = [dict(zip(ids, row.tolist(), strict=True)) for row in design[:4]]
    result = next_round(room, previous, size=4, exact=False)
    assert result.repeat_pairs == 0 and not result.exact
    assert _repeats(ids, result.assignment, _met(previous)) == 0


def _cafe(n: int, hosts: int, seed: int) -> Participants:
    rng = np.random.default_rng(seed)
    return Participants(
        ids=[f"m{i}" for i in range(n)],
        numeric={"age": [float(a) for a in rng.normal(45, 12, n).round()]},
        categorical={
            "tenure": [str(rng.choice(["new", "old"], p=[0.3, 0.7])) for _ in range(n)],
            "region": [str(rng.choice(["N", "Z", "W", "O"])) for _ in range(n)],
        },
        roles=["host" if i < hosts else None for i in range(n)],
    )


def test_a_world_cafe_evening_with_leavers_and_late_arrivals() -> None:
    room = _cafe(96, hosts=12, seed=1)
    ids = list(room.ids)
    r1 = form_groups(room.subset(range(90)), size=8)  # 90 on time: 12 tables (hosts spread one per table)
    a1 = np.array(r1.assignment)
    assert np.bincount(a1[:12], minlength=12).tolist() == [1] * 12
    previous = [dict(zip(ids[:90], r1.assignment, strict=True))]
    # Round 2: m20..m23 left, m90..m95 arrived late.
    present2 = [i for i in range(96) if i not in (20, 21, 22, 23)]
    room2 = room.subset(present2)
    r2 = next_round(room2, previous, size=8)
    ids2 = list(room2.ids)
    for h in range(12):
        assert r2.assignment[h] == previous[0][f"m{h}"]  # the hosts stay
    assert r2.repeat_pairs == 0 == _repeats(ids2, r2.assignment, _met(previous))
    assert r2.max_category_deviation <= 1
    previous.append(dict(zip(ids2, r2.assignment, strict=True)))
    # Round 3, hosts move this time (the organiser's choice): still nobody meets again.
    r3 = next_round(room2, previous, size=8, hosts_stay=False)
    assert r3.repeat_pairs == 0 == _repeats(ids2, r3.assignment, _met(previous))
    assert np.bincount(np.array(r3.assignment)[:12], minlength=12).max() == 1  # still one host per table


def test_pins_and_constraints_hold_in_the_next_round() -> None:
    room = _cafe(40, hosts=5, seed=2)
    ids = list(room.ids)
    r1 = form_groups(room, size=5)
    previous = [dict(zip(ids, r1.assignment, strict=True))]
    result = next_round(
        room,
        previous,
        size=5,
        fixed={"m0": 7, "m30": 7},
        apart=[("m31", "m32")],
        together={"duo": ["m33", "m34"]},
    )
    g = dict(zip(ids, result.assignment, strict=True))
    assert g["m0"] == 7 == g["m30"]  # a pin wins over hosts staying
    assert all(g[f"m{h}"] == previous[0][f"m{h}"] for h in range(1, 5))
    assert g["m31"] != g["m32"] and g["m33"] == g["m34"]


def test_more_hosts_at_a_table_than_fit_and_bad_rounds_are_clear_errors() -> None:
    room = _cafe(12, hosts=0, seed=3)
    with pytest.raises(InputError, match=r"round 2: the group of 'm1' must be a group number from 0, not -1"):
        next_round(room, [{"m0": 0}, {"m1": -1}], size=3)
    with pytest.raises(ConstraintError, match="group 1 has room for 3 but 4 people have a fixed seat"):
        next_round(room, [], size=3, fixed={f"m{i}": 0 for i in range(4)})


def test_planned_rounds_keep_the_hosts_at_their_tables() -> None:
    room = _cafe(36, hosts=6, seed=4)
    result = form_rounds(room, rounds=3, size=6, hosts_stay=True, time_limit=20)
    tables = np.array(result.rounds)[:, :6]
    assert (tables == tables[0]).all() and sorted(tables[0].tolist()) == list(range(6))
    assert result.repeat_pairs == 0
    pinned = form_rounds(room, rounds=2, size=6, fixed={"m10": 2}, time_limit=20)
    assert all(row[10] == 2 for row in pinned.rounds)

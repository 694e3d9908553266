"""Rooms too large for exhaustive search: check the invariants and the promised quality."""

from __future__ import annotations

import numpy as np
import pytest

from tests.grouping.grouping_brute import features, ratio
from werkkring.engines.grouping import Participants, evaluate, form_groups


def _room(n: int, seed: int = 0, hosts: int = 0) -> Participants:
    rng = np.random.default_rng(seed)

    def skewed(levels: int, prefix: str) -> list[str | None]:
        w = 1.0 / np.arange(1, levels + 1)
        return [f"{prefix}{v}" for v in rng.choice(levels, n, p=w / w.sum())]

    roles: list[str | None] = ["host" if i < hosts else None for i in range(n)]
    return Participants(
        ids=[f"p{i}" for i in range(n)],
        numeric={"age": [float(a) for a in rng.normal(45, 12, n).round()], "years": list(rng.gamma(2, 3, n))},
        categorical={"tenure": skewed(2, "t"), "region": skewed(7, "r"), "circle": skewed(12, "c")},
        roles=roles,
    )


def _random_ratio(room: Participants, k: int, seed: int) -> float:
    n = len(room)
    assignment = np.random.default_rng(seed).permutation(np.arange(n) % k)
    return evaluate(room, assignment.tolist()).numeric_bss_over_tss


@pytest.mark.parametrize(("n", "size"), [(100, 6), (301, 6), (250, 10)])
def test_quotas_hold_sizes_balance_and_numeric_mix_beats_random(n: int, size: int) -> None:
    room = _room(n, seed=n)
    result = form_groups(room, size=size)
    k = -(-n // size)
    assert result.groups == k
    assert max(result.sizes) - min(result.sizes) <= 1 and sum(result.sizes) == n
    assert np.bincount(result.assignment, minlength=k).tolist() == list(result.sizes)
    assert result.max_category_deviation == 0
    random = np.mean([_random_ratio(room, k, s) for s in range(5)])
    assert result.numeric_bss_over_tss < 0.05 * random
    X, N = features(room)
    groups = [np.flatnonzero(np.array(result.assignment) == g).tolist() for g in range(k)]
    assert result.bss_over_tss == pytest.approx(ratio(X, groups))
    assert result.numeric_bss_over_tss == pytest.approx(ratio(N, groups))


def test_same_seed_same_groups() -> None:
    room = _room(200, seed=3)
    assert form_groups(room, size=5, seed=7).assignment == form_groups(room, size=5, seed=7).assignment


def test_hosts_are_spread_one_per_group_where_there_are_enough() -> None:
    room = _room(120, seed=4, hosts=17)
    result = form_groups(room, size=6)  # 20 groups, 17 hosts
    a = np.array(result.assignment)
    per_group = np.bincount(a[:17], minlength=result.groups)
    assert per_group.max() == 1 and (per_group == 1).sum() == 17
    room = _room(120, seed=4, hosts=45)
    per_group = np.bincount(np.array(form_groups(room, size=6).assignment)[:45], minlength=20)
    assert per_group.min() == 2 and per_group.max() == 3


def test_hard_constraints_hold() -> None:
    room = _room(150, seed=5)
    rng = np.random.default_rng(0)
    apart = [(f"p{a}", f"p{b}") for a, b in rng.choice(150, (40, 2)) if a != b]
    together = {"a": ["p1", "p2", "p3"], "b": ["p10", "p11"], "c": ["p11", "p12"]}
    fixed = {"p20": 0, "p21": 0, "p22": 5}
    apart = [
        (a, b) for a, b in apart if {a, b} & {"p1", "p2", "p3", "p10", "p11", "p12", "p20", "p21"} == set()
    ]
    result = form_groups(room, size=6, apart=apart, together=together, fixed=fixed)
    g = dict(zip(room.ids, result.assignment, strict=True))
    assert all(g[a] != g[b] for a, b in apart)
    assert g["p1"] == g["p2"] == g["p3"]
    assert g["p10"] == g["p11"] == g["p12"]
    assert g["p20"] == g["p21"] == 0 and g["p22"] == 5


def test_history_weight_reduces_repeat_meetings() -> None:
    room = _room(60, seed=6)
    first = form_groups(room, size=4, seed=1)
    history = first.members(room.ids)
    again = form_groups(room, size=4, seed=1, history=history, history_weight=0.0)
    avoided = form_groups(room, size=4, seed=1, history=history, history_weight=5.0)
    assert again.repeat_pairs > 0
    assert avoided.repeat_pairs < again.repeat_pairs
    assert avoided.repeat_pairs == evaluate(room, avoided.assignment, history=history).repeat_pairs
    assert avoided.max_category_deviation == 0


def test_rooms_without_attributes_still_split_evenly() -> None:
    room = Participants(ids=[f"x{i}" for i in range(23)])
    result = form_groups(room, groups=5)
    assert sorted(result.sizes) == [4, 4, 5, 5, 5]
    assert result.bss_over_tss == 0.0


def test_explicit_sizes() -> None:
    room = _room(30, seed=8)
    result = form_groups(room, sizes=[10, 8, 6, 6])
    assert np.bincount(result.assignment).tolist() == [10, 8, 6, 6]
    assert result.max_category_deviation == 0


def test_evaluate_counts_every_value_even_ones_held_by_one_person() -> None:
    rng = np.random.default_rng(11)
    n = 60
    room = Participants(
        ids=[f"p{i}" for i in range(n)],
        numeric={"age": [float(a) for a in rng.integers(20, 70, n)]},
        categorical={"town": [f"t{i}" if i < 10 else f"t{i % 4}" for i in range(n)]},
        tags={
            "skills": [frozenset({f"s{i}"} if i < 5 else {"a", "b"} if i % 3 else set()) for i in range(n)]
        },
    )
    assignment = rng.permutation(np.arange(n) % 7)
    X, N = features(room)
    groups = [np.flatnonzero(assignment == g).tolist() for g in range(7)]
    metrics = evaluate(room, assignment.tolist())
    assert metrics.bss_over_tss == pytest.approx(ratio(X, groups))
    assert metrics.numeric_bss_over_tss == pytest.approx(ratio(N, groups))
    result = form_groups(room, groups=7)
    assert result.max_category_deviation == 0
    assert result.bss_over_tss < metrics.bss_over_tss


def test_identifier_like_columns_are_refused_by_name() -> None:
    from werkkring.errors import InputError

    room = Participants(
        ids=[f"p{i}" for i in range(2100)], categorical={"postcode": [f"{i // 2}" for i in range(2100)]}
    )
    with pytest.raises(InputError, match="column 'postcode': has 1050 different values"):
        form_groups(room, size=6)


def test_pinned_table_hosts_stay_and_the_others_spread_one_per_group() -> None:
    room = _room(120, seed=4, hosts=17)  # 20 groups of 6, hosts p0..p16
    for pins in ({"p0": 5, "p1": 5}, {"p0": 0, "p1": 1, "p2": 2}, {"p0": 3, "p1": 3, "p2": 3}):
        result = form_groups(room, size=6, fixed=pins)
        a = np.array(result.assignment)
        assert all(a[int(pid[1:])] == g for pid, g in pins.items())
        per_group = np.bincount(a[:17], minlength=20)
        pinned_groups = set(pins.values())
        assert all(per_group[g] == 1 for g in range(20) if g not in pinned_groups and per_group[g] > 0)
        # the hosts not pinned each have a table of their own
        free_hosts = 17 - len(pins)
        assert sum(1 for g in range(20) if g not in pinned_groups and per_group[g] == 1) == free_hosts
        assert result.max_category_deviation == 0

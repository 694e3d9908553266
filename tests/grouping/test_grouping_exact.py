"""Small rooms: the engine must reach the lowest BSS/TSS over every partition that meets the rule."""

from __future__ import annotations

import numpy as np
import pytest

from tests.grouping.grouping_brute import features, partitions, ratio, rule_holds
from werkkring.engines.grouping import Participants, evaluate, form_groups


def _room(seed: int, n: int) -> Participants:
    rng = np.random.default_rng(seed)
    age = [None if rng.random() < 0.1 else float(rng.integers(20, 70)) for _ in range(n)]
    region = [str(rng.choice(["N", "Z", "W"], p=[0.5, 0.3, 0.2])) for _ in range(n)]
    tenure = [None if rng.random() < 0.1 else str(rng.choice(["new", "old"])) for _ in range(n)]
    tags = [frozenset(t for t in ("data", "policy") if rng.random() < 0.4) for _ in range(n)]
    return Participants(
        ids=[f"m{i}" for i in range(n)],
        numeric={"age": age, "years": [float(x) for x in rng.gamma(2, 3, n).round(1)]},
        categorical={"region": region, "tenure": tenure},
        tags={"expertise": tags},
    )


CASES = [
    (seed, n, size) for seed, (n, size) in enumerate([(6, 2), (7, 3), (8, 4), (9, 3), (10, 4), (10, 5)] * 2)
]


@pytest.mark.parametrize(("seed", "n", "size"), CASES)
def test_small_rooms_reach_the_exhaustive_optimum(seed: int, n: int, size: int) -> None:
    room = _room(seed, n)
    result = form_groups(room, size=size, seed=seed)
    assert result.exact
    k = -(-n // size)
    base, extra = divmod(n, k)
    sizes = [base + 1] * extra + [base] * (k - extra)
    X, _ = features(room)
    feasible = [ratio(X, groups) for groups in partitions(list(range(n)), sizes) if rule_holds(room, groups)]
    groups = [[i for i in range(n) if result.assignment[i] == g] for g in range(k)]
    assert sorted(len(g) for g in groups) == sorted(sizes)
    assert result.bss_over_tss == pytest.approx(ratio(X, groups), abs=1e-9)
    if feasible:
        assert rule_holds(room, groups)
        assert result.max_category_deviation == 0
        assert result.bss_over_tss <= min(feasible) + 1e-9


@pytest.mark.slow
def test_twelve_people_in_threes_with_constraints() -> None:
    room = _room(99, 12)
    apart = [("m0", "m1"), ("m2", "m3")]
    together = {"duo": ["m4", "m5"]}
    result = form_groups(room, size=3, apart=apart, together=together)
    X, _ = features(room)
    best = min(
        ratio(X, groups)
        for groups in partitions(list(range(12)), [3, 3, 3, 3])
        if rule_holds(room, groups)
        and all(not ({0, 1} <= set(g) or {2, 3} <= set(g)) for g in groups)
        and any({4, 5} <= set(g) for g in groups)
    )
    a = result.assignment
    assert a[0] != a[1] and a[2] != a[3] and a[4] == a[5]
    assert result.bss_over_tss <= best + 1e-9


def test_exact_and_search_agree_with_evaluate() -> None:
    room = _room(5, 14)
    for exact in (True, False):
        result = form_groups(room, size=4, exact=exact)
        metrics = evaluate(room, result.assignment)
        assert metrics.bss_over_tss == pytest.approx(result.bss_over_tss)
        assert metrics.max_category_deviation == result.max_category_deviation == 0
    exact_result = form_groups(room, size=4, exact=True)
    search_result = form_groups(room, size=4, exact=False)
    assert exact_result.bss_over_tss <= search_result.bss_over_tss + 1e-12

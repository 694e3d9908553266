"""An independent, slow reference: features, the floor/ceiling rule and every partition of a small room."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import numpy as np

from werkkring.engines.grouping import Participants


def features(p: Participants) -> tuple[np.ndarray, np.ndarray]:
    """(all columns, numeric columns), each column z-scored, built straight from the definition."""
    cols: list[np.ndarray] = []
    num: list[np.ndarray] = []
    for values in p.numeric.values():
        x = np.array([np.nan if v is None else v for v in values], dtype=float)
        m, s = np.nanmean(x), np.nanstd(x)
        if s > 0:
            z = np.nan_to_num((x - m) / s, nan=0.0)
            cols.append(z)
            num.append(z)
    for values in p.categorical.values():
        for level in sorted({v for v in values if v is not None}):
            x = np.array([1.0 if v == level else 0.0 for v in values])
            if x.std() > 0:
                cols.append((x - x.mean()) / x.std())
    for values in p.tags.values():
        for tag in sorted({t for ts in values for t in ts}):
            x = np.array([1.0 if tag in ts else 0.0 for ts in values])
            if x.std() > 0:
                cols.append((x - x.mean()) / x.std())
    n = len(p.ids)
    X = np.column_stack(cols) if cols else np.zeros((n, 0))
    N = np.column_stack(num) if num else np.zeros((n, 0))
    return X, N


def ratio(X: np.ndarray, groups: Sequence[Sequence[int]]) -> float:
    if X.shape[1] == 0:
        return 0.0
    c = X - X.mean(axis=0)
    tss = float((c**2).sum())
    bss = sum(len(g) * float((c[list(g)].mean(axis=0) ** 2).sum()) for g in groups)
    return bss / tss


def rule_holds(p: Participants, groups: Sequence[Sequence[int]]) -> bool:
    n = len(p.ids)
    for values in p.categorical.values():
        for level in {v for v in values if v is not None}:
            share = sum(v == level for v in values) / n
            for g in groups:
                count = sum(values[i] == level for i in g)
                fair = len(g) * share
                if not (np.floor(fair + 1e-9) <= count <= np.ceil(fair - 1e-9)):
                    return False
    return True


def partitions(items: list[int], sizes: list[int]) -> Iterator[list[list[int]]]:
    """Every split of items into unlabeled groups with exactly the given sizes."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for s in sorted(set(sizes)):
        left = list(sizes)
        left.remove(s)
        for others in itertools.combinations(rest, s - 1):
            group = [first, *others]
            remaining = [i for i in rest if i not in others]
            for tail in partitions(remaining, left):
                yield [group, *tail]


def placement_objective(
    p: Participants,
    groups: Sequence[int],
    k: int,
    *,
    apart: Sequence[tuple[int, int]] = (),
    met: Sequence[tuple[int, int]] = (),
    history_weight: float = 1.0,
) -> tuple[int, int, int, int, float]:
    """What place_arrivals minimises, from the definition: (keep-apart pairs together, persons outside the
    floor/ceiling of hosts per group, sum of squared sizes, persons outside the floor/ceiling of every value
    held by two or more people, BSS plus weighted repeat pairs)."""
    n = len(p.ids)
    g = np.asarray(groups)
    sizes = np.bincount(g, minlength=k)
    clashes = sum(1 for a, b in apart if g[a] == g[b])
    hosts = np.array([(r or "").lower() == "host" for r in (p.roles or [None] * n)])
    H = int(hosts.sum())
    per = np.bincount(g, weights=hosts, minlength=k)
    host_dev = int(sum(max(H // k - c, 0) + max(c - -(-H // k), 0) for c in per))
    quota = 0
    for values in p.categorical.values():
        for level in {v for v in values if v is not None}:
            total = sum(v == level for v in values)
            if total < 2:
                continue
            for grp in range(k):
                c = sum(1 for i in range(n) if g[i] == grp and values[i] == level)
                lo, hi = sizes[grp] * total // n, -(-sizes[grp] * total // n)
                quota += max(lo - c, 0) + max(c - hi, 0)
    X, _ = features(p)
    c = X - X.mean(axis=0) if X.size else X
    bss = sum(float((c[g == grp].sum(axis=0) ** 2).sum()) / sizes[grp] for grp in range(k) if sizes[grp])
    tss = float((c**2).sum())
    w = history_weight * 2 * tss / ((n - 1) * n / k) if tss > 0 else history_weight
    repeats = sum(1 for a, b in set(met) if g[a] == g[b])
    return clashes, host_dev, int((sizes**2).sum()), quota, bss + w * repeats

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

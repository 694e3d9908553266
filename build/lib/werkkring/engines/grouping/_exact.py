"""Exact optimum for small rooms (n <= 15) by dynamic programming over subsets.

f(cv, A) is the least cost of splitting the people not in A into the groups still to fill (cv counts the
groups of each size already filled). The next group always holds the lowest-numbered unplaced person, which
removes the symmetry between groups; all states of one level are evaluated at once with NumPy.
"""

from __future__ import annotations

import itertools

import numpy as np

from werkkring.engines.grouping._compile import Constraints, IntArray
from werkkring.engines.grouping._search import SearchProblem

MAX_EXACT = 15


def _subset_table(values: np.ndarray, n: int) -> np.ndarray:
    """Sum over the members of every subset (2**n rows) of per-person rows."""
    out = np.zeros((1 << n, *values.shape[1:]), dtype=values.dtype)
    for i in range(n):
        out[1 << i : 1 << (i + 1)] = out[: 1 << i] + values[i]
    return out


def _pair_count_table(keys: IntArray, n: int) -> np.ndarray:
    counts = np.zeros(1 << n, dtype=np.int64)
    partners = np.zeros(n, dtype=np.int64)
    for key in keys.tolist():
        a, b = divmod(int(key), n)
        partners[b] |= 1 << a
    for i in range(n):
        prev = np.arange(1 << i, dtype=np.int64)
        bits = prev & partners[i]
        pc = np.zeros_like(bits)
        tmp = bits.copy()
        while tmp.any():
            pc += tmp & 1
            tmp >>= 1
        counts[1 << i : 1 << (i + 1)] = counts[: 1 << i] + pc
    return counts


def solve_exact(sp: SearchProblem, cons: Constraints) -> IntArray:
    """The assignment of least (keep-apart, quota violation, BSS + weighted repeats), by label."""
    n = sp.X.shape[0]
    sizes = sp.sizes
    k = len(sizes)
    full = (1 << n) - 1
    pop = _subset_table(np.ones(n, dtype=np.int64), n)
    sums = _subset_table(sp.X, n)
    sq = (sums**2).sum(axis=1) if sp.X.shape[1] else np.zeros(1 << n)
    cost = sq / np.maximum(pop, 1)
    if sp.codes.shape[1]:
        Q = sp.lo.shape[1]
        onehot = np.zeros((n, Q), dtype=np.int64)
        for a in range(sp.codes.shape[1]):
            onehot[np.arange(n), sp.codes[:, a]] += 1
        counts = _subset_table(onehot, n)
        viol = np.zeros(1 << n, dtype=np.int64)
        for s in sorted(set(sizes.tolist())):
            g = int(np.flatnonzero(sizes == s)[0])
            at = pop == s
            c = counts[at]
            viol[at] = (np.maximum(sp.lo[g] - c, 0) + np.maximum(c - sp.hi[g], 0)).sum(axis=1)
        cost = cost + sp.w_viol * viol
    if sp.history_keys.size and sp.w_history > 0:
        cost = cost + sp.w_history * _pair_count_table(sp.history_keys, n)
    if sp.apart_keys.size:
        cost = cost + sp.w_apart * _pair_count_table(sp.apart_keys, n)
    masks = np.arange(1 << n, dtype=np.int64)
    valid = np.isin(pop, sizes)
    for members in cons.together:
        z = int(sum(1 << int(i) for i in members))
        valid &= ((masks & z) == 0) | ((masks & z) == z)
    labels = sorted({int(g) for g in cons.fixed if g >= 0})
    label_masks = {g: int(sum(1 << i for i in range(n) if cons.fixed[i] == g)) for g in labels}
    n_labels = np.zeros(1 << n, dtype=np.int64)
    for g, z in label_masks.items():
        has = (masks & z) != 0
        valid &= ~has | (((masks & z) == z) & (pop == sizes[g]))
        n_labels += has
    valid &= n_labels <= 1
    cost = np.where(valid, cost, np.inf)

    kinds = sorted(set(sizes.tolist()))
    need = tuple(int((sizes == s).sum()) for s in kinds)
    states = list(itertools.product(*[range(c + 1) for c in need]))
    states.sort(key=lambda cv: -sum(c * s for c, s in zip(cv, kinds, strict=True)))
    f: dict[tuple[int, ...], np.ndarray] = {}
    choice: dict[tuple[int, ...], np.ndarray] = {}
    bit = 1 << np.arange(n, dtype=np.int64)
    for cv in states:
        placed = sum(c * s for c, s in zip(cv, kinds, strict=True))
        value = np.full(1 << n, np.inf)
        pick = np.zeros(1 << n, dtype=np.int64)
        if cv == need:
            value[full] = 0.0
            f[cv], choice[cv] = value, pick
            continue
        level = masks[pop == placed]
        if level.size == 0:
            f[cv], choice[cv] = value, pick
            continue
        free = ((~level[:, None]) >> np.arange(n)) & 1
        rest = np.argsort(-free, axis=1, kind="stable")[:, : n - placed]
        first = bit[rest[:, 0]]
        for t, s in enumerate(kinds):
            if cv[t] >= need[t]:
                continue
            nxt = list(cv)
            nxt[t] += 1
            fn = f[tuple(nxt)]
            combos = np.array(list(itertools.combinations(range(1, n - placed), s - 1)), dtype=np.int64)
            if combos.size == 0:
                combos = np.zeros((1, 0), dtype=np.int64)
            chosen = (
                bit[rest[:, combos]].sum(axis=2) if combos.shape[1] else np.zeros((len(level), 1), np.int64)
            )
            T = first[:, None] | chosen
            cand = cost[T] + fn[level[:, None] | T]
            best = cand.argmin(axis=1)
            bv = cand[np.arange(len(level)), best]
            better = bv < value[level]
            value[level[better]] = bv[better]
            pick[level[better]] = T[np.arange(len(level)), best][better]
        f[cv], choice[cv] = value, pick

    start = tuple(0 for _ in kinds)
    if not np.isfinite(f[start][0]):
        raise RuntimeError("no assignment satisfies the hard constraints")
    groups: list[int] = []
    cv, mask = start, 0
    while mask != full:
        chosen_mask = int(choice[cv][mask])
        groups.append(chosen_mask)
        width = bin(chosen_mask).count("1")
        nxt = list(cv)
        nxt[kinds.index(width)] += 1
        cv, mask = tuple(nxt), mask | chosen_mask
    # Give labels: groups holding fixed seats first, then the rest by size, lowest member first.
    label_of: dict[int, int] = {}
    free_labels = [g for g in range(k) if g not in label_masks]
    for gm in groups:
        for g, z in label_masks.items():
            if gm & z:
                label_of[gm] = g
    for gm in sorted((gm for gm in groups if gm not in label_of), key=lambda gm: gm & -gm):
        width = bin(gm).count("1")
        g = next(g for g in free_labels if sizes[g] == width)
        free_labels.remove(g)
        label_of[gm] = g
    assign = np.zeros(n, dtype=np.int64)
    for gm, g in label_of.items():
        for i in range(n):
            if gm >> i & 1:
                assign[i] = g
    return assign

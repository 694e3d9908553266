"""Repeat-free rounds from affine geometry, for rooms of p**m people in groups of p**t (p prime).

People are the points of the vector space GF(p)^m; a round is the set of cosets (parallel translates) of one
t-dimensional subspace. Two people meet in the round of W exactly when their difference lies in W, so rounds
from subspaces that share only the zero vector never repeat a pair. A randomised greedy search picks many
such subspaces (for 32 people in groups of 4 it finds 9, the most that GF(2)^5 allows; 10 rounds need a
cleverer design). This is the classical construction of resolvable designs (affine planes, Kirkman).
"""

from __future__ import annotations

import itertools

import numpy as np

from werkkring.engines.grouping._compile import IntArray

MAX_COMBINATIONS = 200_000


def _prime_power(x: int) -> tuple[int, int] | None:
    if x < 2:
        return None
    for p in range(2, x + 1):
        if x % p == 0:
            e = 0
            while x % p == 0:
                x //= p
                e += 1
            return (p, e) if x == 1 else None
    return None


def affine_rounds(n: int, size: int, rng: np.random.Generator, tries: int = 300) -> list[IntArray]:
    """As many repeat-free rounds as the construction finds, or [] when n and size do not fit it."""
    pn, ps = _prime_power(n), _prime_power(size)
    if pn is None or ps is None or pn[0] != ps[0] or ps[1] >= pn[1]:
        return []
    p, m = pn
    t = ps[1]
    points = np.array(list(itertools.product(range(p), repeat=m)), dtype=np.int64)  # index = base-p number
    weights = p ** np.arange(m - 1, -1, -1)
    nonzero = list(range(1, n))
    total = 1
    for i in range(t):
        total = total * (n - 1 - i) // (i + 1)
    if total > MAX_COMBINATIONS:
        return []
    coeffs = np.array(list(itertools.product(range(p), repeat=t)), dtype=np.int64)  # p**t x t
    spaces: dict[int, IntArray] = {}
    for basis in itertools.combinations(nonzero, t):
        span = (coeffs @ points[list(basis)]) % p  # p**t x m
        codes = np.unique(span @ weights)
        if len(codes) != size:
            continue
        mask = 0
        for c in codes.tolist():
            if c:
                mask |= 1 << c
        spaces.setdefault(mask, codes)
    masks = list(spaces)
    best: list[int] = []
    for _ in range(tries):
        order = rng.permutation(len(masks))
        used, chosen = 0, []
        for i in order.tolist():
            if masks[i] & used == 0:
                chosen.append(masks[i])
                used |= masks[i]
        if len(chosen) > len(best):
            best = chosen
    rounds: list[IntArray] = []
    for mask in best:
        span = points[spaces[mask]]  # size x m
        shifted = (points[:, None, :] + span[None, :, :]) % p  # n x size x m
        rep = (shifted @ weights).min(axis=1)
        _, label = np.unique(rep, return_inverse=True)
        rounds.append(label.astype(np.int64))
    return rounds

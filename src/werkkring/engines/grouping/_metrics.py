"""Report metrics for any assignment, so the engine and every baseline are judged the same way."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from werkkring.engines.grouping._compile import (
    FloatArray,
    IntArray,
    build_features,
    build_quotas,
    history_pairs,
    pair_keys,
    quota_bounds,
)
from werkkring.engines.grouping._model import GroupingMetrics, Participants
from werkkring.errors import InputError


def bss_over_tss(X: FloatArray, assignment: IntArray, k: int) -> float:
    """Between-group over total sum of squares of the columns of X (0 when X has no spread)."""
    if X.shape[1] == 0:
        return 0.0
    centred = X - X.mean(axis=0)
    tss = float((centred**2).sum())
    if tss <= 0.0:
        return 0.0
    sums = np.zeros((k, X.shape[1]))
    np.add.at(sums, assignment, centred)
    sizes = np.bincount(assignment, minlength=k).astype(np.float64)
    used = sizes > 0
    bss = float(((sums[used] ** 2).sum(axis=1) / sizes[used]).sum())
    return bss / tss


def category_deviation(
    codes: IntArray, lo: IntArray, hi: IntArray, judged: IntArray, assignment: IntArray
) -> int:
    """Largest distance in persons of a group's count of a judged quota column outside [lo, hi]."""
    k, q = lo.shape
    if q == 0 or codes.shape[1] == 0:
        return 0
    counts = np.zeros((k, q), dtype=np.int64)
    for a in range(codes.shape[1]):
        np.add.at(counts, (assignment, codes[:, a]), 1)
    dev = np.maximum(lo - counts, 0) + np.maximum(counts - hi, 0)
    dev = dev[:, judged]
    return int(dev.max()) if dev.size else 0


def count_repeat_pairs(keys: IntArray, assignment: IntArray, n: int) -> int:
    """Pairs (given as sorted keys a*n+b) who sit in the same group."""
    if keys.size == 0:
        return 0
    a, b = keys // n, keys % n
    return int((assignment[a] == assignment[b]).sum())


def evaluate(
    participants: Participants,
    assignment: Sequence[int],
    *,
    history: Iterable[Iterable[str]] = (),
) -> GroupingMetrics:
    """The report metrics of any assignment (0-based group per participant), e.g. a baseline's."""
    n = len(participants)
    arr = np.asarray(list(assignment), dtype=np.int64)
    if arr.shape != (n,):
        raise InputError(f"the assignment has {arr.size} entries for {n} participants")
    if n and arr.min() < 0:
        raise InputError("group numbers in an assignment start at 0")
    k = int(arr.max()) + 1 if n else 0
    sizes = np.bincount(arr, minlength=k).astype(np.int64)
    feats = build_features(participants)
    quotas = build_quotas(participants, with_hosts=False)
    lo, hi = quota_bounds(quotas, sizes, n)
    index = {pid: i for i, pid in enumerate(participants.ids)}
    keys = pair_keys(history_pairs(history, index), n)
    return GroupingMetrics(
        n=n,
        groups=k,
        sizes=tuple(int(s) for s in sizes),
        bss_over_tss=bss_over_tss(feats.X, arr, k),
        numeric_bss_over_tss=bss_over_tss(feats.X[:, feats.numeric], arr, k),
        max_category_deviation=category_deviation(
            quotas.codes, lo, hi, np.flatnonzero(quotas.kind == 0), arr
        ),
        repeat_pairs=count_repeat_pairs(keys, arr, n),
    )

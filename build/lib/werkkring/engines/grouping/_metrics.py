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


def _onehot_sums(
    rows: IntArray, cols: IntArray, levels: int, assignment: IntArray, sizes: FloatArray
) -> tuple[float, float]:
    """(BSS, TSS) of z-scored 0/1 columns given as the (row, column) places of their ones, without building
    them: for a column with share p, BSS = (sum_g c_g^2 / n_g - n p^2) / (p (1 - p)) and TSS = n."""
    n = len(assignment)
    if levels == 0 or n == 0:
        return 0.0, 0.0
    c = np.bincount(cols, minlength=levels).astype(np.float64)
    p = c / n
    var = p * (1.0 - p)
    keep = var > 1e-15
    cells, counts = np.unique(assignment[rows] * levels + cols, return_counts=True)
    per_col = np.zeros(levels)
    np.add.at(per_col, cells % levels, counts.astype(np.float64) ** 2 / sizes[cells // levels])
    bss = float(((per_col[keep] - n * p[keep] ** 2) / var[keep]).sum())
    return bss, float(n * keep.sum())


def exact_ratios(participants: Participants, assignment: IntArray, k: int) -> tuple[float, float]:
    """(BSS/TSS over all feature columns, over the numeric columns), straight from the definition;
    categorical values and tags are counted, not expanded, so any number of values is fine."""
    sizes = np.bincount(assignment, minlength=k).astype(np.float64)
    numeric = build_features(Participants(ids=participants.ids, numeric=participants.numeric)).X
    centred = numeric - numeric.mean(axis=0) if numeric.size else numeric
    tss_num = float((centred**2).sum())
    bss_num = 0.0
    if numeric.shape[1]:
        sums = np.zeros((k, numeric.shape[1]))
        np.add.at(sums, assignment, centred)
        used = sizes > 0
        bss_num = float(((sums[used] ** 2).sum(axis=1) / sizes[used]).sum())
    bss, tss = bss_num, tss_num
    safe = np.maximum(sizes, 1.0)
    for values in participants.categorical.values():
        levels = sorted({v for v in values if v is not None})
        index = {v: i for i, v in enumerate(levels)}
        rows = np.array([i for i, v in enumerate(values) if v is not None], dtype=np.int64)
        cols = np.array([index[v] for v in values if v is not None], dtype=np.int64)
        b, t = _onehot_sums(rows, cols, len(levels), assignment, safe)
        bss, tss = bss + b, tss + t
    for tag_values in participants.tags.values():
        tags = sorted({t for ts in tag_values for t in ts})
        tindex = {t: i for i, t in enumerate(tags)}
        pairs = [(i, tindex[t]) for i, ts in enumerate(tag_values) for t in ts]
        rows = np.array([r for r, _ in pairs], dtype=np.int64)
        cols = np.array([c for _, c in pairs], dtype=np.int64)
        b, t = _onehot_sums(rows, cols, len(tags), assignment, safe)
        bss, tss = bss + b, tss + t
    return (bss / tss if tss > 0 else 0.0), (bss_num / tss_num if tss_num > 0 else 0.0)


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
    quotas = build_quotas(participants, with_hosts=False, shared_only=False)
    lo, hi = quota_bounds(quotas, sizes, n)
    index = {pid: i for i, pid in enumerate(participants.ids)}
    keys = pair_keys(history_pairs(history, index), n)
    ratios = exact_ratios(participants, arr, k)
    return GroupingMetrics(
        n=n,
        groups=k,
        sizes=tuple(int(s) for s in sizes),
        bss_over_tss=ratios[0],
        numeric_bss_over_tss=ratios[1],
        max_category_deviation=category_deviation(
            quotas.codes, lo, hi, np.flatnonzero(quotas.kind == 0), arr
        ),
        repeat_pairs=count_repeat_pairs(keys, arr, n),
    )

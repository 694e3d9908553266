"""Turn participants and constraints into arrays: features, quota columns, pair sets, frozen seats."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from werkkring.engines.grouping._model import Participants
from werkkring.errors import ConstraintError, InputError, Problem

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass
class Features:
    """Feature matrix (n x d, every column centred and scaled to unit variance) and its numeric part."""

    X: FloatArray
    numeric: BoolArray
    """Which columns of X come from numeric attributes."""


@dataclass
class Quotas:
    """Categorical values (and hosts) as quota columns: every person has one code per attribute."""

    codes: IntArray
    """n x A: the quota column of each person's value of each attribute (A attributes)."""
    counts: IntArray
    """Q: how many people hold each quota column."""
    kind: IntArray
    """Q: 0 = a categorical value (judged by the floor/ceiling rule), 1 = unknown value (free),
    2 = host (floor/ceiling of hosts per group), 3 = not a host (free)."""


MAX_LEVELS = 1000


def _levels(name: str, values: Iterable[str], *, shared_only: bool) -> list[str]:
    """The values of an attribute, or with ``shared_only`` those held by at least two people.

    A value held by one person cannot be spread and barely moves BSS (its column's share is the same in
    every group of equal size), so the search leaves it out; an attribute with more than MAX_LEVELS shared
    values is almost surely an identifier and is refused."""
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    levels = sorted(v for v, c in counts.items() if c >= 2 or not shared_only)
    if shared_only and len(levels) > MAX_LEVELS:
        raise InputError(
            [
                Problem(
                    f"has {len(levels)} different values shared by two or more people; that looks like an "
                    "identifier, not an attribute to mix (leave the column out or read it as numeric)",
                    field=name,
                )
            ]
        )
    return levels


def _zscore(column: FloatArray) -> FloatArray | None:
    std = float(column.std())
    if std <= 1e-12 * max(1.0, float(np.abs(column).max())):
        return None
    out: FloatArray = (column - column.mean()) / std
    return out


def build_features(participants: Participants, *, shared_only: bool = False) -> Features:
    """z-scored numeric attributes, z-scored one-hot categorical values and z-scored tags.

    Unknown numbers sit at the mean (z = 0); unknown categories and missing tags are a zero in every one-hot
    column of that attribute. Columns that do not vary are left out: they carry no information.
    """
    n = len(participants)
    cols: list[FloatArray] = []
    numeric: list[bool] = []
    for values in participants.numeric.values():
        raw = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
        known = ~np.isnan(raw)
        if not known.any():
            continue
        mean = float(raw[known].mean())
        std = float(raw[known].std())
        if std <= 1e-12 * max(1.0, float(np.abs(raw[known]).max())):
            continue
        z = np.where(known, (raw - mean) / std, 0.0)
        cols.append(z)
        numeric.append(True)
    for cat_name, cat_values in participants.categorical.items():
        levels = _levels(cat_name, (v for v in cat_values if v is not None), shared_only=shared_only)
        index = {v: i for i, v in enumerate(levels)}
        onehot = np.zeros((n, len(levels)), dtype=np.float64)
        for row, v in enumerate(cat_values):
            if v is not None and v in index:
                onehot[row, index[v]] = 1.0
        for j in range(len(levels)):
            z2 = _zscore(onehot[:, j])
            if z2 is not None:
                cols.append(z2)
                numeric.append(False)
    for tag_name, tag_values in participants.tags.items():
        all_tags = _levels(tag_name, (t for tags in tag_values for t in tags), shared_only=shared_only)
        tindex = {t: i for i, t in enumerate(all_tags)}
        has = np.zeros((n, len(all_tags)), dtype=np.float64)
        for row, tags in enumerate(tag_values):
            for t in tags:
                if t in tindex:
                    has[row, tindex[t]] = 1.0
        for j in range(len(all_tags)):
            z3 = _zscore(has[:, j])
            if z3 is not None:
                cols.append(z3)
                numeric.append(False)
    X = np.column_stack(cols) if cols else np.zeros((n, 0), dtype=np.float64)
    return Features(X=np.ascontiguousarray(X), numeric=np.array(numeric, dtype=bool))


def build_quotas(participants: Participants, *, with_hosts: bool = True, shared_only: bool = True) -> Quotas:
    n = len(participants)
    code_cols: list[IntArray] = []
    counts: list[int] = []
    kind: list[int] = []
    for name, values in participants.categorical.items():
        levels = _levels(name, (v for v in values if v is not None), shared_only=shared_only)
        base = len(counts)
        index = {v: base + i for i, v in enumerate(levels)}
        missing = base + len(levels)
        # Unknown values and values held by one person only share the last, unjudged column.
        codes = np.array(
            [index.get(v, missing) if v is not None else missing for v in values], dtype=np.int64
        )
        counts.extend(int(c) for c in np.bincount(codes - base, minlength=len(levels) + 1))
        kind.extend([0] * len(levels) + [1])
        code_cols.append(codes)
    hosts = participants.hosts
    if with_hosts and any(hosts):
        base = len(counts)
        codes = np.array([base if h else base + 1 for h in hosts], dtype=np.int64)
        counts.extend([int(sum(hosts)), n - int(sum(hosts))])
        kind.extend([2, 3])
        code_cols.append(codes)
    codes_all = np.column_stack(code_cols) if code_cols else np.zeros((n, 0), dtype=np.int64)
    return Quotas(
        codes=np.ascontiguousarray(codes_all, dtype=np.int64),
        counts=np.array(counts, dtype=np.int64),
        kind=np.array(kind, dtype=np.int64),
    )


def quota_bounds(quotas: Quotas, sizes: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """Per group and quota column: the floor and ceiling of the fair share (k x Q each)."""
    k = len(sizes)
    share = sizes[:, None] * quotas.counts[None, :]
    lo = share // max(n, 1)
    hi = -((-share) // max(n, 1))
    free = (quotas.kind == 1) | (quotas.kind == 3)
    lo[:, free] = 0
    hi[:, free] = sizes[:, None]
    host = quotas.kind == 2
    if host.any():
        h = quotas.counts[host]
        lo[:, host] = np.broadcast_to(h // max(k, 1), (k, int(host.sum())))
        hi[:, host] = np.broadcast_to(-((-h) // max(k, 1)), (k, int(host.sum())))
    return lo.astype(np.int64), hi.astype(np.int64)


def group_sizes(n: int, *, size: int | None, groups: int | None, sizes: Sequence[int] | None) -> IntArray:
    """Group sizes that differ by at most one (or exactly the given sizes)."""
    if sizes is not None:
        arr = np.array(list(sizes), dtype=np.int64)
        if arr.size == 0 or (arr < 1).any():
            raise InputError("every group size must be at least 1")
        if int(arr.sum()) != n:
            raise ConstraintError(
                f"the group sizes add up to {int(arr.sum())}, but there are {n} participants"
            )
        return arr
    if n == 0:
        raise InputError("there are no participants")
    if size is None and groups is None:
        raise InputError("give a group size or a number of groups")
    if size is not None and size < 1:
        raise InputError(f"group size must be at least 1, got {size}")
    if groups is not None and groups < 1:
        raise InputError(f"number of groups must be at least 1, got {groups}")
    if size is not None and size > n:
        raise ConstraintError(f"group size {size} is larger than the number of participants ({n})")
    if groups is not None and groups > n:
        raise ConstraintError(f"{groups} groups is more than the number of participants ({n})")
    if groups is not None:
        k = groups
    else:
        assert size is not None
        k = -(-n // size)
    if size is not None and groups is not None and -(-n // groups) > size:
        raise ConstraintError(
            f"{n} participants do not fit in {groups} groups of at most {size} (need {-(-n // size)} groups)"
        )
    base, extra = divmod(n, k)
    return np.array([base + 1] * extra + [base] * (k - extra), dtype=np.int64)


def pair_keys(pairs: Iterable[tuple[int, int]], n: int) -> IntArray:
    """Sorted unique keys min*n+max of unordered pairs, for vectorised membership tests."""
    keys = [min(a, b) * n + max(a, b) for a, b in pairs if a != b]
    return np.unique(np.array(keys, dtype=np.int64))


def history_pairs(history: Iterable[Iterable[str]], index: Mapping[str, int]) -> list[tuple[int, int]]:
    """Pairs of present participants who were in one group before; unknown ids (absent people) are skipped."""
    pairs: list[tuple[int, int]] = []
    for group in history:
        present = sorted({index[pid] for pid in group if pid in index})
        for a in range(len(present)):
            for b in range(a + 1, len(present)):
                pairs.append((present[a], present[b]))
    return pairs


@dataclass
class Constraints:
    apart: list[tuple[int, int]]
    together: list[IntArray]
    """Connected keep-together sets (sets sharing a person are merged), as index arrays."""
    together_names: list[str]
    fixed: IntArray
    """n: the 0-based group a person must sit in, or -1."""


def compile_constraints(
    ids: Sequence[str],
    sizes: IntArray,
    *,
    apart: Iterable[tuple[str, str]],
    together: Mapping[str, Sequence[str]] | Iterable[Sequence[str]],
    fixed: Mapping[str, int],
) -> Constraints:
    """Check the hard constraints against each other and the group sizes; name what cannot hold."""
    n = len(ids)
    k = len(sizes)
    index = {pid: i for i, pid in enumerate(ids)}
    problems: list[Problem] = []

    def lookup(pid: str, what: str) -> int | None:
        if pid not in index:
            problems.append(Problem(f"{what} names unknown id {pid!r}"))
            return None
        return index[pid]

    named: list[tuple[str, list[int]]] = []
    sets = together.items() if isinstance(together, Mapping) else enumerate(together, start=1)
    for name, members in sets:
        found = [lookup(pid, f"keep-together set {name!s}") for pid in members]
        named.append((str(name), sorted({i for i in found if i is not None})))
    pairs: list[tuple[int, int]] = []
    for a, b in apart:
        ia, ib = lookup(a, f"keep-apart pair ({a}, {b})"), lookup(b, f"keep-apart pair ({a}, {b})")
        if ia is None or ib is None:
            continue
        if ia == ib:
            problems.append(Problem(f"keep-apart pair ({a}, {b}) names the same person twice"))
            continue
        pairs.append((ia, ib))
    fixed_arr = np.full(n, -1, dtype=np.int64)
    for pid, group in fixed.items():
        i = lookup(pid, "fixed seat")
        if i is None:
            continue
        if not 0 <= int(group) < k:
            problems.append(
                Problem(f"fixed seat of {pid!r} is group {int(group) + 1}, but there are {k} groups")
            )
            continue
        fixed_arr[i] = int(group)
    if problems:
        raise InputError(problems)

    # Merge keep-together sets that share a person (union-find).
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, members in named:
        for m in members[1:]:
            ra, rb = find(members[0]), find(m)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    names_of: dict[int, list[str]] = {}
    for name, members in named:
        if members:
            names_of.setdefault(find(members[0]), []).append(name)
    comps: dict[int, list[int]] = {}
    for root in names_of:
        comps[root] = []
    for i in range(n):
        r = find(i)
        if r in comps:
            comps[r].append(i)
    errors: list[str] = []
    smax = int(sizes.max())
    together_sets: list[IntArray] = []
    together_names: list[str] = []
    for root, members in sorted(comps.items()):
        label = ", ".join(names_of[root])
        who = ", ".join(ids[i] for i in members)
        if len(members) < 2:
            continue
        if len(members) > smax:
            errors.append(
                f"keep-together set {label} has {len(members)} people ({who}), "
                f"more than the largest group ({smax})"
            )
        seats = sorted({int(fixed_arr[i]) for i in members if fixed_arr[i] >= 0})
        if len(seats) > 1:
            errors.append(
                f"keep-together set {label} ({who}) has fixed seats in different groups "
                f"({', '.join(str(s + 1) for s in seats)})"
            )
        elif seats and len(members) > int(sizes[seats[0]]):
            errors.append(f"keep-together set {label} ({who}) does not fit in its fixed group {seats[0] + 1}")
        together_sets.append(np.array(members, dtype=np.int64))
        together_names.append(label)
    for ia, ib in pairs:
        if find(ia) == find(ib):
            errors.append(
                f"{ids[ia]} and {ids[ib]} must be kept apart and kept together "
                f"(keep-together set {', '.join(names_of[find(ia)])})"
            )
        elif fixed_arr[ia] >= 0 and fixed_arr[ia] == fixed_arr[ib]:
            errors.append(
                f"{ids[ia]} and {ids[ib]} must be kept apart "
                f"but both have a fixed seat in group {fixed_arr[ia] + 1}"
            )
    for g in range(k):
        seated = np.flatnonzero(fixed_arr == g)
        if len(seated) > int(sizes[g]):
            errors.append(
                f"group {g + 1} has room for {int(sizes[g])} but {len(seated)} people have a fixed seat "
                "there: " + ", ".join(ids[int(i)] for i in seated)
            )
    if errors:
        raise ConstraintError("; ".join(errors))
    return Constraints(apart=pairs, together=together_sets, together_names=together_names, fixed=fixed_arr)

"""form_groups: validate, build features and quotas, start from a stratified deal, then search."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from werkkring.engines.grouping._compile import (
    Constraints,
    FloatArray,
    IntArray,
    build_features,
    build_quotas,
    compile_constraints,
    group_sizes,
    history_pairs,
    pair_keys,
    quota_bounds,
)
from werkkring.engines.grouping._exact import MAX_EXACT, solve_exact
from werkkring.engines.grouping._metrics import evaluate
from werkkring.engines.grouping._model import GroupingResult, Participants
from werkkring.engines.grouping._search import SearchProblem, improve, objective, weights
from werkkring.errors import ConstraintError


def _principal_score(X: FloatArray) -> FloatArray:
    """Each person's position along the first principal axis (a cheap 1-d summary to deal along)."""
    if X.shape[1] == 0:
        return np.zeros(X.shape[0])
    cov = X.T @ X
    _, vecs = np.linalg.eigh(cov)
    score: FloatArray = X @ vecs[:, -1]
    return score


def _stratified_deal(
    rest: IntArray,
    assign: IntArray,
    capacity: IntArray,
    sizes: IntArray,
    codes: IntArray,
    score: FloatArray,
    rng: np.random.Generator,
) -> IntArray:
    """Seats for the people in ``rest`` that keep every categorical value near its fair share per group.

    Attribute by attribute, the free seats of each block of people (people alike in the attributes so far)
    are shared out among the block's values: a value takes the seats in the groups that are furthest below
    its fair share, counting everyone seated so far. Within the final blocks people are matched to seats by
    their principal score against the groups' running totals, which starts the numeric balance well.
    """
    n, k = len(assign), len(sizes)
    A = codes.shape[1]
    Q = int(codes.max()) + 1 if codes.size else 0
    cnt = np.zeros((k, Q), dtype=np.float64)
    placed = assign >= 0
    for a in range(A):
        np.add.at(cnt, (assign[placed], codes[placed, a]), 1.0)
    total = np.zeros(Q)
    for a in range(A):
        total += np.bincount(codes[:, a], minlength=Q)
    fair = sizes[:, None] * total[None, :] / n
    jitter = rng.random(k) * 1e-6
    slots0 = np.repeat(np.arange(k), capacity)
    blocks: list[tuple[IntArray, IntArray]] = [(rest, slots0)]
    for a in range(A):
        split: list[tuple[IntArray, IntArray]] = []
        for people, slots in blocks:
            vals = codes[people, a]
            uniq, counts = np.unique(vals, return_counts=True)
            remaining = np.sort(slots)
            for u in uniq[np.argsort(-counts, kind="stable")]:
                c = int((vals == u).sum())
                if c == len(remaining):
                    chosen, remaining = remaining, remaining[:0]
                else:
                    first = np.searchsorted(remaining, remaining, side="left")
                    rank = np.arange(len(remaining)) - first
                    key = cnt[remaining, u] + rank - fair[remaining, u] + jitter[remaining]
                    take = np.argpartition(key, c - 1)[:c]
                    chosen = remaining[take]
                    remaining = np.delete(remaining, take)
                np.add.at(cnt[:, u], chosen, 1.0)
                split.append((people[vals == u], chosen))
        blocks = split
    out = np.empty(n, dtype=np.int64)
    running = np.zeros(k)
    np.add.at(running, assign[placed], score[placed])
    for people, slots in blocks:
        by_score = people[np.argsort(-score[people], kind="stable")]
        by_total = slots[np.argsort(running[slots] + jitter[slots], kind="stable")]
        out[by_score] = by_total
        np.add.at(running, by_total, score[by_score])
    result: IntArray = out[rest]
    return result


def initial_assignment(
    sizes: IntArray,
    X: FloatArray,
    numeric: np.ndarray,
    codes: IntArray,
    cons: Constraints,
    ids: Sequence[str],
    rng: np.random.Generator,
) -> IntArray:
    """Fixed seats, then keep-together sets (largest first), then everyone else by a stratified deal."""
    n, k = X.shape[0], len(sizes)
    assign = np.full(n, -1, dtype=np.int64)
    capacity = sizes.copy()
    for i in np.flatnonzero(cons.fixed >= 0):
        assign[i] = cons.fixed[i]
        capacity[cons.fixed[i]] -= 1
    apart_of: dict[int, set[int]] = {}
    for a, b in cons.apart:
        apart_of.setdefault(a, set()).add(b)
        apart_of.setdefault(b, set()).add(a)
    for t in sorted(range(len(cons.together)), key=lambda t: -len(cons.together[t])):
        members = cons.together[t]
        todo = members[assign[members] < 0]
        seated = assign[members][assign[members] >= 0]
        if seated.size:
            g = int(seated[0])
        else:
            clash = np.zeros(k, dtype=np.int64)
            for i in members.tolist():
                for j in apart_of.get(i, ()):
                    if assign[j] >= 0:
                        clash[assign[j]] += 1
            fits = capacity >= len(todo)
            if not fits.any():
                raise ConstraintError(
                    f"keep-together set {cons.together_names[t]} ({', '.join(ids[i] for i in members)}) "
                    "does not fit in any group next to the other keep-together sets and fixed seats"
                )
            g = int(np.lexsort((-capacity, clash, ~fits))[0])
        if capacity[g] < len(todo):
            raise ConstraintError(
                f"keep-together set {cons.together_names[t]} ({', '.join(ids[i] for i in members)}) "
                f"does not fit in group {g + 1}"
            )
        assign[todo] = g
        capacity[g] -= len(todo)
    rest = np.flatnonzero(assign < 0)
    if rest.size:
        num = X[:, numeric] if numeric.any() else X
        assign[rest] = _stratified_deal(rest, assign, capacity, sizes, codes, _principal_score(num), rng)
    return assign


def form_groups(
    participants: Participants,
    *,
    size: int | None = None,
    groups: int | None = None,
    sizes: Sequence[int] | None = None,
    history: Iterable[Iterable[str]] = (),
    history_weight: float = 1.0,
    apart: Iterable[tuple[str, str]] = (),
    together: Mapping[str, Sequence[str]] | Iterable[Sequence[str]] = (),
    fixed: Mapping[str, int] | None = None,
    seed: int = 0,
    time_limit: float | None = None,
    exact: bool | None = None,
) -> GroupingResult:
    """Split participants into groups that each resemble the whole room.

    Give ``size`` (groups of at most this size, sizes differing by at most one), ``groups`` (this many
    groups) or explicit ``sizes``. ``history`` is past groups (lists of ids; absent ids are ignored);
    each pair that already met costs ``history_weight`` times a typical pair's share of the diversity.
    ``apart`` pairs never share a group, each ``together`` set shares one, ``fixed`` maps an id to its
    0-based group. Rooms of at most 15 people are solved exactly (``exact`` forces or forbids it).
    Deterministic for a seed unless ``time_limit`` (seconds) cuts the search short.
    """
    start = time.perf_counter()
    ids = list(participants.ids)
    n = len(ids)
    history = [list(group) for group in history]
    size_arr = group_sizes(n, size=size, groups=groups, sizes=sizes)
    cons = compile_constraints(ids, size_arr, apart=apart, together=together, fixed=fixed or {})
    sp = build_search_problem(participants, size_arr, cons, history, history_weight)
    rng = np.random.default_rng(seed)
    use_exact = exact if exact is not None else n <= MAX_EXACT
    if use_exact and n > MAX_EXACT + 3:
        raise ConstraintError(f"exact search is only offered up to {MAX_EXACT + 3} participants, not {n}")
    if use_exact:
        try:
            assign = solve_exact(sp, cons)
        except RuntimeError:
            raise ConstraintError(_hard_failure(ids, cons, size_arr)) from None
    else:
        assign = initial_assignment(size_arr, sp.X, sp.numeric, sp.codes, cons, ids, rng)
        deadline = None if time_limit is None else start + float(time_limit)
        min_gain, window = stopping(sp)
        assign = improve(sp, assign, rng=rng, deadline=deadline, min_gain=min_gain, window=window)
    apart_left, _, _, _ = objective(sp, assign)
    if apart_left:
        raise ConstraintError(_hard_failure(ids, cons, size_arr, assign))
    return grouping_result(participants, assign, size_arr, history=history, start=start, exact=use_exact)


def grouping_result(
    participants: Participants,
    assign: np.ndarray,
    size_arr: np.ndarray,
    *,
    history: Iterable[Iterable[str]],
    start: float,
    exact: bool,
) -> GroupingResult:
    """The result of a grouping run: the assignment with its quality measured against ``history``."""
    metrics = evaluate(participants, assign.tolist(), history=history)
    return GroupingResult(
        assignment=tuple(int(g) for g in assign),
        sizes=tuple(int(s) for s in size_arr),
        bss_over_tss=metrics.bss_over_tss,
        numeric_bss_over_tss=metrics.numeric_bss_over_tss,
        max_category_deviation=metrics.max_category_deviation,
        repeat_pairs=metrics.repeat_pairs,
        seconds=time.perf_counter() - start,
        exact=exact,
    )


def stopping(sp: SearchProblem) -> tuple[float, int]:
    """When the search may stop early. Large rooms (over 200 groups) stop when 20 rounds of swaps together
    gain at most 4e-5 of a random assignment's BSS (the numeric BSS/TSS is then far below 1 % of random's);
    small rooms run to a local optimum: a whole cycle of rounds without an improving swap."""
    n, k = sp.X.shape[0], len(sp.sizes)
    if k <= 200:
        return -1.0, 0
    random_bss = (k - 1) / max(n - 1, 1) * float((sp.X**2).sum())
    return 4e-5 * random_bss, 20


def _hard_failure(
    ids: Sequence[str], cons: Constraints, sizes: IntArray, assign: IntArray | None = None
) -> str:
    if assign is not None:
        clashes = [f"{ids[a]} and {ids[b]}" for a, b in cons.apart if assign[a] == assign[b]]
        return (
            f"could not keep every keep-apart pair apart in {len(sizes)} groups; still together: "
            + "; ".join(clashes[:20])
        )
    return (
        f"the keep-apart pairs, keep-together sets and fixed seats cannot all hold in groups of sizes "
        f"{', '.join(str(int(s)) for s in sizes)}"
    )


def build_search_problem(
    participants: Participants,
    size_arr: IntArray,
    cons: Constraints,
    history: Iterable[Iterable[str]],
    history_weight: float,
) -> SearchProblem:
    n = len(participants)
    # Small rooms (solved exactly) keep every value, so the optimum is the optimum of the reported ratio.
    feats = build_features(participants, shared_only=n > MAX_EXACT)
    quotas = build_quotas(participants)
    lo, hi = quota_bounds(quotas, size_arr, n)
    index = {pid: i for i, pid in enumerate(participants.ids)}
    hist_keys = pair_keys(history_pairs(history, index), n)
    tss = float((feats.X**2).sum())
    mean_size = n / len(size_arr)
    # A typical pair's contribution to the diversity, in BSS units: 2 TSS / ((n - 1) * group size).
    per_pair = history_weight * 2.0 * tss / (max(n - 1, 1) * mean_size) if tss > 0 else float(history_weight)
    w_viol, w_apart = weights(feats.X, quotas.codes.shape[1], per_pair, int(size_arr.max()))
    movable = np.ones(n, dtype=bool)
    movable[cons.fixed >= 0] = False
    for members in cons.together:
        movable[members] = False
    return SearchProblem(
        X=feats.X,
        codes=quotas.codes,
        lo=lo,
        hi=hi,
        sizes=size_arr,
        movable=movable,
        apart_keys=pair_keys(cons.apart, n),
        history_keys=hist_keys,
        w_history=per_pair,
        w_viol=w_viol,
        w_apart=w_apart,
        numeric=feats.numeric,
    )

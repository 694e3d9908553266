"""Several rounds in which no pair meets twice where possible (the social golfer problem).

Rounds are first built one by one with the grouping search, every earlier meeting counting as a heavy
penalty. If pairs still meet twice, a tabu search over all rounds (after Dotú and Van Hentenryck, 2005)
swaps two people of one round, always the swap that removes the most repeat meetings, with recently undone
moves forbidden and a random shake when it stalls. Finally each round is polished for the mix without
letting any repeat back in.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence

import numpy as np

from werkkring.engines.grouping._affine import affine_rounds
from werkkring.engines.grouping._api import build_search_problem, initial_assignment, stopping
from werkkring.engines.grouping._compile import (
    IntArray,
    compile_constraints,
    group_sizes,
    pair_keys,
)
from werkkring.engines.grouping._metrics import evaluate
from werkkring.engines.grouping._model import Participants, RoundsResult
from werkkring.engines.grouping._search import SearchProblem, improve
from werkkring.errors import InputError

MAX_TABU_CELLS = 2_000_000
"""The tabu search scores rounds x n x n swaps per step; beyond this many it is skipped."""


def _meet_pairs(rounds: Sequence[IntArray], n: int) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    for assign in rounds:
        order = np.argsort(assign, kind="stable")
        bounds = np.flatnonzero(np.diff(assign[order])) + 1
        for group in np.split(order, bounds):
            members = group.tolist()
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    pairs.append((members[x], members[y]))
    return pairs


def _meetings(G: IntArray, k: int) -> IntArray:
    R, n = G.shape
    M = np.zeros((n, n), dtype=np.int64)
    for r in range(R):
        onehot = np.zeros((n, k), dtype=np.int64)
        onehot[np.arange(n), G[r]] = 1
        M += onehot @ onehot.T
    np.fill_diagonal(M, 0)
    return M


def repeat_count(G: IntArray, k: int) -> int:
    """Pairs meeting more than once, counted once per extra meeting (no n x n matrix)."""
    n = G.shape[1]
    keys = [pair_keys(_meet_pairs([row], n), n) for row in G]
    if not keys:
        return 0
    _, counts = np.unique(np.concatenate(keys), return_counts=True)
    return int((counts - 1).sum())


def _tabu(
    G: IntArray,
    k: int,
    *,
    rng: np.random.Generator,
    deadline: float,
    movable: np.ndarray,
    stall_limit: int = 300,
) -> IntArray:
    """Minimise repeat meetings over all rounds by swapping two people of one round.

    Every step scores all swaps of all rounds at once (two small matrix products): the change in repeat
    meetings when p and q trade places in round r. Swaps made recently are tabu unless they beat the best
    schedule so far; after ``stall_limit`` steps without a new best the search shakes the best schedule.
    """
    R, n = G.shape
    G = G.copy()
    M = _meetings(G, k).astype(np.float64)
    f = int(np.triu(np.maximum(M - 1, 0), 1).sum())
    best_f, best_G = f, G.copy()
    tabu = np.zeros((R, n, n), dtype=np.int64)
    oh = np.zeros((n, R, k))
    oh[np.arange(n)[:, None], np.arange(R)[None, :], G.T] = 1.0
    rn, pn = np.arange(R)[:, None], np.arange(n)[None, :]
    fixed = ~(movable[:, None] & movable[None, :])
    stall, it = 0, 0
    ar_n = np.arange(n)
    while best_f > 0 and time.perf_counter() < deadline:
        it += 1
        b1 = (M >= 1).astype(np.float64)
        flat = oh.reshape(n, R * k)
        gain = (b1 @ flat).reshape(n, R, k)
        rm = ((M >= 2).astype(np.float64) @ flat).reshape(n, R, k)[pn, rn, G]
        # Only people in a repeat meeting move: score their swaps with everyone in the same round.
        rs, ps = np.nonzero(rm > 0)
        gr = G[rs]  # c x n: groups of everyone in that round
        gp_of = G[rs, ps]
        delta = (
            gain[ps[:, None], rs[:, None], gr]
            + gain[ar_n[None, :], rs[:, None], gp_of[:, None]]
            - rm[rs, ps][:, None]
            - rm[rs]
            - 2.0 * b1[ps]
        )
        bad = (gr == gp_of[:, None]) | fixed[ps]
        bad |= (tabu[rs, ps] > it) & (f + delta >= best_f)
        score = np.where(bad, np.inf, delta + 0.5 * rng.random(delta.shape))
        pick = int(score.argmin())
        if not np.isfinite(score.flat[pick]):
            stall = stall_limit + 1
        else:
            c, q = np.unravel_index(pick, score.shape)
            r, p = int(rs[c]), int(ps[c])
            step_delta = float(delta[c, q])
            gp, gq = int(G[r, p]), int(G[r, q])
            in_p = np.flatnonzero(G[r] == gp)
            in_q = np.flatnonzero(G[r] == gq)
            in_p, in_q = in_p[in_p != p], in_q[in_q != q]
            for x, leave, join in ((p, in_p, in_q), (q, in_q, in_p)):
                M[x, leave] -= 1
                M[leave, x] -= 1
                M[x, join] += 1
                M[join, x] += 1
            G[r, p], G[r, q] = gq, gp
            oh[p, r, gp], oh[p, r, gq], oh[q, r, gq], oh[q, r, gp] = 0.0, 1.0, 0.0, 1.0
            tenure = 5 + int(rng.integers(0, 20))
            tabu[r, p, q] = tabu[r, q, p] = it + tenure
            f += round(step_delta)
            if f < best_f:
                best_f, best_G, stall = f, G.copy(), 0
            else:
                stall += 1
        if stall > stall_limit:
            G = best_G.copy()
            cand = np.flatnonzero(movable)
            for _ in range(1 + int(rng.integers(0, 3))):
                rr = int(rng.integers(0, R))
                a, b = rng.choice(cand, 2, replace=False)
                G[rr, a], G[rr, b] = G[rr, b], G[rr, a]
            M = _meetings(G, k).astype(np.float64)
            f = int(np.triu(np.maximum(M - 1, 0), 1).sum())
            oh[:] = 0.0
            oh[np.arange(n)[:, None], np.arange(R)[None, :], G.T] = 1.0
            tabu[:] = 0
            stall = 0
    return best_G


def _grow(G: IntArray, k: int, *, rng: np.random.Generator, deadline: float, movable: np.ndarray) -> IntArray:
    """Lengthen the run of repeat-free rounds one round at a time: the r clean rounds plus the next one go
    to the tabu search together, so that when time runs out the first rounds are as many clean ones as
    were reached."""
    G = G[_clean_first(G, k)].copy()
    R = len(G)
    r = _clean_prefix(G, k)
    while r < R and time.perf_counter() < deadline:
        part = _tabu(G[: r + 1], k, rng=rng, deadline=deadline, movable=movable)
        if repeat_count(part, k) > 0:
            # Out of time: keep the clean rounds; the rest stay as the greedy rounds made them, with the
            # search's best attempt at the next round if it repeats fewer pairs.
            if repeat_count(np.vstack([G[:r], part[r:]]), k) < repeat_count(G[: r + 1], k):
                G[r] = part[r]
            break
        G[: r + 1] = part
        r = _clean_prefix(G, k)
    return G


def _clean_prefix(G: IntArray, k: int) -> int:
    """How many of the first rounds have no pair meeting twice."""
    r = 1 if len(G) else 0
    while r < len(G) and repeat_count(G[: r + 1], k) == 0:
        r += 1
    return r


def _clean_first(G: IntArray, k: int) -> IntArray:
    """An order of the rounds that puts the largest set of rounds without a repeat meeting first."""
    R, n = G.shape
    keys = [pair_keys(_meet_pairs([G[r]], n), n) for r in range(R)]
    clash = np.zeros((R, R), dtype=bool)
    for a in range(R):
        for b in range(a + 1, R):
            clash[a, b] = clash[b, a] = np.intersect1d(keys[a], keys[b], assume_unique=True).size > 0
    best: list[int] = []
    if R <= 16:
        for mask in range(1 << R):
            chosen = [r for r in range(R) if mask >> r & 1]
            if len(chosen) > len(best) and not clash[np.ix_(chosen, chosen)].any():
                best = chosen
    else:
        for r in range(R):
            if not clash[r, best].any():
                best.append(r)
    order = best + [r for r in range(R) if r not in best]
    return np.array(order, dtype=np.int64)


def repeat_problem(base: SearchProblem, met: IntArray, never: IntArray | None = None) -> SearchProblem:
    """Search one round against earlier meetings (pair keys ``met``): meeting again weighs more than the
    floor/ceiling rule, which weighs more than the mix; the pairs in ``never`` (default: the keep-apart pairs
    of ``base``) are kept apart above everything."""
    w_repeat = base.w_viol * (4.0 * base.codes.shape[1] + 2.0) + 1.0
    return dataclasses.replace(
        base,
        apart_keys=base.apart_keys if never is None else never,
        history_keys=met,
        w_history=w_repeat,
        w_apart=w_repeat * (4.0 * float(base.sizes.max()) + 1.0),
    )


def spread_hosts(participants: Participants, sizes: IntArray, pins: Mapping[str, int]) -> dict[str, int]:
    """A table for every table host without a pin: the table with the fewest hosts so far (the lowest number
    on a tie) that still has a seat not taken by a pin, so hosts sit one per table where there are enough
    and as evenly as possible otherwise."""
    k = len(sizes)
    hosts_at = np.zeros(k, dtype=np.int64)
    pinned_at = np.zeros(k, dtype=np.int64)
    host_flags = participants.hosts
    index = {pid: i for i, pid in enumerate(participants.ids)}
    for pid, g in pins.items():
        if pid in index and 0 <= int(g) < k:
            pinned_at[int(g)] += 1
            hosts_at[int(g)] += host_flags[index[pid]]
    out: dict[str, int] = {}
    for pid, host in zip(participants.ids, host_flags, strict=True):
        if not host or pid in pins:
            continue
        room = pinned_at < sizes
        if not room.any():
            break
        g = int(np.lexsort((np.arange(k), hosts_at, ~room))[0])
        out[pid] = g
        hosts_at[g] += 1
        pinned_at[g] += 1
    return out


def form_rounds(
    participants: Participants,
    *,
    rounds: int,
    size: int | None = None,
    groups: int | None = None,
    sizes: Sequence[int] | None = None,
    fixed: Mapping[str, int] | None = None,
    hosts_stay: bool = False,
    seed: int = 0,
    time_limit: float | None = 60.0,
    construction: bool = True,
) -> RoundsResult:
    """``rounds`` rounds of groups in which no pair meets twice where possible, each round a good mix.

    ``fixed`` pins people (table hosts, say) to a 0-based group in every round; with ``hosts_stay`` every
    table host (role ``host``) keeps one table in all rounds, the hosts spread one per table where there are
    enough (the world café rule: hosts stay, the others move). Otherwise hosts are spread anew each round.
    Stops as soon as no pair meets twice, or at ``time_limit`` seconds (then the schedule with the fewest
    repeat meetings found is returned). When the room has p**m people in groups of p**t (p prime), nobody is
    pinned and ``construction`` is on, repeat-free rounds from affine geometry are used where the search
    alone falls short (and straight away when there are no attributes to mix).
    """
    start = time.perf_counter()
    if rounds < 1:
        raise InputError(f"the number of rounds must be at least 1, got {rounds}")
    ids = list(participants.ids)
    n = len(ids)
    size_arr = group_sizes(n, size=size, groups=groups, sizes=sizes)
    k = len(size_arr)
    pins = dict(fixed or {})
    if hosts_stay:
        pins.update(spread_hosts(participants, size_arr, pins))
    cons = compile_constraints(ids, size_arr, apart=(), together=(), fixed=pins)
    base = build_search_problem(participants, size_arr, cons, (), 0.0)
    rng = np.random.default_rng(seed)
    deadline = None if time_limit is None else start + float(time_limit)

    def problem(others: Sequence[IntArray], never: Sequence[IntArray] = ()) -> SearchProblem:
        """Search one round against the others; pairs who met in a round of ``never`` are kept apart."""
        return repeat_problem(
            base, pair_keys(_meet_pairs(others, n), n), pair_keys(_meet_pairs(never, n), n) if never else None
        )

    designed: list[IntArray] = []
    if construction and not pins and len(set(size_arr.tolist())) == 1:
        perm = rng.permutation(n)
        designed = [row[perm] for row in affine_rounds(n, int(size_arr[0]), rng)]
    plain = base.X.shape[1] == 0 and base.codes.shape[1] == 0
    made: list[IntArray] = designed[:rounds] if plain else []
    for _ in range(len(made), rounds):
        sp = problem(made)
        assign = initial_assignment(size_arr, sp.X, sp.numeric, sp.codes, cons, ids, rng)
        min_gain, window = stopping(sp)
        made.append(improve(sp, assign, rng=rng, deadline=deadline, min_gain=min_gain, window=window))
    G = np.array(made, dtype=np.int64)
    if k > 1 and rounds * n * n <= MAX_TABU_CELLS and repeat_count(G, k) > 0:
        budget = deadline or float("inf")
        if designed and not plain:
            # Leave half of the time for the designed rounds, should the search fall short.
            budget = time.perf_counter() + (budget - time.perf_counter()) / 2
        G = _grow(G, k, rng=rng, deadline=budget, movable=base.movable)
        if designed and repeat_count(G, k) > 0:
            seeded = designed[:rounds]
            rest = [G[r] for r in range(len(seeded), rounds)]
            G = np.array(seeded + rest, dtype=np.int64)
            if repeat_count(G, k) > 0:
                G = _grow(G, k, rng=rng, deadline=deadline or float("inf"), movable=base.movable)
    if k > 1:
        # Polish each round for the mix. A repeat-free round stays repeat-free against the other clean
        # rounds (their pairs are kept apart), so the run of clean rounds never shrinks.
        G = G[_clean_first(G, k)]
        clean = _clean_prefix(G, k)
        for r in range(rounds):
            if r < clean:
                never = [G[t] for t in range(clean) if t != r]
                sp = problem([G[t] for t in range(clean, rounds)], never)
            else:
                sp = problem([G[t] for t in range(rounds) if t != r])
            min_gain, window = stopping(sp)
            G[r] = improve(sp, G[r], rng=rng, deadline=None, min_gain=min_gain, window=window)
    G = G[_clean_first(G, k)]
    prefix = _clean_prefix(G, k)
    return RoundsResult(
        rounds=tuple(tuple(int(g) for g in row) for row in G),
        sizes=tuple(int(s) for s in size_arr),
        repeat_pairs=repeat_count(G, k),
        rounds_without_repeat=prefix,
        round_metrics=tuple(evaluate(participants, row.tolist()) for row in G),
        seconds=time.perf_counter() - start,
    )

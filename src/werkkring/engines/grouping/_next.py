"""next_round: the groups of the next round, given the groups people actually sat in so far.

The rounds so far are what happened (people who left are simply absent from ``participants``; people who
arrived late sat in fewer rounds). Every pair who already met weighs more than the floor/ceiling rule, which
weighs more than the mix; table hosts can keep their table (the world café rule: hosts stay, others move).
Small rooms are solved exactly; larger ones by the exchange search, then, if pairs still meet again, a tabu
search on the repeats alone, and finally a polish for the mix that lets no repeat back in.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from werkkring.engines.grouping._api import (
    _hard_failure,
    build_search_problem,
    grouping_result,
    initial_assignment,
    stopping,
)
from werkkring.engines.grouping._compile import (
    BoolArray,
    FloatArray,
    IntArray,
    compile_constraints,
    group_sizes,
    history_pairs,
    pair_keys,
)
from werkkring.engines.grouping._exact import MAX_EXACT, solve_exact
from werkkring.engines.grouping._model import GroupingResult, Participants
from werkkring.engines.grouping._rounds import repeat_problem
from werkkring.engines.grouping._search import improve, objective
from werkkring.errors import N_, ConstraintError, InputError, Problem

MAX_TABU_PEOPLE = 3000
"""The repeat tabu search keeps an n x n table of pairs; larger rooms rely on the exchange search."""


def _tabu_round(
    W: FloatArray,
    G: IntArray,
    k: int,
    movable: BoolArray,
    *,
    rng: np.random.Generator,
    max_steps: int,
    deadline: float | None,
    target: float = 0.0,
    stall_limit: int = 200,
) -> IntArray:
    """Fewest weighted pairs (W[i, j] for i, j in one group) by swapping two people of different groups.

    Every step scores the swaps of everyone in a weighted pair with everyone else at once, makes the best
    that is not tabu (a person may not return to a group they left recently, unless that beats the best
    round so far), and restarts from the best round with a small shake after ``stall_limit`` steps without
    a new best."""
    n = len(G)
    G = G.copy()
    onehot = np.zeros((n, k))
    onehot[np.arange(n), G] = 1.0
    P = W @ onehot  # P[i, g]: i's weighted pairs with the people in group g
    ar = np.arange(n)
    f = float(P[ar, G].sum()) / 2.0
    best_f, best_G = f, G.copy()
    tabu = np.zeros((n, k), dtype=np.int64)
    stall = 0
    cand_all = np.flatnonzero(movable)
    for it in range(1, max_steps + 1):
        if best_f <= target + 1e-9 or (deadline is not None and time.perf_counter() > deadline):
            break
        own = P[ar, G]
        c = np.flatnonzero(movable & (own > 0))
        if c.size == 0:
            break
        gc = G[c]
        delta = P[c][:, G] - own[c][:, None] + P[:, gc].T - own[None, :] - 2.0 * W[c]
        bad = (G[None, :] == gc[:, None]) | ~movable[None, :]
        bad |= ((tabu[c][:, G] > it) | (it < tabu[:, gc].T)) & (f + delta >= best_f)
        score = np.where(bad, np.inf, delta + 0.01 * rng.random(delta.shape))
        pick = int(score.argmin())
        if not np.isfinite(score.flat[pick]):
            stall = stall_limit + 1
        else:
            a, j = divmod(pick, n)
            i = int(c[a])
            gi, gj = int(G[i]), int(G[j])
            P[:, gi] += W[:, j] - W[:, i]
            P[:, gj] += W[:, i] - W[:, j]
            G[i], G[j] = gj, gi
            tenure = 5 + int(rng.integers(0, 10))
            tabu[i, gi] = tabu[j, gj] = it + tenure
            f += float(delta[a, j])
            if f < best_f - 1e-9:
                best_f, best_G, stall = f, G.copy(), 0
            else:
                stall += 1
        if stall > stall_limit:
            G = best_G.copy()
            for _ in range(1 + int(rng.integers(0, 3))):
                x, y = rng.choice(cand_all, 2, replace=False)
                G[x], G[y] = G[y], G[x]
            onehot[:] = 0.0
            onehot[ar, G] = 1.0
            P = W @ onehot
            f = float(P[ar, G].sum()) / 2.0
            tabu[:] = 0
            stall = 0
    return best_G


def _host_pairs(hosts: BoolArray, assign: IntArray, k: int) -> int:
    per = np.bincount(assign[hosts], minlength=k)
    return int((per * (per - 1) // 2).sum())


def _fewest_host_pairs(hosts: BoolArray, movable: BoolArray, assign: IntArray, sizes: IntArray) -> int:
    """The fewest pairs of hosts sharing a table when the hosts that may move are spread over the tables
    (each to a table with the fewest hosts and a free seat: optimal, the cost being convex per table)."""
    k = len(sizes)
    per = np.bincount(assign[hosts & ~movable], minlength=k)
    seats = sizes - np.bincount(assign[~movable], minlength=k)
    for _ in range(int((hosts & movable).sum())):
        g = int(np.lexsort((per, seats <= 0))[0])
        per[g] += 1
        seats[g] -= 1
    return int((per * (per - 1) // 2).sum())


def _previous_groups(
    previous: Sequence[Mapping[str, int]], index: Mapping[str, int]
) -> tuple[list[list[str]], dict[str, int]]:
    """The groups of every earlier round as lists of ids, and each present person's latest group."""
    problems: list[Problem] = []
    groups: list[list[str]] = []
    latest: dict[str, int] = {}
    for r, round_ in enumerate(previous, start=1):
        by_group: dict[int, list[str]] = {}
        for pid, g in round_.items():
            if isinstance(g, bool) or not isinstance(g, int | np.integer) or g < 0:
                problems.append(
                    Problem(
                        N_(
                            "round %(round)s: the group of %(id)r must be a group number from 0, "
                            "not %(group)r"
                        ),
                        params={"round": r, "id": pid, "group": g},
                    )
                )
                continue
            by_group.setdefault(int(g), []).append(pid)
            if pid in index:
                latest[pid] = int(g)
        groups.extend(by_group[g] for g in sorted(by_group))
    if problems:
        raise InputError(problems)
    return groups, latest


def next_round(
    participants: Participants,
    previous: Sequence[Mapping[str, int]],
    *,
    size: int | None = None,
    groups: int | None = None,
    sizes: Sequence[int] | None = None,
    hosts_stay: bool = True,
    fixed: Mapping[str, int] | None = None,
    apart: Iterable[tuple[str, str]] = (),
    together: Mapping[str, Sequence[str]] | Iterable[Sequence[str]] = (),
    seed: int = 0,
    time_limit: float | None = None,
    exact: bool | None = None,
) -> GroupingResult:
    """The groups of the next round: nobody sits with someone they already met in ``previous`` where that is
    possible, then the floor/ceiling rule, then the mix.

    ``participants`` are the people present now (whoever left is not in it; late arrivals are, with or without
    earlier rounds). ``previous`` holds one mapping per earlier round, id -> the 0-based group (table) they
    sat at; ids no longer present are ignored. With ``hosts_stay`` (the world café rule) every table host
    (role ``host``) stays at the table of their latest round if that table still exists and is not filled by
    pins; the other hosts are spread as in :func:`form_groups`. ``fixed`` pins people to a group (it wins
    over ``hosts_stay``); ``apart`` and ``together`` are kept as in :func:`form_groups`. Group sizes as in
    :func:`form_groups`. ``repeat_pairs`` of the result counts the pairs who meet again. Rooms of at most 15
    people are solved exactly (``exact`` forces or forbids it); deterministic for a seed unless
    ``time_limit`` cuts the search short.
    """
    start = time.perf_counter()
    ids = list(participants.ids)
    n = len(ids)
    index = {pid: i for i, pid in enumerate(ids)}
    earlier, latest = _previous_groups(previous, index)
    size_arr = group_sizes(n, size=size, groups=groups, sizes=sizes)
    k = len(size_arr)
    pins = dict(fixed or {})
    if hosts_stay:
        taken = np.bincount([int(g) for g in pins.values() if 0 <= int(g) < k], minlength=k)
        for pid, host in zip(ids, participants.hosts, strict=True):
            g = latest.get(pid, -1)
            if host and pid not in pins and 0 <= g < k and taken[g] < size_arr[g]:
                pins[pid] = g
                taken[g] += 1
    cons = compile_constraints(ids, size_arr, apart=apart, together=together, fixed=pins)
    met = pair_keys(history_pairs(earlier, index), n)
    sp = repeat_problem(build_search_problem(participants, size_arr, cons, (), 0.0), met)
    rng = np.random.default_rng(seed)
    use_exact = exact if exact is not None else n <= MAX_EXACT
    if use_exact and n > MAX_EXACT + 3:
        raise ConstraintError(
            N_("exact search is only offered up to %(most)s participants, not %(n)s"),
            {"most": MAX_EXACT + 3, "n": n},
        )
    if use_exact:
        try:
            assign = solve_exact(sp, cons)
        except RuntimeError:
            raise ConstraintError(_hard_failure(ids, cons, size_arr)) from None
    else:
        deadline = None if time_limit is None else start + float(time_limit)
        min_gain, window = stopping(sp)
        assign = initial_assignment(size_arr, sp.X, sp.numeric, sp.codes, cons, ids, rng)
        assign = improve(sp, assign, rng=rng, deadline=deadline, min_gain=min_gain, window=window)
        hosts = np.array(participants.hosts, dtype=bool)
        fewest = _fewest_host_pairs(hosts, sp.movable, assign, size_arr)

        def state(a: IntArray) -> tuple[int, int, int]:
            apart_left, _, _, repeats = objective(sp, a)
            return apart_left, repeats, _host_pairs(hosts, a, k)

        now = state(assign)
        if now > (0, 0, fewest) and k > 1 and n <= MAX_TABU_PEOPLE:
            # Pairs as weights: keep-apart above every repeat, a repeat above all pairs of hosts together
            # (fewest host pairs = hosts as even as possible over the tables).
            W = np.zeros((n, n))
            W[met // n, met % n] = W[met % n, met // n] = 1.0
            a, b = sp.apart_keys // n, sp.apart_keys % n
            W[a, b] = W[b, a] = float(n * int(size_arr.max()))
            h = np.flatnonzero(hosts)
            eps = 0.5 / (h.size * h.size + 1)
            W[np.ix_(h, h)] += eps
            W[h, h] -= eps
            found = _tabu_round(
                W,
                assign,
                k,
                sp.movable,
                rng=rng,
                max_steps=20 * n + 2000,
                deadline=deadline,
                target=eps * fewest,
            )
            if state(found) <= now:
                assign = found
        if objective(sp, assign)[3] == 0 and met.size:
            # Repeat-free: polish the mix with every earlier pair kept apart, so no repeat comes back.
            clean = dataclasses.replace(sp, apart_keys=np.union1d(sp.apart_keys, met), w_history=0.0)
            assign = improve(clean, assign, rng=rng, deadline=deadline, min_gain=min_gain, window=window)
    if objective(sp, assign)[0]:
        raise ConstraintError(_hard_failure(ids, cons, size_arr, assign))
    return grouping_result(participants, assign, size_arr, history=earlier, start=start, exact=use_exact)

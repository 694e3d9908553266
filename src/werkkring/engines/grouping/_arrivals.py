"""place_arrivals: seat people who arrive after the groups are locked; nobody already seated moves.

The arrivals (keep-together sets of arrivals move as one unit) are placed to minimise, in this order:
keep-apart clashes between arrivals (a hard rule, like the group limits, pins and keep-apart pairs with seated
people, which decide where a unit may go at all), the table hosts' spread (persons outside the floor/ceiling
of hosts per group), the spread of group sizes (the sum of squared sizes: the smallest tables fill first),
the floor/ceiling rule of every categorical value, and the mix (BSS of the feature columns plus weighted
repeat meetings). Every term is a sum over groups, so a few units (up to ``EXACT_UNITS``) are placed
exactly by dynamic programming over the groups and the subsets of units; more start from an assignment
problem over the free seats (Hungarian method) and improve by moves and swaps until none helps.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from werkkring.engines.grouping._compile import (
    BoolArray,
    FloatArray,
    IntArray,
    build_features,
    build_quotas,
    history_pairs,
)
from werkkring.engines.grouping._exact import MAX_EXACT, _subset_table
from werkkring.engines.grouping._metrics import evaluate
from werkkring.engines.grouping._model import Participants, Placement, SeatingError, Unseated
from werkkring.errors import N_, InputError, Problem

EXACT_UNITS = 10
"""Up to this many units (arrivals, or keep-together sets of arrivals) are placed exactly."""
EXACT_WORK = 6_000_000
"""The exact placement scores (placed so far, next group's share) pairs; beyond this many it is not used."""
Levels4 = tuple[IntArray, IntArray, IntArray, FloatArray]
"""(host deviation, sum of squared sizes, quota deviation, mix) of group states, compared in this order (after
keep-apart clashes between arrivals)."""


def _why(template: str, params: Mapping[str, object] | None = None) -> Problem:
    """A reason as an English template with named parameters (the pages translate the template)."""
    return Problem(template, params=dict(params or {}))


def _names(ids: Sequence[str]) -> str:
    return ", ".join(ids)


@dataclass
class _Unit:
    members: list[int]
    """Local indices (into the present room) of the arrivals in this unit."""
    anchor: int
    """The group of seated people this unit must join (keep-together with someone seated), or -1."""
    pin: int
    """The group the host pinned a member of this unit to, or -1."""
    problem: Problem | None = None
    """Why this unit can never be seated (conflicting pins or anchors), found while compiling."""


@dataclass
class _Problem:
    """The placement problem over the present room (seated people and the arrivals being placed)."""

    k: int
    ids: list[str]
    units: list[_Unit]
    group: IntArray
    """Local index -> group for seated people, -1 for arrivals."""
    free: IntArray
    cap: IntArray
    allowed: BoolArray
    """U x k: where a unit may sit at all (room, pins, anchors, keep-apart with seated people)."""
    size: IntArray
    hosts: IntArray
    cnt: IntArray
    S: FloatArray
    ss: FloatArray
    """k: squared norm of each group's feature sum."""
    m: IntArray
    hu: IntArray
    zu: IntArray
    xu: FloatArray
    Hs: FloatArray
    """U x k: a unit's earlier meetings with the people seated in each group."""
    Ha: FloatArray
    """U x U: earlier meetings between units."""
    As: IntArray
    """U x k: keep-apart partners of a unit seated in each group."""
    Aa: IntArray
    """U x U: keep-apart pairs between units (inside a unit: on the diagonal)."""
    totals: IntArray
    n: int
    lo_h: int
    hi_h: int
    w_hist: float

    apart_of: dict[int, set[int]]
    """Keep-apart partners (local indices) of every arrival who has any."""

    def levels(
        self, size: IntArray, hosts: IntArray, cnt: IntArray, ss: FloatArray, rep: FloatArray
    ) -> tuple[IntArray, IntArray, IntArray, FloatArray]:
        """(host deviation, size squared, quota deviation, mix) of group states given as arrays: size, hosts,
        counts of the judged values (last axis), squared norm of the feature sum and earlier meetings."""
        return (
            self.host_dev(hosts),
            (size**2).astype(np.int64),
            self.quota_dev(size, cnt),
            self.mix(size, ss, rep),
        )

    def host_dev(self, hosts: IntArray) -> IntArray:
        """Persons outside the floor/ceiling of table hosts per group."""
        out: IntArray = (np.maximum(self.lo_h - hosts, 0) + np.maximum(hosts - self.hi_h, 0)).astype(np.int64)
        return out

    def quota_dev(self, size: IntArray, cnt: IntArray) -> IntArray:
        """Persons outside the floor/ceiling of the fair share of every judged value, per group state."""
        share = size[..., None] * self.totals
        lo = share // max(self.n, 1)
        hi = -((-share) // max(self.n, 1))
        out: IntArray = (np.maximum(lo - cnt, 0) + np.maximum(cnt - hi, 0)).sum(axis=-1).astype(np.int64)
        return out

    def mix(self, size: IntArray, ss: FloatArray, rep: FloatArray | float) -> FloatArray:
        """BSS of a group (squared norm of its feature sum over its size) plus weighted earlier meetings."""
        out: FloatArray = np.where(size > 0, ss / np.maximum(size, 1), 0.0) + self.w_hist * rep
        return out


def _validate(
    participants: Participants,
    seated: Mapping[str, int],
    arrivals: Sequence[str] | None,
    groups: int | None,
    capacity: int | Sequence[int] | None,
    fixed: Mapping[str, int],
    apart: list[tuple[str, str]],
    together: list[tuple[str, list[str]]],
    history_weight: float,
) -> tuple[int, list[str], IntArray]:
    """Check the input; return the number of groups, the arrivals and the capacity per group."""
    index = {pid: i for i, pid in enumerate(participants.ids)}
    problems: list[Problem] = []
    for pid, g in seated.items():
        if pid not in index:
            problems.append(_why(N_("seated person %(id)r is not a participant"), params={"id": pid}))
        elif isinstance(g, bool) or not isinstance(g, int | np.integer) or g < 0:
            problems.append(
                _why(
                    N_("the group of seated person %(id)r must be a group number from 0, not %(group)r"),
                    params={"id": pid, "group": g},
                )
            )
    if groups is not None and (isinstance(groups, bool) or groups < 1):
        problems.append(
            _why(N_("the number of groups must be at least 1, not %(groups)r"), {"groups": groups})
        )
    if problems:
        raise InputError(problems)
    k = int(groups) if groups is not None else (max(int(g) for g in seated.values()) + 1 if seated else 0)
    if k == 0:
        raise InputError(N_("there are no groups to seat anyone in yet; form the groups first"))
    for pid, g in seated.items():
        if int(g) >= k:
            problems.append(
                _why(
                    N_("%(id)r is seated in group %(group)s, but there are %(groups)s groups"),
                    params={"id": pid, "group": int(g) + 1, "groups": k},
                )
            )
    if arrivals is None:
        todo = [pid for pid in participants.ids if pid not in seated]
    else:
        todo = []
        seen: set[str] = set()
        for pid in arrivals:
            if pid not in index:
                problems.append(_why(N_("arrival %(id)r is not a participant"), params={"id": pid}))
            elif pid in seated:
                problems.append(
                    _why(
                        N_("%(id)r is already seated in group %(group)s"),
                        params={"id": pid, "group": int(seated[pid]) + 1},
                    )
                )
            elif pid in seen:
                problems.append(_why(N_("arrival %(id)r is named twice"), params={"id": pid}))
            else:
                seen.add(pid)
                todo.append(pid)
    if capacity is None:
        cap = np.full(k, np.iinfo(np.int32).max, dtype=np.int64)
    elif isinstance(capacity, int | np.integer) and not isinstance(capacity, bool):
        if capacity < 1:
            problems.append(
                _why(
                    N_("the most people per group must be at least 1, not %(capacity)s"),
                    {"capacity": capacity},
                )
            )
        cap = np.full(k, int(capacity), dtype=np.int64)
    else:
        values = list(capacity)  # type: ignore[arg-type]
        if len(values) != k or any(
            isinstance(c, bool) or not isinstance(c, int | np.integer) or c < 0 for c in values
        ):
            problems.append(
                _why(
                    N_("give the most people per group as one number or as %(groups)s numbers of 0 or more"),
                    params={"groups": k},
                )
            )
            values = [0] * k
        cap = np.array(values, dtype=np.int64)
    for pid, g in fixed.items():
        if pid not in index:
            problems.append(_why(N_("pinned person %(id)r is not a participant"), params={"id": pid}))
        elif isinstance(g, bool) or not isinstance(g, int | np.integer) or not 0 <= g < k:
            problems.append(
                _why(
                    N_("%(id)r is pinned to group %(group)s, but there are %(groups)s groups"),
                    params={"id": pid, "group": g + 1 if isinstance(g, int | np.integer) else g, "groups": k},
                )
            )
    for a, b in apart:
        for pid in (a, b):
            if pid not in index:
                problems.append(
                    _why(
                        N_("keep-apart pair (%(a)s, %(b)s) names unknown id %(id)r"),
                        {"a": a, "b": b, "id": pid},
                    )
                )
        if a == b:
            problems.append(
                _why(N_("keep-apart pair (%(a)s, %(b)s) names the same person twice"), {"a": a, "b": b})
            )
    for name, members in together:
        for pid in members:
            if pid not in index:
                problems.append(
                    _why(N_("keep-together set %(set)s names unknown id %(id)r"), {"set": name, "id": pid})
                )
    if not history_weight >= 0:
        problems.append(
            _why(N_("the history weight must be 0 or more, not %(weight)s"), {"weight": history_weight})
        )
    if problems:
        raise InputError(problems)
    return k, todo, cap


def _units(
    ids: list[str],
    group: IntArray,
    arrivals: list[int],
    together: list[tuple[str, list[int]]],
    pins: Mapping[int, int],
) -> list[_Unit]:
    """Arrivals grouped into keep-together units (sets sharing a person are merged), in arrival order."""
    n = len(ids)
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    names: dict[int, list[str]] = {}
    for _, members in together:
        for m in members[1:]:
            ra, rb = find(members[0]), find(m)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    for name, members in together:
        if members:
            names.setdefault(find(members[0]), []).append(name)
    comp: dict[int, list[int]] = {}
    for i in range(n):
        comp.setdefault(find(i), []).append(i)
    units: list[_Unit] = []
    done: set[int] = set()
    for a in arrivals:
        root = find(a)
        if root in done:
            continue
        done.add(root)
        members = [i for i in comp[root] if group[i] < 0]
        members.sort(key=arrivals.index)
        label = ", ".join(names.get(root, []))
        anchors = sorted({int(group[i]) for i in comp[root] if group[i] >= 0})
        pinned = sorted({pins[i] for i in members if i in pins})
        unit = _Unit(members=members, anchor=anchors[0] if anchors else -1, pin=pinned[0] if pinned else -1)
        who = _names([ids[i] for i in members])
        if len(anchors) > 1:
            unit.problem = _why(
                N_(
                    "%(who)s must sit with keep-together set %(set)s, whose members are already seated in "
                    "different groups (%(groups)s)"
                ),
                params={"who": who, "set": label, "groups": ", ".join(str(g + 1) for g in anchors)},
            )
        elif len(pinned) > 1:
            unit.problem = _why(
                N_("keep-together set %(set)s (%(who)s) is pinned to different groups (%(groups)s)"),
                params={"set": label, "who": who, "groups": ", ".join(str(g + 1) for g in pinned)},
            )
        elif anchors and pinned and anchors[0] != pinned[0]:
            unit.problem = _why(
                N_(
                    "%(who)s is pinned to group %(group)s, but keep-together set %(set)s sits in group "
                    "%(anchor)s"
                ),
                params={"who": who, "group": pinned[0] + 1, "set": label, "anchor": anchors[0] + 1},
            )
        units.append(unit)
    return units


def _compile(
    room: Participants,
    group: IntArray,
    units: list[_Unit],
    k: int,
    cap: IntArray,
    apart: list[tuple[int, int]],
    history: list[list[str]],
    history_weight: float,
) -> _Problem:
    n = len(room)
    U = len(units)
    ids = list(room.ids)
    feats = build_features(room, shared_only=n > MAX_EXACT)
    X = feats.X
    quotas = build_quotas(room, with_hosts=False)
    judged = np.flatnonzero(quotas.kind == 0)
    col = np.full(len(quotas.kind), -1, dtype=np.int64)
    col[judged] = np.arange(judged.size)
    Z = np.zeros((n, judged.size), dtype=np.int64)
    for a in range(quotas.codes.shape[1]):
        c = col[quotas.codes[:, a]]
        hit = c >= 0
        Z[np.flatnonzero(hit), c[hit]] += 1
    totals = Z.sum(axis=0)
    host = np.array(room.hosts, dtype=np.int64)
    H = int(host.sum())
    seated = group >= 0
    size = np.bincount(group[seated], minlength=k).astype(np.int64)
    hosts = np.bincount(group[seated], weights=host[seated], minlength=k).astype(np.int64)
    cnt = np.zeros((k, judged.size), dtype=np.int64)
    np.add.at(cnt, group[seated], Z[seated])
    S = np.zeros((k, X.shape[1]))
    np.add.at(S, group[seated], X[seated])
    unit_of = np.full(n, -1, dtype=np.int64)
    for u, unit in enumerate(units):
        unit_of[unit.members] = u
    m = np.array([len(u.members) for u in units], dtype=np.int64)
    hu = np.array([int(host[u.members].sum()) for u in units], dtype=np.int64)
    zu = np.array([Z[u.members].sum(axis=0) for u in units], dtype=np.int64).reshape(U, judged.size)
    xu = np.array([X[u.members].sum(axis=0) for u in units], dtype=np.float64).reshape(U, X.shape[1])

    def pair_tables(pairs: Iterable[tuple[int, int]]) -> tuple[IntArray, IntArray]:
        with_seated = np.zeros((U, k), dtype=np.int64)
        between = np.zeros((U, U), dtype=np.int64)
        for a, b in pairs:
            ua, ub = unit_of[a], unit_of[b]
            if ua >= 0 and ub >= 0:
                between[ua, ub] += 1
                if ua != ub:
                    between[ub, ua] += 1
            elif ua >= 0 and group[b] >= 0:
                with_seated[ua, group[b]] += 1
            elif ub >= 0 and group[a] >= 0:
                with_seated[ub, group[a]] += 1
        return with_seated, between

    index = {pid: i for i, pid in enumerate(ids)}
    met = {(min(a, b), max(a, b)) for a, b in history_pairs(history, index)}
    Hs, Ha = pair_tables(met)
    np.fill_diagonal(Ha, 0)  # meetings inside a unit happen wherever it sits
    apart_set = {(min(a, b), max(a, b)) for a, b in apart}
    As, Aa = pair_tables(apart_set)
    apart_of: dict[int, set[int]] = {}
    for a, b in apart_set:
        apart_of.setdefault(a, set()).add(b)
        apart_of.setdefault(b, set()).add(a)
    free = np.maximum(cap - size, 0)
    allowed = (free[None, :] >= m[:, None]) & (As == 0)
    for u, unit in enumerate(units):
        fixed_to = unit.pin if unit.pin >= 0 else unit.anchor
        if fixed_to >= 0:
            only = np.zeros(k, dtype=bool)
            only[fixed_to] = True
            allowed[u] &= only
        if unit.problem is not None or Aa[u, u] > 0:
            allowed[u] = False
    tss = float((X**2).sum())
    per_pair = history_weight * 2.0 * tss / (max(n - 1, 1) * n / k) if tss > 0 else float(history_weight)
    return _Problem(
        k=k,
        ids=ids,
        units=units,
        group=group,
        free=free,
        cap=cap,
        allowed=allowed,
        size=size,
        hosts=hosts,
        cnt=cnt,
        S=S,
        ss=(S**2).sum(axis=1),
        m=m,
        hu=hu,
        zu=zu,
        xu=xu,
        Hs=Hs.astype(np.float64),
        Ha=Ha.astype(np.float64),
        As=As,
        Aa=Aa,
        totals=totals.astype(np.int64),
        n=n,
        lo_h=H // k,
        hi_h=-(-H // k),
        w_hist=per_pair,
        apart_of=apart_of,
    )


def _lex_first(keys: Sequence[np.ndarray]) -> int:
    """Index of the lexicographically smallest entry (keys given most significant first)."""
    order = np.lexsort(tuple(reversed(keys)))
    return int(order[0])


def _subset_pairs(matrix: np.ndarray, count: int) -> np.ndarray:
    """For every subset, the sum of matrix[u, v] over its pairs u < v."""
    out = np.zeros(1 << count, dtype=matrix.dtype)
    for i in range(count):
        if i:
            out[1 << i : 1 << (i + 1)] = out[: 1 << i] + _subset_table(matrix[i, :i], i)
        else:
            out[1:2] = out[:1]
    return out


def _disjoint_pairs(count: int) -> tuple[IntArray, IntArray]:
    """Every pair (placed, share) of disjoint subsets of ``count`` units (3**count pairs)."""
    placed = np.zeros(1, dtype=np.int64)
    share = np.zeros(1, dtype=np.int64)
    for i in range(count):
        bit = 1 << i
        placed = np.concatenate([placed, placed | bit, placed])
        share = np.concatenate([share, share, share | bit])
    return placed, share


def _feasible_shares(p: _Problem) -> tuple[BoolArray, dict[str, np.ndarray]]:
    """k x 2**U: which subsets of units group g can take (room, where they may sit, no keep-apart pair
    inside), and the subset tables the exact placement needs."""
    U = len(p.units)
    masks = np.arange(1 << U, dtype=np.int64)
    bits = (1 << np.arange(U)).astype(np.int64)
    tables: dict[str, np.ndarray] = {
        "persons": _subset_table(p.m, U),
        "hosts": _subset_table(p.hu, U),
        "cnt": _subset_table(p.zu, U),
        "sums": _subset_table(p.xu, U),
        "hist": _subset_pairs(p.Ha, U),
        "cross": _subset_table(p.Hs, U),
    }
    apart = _subset_pairs(p.Aa, U)
    allowed_bits = (p.allowed * bits[:, None]).sum(axis=0)
    ok = ((masks[None, :] & ~allowed_bits[:, None]) == 0) & (tables["persons"][None, :] <= p.free[:, None])
    ok &= (apart == 0)[None, :]
    return ok, tables


def _exact_work(p: _Problem) -> int:
    """How many (placed, share) pairs the exact placement scores."""
    U = len(p.units)
    if U > EXACT_UNITS:
        return EXACT_WORK + 1
    ok, _ = _feasible_shares(p)
    popcount = np.array([bin(x).count("1") for x in range(1 << U)], dtype=np.int64)
    return int((ok * (1 << (U - popcount))[None, :]).sum())


def _solve_exact(p: _Problem) -> IntArray | None:
    """The best placement of every unit, by dynamic programming over the groups and subsets of units:
    f_g(P) is the best (host, size, quota, mix) of seating the units outside P in groups g, g+1, ...; each
    group's share of the units is any subset it can take, so the result is optimal for the whole objective
    (every level is a sum over groups)."""
    U = len(p.units)
    full = (1 << U) - 1
    ok, t = _feasible_shares(p)
    all_placed, all_share = _disjoint_pairs(U)
    inf = np.iinfo(np.int64).max // 4
    f_ok = np.arange(1 << U) == full
    f_lev = [np.zeros(1 << U, dtype=np.int64) for _ in range(3)]
    f_mix = np.zeros(1 << U)
    choices: list[IntArray] = []
    zero = np.zeros(1)
    active = np.flatnonzero(ok[:, 1:].any(axis=1))  # groups that can take someone; the others change nothing
    for g in active[::-1].tolist():
        subs = np.flatnonzero(ok[g])
        base = p.levels(p.size[g : g + 1], p.hosts[g : g + 1], p.cnt[g : g + 1], p.ss[g : g + 1], zero)
        lev = p.levels(
            p.size[g] + t["persons"][subs],
            p.hosts[g] + t["hosts"][subs],
            p.cnt[g] + t["cnt"][subs],
            ((p.S[g] + t["sums"][subs]) ** 2).sum(axis=1),
            t["hist"][subs] + t["cross"][subs, g],
        )
        d_int = np.zeros((3, 1 << U), dtype=np.int64)
        d_mix = np.zeros(1 << U)
        for i in range(3):
            d_int[i, subs] = lev[i] - base[i][0]
        d_mix[subs] = lev[3] - base[3][0]
        keep = ok[g][all_share]
        P, sub = all_placed[keep], all_share[keep]
        nxt = P | sub
        live = f_ok[nxt]
        P, sub, nxt = P[live], sub[live], nxt[live]
        cand = [d_int[i][sub] + f_lev[i][nxt] for i in range(3)]
        mix = d_mix[sub] + f_mix[nxt]
        order = np.lexsort((mix, cand[2], cand[1], cand[0], P))
        first = np.ones(order.size, dtype=bool)
        first[1:] = P[order][1:] != P[order][:-1]
        best = order[first]
        f_ok = np.zeros(1 << U, dtype=bool)
        f_ok[P[best]] = True
        f_lev = [np.full(1 << U, inf, dtype=np.int64) for _ in range(3)]
        for i in range(3):
            f_lev[i][P[best]] = cand[i][best]
        f_mix = np.full(1 << U, np.inf)
        f_mix[P[best]] = mix[best]
        pick = np.zeros(1 << U, dtype=np.int64)
        pick[P[best]] = sub[best]
        choices.append(pick)
    if not f_ok[0]:
        return None
    choices.reverse()
    assign = np.full(U, -1, dtype=np.int64)
    placed = 0
    for g, choice in zip(active.tolist(), choices, strict=True):
        sub = int(choice[placed])
        for u in range(U):
            if sub >> u & 1:
                assign[u] = g
        placed |= sub
    return assign


MAX_SWAP_UNITS = 300
"""With more units than this the search only moves units (swaps would score units x units states)."""
BLOCK = 2_000_000
"""Cells of the units x groups x values table scored at once when moving units."""


class _Search:
    """Local search over unit positions: move one unit, or swap two units of different groups, always the
    change that helps most, until none helps."""

    def __init__(self, p: _Problem, assign: IntArray) -> None:
        self.p = p
        self.assign = assign.copy()
        self.size = p.size.copy()
        self.hosts = p.hosts.copy()
        self.cnt = p.cnt.copy()
        self.S = p.S.copy()
        np.add.at(self.size, assign, p.m)
        np.add.at(self.hosts, assign, p.hu)
        np.add.at(self.cnt, assign, p.zu)
        np.add.at(self.S, assign, p.xu)
        self.xx = (p.xu**2).sum(axis=1)
        self.XX = p.xu @ p.xu.T

    def run(self, max_steps: int) -> None:
        for _ in range(max_steps):
            if not self.step():
                return

    def clashes(self) -> int:
        a = self.assign
        return int((np.triu(self.p.Aa, 1) * (a[:, None] == a[None, :])).sum())

    def _moves(self, Hm: FloatArray, Am: FloatArray, cur: Levels4) -> tuple[list[np.ndarray], BoolArray]:
        p, a = self.p, self.assign
        U, k = len(a), p.k
        ar = np.arange(U)
        SS = (self.S**2).sum(axis=1)
        leave = p.levels(
            self.size[a] - p.m,
            self.hosts[a] - p.hu,
            self.cnt[a] - p.zu,
            SS[a] - 2.0 * (self.S[a] * p.xu).sum(axis=1) + self.xx,
            np.zeros(U),
        )
        size = self.size[None, :] + p.m[:, None]
        quota = np.empty((U, k), dtype=np.int64)
        step = max(1, BLOCK // max(1, k * p.cnt.shape[1]))
        for lo in range(0, U, step):
            hi = min(U, lo + step)
            quota[lo:hi] = p.quota_dev(size[lo:hi], self.cnt[None, :, :] + p.zu[lo:hi, None, :])
        join_ss = SS[None, :] + 2.0 * (p.xu @ self.S.T) + self.xx[:, None]
        join = [p.host_dev(self.hosts[None, :] + p.hu[:, None]), size**2, quota, p.mix(size, join_ss, 0.0)]
        out = [join[t] - cur[t][None, :] + (leave[t] - cur[t][a])[:, None] for t in range(4)]
        out[3] = out[3] + p.w_hist * (Hm - Hm[ar, a][:, None])
        apart = Am - Am[ar, a][:, None]
        ok = p.allowed & (size <= p.cap[None, :])
        ok[ar, a] = False
        return [apart, *out], ok

    def _swaps(self, Hm: FloatArray, Am: FloatArray, cur: Levels4) -> tuple[list[np.ndarray], BoolArray]:
        p, a = self.p, self.assign
        U = len(a)
        ar = np.arange(U)
        SS = (self.S**2).sum(axis=1)
        SX = self.S @ p.xu.T  # k x U: group sums against unit vectors
        own = SX[a, ar]  # S_{a[u]} . x_u
        # ||S_{a[u]} - x_u + x_v||^2 for every (u, v)
        ss_a = (
            SS[a][:, None]
            + self.xx[:, None]
            + self.xx[None, :]
            - 2.0 * own[:, None]
            + 2.0 * SX[a]
            - 2.0 * self.XX
        )
        ss_b = ss_a.T
        ga, gb = a[:, None], a[None, :]
        s_a = self.size[ga] - p.m[:, None] + p.m[None, :]
        s_b = s_a.T
        h_a = self.hosts[ga] - p.hu[:, None] + p.hu[None, :]
        c_a = self.cnt[a][:, None, :] - p.zu[:, None, :] + p.zu[None, :, :]
        new_a = p.levels(s_a, h_a, c_a, ss_a, np.zeros((U, U)))
        new_b = [x.T for x in new_a]
        # new_b[u, v] is v's group with v replaced by u: the transpose of new_a at (v, u).
        out = [new_a[t] + new_b[t] - cur[t][ga] - cur[t][gb] for t in range(4)]
        del ss_b, s_b
        Hv = Hm[:, a]  # Hv[u, v]: u's earlier meetings with everyone in v's group
        out[3] = out[3] + p.w_hist * ((Hv.T - p.Ha) - Hm[ar, a][:, None] + (Hv - p.Ha) - Hm[ar, a][None, :])
        Av = Am[:, a]
        apart = (Av.T - p.Aa) - Am[ar, a][:, None] + (Av - p.Aa) - Am[ar, a][None, :]
        ok = (ga != gb) & p.allowed[:, a] & p.allowed[:, a].T
        ok &= (s_a <= p.cap[ga]) & (p.cap[gb] >= s_a.T)
        ok &= np.triu(np.ones((U, U), dtype=bool), 1)
        return [apart, *out], ok

    def step(self) -> bool:
        p, a = self.p, self.assign
        U, k = len(a), p.k
        oh = np.zeros((U, k))
        oh[np.arange(U), a] = 1.0
        Hm = p.Hs + p.Ha @ oh  # U x k: earlier meetings with the other units now in each group
        Aa = p.Aa.astype(np.float64)
        np.fill_diagonal(Aa, 0.0)
        Am = p.As + Aa @ oh
        cur = p.levels(self.size, self.hosts, self.cnt, (self.S**2).sum(axis=1), np.zeros(k))
        parts = [self._moves(Hm, Am, cur)]
        if U <= MAX_SWAP_UNITS and U > 1:
            parts.append(self._swaps(Hm, Am, cur))
        cands: list[np.ndarray] = []
        for t in range(5):
            cands.append(np.concatenate([levels[t][ok] for levels, ok in parts]))
        if cands[0].size == 0:
            return False
        ints = [np.rint(c).astype(np.int64) for c in cands[:4]]
        best = _lex_first([*ints, cands[4]])
        tol = 1e-9 * max(1.0, float(np.abs(cands[4]).max()))
        first = next((int(x[best]) for x in ints if int(x[best]) != 0), 0)
        if first > 0 or (first == 0 and float(cands[4][best]) >= -tol):
            return False
        n_moves = int(parts[0][1].sum())
        if best < n_moves:
            u, h = (int(x[best]) for x in np.nonzero(parts[0][1]))
            self._move(u, h)
        else:
            u, v = (int(x[best - n_moves]) for x in np.nonzero(parts[1][1]))
            gu, gv = int(a[u]), int(a[v])
            self._move(u, gv)
            self._move(v, gu)
        return True

    def _move(self, u: int, h: int) -> None:
        p, g = self.p, int(self.assign[u])
        for grp, sign in ((g, -1), (h, 1)):
            self.size[grp] += sign * p.m[u]
            self.hosts[grp] += sign * p.hu[u]
            self.cnt[grp] += sign * p.zu[u]
            self.S[grp] += sign * p.xu[u]
        self.assign[u] = h


def _start(p: _Problem) -> IntArray | None:
    """A first placement: units of several people first (largest first, each where it costs least), then the
    single arrivals jointly by an assignment problem over the free seats (the cost of a seat: that arrival
    alone at that table, the size term counting the arrivals seated there before it)."""
    U, k = len(p.units), p.k
    assign = np.full(U, -1, dtype=np.int64)
    size, free = p.size.copy(), p.free.copy()
    hosts, cnt, S = p.hosts.copy(), p.cnt.copy(), p.S.copy()
    zero = np.zeros(k)
    for u in sorted(np.flatnonzero(p.m > 1).tolist(), key=lambda u: (-int(p.m[u]), u)):
        ok = p.allowed[u] & (free >= p.m[u])
        if not ok.any():
            return None
        cur = p.levels(size, hosts, cnt, (S**2).sum(axis=1), zero)
        new = p.levels(
            size + p.m[u], hosts + p.hu[u], cnt + p.zu[u], ((S + p.xu[u]) ** 2).sum(axis=1), p.Hs[u]
        )
        g = _lex_first([np.where(ok, 0, 1)] + [new[t] - cur[t] for t in range(4)])
        assign[u] = g
        size[g] += p.m[u]
        free[g] -= p.m[u]
        hosts[g] += p.hu[u]
        cnt[g] += p.zu[u]
        S[g] += p.xu[u]
    singles = np.flatnonzero(p.m == 1)
    if singles.size == 0:
        return assign
    ss = (S**2).sum(axis=1)
    cur = p.levels(size, hosts, cnt, ss, zero)
    new_ss = ss[None, :] + 2.0 * (p.xu[singles] @ S.T) + (p.xu[singles] ** 2).sum(axis=1)[:, None]
    host = p.host_dev(hosts[None, :] + p.hu[singles][:, None]) - cur[0][None, :]
    quota = p.quota_dev(size[None, :] + 1, cnt[None, :, :] + p.zu[singles][:, None, :]) - cur[2][None, :]
    mix = p.mix(size[None, :] + 1, new_ss, p.Hs[singles]) - cur[3][None, :]
    seats = np.minimum(free, singles.size)
    if int(seats.sum()) < singles.size:
        return None
    cols = np.repeat(np.arange(k), seats)
    rank = np.arange(cols.size) - np.repeat(np.cumsum(seats) - seats, seats)
    # One number per seat: each level weighted to outweigh every change of the levels after it.
    size_cost = 2.0 * (size[cols] + rank) + 1.0
    w_quota = 2.0 * float(np.abs(mix).max(initial=0.0)) + 1.0
    w_size = w_quota * (2.0 * float(np.abs(quota).max(initial=0)) + 1.0)
    w_host = w_size * (2.0 * float(size_cost.max(initial=0.0)) + 1.0)
    cost = w_host * host[:, cols] + w_size * size_cost[None, :] + w_quota * quota[:, cols] + mix[:, cols]
    cost = np.where(p.allowed[singles][:, cols], cost, np.inf)
    from scipy.optimize import linear_sum_assignment  # imported here: it takes a second to load

    try:
        rows, picked = linear_sum_assignment(cost)
    except ValueError:  # no assignment of finite cost
        return None
    if len(rows) < singles.size or not np.isfinite(cost[rows, picked]).all():
        return None
    assign[singles[rows]] = cols[picked]
    return assign


def _hall(p: _Problem) -> list[int]:
    """Units that need more seats than the groups they may sit in have free between them (from a minimum cut
    of the seat flow), or [] when the seats suffice in number."""
    U, k = len(p.units), p.k
    need = int(p.m.sum())
    if U == 0:
        return []
    # Nodes: source 0, units 1..U, groups U+1..U+k, sink U+k+1.
    us, gs = np.nonzero(p.allowed)
    rows = np.concatenate([np.zeros(U, dtype=np.int64), 1 + us, 1 + U + np.arange(k)])
    cols = np.concatenate([1 + np.arange(U), 1 + U + gs, np.full(k, 1 + U + k)])
    caps = np.concatenate([p.m, np.full(us.size, need + 1), np.minimum(p.free, need)])
    nodes = U + k + 2
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    graph = csr_matrix((caps.astype(np.int32), (rows, cols)), shape=(nodes, nodes))
    flow = maximum_flow(graph, 0, nodes - 1)
    if flow.flow_value >= need:
        return []
    residual = (graph - flow.flow).tocsr()
    seen = np.zeros(nodes, dtype=bool)
    seen[0] = True
    stack = [0]
    while stack:
        x = stack.pop()
        lo, hi = residual.indptr[x], residual.indptr[x + 1]
        for y in residual.indices[lo:hi][residual.data[lo:hi] > 0].tolist():
            if not seen[y]:
                seen[y] = True
                stack.append(y)
    return [u for u in range(U) if seen[1 + u]]


def _who(p: _Problem, units: Iterable[int]) -> str:
    return _names([p.ids[i] for u in units for i in p.units[u].members])


def _apart_names(p: _Problem, u: int, g: int) -> str:
    partners = set().union(*(p.apart_of.get(i, set()) for i in p.units[u].members))
    return ", ".join(p.ids[i] for i in sorted(partners) if p.group[i] == g)


def _unit_reason(p: _Problem, u: int) -> Problem:
    """Why unit u has no group it may sit in at all."""
    unit = p.units[u]
    if unit.problem is not None:
        return unit.problem
    who = _who(p, [u])
    if p.Aa[u, u] > 0:
        return _why(
            N_("%(who)s must be kept together, but some of them must also be kept apart"), {"who": who}
        )
    target = unit.pin if unit.pin >= 0 else unit.anchor
    if target >= 0:
        params = {
            "who": who,
            "group": target + 1,
            "size": int(p.size[target]),
            "capacity": int(p.cap[target]),
        }
        if p.free[target] < p.m[u]:
            if unit.pin >= 0:
                return _why(
                    N_(
                        "%(who)s is pinned to group %(group)s, which is full (%(size)s people, "
                        "at most %(capacity)s)"
                    ),
                    params,
                )
            return _why(
                N_(
                    "%(who)s must sit with their keep-together set in group %(group)s, which is full "
                    "(%(size)s people, at most %(capacity)s)"
                ),
                params,
            )
        params["others"] = _apart_names(p, u, target)
        if unit.pin >= 0:
            return _why(
                N_(
                    "%(who)s is pinned to group %(group)s, where %(others)s sits, and they must be kept apart"
                ),
                params,
            )
        return _why(
            N_(
                "%(who)s must sit with their keep-together set in group %(group)s, where %(others)s "
                "sits, and they must be kept apart"
            ),
            params,
        )
    room = [g for g in range(p.k) if p.free[g] >= p.m[u]]
    if not room:
        if p.m[u] > 1:
            return _why(
                N_("no group has %(count)s free seats for keep-together set %(who)s"),
                {"count": int(p.m[u]), "who": who},
            )
        return _why(N_("there is no free seat for %(who)s: every group is full"), {"who": who})
    return _why(
        N_(
            "%(who)s cannot be seated: every group with room (%(groups)s) holds someone they must be "
            "kept apart from (%(others)s)"
        ),
        {
            "who": who,
            "groups": ", ".join(str(g + 1) for g in room),
            "others": "; ".join(f"{g + 1}: {_apart_names(p, u, g)}" for g in room),
        },
    )


def _hall_reason(p: _Problem, units: list[int]) -> Problem:
    groups = sorted({int(g) for u in units for g in np.flatnonzero(p.allowed[u])})
    seats = int(p.free[groups].sum()) if groups else 0
    need = int(p.m[units].sum())
    if set(groups) >= set(np.flatnonzero(p.free > 0).tolist()):
        return _why(
            N_("%(count)s people need a seat (%(who)s) but only %(free)s seats are free"),
            {"count": need, "who": _who(p, units), "free": int(p.free.sum())},
        )
    return _why(
        N_(
            "%(who)s may only sit in group(s) %(groups)s, where %(free)s of the %(count)s seats they need "
            "are free"
        ),
        {
            "who": _who(p, units),
            "groups": ", ".join(str(g + 1) for g in groups),
            "free": seats,
            "count": need,
        },
    )


def _window(p: _Problem, assign: IntArray, w: IntArray) -> _Problem:
    """The placement problem of the units in ``w`` with every other unit seated where ``assign`` put it; the
    window's units may go to the groups they sit in now and to each one's ``ALTERNATIVES`` best other groups
    (each alone, by the objective's levels), which keeps the exact step small when there are many groups."""
    others = np.setdiff1d(np.arange(len(p.units)), w)
    oh = np.zeros((others.size, p.k))
    oh[np.arange(others.size), assign[others]] = 1.0
    size, hosts, cnt, S = p.size.copy(), p.hosts.copy(), p.cnt.copy(), p.S.copy()
    np.add.at(size, assign[others], p.m[others])
    np.add.at(hosts, assign[others], p.hu[others])
    np.add.at(cnt, assign[others], p.zu[others])
    np.add.at(S, assign[others], p.xu[others])
    As = p.As[w] + np.rint(p.Aa[np.ix_(w, others)] @ oh).astype(np.int64)
    free = np.maximum(p.cap - size, 0)
    allowed = p.allowed[w] & (As == 0) & (free[None, :] >= p.m[w][:, None])
    if p.k > len(w) * (ALTERNATIVES + 1):
        ss = (S**2).sum(axis=1)
        cur = p.levels(size, hosts, cnt, ss, np.zeros(p.k))
        new = p.levels(
            size[None, :] + p.m[w][:, None],
            hosts[None, :] + p.hu[w][:, None],
            cnt[None, :, :] + p.zu[w][:, None, :],
            ss[None, :] + 2.0 * (p.xu[w] @ S.T) + (p.xu[w] ** 2).sum(axis=1)[:, None],
            p.Hs[w],
        )
        near = np.zeros_like(allowed)
        near[np.arange(len(w)), assign[w]] = True
        for row in range(len(w)):
            keys = [~allowed[row]] + [new[t][row] - cur[t] for t in range(4)]
            near[row, np.lexsort(tuple(reversed(keys)))[:ALTERNATIVES]] = True
        allowed &= near
    return dataclasses.replace(
        p,
        units=[p.units[int(u)] for u in w],
        free=free,
        allowed=allowed,
        size=size,
        hosts=hosts,
        cnt=cnt,
        S=S,
        ss=(S**2).sum(axis=1),
        m=p.m[w],
        hu=p.hu[w],
        zu=p.zu[w],
        xu=p.xu[w],
        Hs=p.Hs[w] + p.Ha[np.ix_(w, others)] @ oh,
        Ha=p.Ha[np.ix_(w, w)],
        As=As,
        Aa=p.Aa[np.ix_(w, w)],
    )


WINDOW = 8
"""Units re-placed together, exactly, in each step of the large-neighbourhood polish."""
ALTERNATIVES = 4
"""Groups besides its own that a unit of a window may move to in the exact step."""


def _polish(p: _Problem, assign: IntArray, passes: int) -> IntArray:
    """Large-neighbourhood search: re-place windows of a few units exactly (the others stay where they are),
    windows drawn from a fixed seed so that the result is deterministic."""
    U = len(p.units)
    rng = np.random.default_rng(0)
    assign = assign.copy()
    width = min(U, WINDOW)
    for _ in range(passes):
        before = assign.copy()
        order = rng.permutation(U)
        for first in range(0, U, max(1, width // 2)):
            w = np.sort(np.take(order, np.arange(first, first + width), mode="wrap"))
            sub = _window(p, assign, w)
            if _exact_work(sub) > EXACT_WORK:
                continue
            best = _solve_exact(sub)
            if best is not None:
                assign[w] = best
        if (assign == before).all():
            break
    return assign


def _solve(p: _Problem, exact: bool | None) -> tuple[IntArray | None, bool]:
    """(unit -> group or None when no placement keeps the arrivals apart as asked, proven optimal)."""
    U = len(p.units)
    if U == 0:
        return np.zeros(0, dtype=np.int64), True
    work = _exact_work(p)
    if exact is True and work > EXACT_WORK:
        raise InputError(
            N_("an exact placement is offered for up to %(units)s arrivals at once, not %(count)s"),
            params={"units": EXACT_UNITS, "count": U},
        )
    if exact is not False and work <= EXACT_WORK:
        return _solve_exact(p), True
    start = _start(p)
    if start is None:
        return None, False
    search = _Search(p, start)
    search.run(max_steps=20 * U + 200)
    if not search.clashes():
        search = _Search(p, _polish(p, search.assign, passes=6))
        search.run(max_steps=20 * U + 200)
    if search.clashes():
        return None, False
    return search.assign, False


def _failure_reason(p: _Problem) -> tuple[Problem, int]:
    """Why the arrivals cannot be seated together although each has a place and the seats suffice: keep-apart
    pairs of arrivals or keep-together sets that do not fit the free seats; and the latest unit concerned."""
    pairs = [(u, v) for u in range(len(p.units)) for v in range(u + 1, len(p.units)) if p.Aa[u, v] > 0]
    if pairs:
        text = "; ".join(f"{_who(p, [u])} and {_who(p, [v])}" for u, v in pairs[:20])
        return (
            _why(N_("the free seats do not allow keeping these arrivals apart: %(pairs)s"), {"pairs": text}),
            max(v for _, v in pairs),
        )
    sets = [u for u in range(len(p.units)) if p.m[u] > 1]
    return (
        _why(
            N_("the keep-together sets %(who)s do not fit in the free seats together"),
            {"who": "; ".join(_who(p, [u]) for u in sets)},
        ),
        max(sets, default=len(p.units) - 1),
    )


def _merged(problems: list[Problem]) -> list[Problem]:
    """One problem for every reason that differs only in who it is about (``who`` joined)."""
    out: dict[tuple[str, tuple[tuple[str, str], ...]], Problem] = {}
    for problem in problems:
        key = (problem.template, tuple(sorted((k, repr(v)) for k, v in problem.params.items() if k != "who")))
        if key in out and "who" in problem.params:
            first = out[key]
            out[key] = _why(
                first.template, {**first.params, "who": f"{first.params['who']}, {problem.params['who']}"}
            )
        else:
            out.setdefault(key, problem)
    return list(out.values())


def place_arrivals(
    participants: Participants,
    seated: Mapping[str, int],
    arrivals: Sequence[str] | None = None,
    *,
    groups: int | None = None,
    capacity: int | Sequence[int] | None = None,
    apart: Iterable[tuple[str, str]] = (),
    together: Mapping[str, Sequence[str]] | Iterable[Sequence[str]] = (),
    fixed: Mapping[str, int] | None = None,
    history: Iterable[Iterable[str]] = (),
    history_weight: float = 1.0,
    partial: bool = False,
    exact: bool | None = None,
) -> Placement:
    """Seat late arrivals in locked groups, each where the mix suffers least; nobody seated moves.

    ``participants`` holds everyone the engine may need (at least the seated people and the arrivals; others
    are ignored); ``seated`` maps the id of every seated person to their 0-based group; ``arrivals`` are the
    ids to seat, in order of arrival (default: every participant not seated). ``groups`` is the number of
    groups (default: the highest seated group + 1), ``capacity`` the most people a group may hold (one number
    or one per group; default: no limit). ``apart`` pairs never share a group, an arrival in a ``together``
    set joins its seated members (arrivals of one set sit together), ``fixed`` pins an arrival to a group,
    ``history`` (earlier groups) makes meeting again cost ``history_weight`` as in :func:`form_groups`.

    Minimises, in this order: keep-apart clashes, table hosts outside the floor/ceiling of hosts per group,
    the sum of squared group sizes, the floor/ceiling rule of every categorical value, the mix (BSS) plus
    weighted repeat meetings. Up to ``EXACT_UNITS`` arrivals (keep-together sets count once) are placed
    exactly (``exact`` forces or forbids it). Deterministic. When some arrival has no legal seat it raises
    :class:`SeatingError` naming each reason, or with ``partial=True`` seats everyone it can (first come,
    first seated) and lists the rest with their reasons in ``unplaced``.
    """
    start_time = time.perf_counter()
    pins = dict(fixed or {})
    apart_pairs = [(str(a), str(b)) for a, b in apart]
    sets = together.items() if isinstance(together, Mapping) else enumerate(together, start=1)
    together_sets = [(str(name), [str(pid) for pid in members]) for name, members in sets]
    history_groups = [list(g) for g in history]
    k, todo, cap = _validate(
        participants, seated, arrivals, groups, capacity, pins, apart_pairs, together_sets, history_weight
    )
    index = {pid: i for i, pid in enumerate(participants.ids)}
    unplaced: list[Unseated] = []
    active = list(todo)
    while True:
        present = sorted({index[pid] for pid in seated} | {index[pid] for pid in active})
        room = participants.subset(present)
        local = {pid: i for i, pid in enumerate(room.ids)}
        group = np.full(len(present), -1, dtype=np.int64)
        for pid, g in seated.items():
            group[local[pid]] = int(g)
        arrivals_local = [local[pid] for pid in active]
        units = _units(
            list(room.ids),
            group,
            arrivals_local,
            [(name, [local[pid] for pid in members if pid in local]) for name, members in together_sets],
            {local[pid]: int(g) for pid, g in pins.items() if pid in local and group[local[pid]] < 0},
        )
        apart_local = [(local[a], local[b]) for a, b in apart_pairs if a in local and b in local]
        p = _compile(room, group, units, k, cap, apart_local, history_groups, history_weight)
        reasons: list[tuple[list[int], Problem]] = [
            ([u], _unit_reason(p, u)) for u in range(len(units)) if not p.allowed[u].any()
        ]
        if not reasons:
            short = _hall(p)
            if short:
                latest = max(short)
                reasons.append(([latest] if partial else short, _hall_reason(p, short)))
        assign: IntArray | None = None
        optimal = False
        if not reasons:
            assign, optimal = _solve(p, exact)
            if assign is None:
                problem, latest = _failure_reason(p)
                reasons.append(([latest], problem))
        if assign is not None:
            break
        if not partial:
            raise SeatingError(_merged([problem for _, problem in reasons]))
        dropped = {p.ids[i] for us, _ in reasons for u in us for i in units[u].members}
        for us, problem in reasons:
            for u in us:
                unplaced.extend(Unseated(p.ids[i], problem) for i in units[u].members)
        active = [pid for pid in active if pid not in dropped]
    final = group.copy()
    for u, unit in enumerate(units):
        final[unit.members] = assign[u]
    order = {pid: i for i, pid in enumerate(todo)}
    placed = {pid: int(final[local[pid]]) for pid in active}
    sizes = np.bincount(final, minlength=k)
    host = np.array(room.hosts, dtype=np.int64)
    host_counts = np.bincount(final, weights=host, minlength=k).astype(np.int64)
    return Placement(
        placed=placed,
        unplaced=tuple(sorted(unplaced, key=lambda x: order[x.id])),
        sizes=tuple(int(s) for s in sizes),
        metrics=evaluate(room, final.tolist(), history=history_groups),
        host_deviation=int(p.host_dev(host_counts).sum()),
        optimal=optimal,
        seconds=time.perf_counter() - start_time,
    )

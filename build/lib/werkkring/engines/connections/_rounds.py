"""Introduction rounds (coffee roulette): pair the members who opted in, with value and novelty."""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from werkkring.engines.connections._profiles import FREQUENCY_PERIOD, MemberProfile, validate_profiles
from werkkring.errors import InputError, Problem


@dataclass(frozen=True)
class Introduction:
    """A past introduction: ``a`` and ``b`` met in round ``round_no``."""

    a: str
    b: str
    round_no: int


def takes_part(profile: MemberProfile, round_no: int) -> bool:
    """Whether a member is in round ``round_no``: opted in, and it is one of their rounds.

    Weekly members are in every round, biweekly members every 2nd round, monthly members every 4th; the
    phase comes from a stable hash of the id, so not all biweekly members skip the same weeks.
    """
    if not profile.opt_in:
        return False
    period = FREQUENCY_PERIOD[profile.frequency]
    phase = zlib.crc32(profile.id.encode("utf-8")) % period
    return round_no % period == phase


def introduction_round(
    profiles: Sequence[MemberProfile],
    history: Iterable[Introduction] = (),
    *,
    round_no: int,
    no_repeat_within: int = 26,
    within_circles: bool = False,
    values: NDArray[np.floating] | None = None,
    candidates: int = 15,
    seed: int = 0,
) -> list[tuple[str, ...]]:
    """The introductions of round ``round_no``: pairs, plus one trio when a pool has an odd count.

    Everyone taking part (see :func:`takes_part`) is placed. Two members who met fewer than
    ``no_repeat_within`` rounds ago are only put together when no other arrangement places everyone
    (never in practice with more than a handful of members). Among the arrangements, a maximum-weight
    matching picks the one with most value: ``values[i, j]`` (e.g. how well their needs and offers meet,
    from :func:`pair_values`; none means all equal), a bonus for never having met, a bonus for crossing
    circles, and a small seeded jitter so that equal rounds still differ. With ``within_circles`` each
    circle is a pool of its own (members without a circle form one pool). Large pools are matched on a
    sparse graph: each member's ``candidates`` best partners plus as many random ones.
    """
    validate_profiles(profiles)
    if no_repeat_within < 0:
        raise InputError(f"no_repeat_within must be zero or more, got {no_repeat_within}")
    index = {p.id: i for i, p in enumerate(profiles)}
    last_met: dict[tuple[int, int], int] = {}
    problems = []
    for intro in history:
        if intro.a not in index or intro.b not in index:
            continue  # members who left; their history no longer matters
        if intro.round_no > round_no:
            problems.append(
                Problem(f"introduction {intro.a}-{intro.b} is in round {intro.round_no}, after {round_no}")
            )
            continue
        key = _key(index[intro.a], index[intro.b])
        last_met[key] = max(last_met.get(key, intro.round_no), intro.round_no)
    if problems:
        raise InputError(problems)
    if values is not None and values.shape != (len(profiles), len(profiles)):
        raise InputError(f"values must be {len(profiles)} x {len(profiles)}, got {values.shape}")
    rng = random.Random(f"{seed}:{round_no}")
    pools: dict[str | None, list[int]] = {}
    for i, p in enumerate(profiles):
        if takes_part(p, round_no):
            pools.setdefault(p.circle if within_circles else None, []).append(i)
    groups: list[tuple[str, ...]] = []
    for circle in sorted(pools, key=lambda c: (c is not None, c or "")):
        members = pools[circle]
        if len(members) < 2:
            continue  # a pool of one has nobody to meet
        for group in _pool_round(
            profiles, members, last_met, round_no, no_repeat_within, values, candidates, rng
        ):
            groups.append(tuple(profiles[i].id for i in group))
    return groups


def _key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _pool_round(
    profiles: Sequence[MemberProfile],
    members: list[int],
    last_met: dict[tuple[int, int], int],
    round_no: int,
    no_repeat_within: int,
    values: NDArray[np.floating] | None,
    candidates: int,
    rng: random.Random,
) -> list[tuple[int, ...]]:
    n = len(members)
    # Weights are lexicographic: an allowed pair always beats a repeat, whatever the value.
    big = 10.0 * n

    def weight(a: int, b: int) -> float:
        met = last_met.get(_key(a, b))
        value = float(values[a, b]) if values is not None else 0.0
        w = max(value, 0.0) + 0.05 * rng.random()
        if met is None:
            w += 1.0
        if profiles[a].circle != profiles[b].circle:
            w += 0.25
        if met is not None and round_no - met < no_repeat_within:
            return 1.0 + (round_no - met) / (no_repeat_within + 1)
        return big + w

    graph = nx.Graph()
    graph.add_nodes_from(members)
    if n <= 2 * candidates + 1:
        for x, a in enumerate(members):
            for b in members[x + 1 :]:
                graph.add_edge(a, b, weight=weight(a, b))
    else:
        for a in members:
            scored = sorted(((weight(a, b), b) for b in members if b != a), reverse=True)
            for w, b in scored[:candidates]:
                graph.add_edge(a, b, weight=w)
            for b in rng.sample(members, min(n, candidates)):
                if b != a:
                    graph.add_edge(a, b, weight=weight(a, b))
    matching = nx.max_weight_matching(graph, maxcardinality=True)
    groups: list[list[int]] = [sorted(pair) for pair in matching]
    matched = {m for pair in groups for m in pair}
    for loose in sorted(set(members) - matched):
        # The odd one out (or, rarely, someone the sparse graph could not place) joins the best pair.
        if groups:
            best = max(range(len(groups)), key=lambda g: sum(weight(loose, m) for m in groups[g]))
            groups[best].append(loose)
        else:
            groups.append([loose])
    groups.sort(key=lambda g: min(g))
    return [tuple(g) for g in groups]

"""Listening-ear buddies: a member who asks for a listening ear is matched, in confidence, to a volunteer.

Contract with the app: the engine only returns the pairing. The app must show a pairing to exactly two
members (the requester and the listener), never list it, log it in an audit trail visible to others,
or use it as a signal elsewhere (not in matching, not in statistics by name).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from werkkring.errors import InputError, Problem


@dataclass(frozen=True)
class Listener:
    """A member who volunteers as a listening ear; ``capacity`` is how many people they can take on."""

    id: str
    circle: str | None = None
    languages: tuple[str, ...] = ()
    age: int | None = None
    capacity: int = 1


@dataclass(frozen=True)
class ListenerRequest:
    """A member asking for a listening ear, with their wishes.

    ``outside_circle``: the listener must not be from my circle. ``age_range``: inclusive (min, max) of the
    listener's age (a listener who did not give an age is then not eligible). ``languages``: languages I
    can talk in (any shared one will do; empty means no wish). ``previous``: a listener I had before and
    would like again (preferred, not required).
    """

    id: str
    circle: str | None = None
    languages: tuple[str, ...] = ()
    outside_circle: bool = True
    age_range: tuple[int, int] | None = None
    previous: str | None = None


@dataclass(frozen=True)
class ListenerPairs:
    """The confidential pairings (requester id, listener id) and the requesters still waiting."""

    pairs: tuple[tuple[str, str], ...]
    waiting: tuple[str, ...]


def eligible(request: ListenerRequest, listener: Listener) -> bool:
    """Whether ``listener`` satisfies every hard wish of ``request``."""
    if listener.id == request.id:
        return False
    if request.outside_circle and request.circle is not None and listener.circle == request.circle:
        return False
    if request.languages and listener.languages and not set(request.languages) & set(listener.languages):
        return False
    if request.age_range is not None:
        low, high = request.age_range
        if listener.age is None or not low <= listener.age <= high:
            return False
    return True


def pair_listeners(requests: Sequence[ListenerRequest], listeners: Sequence[Listener]) -> ListenerPairs:
    """Serve as many requests as the listeners' capacity allows, within every hard wish; among those,
    prefer the previous listener, a shared language, and spreading the load (deterministic)."""
    problems = []
    seen: set[str] = set()
    for r in requests:
        if r.id in seen:
            problems.append(Problem(f"member {r.id!r} asks for a listening ear twice", field="id"))
        seen.add(r.id)
        if r.age_range is not None and r.age_range[0] > r.age_range[1]:
            problems.append(Problem(f"member {r.id!r}: age range {r.age_range} is empty", field="age_range"))
    listener_ids = [v.id for v in listeners]
    if len(set(listener_ids)) != len(listener_ids):
        problems.append(Problem("a listener is listed twice", field="id"))
    for v in listeners:
        if v.capacity < 0:
            problems.append(Problem(f"listener {v.id!r}: capacity must be zero or more", field="capacity"))
    if problems:
        raise InputError(problems)
    slots = [(k, v) for k, v in enumerate(listeners) for _ in range(v.capacity)]
    if not requests or not slots:
        return ListenerPairs((), tuple(r.id for r in requests))
    big = 10.0 * (len(requests) + 1)
    cost = np.full((len(requests), len(slots)), big * 10)
    for i, r in enumerate(requests):
        for s, (k, v) in enumerate(slots):
            if not eligible(r, v):
                continue
            slot_number = s - next(t for t, (kk, _) in enumerate(slots) if kk == k)
            c = 1.0 + 0.1 * slot_number  # later slots of one listener cost more: spread the load
            if r.previous == v.id:
                c -= 0.5
            if r.languages and v.languages and r.languages[0] in v.languages:
                c -= 0.2
            cost[i, s] = c
    rows, cols = linear_sum_assignment(cost)
    pairs = []
    served: set[int] = set()
    for i, s in zip(rows, cols, strict=True):
        if cost[i, s] < big:
            pairs.append((requests[i].id, slots[s][1].id))
            served.add(int(i))
    waiting = tuple(r.id for i, r in enumerate(requests) if i not in served)
    return ListenerPairs(tuple(sorted(pairs)), waiting)

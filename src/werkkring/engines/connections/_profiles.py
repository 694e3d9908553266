"""The inputs and results of the connections engine, and the up-front checks on them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from werkkring.errors import InputError, Problem

Frequency = Literal["weekly", "biweekly", "monthly"]
FREQUENCIES: tuple[Frequency, ...] = ("weekly", "biweekly", "monthly")
# How many introduction rounds lie between two rounds a member takes part in (rounds are weekly).
FREQUENCY_PERIOD: dict[str, int] = {"weekly": 1, "biweekly": 2, "monthly": 4}


@dataclass(frozen=True)
class MemberProfile:
    """What a member offers and needs, and how they want to be connected.

    ``needs`` and ``offers`` are short free texts (Dutch or English), one per need or offer. ``opt_in`` False
    means: never suggest me to others and leave me out of introduction rounds (I still get my own
    suggestions and may search). ``frequency`` is how often the member takes part in introduction rounds.
    """

    id: str
    needs: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    circle: str | None = None
    opt_in: bool = True
    frequency: Frequency = "weekly"


@dataclass(frozen=True)
class Match:
    """One suggestion: member ``id`` could help; ``why`` says so in plain language."""

    id: str
    score: float
    why: str
    need: str = ""
    offer: str = ""
    shared: tuple[str, ...] = ()
    reciprocal: bool = False


@dataclass(frozen=True)
class MemberMatches:
    """The suggestions for one member, best first."""

    id: str
    matches: tuple[Match, ...]


@dataclass(frozen=True)
class SearchHit:
    """A member whose offer (or profile) answers a free-text question, with the text that matched."""

    id: str
    score: float
    snippet: str
    field: Literal["offer", "tag", "need"]
    text: str = ""
    """The whole text that matched (the snippet is its marked-up excerpt)."""


@dataclass(frozen=True)
class Exclusions:
    """Pairs the engine must not suggest, because the two already know each other or should not meet.

    ``known``: pairs that know each other (KNOWN.csv, past introductions). ``groups``: breakout groups of
    recent work sessions; members who sat together are not suggested to each other. Members of the same
    circle are left out when that circle has at most ``small_circle`` members (0 turns this off): in a
    small circle everyone knows everyone already.
    """

    known: frozenset[frozenset[str]] = frozenset()
    groups: tuple[tuple[str, ...], ...] = ()
    small_circle: int = 12

    @staticmethod
    def of(
        known: Iterable[Sequence[str]] = (),
        groups: Iterable[Sequence[str]] = (),
        small_circle: int = 12,
    ) -> Exclusions:
        return Exclusions(
            known=frozenset(frozenset(pair) for pair in known if len(set(pair)) >= 2),
            groups=tuple(tuple(g) for g in groups),
            small_circle=small_circle,
        )


def excluded_pairs(profiles: Sequence[MemberProfile], exclusions: Exclusions) -> set[frozenset[str]]:
    """Every pair of ids the exclusions rule out (known pairs, shared breakout group, same small circle)."""
    pairs: set[frozenset[str]] = set(exclusions.known)
    for group in exclusions.groups:
        members = sorted(set(group))
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pairs.add(frozenset((a, b)))
    if exclusions.small_circle > 0:
        circles: dict[str, list[str]] = {}
        for p in profiles:
            if p.circle:
                circles.setdefault(p.circle, []).append(p.id)
        for ids in circles.values():
            if len(ids) <= exclusions.small_circle:
                for i, a in enumerate(ids):
                    for b in ids[i + 1 :]:
                        pairs.add(frozenset((a, b)))
    return pairs


def validate_profiles(profiles: Sequence[MemberProfile]) -> None:
    """Unique non-empty ids, texts that are strings, a known frequency; every problem reported at once."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, p in enumerate(profiles):
        where = f"profile {index + 1}"
        if not isinstance(p.id, str) or not p.id.strip():
            problems.append(Problem(f"{where}: id must be a non-empty string", field="id"))
            continue
        if p.id in seen:
            problems.append(
                Problem(
                    f"duplicate member id {p.id!r} (profiles {seen[p.id] + 1} and {index + 1})", field="id"
                )
            )
        seen.setdefault(p.id, index)
        for name in ("needs", "offers", "tags"):
            values = getattr(p, name)
            if not isinstance(values, tuple) or not all(isinstance(v, str) for v in values):
                problems.append(Problem(f"member {p.id!r}: {name} must be a tuple of strings", field=name))
        if p.frequency not in FREQUENCIES:
            problems.append(
                Problem(
                    f"member {p.id!r}: frequency {p.frequency!r} is not one of {', '.join(FREQUENCIES)}",
                    field="frequency",
                )
            )
    if problems:
        raise InputError(problems)

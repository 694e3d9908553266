"""The engine's inputs and results: plain, typed, column-oriented data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from werkkring.errors import ConstraintError, InputError, Problem, Translate


@dataclass(frozen=True)
class Participants:
    """The people to group, one entry per person in every column, in the same order as ``ids``.

    ``numeric`` holds numbers (``None`` for unknown), ``categorical`` holds values (``None`` for unknown),
    ``tags`` holds sets of tags (empty for none) and ``roles`` an optional role per person; only the role
    ``"host"`` means something to the engine (hosts are spread over the groups).
    """

    ids: Sequence[str]
    numeric: Mapping[str, Sequence[float | None]] = field(default_factory=dict)
    categorical: Mapping[str, Sequence[str | None]] = field(default_factory=dict)
    tags: Mapping[str, Sequence[frozenset[str]]] = field(default_factory=dict)
    roles: Sequence[str | None] | None = None

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        n = len(self.ids)
        seen: dict[str, int] = {}
        for index, pid in enumerate(self.ids):
            if not isinstance(pid, str) or not pid.strip():
                problems.append(Problem(f"participant #{index + 1} has an empty id", field="id"))
            elif pid in seen:
                problems.append(
                    Problem(
                        f"duplicate id {pid!r} (participants #{seen[pid] + 1} and #{index + 1})", field="id"
                    )
                )
            else:
                seen[pid] = index
        columns: list[tuple[str, int]] = [(name, len(values)) for name, values in self.numeric.items()]
        columns += [(name, len(values)) for name, values in self.categorical.items()]
        columns += [(name, len(values)) for name, values in self.tags.items()]
        if self.roles is not None:
            columns.append(("role", len(self.roles)))
        for name, length in columns:
            if length != n:
                problems.append(Problem(f"has {length} values for {n} participants", field=name))
        names = [name for name, _ in columns]
        for name in sorted({name for name in names if names.count(name) > 1}):
            problems.append(Problem("is given as more than one kind of attribute", field=name))
        if problems:
            raise InputError(problems)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_records(
        cls,
        records: Sequence[Mapping[str, object]],
        *,
        id_key: str = "id",
        numeric: Sequence[str] = (),
        categorical: Sequence[str] = (),
        tags: Sequence[str] = (),
        role_key: str | None = None,
    ) -> Participants:
        """Participants from one mapping per person (e.g. members with tenure band, age, region, circle).

        Missing keys and ``None`` are unknown; a tag value may be an iterable of tags or a ``;``-separated
        string.
        """
        problems: list[Problem] = []

        def number(record: Mapping[str, object], key: str, row: int) -> float | None:
            value = record.get(key)
            if value is None or value == "":
                return None
            try:
                return float(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                problems.append(Problem(f"record #{row + 1}: {value!r} is not a number", field=key))
                return None

        def tagset(value: object) -> frozenset[str]:
            if value is None:
                return frozenset()
            if isinstance(value, str):
                return frozenset(t.strip() for t in value.split(";") if t.strip())
            if isinstance(value, Iterable):
                return frozenset(str(t) for t in value)
            return frozenset({str(value)})

        ids = [str(r.get(id_key, "")) for r in records]
        nums = {k: [number(r, k, i) for i, r in enumerate(records)] for k in numeric}
        cats: dict[str, list[str | None]] = {
            k: [None if r.get(k) in (None, "") else str(r.get(k)) for r in records] for k in categorical
        }
        tag_sets = {k: [tagset(r.get(k)) for r in records] for k in tags}
        if problems:
            raise InputError(problems)
        roles: list[str | None] | None = None
        if role_key is not None:
            roles = [None if r.get(role_key) is None else str(r.get(role_key)) for r in records]
        return cls(ids=ids, numeric=nums, categorical=cats, tags=tag_sets, roles=roles)

    def subset(self, indices: Sequence[int]) -> Participants:
        """The same columns for the people at ``indices`` (in that order)."""
        rows = list(indices)
        return Participants(
            ids=[self.ids[i] for i in rows],
            numeric={k: [v[i] for i in rows] for k, v in self.numeric.items()},
            categorical={k: [v[i] for i in rows] for k, v in self.categorical.items()},
            tags={k: [v[i] for i in rows] for k, v in self.tags.items()},
            roles=None if self.roles is None else [self.roles[i] for i in rows],
        )

    @property
    def hosts(self) -> list[bool]:
        if self.roles is None:
            return [False] * len(self.ids)
        return [(role or "").strip().lower() == "host" for role in self.roles]


@dataclass(frozen=True)
class GroupingMetrics:
    """How good an assignment is; computed the same way for the engine's result and for any baseline.

    ``bss_over_tss``: between-group over total sum of squares of the feature columns (z-scored numeric
    attributes, z-scored one-hot categorical values, z-scored tags); 0 means every group centroid equals the
    room's. ``numeric_bss_over_tss``: the same over the numeric columns alone. ``max_category_deviation``: the
    largest distance, in persons, of any group's count of any categorical value outside the interval
    [floor, ceiling] of its fair share (group size x the value's share of the room); 0 when the rule holds
    everywhere. ``repeat_pairs``: pairs in the same group who already met in the history.
    """

    n: int
    groups: int
    sizes: tuple[int, ...]
    bss_over_tss: float
    numeric_bss_over_tss: float
    max_category_deviation: int
    repeat_pairs: int


@dataclass(frozen=True)
class GroupingResult:
    """Groups for one session. ``assignment[i]`` is the 0-based group of participant ``i``."""

    assignment: tuple[int, ...]
    sizes: tuple[int, ...]
    bss_over_tss: float
    numeric_bss_over_tss: float
    max_category_deviation: int
    repeat_pairs: int
    seconds: float
    exact: bool
    """True when the result is a proven optimum (small rooms are solved exactly)."""

    @property
    def groups(self) -> int:
        return len(self.sizes)

    def members(self, ids: Sequence[str]) -> list[list[str]]:
        """The ids in each group, groups in order."""
        out: list[list[str]] = [[] for _ in self.sizes]
        for pid, group in zip(ids, self.assignment, strict=True):
            out[group].append(pid)
        return out


@dataclass(frozen=True)
class RoundsResult:
    """Several rounds of groups. ``rounds[r][i]`` is the 0-based group of participant ``i`` in round ``r``."""

    rounds: tuple[tuple[int, ...], ...]
    sizes: tuple[int, ...]
    repeat_pairs: int
    """Pairs that meet more than once, counted once per extra meeting."""
    rounds_without_repeat: int
    """The largest r such that rounds 1..r have no pair meeting twice."""
    round_metrics: tuple[GroupingMetrics, ...]
    seconds: float


@dataclass(frozen=True)
class Unseated:
    """An arrival who could not be seated, and why (an English template with parameters, for translation)."""

    id: str
    reason: Problem


@dataclass(frozen=True)
class Placement:
    """Late arrivals seated in groups that are already locked; nobody who was seated moved.

    ``placed`` maps each seated arrival's id to their 0-based group, in the order the arrivals were given;
    ``unplaced`` lists the arrivals without a legal seat (only with ``partial=True``; otherwise that is an
    error). ``sizes`` are the group sizes afterwards and ``metrics`` the report metrics of everyone seated
    afterwards (the room is the people seated plus the people placed).
    """

    placed: Mapping[str, int]
    unplaced: tuple[Unseated, ...]
    sizes: tuple[int, ...]
    metrics: GroupingMetrics
    host_deviation: int
    """Persons outside the floor/ceiling of table hosts per group afterwards (0: the hosts are spread)."""
    optimal: bool
    """True when the placement is proven best for the objective (few arrivals are placed exactly)."""
    seconds: float


class SeatingError(ConstraintError):
    """Arrivals without a legal seat: one :class:`Problem` (template and parameters) per reason."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if len(self.problems) == 1:
            super().__init__(self.problems[0].template, self.problems[0].params)
        else:
            super().__init__("; ".join(p.message for p in self.problems))

    def render(self, translate: Translate | None = None) -> str:
        """Each reason in the reader's language, one a line."""
        return "\n".join(p.render(translate) for p in self.problems)

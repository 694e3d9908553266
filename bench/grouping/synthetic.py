"""Seeded synthetic rooms for the grouping benchmark: skewed categories and two numeric attributes."""

from __future__ import annotations

import numpy as np

from werkkring.engines.grouping import Participants


def _skewed(rng: np.random.Generator, n: int, levels: int, prefix: str) -> list[str | None]:
    weights = 1.0 / np.arange(1, levels + 1) ** 1.1
    weights /= weights.sum()
    values = rng.choice(levels, size=n, p=weights)
    return [f"{prefix}{v + 1}" for v in values]


def room(n: int, seed: int = 0) -> Participants:
    """n people: tenure band (2 values), region (7), circle (12), all skewed; age and years in the network."""
    rng = np.random.default_rng(seed)
    age = np.clip(rng.normal(45, 12, n), 20, 75).round()
    years = np.clip(rng.gamma(2.0, 3.0, n), 0, 40).round(1)
    return Participants(
        ids=[f"p{i + 1}" for i in range(n)],
        numeric={"age": [float(a) for a in age], "years": [float(y) for y in years]},
        categorical={
            "tenure": _skewed(rng, n, 2, "t"),
            "region": _skewed(rng, n, 7, "r"),
            "circle": _skewed(rng, n, 12, "c"),
        },
    )


def summit_room(n: int, hosts: int, seed: int = 0) -> Participants:
    """The room of :func:`room` with the first ``hosts`` people as table hosts (their attributes are as random
    as everyone's)."""
    base = room(n, seed=seed)
    return Participants(
        ids=base.ids,
        numeric=base.numeric,
        categorical=base.categorical,
        roles=["host" if i < hosts else None for i in range(n)],
    )

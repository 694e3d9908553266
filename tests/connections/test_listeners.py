from __future__ import annotations

import itertools
import random

import pytest

from werkkring.engines.connections import Listener, ListenerRequest, eligible, pair_listeners
from werkkring.errors import InputError


def _random_case(rng: random.Random) -> tuple[list[ListenerRequest], list[Listener]]:
    circles = ["a", "b", None]
    langs = [("nl",), ("en",), ("nl", "en")]
    listeners = [
        Listener(f"l{k}", rng.choice(circles), rng.choice(langs), rng.randint(20, 70), rng.randint(0, 2))
        for k in range(rng.randint(1, 3))
    ]
    requests = [
        ListenerRequest(
            f"r{k}",
            rng.choice(circles),
            rng.choice(langs),
            outside_circle=rng.random() < 0.7,
            age_range=rng.choice([None, (20, 45), (40, 70)]),
        )
        for k in range(rng.randint(1, 4))
    ]
    return requests, listeners


def _best_served(requests: list[ListenerRequest], listeners: list[Listener]) -> int:
    slots = [v for v in listeners for _ in range(v.capacity)]
    best = 0
    for size in range(len(requests), 0, -1):
        for chosen in itertools.combinations(requests, size):
            for perm in itertools.permutations(range(len(slots)), size):
                if all(eligible(r, slots[s]) for r, s in zip(chosen, perm, strict=True)):
                    return size
    return best


def test_serves_as_many_as_possible_within_every_wish() -> None:
    rng = random.Random(1)
    for _ in range(60):
        requests, listeners = _random_case(rng)
        result = pair_listeners(requests, listeners)
        by_id = {v.id: v for v in listeners}
        load: dict[str, int] = {}
        for requester, listener in result.pairs:
            request = next(r for r in requests if r.id == requester)
            assert eligible(request, by_id[listener])
            load[listener] = load.get(listener, 0) + 1
        assert all(load[v] <= by_id[v].capacity for v in load)
        assert len(result.pairs) == _best_served(requests, listeners)
        assert {r for r, _ in result.pairs} | set(result.waiting) == {r.id for r in requests}


def test_preferences() -> None:
    listener_a = Listener("a", circle="x", languages=("nl",), age=30)
    listener_b = Listener("b", circle="y", languages=("en",), age=60)
    assert not eligible(ListenerRequest("r", circle="x"), listener_a)  # outside my circle
    assert eligible(ListenerRequest("r", circle="x", outside_circle=False), listener_a)
    assert not eligible(ListenerRequest("r", languages=("nl",)), listener_b)
    assert not eligible(ListenerRequest("r", age_range=(20, 40)), listener_b)
    assert not eligible(ListenerRequest("a"), listener_a)  # not yourself
    again = pair_listeners([ListenerRequest("r", previous="b")], [listener_a, listener_b])
    assert again.pairs == (("r", "b"),)


def test_bad_requests() -> None:
    with pytest.raises(InputError, match="twice"):
        pair_listeners([ListenerRequest("r"), ListenerRequest("r")], [Listener("a")])
    with pytest.raises(InputError, match="empty"):
        pair_listeners([ListenerRequest("r", age_range=(50, 40))], [Listener("a")])

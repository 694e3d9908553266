"""Inputs that cannot work must say which rows or ids are the trouble."""

from __future__ import annotations

import pytest

from werkkring.engines.grouping import Participants, form_groups, form_rounds
from werkkring.errors import ConstraintError, InputError

ROOM = Participants(ids=[f"p{i}" for i in range(20)], categorical={"c": ["a", "b"] * 10})


def test_duplicate_and_empty_ids() -> None:
    with pytest.raises(InputError, match=r"duplicate id 'x' \(participants #1 and #3\)"):
        Participants(ids=["x", "y", "x"])
    with pytest.raises(InputError, match="#2 has an empty id"):
        Participants(ids=["x", " "])
    with pytest.raises(InputError, match="has 2 values for 3 participants"):
        Participants(ids=["x", "y", "z"], numeric={"age": [1.0, 2.0]})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"size": 21}, "group size 21 is larger than the number of participants"),
        ({"groups": 21}, "21 groups is more than"),
        ({"size": 3, "groups": 2}, "do not fit in 2 groups of at most 3"),
        ({"sizes": [10, 9]}, "add up to 19"),
        (
            {"size": 4, "together": {"big": ["p1", "p2", "p3", "p4", "p5"]}},
            r"big has 5 people \(p1, p2, p3, p4, p5\)",
        ),
        (
            {"size": 4, "together": {"s": ["p1", "p2"]}, "apart": [("p2", "p1")]},
            r"p2 and p1 must be kept apart and kept together \(keep-together set s\)",
        ),
        (
            {"size": 4, "fixed": {"p1": 0, "p2": 0}, "apart": [("p1", "p2")]},
            "both have a fixed seat in group 1",
        ),
        (
            {"size": 4, "fixed": {"p1": 0, "p2": 1}, "together": {"t": ["p1", "p2"]}},
            "fixed seats in different",
        ),
        ({"size": 2, "fixed": {"p1": 0, "p2": 0, "p3": 0}}, "group 1 has room for 2 but 3 people"),
    ],
)
def test_constraints_that_cannot_hold(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConstraintError, match=message):
        form_groups(ROOM, **kwargs)  # type: ignore[arg-type]


def test_unknown_ids_in_constraints() -> None:
    with pytest.raises(InputError, match="unknown id 'ghost'"):
        form_groups(ROOM, size=4, apart=[("p1", "ghost")])
    with pytest.raises(InputError, match="fixed seat of 'p1' is group 9"):
        form_groups(ROOM, size=4, fixed={"p1": 8})


def test_keep_apart_clique_larger_than_the_number_of_groups() -> None:
    clique = [(f"p{a}", f"p{b}") for a in range(5) for b in range(a + 1, 5)]
    with pytest.raises(ConstraintError, match="still together"):
        form_groups(ROOM, groups=4, apart=clique, exact=False)
    small = Participants(ids=[f"q{i}" for i in range(8)])
    with pytest.raises(ConstraintError, match="still together: q"):
        form_groups(small, groups=2, apart=[("q0", "q1"), ("q1", "q2"), ("q0", "q2")])


def test_rounds_input() -> None:
    with pytest.raises(InputError, match="at least 1"):
        form_rounds(ROOM, rounds=0, size=4)


def test_participants_from_records() -> None:
    members = [
        {
            "id": "anna",
            "age": 34,
            "tenure": "new",
            "circle": "Utrecht",
            "skills": ["data", "zorg"],
            "role": "host",
        },
        {"id": "bram", "age": None, "tenure": "old", "circle": "", "skills": "beleid; data"},
        {"id": "cem", "age": "51", "tenure": "old"},
    ]
    room = Participants.from_records(
        members, numeric=["age"], categorical=["tenure", "circle"], tags=["skills"], role_key="role"
    )
    assert list(room.ids) == ["anna", "bram", "cem"]
    assert room.numeric == {"age": [34.0, None, 51.0]}
    assert room.categorical == {"tenure": ["new", "old", "old"], "circle": ["Utrecht", None, None]}
    assert room.tags["skills"] == [frozenset({"data", "zorg"}), frozenset({"beleid", "data"}), frozenset()]
    assert room.hosts == [True, False, False]
    with pytest.raises(InputError, match=r"record #2: 'old' is not a number"):
        Participants.from_records([{"id": "a", "age": 3}, {"id": "b", "age": "old"}], numeric=["age"])

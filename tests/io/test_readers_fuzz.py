"""Any bytes into any file reader give either a clean result or problems with a line, never another exception.

Each reader gets arbitrary bytes and, more often, text built to look almost right: real column names,
quotes opened and not closed, delimiters inside values, NUL bytes, byte order marks, lone surrogates in JSON,
values at and past their limits. A clean result is checked again against the limits it promises."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from werkkring import limits
from werkkring.errors import InputError
from werkkring.io.contributions import read_contributions
from werkkring.io.members_csv import COLUMNS, read_member_text, read_members_csv
from werkkring.io.members_jsonl import read_known, read_members
from werkkring.io.participants import read_apart, read_history, read_participants

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TRICKY = [
    '"',
    '""',
    ",",
    ";",
    "\t",
    "\n",
    "\r\n",
    "\x00",
    "\x07",
    "'=",
    " ",
    "é",
    "🙂",
    "\ufeff",
    "\u2028",
    "\\",
]
cell = st.one_of(
    st.text(max_size=8),
    st.sampled_from(TRICKY),
    st.sampled_from(["1984", "NL", "uk", "ja", "host", "en", "a@b.nl", "2020-02-30", "x@y", "-1", "²³"]),
    st.integers(min_value=195, max_value=205).map(lambda n: "ä" * n),
)


@st.composite
def delimited(draw: st.DrawFn, names: list[str]) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    header = draw(st.lists(st.one_of(st.sampled_from(names), cell), min_size=0, max_size=6))
    rows = draw(st.lists(st.lists(cell, max_size=7), max_size=6))

    def line(cells: list[str]) -> str:
        quoted = [f'"{c}"' if draw(st.booleans()) and '"' not in c else c for c in cells]
        return delimiter.join(quoted)

    text = "\n".join(line(r) for r in [header, *rows]) + draw(st.sampled_from(["", "\n", '\n"']))
    prefix = draw(st.sampled_from([b"", codecs.BOM_UTF8]))
    return prefix + text.encode("utf-8", "surrogatepass")


any_bytes = st.binary(max_size=300)


def check_problems(error: InputError, path: Path) -> None:
    assert error.problems
    for problem in error.problems:
        assert problem.source == str(path), problem
        assert problem.line is not None and problem.line >= 1, problem
        str(problem).encode("utf-8")  # printable as it is


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the module; each example overwrites the same file in it."""
    return tmp_path_factory.mktemp("fuzz")


def write(folder: Path, content: bytes, suffix: str) -> Path:
    path = folder / f"input{suffix}"
    path.write_bytes(content)
    return path


def storable(value: Any) -> None:
    if isinstance(value, str):
        assert limits.is_storable(value), repr(value)
        value.encode("utf-8")


@FUZZ
@given(st.one_of(any_bytes, delimited(list(COLUMNS))))
def test_members_csv(folder: Path, content: bytes) -> None:
    path = write(folder, content, ".csv")
    try:
        parsed = read_members_csv(path)
    except InputError as error:  # the file as a whole could not be read
        check_problems(error, path)
        return
    for problem in parsed.problems:
        assert problem.source == str(path) and problem.line is not None and problem.line >= 1
    if parsed.problems:
        return
    assert parsed.rows
    for row in parsed.rows:
        values = {name: getattr(row, name) for name in limits.MEMBER if hasattr(row, name)}
        _, problems = limits.check(limits.MEMBER, values)
        assert problems == [], problems
        assert row.name and row.email
        for value in values.values():
            storable(value)


@FUZZ
@given(st.one_of(any_bytes, delimited(["id", "role", "age", "region", "expertise"])))
def test_participants_csv(folder: Path, content: bytes) -> None:
    path = write(folder, content, ".csv")
    try:
        room = read_participants(path)
    except InputError as error:
        check_problems(error, path)
        return
    assert len(set(room.ids)) == len(room.ids) and all(room.ids)
    for pid in room.ids:
        assert len(pid) <= 200 and limits.is_storable(pid)
    for values in room.categorical.values():
        for value in values:
            storable(value)


@FUZZ
@given(st.one_of(any_bytes, delimited(["session", "group", "id", "id_a", "id_b"])))
def test_history_and_apart_files(folder: Path, content: bytes) -> None:
    path = write(folder, content, ".csv")
    for read in (lambda: read_history(path), lambda: read_apart(path, ["a", "b", "é"])):
        try:
            read()
        except InputError as error:
            check_problems(error, path)


@FUZZ
@given(st.one_of(any_bytes, delimited(["text", "group", "author", "id"])), st.sampled_from([".tsv", ".csv"]))
def test_contributions_tsv_and_csv(folder: Path, content: bytes, suffix: str) -> None:
    path = write(folder, content, suffix)
    try:
        data = read_contributions(path, group_column="group", author_column=None)
    except InputError as error:
        check_problems(error, path)
        return
    assert len(data.contributions) == len(data.lines)
    assert list(data.lines) == sorted(data.lines)
    for contribution in data.contributions:
        assert len(contribution.text) <= 2000
        storable(contribution.text)
        storable(contribution.group)


json_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=8),
        st.sampled_from(["\ud800", "x\x00y", "weekly", "monthly", "a" * 201]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
member_record = st.fixed_dictionaries(
    {},
    optional={
        key: json_value for key in ("id", "needs", "offers", "tags", "circle", "opt_in", "frequency", "extra")
    },
)


@st.composite
def jsonl(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["record", "record", "text", "constant", "deep", "blank"]))
        if kind == "record":
            lines.append(json.dumps(draw(member_record)))
        elif kind == "text":
            lines.append(draw(st.text(max_size=20)))
        elif kind == "constant":
            lines.append(draw(st.sampled_from(['{"id": NaN}', '{"id": 1, "id": 2}', '{"id": 1e999}', "[1,"])))
        elif kind == "deep":
            lines.append("[" * 100_000 + "]" * 100_000)
        else:
            lines.append("")
    prefix = draw(st.sampled_from([b"", codecs.BOM_UTF8]))
    return prefix + "\n".join(lines).encode("utf-8", "surrogatepass")


@FUZZ
@given(st.one_of(any_bytes, jsonl()))
def test_members_jsonl(folder: Path, content: bytes) -> None:
    path = write(folder, content, ".jsonl")
    try:
        profiles = read_members(path)
    except InputError as error:
        check_problems(error, path)
        return
    assert profiles
    for profile in profiles:
        for text in (profile.id, *profile.needs, *profile.offers, *profile.tags, profile.circle):
            storable(text)


@FUZZ
@given(st.one_of(any_bytes, delimited(["id_a", "id_b"])))
def test_known_pairs_csv(folder: Path, content: bytes) -> None:
    path = write(folder, content, ".csv")
    try:
        read_known(path)
    except InputError as error:
        check_problems(error, path)


def test_member_text_with_every_kind_of_problem_reports_each_with_line_and_column() -> None:
    text = (
        "name,email,country,birth_year,region\n"
        + "x" * 10_000_000
        + ",a@example.org,NL,1980,\n"
        + "Bel\x07la,b@example.org,UK,²³,\n"
        + "Cor,c@example.org,nl,3000,"
        + "r" * 101
        + "\n"
    )
    parsed = read_member_text(text, "m.csv")
    assert [(p.line, p.field) for p in parsed.problems] == [
        (2, "name"),
        (3, "name"),
        (3, "country"),
        (3, "birth_year"),
        (4, "region"),
        (4, "birth_year"),
    ]
    assert all(len(str(p)) < 300 for p in parsed.problems)

"""Reading participant, history and constraint files: kinds of columns and errors with line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from werkkring.errors import InputError
from werkkring.io.participants import read_apart, read_history, read_participants, read_together


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_column_kinds_are_inferred_and_can_be_overridden(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "p.csv",
        "\ufeffid,Role,age,region,expertise,postcode\n"
        "a,host,34,Noord,data;design,1011\n"
        "b,,,Zuid,design,3511\n"
        "c,,51.5,,,1011\n",
    )
    room = read_participants(path)
    assert list(room.ids) == ["a", "b", "c"]
    assert room.roles == ["host", None, None]
    assert room.numeric == {"age": [34.0, None, 51.5], "postcode": [1011.0, 3511.0, 1011.0]}
    assert room.categorical == {"region": ["Noord", "Zuid", None]}
    assert room.tags == {"expertise": [frozenset({"data", "design"}), frozenset({"design"}), frozenset()]}
    room = read_participants(path, categorical="postcode")
    assert room.categorical["postcode"] == ["1011", "3511", "1011"]


def test_semicolon_files_with_decimal_commas(tmp_path: Path) -> None:
    path = _write(tmp_path, "p.csv", "id;lengte;kring\nx;1,75;Utrecht\ny;1,80;Gouda\n")
    room = read_participants(path)
    assert room.numeric == {"lengte": [1.75, 1.80]}
    assert room.categorical == {"kring": ["Utrecht", "Gouda"]}


def test_errors_name_file_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "p.csv", "name,age\nx,3\n")
    with pytest.raises(InputError, match=r"p.csv, line 1: has no 'id' column \(the header has: name, age\)"):
        read_participants(path)
    path = _write(tmp_path, "q.csv", "id,age\nx,3\ny,4\nx,5\n,6\nz,7,8\n")
    with pytest.raises(InputError) as info:
        read_participants(path)
    text = str(info.value)
    assert "line 6: has 3 cells, the header has 2" in text
    path = _write(tmp_path, "r.csv", "id,age\nx,3\ny,4\nx,5\n,6\n")
    with pytest.raises(InputError) as info:
        read_participants(path)
    text = str(info.value)
    assert "line 4, column 'id': duplicate id 'x' (first on line 2)" in text
    assert "line 5, column 'id': has an empty id" in text
    path = _write(tmp_path, "s.csv", "id,age\nx,3\ny,old\n")
    with pytest.raises(InputError, match=r"s.csv, line 3, column 'age': 'old' is not a number"):
        read_participants(path, numeric="age")
    with pytest.raises(InputError, match="column 'height' is not in the header"):
        read_participants(path, numeric="height")


def test_history_apart_and_together(tmp_path: Path) -> None:
    history = _write(tmp_path, "h.csv", "session,group,id\ns1,1,a\ns1,1,b\ns1,2,c\ns2,1,a\ns2,1,c\n")
    assert read_history(history) == [["a", "b"], ["c"], ["a", "c"]]
    ids = ["a", "b", "c"]
    apart = _write(tmp_path, "a.csv", "id_a,id_b\na,b\nc,zz\nb,b\n")
    with pytest.raises(InputError) as info:
        read_apart(apart, ids)
    assert "a.csv, line 3, column 'id_b': id 'zz' is not a participant" in str(info.value)
    assert "line 4: pairs 'b' with itself" in str(info.value)
    together = _write(tmp_path, "t.csv", "set,id\nduo,a\nduo,c\n")
    assert read_together(together, ids) == {"duo": ["a", "c"]}
    bad = _write(tmp_path, "u.csv", "set,who\nduo,a\n")
    with pytest.raises(InputError, match=r"u.csv, line 1: has no 'id' column"):
        read_together(bad, ids)


def test_rounds_are_read_in_numeric_order_and_seating_leaves_empty_groups_out(tmp_path: Path) -> None:
    from werkkring.io.participants import read_ids, read_rounds, read_seating

    path = _write(tmp_path, "r.csv", "id;round;group\na;10;1\nb;2;2\na;2;1\nc;1;3\n")
    assert read_rounds(path) == [{"c": 2}, {"b": 1, "a": 0}, {"a": 0}]
    seating = _write(tmp_path, "s.csv", "id,group\na,2\nb,\nc,1\n")
    assert read_seating(seating, ["a", "b", "c"]) == {"a": 1, "c": 0}
    arrivals = _write(tmp_path, "a.csv", "id\nc\na\n")
    assert read_ids(arrivals, ["a", "b", "c"]) == ["c", "a"]
    with pytest.raises(InputError, match=r"line 3, column 'id': id 'a' appears twice \(first on line 2\)"):
        read_ids(_write(tmp_path, "b.csv", "id\na\na\n"), ["a"])


def test_seating_arrivals_and_rounds_files_never_fail_with_anything_but_problems(tmp_path: Path) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from tests.io.test_readers_fuzz import any_bytes, check_problems, delimited
    from werkkring.io.participants import read_ids, read_rounds, read_seating

    path = tmp_path / "input.csv"

    @settings(max_examples=120, deadline=None)
    @given(st.one_of(any_bytes, delimited(["id", "group", "round"])))
    def fuzz(content: bytes) -> None:
        path.write_bytes(content)
        for read in (
            lambda: read_seating(path, ["a", "b", "é"]),
            lambda: read_ids(path, ["a", "b", "é"]),
            lambda: read_rounds(path),
        ):
            try:
                result = read()
            except InputError as error:
                check_problems(error, path)
                continue
            groups = result.values() if isinstance(result, dict) else []
            assert all(isinstance(g, int) and g >= 0 for g in groups)

    fuzz()

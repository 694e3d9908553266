"""The CLI contract: files in, groups.csv and report.json out, exit status 2 on bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from werkkring.cli import main


def _run(args: list[str]) -> int:
    try:
        main(args)
    except SystemExit as done:
        return int(done.code or 0)
    return 0


@pytest.fixture
def room(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    lines = ["id,role,age,region,tenure,expertise"]
    for i in range(40):
        role = "host" if i % 9 == 0 else ""
        tags = ";".join(t for t in ("data", "zorg", "beleid") if rng.random() < 0.4)
        lines.append(
            f"m{i},{role},{rng.integers(22, 68)},{rng.choice(['Noord', 'Zuid', 'West', 'CH'])},"
            f"{rng.choice(['nieuw', 'ervaren'])},{tags}"
        )
    path = tmp_path / "people.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_form_writes_groups_and_report(
    room: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, report = tmp_path / "groups.csv", tmp_path / "report.json"
    apart = tmp_path / "apart.csv"
    apart.write_text("id_a,id_b\nm1,m2\n", encoding="utf-8")
    together = tmp_path / "together.csv"
    together.write_text("set,id\nduo,m3\nduo,m4\n", encoding="utf-8")
    history = tmp_path / "history.csv"
    history.write_text("session,group,id\n1,1,m5\n1,1,m6\n", encoding="utf-8")
    files = ["--apart", str(apart), "--together", str(together), "--history", str(history)]
    code = _run(
        ["groups", "form", str(room), "--size", "6", "--out", str(out), "--report", str(report), *files]
    )
    assert code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == [f"m{i}" for i in range(40)]
    group = {r["id"]: int(r["group"]) for r in rows}
    assert set(group.values()) == set(range(1, 8))
    assert group["m1"] != group["m2"] and group["m3"] == group["m4"]
    data = json.loads(report.read_text(encoding="utf-8"))
    assert set(data) == {
        "n",
        "groups",
        "sizes",
        "bss_over_tss",
        "numeric_bss_over_tss",
        "max_category_deviation",
        "repeat_pairs",
        "seconds",
    }
    assert data["n"] == 40 and data["groups"] == 7 and sorted(data["sizes"]) == [5, 5, 6, 6, 6, 6, 6]
    assert data["max_category_deviation"] == 0
    assert "40 people in 7 groups" in capsys.readouterr().err


def test_form_to_stdout(room: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["groups", "form", str(room), "--groups", "4"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "id,group" and len(lines) == 41


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        ("name,age\nx,3\n", [], "line 1: has no 'id' column"),
        ("id,age\nx,3\nx,4\n", [], "line 3, column 'id': duplicate id 'x'"),
        ("id,age\nx,3\ny,4\n", ["--size", "5"], "group size 5 is larger than the number of participants (2)"),
    ],
)
def test_bad_input_exits_2_naming_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, extra: list[str], message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    assert _run(["groups", "form", str(path), *(extra or ["--size", "2"])]) == 2
    assert message in capsys.readouterr().err


def test_constraint_conflicts_exit_2(room: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    together = tmp_path / "together.csv"
    together.write_text("set,id\nbig," + "\nbig,".join(f"m{i}" for i in range(7)) + "\n", encoding="utf-8")
    assert _run(["groups", "form", str(room), "--size", "6", "--together", str(together)]) == 2
    assert "keep-together set big has 7 people (m0, m1, m2, m3, m4, m5, m6)" in capsys.readouterr().err
    apart = tmp_path / "apart.csv"
    apart.write_text("id_a,id_b\nm0,m1\n", encoding="utf-8")
    together.write_text("set,id\nduo,m0\nduo,m1\n", encoding="utf-8")
    code = _run(
        ["groups", "form", str(room), "--size", "6", "--together", str(together), "--apart", str(apart)]
    )
    assert code == 2
    assert "m0 and m1 must be kept apart and kept together" in capsys.readouterr().err


def test_usage_errors_exit_2(room: Path) -> None:
    assert _run(["groups", "form", str(room)]) == 2
    assert _run(["groups", "form", str(room), "--size", "0"]) == 2
    assert _run(["groups", "form", "/no/such/file.csv", "--size", "3"]) == 2
    assert _run(["groups", "rounds", str(room), "--size", "4"]) == 2


def test_rounds_writes_every_round(room: Path, tmp_path: Path) -> None:
    out, report = tmp_path / "rounds.csv", tmp_path / "rounds.json"
    code = _run(
        [
            "groups",
            "rounds",
            str(room),
            "--size",
            "5",
            "--rounds",
            "3",
            "--out",
            str(out),
            "--report",
            str(report),
        ]
    )
    assert code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 120 and {r["round"] for r in rows} == {"1", "2", "3"}
    met: set[tuple[str, str]] = set()
    for r in ("1", "2", "3"):
        groups: dict[str, list[str]] = {}
        for row in rows:
            if row["round"] == r:
                groups.setdefault(row["group"], []).append(row["id"])
        assert sorted(len(g) for g in groups.values()) == [5] * 8
        for g in groups.values():
            for a in g:
                for b in g:
                    if a < b:
                        assert (a, b) not in met
                        met.add((a, b))
    assert json.loads(report.read_text(encoding="utf-8"))["rounds_without_repeat"] == 3


def test_place_seats_arrivals_without_moving_anyone(
    room: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "groups.csv"
    people = room.read_text(encoding="utf-8").splitlines()
    on_time = tmp_path / "on_time.csv"
    on_time.write_text("\n".join(people[:35]) + "\n", encoding="utf-8")  # header + m0..m33
    assert _run(["groups", "form", str(on_time), "--size", "6", "--out", str(first)]) == 0
    seated = {r["id"]: r["group"] for r in csv.DictReader(first.open(encoding="utf-8"))}
    arrivals = tmp_path / "arrivals.csv"
    arrivals.write_text("id\nm39\nm34\nm35\n", encoding="utf-8")
    apart = tmp_path / "apart.csv"
    apart.write_text("id_a,id_b\nm39,m0\n", encoding="utf-8")
    pins = tmp_path / "pins.csv"
    pins.write_text("id,group\nm35,5\n", encoding="utf-8")
    out, report = tmp_path / "after.csv", tmp_path / "after.json"
    args = ["groups", "place", str(room), "--seated", str(first), "--arrivals", str(arrivals)]
    args += ["--capacity", "7", "--apart", str(apart), "--pins", str(pins), "--out", str(out)]
    assert _run([*args, "--report", str(report)]) == 0
    rows = {r["id"]: r["group"] for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert all(rows[pid] == g for pid, g in seated.items())  # nobody moved
    assert rows["m35"] == "5" and rows["m39"] != rows["m0"] and rows["m36"] == ""  # m36 did not come
    data = json.loads(report.read_text(encoding="utf-8"))
    assert set(data["placed"]) == {"m34", "m35", "m39"} and data["unplaced"] == [] and max(data["sizes"]) <= 7
    assert "3 arrivals seated, 0 not" in capsys.readouterr().err


def test_place_without_a_seat_exits_2_or_lists_who_is_left(
    room: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seated = tmp_path / "seated.csv"
    seated.write_text("id,group\n" + "".join(f"m{i},{i % 2 + 1}\n" for i in range(38)), encoding="utf-8")
    args = ["groups", "place", str(room), "--seated", str(seated), "--capacity", "19"]
    assert _run(args) == 2
    assert capsys.readouterr().err == "werkkring: there is no free seat for m38, m39: every group is full\n"
    report = tmp_path / "r.json"
    assert _run([*args, "--partial", "--report", str(report)]) == 0
    assert [u["id"] for u in json.loads(report.read_text(encoding="utf-8"))["unplaced"]] == ["m38", "m39"]
    assert "not seated: m38" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("seating", "message"),
    [
        ("id,group\nm0,1\nm1,zero\n", "line 3, column 'group': 'zero' is not a group number (1, 2, ...)"),
        ("id,group\nm0,1\nghost,2\n", "line 3, column 'id': id 'ghost' is not a participant"),
        ("id,group\nm0,1\nm0,2\n", "line 3, column 'id': id 'm0' appears twice (first on line 2)"),
        ("id,table\nm0,1\n", "line 1: has no 'group' column"),
    ],
)
def test_place_bad_seating_file_names_line_and_column(
    room: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], seating: str, message: str
) -> None:
    seated = tmp_path / "seated.csv"
    seated.write_text(seating, encoding="utf-8")
    assert _run(["groups", "place", str(room), "--seated", str(seated)]) == 2
    assert message in capsys.readouterr().err


def test_next_round_from_a_rounds_file(
    room: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rounds = tmp_path / "rounds.csv"
    assert _run(["groups", "rounds", str(room), "--size", "5", "--rounds", "2", "--out", str(rounds)]) == 0
    with rounds.open("a", encoding="utf-8") as handle:
        handle.write("gone,1,1\n")  # someone from round 1 who has left
    out, report = tmp_path / "next.csv", tmp_path / "next.json"
    args = ["groups", "next", str(room), "--previous", str(rounds), "--size", "5"]
    assert _run([*args, "--out", str(out), "--report", str(report)]) == 0
    group = {r["id"]: r["group"] for r in csv.DictReader(out.open(encoding="utf-8"))}
    met = set()
    for r in ("1", "2"):
        tables: dict[str, list[str]] = {}
        for row in csv.DictReader(rounds.open(encoding="utf-8")):
            if row["round"] == r:
                tables.setdefault(row["group"], []).append(row["id"])
        met |= {frozenset((a, b)) for t in tables.values() for a in t for b in t if a < b}
    again = [
        (a, b) for a in group for b in group if a < b and group[a] == group[b] and frozenset((a, b)) in met
    ]
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["repeat_pairs"] == len(again) == 0 and data["previous_rounds"] == 2
    hosts = [f"m{i}" for i in range(0, 40, 9)]
    last = {
        row["id"]: row["group"]
        for row in csv.DictReader(rounds.open(encoding="utf-8"))
        if row["round"] == "2"
    }
    assert all(group[h] == last[h] for h in hosts)  # the table hosts stay
    bad = tmp_path / "bad.csv"
    bad.write_text("id,round,group\nm0,1,1\nm0,1,2\nm1,,2\n", encoding="utf-8")
    assert _run(["groups", "next", str(room), "--previous", str(bad), "--size", "5"]) == 2
    err = capsys.readouterr().err
    assert "line 3, column 'id': id 'm0' is in round 1 twice (first on line 2)" in err
    assert "line 4, column 'round': has an empty round" in err


def test_rounds_with_hosts_staying(room: Path, tmp_path: Path) -> None:
    out = tmp_path / "rounds.csv"
    args = ["groups", "rounds", str(room), "--size", "5", "--rounds", "3", "--hosts-stay", "--out", str(out)]
    assert _run(args) == 0
    tables: dict[str, set[str]] = {}
    for row in csv.DictReader(out.open(encoding="utf-8")):
        tables.setdefault(row["id"], set()).add(row["group"])
    hosts = [f"m{i}" for i in range(0, 40, 9)]
    assert all(len(tables[h]) == 1 for h in hosts)
    assert len({next(iter(tables[h])) for h in hosts}) == len(hosts)  # one host per table

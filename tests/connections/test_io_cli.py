from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from werkkring.cli import app
from werkkring.engines.connections import MemberProfile
from werkkring.errors import InputError
from werkkring.io.members_jsonl import parse_members, read_intros, read_known

from .conftest import NETWORK

runner = CliRunner()


def _write_members(path: Path, extra: list[dict[str, object]] | None = None) -> Path:
    records: list[dict[str, object]] = [
        {"id": i, "needs": need, "offers": offers, "circle": circle} for i, need, offers, circle in NETWORK
    ]
    path.write_text("\n".join(json.dumps(r) for r in records + (extra or [])) + "\n", encoding="utf-8")
    return path


def test_needs_and_offers_may_be_a_string_or_a_list() -> None:
    lines = [
        '{"id": 1, "needs": "a website", "offers": ["coaching", "photos"], "tags": "zzp"}',
        "",
        '{"id": "2", "needs": ["x", "y"], "opt_in": false, "frequency": "monthly", "circle": null}',
    ]
    first, second = parse_members(lines, "m.jsonl")
    assert first == MemberProfile("1", needs=("a website",), offers=("coaching", "photos"), tags=("zzp",))
    assert second.needs == ("x", "y") and not second.opt_in and second.frequency == "monthly"


def test_every_bad_line_is_reported_with_its_number() -> None:
    lines = [
        '{"id": "a", "needs": "x"}',
        "{not json",
        '{"id": "a", "needs": "y"}',
        '{"needs": "z"}',
        '{"id": "b"}',
        '{"id": "c", "needs": 3, "opt_in": "yes", "frequency": "daily"}',
        "[1, 2]",
    ]
    with pytest.raises(InputError) as caught:
        parse_members(lines, "m.jsonl")
    problems = {(p.line, p.field) for p in caught.value.problems}
    assert (2, None) in problems
    assert (3, "id") in problems
    assert (4, "id") in problems
    assert (5, "needs") in problems
    assert {(6, "needs"), (6, "opt_in"), (6, "frequency")} <= problems
    assert (7, None) in problems
    assert "m.jsonl, line 3" in str(caught.value)


def test_known_and_intros_csv(tmp_path: Path) -> None:
    known = tmp_path / "known.csv"
    known.write_text("id_a,id_b\nanna,bram\n\ncato,daan\n", encoding="utf-8")
    assert read_known(known) == [("anna", "bram"), ("cato", "daan")]
    intros = tmp_path / "intros.csv"
    intros.write_text("anna,bram,1\ncato,daan,two\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"intros.csv, line 2, column 'round'"):
        read_intros(intros)
    known.write_text("anna\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1"):
        read_known(known)


def test_match_command_writes_one_line_per_member_in_order(tmp_path: Path) -> None:
    members = _write_members(tmp_path / "members.jsonl")
    known = tmp_path / "known.csv"
    known.write_text("anna,bram\n", encoding="utf-8")
    out = tmp_path / "matches.jsonl"
    result = runner.invoke(
        app,
        [
            "match",
            str(members),
            "--top",
            "2",
            "--exclude",
            str(known),
            "--small-circle",
            "0",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [row[0] for row in NETWORK]
    for r in records:
        assert len(r["matches"]) == 2
        assert set(r["matches"][0]) == {"id", "score", "why"}
    anna = records[0]
    assert "bram" not in [m["id"] for m in anna["matches"]]
    assert records[2]["matches"][0]["id"] == "daan"
    # the explicit subcommand form gives the same
    again = runner.invoke(
        app, ["match", "members", str(members), "--top", "2", "--exclude", str(known), "--small-circle", "0"]
    )
    assert again.exit_code == 0
    assert [json.loads(x) for x in again.stdout.splitlines()] == records


def test_search_and_help(tmp_path: Path) -> None:
    members = _write_members(tmp_path / "members.jsonl")
    result = runner.invoke(app, ["match", "search", "boekhouding", "--members", str(members), "--top", "3"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("1. daan")
    help_text = runner.invoke(app, ["match", "--help"]).stdout
    assert "MEMBERS.jsonl" in help_text and "search" in help_text


def test_intro_round_writes_pairs(tmp_path: Path) -> None:
    members = _write_members(tmp_path / "members.jsonl", [{"id": "ivo", "needs": "x", "offers": "y"}])
    history = tmp_path / "intros.csv"
    history.write_text("id_a,id_b,round\nanna,bram,1\n", encoding="utf-8")
    out = tmp_path / "pairs.csv"
    result = runner.invoke(
        app, ["intro", "round", str(members), "--history", str(history), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = [line.split(",") for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0] == ["id_a", "id_b", "id_c"]
    placed = [m for row in rows[1:] for m in row if m]
    assert sorted(placed) == sorted([row[0] for row in NETWORK] + ["ivo"])
    assert sum(1 for row in rows[1:] if row[2]) == 1  # nine members: one trio
    assert ["anna", "bram", ""] not in rows and ["bram", "anna", ""] not in rows


@pytest.mark.parametrize(
    "args",
    [
        ["match", "BAD"],
        ["match", "BAD", "--top", "0"],
        ["match", "search", "x"],
        ["intro", "round", "BAD", "--history", "BAD"],
        ["match", "BAD", "--backend", "telepathy"],
    ],
)
def test_bad_input_and_usage_exit_with_status_2(tmp_path: Path, args: list[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "needs": "x"}\n{"id": "a", "needs": "y"}\n', encoding="utf-8")
    args = [str(bad) if a == "BAD" else a for a in args]
    from werkkring.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2

"""An error anywhere in the command line is one clear line on standard error, never a traceback, unless
``--debug`` is given; and ``werkkring demo`` works for every seed and size."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.helpers import run_cli
from werkkring.demo import build_demo_network
from werkkring.store import Database
from werkkring.store.models import Circle, Member, Membership, WorkSession

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("werkkring: "), stderr
    return lines[0]


def test_a_database_that_cannot_be_reached_is_one_line_and_status_1() -> None:
    result = run_cli("members", "export", database_url=UNREACHABLE)
    line = one_line(result.stderr)
    assert result.returncode == 1
    assert line.startswith("werkkring: cannot reach the database:") and "--debug" in line
    assert result.stdout == ""  # not even the header of a CSV that cannot be written


def test_debug_shows_the_traceback_of_an_unexpected_error() -> None:
    result = run_cli("--debug", "members", "export", database_url=UNREACHABLE)
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr and "OperationalError" in result.stderr


def test_a_database_file_in_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    result = run_cli("init", database_url=f"sqlite:///{tmp_path / 'no' / 'such' / 'x.db'}")
    assert result.returncode == 1
    assert "unable to open database file" in one_line(result.stderr)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["members", "import"], "Missing argument 'file'. (see 'werkkring members import --help')"),
        (["demo", "--members", "5"], "Invalid value for '--members'"),
        (["demo", "--seed", "x"], "Invalid value for '--seed'"),
        (["no-such-command"], "No such command 'no-such-command'."),
        (["groups", "form", "p.csv", "--size", "six"], "Invalid value for '--size'"),
    ],
)
def test_usage_errors_are_one_line_with_status_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_cli(*args, database_url=f"sqlite:///{tmp_path / 'x.db'}", cwd=tmp_path)
    assert result.returncode == 2
    assert message in one_line(result.stderr)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["groups", "form", "p.csv", "--size", "2", "--seed", "-1"], "Invalid value for '--seed'"),
        (["themes", "c.tsv", "--seed", "-5"], "Invalid value for '--seed'"),
        (["demo", "--seed", str(2**31)], "Invalid value for '--seed'"),
        (["report", "session", "99999999999", "--format", "md", "--out", "r.md"], "Invalid value for 'ID'"),
        (["feeds", "member", "0"], "Invalid value for 'ID'"),
        (["match", "m.jsonl", "--groups", "bin.csv"], "bin.csv, line 2, column 1: byte 0xFF is not UTF-8"),
        (["match", "search", "x" * 501, "--members", "m.jsonl"], "Search can be at most 500 characters long"),
        (["match", "search", "a\x07b", "--members", "m.jsonl"], "Search contains the invisible control"),
    ],
)
def test_numbers_and_files_past_their_limits_are_refused_before_anything_runs(
    database_url: str, tmp_path: Path, args: list[str], message: str
) -> None:
    """Seeds are never negative and ids fit the database's integer, on PostgreSQL too (no overflow)."""
    (tmp_path / "p.csv").write_text("id,age\na,30\nb,40\n", encoding="utf-8")
    (tmp_path / "c.tsv").write_text("text\nveilig\n", encoding="utf-8")
    (tmp_path / "m.jsonl").write_text('{"id": "a", "needs": "x"}\n', encoding="utf-8")
    (tmp_path / "bin.csv").write_bytes(b"group,id\n\xff\n")
    result = run_cli(*args, database_url=database_url, cwd=tmp_path)
    assert result.returncode == 2
    assert message in one_line(result.stderr)


def test_bad_input_keeps_status_2_and_help_still_works(tmp_path: Path) -> None:
    result = run_cli(
        "members", "import", str(tmp_path / "nope.csv"), database_url=f"sqlite:///{tmp_path}/x.db"
    )
    assert result.returncode == 2 and one_line(result.stderr).endswith("nope.csv: file not found")
    assert run_cli("members", "--help").returncode == 0
    bare = run_cli()
    assert bare.returncode == 2 and "Usage" in bare.stdout and bare.stderr == ""


def test_a_closed_pipe_ends_the_export_quietly(tmp_path: Path, sqlite_database: Database) -> None:
    with sqlite_database.transaction() as session:
        session.add_all(
            Member(name=f"Lid {i}", email=f"lid{i}@example.org", offers="coaching " * 20) for i in range(3000)
        )
    command = f"{sys.executable} -m werkkring members export | head -n 2"
    result = subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        text=True,
        env={"WERKKRING_DATABASE_URL": sqlite_database.url, "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )
    assert len(result.stdout.splitlines()) == 2
    assert result.stderr == ""


# The demo used to stop on a duplicate membership when the demo host lived in the first circle (seeds 2, 4
# and 11 at 120 members), and on "only a host may do this" in networks too small to give every circle a host.
@pytest.mark.slow
@pytest.mark.parametrize(("members", "seed"), [(120, 2), (120, 4), (120, 11)])
def test_the_demo_seeds_that_crashed_build_on_both_databases(
    database: Database, members: int, seed: int
) -> None:
    with database.transaction() as session:
        summary = build_demo_network(session, members=members, seed=seed)
    assert summary.startswith(f"demo network: {members} members")
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Member)) == members
        pairs = session.execute(select(Membership.member_id, Membership.circle_id)).all()
        assert len(pairs) == len(set(pairs))
        host = session.scalars(select(Member).where(Member.email == "host@demo.werkkring.nl")).one()
        hosted = session.scalars(
            select(Circle.slug)
            .join(Membership)
            .where(Membership.member_id == host.id, Membership.role == "host")
        ).all()
        assert hosted == ["amsterdam"]


@pytest.mark.slow
def test_the_demo_builds_for_many_seeds_and_sizes(tmp_path: Path, sqlite_template: Path) -> None:
    """Small networks (where circles go without a host) and larger ones, a dozen seeds each."""
    import shutil

    failures = []
    for members in (10, 12, 15, 30):
        for seed in range(8 if members < 20 else 2):
            path = tmp_path / f"demo-{members}-{seed}.db"
            shutil.copy(sqlite_template, path)
            database = Database(f"sqlite:///{path}")
            try:
                with database.transaction() as session:
                    build_demo_network(session, members=members, seed=seed)
                with database.reader() as session:
                    sessions = session.scalars(select(WorkSession)).all()
                    assert len(sessions) == 8 and all(s.host_id for s in sessions)
            except Exception as error:  # collect them all: one failing seed should not hide the others
                failures.append((members, seed, f"{type(error).__name__}: {error}"))
            finally:
                database.dispose()
                path.unlink()
    assert failures == []


def test_the_demo_command_for_a_seed_that_crashed(tmp_path: Path) -> None:
    result = run_cli("demo", "--members", "120", "--seed", "4", database_url=f"sqlite:///{tmp_path / 'd.db'}")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and result.stdout.startswith("demo network: 120 members")

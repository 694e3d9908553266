"""The file commands as a person runs them: bad bytes in give exit status 2, one line per problem with file,
line and column, no traceback, and nothing stored — on SQLite and on PostgreSQL."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.helpers import run_cli
from tests.io.test_readers_fuzz import delimited
from werkkring.cli import main
from werkkring.io.members_csv import COLUMNS
from werkkring.store import Database
from werkkring.store.models import AuditEntry, Member, Membership


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    before = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def invoke(url: str, *args: str) -> tuple[int, str, str]:
    """The real entry point in this process (faster than a new one per example), output captured."""
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with (
        environment(WERKKRING_DATABASE_URL=url),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            main(list(args))
        except SystemExit as done:
            code = done.code
    return (code if isinstance(code, int) else 1), out.getvalue(), err.getvalue()


def counts(database: Database) -> tuple[int, int, int]:
    with database.reader() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Member, Membership, AuditEntry)
        )


def assert_refused(code: int, err: str, path: Path) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines and lines[0].startswith(f"werkkring: {path}")
    for line in lines:
        assert str(path) in line or line.startswith("… and "), line
        assert ", line " in line or line.startswith("… and "), line


ISSUE_CASES = {
    "ten_megabyte_field": b"name,email\n" + b"x" * 10_000_000 + b",big@example.org\n",
    "nul_in_a_name": b"name,email\nD\x00an,dan@example.org\n",
    "unterminated_quote_at_the_end": b'name,email\nAnna,anna@example.org\nBob,"bob@example.org\n',
    "extra_columns": b"name,email\nCarl,carl@example.org,extra\n",
    "repeated_header_column": b"name,email,name\nAnna,anna@example.org,Other\n",
    "empty_file": b"",
    "header_only": b"name,email\n",
    "binary": bytes(range(256)) * 4,
    "utf16": "name,email\nAnna,anna@example.org\n".encode("utf-16"),
    "lone_surrogate_bytes": b"name,email\nA\xed\xa0\x80n,a@example.org\n",
    "control_character": b"name,email\nBel\x07la,b@example.org\n",
    "birth_year_out_of_range": b"name,email,birth_year\nOld,old@example.org,99999999999\n",
    "country_not_iso": b"name,email,country\nX,x@example.org,XX\n",
}


@pytest.mark.parametrize("case", sorted(ISSUE_CASES))
def test_members_import_refuses_the_issue_cases_and_stores_nothing(
    database: Database, tmp_path: Path, case: str
) -> None:
    path = tmp_path / f"{case}.csv"
    path.write_bytes(ISSUE_CASES[case])
    before = counts(database)
    code, out, err = invoke(database.url, "members", "import", str(path))
    assert_refused(code, err, path)
    assert out == ""
    assert counts(database) == before


def test_the_real_program_refuses_without_a_traceback(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_bytes(b'name,email\nAnna,anna@example.org\nBob,"bob@example.org\n')
    result = run_cli("members", "import", str(path), database_url=database.url)
    assert_refused(result.returncode, result.stderr, path)
    assert "line 3: a quoted value opens on this line and is never closed" in result.stderr
    assert counts(database) == (0, 0, 0)


def test_a_bom_and_semicolons_from_a_dutch_spreadsheet_are_imported(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "leden.csv"
    path.write_bytes(codecs.BOM_UTF8 + "Name;Email;Country\nJosé;jose@example.org;be\n".encode())
    code, _, err = invoke(database.url, "members", "import", str(path))
    assert code == 0, err
    with database.reader() as session:
        member = session.scalars(select(Member)).one()
        assert (member.name, member.email, member.country) == ("José", "jose@example.org", "BE")


def test_an_export_with_formulas_is_neutralised_and_imports_back_unchanged(
    database: Database, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    rows = [
        ["name", "email", "offers", "city"],
        ['=HYPERLINK("http://e.vil","klik")', "f@example.org", "- coaching\n- training", "@home"],
        # An apostrophe before a formula character is how a neutralised export reads back: it goes.
        ["'=quoted", "q@example.org", "+31 6", "-"],
    ]
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    assert invoke(database.url, "members", "import", str(source))[0] == 0
    code, exported, err = invoke(database.url, "members", "export")
    assert code == 0, err
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))], exported
    assert '\'=HYPERLINK("http://e.vil","klik")' in cells and "'- coaching\n- training" in cells
    with database.reader() as session:
        before = [(m.name, m.offers, m.city) for m in session.scalars(select(Member).order_by(Member.id))]
    assert before == [
        ('=HYPERLINK("http://e.vil","klik")', "- coaching\n- training", "@home"),
        ("=quoted", "+31 6", "-"),
    ]
    again = tmp_path / "export.csv"
    again.write_text(exported, encoding="utf-8")
    with database.transaction() as session:
        for member in session.scalars(select(Member)):
            session.delete(member)
    assert invoke(database.url, "members", "import", str(again))[0] == 0
    with database.reader() as session:
        after = [(m.name, m.offers, m.city) for m in session.scalars(select(Member).order_by(Member.id))]
    assert after == before


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=st.one_of(st.binary(max_size=200), delimited(list(COLUMNS))))
def test_any_member_file_is_imported_whole_or_refused_with_nothing_stored(
    database: Database, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "members.csv"
    path.write_bytes(content)
    before = counts(database)
    code, out, err = invoke(database.url, "members", "import", str(path))
    if code == 0:
        imported = int(out.split()[1])
        assert counts(database)[0] == before[0] + imported
        return
    assert_refused(code, err, path)
    assert counts(database) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (bytes(range(256)), "is not UTF-8 text"),
        (b"", "holds no members"),
        (b"\n \n", "holds no members"),
        (b'{"id": "a", "needs": "x"}\n{"id": "b", "needs": NaN}\n', "NaN is not a JSON number"),
        (b'{"id": "a", "id": "b", "needs": "x"}\n', "the key 'id' appears twice"),
        (b'{"id": "a", "needs": "\\ud800"}\n', "lone UTF-16 surrogate"),
        (b'{"id": "a", "needs": "x"\n', "line 1, column 25: not valid JSON"),
    ],
)
def test_match_refuses_broken_member_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "members.jsonl"
    path.write_bytes(content)
    code, _, err = invoke("sqlite://", "match", str(path), "--top", "2")
    assert code == 2 and message in err and "Traceback" not in err, err


def test_match_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "members.jsonl"
    path.write_bytes(codecs.BOM_UTF8 + b'{"id": "a", "needs": "x"}\n{"id": "b", "offers": "x"}\n')
    code, out, err = invoke("sqlite://", "match", str(path), "--top", "2")
    assert code == 0, err
    assert [line.split('"')[3] for line in out.splitlines()] == ["a", "b"]


def test_themes_refuses_an_unclosed_quote_instead_of_merging_rows(tmp_path: Path) -> None:
    path = tmp_path / "c.tsv"
    path.write_text('text\tgroup\neen veilige plek\tA\n"luisteren\tB\nsamen doen\tC\n', encoding="utf-8")
    code, out, err = invoke("sqlite://", "themes", str(path))
    assert code == 2 and out == ""
    assert err.startswith(f"werkkring: {path}, line 3: a quoted value opens on this line and is never closed")


def test_groups_refuse_a_participant_file_with_every_problem_in_one_pass(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("id,age,age\nx,3,4\ny\nx,5,6\n" + "z" * 300 + ",1,1\n", encoding="utf-8")
    code, _, err = invoke("sqlite://", "groups", "form", str(path), "--size", "2")
    assert code == 2
    assert "line 1, column 'age': appears twice in the header" in err
    assert "line 3: has 1 cells, the header has 3 columns" in err
    assert "line 4, column 'id': duplicate id 'x' (first on line 2)" in err
    assert "line 5, column 'id': Id can be at most 200 characters long (this one has 300)" in err


def test_a_file_full_of_problems_prints_the_first_two_hundred_and_counts_the_rest(
    sqlite_database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "members.csv"
    path.write_text("name,email\n" + "".join(f"Lid {i},kapot{i}\n" for i in range(300)), encoding="utf-8")
    code, _, err = invoke(sqlite_database.url, "members", "import", str(path))
    lines = err.splitlines()
    assert code == 2 and len(lines) == 201
    assert lines[199].startswith(f"{path}, line 201, column 'email'")
    assert lines[200] == "… and 100 more problems (300 in all)"

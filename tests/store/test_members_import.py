from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import func, select

from tests.helpers import run_cli
from werkkring.actions.circles import create_circle
from werkkring.actions.members import import_members
from werkkring.actions.permissions import SYSTEM
from werkkring.io.members_csv import COLUMNS, parse_members, write_members
from werkkring.queries.members import export_rows
from werkkring.store import Database
from werkkring.store.models import AuditEntry, Member, Membership

GOOD = """name,email,region,country,birth_year,joined_on,offers,needs,circles,postal_consent
Anouk de Vries,anouk@example.org,Utrecht,NL,1985,2019-03-01,coaching,een website,utrecht,ja
Bram Jansen,BRAM@example.org,,CH,1962,,"fotografie
video",,,no
"""


def _count(database: Database) -> int:
    with database.reader() as session:
        return session.scalar(select(func.count()).select_from(Member)) or 0


def _circle(database: Database, slug: str = "utrecht") -> None:
    with database.transaction() as session:
        create_circle(session, slug.title(), slug=slug, actor=SYSTEM)


def test_a_good_file_is_imported_with_circles_and_audit(database: Database, tmp_path: Path) -> None:
    _circle(database)
    path = tmp_path / "members.csv"
    path.write_text(GOOD, encoding="utf-8")
    result = run_cli("members", "import", str(path), database_url=database.url)
    assert result.returncode == 0, result.stderr
    assert "imported 2 members" in result.stdout
    with database.reader() as session:
        members = {m.email: m for m in session.scalars(select(Member))}
        assert set(members) == {"anouk@example.org", "bram@example.org"}
        assert members["bram@example.org"].country == "CH"
        assert members["bram@example.org"].offers == "fotografie\nvideo"
        assert members["anouk@example.org"].postal_consent is True
        assert session.scalar(select(func.count()).select_from(Membership)) == 1
        assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "member.import"))


def test_every_problem_is_reported_with_line_and_column_and_nothing_is_stored(
    database: Database, tmp_path: Path
) -> None:
    _circle(database)
    with database.transaction() as session:
        import_members(session, parse_members("name,email\nEr Is,al@example.org\n"), actor=SYSTEM)
    path = tmp_path / "bad.csv"
    path.write_text(
        "name,email,circles,birth_year\n"
        "Goed Lid,goed@example.org,utrecht,1980\n"
        ",zonder-naam@example.org,,\n"
        "Kapot Adres,kapot-at-example.org,,\n"
        "Dubbel Een,dubbel@example.org,,\n"
        "Dubbel Twee,Dubbel@example.org,,\n"
        "Bestaat Al,al@example.org,,\n"
        "Onbekende Kring,kring@example.org,atlantis,\n"
        "Raar Jaar,jaar@example.org,,negentig\n",
        encoding="utf-8",
    )
    before = _count(database)
    result = run_cli("members", "import", str(path), database_url=database.url)
    assert result.returncode == 2
    err = result.stderr
    assert f"{path}, line 3, column 'name': name is missing" in err
    assert (
        "line 4, column 'email': E-mail address: 'kapot-at-example.org' is not an e-mail address such as "
        "name@example.org" in err
    )
    assert "line 6, column 'email': duplicate email 'dubbel@example.org': also on line 5" in err
    assert "line 9, column 'birth_year': Birth year must be a whole number, not 'negentig'" in err
    # The database's problems come in the same pass as the file's, in line order, before anything is written.
    assert "line 7, column 'email': a member with email 'al@example.org' already exists" in err
    assert "line 8, column 'circles': unknown circle 'atlantis'" in err
    lines = [int(line.split(", line ")[1].split(",")[0]) for line in err.splitlines()]
    assert lines == sorted(lines) and len(lines) == 6
    assert _count(database) == before


def test_database_problems_are_all_reported(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        import_members(session, parse_members("name,email\nEr Is,al@example.org\n"), actor=SYSTEM)
    path = tmp_path / "bad.csv"
    path.write_text(
        "name,email,circles\nBestaat Al,AL@example.org,\nOnbekend,k@example.org,atlantis;nergens\n",
        encoding="utf-8",
    )
    result = run_cli("members", "import", str(path), database_url=database.url)
    assert result.returncode == 2
    assert "line 2, column 'email': a member with email 'al@example.org' already exists" in result.stderr
    assert "line 3, column 'circles': unknown circle 'atlantis'" in result.stderr
    assert "line 3, column 'circles': unknown circle 'nergens'" in result.stderr
    assert _count(database) == 1


def test_header_problems_and_unreadable_files(tmp_path: Path, sqlite_database: Database) -> None:
    url = sqlite_database.url
    missing = run_cli("members", "import", str(tmp_path / "nope.csv"), database_url=url)
    assert missing.returncode == 2 and "file not found" in missing.stderr
    latin = tmp_path / "latin.csv"
    latin.write_bytes("name,email\nJosé,jose@example.org\n".encode("latin-1"))
    result = run_cli("members", "import", str(latin), database_url=url)
    assert result.returncode == 2 and "not UTF-8" in result.stderr
    header = tmp_path / "header.csv"
    header.write_text("naam,email,favourite\n", encoding="utf-8")
    result = run_cli("members", "import", str(header), database_url=url)
    assert result.returncode == 2
    assert "line 1: missing required column 'name'" in result.stderr
    assert "unknown column 'favourite'" in result.stderr


def test_export_reads_back_in_unchanged(database: Database, tmp_path: Path) -> None:
    _circle(database)
    with database.transaction() as session:
        rows = parse_members(GOOD + "Chantal,c@example.org,,NL,,,,,utrecht,yes\n")
        import_members(session, rows, actor=SYSTEM)
        session.scalars(select(Member)).first().visibility = {"email": "private"}  # type: ignore[union-attr]
    with database.reader() as session:
        first = io.StringIO()
        write_members(export_rows(session), first)
    header = next(csv.reader(io.StringIO(first.getvalue())))
    assert header == list(COLUMNS)
    reparsed = parse_members(first.getvalue())
    assert [r.email for r in reparsed] == ["anouk@example.org", "bram@example.org", "c@example.org"]
    assert reparsed[0].visibility == {"email": "private"}
    assert reparsed[1].offers == "fotografie\nvideo"
    # Importing the export into an empty database and exporting again gives the same file.
    out = tmp_path / "export.csv"
    result = run_cli("members", "export", "--out", str(out), database_url=database.url)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == first.getvalue()

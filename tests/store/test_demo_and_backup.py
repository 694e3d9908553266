from __future__ import annotations

import datetime as dt
import io
import sqlite3
import threading
from pathlib import Path

from sqlalchemy import func, select

from tests.helpers import run_cli
from werkkring.demo import build_demo_network
from werkkring.io.members_csv import write_members
from werkkring.queries.members import export_rows
from werkkring.store import Database
from werkkring.store.models import (
    BreakoutGroup,
    Circle,
    Contribution,
    HelixEntry,
    Initiative,
    InitiativeParticipant,
    Member,
    WorkSession,
)

TODAY = dt.date(2026, 11, 29)


def _export(database: Database) -> str:
    with database.reader() as session:
        out = io.StringIO()
        write_members(export_rows(session), out)
        return out.getvalue()


def test_demo_network_is_believable(database: Database) -> None:
    with database.transaction() as session:
        build_demo_network(session, members=300, seed=1, today=TODAY)
    with database.reader() as session:
        members = session.scalars(select(Member)).all()
        assert len(members) == 300
        local = session.scalars(select(Circle).where(Circle.kind == "local")).all()
        assert len(local) == 7
        countries = {m.country for m in members}
        assert {"NL", "CH", "BE"} <= countries
        ages = [TODAY.year - m.birth_year for m in members if m.birth_year]
        assert min(ages) < 30 and max(ages) >= 60
        tenure = [(TODAY - m.joined_on).days / 365.25 for m in members]
        assert sum(t < 1 for t in tenure) >= 30 and sum(t >= 5 for t in tenure) >= 30
        assert any("website" in m.offers for m in members) and any("website" in m.needs for m in members)
        languages = {m.language for m in members}
        assert languages == {"nl", "en"}
        past = session.scalars(select(WorkSession).where(WorkSession.starts_at < dt.datetime(2026, 11, 29)))
        past_ids = [s.id for s in past]
        assert len(past_ids) >= 3
        assert session.scalar(select(func.count()).select_from(BreakoutGroup)) >= 3 * len(past_ids)
        assert session.scalar(select(func.count()).select_from(Contribution)) >= 10 * len(past_ids)
        assert session.scalar(select(func.count()).select_from(Initiative)) >= 4
        assert session.scalar(select(func.count()).select_from(InitiativeParticipant)) >= 8
        assert session.scalar(select(func.count()).select_from(HelixEntry)) > 1000


def test_demo_is_deterministic_for_a_seed(tmp_path: Path, sqlite_template: Path) -> None:
    exports = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        path = tmp_path / f"{name}.db"
        path.write_bytes(sqlite_template.read_bytes())
        database = Database(f"sqlite:///{path}")
        with database.transaction() as session:
            build_demo_network(session, members=60, seed=seed, today=TODAY)
        exports.append(_export(database))
        database.dispose()
    assert exports[0] == exports[1]
    assert exports[0] != exports[2]


def test_demo_cli_refuses_a_filled_database_and_if_empty_skips(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    first = run_cli("demo", "--members", "40", database_url=url)
    assert first.returncode == 0, first.stderr
    assert "40 members" in first.stdout
    again = run_cli("demo", database_url=url)
    assert again.returncode == 2 and "not empty" in again.stderr
    skipped = run_cli("demo", "--if-empty", database_url=url)
    assert skipped.returncode == 0 and "not added" in skipped.stdout


def test_sqlite_backup_is_a_consistent_copy_while_writes_go_on(
    sqlite_database: Database, tmp_path: Path
) -> None:
    with sqlite_database.transaction() as session:
        build_demo_network(session, members=40, seed=0, today=TODAY)
    stop = threading.Event()

    def writer() -> None:
        raw = sqlite3.connect(sqlite_database.engine.url.database or "")
        n = 0
        while not stop.is_set():
            raw.execute(
                "INSERT INTO audit_log (at, action, subject_type, details) "
                "VALUES (datetime('now'), 'x', 'y', '{}')"
            )
            raw.commit()
            n += 1
        raw.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        target = tmp_path / "copy.db"
        result = run_cli("backup", str(target), database_url=sqlite_database.url)
    finally:
        stop.set()
        thread.join()
    assert result.returncode == 0, result.stderr
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("SELECT count(*) FROM members").fetchone() == (40,)
    copy.close()
    assert not (tmp_path / "copy.db.part").exists()


def test_postgres_backup_with_pg_dump(database: Database, tmp_path: Path) -> None:
    if database.is_sqlite:
        return
    with database.transaction() as session:
        build_demo_network(session, members=20, seed=0, today=TODAY)
    target = tmp_path / "pg.dump"
    result = run_cli("backup", str(target), database_url=database.url)
    assert result.returncode == 0, result.stderr
    assert target.read_bytes()[:5] == b"PGDMP"


def test_backup_into_a_missing_directory_is_a_clear_error(sqlite_database: Database, tmp_path: Path) -> None:
    result = run_cli("backup", str(tmp_path / "nope" / "x.db"), database_url=sqlite_database.url)
    assert result.returncode == 2 and "directory does not exist" in result.stderr

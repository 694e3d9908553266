"""One demo network (with themes for its past sessions) built once per test run, copied for every test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.outreach.fixtures import TODAY, add_demo_themes, past_session_ids
from werkkring.demo import build_demo_network
from werkkring.store import Database


@pytest.fixture(scope="session")
def demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("outreach") / "demo.db"
    shutil.copy(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    with database.transaction() as session:
        build_demo_network(session, members=100, seed=3, today=TODAY)
        for session_id in past_session_ids(session):
            add_demo_themes(session, session_id)
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@pytest.fixture
def demo_url(demo_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def demo(demo_url: str) -> Iterator[Database]:
    database = Database(demo_url)
    yield database
    database.dispose()

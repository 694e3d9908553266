from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from werkkring.store import Database, current_revision, upgrade
from werkkring.store.models import Base


def test_migrations_reach_head_and_match_the_models(database: Database) -> None:
    assert current_revision(database.engine) is not None
    tables = set(inspect(database.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"models and migrations differ; write a migration: {differences}"


def test_upgrade_runs_again_without_change(database: Database) -> None:
    before = current_revision(database.engine)
    upgrade(engine=database.engine)
    assert current_revision(database.engine) == before


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_database: Database) -> None:
    with sqlite_database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1

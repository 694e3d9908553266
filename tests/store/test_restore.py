"""A backup made with `werkkring backup` restores into an empty database with everything in it (the restore
steps of docs/deploy.md): SQLite by copying the file, PostgreSQL with pg_restore."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.conftest import PG_ADMIN_URL
from tests.helpers import run_cli
from werkkring import queue
from werkkring.demo import build_demo_network
from werkkring.store import Database, current_revision
from werkkring.store.models import Base, Job, Member


def _counts(database: Database) -> dict[str, int]:
    with database.reader() as session:
        return {
            table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def test_a_backup_restores_everything(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        build_demo_network(session, members=40, seed=3)
        member = session.scalars(select(Member)).first()
        assert member is not None
        queue.enqueue(session, "mail.link", {"member_id": member.id, "purpose": "signin"})
    before = _counts(database)
    assert before["members"] >= 40 and before["jobs"] == 1
    target = tmp_path / ("backup.db" if database.is_sqlite else "backup.dump")
    result = run_cli("backup", str(target), database_url=database.url)
    assert result.returncode == 0, result.stderr

    if database.is_sqlite:
        restored_path = tmp_path / "restored.db"
        shutil.copy(target, restored_path)
        restored = Database(f"sqlite:///{restored_path}")
        name = None
    else:
        if shutil.which("pg_restore") is None:
            pytest.skip("pg_restore is not installed")
        name = f"werkkring_restore_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = database.engine.url.set(database=name)
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--host",
                url.host or "127.0.0.1",
                "--port",
                str(url.port or 5432),
                "--username",
                url.username or "postgres",
                "--dbname",
                name,
                str(target),
            ],
            check=True,
            capture_output=True,
        )
        restored = Database(url.render_as_string(hide_password=False))
    try:
        assert _counts(restored) == before
        assert current_revision(restored.engine) == current_revision(database.engine)
        with restored.reader() as session:
            assert session.scalars(select(Job.status)).all() == ["queued"]  # a job waiting still waits
        # `werkkring db upgrade` after a restore (the documented step) finds nothing to do.
        upgraded = run_cli("db", "upgrade", database_url=restored.url)
        assert upgraded.returncode == 0, upgraded.stderr
    finally:
        restored.dispose()
        if name is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

"""A kill -9 in the middle of an import leaves the database as it was before the import."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from werkkring.actions.members import import_members
from werkkring.actions.permissions import SYSTEM
from werkkring.io.members_csv import parse_members
from werkkring.store import Database
from werkkring.store.models import Member

ROWS = 20_000


@pytest.mark.slow
def test_kill_during_import_changes_nothing(database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        import_members(session, parse_members("name,email\nAl Hier,al@example.org\n"), actor=SYSTEM)
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("name,email,offers\n")
        for i in range(ROWS):
            handle.write(f"Lid {i},lid{i}@example.org,coaching en training\n")
    env = dict(os.environ, WERKKRING_DATABASE_URL=database.url)
    process = subprocess.Popen(
        [sys.executable, "-m", "werkkring", "members", "import", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stderr is not None
    # Progress lines come after each written batch: the first one means rows are in the open transaction.
    line = process.stderr.readline()
    assert line.startswith("written "), line
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    database.dispose()
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Member)) == 1
    if database.is_sqlite:
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"

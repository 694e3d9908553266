"""A consistent copy of a live database, written next to its target first and then moved into place."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from werkkring.errors import InputError
from werkkring.store.db import Database


def backup_database(database: Database, target: Path) -> None:
    target = target.resolve()
    if not target.parent.is_dir():
        raise InputError(f"directory does not exist: {target.parent}")
    partial = target.with_name(target.name + ".part")
    url = database.engine.url
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_backup(url.database, partial)
        elif url.get_backend_name() == "postgresql":
            _pg_dump(database, partial)
        else:
            raise InputError(f"backup of {url.get_backend_name()} databases is not supported")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _sqlite_backup(path: str | None, partial: Path) -> None:
    if not path or path == ":memory:":
        raise InputError("an in-memory database cannot be backed up")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    copy = sqlite3.connect(partial)
    try:
        # The online backup API copies a consistent snapshot while others keep writing.
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def _pg_dump(database: Database, partial: Path) -> None:
    if shutil.which("pg_dump") is None:
        raise InputError("pg_dump is not installed; install the PostgreSQL client tools")
    url = database.engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    command = [
        "pg_dump",
        "--format=custom",
        "--no-owner",
        f"--file={partial}",
        "--dbname",
        url.database or "",
    ]
    if url.host:
        command += ["--host", url.host]
    if url.port:
        command += ["--port", str(url.port)]
    if url.username:
        command += ["--username", url.username]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise InputError(f"pg_dump failed: {result.stderr.strip()}")

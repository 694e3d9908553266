"""Engine and session handling. SQLite gets WAL, foreign keys and a busy timeout on every connection."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS: Final = 10_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Connections kept open per process: as many as the web server runs requests at once (its thread pool), so
# that a busy page does not open and close a connection per request (with the default 5 it did, for a
# tenth of the home page's time). PostgreSQL allows 100 by default: what fits is in docs/deploy.md.
POOL_SIZE = 20
POOL_OVERFLOW = 5


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``. SQLite files run in WAL mode with foreign keys."""
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        kwargs = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW, **kwargs}
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        database = parsed.database
        if database and database != ":memory:":
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


class Database:
    """One engine and its session factory. ``transaction()`` commits on success and rolls back on any error,
    so a failed action leaves nothing half-written."""

    def __init__(self, url: str | None = None, engine: Engine | None = None) -> None:
        if engine is None and url is None:
            raise TypeError("Database needs a url or an engine")
        self.engine = engine or make_engine(url or "")
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite takes one writer at a time, and a writer that finds the lock taken sleeps in steps of up to
        # 100 ms (its busy handler) instead of waking when the lock frees: 300 posts at once waited mostly
        # asleep. The threads of one process therefore queue for their turn here and wake in order; other
        # processes still meet at SQLite's lock. Re-entrant, so a transaction opened inside another one in
        # the same thread behaves as before; bounded by the busy timeout, so nothing can wait here for ever.
        self._write_turn: threading.RLock | None = threading.RLock() if self.is_sqlite else None

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.url.get_backend_name() == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        turn = self._write_turn
        queued = turn is not None and turn.acquire(timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            session = self.sessions()
            try:
                with session.begin():
                    yield session
            finally:
                session.close()
        finally:
            if queued:
                assert turn is not None
                turn.release()

    @contextmanager
    def reader(self) -> Iterator[Session]:
        session = self.sessions()
        try:
            yield session
        finally:
            # close() releases the connection without expiring what was loaded, so templates can use it.
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()

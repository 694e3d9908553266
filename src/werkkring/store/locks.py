"""Row locks for changes that two people can make at the same moment.

Count-then-insert (the last place of a session) and read-then-replace (forming the groups, running the
synthesis, publishing) are only correct when the second request waits for the first and then reads what the
first one wrote. :func:`lock_session` gives that on both databases: on PostgreSQL the no-op ``UPDATE`` takes
the work session's row lock; on SQLite (whose driver starts the transaction at the first write) it takes the
database's write lock, waiting up to the busy timeout. Every read after it in the same transaction is the
latest, and the lock is held until the transaction ends."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from werkkring.store.db import Database
from werkkring.store.models import WorkSession

T = TypeVar("T")


def lock_session(session: Session, work_session: WorkSession) -> None:
    """Take ``work_session``'s row lock for the rest of the transaction and reload it (and its groups)."""
    session.execute(update(WorkSession).where(WorkSession.id == work_session.id).values(id=WorkSession.id))
    session.refresh(work_session)
    session.expire(work_session, ["groups"])


def retried(
    database: Database,
    work: Callable[[Session], T],
    *,
    attempts: int,
    gave_up: Callable[[], Exception] | None = None,
) -> T:
    """Run ``work`` in a transaction; when someone else's change at the same moment came first (a unique
    constraint refused this one, or SQLite's write lock stayed taken past its busy timeout), nothing was
    written: run it again, and it sees that change. After ``attempts`` a refused unique constraint raises
    ``gave_up()`` (or the database's error); any other error is raised at once."""
    for attempt in range(attempts):
        last = attempt == attempts - 1
        try:
            with database.transaction() as session:
                return work(session)
        except IntegrityError:
            if last:
                if gave_up is None:
                    raise
                raise gave_up() from None
        except OperationalError as error:
            if "database is locked" not in str(error.orig) or last:
                raise
    raise AssertionError("attempts must be at least 1")

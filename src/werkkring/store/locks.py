"""Row locks for changes that two people can make at the same moment.

Count-then-insert (the last place of a session) and read-then-replace (forming the groups, running the
synthesis, publishing) are only correct when the second request waits for the first and then reads what the
first one wrote. :func:`lock_session` gives that on both databases: on PostgreSQL the no-op ``UPDATE`` takes
the work session's row lock; on SQLite (whose driver starts the transaction at the first write) it takes the
database's write lock, waiting up to the busy timeout. Every read after it in the same transaction is the
latest, and the lock is held until the transaction ends."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from werkkring.store.models import WorkSession


def lock_session(session: Session, work_session: WorkSession) -> None:
    """Take ``work_session``'s row lock for the rest of the transaction and reload it (and its groups)."""
    session.execute(update(WorkSession).where(WorkSession.id == work_session.id).values(id=WorkSession.id))
    session.refresh(work_session)
    session.expire(work_session, ["groups"])

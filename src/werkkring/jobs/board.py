"""A re-run of a large synthesis board (``actions.board.LARGE_BOARD`` contributions and more) in the
background: the sentence vectors and the clustering of hundreds of cards take seconds and more, which no
request should hold a web process for. It re-runs on the board as it is when it runs (keeping everything the
host decided by then), as the host who asked, with no transaction open while the engine computes
(``actions.board.rerun_outside``: participants keep posting); an edit the host makes meanwhile is kept (the
job reads the board again and computes again). The board and the projector follow through the live stream:
each change of the job's status (running, trying again, failed, done) is announced on the session's channel
(``actions.board.announce_draft``), and the host's board shows it (``queries.board.draft_job``).

Idempotent: the write that stores the result also marks the job (``progress.applied``), so a job run again
after its worker died between that commit and "done" does not re-run the board a second time.

While the engine computes (minutes at 1,000 cards) the job extends its lease every minute, so neither the
sweep nor the host's board takes a long draft for one whose worker died. When it fails on an error
werkkring raised on purpose (the session can no longer be synthesised, the board kept changing), the
message's template and parameters are kept in ``progress.problem`` for the host's board, in the host's
language; any other error shows as a server error there, its details only in the log."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from sqlalchemy import update
from sqlalchemy.orm import Session

from werkkring.actions import board as board_actions
from werkkring.errors import InputError, WerkkringError
from werkkring.llm import LanguageModel
from werkkring.queue import LEASE, JobContext, handler
from werkkring.store.models import Job, utcnow

KIND = board_actions.RERUN_KIND
HEARTBEAT: Final = 60.0  # seconds between two extensions of the lease while the engine computes
log = logging.getLogger("werkkring.jobs")


def _announce(session: Session, payload: dict[str, Any], status: str) -> None:
    session_id = payload.get("session_id")
    if isinstance(session_id, int):
        board_actions.announce_draft(session, session_id, status)


@handler(KIND, max_attempts=3, backoff=10.0, announce=_announce)
def rerun_board(context: JobContext, *, session_id: int, themes: Any, member_id: int) -> None:
    with context.database.reader() as session:
        job = session.get(Job, context.job_id)
        if job is not None and (job.progress or {}).get("applied"):
            return  # stored by an earlier run of this job
    context.progress(step="clustering")
    model = LanguageModel.from_settings(context.settings)

    def applied(session: Session) -> None:
        session.execute(
            update(Job).where(Job.id == context.job_id).values(progress={"step": "stored", "applied": True})
        )

    try:
        with _alive(context):
            board_actions.rerun_outside(
                context.database,
                member_id,
                session_id,
                themes,
                version=None,
                model=model,
                in_job=True,
                also=applied,
            )
    except WerkkringError as error:
        _remember(context, error)
        raise


def _remember(context: JobContext, error: WerkkringError) -> None:
    """The message of ``error`` for the host's board (English template and parameters, translated there)."""
    if isinstance(error, InputError):
        problems = [{"template": p.template, "params": _plain(p.params)} for p in error.problems]
    else:
        problems = [{"template": error.template, "params": _plain(error.params)}]
    with context.database.transaction() as session:
        session.execute(
            update(Job)
            .where(Job.id == context.job_id)
            .values(progress={"step": "failed", "problem": problems})
        )


def _plain(params: Any) -> dict[str, Any]:
    return {
        str(k): v if isinstance(v, (int, float, bool, str)) or v is None else str(v)
        for k, v in dict(params or {}).items()
    }


@contextmanager
def _alive(context: JobContext) -> Iterator[None]:
    """Extend the job's lease every :data:`HEARTBEAT` seconds while the block runs."""
    stop = threading.Event()
    every = HEARTBEAT

    def beat() -> None:
        while not stop.wait(every):
            try:
                with context.database.transaction() as session:
                    session.execute(
                        update(Job)
                        .where(Job.id == context.job_id, Job.status == "running")
                        .values(lease_until=utcnow() + LEASE)
                    )
            except Exception:  # the next beat tries again; the lease gives five minutes
                log.warning("could not extend the lease of job %s", context.job_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"lease-{context.job_id[:8]}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)

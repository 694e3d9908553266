"""A re-run of a large synthesis board (``actions.board.LARGE_BOARD`` contributions and more) in the
background: the sentence vectors and the clustering of hundreds of cards take seconds and more, which no
request should hold a web process for. It re-runs on the board as it is when it runs (keeping everything the
host decided by then), as the host who asked, with no transaction open while the engine computes
(``actions.board.rerun_outside``: participants keep posting); an edit the host makes meanwhile is kept (the
job reads the board again and computes again). The board and the projector follow through the live stream.

Idempotent: the write that stores the result also marks the job (``progress.applied``), so a job run again
after its worker died between that commit and "done" does not re-run the board a second time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from werkkring.actions import board as board_actions
from werkkring.llm import LanguageModel
from werkkring.queue import JobContext, handler
from werkkring.store.models import Job

KIND = board_actions.RERUN_KIND


@handler(KIND, max_attempts=3, backoff=10.0)
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

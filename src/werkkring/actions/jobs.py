"""Admins run a failed background job again (the one change people make to jobs; the runner does the rest)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from werkkring import queue
from werkkring.actions._audit import record
from werkkring.actions.permissions import require_admin
from werkkring.store.models import Job, Member


def retry_job(session: Session, job_id: str, *, actor: Member) -> Job:
    require_admin(actor)
    job = queue.job_of(session, job_id)
    queue.requeue(session, job)
    record(session, actor, "job.retry", "job", job.id, kind=job.kind)
    return job

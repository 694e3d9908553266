"""Admins see the background jobs: what waits, what runs, what failed and why; a failed job can run again."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from werkkring import queue
from werkkring.actions import jobs as job_actions
from werkkring.actions.permissions import require_admin
from werkkring.store.models import JOB_STATUSES
from werkkring.web.common import database, flash, redirect, render, require_member, translate
from werkkring.web.live import stream

router = APIRouter()


@router.get("/admin/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, status: str | None = None) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        require_admin(me)
        chosen = status if status in JOB_STATUSES else None
        seen = queue.overview(session, chosen)
        return render(
            request,
            "admin_jobs.html",
            {"overview": seen, "statuses": JOB_STATUSES, "chosen": chosen},
            me=me,
            session=session,
        )


@router.get("/admin/jobs/events")
def job_events(request: Request) -> Response:
    """The job list follows what the runners do (server-sent events); the page reloads itself on a change."""
    with database(request).reader() as session:
        require_admin(require_member(request, session))
    return stream(request, [queue.CHANNEL])


@router.get("/admin/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        require_admin(me)
        job = queue.job_of(session, job_id)
        problems = queue.items_of(session, job_id, exclude="done")
        return render(request, "admin_job.html", {"job": job, "problems": problems}, me=me, session=session)


@router.post("/admin/jobs/{job_id}/retry")
def retry(request: Request, job_id: str) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        job_actions.retry_job(session, job_id, actor=me)
    flash(request, translate(request, "The job runs again; what it already did is not done twice."))
    return redirect(f"/admin/jobs/{job_id}")

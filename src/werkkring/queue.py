"""Durable background jobs: the record in our database, enqueued after commit, run once.

A job is a row in ``jobs``, written by :func:`enqueue` in the caller's own transaction: a change that rolls
back leaves no job, and a committed job survives any crash. After the commit the job's id is handed to the job
backend (huey, see :mod:`werkkring.jobs.runner`), which wakes a worker; the worker *claims* the row with one
conditional UPDATE before it runs the handler, so a job delivered twice runs once, and a job whose worker
died (``kill -9``) is found by its lease or its dead process and run again. Bulk work inside a job goes
item by item through :meth:`JobContext.items`, which records each item before its side effect, so a job run
again after a crash never repeats one.

Handlers are plain functions registered with :func:`handler`; they take a :class:`JobContext` and the job's
JSON payload as keyword arguments.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import Engine, delete, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from werkkring import live, logs
from werkkring.config import Settings
from werkkring.errors import N_, InputError, NotFoundError
from werkkring.store import Database
from werkkring.store.models import Job, JobItem, utcnow

log = logging.getLogger("werkkring.jobs")

LEASE: Final = dt.timedelta(minutes=5)
CHANNEL: Final = "jobs"  # live updates of job changes, for the admin page
BACKOFF_SECONDS: Final = 15.0
_PENDING: Final = "werkkring.jobs.pending"
WORKER: Final = f"{socket.gethostname()}:{os.getpid()}"

Handler = Callable[..., Any]
Announce = Callable[[Session, dict[str, Any], str], None]
"""Told, in the transaction that changes a job's status, the job's payload and its new status (running,
retrying, failed, done): a kind whose jobs someone watches on a page publishes it there (werkkring.live)."""


@dataclass(frozen=True)
class Kind:
    handler: Handler
    max_attempts: int
    backoff: float
    announce: Announce | None = None


KINDS: dict[str, Kind] = {}


def handler(
    kind: str,
    *,
    max_attempts: int = 5,
    backoff: float = BACKOFF_SECONDS,
    announce: Announce | None = None,
) -> Callable[[Handler], Handler]:
    """Register ``function`` as the handler of jobs of ``kind`` (retried with back-off ``backoff * 2**n``;
    ``announce``: told each change of a job's status, see :data:`Announce`)."""

    def register(function: Handler) -> Handler:
        KINDS[kind] = Kind(function, max_attempts, backoff, announce)
        return function

    return register


class JobAlreadyActive(InputError):
    """A job with the same key is queued or running (a second Send of the same newsletter)."""


# ---------------------------------------------------------------- enqueue, after commit

Dispatch = Callable[[list[tuple[str, float]]], None]
_dispatchers: dict[Engine, Dispatch] = {}


def set_dispatcher(engine: Engine, dispatch: Dispatch | None) -> None:
    """Who is told, after a commit on ``engine``, which jobs are new (id, delay); None forgets it. Without
    one the rows still wait in ``jobs`` and the next runner's sweep picks them up."""
    if dispatch is None:
        _dispatchers.pop(engine, None)
    else:
        _dispatchers[engine] = dispatch


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    key: str | None = None,
    delay: float = 0.0,
    requested_by: int | None = None,
) -> str:
    """Record a job in the caller's transaction; it is handed to the runner only once that commits."""
    if kind not in KINDS:
        raise ValueError(
            f"no handler for job kind {kind!r} (a program that enqueues imports werkkring.jobs.kinds)"
        )
    job_id = uuid.uuid4().hex
    session.add(
        Job(
            id=job_id,
            kind=kind,
            payload=payload or {},
            status="queued",
            key=key,
            active_key=key,
            max_attempts=KINDS[kind].max_attempts,
            run_after=utcnow() + dt.timedelta(seconds=delay),
            requested_by=requested_by,
            progress={},
        )
    )
    session.info.setdefault(_PENDING, []).append((job_id, delay))
    live.publish(session, CHANNEL, {"job": job_id, "kind": kind, "status": "queued"})
    return job_id


def enqueue_exclusive(
    database: Database, kind: str, payload: dict[str, Any], *, key: str, requested_by: int | None = None
) -> str:
    """A job of which only one may be queued or running at a time; a second is refused with a clear error,
    also when two arrive at the same moment (the unique key decides)."""
    try:
        with database.transaction() as session:
            if session.scalar(select(Job.id).where(Job.active_key == key)) is not None:
                raise JobAlreadyActive(N_("this is already being done; wait until it has finished"))
            job_id = enqueue(session, kind, payload, key=key, requested_by=requested_by)
    except IntegrityError:
        raise JobAlreadyActive(N_("this is already being done; wait until it has finished")) from None
    return job_id


@contextmanager
def refusing_duplicates(database: Database) -> Iterator[Session]:
    """A transaction in which a job with a key that is already queued or running is refused with
    :class:`JobAlreadyActive`, also when two such jobs are asked for at the same moment (the unique index on
    the active key decides which commit wins)."""
    try:
        with database.transaction() as session:
            yield session
    except IntegrityError as error:
        if "active_key" not in str(error.orig):
            raise
        raise JobAlreadyActive(N_("this is already being done; wait until it has finished")) from None


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    dispatch = _dispatchers.get(engine)
    if dispatch is not None:
        dispatch(list(pending))


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


# ---------------------------------------------------------------- running


@dataclass
class JobContext:
    """What a handler gets besides its payload: the job's id, the database, the settings, progress."""

    job_id: str
    kind: str
    attempt: int
    database: Database
    settings: Settings
    counts: dict[str, int] = field(default_factory=dict)

    def progress(self, **values: Any) -> None:
        """Show progress on the admin page and extend the lease (a long job is not taken for dead)."""
        with self.database.transaction() as session:
            session.execute(
                update(Job).where(Job.id == self.job_id).values(progress=values, lease_until=utcnow() + LEASE)
            )

    def items(self, keys: Iterable[str], total: int | None = None) -> Iterator[ItemStep]:
        """Each key not yet handled by an earlier run of this job, claimed (committed) before it is yielded.

        A key claimed by a run that died before finishing it is not yielded again: its side effect may have
        happened, so it is marked ``in_doubt`` for the admin to see instead of being repeated."""
        with self.database.reader() as session:
            seen = dict(
                session.execute(
                    select(JobItem.item, JobItem.status).where(JobItem.job_id == self.job_id)
                ).all()
            )
        doubtful = [key for key, status in seen.items() if status == "sending"]
        if doubtful:
            with self.database.transaction() as session:
                session.execute(
                    update(JobItem)
                    .where(JobItem.job_id == self.job_id, JobItem.item.in_(doubtful))
                    .values(status="in_doubt", error="the runner stopped while this item was in progress")
                )
            log.warning("%s items left in doubt by an earlier run", len(doubtful))
        for status in seen.values():
            done = "in_doubt" if status == "sending" else status
            self.counts[done] = self.counts.get(done, 0) + 1
        handled = sum(self.counts.values())
        retry = 0
        last_error = ""
        for key in keys:
            if key in seen:
                continue
            with self.database.transaction() as session:
                session.add(JobItem(job_id=self.job_id, item=key, status="sending"))
            step = ItemStep(key)
            yield step
            with self.database.transaction() as session:
                where = (JobItem.job_id == self.job_id, JobItem.item == key)
                if (
                    step.retry
                ):  # certainly not done (the mail server was not reached): the next attempt does it
                    session.execute(delete(JobItem).where(*where))
                else:
                    session.execute(
                        update(JobItem).where(*where).values(status=step.status, error=step.error)
                    )
            if step.retry:
                retry += 1
                last_error = step.error or ""
                continue
            self.counts[step.status] = self.counts.get(step.status, 0) + 1
            handled += 1
            if handled % 100 == 0:
                self.progress(handled=handled, total=total, **self.counts)
        self.progress(handled=handled, total=total, **self.counts)
        if retry:
            raise RetryItems(f"{retry} item(s) not done yet: {last_error}")


@dataclass
class ItemStep:
    key: str
    status: str = "done"
    error: str | None = None
    retry: bool = False

    def failed(self, error: str, *, retry: bool = False) -> None:
        """This item failed: for good (``retry=False``, e.g. an address the server refuses), or certainly
        without side effect and worth another try later (``retry=True``, e.g. the server was not reached)."""
        self.status, self.error, self.retry = "failed", error, retry


class RetryItems(Exception):
    """Some items of a bulk job are to be tried again: the job is retried after its back-off."""


class Runner:
    """Claims and runs jobs for one database; the job backend calls :meth:`run` with a job id."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings

    def claim(self, job_id: str) -> Job | None:
        now = utcnow()
        with self.database.transaction() as session:
            claimed = session.execute(
                update(Job)
                .where(
                    Job.id == job_id,
                    Job.status.in_(("queued", "retrying")),
                    Job.run_after <= now + dt.timedelta(seconds=1),
                )
                .values(
                    status="running",
                    attempts=Job.attempts + 1,
                    started_at=now,
                    lease_until=now + LEASE,
                    worker=WORKER,
                )
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return None
            job = session.get(Job, job_id)
            if job is not None:
                live.publish(session, CHANNEL, {"job": job.id, "kind": job.kind, "status": "running"})
                _announce(session, job, "running")
            return job

    def run(self, job_id: str) -> str | None:
        """Run the job if it is due and nobody else has it; returns its new status (None: not claimed)."""
        job = self.claim(job_id)
        if job is None:
            return None
        kind = KINDS.get(job.kind)
        with logs.job_context(job.id):
            log.info("job %s started (attempt %s)", job.kind, job.attempts, extra={"kind": job.kind})
            try:
                if kind is None:
                    raise LookupError(f"no handler for job kind {job.kind!r}")
                context = JobContext(job.id, job.kind, job.attempts, self.database, self.settings)
                kind.handler(context, **(job.payload or {}))
            except Exception as error:
                return self._failed(job, kind, error)
            with self.database.transaction() as session:
                session.execute(
                    update(Job)
                    .where(Job.id == job.id)
                    .values(
                        status="done", finished_at=utcnow(), active_key=None, lease_until=None, error=None
                    )
                )
                _announce(session, job, "done")
            log.info("job %s done", job.kind, extra={"kind": job.kind})
            return "done"

    def _failed(self, job: Job, kind: Kind | None, error: Exception) -> str:
        text = (
            str(error)
            if isinstance(error, RetryItems)
            else traceback.format_exception_only(error)[-1].strip()
        )
        retry = kind is not None and job.attempts < job.max_attempts and not isinstance(error, InputError)
        values: dict[str, Any] = {"error": text, "lease_until": None}
        if retry and kind is not None:
            delay = kind.backoff * 2 ** (job.attempts - 1)
            values |= {"status": "retrying", "run_after": utcnow() + dt.timedelta(seconds=delay)}
            log.warning("job %s failed, retry in %.0f s: %s", job.kind, delay, text, extra={"kind": job.kind})
        else:
            values |= {"status": "failed", "finished_at": utcnow(), "active_key": None}
            log.error("job %s failed for good: %s", job.kind, text, exc_info=error, extra={"kind": job.kind})
        with self.database.transaction() as session:
            session.execute(update(Job).where(Job.id == job.id).values(**values))
            live.publish(session, CHANNEL, {"job": job.id, "kind": job.kind, "status": values["status"]})
            _announce(session, job, values["status"])
        if retry:
            dispatch = _dispatchers.get(self.database.engine)
            if dispatch is not None:
                dispatch([(job.id, float(values["run_after"].timestamp() - utcnow().timestamp()))])
            return "retrying"
        return "failed"

    def recover(self, *, everything_due: bool = False) -> list[str]:
        """Jobs to hand to the backend again: those whose runner died (lease over, or its process gone on
        this machine) and, with ``everything_due``, every due queued job (the backend's queue is empty, so
        any due row was lost between commit and hand-over). Returns the ids, with no side effect on others."""
        now = utcnow()
        host = WORKER.rsplit(":", 1)[0]
        with self.database.transaction() as session:
            running = session.execute(
                select(Job.id, Job.worker, Job.lease_until).where(Job.status == "running")
            )
            dead = [
                job_id
                for job_id, worker, lease in running
                if (lease is not None and lease < now) or _process_gone(worker, host)
            ]
            if dead:
                session.execute(
                    update(Job)
                    .where(Job.id.in_(dead), Job.status == "running")
                    .values(
                        status="retrying",
                        run_after=now,
                        error="the runner stopped while running this job; running it again",
                    )
                )
                log.warning("%s jobs of a stopped runner run again", len(dead))
            due = list(dead)
            if everything_due:
                due += session.scalars(
                    select(Job.id).where(Job.status.in_(("queued", "retrying")), Job.run_after <= now)
                )
        return list(dict.fromkeys(due))


def _announce(session: Session, job: Job, status: str) -> None:
    kind = KINDS.get(job.kind)
    if kind is not None and kind.announce is not None:
        kind.announce(session, dict(job.payload or {}), status)


def _process_gone(worker: str | None, host: str) -> bool:
    if not worker or ":" not in worker:
        return False
    where, _, pid = worker.rpartition(":")
    if where != host or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


# ---------------------------------------------------------------- what admins see and do


@dataclass(frozen=True)
class Overview:
    counts: dict[str, int]
    jobs: list[Job]


def overview(session: Session, status: str | None = None, limit: int = 100) -> Overview:
    """Counts per status and the newest jobs (of one status, if given), newest first."""
    from sqlalchemy import func

    counts = dict(session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
    query = select(Job).order_by(Job.created_at.desc(), Job.id).limit(limit)
    if status:
        query = query.where(Job.status == status)
    return Overview({k: int(v) for k, v in counts.items()}, list(session.scalars(query)))


def job_of(session: Session, job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFoundError(N_("no job %(job)s"), {"job": job_id})
    return job


def items_of(session: Session, job_id: str, exclude: str | None = None, limit: int = 200) -> list[JobItem]:
    """The items of a bulk job (those not in status ``exclude``): who did not get the newsletter, and why."""
    query = select(JobItem).where(JobItem.job_id == job_id).order_by(JobItem.at, JobItem.item).limit(limit)
    if exclude:
        query = query.where(JobItem.status != exclude)
    return list(session.scalars(query))


HANDED_OVER: Final = "handed over again: no worker had taken it, or its worker stopped answering"


def hand_over_again(session: Session, job_id: str, *, not_taken_since: dt.datetime) -> bool:
    """A job that looks stuck — queued (or due to try again) since before ``not_taken_since`` and taken by
    no worker, or running with its lease run out (its worker stopped answering) — becomes due now and is
    handed to the backend again after the commit. One conditional UPDATE: of two asking at the same moment
    one does it, the other gets False (as when the job is no longer stuck). The runner claims a job once
    however often it is handed over."""
    now = utcnow()
    waiting = (Job.status.in_(("queued", "retrying"))) & (Job.run_after < not_taken_since)
    silent = (Job.status == "running") & (Job.lease_until < now)
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, waiting | silent)
        .values(
            status="retrying",
            run_after=now,
            lease_until=None,
            error=HANDED_OVER,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    session.info.setdefault(_PENDING, []).append((job_id, 0.0))
    return True


def requeue(session: Session, job: Job) -> None:
    """Run a failed job again from where it stopped (items already done stay done)."""
    if job.status != "failed":
        raise InputError(N_("only a failed job can be run again"))
    if job.key and session.scalar(select(Job.id).where(Job.active_key == job.key)):
        raise JobAlreadyActive(N_("this is already being done; wait until it has finished"))
    job.status, job.attempts, job.run_after, job.finished_at = "queued", 0, utcnow(), None
    job.active_key = job.key
    session.info.setdefault(_PENDING, []).append((job.id, 0.0))

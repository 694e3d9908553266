"""The job backend: huey, on a SQLite queue file (the embedded default, no extra service) or on Redis.

huey moves job ids from the process that committed them to the worker processes, runs them on worker
threads, schedules retries after their back-off and runs the periodic sweep. What huey does not keep — whether
a job was claimed, finished, or died with its worker — lives in our ``jobs`` table (:mod:`.queue`), so a queue
entry lost with a killed worker is found again by the sweep.

``werkkring worker`` runs :func:`run_worker`; ``werkkring serve`` starts :func:`start_in_process` beside the
web app for the embedded default. ``immediate`` runs each job in the committing process (tests, scripts).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from werkkring import live, queue
from werkkring.config import Settings
from werkkring.jobs import guests, notify
from werkkring.jobs import kinds as _kinds  # noqa: F401  (registers every job kind)
from werkkring.store import Database
from werkkring.store.keys import with_site_secret

log = logging.getLogger("werkkring.jobs")
NAME: Final = "werkkring"
SWEEP_SECONDS: Final = 30

# Periodic housekeeping other parts of werkkring add (the live room's guest clean-up, old live events):
# each runs in the worker once an hour, and must be safe to run twice.
HOURLY: list[Callable[[Database, Settings], None]] = []


def hourly(function: Callable[[Database, Settings], None]) -> Callable[[Database, Settings], None]:
    """Register a clean-up that the job runner does every hour (e.g. guests' data after its keeping time)."""
    HOURLY.append(function)
    return function


def make_huey(url: str) -> Huey:
    """A huey on ``url``; ``#NAME`` at the end names the queue (several werkkrings on one Redis)."""
    url, _, name = url.partition("#")
    name = name or NAME
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), results=False, timeout=10)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False)
    raise ValueError(
        f"WERKKRING_JOBS_URL must be sqlite:///FILE, redis://HOST:PORT/DB or immediate, not {url!r}"
    )


class JobBackend:
    """Ties one database's jobs to one huey: hands committed jobs over and runs them when huey says so."""

    def __init__(self, database: Database, settings: Settings, huey: Huey | None = None) -> None:
        settings = with_site_secret(settings, database)
        self.database = database
        self.settings = settings
        self.runner = queue.Runner(database, settings)
        self.immediate = settings.jobs_url == "immediate" and huey is None
        self.huey = huey if huey is not None else (None if self.immediate else make_huey(settings.jobs_url))
        if self.huey is not None:
            self.task = self.huey.task(name="werkkring.job")(self.runner.run)
            self.huey.periodic_task(crontab(minute="*"), name="werkkring.sweep")(self.sweep)
            self.huey.periodic_task(crontab(minute="7"), name="werkkring.hourly")(self.housekeeping)
        queue.set_dispatcher(database.engine, self.dispatch)
        live.configure(database, settings)

    def dispatch(self, jobs: list[tuple[str, float]]) -> None:
        for job_id, delay in jobs:
            if self.huey is None:
                if delay <= 0:
                    self.runner.run(job_id)  # immediate: right here, after the commit
                continue
            try:
                if delay > 0:
                    self.task.schedule((job_id,), delay=delay)
                else:
                    self.task(job_id)
            except Exception:
                # The row is committed; the sweep hands it over when the backend answers again.
                log.exception("could not hand job %s to the job backend; the sweep will", job_id)

    def sweep(self) -> int:
        """Hand over again what a dead worker or a lost hand-over left behind."""
        assert self.huey is not None
        due = self.runner.recover(everything_due=self.huey.pending_count() == 0)
        for job_id in due:
            self.task(job_id)
        return len(due)

    def housekeeping(self) -> None:
        cleans: list[Callable[[Database, Settings], object]] = [
            live.prune,
            guests.delete_guests,
            notify.housekeeping,
            *HOURLY,
        ]
        for clean in cleans:
            try:
                clean(self.database, self.settings)
            except Exception:
                log.exception("hourly clean-up %s failed", getattr(clean, "__name__", clean))

    def ping(self) -> str | None:
        """None when the job backend answers, else what is wrong (for /readyz)."""
        if self.huey is None:
            return None
        try:
            self.huey.pending_count()
        except Exception as error:
            return f"jobs: {type(error).__name__}: {error}"
        return None

    def consumer(self, workers: int = 2) -> Consumer:
        assert self.huey is not None, "immediate jobs need no worker"
        return _Consumer(
            self.huey, workers=workers, worker_type="thread", periodic=True, max_delay=1.0, backoff=1.3
        )

    def close(self) -> None:
        queue.set_dispatcher(self.database.engine, None)


class _Consumer(Consumer):  # type: ignore[misc]
    """huey's consumer, whose signal handlers are only set when it runs in the main thread."""

    def _set_signal_handlers(self) -> None:
        if threading.current_thread() is threading.main_thread():
            super()._set_signal_handlers()


def run_worker(backend: JobBackend, workers: int = 2) -> None:
    """``werkkring worker``: first pick up what a previous runner left, then run jobs until SIGINT/SIGTERM."""
    recovered = backend.runner.recover(everything_due=True)
    if recovered:
        log.info("picked up %s jobs left by a stopped runner or not yet handed over", len(recovered))
    backend.dispatch([(job_id, 0.0) for job_id in recovered])
    backend.consumer(workers).run()


def start_in_process(backend: JobBackend, workers: int = 1) -> Any:
    """``werkkring serve`` for the embedded default: a consumer on threads of this process. Returns it, so
    the caller can ``stop(graceful=True)`` it at shutdown."""
    recovered = backend.runner.recover(everything_due=True)
    backend.dispatch([(job_id, 0.0) for job_id in recovered])
    consumer = backend.consumer(workers)
    consumer.start()
    return consumer

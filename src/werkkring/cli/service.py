"""Running werkkring as a service: ``serve`` (the web app, with the job runner in-process for the embedded
default) and ``worker`` (the job runner on its own)."""

from __future__ import annotations

import os
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(worker)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.", envvar="HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", envvar="PORT")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Web processes.")] = 1,
    jobs: Annotated[
        bool | None,
        typer.Option(
            "--jobs/--no-jobs",
            help="Run the job runner in this process (default: yes on the SQLite job queue, no with Redis, "
            "where `werkkring worker` runs it).",
        ),
    ] = None,
) -> None:
    """Serve the web app (and, on the embedded default, run the background jobs beside it)."""
    import uvicorn

    from werkkring import logs
    from werkkring.config import Settings
    from werkkring.jobs import runner
    from werkkring.store import Database

    # Links in mails and feeds point where the server listens unless WERKKRING_BASE_URL says otherwise; set
    # in the environment so every web process started below sees the same.
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    os.environ.setdefault("WERKKRING_BASE_URL", f"http://{shown}:{port}")
    settings = Settings.from_env()
    logs.configure(settings.log_level, settings.log_format)
    consumer = None
    in_process = settings.jobs_url.startswith("sqlite:") if jobs is None else jobs
    if in_process:
        backend = runner.JobBackend(Database(settings.database_url), settings)
        consumer = runner.start_in_process(backend, workers=1)
    typer.echo(f"werkkring on http://{shown}:{port} ({workers} web process(es))", err=True)
    try:
        uvicorn.run(
            "werkkring.web.serving:app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,
            timeout_keep_alive=30,
        )
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)


def worker(
    threads: Annotated[int, typer.Option(min=1, max=32, help="Jobs run at the same time.")] = 2,
) -> None:
    """Run the background jobs (mail, newsletters, large reports and syntheses) until stopped."""
    from werkkring import logs
    from werkkring.config import Settings
    from werkkring.jobs import runner
    from werkkring.store import Database

    settings = Settings.from_env()
    logs.configure(settings.log_level, settings.log_format)
    if settings.jobs_url == "immediate":
        raise typer.BadParameter(
            "WERKKRING_JOBS_URL=immediate runs jobs where they are made; no worker needed"
        )
    runner.run_worker(runner.JobBackend(Database(settings.database_url), settings), workers=threads)

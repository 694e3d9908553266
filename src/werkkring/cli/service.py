"""Running werkkring as a service: ``serve`` (the web app, with the job runner in-process for the embedded
default) and ``worker`` (the job runner on its own)."""

from __future__ import annotations

import dataclasses
import os
from typing import Annotated

import typer

from werkkring.cli._common import database, settings


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.", envvar="HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", envvar="PORT")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Web processes.")] = 1,
    jobs: Annotated[
        bool | None,
        typer.Option(
            "--jobs/--no-jobs",
            help="Run the job runner in this process (default: yes on the SQLite job queue; with Redis "
            "`werkkring worker` runs it).",
        ),
    ] = None,
) -> None:
    """Serve the web app (and, on the embedded default, run the background jobs beside it)."""
    import uvicorn

    from werkkring import logs
    from werkkring.jobs import runner

    config = settings(ctx)
    # Links in mails and feeds point where the server listens unless WERKKRING_BASE_URL says otherwise. Set
    # in the environment too, so web processes started below (which read it once) agree.
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    if "WERKKRING_BASE_URL" not in os.environ:
        os.environ["WERKKRING_BASE_URL"] = f"http://{shown}:{port}"
        config = dataclasses.replace(config, base_url=os.environ["WERKKRING_BASE_URL"])
    logs.configure(config.log_level, config.log_format)
    consumer = None
    in_process = config.jobs_url.startswith("sqlite:") if jobs is None else jobs
    if in_process and config.jobs_url != "immediate":
        consumer = runner.start_in_process(runner.JobBackend(database(ctx), config), workers=1)
    typer.echo(f"werkkring on http://{shown}:{port} ({workers} web process(es))", err=True)
    try:
        if workers == 1:
            from werkkring.web.serving import app

            target: object = app(config)
            factory = False
        else:  # each web process builds its own app from the environment
            target, factory = "werkkring.web.serving:app", True
        uvicorn.run(
            target,  # type: ignore[arg-type]
            factory=factory,
            host=host,
            port=port,
            workers=workers,
            log_config=None,
            timeout_keep_alive=30,
            # With several processes uvicorn's supervisor kills one that does not answer its ping within
            # 5 s, and every request it holds gets no answer; a process busy with a burst (300 phones
            # posting at once on a loaded machine) can take that long.
            timeout_worker_healthcheck=30,
        )
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)


def worker(
    ctx: typer.Context,
    threads: Annotated[int, typer.Option(min=1, max=32, help="Jobs run at the same time.")] = 2,
) -> None:
    """Run the background jobs (mail, newsletters, large reports and syntheses) until stopped."""
    from werkkring import logs
    from werkkring.jobs import runner

    config = settings(ctx)
    logs.configure(config.log_level, config.log_format)
    if config.jobs_url == "immediate":
        raise typer.BadParameter(
            "WERKKRING_JOBS_URL=immediate runs each job where it is made; there is nothing for a worker to do"
        )
    runner.run_worker(runner.JobBackend(database(ctx), config), workers=threads)

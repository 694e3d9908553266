"""init, db upgrade, demo, members import/export and backup (serve and worker: cli/service.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from werkkring.actions.permissions import SYSTEM
from werkkring.cli._common import database, partial_file
from werkkring.errors import InputError
from werkkring.limits import SEED

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
members_app = typer.Typer(help="Import and export members.", no_args_is_help=True)


def version() -> None:
    """Print the werkkring version."""
    from werkkring import __version__

    typer.echo(__version__)


def init(ctx: typer.Context) -> None:
    """Create the database (or bring it up to date) at WERKKRING_DATABASE_URL."""
    from werkkring.store import upgrade

    db = database(ctx)
    upgrade(engine=db.engine)
    typer.echo(f"database ready: {db.engine.url.render_as_string(hide_password=True)}")


@db_app.command("upgrade")
def db_upgrade(
    ctx: typer.Context, revision: Annotated[str, typer.Argument(help="Target revision.")] = "head"
) -> None:
    """Apply the migrations up to REVISION (default: the newest)."""
    from werkkring.store import current_revision, upgrade

    db = database(ctx)
    upgrade(engine=db.engine, revision=revision)
    typer.echo(f"database at revision {current_revision(db.engine)}")


def demo(
    ctx: typer.Context,
    members: Annotated[int, typer.Option("--members", min=10, help="How many members.")] = 300,
    seed: Annotated[
        int, typer.Option("--seed", min=SEED.minimum, max=SEED.maximum, help="Same seed, same network.")
    ] = 0,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing (and succeed) when members already exist.")
    ] = False,
) -> None:
    """Fill an empty database with a believable demo network."""
    from werkkring.demo import build_demo_network, is_empty
    from werkkring.store import upgrade

    db = database(ctx)
    upgrade(engine=db.engine)
    with db.transaction() as session:
        if not is_empty(session):
            if if_empty:
                typer.echo("the database already holds members; demo network not added")
                return
            raise InputError("the database is not empty; the demo network only goes into an empty one")
        summary = build_demo_network(session, members=members, seed=seed)
    typer.echo(summary)


@members_app.command("import")
def members_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV with a header; see the README for the columns.")],
) -> None:
    """Import members all-or-nothing: any bad row lists every problem and stores nothing."""
    from werkkring.actions.members import import_members
    from werkkring.io.members_csv import read_members_csv

    parsed = read_members_csv(file)
    db = database(ctx)

    def progress(done: int, total: int) -> None:
        typer.echo(f"written {done}/{total}", err=True)

    with db.transaction() as session:
        count = import_members(
            session, parsed.rows, source=str(file), progress=progress, problems=parsed.problems, actor=SYSTEM
        )
    typer.echo(f"imported {count} members from {file}")


@members_app.command("export")
def members_export(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of standard output.")] = None,
) -> None:
    """Export every member in the import format."""
    from werkkring.io.members_csv import write_members
    from werkkring.queries.members import export_rows

    with database(ctx).reader() as session:
        if out is None:
            write_members(export_rows(session), sys.stdout)  # type: ignore[arg-type]
            return
        with partial_file(out) as partial, partial.open("w", encoding="utf-8", newline="") as handle:
            count = write_members(export_rows(session), handle)  # type: ignore[arg-type]
    typer.echo(f"exported {count} members to {out}", err=True)


def backup(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(help="Where to write the copy.")]
) -> None:
    """A consistent copy of the live database (SQLite: online backup API; PostgreSQL: pg_dump)."""
    from werkkring.store.backup import backup_database

    backup_database(database(ctx), file)
    typer.echo(f"backup written to {file}")

"""The `werkkring` command line: a thin layer over the actions, queries and engines.

Every command is a typed function at the top level of its subject's module (``store_commands``,
``outreach``, ``groups``, ``synthesis``, ``connections``, ``service``); this module puts them into one
tree, in the order ``werkkring --help`` lists them. The root command reads the settings once
(:class:`werkkring.config.Settings`) and hands them to every command through the click context. Errors
werkkring raises on purpose become a message on standard error and exit status 2; any other error one line
and status 1, never a traceback unless ``--debug`` is given (:mod:`werkkring.cli._errors`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from werkkring.cli import _errors, connections, groups, outreach, service, store_commands, synthesis
from werkkring.config import Settings
from werkkring.jobs import kinds as _kinds  # noqa: F401  (every job kind the commands enqueue)

app = typer.Typer(
    name="werkkring",
    help="werkkring: members, circles, work sessions, connections and initiatives for a network.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    debug: Annotated[
        bool,
        typer.Option("--debug", envvar="WERKKRING_DEBUG", help="Show the traceback of an unexpected error."),
    ] = False,
) -> None:
    """werkkring: members, circles, work sessions, connections and initiatives for a network."""
    _errors.debug.set(debug)
    ctx.obj = Settings.from_env()


app.command()(store_commands.version)
app.command()(store_commands.init)
app.add_typer(store_commands.db_app, name="db")
app.command()(store_commands.demo)
app.add_typer(store_commands.members_app, name="members")
app.command()(store_commands.backup)
app.command()(service.serve)
app.command()(service.worker)
app.add_typer(outreach.report_app, name="report")
app.add_typer(outreach.mailing_app, name="mailing")
app.add_typer(outreach.feeds_app, name="feeds")
app.command()(outreach.newsletter)
app.add_typer(groups.groups_app, name="groups")
app.command("themes")(synthesis.themes_command)
app.add_typer(connections.match_app, name="match")
app.add_typer(connections.intro_app, name="intro")


def main(argv: list[str] | None = None) -> None:
    """The ``werkkring`` program; errors end in one line on standard error (:mod:`werkkring.cli._errors`)."""
    _errors.run(app, argv)

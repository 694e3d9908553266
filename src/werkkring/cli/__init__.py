"""The `werkkring` command line: a thin layer over the actions and engines.

Every subcommand module has a ``register(app)`` function; errors werkkring raises on purpose become a
message on standard error and exit status 2.
"""

from __future__ import annotations

import sys

import typer

from werkkring.errors import WerkkringError

app = typer.Typer(
    name="werkkring",
    help="werkkring: members, circles, work sessions, connections and initiatives for a network.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """werkkring: members, circles, work sessions, connections and initiatives for a network."""


def _register_all() -> None:
    # Imported here so that `werkkring --help` stays fast and one broken module names itself.
    from werkkring.cli import connections, groups, outreach, service, store_commands, synthesis

    store_commands.register(app)
    outreach.register(app)
    groups.register(app)
    synthesis.register(app)
    connections.register(app)
    service.register(app)


def main(argv: list[str] | None = None) -> None:
    _register_all()
    try:
        app(args=argv, standalone_mode=True)
    except WerkkringError as error:
        typer.echo(f"werkkring: {error}", err=True)
        sys.exit(2)

"""init, db upgrade, demo, members import/export, backup, serve."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def version() -> None:
        """Print the werkkring version."""
        from werkkring import __version__

        typer.echo(__version__)

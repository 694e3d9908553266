"""What the commands share: the settings the root command read once, the database they name, and files that
appear under their real name only when complete."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from werkkring.config import Settings
from werkkring.errors import InputError

if TYPE_CHECKING:
    from werkkring.store import Database


def settings(ctx: typer.Context) -> Settings:
    """The settings the root command (``werkkring``) read from the environment when it started."""
    value = ctx.find_root().obj
    if not isinstance(value, Settings):
        raise RuntimeError("a werkkring command runs under the root command, which reads the settings")
    return value


def database(ctx: typer.Context) -> Database:
    from werkkring.store import Database

    return Database(settings(ctx).database_url)


@contextmanager
def partial_file(out: Path) -> Iterator[Path]:
    """A temporary path next to ``out``, moved onto ``out`` when the block ends without an error and removed
    otherwise, so a failure never leaves half a file under the real name."""
    if out.parent and not out.parent.exists():
        raise InputError(f"the folder {out.parent} does not exist")
    partial = out.with_name(out.name + ".part")
    try:
        yield partial
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def write_file(out: Path, data: bytes) -> None:
    with partial_file(out) as partial:
        partial.write_bytes(data)

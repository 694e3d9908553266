"""Alembic, driven from Python: the migrations ship inside the package, so `werkkring db upgrade` works from
any directory without an alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from werkkring.store.db import make_engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "head", engine: Engine | None = None) -> None:
    """Bring the database at ``url`` (or behind ``engine``) up to ``revision``; safe to run again."""
    if engine is None:
        if url is None:
            raise TypeError("upgrade needs a url or an engine")
        engine = make_engine(url)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()

"""Tables, migrations and database access. SQLite by default, PostgreSQL by URL; one schema for both."""

from werkkring.store.db import Database, make_engine
from werkkring.store.migrate import current_revision, upgrade

__all__ = ["Database", "current_revision", "make_engine", "upgrade"]

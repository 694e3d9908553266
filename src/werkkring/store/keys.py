"""The site's secret: WERKKRING_SECRET_KEY when set, else a random key generated once and kept in the
database, so every process (web workers, the job runner, the CLI) signs and checks with the same key, and no
constant or guessable key exists anywhere (a forged unsubscribe link is refused on every setup)."""

from __future__ import annotations

import dataclasses
import functools
import logging
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from werkkring.config import Settings
from werkkring.store.db import Database
from werkkring.store.models import SiteKey

SECRET = "secret"
log = logging.getLogger("werkkring.store")


def kept_key(database: Database, name: str = SECRET) -> str:
    """The key called ``name``, generated on first use; two processes asking at once get the same one."""
    with database.reader() as session:
        value = session.scalar(select(SiteKey.value).where(SiteKey.name == name))
    if value is not None:
        return value
    try:
        with database.transaction() as session:
            session.add(SiteKey(name=name, value=secrets.token_urlsafe(48)))
    except IntegrityError:  # another process stored it first: use theirs
        pass
    with database.reader() as session:
        return session.scalars(select(SiteKey.value).where(SiteKey.name == name)).one()


@functools.cache
def _kept_for(url: str) -> str:
    database = Database(url)
    try:
        return kept_key(database)
    finally:
        database.dispose()


def site_secret(settings: Settings, database: Database | None = None) -> str:
    """WERKKRING_SECRET_KEY, or the key kept in the database ``settings`` (or ``database``) points to."""
    if settings.secret_key:
        return settings.secret_key
    if database is not None:
        return kept_key(database)
    return _kept_for(settings.database_url)


def with_site_secret(settings: Settings, database: Database) -> Settings:
    """``settings`` with the secret filled in from ``database`` when WERKKRING_SECRET_KEY is not set; a
    program start that knows its database calls this once (the web app, the job backend)."""
    if settings.secret_key:
        return settings
    try:
        key = kept_key(database)
    except (OperationalError, ProgrammingError):  # the database is not upgraded yet (`werkkring db upgrade`)
        log.warning("the database has no site_keys table yet; sign-ins last until this process stops")
        key = secrets.token_urlsafe(48)
    return dataclasses.replace(settings, secret_key=key)

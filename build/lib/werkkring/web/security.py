"""Session cookie key and CSRF tokens (rate limits: werkkring.web.ratelimit)."""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from pathlib import Path

from fastapi import HTTPException, Request
from sqlalchemy.engine import make_url

from werkkring.config import Settings
from werkkring.store import Database

log = logging.getLogger("werkkring.web")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def secret_key(settings: Settings, database: Database) -> str:
    """WERKKRING_SECRET_KEY when set; else a random key kept in a file next to a SQLite database (so
    sign-ins survive a restart); else a fresh random key for this process (everyone signs in again)."""
    if settings.secret_key:
        return settings.secret_key
    if database.is_sqlite:
        name = make_url(database.url).database
        if name and name != ":memory:":
            path = Path(name).with_name(Path(name).name + ".secret")
            if path.exists():
                return path.read_text().strip()
            key = secrets.token_urlsafe(48)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(key)
            return key
    log.warning("WERKKRING_SECRET_KEY is not set: sessions last until this process stops")
    return secrets.token_urlsafe(48)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Every state-changing request from a page must carry the session's CSRF token (form field or header)."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(expected, sent):
        raise HTTPException(status_code=403, detail="csrf")

"""Session cookie key and CSRF tokens (rate limits: werkkring.web.ratelimit)."""

from __future__ import annotations

import hmac
import logging
import secrets

from fastapi import HTTPException, Request

log = logging.getLogger("werkkring.web")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def require_csrf(expected: object, sent: str | None) -> None:
    """The one CSRF rule: the token sent (header, else form field) is the session's, compared in constant
    time; a 403 otherwise. Used by :func:`verify_csrf` and by the room's short path (werkkring.web.lean)."""
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(expected, sent):
        raise HTTPException(status_code=403, detail="csrf")


async def verify_csrf(request: Request) -> None:
    """Every state-changing request from a page must carry the session's CSRF token (form field or header)."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    require_csrf(request.session.get("csrf"), sent)

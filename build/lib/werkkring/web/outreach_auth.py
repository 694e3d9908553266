"""Who is signed in, for the outreach routes: the ONE place they get the current member from.

Wired to the web app's signed session cookie (werkkring.web.common); tests override it with
``app.dependency_overrides[current_member]``."""

from __future__ import annotations

from fastapi import HTTPException, Request

from werkkring.store.models import Member


def current_member(request: Request) -> Member:
    """The signed-in member, or 401 when nobody is signed in."""
    from werkkring.web.common import current_member as from_cookie
    from werkkring.web.common import database

    with database(request).reader() as session:
        member = from_cookie(request, session)
    if member is None:
        raise HTTPException(status_code=401, detail="sign in first")
    return member

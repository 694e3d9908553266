"""Who is signed in, for the outreach routes: the ONE place they get the current member from.

This is a stub that refuses everyone (403) so the host and admin downloads are closed until the web app's
sign-in is wired in. LEAD: replace ``current_member`` below with (or make it call) the web app's real
dependency that returns the signed-in ``Member`` or raises 401/403; tests override it with
``app.dependency_overrides[current_member]``."""

from __future__ import annotations

from fastapi import HTTPException, Request

from werkkring.store.models import Member


def current_member(request: Request) -> Member:
    raise HTTPException(status_code=403, detail="sign-in is not wired to the outreach routes yet")

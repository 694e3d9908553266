"""The member's own notification settings: per kind, e-mail at once, the weekly digest, or off."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from werkkring.actions import notifications
from werkkring.errors import InputError
from werkkring.web.common import database, flash, redirect, render, require_member, translate
from werkkring.web.pages.session_edits import errors_by_field

router = APIRouter()


def _page(
    request: Request, modes: dict[str, str], errors: dict[str, str] | None = None, status: int = 200
) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        return render(
            request,
            "notifications.html",
            {"kinds": notifications.KINDS, "modes": modes, "errors": errors or {}},
            me=me,
            session=session,
            status_code=status,
        )


@router.get("/me/notifications", response_class=HTMLResponse)
def settings_page(request: Request) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        modes = notifications.modes_of(session, me)
    return _page(request, modes)


@router.post("/me/notifications")
async def save(request: Request) -> Response:
    form = await request.form()
    # Only the kinds the form sends change (the page sends them all).
    chosen = {kind: str(form[kind]) for kind in notifications.KINDS if kind in form}
    try:
        with database(request).transaction() as session:
            me = require_member(request, session)
            notifications.set_preferences(session, chosen, actor=me)
    except InputError as error:
        with database(request).reader() as session:
            shown = notifications.modes_of(session, require_member(request, session)) | chosen
        return _page(request, shown, errors_by_field(request, error.problems), status=400)
    flash(request, translate(request, "Your notification settings are saved."))
    return redirect("/me/notifications")

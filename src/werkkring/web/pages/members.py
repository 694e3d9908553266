"""The directory, profiles (only what each owner allows), editing my profile, my data, deleting my account,
and personal API tokens."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from werkkring.actions import accounts as account_actions
from werkkring.actions import members as member_actions
from werkkring.actions import outreach as outreach_actions
from werkkring.actions.permissions import is_admin
from werkkring.domain import MEMBER_FIELDS, PRIVATE_FIELDS, VISIBILITIES
from werkkring.errors import InputError
from werkkring.queries import circles as circle_queries
from werkkring.queries import connections as connection_queries
from werkkring.queries import members as member_queries
from werkkring.web.common import (
    database,
    flash,
    redirect,
    render,
    require_member,
    translate,
    translate_error,
)

router = APIRouter()
PAGE_SIZE = 24


@router.get("/members", response_class=HTMLResponse)
def directory_page(
    request: Request, q: str = "", circle: str = "", region: str = "", offers: str = "", page: int = 1
) -> HTMLResponse:
    page = max(1, page)
    with database(request).reader() as session:
        me = require_member(request, session)
        total, found = member_queries.search(
            session,
            me,
            q=q,
            circle=circle,
            region=region,
            offers=offers,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        cards = member_queries.profiles(session, me, found)
        searching = bool(q.strip() or offers.strip() or region.strip())
        circles = circle_queries.all_circles(session)
        return render(
            request,
            "members.html",
            {
                "cards": cards,
                "q": q,
                "circle": circle,
                "region": region,
                "offers": offers,
                "circles": circles,
                "page": page,
                "total": total,
                "pages": max(1, -(-total // PAGE_SIZE)),
                "count_cap": member_queries.COUNT_CAP,
                "capped": searching and total >= member_queries.COUNT_CAP,
            },
            me=me,
            session=session,
        )


@router.get("/members/{member_id}", response_class=HTMLResponse)
def profile_page(request: Request, member_id: int) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        member = member_queries.get_member(session, member_id)
        profile = member_queries.profiles(session, me, [member])[0]
        own = member.id == me.id
        introduction = None if own else connection_queries.introduction_with(session, me, member.id)
        return render(
            request,
            "profile.html",
            {
                "profile": profile,
                "member": member,
                "own": own,
                "states": {member.id: introduction.state} if introduction else {},
                "circle_roles": circle_queries.roles_of(session, member) if is_admin(me) else [],
                "all_circles": circle_queries.all_circles(session) if is_admin(me) else [],
            },
            me=me,
            session=session,
        )


@router.get("/me", response_class=HTMLResponse)
def my_profile(request: Request) -> Response:
    with database(request).reader() as session:
        me = require_member(request, session)
        return redirect(f"/members/{me.id}")


@router.get("/me/edit", response_class=HTMLResponse)
def edit_page(request: Request) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        return render(
            request,
            "profile_edit.html",
            {"fields": PRIVATE_FIELDS, "levels": VISIBILITIES},
            me=me,
            session=session,
        )


@router.post("/me/edit")
async def edit(request: Request) -> Response:
    form = await request.form()

    def text(name: str) -> str:
        value = form.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    # Every field the form sends, read by its kind from the one member field table; a number that is not
    # one reaches the action as typed, so the member limits name it instead of it being dropped.
    changes: dict[str, object] = {}
    for field in MEMBER_FIELDS:
        if not field.editable or field.name == "language":  # the language has its own switch
            continue
        if field.kind == "flag":
            changes[field.name] = form.get(field.name) == "on"
        elif field.name in form:
            value = text(field.name)
            if value or field.kind == "list":
                changes[field.name] = value
            elif field.clearable:
                changes[field.name] = None
    named = form.get("named_in_reports") == "on"
    visibility = {
        name: level
        for name in PRIVATE_FIELDS
        if isinstance(level := form.get(f"visibility_{name}", "network"), str)
    }

    def save() -> None:
        with database(request).transaction() as session:
            me = require_member(request, session)
            member_actions.update_profile(session, me, changes, actor=me)
            member_actions.set_visibility(session, me, visibility, actor=me)
            if me.named_in_reports != named:
                outreach_actions.set_named_in_reports(session, me, named, actor=me)

    try:
        await run_in_threadpool(save)
    except InputError as error:
        flash(request, translate_error(request, error), "error")
        return redirect("/me/edit")
    flash(request, translate(request, "Your profile has been saved."))
    return redirect("/me/edit")


@router.get("/me/calendar", response_class=HTMLResponse)
def calendar_page(request: Request) -> HTMLResponse:
    """The secret address of my calendar feed, and a new one when the old one leaked."""
    with database(request).reader() as session:
        me = require_member(request, session)
        return render(request, "calendar.html", {}, me=me, session=session)


@router.post("/me/calendar/reset")
def calendar_reset(request: Request) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        outreach_actions.reset_feed_token(session, me, actor=me)
    flash(
        request,
        translate(
            request,
            "Your calendar has a new address; the old one no longer works. Add the new one to your app.",
        ),
    )
    return redirect("/me/calendar")


@router.get("/me/data.json")
def my_data(request: Request) -> Response:
    with database(request).reader() as session:
        me = require_member(request, session)
        data = member_queries.my_data(session, me)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="werkkring-my-data.json"'},
    )


@router.get("/me/delete", response_class=HTMLResponse)
def delete_page(request: Request) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        return render(request, "delete.html", {}, me=me, session=session)


@router.post("/me/delete")
def delete(request: Request, confirm: Annotated[str, Form()] = "") -> Response:
    if confirm != "yes":
        flash(
            request,
            translate(request, "Tick the box to confirm that you want to delete your account."),
            "error",
        )
        return redirect("/me/delete")
    with database(request).transaction() as session:
        me = require_member(request, session)
        member_actions.delete_member(session, me, actor=me)
    request.session.clear()
    flash(request, translate(request, "Your account has been deleted. Thank you for taking part."))
    return redirect("/")


@router.get("/me/tokens", response_class=HTMLResponse)
def tokens_page(request: Request) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        tokens = member_queries.api_tokens(session, me)
        return render(request, "tokens.html", {"tokens": tokens, "fresh": None}, me=me, session=session)


@router.post("/me/tokens", response_class=HTMLResponse)
def create_token(request: Request, name: Annotated[str, Form()] = "") -> HTMLResponse:
    """The new token is shown once, in this answer only (no-store): it never travels in the session
    cookie and cannot be shown again; only its hash is kept."""
    with database(request).transaction() as session:
        me = require_member(request, session)
        _, token = account_actions.create_api_token(session, name, actor=me)
    with database(request).reader() as session:
        me = require_member(request, session)
        tokens = member_queries.api_tokens(session, me)
        return render(request, "tokens.html", {"tokens": tokens, "fresh": token}, me=me, session=session)


@router.post("/me/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: int) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        account_actions.revoke_api_token(session, token_id, actor=me)
    flash(request, translate(request, "The token no longer works."))
    return redirect("/me/tokens")

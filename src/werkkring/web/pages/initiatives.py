"""Initiatives: list, detail, propose, join with "what it adds for me", updates, status and progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from werkkring.actions import initiatives as initiative_actions
from werkkring.actions.permissions import is_admin
from werkkring.lifecycle import Status
from werkkring.queries import initiatives as initiative_queries
from werkkring.store.models import INITIATIVE_STATUSES, WorkSession
from werkkring.web.common import database, flash, redirect, render, require_member, translate

router = APIRouter()
Text = Annotated[str, Form()]


@router.get("/initiatives", response_class=HTMLResponse)
def initiatives_page(request: Request, status: str = "") -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        initiatives = initiative_queries.latest(
            session, status=status if status in INITIATIVE_STATUSES else None
        )
        sizes = initiative_queries.participant_counts(session)
        return render(
            request,
            "initiatives.html",
            {"initiatives": initiatives, "sizes": sizes, "status": status, "statuses": INITIATIVE_STATUSES},
            me=me,
            session=session,
        )


@router.post("/initiatives")
def propose(
    request: Request,
    title: Text,
    description: Annotated[str, Form()] = "",
    looking_for: Annotated[str, Form()] = "",
) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        initiative = initiative_actions.propose_initiative(
            session, title, description=description, looking_for=looking_for, actor=me
        )
        new_id = initiative.id
    flash(request, translate(request, "Your initiative has been proposed."))
    return redirect(f"/initiatives/{new_id}")


@router.get("/initiatives/{initiative_id}", response_class=HTMLResponse)
def initiative_page(request: Request, initiative_id: int) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        initiative, participants, updates = initiative_queries.detail(session, initiative_id)
        mine = next((p for p in participants if p.member_id == me.id), None)
        owner = initiative.owner
        origin = session.get(WorkSession, initiative.session_id) if initiative.session_id else None
        return render(
            request,
            "initiative.html",
            {
                "initiative": initiative,
                "owner": owner,
                "participants": participants,
                "updates": updates,
                "mine": mine,
                "is_owner": initiative.owner_id == me.id or is_admin(me),
                "statuses": INITIATIVE_STATUSES,
                # "from the work session <title>", when members may see that session (not a draft).
                "from_session": origin if origin is not None and origin.status != Status.DRAFT else None,
            },
            me=me,
            session=session,
        )


@router.post("/initiatives/{initiative_id}/join")
def join(
    request: Request, initiative_id: int, adds_for_me: Text, contributes: Annotated[str, Form()] = ""
) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        initiative = initiative_queries.get_initiative(session, initiative_id)
        initiative_actions.join_initiative(session, initiative, adds_for_me, contributes, actor=me)
    flash(request, translate(request, "You have joined the initiative."))
    return redirect(f"/initiatives/{initiative_id}")


@router.post("/initiatives/{initiative_id}/leave")
def leave(request: Request, initiative_id: int) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        initiative_actions.leave_initiative(
            session, initiative_queries.get_initiative(session, initiative_id), actor=me
        )
    flash(request, translate(request, "You have left the initiative."))
    return redirect(f"/initiatives/{initiative_id}")


@router.post("/initiatives/{initiative_id}/updates")
def post_update(
    request: Request, initiative_id: int, text: Text, progress: Annotated[str, Form()] = ""
) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        initiative = initiative_queries.get_initiative(session, initiative_id)
        initiative_actions.post_update(
            session, initiative, text, int(progress) if progress.strip().isdigit() else None, actor=me
        )
    flash(request, translate(request, "Your update has been posted."))
    return redirect(f"/initiatives/{initiative_id}")


@router.post("/initiatives/{initiative_id}/status")
def set_status(request: Request, initiative_id: int, status: Text) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        initiative = initiative_queries.get_initiative(session, initiative_id)
        initiative_actions.set_status(session, initiative, status, actor=me)
    flash(request, translate(request, "The status has been changed."))
    return redirect(f"/initiatives/{initiative_id}")

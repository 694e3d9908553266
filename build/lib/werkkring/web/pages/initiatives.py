"""Initiatives: list, detail, propose, join with "what it adds for me", updates, status and progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from werkkring.actions import initiatives as initiative_actions
from werkkring.actions.permissions import is_admin
from werkkring.store.models import INITIATIVE_STATUSES, Initiative, InitiativeParticipant
from werkkring.web.common import database, flash, redirect, render, require_member, translate

router = APIRouter()
Text = Annotated[str, Form()]


@router.get("/initiatives", response_class=HTMLResponse)
def initiatives_page(request: Request, status: str = "") -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        query = select(Initiative).order_by(Initiative.created_at.desc(), Initiative.id.desc())
        if status in INITIATIVE_STATUSES:
            query = query.where(Initiative.status == status)
        initiatives = session.scalars(query.limit(200)).all()
        sizes = dict(
            session.execute(
                select(InitiativeParticipant.initiative_id, func.count()).group_by(
                    InitiativeParticipant.initiative_id
                )
            ).all()
        )
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
            session, me, title, description=description, looking_for=looking_for
        )
        new_id = initiative.id
    flash(request, translate(request, "Your initiative has been proposed."))
    return redirect(f"/initiatives/{new_id}")


@router.get("/initiatives/{initiative_id}", response_class=HTMLResponse)
def initiative_page(request: Request, initiative_id: int) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        initiative = initiative_actions.get_initiative(session, initiative_id)
        participants = sorted(initiative.participants, key=lambda p: p.joined_at)
        for participant in participants:
            _ = participant.member.name
        updates = list(initiative.updates)
        for update in updates:
            _ = update.author
        mine = next((p for p in participants if p.member_id == me.id), None)
        owner = initiative.owner
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
        initiative = initiative_actions.get_initiative(session, initiative_id)
        initiative_actions.join_initiative(session, me, initiative, adds_for_me, contributes)
    flash(request, translate(request, "You have joined the initiative."))
    return redirect(f"/initiatives/{initiative_id}")


@router.post("/initiatives/{initiative_id}/leave")
def leave(request: Request, initiative_id: int) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        initiative_actions.leave_initiative(
            session, me, initiative_actions.get_initiative(session, initiative_id)
        )
    flash(request, translate(request, "You have left the initiative."))
    return redirect(f"/initiatives/{initiative_id}")


@router.post("/initiatives/{initiative_id}/updates")
def post_update(
    request: Request, initiative_id: int, text: Text, progress: Annotated[str, Form()] = ""
) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        initiative = initiative_actions.get_initiative(session, initiative_id)
        initiative_actions.post_update(
            session, me, initiative, text, int(progress) if progress.strip().isdigit() else None
        )
    flash(request, translate(request, "Your update has been posted."))
    return redirect(f"/initiatives/{initiative_id}")


@router.post("/initiatives/{initiative_id}/status")
def set_status(request: Request, initiative_id: int, status: Text) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        initiative = initiative_actions.get_initiative(session, initiative_id)
        initiative_actions.set_status(session, me, initiative, status)
    flash(request, translate(request, "The status has been changed."))
    return redirect(f"/initiatives/{initiative_id}")

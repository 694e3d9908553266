"""Circles: list, join and leave, hosts, upcoming sessions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from werkkring.actions import circles as circle_actions
from werkkring.store.models import Circle, Member, Membership, WorkSession, utcnow
from werkkring.web.common import database, flash, redirect, render, require_member, translate

router = APIRouter()


@router.get("/circles", response_class=HTMLResponse)
def circles_page(request: Request) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        circles = session.scalars(select(Circle).order_by(Circle.kind, Circle.name)).all()
        sizes = dict(
            session.execute(select(Membership.circle_id, func.count()).group_by(Membership.circle_id)).all()
        )
        mine = set(session.scalars(select(Membership.circle_id).where(Membership.member_id == me.id)))
        return render(
            request,
            "circles.html",
            {"circles": circles, "sizes": sizes, "mine": mine},
            me=me,
            session=session,
        )


@router.get("/circles/{circle_id}", response_class=HTMLResponse)
def circle_page(request: Request, circle_id: int) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        circle = circle_actions.get_circle(session, circle_id)
        hosts = session.scalars(
            select(Member)
            .join(Membership)
            .where(Membership.circle_id == circle.id, Membership.role.in_(("host", "admin")))
            .order_by(Member.name)
        ).all()
        size = session.scalar(select(func.count()).where(Membership.circle_id == circle.id)) or 0
        upcoming = session.scalars(
            select(WorkSession)
            .where(WorkSession.circle_id == circle.id, WorkSession.starts_at >= utcnow())
            .where(WorkSession.status != "cancelled")
            .order_by(WorkSession.starts_at)
            .limit(10)
        ).all()
        member_of = session.get(Membership, (me.id, circle.id)) is not None
        return render(
            request,
            "circle.html",
            {"circle": circle, "hosts": hosts, "size": size, "upcoming": upcoming, "member_of": member_of},
            me=me,
            session=session,
        )


@router.post("/circles/{circle_id}/join")
def join(request: Request, circle_id: int) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        circle_actions.join_circle(session, me, circle_actions.get_circle(session, circle_id))
    flash(request, translate(request, "You have joined the circle."))
    return redirect(f"/circles/{circle_id}")


@router.post("/circles/{circle_id}/leave")
def leave(request: Request, circle_id: int) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        circle_actions.leave_circle(session, me, circle_actions.get_circle(session, circle_id))
    flash(request, translate(request, "You have left the circle."))
    return redirect(f"/circles/{circle_id}")

"""Circles: list, join and leave, hosts, upcoming sessions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from werkkring.actions import circles as circle_actions
from werkkring.queries import circles as circle_queries
from werkkring.web.common import database, flash, redirect, render, require_member, translate

router = APIRouter()


@router.get("/circles", response_class=HTMLResponse)
def circles_page(request: Request) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        circles = circle_queries.all_circles(session, by_kind=True)
        sizes = circle_queries.sizes(session)
        mine = circle_queries.circles_of(session, me)
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
        circle = circle_queries.get_circle(session, circle_id)
        hosts = circle_queries.hosts(session, circle)
        size = circle_queries.size(session, circle)
        upcoming = circle_queries.coming_sessions(session, circle)
        member_of = circle_queries.is_member(session, me, circle)
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
        circle_actions.join_circle(session, circle_queries.get_circle(session, circle_id), actor=me)
    flash(request, translate(request, "You have joined the circle."))
    return redirect(f"/circles/{circle_id}")


@router.post("/circles/{circle_id}/leave")
def leave(request: Request, circle_id: int) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        circle_actions.leave_circle(session, circle_queries.get_circle(session, circle_id), actor=me)
    flash(request, translate(request, "You have left the circle."))
    return redirect(f"/circles/{circle_id}")

"""Connections: my suggested introductions with the reason, and "who can help me with X"."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from werkkring.actions import connections as connection_actions
from werkkring.actions import directory
from werkkring.store.models import Introduction, Member
from werkkring.web.common import database, render, require_member

router = APIRouter()


@router.get("/connections", response_class=HTMLResponse)
def connections_page(request: Request, q: str = "") -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        found = connection_actions.suggestions(session, me, top=5)
        people = {
            m.id: m
            for m in session.scalars(select(Member).where(Member.id.in_([s.member_id for s in found])))
        }
        cards = {p.id: p for p in directory.profiles(session, me, list(people.values()))}
        suggestions = [(cards[s.member_id], s) for s in found if s.member_id in cards]
        hits: list[tuple[object, connection_actions.Hit]] = []
        if q.strip():
            matched = connection_actions.search(session, me, q.strip(), top=10)
            people = {
                m.id: m
                for m in session.scalars(select(Member).where(Member.id.in_([h.member_id for h in matched])))
            }
            cards = {p.id: p for p in directory.profiles(session, me, list(people.values()))}
            hits = [(cards[h.member_id], h) for h in matched if h.member_id in cards]
        introductions = session.scalars(
            select(Introduction)
            .where((Introduction.member_a_id == me.id) | (Introduction.member_b_id == me.id))
            .order_by(Introduction.created_at.desc())
            .limit(10)
        ).all()
        others = {
            m.id: m
            for m in session.scalars(
                select(Member).where(
                    Member.id.in_(
                        [i.member_b_id if i.member_a_id == me.id else i.member_a_id for i in introductions]
                    )
                )
            )
        }
        past = [
            (i, others.get(i.member_b_id if i.member_a_id == me.id else i.member_a_id)) for i in introductions
        ]
        return render(
            request,
            "connections.html",
            {"suggestions": suggestions, "hits": hits, "q": q, "introductions": past},
            me=me,
            session=session,
        )

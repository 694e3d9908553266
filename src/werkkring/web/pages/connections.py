"""Connections: my suggested introductions with the reason, and "who can help me with X"."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from werkkring.queries import connections as connection_queries
from werkkring.queries import members as member_queries
from werkkring.web.common import database, render, require_member

router = APIRouter()


@router.get("/connections", response_class=HTMLResponse)
def connections_page(request: Request, q: str = "") -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        found = connection_queries.suggestions(session, me, top=5)
        cards = member_queries.profiles_by_id(session, me, [s.member_id for s in found])
        suggestions = [(cards[s.member_id], s) for s in found if s.member_id in cards]
        hits: list[tuple[member_queries.Profile, connection_queries.Hit]] = []
        if q.strip():
            matched = connection_queries.search(session, me, q.strip(), top=10)
            cards = member_queries.profiles_by_id(session, me, [h.member_id for h in matched])
            hits = [(cards[h.member_id], h) for h in matched if h.member_id in cards]
        past = connection_queries.introductions_of(session, me)
        return render(
            request,
            "connections.html",
            {"suggestions": suggestions, "hits": hits, "q": q, "introductions": past},
            me=me,
            session=session,
        )

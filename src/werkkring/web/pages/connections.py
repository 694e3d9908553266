"""Connections: my suggested introductions with the reason, "who can help me with X" (a page at a time,
by circle and language), and "introduce us" with double opt-in (ask, answer yes or no)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from werkkring import limits
from werkkring.actions import introductions as introduction_actions
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
    safe_next,
    translate,
    translate_error,
)

router = APIRouter()
PAGE_SIZE = 10
LANGUAGES = ("nl", "en")


@router.get("/connections", response_class=HTMLResponse)
def connections_page(
    request: Request, q: str = "", page: int = 1, circle: str = "", language: str = ""
) -> HTMLResponse:
    page = max(1, min(page, 1000))
    language = language if language in LANGUAGES else ""
    with database(request).reader() as session:
        me = require_member(request, session)
        found = connection_queries.suggestions(session, me, top=5)
        cards = member_queries.profiles_by_id(session, me, [s.member_id for s in found])
        suggestions = [(cards[s.member_id], s) for s in found if s.member_id in cards]
        hits: list[tuple[member_queries.Profile, connection_queries.Hit]] = []
        more = False
        error = None
        query = q.strip()
        if query:
            checked = limits.SEARCH.clean(query, field="q")
            if checked.value is None:
                error = translate_error(request, checked.problems[0])
            else:
                result = connection_queries.search_page(
                    session,
                    me,
                    checked.value,
                    top=PAGE_SIZE,
                    offset=(page - 1) * PAGE_SIZE,
                    circle=circle,
                    language=language,
                )
                cards = member_queries.profiles_by_id(session, me, [h.member_id for h in result.hits])
                hits = [(cards[h.member_id], h) for h in result.hits if h.member_id in cards]
                more = result.more
        past = connection_queries.introductions_of(session, me)
        states = {v.other.id: v.state for v in past if v.other is not None}

        def page_link(number: int) -> str:
            values = {"q": query, "circle": circle, "language": language, "page": number}
            return "/connections?" + urlencode({k: v for k, v in values.items() if v})

        return render(
            request,
            "connections.html",
            {
                "suggestions": suggestions,
                "hits": hits,
                "q": q,
                "page": page,
                "first": (page - 1) * PAGE_SIZE + 1,
                "more": more,
                "previous_link": page_link(page - 1) if page > 1 else None,
                "next_link": page_link(page + 1) if more else None,
                "circle": circle,
                "language": language,
                "circles": circle_queries.all_circles(session),
                "languages_spoken": LANGUAGES,
                "search_error": error,
                "introductions": past,
                "states": states,
                "path_now": str(request.url.path) + ("?" + request.url.query if request.url.query else ""),
            },
            me=me,
            session=session,
        )


@router.post("/connections/introduce")
async def introduce(
    request: Request,
    member_id: Annotated[int, Form()],
    reason: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Ask to be introduced (from a suggestion, a search hit or a profile)."""
    back = safe_next(next, "/connections")
    with database(request).reader() as session:
        me = require_member(request, session)
        me_id = me.id
    try:
        introduction = await run_in_threadpool(
            introduction_actions.ask_introduction, database(request), me_id, member_id, reason=reason
        )
    except InputError as error:
        flash(request, translate_error(request, error), "error")
        return redirect(back)
    if introduction.introduced_at is not None:
        flash(request, translate(request, "You both said yes: you are introduced. Look in your mail."))
    else:
        flash(request, translate(request, "Your request is on its way; you will hear when they answer."))
    return redirect(back)


@router.post("/connections/introductions/{introduction_id}")
async def answer_introduction(
    request: Request,
    introduction_id: int,
    answer: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Yes or no to an introduction someone asked for."""
    back = safe_next(next, "/connections#introductions")
    if answer not in ("yes", "no"):
        flash(request, translate(request, "Choose yes or no."), "error")
        return redirect(back)
    with database(request).reader() as session:
        me_id = require_member(request, session).id
    try:
        introduction = await run_in_threadpool(
            introduction_actions.answer_introduction,
            database(request),
            me_id,
            introduction_id,
            accept=answer == "yes",
        )
    except InputError as error:
        flash(request, translate_error(request, error), "error")
        return redirect(back)
    if introduction.status == "declined":
        flash(request, translate(request, "You said no; no introduction is made."))
    elif introduction.introduced_at is not None:
        flash(request, translate(request, "You both said yes: you are introduced. Look in your mail."))
    else:
        flash(request, translate(request, "Thank you; now the other one answers."))
    return redirect(back)

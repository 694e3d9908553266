"""Dot voting on the phone (/sessions/ID/vote) and the host's voting controls.

Every card of the session has a form with one button (put a dot / take it back), so the page works without
JavaScript; static/votes.js sends the same forms with fetch, asks for JSON, and follows the counts of
everyone's dots over the session's live stream."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from werkkring import lifecycle
from werkkring.actions import votes as vote_actions
from werkkring.actions._announce import input_channel
from werkkring.actions.permissions import is_session_host
from werkkring.errors import N_, InputError, PermissionDenied
from werkkring.queries import sessions as session_queries
from werkkring.queries import timer as timer_queries
from werkkring.queries import votes as vote_queries
from werkkring.queries.votes import Voter
from werkkring.store.models import Member, WorkSession
from werkkring.web.common import (
    SignInRequired,
    current_member,
    database,
    flash,
    redirect,
    render,
    require_member,
    translate,
    translate_error,
)
from werkkring.web.live import stream
from werkkring.web.pages.room import guest_in

router = APIRouter()


def person_in(request: Request, session: Session, work_session: WorkSession) -> Member:
    """Who is at this browser for ``work_session``: the signed-in member, or the guest who joined it by its
    code (a guest is a member row of that session only, so a guest votes like anyone else)."""
    me = current_member(request, session)
    if me is not None:
        return me
    guest = guest_in(request, session, work_session)
    if guest is None:
        raise SignInRequired()
    return guest


def voter_of(request: Request, session: Session, work_session: WorkSession) -> Voter:
    return Voter.member(person_in(request, session, work_session))


def require_room(request: Request, session: Session, work_session: WorkSession) -> tuple[Voter, bool]:
    """The voter and whether they host the session: participants and hosts may follow the room."""
    me = person_in(request, session, work_session)
    voter = Voter.member(me)
    hosting = me.guest_of is None and is_session_host(session, me, work_session)
    if not hosting and not vote_queries.is_participant(session, work_session, voter):
        raise PermissionDenied(N_("only the participants of this session can see this"))
    return voter, hosting


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@router.get("/sessions/{session_id}/vote", response_class=HTMLResponse)
def vote_page(request: Request, session_id: int) -> HTMLResponse:
    with database(request).reader() as session:
        work_session = session_queries.get_session(session, session_id)
        me = person_in(request, session, work_session)
        voter, hosting = require_room(request, session, work_session)
        settings = vote_queries.settings_of(session, work_session)
        spent = vote_queries.spent(session, work_session, voter)
        return render(
            request,
            "votes.html",
            {
                "ws": work_session,
                "hosting": hosting,
                "settings": settings,
                "cards": vote_queries.cards(session, work_session),
                "counts": vote_queries.counts(session, work_session),
                "mine": vote_queries.my_cards(session, work_session, voter),
                "left": max(0, settings.dots - spent),
                "timer": timer_queries.timer_of(session, work_session),
                "may_vote": settings.voting == "open"
                and lifecycle.is_live(work_session.status)
                and vote_queries.is_participant(session, work_session, voter),
            },
            me=None if me.guest_of is not None else me,  # a guest gets no member navigation
            session=session,
        )


@router.get("/sessions/{session_id}/present/events")
def room_events(request: Request, session_id: int) -> Response:
    """The session's live events (dots, voting, timer, input) for the vote page and the projector."""
    with database(request).reader() as session:
        work_session = session_queries.get_session(session, session_id)
        require_room(request, session, work_session)
    return stream(
        request,
        [vote_actions.channel(session_id), vote_actions.votes_channel(session_id), input_channel(session_id)],
    )


def _vote(request: Request, session_id: int, card: int, *, back: bool) -> Response:
    with database(request).reader() as session:
        voter = voter_of(request, session, session_queries.get_session(session, session_id))
    do = vote_actions.take_back_vote if back else vote_actions.cast_vote
    try:
        result = do(database(request), session_id, card, voter=voter)
    except (InputError, PermissionDenied) as error:
        if not _wants_json(request):
            raise
        return JSONResponse({"error": translate_error(request, error)}, status_code=400)
    if _wants_json(request):
        return JSONResponse(
            {
                "card": result.card,
                "count": result.count,
                "left": result.left,
                "dots": result.dots,
                "mine": not back,
            }
        )
    flash(request, translate(request, N_("Your dot is back.") if back else N_("Your dot is down.")))
    return redirect(f"/sessions/{session_id}/vote#card-{card}")


def _card_id(card: str) -> int:
    if not card.isdigit():
        raise InputError(N_("choose a card to put your dot on"))
    return int(card)


@router.post("/sessions/{session_id}/votes")
def cast(request: Request, session_id: int, card: Annotated[str, Form()] = "") -> Response:
    return _vote(request, session_id, _card_id(card), back=False)


@router.post("/sessions/{session_id}/votes/back")
def take_back(request: Request, session_id: int, card: Annotated[str, Form()] = "") -> Response:
    return _vote(request, session_id, _card_id(card), back=True)


@router.post("/sessions/{session_id}/voting")
def voting(
    request: Request,
    session_id: int,
    do: Annotated[str, Form()] = "",
    dots: Annotated[str, Form()] = "",
) -> Response:
    """The host: set the dots, open or close the voting."""
    with database(request).transaction() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        if do == "dots":
            if not dots.strip().isdigit():
                raise InputError(N_("the number of dots is a whole number, like 3"))
            vote_actions.set_dots(session, work_session, int(dots), actor=me)
            message = N_("The number of dots is saved.")
        elif do == "open":
            vote_actions.open_voting(session, work_session, actor=me)
            message = N_("Voting is open: participants can put their dots down.")
        elif do == "close":
            vote_actions.close_voting(session, work_session, actor=me)
            message = N_("Voting is closed.")
        else:
            raise InputError(N_("choose what to do with the voting"))
    flash(request, translate(request, message))
    return redirect(f"/sessions/{session_id}#room")


@router.post("/sessions/{session_id}/input")
def round_input(request: Request, session_id: int, do: Annotated[str, Form()] = "") -> Response:
    """The host: close the current round's input, or open it again."""
    with database(request).transaction() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        if do == "close":
            vote_actions.close_input(session, work_session, actor=me)
            message = N_("The input of this round is closed: participants can no longer add to it.")
        elif do == "open":
            vote_actions.reopen_input(session, work_session, actor=me)
            message = N_("The input of this round is open again.")
        else:
            raise InputError(N_("choose whether to close or open the input"))
    flash(request, translate(request, message))
    return redirect(f"/sessions/{session_id}#room")

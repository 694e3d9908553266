"""The live room in the JSON API: the dots (a participant's own and every card's count) and the round timer,
the same actions and rules as the vote page and the host's panel (werkkring.actions.votes / .timer)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from werkkring import limits
from werkkring.actions import timer as timer_actions
from werkkring.actions import votes as vote_actions
from werkkring.actions.permissions import is_session_host
from werkkring.errors import N_, InputError, PermissionDenied
from werkkring.queries import sessions as session_queries
from werkkring.queries import timer as timer_queries
from werkkring.queries import votes as vote_queries
from werkkring.queries.sessions import current_round
from werkkring.queries.votes import Voter
from werkkring.store.models import WorkSession
from werkkring.web.api import ERRORS, MemberId, Moment, reading, writing

router = APIRouter(prefix="/api/v1", tags=["room"], responses=ERRORS)

Round = Annotated[int, Query(ge=1, le=limits.DB_INT_MAX, description="The round (world café); 1 by default.")]


class CardOut(BaseModel):
    id: int
    group: int | None
    text: str
    dots: int
    mine: bool


class VotesOut(BaseModel):
    voting: Literal["closed", "open", "ended"]
    dots: int = Field(description="Dots each participant has.")
    left: int = Field(description="Dots the token's member has left.")
    cards: list[CardOut]


class CastIn(BaseModel):
    card: int = Field(ge=1, le=limits.DB_INT_MAX, description="The contribution to put a dot on.")


class CastOut(BaseModel):
    card: int
    count: int
    left: int
    dots: int


class TimerOut(BaseModel):
    round: int
    state: Literal["idle", "running", "paused", "done"]
    left: int = Field(description="Whole seconds left now.")
    ends_at: Moment | None


class TimerIn(BaseModel):
    do: Literal["start", "pause", "add", "reset"]
    minutes: int | None = Field(None, ge=-600, le=600, description="For start (the round's length) and add.")
    round: int = Field(1, ge=1, le=limits.DB_INT_MAX)


@router.get("/sessions/{session_id}/votes", response_model=VotesOut, summary="The dots (participants, host)")
def votes(request: Request, member_id: MemberId, session_id: int) -> VotesOut:
    with reading(request, member_id) as (session, actor):
        work_session = session_queries.get_session(session, session_id)
        voter = Voter.member(actor)
        if not is_session_host(session, actor, work_session) and not vote_queries.is_participant(
            session, work_session, voter
        ):
            raise PermissionDenied(N_("only the participants of this session can see this"))
        settings = vote_queries.settings_of(session, work_session)
        counts = vote_queries.counts(session, work_session)
        mine = vote_queries.my_cards(session, work_session, voter)
        return VotesOut(
            voting=settings.voting,  # type: ignore[arg-type]
            dots=settings.dots,
            left=max(0, settings.dots - vote_queries.spent(session, work_session, voter)),
            cards=[
                CardOut(id=c.id, group=group, text=c.text, dots=counts.get(c.id, 0), mine=c.id in mine)
                for c, group in vote_queries.cards(session, work_session)
            ],
        )


def _cast(request: Request, member_id: int, session_id: int, card: int, *, back: bool) -> CastOut:
    with reading(request, member_id) as (_, actor):
        voter = Voter.member(actor)
    do = vote_actions.take_back_vote if back else vote_actions.cast_vote
    result = do(request.app.state.database, session_id, card, voter=voter)
    return CastOut(card=result.card, count=result.count, left=result.left, dots=result.dots)


@router.post("/sessions/{session_id}/votes", response_model=CastOut, summary="Put a dot on a card")
def cast(request: Request, member_id: MemberId, session_id: int, body: CastIn) -> CastOut:
    return _cast(request, member_id, session_id, body.card, back=False)


@router.delete("/sessions/{session_id}/votes/{card}", response_model=CastOut, summary="Take a dot back")
def take_back(request: Request, member_id: MemberId, session_id: int, card: int) -> CastOut:
    return _cast(request, member_id, session_id, card, back=True)


class VotingIn(BaseModel):
    do: Literal["open", "close", "dots"] = Field(description="Open the voting, close it, or set the dots.")
    dots: int | None = Field(
        None, ge=0, le=limits.DB_INT_MAX, description="For dots: how many each participant gets."
    )


class VotingOut(BaseModel):
    voting: Literal["closed", "open", "ended"]
    dots: int


@router.put(
    "/sessions/{session_id}/voting", response_model=VotingOut, summary="Open or close the voting (host)"
)
def set_voting(request: Request, member_id: MemberId, session_id: int, body: VotingIn) -> VotingOut:
    """The host's voting controls, as on the host's panel: the same actions, rules and audit entries."""
    with writing(request, member_id) as (session, actor):
        work_session = session_queries.get_session(session, session_id)
        if body.do == "open":
            row = vote_actions.open_voting(session, work_session, actor=actor)
        elif body.do == "close":
            row = vote_actions.close_voting(session, work_session, actor=actor)
        else:
            if body.dots is None:
                raise InputError(N_("the number of dots is a whole number, like 3"))
            row = vote_actions.set_dots(session, work_session, body.dots, actor=actor)
        return VotingOut(voting=row.voting, dots=row.dots)  # type: ignore[arg-type]


class InputIn(BaseModel):
    do: Literal["close", "open"] = Field(description="Close the current round's input, or open it again.")


class InputOut(BaseModel):
    round: int = Field(description="The current round.")
    open: bool = Field(description="Whether participants may add input to the current round.")


def _input_out(session: Session, work_session: WorkSession) -> InputOut:
    current = current_round(session, work_session)
    return InputOut(round=current, open=vote_queries.round_takes_input(session, work_session, current))


@router.get("/sessions/{session_id}/input", response_model=InputOut, summary="Whether the round takes input")
def round_input(request: Request, member_id: MemberId, session_id: int) -> InputOut:
    with reading(request, member_id) as (session, _):
        return _input_out(session, session_queries.get_session(session, session_id))


@router.put(
    "/sessions/{session_id}/input",
    response_model=InputOut,
    summary="Close or reopen the round's input (host)",
)
def set_round_input(request: Request, member_id: MemberId, session_id: int, body: InputIn) -> InputOut:
    with writing(request, member_id) as (session, actor):
        work_session = session_queries.get_session(session, session_id)
        if body.do == "close":
            vote_actions.close_input(session, work_session, actor=actor)
        else:
            vote_actions.reopen_input(session, work_session, actor=actor)
        return _input_out(session, work_session)


def _timer_out(view: timer_queries.TimerView) -> TimerOut:
    ends_at = view.ends_at.replace(tzinfo=dt.UTC) if view.ends_at is not None else None  # stored in UTC
    return TimerOut(round=view.round_no, state=view.state, left=view.left, ends_at=ends_at)  # type: ignore[arg-type]


@router.get("/sessions/{session_id}/timer", response_model=TimerOut, summary="A round's timer")
def timer(request: Request, member_id: MemberId, session_id: int, round: Round = 1) -> TimerOut:
    with reading(request, member_id) as (session, _):
        work_session = session_queries.get_session(session, session_id)
        return _timer_out(timer_queries.timer_of(session, work_session, round))


@router.post(
    "/sessions/{session_id}/timer", response_model=TimerOut, summary="Start, pause, add to, reset (host)"
)
def set_timer(request: Request, member_id: MemberId, session_id: int, body: TimerIn) -> TimerOut:
    with writing(request, member_id) as (session, actor):
        work_session = session_queries.get_session(session, session_id)
        if body.do == "start":
            row = timer_actions.start(
                session, work_session, actor=actor, minutes=body.minutes, round_no=body.round
            )
        elif body.do == "pause":
            row = timer_actions.pause(session, work_session, actor=actor, round_no=body.round)
        elif body.do == "add":
            if body.minutes is None:
                raise InputError(N_("say how many minutes to add"), params={})
            row = timer_actions.add_minutes(
                session, work_session, body.minutes, actor=actor, round_no=body.round
            )
        else:
            row = timer_actions.reset(session, work_session, actor=actor, round_no=body.round)
        session.flush()
        return _timer_out(timer_queries.view_of(row, body.round))

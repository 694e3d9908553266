"""The JSON API under /api/v1. Authentication by a personal token (``Authorization: Bearer wk_...``); every
call goes through the same actions and privacy rules as the pages, so the API never shows or allows more."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, PlainSerializer, WithJsonSchema
from sqlalchemy.orm import Session

from werkkring.actions import accounts as account_actions
from werkkring.actions import circles as circle_actions
from werkkring.actions import helix as helix_actions
from werkkring.actions import initiatives as initiative_actions
from werkkring.actions import session_edits
from werkkring.actions import sessions as session_actions
from werkkring.actions.permissions import is_session_host, require_session_host
from werkkring.domain import TIMEZONE
from werkkring.errors import PermissionDenied
from werkkring.lifecycle import Status
from werkkring.queries import circles as circle_queries
from werkkring.queries import helix as helix_queries
from werkkring.queries import initiatives as initiative_queries
from werkkring.queries import members as member_queries
from werkkring.queries import sessions as session_queries
from werkkring.store import Database
from werkkring.store.models import Initiative, Member, WorkSession

bearer = HTTPBearer(auto_error=False, description="A personal API token from your profile page.")


def _aware(moment: dt.datetime) -> str:
    """Times are stored as wall-clock time in the network's zone; the API says which zone (RFC 3339)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(TIMEZONE))).isoformat()


Moment = Annotated[
    dt.datetime,
    PlainSerializer(_aware, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]


class ProblemOut(BaseModel):
    message: str
    field: str | None = None


class ErrorOut(BaseModel):
    """Every error answer: one line saying what is wrong, and per field what to change where it applies."""

    error: str
    problems: list[ProblemOut] | None = None
    request_id: str | None = None


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("The input breaks a rule (each problem names its field)."),
    401: _error("No token, or a token that is unknown or revoked."),
    403: _error("The token's member may not do this."),
    404: _error("There is no such record (also for ids no record can have)."),
    409: _error("Someone else changed the same thing a moment ago; nothing was changed."),
    429: _error("Too many requests; wait a while."),
}
router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERRORS)


def _database(request: Request) -> Database:
    db: Database = request.app.state.database
    return db


def token_member_id(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> int:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            401, "send a personal token: Authorization: Bearer wk_...", {"WWW-Authenticate": "Bearer"}
        )
    with _database(request).reader() as session:
        member = account_actions.member_for_api_token(session, credentials.credentials)
        if member is None:
            raise HTTPException(401, "this token is unknown or revoked", {"WWW-Authenticate": "Bearer"})
        return member.id


MemberId = Annotated[int, Depends(token_member_id)]


@contextmanager
def reading(request: Request, member_id: int) -> Iterator[tuple[Session, Member]]:
    with _database(request).reader() as session:
        yield session, member_queries.get_member(session, member_id)


@contextmanager
def writing(request: Request, member_id: int) -> Iterator[tuple[Session, Member]]:
    with _database(request).transaction() as session:
        yield session, member_queries.get_member(session, member_id)


class ProfileOut(BaseModel):
    """A member as the caller may see them: private fields the owner hides are simply absent."""

    id: int
    name: str
    circles: list[str]
    fields: dict[str, Any] = Field(description="Only the fields the owner lets the caller see.")


class CircleOut(BaseModel):
    id: int
    slug: str
    name: str
    kind: str
    region: str | None
    description: str


class SessionOut(BaseModel):
    id: int
    title: str
    question: str
    starts_at: Moment
    ends_at: Moment | None
    place: str | None
    online_url: str | None
    capacity: int | None
    group_size: int
    status: str
    circle_id: int | None
    host_id: int | None
    summary: str


class SessionIn(BaseModel):
    title: str
    question: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    place: str | None = None
    online_url: str | None = None
    capacity: int | None = None
    group_size: int = 4
    circle_id: int | None = None
    language: str = "nl"


class SessionEdit(BaseModel):
    title: str
    question: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    place: str | None = None
    online_url: str | None = None
    capacity: int | None = None


class CancellationIn(BaseModel):
    reason: str


class GroupOut(BaseModel):
    number: int
    locked: bool
    members: list[int]


class ContributionOut(BaseModel):
    id: int
    group: int | None
    text: str
    is_proposal: bool
    theme_id: int | None


class ContributionIn(BaseModel):
    text: str
    is_proposal: bool = False
    anonymous: bool = False
    group: int | None = None


class ThemeOut(BaseModel):
    id: int
    label: str
    summary: str
    size: int
    quotes: list[Any]


class InitiativeOut(BaseModel):
    id: int
    title: str
    description: str
    status: str
    progress: int
    owner_id: int | None
    session_id: int | None
    looking_for: str
    participants: int


class JoinIn(BaseModel):
    adds_for_me: str
    contributes: str = ""


class HelixIn(BaseModel):
    helix: str
    hours: Decimal
    date: dt.date | None = None
    note: str = ""


class HelixOut(BaseModel):
    id: int
    date: dt.date
    helix: str
    hours: Decimal
    note: str


def _session_out(ws: WorkSession) -> SessionOut:
    return SessionOut.model_validate(ws, from_attributes=True)


def _initiative_out(initiative: Initiative) -> InitiativeOut:
    return InitiativeOut(
        id=initiative.id,
        title=initiative.title,
        description=initiative.description,
        status=initiative.status,
        progress=initiative.progress,
        owner_id=initiative.owner_id,
        session_id=initiative.session_id,
        looking_for=initiative.looking_for,
        participants=len(initiative.participants),
    )


def _profile_out(profile: member_queries.Profile) -> ProfileOut:
    return ProfileOut(id=profile.id, name=profile.name, circles=profile.circles, fields=profile.fields)


@router.get("/me", response_model=ProfileOut, summary="The member this token belongs to")
def me(request: Request, member_id: MemberId) -> ProfileOut:
    with reading(request, member_id) as (session, actor):
        return _profile_out(member_queries.profiles(session, actor, [actor])[0])


@router.get("/members", response_model=list[ProfileOut], summary="Search the directory")
def members(
    request: Request,
    member_id: MemberId,
    q: str = "",
    circle: str = "",
    region: str = "",
    offers: str = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[ProfileOut]:
    with reading(request, member_id) as (session, actor):
        _, found = member_queries.search(
            session, actor, q=q, circle=circle, region=region, offers=offers, limit=limit, offset=offset
        )
        return [_profile_out(p) for p in member_queries.profiles(session, actor, found)]


@router.get("/members/{other_id}", response_model=ProfileOut)
def member(request: Request, member_id: MemberId, other_id: int) -> ProfileOut:
    with reading(request, member_id) as (session, actor):
        other = member_queries.get_member(session, other_id)
        return _profile_out(member_queries.profiles(session, actor, [other])[0])


@router.get("/circles", response_model=list[CircleOut])
def circles(request: Request, member_id: MemberId) -> list[CircleOut]:
    with reading(request, member_id) as (session, _):
        return [
            CircleOut.model_validate(c, from_attributes=True) for c in circle_queries.all_circles(session)
        ]


@router.post("/circles/{circle_id}/membership", status_code=204, summary="Join a circle")
def join_circle(request: Request, member_id: MemberId, circle_id: int) -> None:
    with writing(request, member_id) as (session, actor):
        circle_actions.join_circle(session, circle_queries.get_circle(session, circle_id), actor=actor)


@router.delete("/circles/{circle_id}/membership", status_code=204, summary="Leave a circle")
def leave_circle(request: Request, member_id: MemberId, circle_id: int) -> None:
    with writing(request, member_id) as (session, actor):
        circle_actions.leave_circle(session, circle_queries.get_circle(session, circle_id), actor=actor)


@router.get("/sessions", response_model=list[SessionOut], summary="Upcoming work sessions")
def sessions(request: Request, member_id: MemberId, past: bool = False) -> list[SessionOut]:
    with reading(request, member_id) as (session, me):
        return [_session_out(ws) for ws in session_queries.by_start(session, past=past, viewer=me)]


@router.post("/sessions", response_model=SessionOut, status_code=201, summary="Create a work session (hosts)")
def create_session(request: Request, member_id: MemberId, body: SessionIn) -> SessionOut:
    with writing(request, member_id) as (session, actor):
        return _session_out(session_actions.create_session(session, **body.model_dump(), actor=actor))


@router.get("/sessions/{session_id}", response_model=SessionOut)
def get_session(request: Request, member_id: MemberId, session_id: int) -> SessionOut:
    with reading(request, member_id) as (session, me):
        return _session_out(session_queries.visible_session(session, me, session_id))


@router.put("/sessions/{session_id}", response_model=SessionOut, summary="Edit a session (its host)")
def edit_session(request: Request, member_id: MemberId, session_id: int, body: SessionEdit) -> SessionOut:
    """Who signed up is mailed when the title, question, time or place changes."""
    fields = body.model_dump()
    # Session times are wall-clock times in Europe/Amsterdam; a time with a zone is turned into one.
    for name in ("starts_at", "ends_at"):
        moment = fields[name]
        if moment is not None and moment.tzinfo is not None:
            fields[name] = moment.astimezone(ZoneInfo(TIMEZONE)).replace(tzinfo=None)
    with writing(request, member_id) as (session, actor):
        work_session = session_queries.get_session(session, session_id)
        session_edits.edit_session(session, work_session, **fields, actor=actor)
        return _session_out(work_session)


@router.post(
    "/sessions/{session_id}/cancellation", response_model=SessionOut, summary="Cancel a session (its host)"
)
def cancel_session(
    request: Request, member_id: MemberId, session_id: int, body: CancellationIn
) -> SessionOut:
    with writing(request, member_id) as (session, actor):
        work_session = session_queries.get_session(session, session_id)
        session_edits.cancel_session(session, work_session, body.reason, actor=actor)
        return _session_out(work_session)


@router.post("/sessions/{session_id}/registration", status_code=204, summary="Sign up")
def register(request: Request, member_id: MemberId, session_id: int) -> None:
    with writing(request, member_id) as (session, actor):
        session_actions.register(session, session_queries.get_session(session, session_id), actor=actor)


@router.delete("/sessions/{session_id}/registration", status_code=204, summary="Cancel my sign-up")
def cancel(request: Request, member_id: MemberId, session_id: int) -> None:
    with writing(request, member_id) as (session, actor):
        session_actions.cancel_registration(
            session, session_queries.get_session(session, session_id), actor=actor
        )


@router.get(
    "/sessions/{session_id}/groups",
    response_model=list[GroupOut],
    summary="Breakout groups: all for the host, my own for a participant",
)
def groups(request: Request, member_id: MemberId, session_id: int) -> list[GroupOut]:
    with reading(request, member_id) as (session, actor):
        ws = session_queries.get_session(session, session_id)
        visible = ws.groups if is_session_host(session, actor, ws) else []
        if not visible:
            own = session_queries.group_of(session, ws, actor.id)
            visible = [own] if own is not None else []
        return [
            GroupOut(number=g.number, locked=g.locked, members=sorted(s.member_id for s in g.seats))
            for g in visible
        ]


@router.post("/sessions/{session_id}/groups", response_model=list[GroupOut], summary="Form the groups (host)")
def form_groups(request: Request, member_id: MemberId, session_id: int, seed: int = 0) -> list[GroupOut]:
    with writing(request, member_id) as (session, actor):
        ws = session_queries.get_session(session, session_id)
        require_session_host(session, actor, ws)
        made = session_actions.form_groups(session, ws, seed=seed, actor=actor)
        return [
            GroupOut(number=g.number, locked=g.locked, members=sorted(s.member_id for s in g.seats))
            for g in made
        ]


@router.get(
    "/sessions/{session_id}/contributions",
    response_model=list[ContributionOut],
    summary="Input: all for the host or once published, my group's for a participant",
)
def contributions(request: Request, member_id: MemberId, session_id: int) -> list[ContributionOut]:
    with reading(request, member_id) as (session, actor):
        ws = session_queries.get_session(session, session_id)
        found = session_queries.contributions_of(session, ws)
        if not (is_session_host(session, actor, ws) or ws.status == Status.PUBLISHED):
            own = session_queries.group_of(session, ws, actor.id)
            found = [c for c in found if own is not None and c.group_id == own.id]
        numbers = {g.id: g.number for g in ws.groups}
        return [
            ContributionOut(
                id=c.id,
                group=numbers.get(c.group_id) if c.group_id else None,
                text=c.text,
                is_proposal=c.is_proposal,
                theme_id=c.theme_id,
            )
            for c in found
        ]


@router.post("/sessions/{session_id}/contributions", response_model=ContributionOut, status_code=201)
def contribute(
    request: Request, member_id: MemberId, session_id: int, body: ContributionIn
) -> ContributionOut:
    with writing(request, member_id) as (session, actor):
        ws = session_queries.get_session(session, session_id)
        c = session_actions.add_contribution(
            session,
            ws,
            body.text,
            group_number=body.group,
            is_proposal=body.is_proposal,
            anonymous=body.anonymous,
            actor=actor,
        )
        number = next((g.number for g in ws.groups if g.id == c.group_id), None)
        return ContributionOut(
            id=c.id, group=number, text=c.text, is_proposal=c.is_proposal, theme_id=c.theme_id
        )


@router.get(
    "/sessions/{session_id}/themes", response_model=list[ThemeOut], summary="Themes (host, or once published)"
)
def themes(request: Request, member_id: MemberId, session_id: int) -> list[ThemeOut]:
    with reading(request, member_id) as (session, actor):
        ws = session_queries.get_session(session, session_id)
        if ws.status != Status.PUBLISHED and not is_session_host(session, actor, ws):
            raise PermissionDenied("the themes are visible once the host publishes them")
        return [
            ThemeOut.model_validate(t, from_attributes=True) for t in session_queries.themes_of(session, ws)
        ]


@router.get("/initiatives", response_model=list[InitiativeOut])
def initiatives(request: Request, member_id: MemberId) -> list[InitiativeOut]:
    with reading(request, member_id) as (session, _):
        found = initiative_queries.latest(session)
        return [_initiative_out(i) for i in found]


@router.get("/initiatives/{initiative_id}", response_model=InitiativeOut)
def initiative(request: Request, member_id: MemberId, initiative_id: int) -> InitiativeOut:
    with reading(request, member_id) as (session, _):
        return _initiative_out(initiative_queries.get_initiative(session, initiative_id))


@router.post(
    "/initiatives/{initiative_id}/participants", status_code=204, summary="Join, saying what it adds for you"
)
def join_initiative(request: Request, member_id: MemberId, initiative_id: int, body: JoinIn) -> None:
    with writing(request, member_id) as (session, actor):
        initiative_obj = initiative_queries.get_initiative(session, initiative_id)
        initiative_actions.join_initiative(
            session, initiative_obj, body.adds_for_me, body.contributes, actor=actor
        )


@router.get("/helix-entries", response_model=list[HelixOut], summary="My own helix entries")
def helix_entries(request: Request, member_id: MemberId, since: dt.date | None = None) -> list[HelixOut]:
    with reading(request, member_id) as (session, actor):
        rows = helix_queries.entries(session, actor, since=since, limit=1000)
        return [HelixOut.model_validate(e, from_attributes=True) for e in rows]


@router.post("/helix-entries", response_model=HelixOut, status_code=201)
def log_hours(request: Request, member_id: MemberId, body: HelixIn) -> HelixOut:
    with writing(request, member_id) as (session, actor):
        entry = helix_actions.log_hours(
            session, helix=body.helix, hours=body.hours, date=body.date, note=body.note, actor=actor
        )
        return HelixOut.model_validate(entry, from_attributes=True)

"""The host's synthesis board in the JSON API (under /api/v1, beside werkkring.web.api): read the board and
make every edit the page makes, through the same actions. Each edit names the board ``version`` it was made
on; an edit on an older board is refused with 409 (reload with GET and do it again), bad input with 400 and
the problems, a participant with 403."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from werkkring.actions import board as board_actions
from werkkring.actions.permissions import require_session_host
from werkkring.errors import ConflictError, fill
from werkkring.limits import DB_INT_MAX
from werkkring.llm import LanguageModel
from werkkring.queries import board as board_queries
from werkkring.queries import sessions as session_queries
from werkkring.queue import JobAlreadyActive
from werkkring.web.api import ERRORS, MemberId, Moment, reading, writing
from werkkring.web.common import database, settings

BOARD_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    400: {
        **ERRORS[400],
        "description": "Bad input: `error` and `problems` (message, field) say what and where",
    },
    403: {**ERRORS[403], "description": "Only the session's host (or an admin) edits the board"},
    409: {
        **ERRORS[409],
        "description": "The board changed since `version` (another host edited it): GET it and edit again",
    },
}
router = APIRouter(prefix="/api/v1", tags=["board"], responses=BOARD_ERRORS)
Version = Annotated[
    int, Field(ge=0, le=DB_INT_MAX, description="The board version the edit was made on (from GET .../board)")
]
Id = Annotated[int, Field(ge=1, le=DB_INT_MAX)]
Themes = Annotated[int, Field(ge=1, le=40)] | Literal["auto"]


class CardOut(BaseModel):
    id: int
    text: str
    group: int | None
    placed: bool = Field(description="The host placed this card in its theme; a re-run keeps it there")
    key: bool
    proposal: bool
    dots: int
    aside: str | None = Field(
        description="Why it is set aside: host, off_topic, alone; null when on the board"
    )
    aside_detail: str


class BoardThemeOut(BaseModel):
    id: int
    label: str
    summary: str
    label_source: str = Field(description="draft, host, group or model: a draft is to be accepted")
    summary_source: str
    pinned: bool = Field(description="Named or made by the host: a re-run keeps the theme and its cards")
    size: int
    groups: list[int]
    quotes: list[str]
    undercurrent: bool
    cards: list[CardOut]


class DraftOut(BaseModel):
    """The board's last background draft (a board of ``LARGE_BOARD`` cards and more is drafted as a job)."""

    job: str
    state: Literal["queued", "running", "retrying", "failed", "done"] = Field(
        description="queued: waiting for the worker; running; retrying: an attempt failed and it is tried "
        "again at retry_at; failed: for good (see problem; POST .../board/retry tries again); done"
    )
    asked_at: Moment
    started_at: Moment | None
    finished_at: Moment | None
    retry_at: Moment | None
    attempts: int
    max_attempts: int
    themes: int | None = Field(description="The number of themes asked for (null: automatic)")
    stuck: bool = Field(
        description="Queued and taken by no worker for minutes, or its worker stopped answering: "
        "retry applies"
    )
    can_retry: bool = Field(description="POST .../board/retry applies (failed or stuck)")
    problem: list[str] = Field(description="Why it failed, is tried again or is stuck, for people (English)")


class BoardOut(BaseModel):
    version: int
    themes: list[BoardThemeOut]
    unsorted: list[CardOut] = Field(description="Cards in no theme yet (new input, or brought back)")
    aside: list[CardOut]
    running: bool = Field(description="A re-run runs in the background")
    asked: int | None = Field(description="The number of themes last asked for (null: automatic)")
    draft: DraftOut | None = Field(
        None, description="The last background draft, whatever became of it; null when there was none"
    )


class MoveIn(BaseModel):
    card: Id
    theme: Id
    version: Version


class AsideIn(BaseModel):
    card: Id
    reason: str = ""
    version: Version


class BackIn(BaseModel):
    card: Id
    theme: Id | None = None
    version: Version


class ThemeIn(BaseModel):
    label: str
    summary: str = ""
    version: Version


class ThemeEditIn(BaseModel):
    label: str | None = None
    summary: str | None = None
    accept: bool = Field(False, description="Accept the drafted label and summary line as they are")
    version: Version


class OrderIn(BaseModel):
    step: Literal["up", "down"]
    version: Version


class MergeIn(BaseModel):
    into: Id
    version: Version


class SplitIn(BaseModel):
    parts: Themes = "auto"
    version: Version


class RerunIn(BaseModel):
    themes: Themes = "auto"
    version: Version


class JobOut(BaseModel):
    job: str
    board: BoardOut


def _board(session: Any, work_session: Any) -> BoardOut:
    view = board_queries.board_of(session, work_session)
    return BoardOut.model_validate(
        {
            "version": view.version,
            "themes": [
                {
                    **t.__dict__,
                    "groups": list(t.groups),
                    "quotes": list(t.quotes),
                    "cards": [c.__dict__ for c in t.cards],
                }
                for t in view.themes
            ],
            "unsorted": [c.__dict__ for c in view.unsorted],
            "aside": [c.__dict__ for c in view.aside],
            "running": view.running,
            "asked": view.asked,
            "draft": _draft(view.draft),
        }
    )


def _draft(draft: board_queries.DraftJob | None) -> DraftOut | None:
    if draft is None:
        return None
    return DraftOut(
        job=draft.id,
        state=draft.state,
        asked_at=draft.asked_at,
        started_at=draft.started_at,
        finished_at=draft.finished_at,
        retry_at=draft.retry_at,
        attempts=draft.attempts,
        max_attempts=draft.max_attempts,
        themes=draft.themes,
        stuck=draft.stuck,
        can_retry=draft.can_retry,
        problem=[fill(m.template, m.params) for m in draft.problem],
    )


@router.get(
    "/sessions/{session_id}/board", response_model=BoardOut, responses=ERRORS, summary="The board (host)"
)
def get_board(request: Request, member_id: MemberId, session_id: int) -> BoardOut:
    with reading(request, member_id) as (session, actor):
        ws = session_queries.get_session(session, session_id)
        require_session_host(session, actor, ws)
        return _board(session, ws)


def _stale(error: ConflictError) -> JSONResponse:
    return JSONResponse({"error": str(error)}, status_code=409)


def _edit(request: Request, member_id: int, session_id: int, do: Any) -> Any:
    try:
        with writing(request, member_id) as (session, actor):
            ws = session_queries.get_session(session, session_id)
            do(session, actor, ws)
            session.flush()
            return _board(session, ws)
    except ConflictError as error:
        return _stale(error)


@router.post(
    "/sessions/{session_id}/board/moves", response_model=BoardOut, responses=ERRORS, summary="Move a card"
)
def move(request: Request, member_id: MemberId, session_id: int, body: MoveIn) -> Any:
    return _edit(
        request,
        member_id,
        session_id,
        lambda s, a, ws: board_actions.move_card(s, ws, body.card, body.theme, version=body.version, actor=a),
    )


@router.post(
    "/sessions/{session_id}/board/aside",
    response_model=BoardOut,
    responses=ERRORS,
    summary="Set a card aside",
)
def aside(request: Request, member_id: MemberId, session_id: int, body: AsideIn) -> Any:
    return _edit(
        request,
        member_id,
        session_id,
        lambda s, a, ws: board_actions.set_aside(
            s, ws, body.card, body.reason, version=body.version, actor=a
        ),
    )


@router.post(
    "/sessions/{session_id}/board/back",
    response_model=BoardOut,
    responses=ERRORS,
    summary="Bring a card back",
)
def back(request: Request, member_id: MemberId, session_id: int, body: BackIn) -> Any:
    return _edit(
        request,
        member_id,
        session_id,
        lambda s, a, ws: board_actions.bring_back(
            s, ws, body.card, body.theme, version=body.version, actor=a
        ),
    )


@router.post(
    "/sessions/{session_id}/board/themes",
    response_model=BoardOut,
    status_code=201,
    responses=ERRORS,
    summary="Add an empty theme",
)
def add_theme(request: Request, member_id: MemberId, session_id: int, body: ThemeIn) -> Any:
    return _edit(
        request,
        member_id,
        session_id,
        lambda s, a, ws: board_actions.add_theme(
            s, ws, body.label, body.summary, version=body.version, actor=a
        ),
    )


@router.patch(
    "/sessions/{session_id}/board/themes/{theme_id}",
    response_model=BoardOut,
    responses=ERRORS,
    summary="Write or accept a theme's label and summary line",
)
def edit_theme(
    request: Request, member_id: MemberId, session_id: int, theme_id: int, body: ThemeEditIn
) -> Any:
    def do(s: Any, a: Any, ws: Any) -> object:
        if body.accept:
            return board_actions.accept_theme(s, ws, theme_id, version=body.version, actor=a)
        return board_actions.edit_theme(
            s, ws, theme_id, label=body.label, summary=body.summary, version=body.version, actor=a
        )

    return _edit(request, member_id, session_id, do)


@router.post(
    "/sessions/{session_id}/board/themes/{theme_id}/order",
    response_model=BoardOut,
    responses=ERRORS,
    summary="Move a theme one place up or down",
)
def order(request: Request, member_id: MemberId, session_id: int, theme_id: int, body: OrderIn) -> Any:
    step = -1 if body.step == "up" else 1
    return _edit(
        request,
        member_id,
        session_id,
        lambda s, a, ws: board_actions.move_theme(s, ws, theme_id, step, version=body.version, actor=a),
    )


@router.post(
    "/sessions/{session_id}/board/themes/{theme_id}/merge",
    response_model=BoardOut,
    responses=ERRORS,
    summary="Merge a theme into another",
)
def merge(request: Request, member_id: MemberId, session_id: int, theme_id: int, body: MergeIn) -> Any:
    return _edit(
        request,
        member_id,
        session_id,
        lambda s, a, ws: board_actions.merge_themes(
            s, ws, theme_id, body.into, version=body.version, actor=a
        ),
    )


@router.post(
    "/sessions/{session_id}/board/themes/{theme_id}/split",
    response_model=BoardOut,
    responses=ERRORS,
    summary="Split a theme: the engine clusters its cards again",
)
def split(request: Request, member_id: MemberId, session_id: int, theme_id: int, body: SplitIn) -> Any:
    return _edit(
        request,
        member_id,
        session_id,
        lambda s, a, ws: board_actions.split(s, ws, theme_id, body.parts, version=body.version, actor=a),
    )


@router.delete(
    "/sessions/{session_id}/board/themes/{theme_id}",
    response_model=BoardOut,
    responses=ERRORS,
    summary="Remove an empty theme",
)
def delete_theme(
    request: Request,
    member_id: MemberId,
    session_id: int,
    theme_id: int,
    version: Annotated[int, Query(ge=0, le=DB_INT_MAX)],
) -> Any:
    return _edit(
        request,
        member_id,
        session_id,
        lambda s, a, ws: board_actions.delete_theme(s, ws, theme_id, version=version, actor=a),
    )


@router.post(
    "/sessions/{session_id}/board/rerun",
    response_model=BoardOut,
    responses={**ERRORS, 202: {"model": JobOut, "description": "A large board: the re-run runs as a job"}},
    summary="Draft again, keeping everything the host decided",
)
def rerun(request: Request, member_id: MemberId, session_id: int, body: RerunIn) -> Any:
    model = LanguageModel.from_settings(settings(request))
    try:
        return _rerun(request, member_id, session_id, body, model)
    except ConflictError as error:
        return _stale(error)


def _rerun(request: Request, member_id: int, session_id: int, body: RerunIn, model: Any) -> Any:
    with reading(request, member_id) as (session, actor):
        session_queries.get_session(session, session_id)
    started = board_actions.synthesise(
        database(request), actor.id, session_id, body.themes, version=body.version, model=model
    )
    with reading(request, member_id) as (session, actor):
        ws = session_queries.get_session(session, session_id)
        if started.job is not None:
            out = JobOut(job=started.job, board=_board(session, ws))
            return JSONResponse(out.model_dump(mode="json"), status_code=202)
        return _board(session, ws)


@router.post(
    "/sessions/{session_id}/board/retry",
    response_model=JobOut,
    status_code=202,
    responses={
        **ERRORS,
        400: {**ERRORS[400], "description": "There is no failed (or stuck) draft to try again"},
        409: {
            **ERRORS[409],
            "description": "The draft is already on its way (pressed twice): nothing started",
        },
    },
    summary="Try a failed or stuck background draft again (host)",
)
def retry(request: Request, member_id: MemberId, session_id: int) -> Any:
    with reading(request, member_id) as (session, actor):
        session_queries.get_session(session, session_id)
    try:
        job = board_actions.try_again(database(request), actor.id, session_id)
    except JobAlreadyActive as error:
        return JSONResponse({"error": str(error)}, status_code=409)
    with reading(request, member_id) as (session, actor):
        ws = session_queries.get_session(session, session_id)
        return JobOut(job=job, board=_board(session, ws))

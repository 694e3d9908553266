"""The host's synthesis board on the session page (#board): every edit is a plain form that works without
JavaScript (each names the board version it was made on; a stale one gets 409 and "reload"), and
static/board.js adds drag and drop and a keyboard way on top, posting the same forms and swapping in the
board fragment (/sessions/ID/board) the answer brings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from werkkring.actions import board as board_actions
from werkkring.actions.permissions import require_session_host
from werkkring.errors import N_, ConflictError, InputError, Problem
from werkkring.limits import DB_INT_MAX
from werkkring.llm import LanguageModel
from werkkring.queries import board as board_queries
from werkkring.queries import sessions as session_queries
from werkkring.store.models import Member, WorkSession
from werkkring.web.common import (
    database,
    flash,
    redirect,
    render,
    require_member,
    settings,
    translate,
    translate_error,
)

router = APIRouter()
Field = Annotated[str, Form()]
FRAGMENT = "x-board"


def board_context(session: Session, work_session: WorkSession) -> dict[str, Any]:
    return {"board": board_queries.board_of(session, work_session), "large": board_actions.LARGE_BOARD}


def _wants_fragment(request: Request) -> bool:
    return request.headers.get(FRAGMENT) == "fragment"


def _fragment(
    request: Request, session_id: int, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        require_session_host(session, me, work_session)
        context = {"ws": work_session, "board_error": error} | board_context(session, work_session)
        return render(request, "_board.html", context, me=me, session=session, status_code=status)


def _conflict_page(request: Request, session_id: int, error: ConflictError) -> HTMLResponse:
    """A stale form (another host edited the board first): 409, why, and a link to the board as it is."""
    with database(request).reader() as session:
        me = require_member(request, session)
        return render(
            request,
            "error.html",
            {
                "title": translate(request, N_("The board changed")),
                "message": translate_error(request, error),
                "back": f"/sessions/{session_id}#board",
                "back_text": translate(request, N_("Reload the board")),
            },
            me=me,
            session=session,
            status_code=409,
        )


@router.get("/sessions/{session_id}/board", response_class=HTMLResponse)
def board_fragment(request: Request, session_id: int) -> HTMLResponse:
    """The board alone, as board.js swaps it in after an edit or a co-host's change."""
    return _fragment(request, session_id)


def _number(value: str, field: str) -> int:
    text = value.strip()
    if not text.isdigit() or not 1 <= int(text) <= DB_INT_MAX:
        raise InputError([Problem(N_("choose a theme or a card from the board"), field=field)])
    return int(text)


def _version(value: str) -> int | None:
    """The board version the form was made on (absent: an old form or a script; then no check)."""
    text = value.strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > DB_INT_MAX:
        raise InputError(
            [Problem(N_("the board version is not a number; reload the board"), field="version")]
        )
    return int(text)


def _edit(
    request: Request,
    session_id: int,
    work: Callable[[Session, Member, WorkSession], object],
    done: str,
) -> Response:
    """Run one board edit in a transaction. A form gets a redirect back to the board with ``done`` (errors
    as usual: a message, or 409 for a stale edit); board.js (header X-Board) gets the board fragment, with
    the error in it and 400/409 when the edit was refused."""

    def run() -> None:
        with database(request).transaction() as session:
            me = require_member(request, session)
            work_session = session_queries.get_session(session, session_id)
            work(session, me, work_session)

    return _answer(request, session_id, run, lambda: done)


def _answer(request: Request, session_id: int, run: Callable[[], None], done: Callable[[], str]) -> Response:
    """Answer a board edit ``run`` made (in its own transactions) as :func:`_edit` says."""
    try:
        run()
    except ConflictError as error:
        if _wants_fragment(request):
            return _fragment(request, session_id, error=translate_error(request, error), status=409)
        return _conflict_page(request, session_id, error)
    except InputError as error:
        if not _wants_fragment(request):
            raise
        return _fragment(request, session_id, error=translate_error(request, error), status=400)
    if _wants_fragment(request):
        return _fragment(request, session_id)
    flash(request, translate(request, done()))
    return redirect(f"/sessions/{session_id}#board")


@router.post("/sessions/{session_id}/board/move")
def move(request: Request, session_id: int, card: Field, theme: Field = "", version: Field = "") -> Response:
    def work(session: Session, me: Member, ws: WorkSession) -> object:
        if theme == "aside":
            return board_actions.set_aside(
                session, ws, _number(card, "card"), version=_version(version), actor=me
            )
        return board_actions.move_card(
            session, ws, _number(card, "card"), _number(theme, "theme"), version=_version(version), actor=me
        )

    return _edit(request, session_id, work, N_("The card has been moved."))


@router.post("/sessions/{session_id}/board/aside")
def aside(
    request: Request, session_id: int, card: Field, reason: Field = "", version: Field = ""
) -> Response:
    def work(session: Session, me: Member, ws: WorkSession) -> object:
        return board_actions.set_aside(
            session, ws, _number(card, "card"), reason, version=_version(version), actor=me
        )

    return _edit(request, session_id, work, N_("The card is set aside; it is kept and never quoted."))


@router.post("/sessions/{session_id}/board/back")
def back(request: Request, session_id: int, card: Field, theme: Field = "", version: Field = "") -> Response:
    def work(session: Session, me: Member, ws: WorkSession) -> object:
        target = _number(theme, "theme") if theme.strip() else None
        return board_actions.bring_back(
            session, ws, _number(card, "card"), target, version=_version(version), actor=me
        )

    return _edit(request, session_id, work, N_("The card is back on the board."))


@router.post("/sessions/{session_id}/board/themes")
def add_theme(
    request: Request, session_id: int, label: Field = "", summary: Field = "", version: Field = ""
) -> Response:
    def work(session: Session, me: Member, ws: WorkSession) -> object:
        return board_actions.add_theme(session, ws, label, summary, version=_version(version), actor=me)

    return _edit(request, session_id, work, N_("The theme has been added."))


@router.post("/sessions/{session_id}/board/themes/{theme_id}")
def edit_theme(
    request: Request,
    session_id: int,
    theme_id: int,
    label: Field = "",
    summary: Field = "",
    version: Field = "",
) -> Response:
    def work(session: Session, me: Member, ws: WorkSession) -> object:
        return board_actions.edit_theme(
            session, ws, theme_id, label=label, summary=summary, version=_version(version), actor=me
        )

    return _edit(request, session_id, work, N_("The theme has been saved."))


@router.post("/sessions/{session_id}/board/themes/{theme_id}/accept")
def accept(request: Request, session_id: int, theme_id: int, version: Field = "") -> Response:
    def work(session: Session, me: Member, ws: WorkSession) -> object:
        return board_actions.accept_theme(session, ws, theme_id, version=_version(version), actor=me)

    return _edit(request, session_id, work, N_("The label and summary line are accepted."))


@router.post("/sessions/{session_id}/board/themes/{theme_id}/order")
def order(
    request: Request, session_id: int, theme_id: int, step: Field = "", version: Field = ""
) -> Response:
    def work(session: Session, me: Member, ws: WorkSession) -> object:
        steps = {"up": -1, "down": 1}
        if step not in steps:
            raise InputError([Problem(N_("a theme moves one place up or down"), field="step")])
        return board_actions.move_theme(
            session, ws, theme_id, steps[step], version=_version(version), actor=me
        )

    return _edit(request, session_id, work, N_("The order has been changed."))


@router.post("/sessions/{session_id}/board/themes/{theme_id}/merge")
def merge(
    request: Request, session_id: int, theme_id: int, into: Field = "", version: Field = ""
) -> Response:
    def work(session: Session, me: Member, ws: WorkSession) -> object:
        return board_actions.merge_themes(
            session, ws, theme_id, _number(into, "into"), version=_version(version), actor=me
        )

    return _edit(request, session_id, work, N_("The themes have been merged."))


def _parts(value: str, field: str) -> int | str:
    text = value.strip()
    if text in ("", "auto"):
        return "auto"
    if not text.isdigit():
        raise InputError([Problem(N_("give a number of themes, or choose automatic"), field=field)])
    return int(text)


@router.post("/sessions/{session_id}/board/themes/{theme_id}/split")
def split(
    request: Request, session_id: int, theme_id: int, parts: Field = "", version: Field = ""
) -> Response:
    def work(session: Session, me: Member, ws: WorkSession) -> object:
        asked: Any = _parts(parts, "parts")
        return board_actions.split(session, ws, theme_id, asked, version=_version(version), actor=me)

    return _edit(request, session_id, work, N_("The theme has been split."))


@router.post("/sessions/{session_id}/board/themes/{theme_id}/delete")
def delete(request: Request, session_id: int, theme_id: int, version: Field = "") -> Response:
    def work(session: Session, me: Member, ws: WorkSession) -> object:
        return board_actions.delete_theme(session, ws, theme_id, version=_version(version), actor=me)

    return _edit(request, session_id, work, N_("The empty theme has been removed."))


@router.post("/sessions/{session_id}/board/rerun")
def rerun(request: Request, session_id: int, themes: Field = "", version: Field = "") -> Response:
    """Draft again with the number of themes asked for, keeping what the host decided: in the request, or
    for a large board (``LARGE_BOARD`` cards and more) as a background job the board shows as running; the
    engine computes with no transaction open either way (``actions.board.synthesise``)."""
    model = LanguageModel.from_settings(settings(request))
    started: list[board_actions.Started] = []

    def work() -> None:
        with database(request).reader() as session:
            me = require_member(request, session)
            session_queries.get_session(session, session_id)
        asked: Any = _parts(themes, "themes")
        started.append(
            board_actions.synthesise(
                database(request), me.id, session_id, asked, version=_version(version), model=model
            )
        )

    def done() -> str:
        if started and started[0].job is not None:
            return N_(
                "The synthesis is running in the background; the board shows the result when it is ready."
            )
        return N_("The synthesis is ready; everything you decided is kept.")

    return _answer(request, session_id, work, done)


@router.post("/sessions/{session_id}/board/retry")
def retry(request: Request, session_id: int) -> Response:
    """The host's "try again" on a background draft that failed or is stuck (``actions.board.try_again``);
    a second press while it is on its way is refused and starts nothing."""

    def work() -> None:
        with database(request).reader() as session:
            me = require_member(request, session)
            session_queries.get_session(session, session_id)
        board_actions.try_again(database(request), me.id, session_id)

    return _answer(
        request,
        session_id,
        work,
        lambda: N_("The draft is being made again; the board shows the result when it is ready."),
    )


@router.post("/sessions/{session_id}/harvest")
def harvest(
    request: Request,
    session_id: int,
    group: Field = "",
    summary: Field = "",
    key: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """A group's harvest: its key contributions (checkboxes ``key``) and its one-line ``summary``."""
    chosen = [_number(value, "key") for value in key or []]
    with database(request).transaction() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        board_actions.harvest(
            session, work_session, _number(group, "group"), key=chosen, summary=summary, actor=me
        )
    flash(request, translate(request, N_("Your group's harvest is saved.")))
    return redirect(f"/sessions/{session_id}#harvest")

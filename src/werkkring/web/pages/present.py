"""The projector (/sessions/ID/present) and the host's timer controls.

The projector is one full-screen page for a 1080p beamer, readable from 8 m: the question, the join code and
its QR, the phase and the timer, the tables with a live count of their input, the dots, and after the
synthesis the themes one by one. static/present.js fetches the changing part (/present/state) again when the
session's live stream announces a change, so nothing reloads; the timer counts down by itself (room.js)."""

from __future__ import annotations

import contextlib
import importlib
import io
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from werkkring import queue
from werkkring.actions import timer as timer_actions
from werkkring.actions.permissions import require_session_host
from werkkring.errors import N_, InputError, NotFoundError
from werkkring.jobs import print_pdf
from werkkring.outreach import html_to_pdf
from werkkring.queries import present as present_queries
from werkkring.queries import sessions as session_queries
from werkkring.queries import timer as timer_queries
from werkkring.store.models import Member, ReportFile, WorkSession
from werkkring.web.common import database, flash, redirect, render, require_member, settings, translate
from werkkring.web.pages.votes import require_room

router = APIRouter()


def qr_svg(text: str) -> Markup | None:
    """``text`` as a QR code in SVG (segno, when installed), or None: the page then shows the code alone."""
    try:
        segno: Any = importlib.import_module("segno")
    except ImportError:
        return None
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=8, border=2, xmldecl=False, svgns=True)
    return Markup(buffer.getvalue().decode())


def join_link(request: Request, code: str | None) -> str | None:
    return None if code is None else f"{settings(request).base_url.rstrip('/')}/j/{code}"


def _context(request: Request, session: Session, work_session: WorkSession) -> dict[str, Any]:
    shown = present_queries.projection(session, work_session)
    link = join_link(request, shown.join_code)
    return {
        "ws": work_session,
        "p": shown,
        "timer": shown.panel.timer,
        "join_link": link,
        "qr": qr_svg(link) if link else None,
    }


@router.get("/sessions/{session_id}/present", response_class=HTMLResponse)
def present(request: Request, session_id: int) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        require_room(request, session, work_session)
        return render(
            request,
            "present.html",
            _context(request, session, work_session),
            me=me,
            session=session,
            locale=request.query_params.get("lang") or None,
        )


@router.get("/sessions/{session_id}/present/state", response_class=HTMLResponse)
def present_state(request: Request, session_id: int) -> HTMLResponse:
    """The projector's changing part alone, fetched again by static/present.js after a live event."""
    with database(request).reader() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        require_room(request, session, work_session)
        return render(
            request,
            "_present_state.html",
            _context(request, session, work_session),
            me=me,
            session=session,
            locale=request.query_params.get("lang") or None,
        )


def _whole(value: str) -> int:
    text = value.strip()
    if not text.lstrip("-").isdigit():
        raise InputError(N_("give the minutes as a whole number, like 10"))
    return int(text)


@router.post("/sessions/{session_id}/timer")
def timer(
    request: Request,
    session_id: int,
    do: Annotated[str, Form()] = "",
    minutes: Annotated[str, Form()] = "",
    round_no: Annotated[int, Form(alias="round", ge=1, le=10_000)] = 1,
) -> Response:
    """The host: start (for so many minutes, or on after a pause), pause, add minutes, reset."""
    with database(request).transaction() as session:
        me: Member = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        if do == "start":
            given = _whole(minutes) if minutes.strip() else None
            timer_actions.start(session, work_session, actor=me, minutes=given, round_no=round_no)
        elif do == "pause":
            timer_actions.pause(session, work_session, actor=me, round_no=round_no)
        elif do == "add":
            timer_actions.add_minutes(
                session, work_session, _whole(minutes or "1"), actor=me, round_no=round_no
            )
        elif do == "reset":
            timer_actions.reset(session, work_session, actor=me, round_no=round_no)
        else:
            raise InputError(N_("choose what to do with the timer"))
        view = timer_queries.timer_of(session, work_session, round_no)
    flash(request, translate(request, N_("Timer: %(clock)s")) % {"clock": view.clock})
    return redirect(f"/sessions/{session_id}#room")


def _print_context(request: Request, session: Session, work_session: WorkSession) -> dict[str, Any]:
    found = present_queries.tables(session, work_session)
    code = present_queries.join_code(work_session)
    link = join_link(request, code)
    return {
        "ws": work_session,
        "tables": found,
        "index": present_queries.name_index(found),
        "join_code": code,
        "qr": qr_svg(link) if link else None,
    }


@router.get("/sessions/{session_id}/print/{what}", response_class=HTMLResponse)
def print_page(request: Request, session_id: int, what: str) -> Response:
    """Table cards (one page per table: number, table host, names, the question, the QR) and the group lists
    (every table with its people, and everyone by name with their table), as a page to print or as PDF."""
    name, _, kind = what.partition(".")
    if name not in ("cards", "groups") or kind not in ("", "pdf"):
        raise NotFoundError(N_("there is no print of %(what)s; there are cards and groups"), {"what": what})
    with database(request).reader() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        require_session_host(session, me, work_session)
        page = render(
            request,
            f"present_{name}.html",
            _print_context(request, session, work_session),
            me=me,
            session=session,
            locale=request.query_params.get("lang") or None,
        )
    if kind != "pdf":
        return page
    html = bytes(page.body).decode()
    filename = f"session-{session_id}-{name}.pdf"
    if (
        html.count('class="tablecard"') < print_pdf.LARGE_ROOM
        and html.count('class="group"') < print_pdf.LARGE_ROOM
    ):
        return _pdf(html_to_pdf(html, base_url=str(request.base_url)), filename)
    return _large_pdf(request, session_id, name, html, filename)


def _pdf(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _large_pdf(request: Request, session_id: int, name: str, html: str, filename: str) -> Response:
    """A large room's PDF: served once a job made it for the print as it is now; else a job is asked to (once,
    however often the page reloads) and the page says so and reloads itself."""
    digest = print_pdf.digest_of(html)
    with database(request).reader() as session:
        made = session.get(ReportFile, digest)
        if made is not None:
            return _pdf(made.data, filename)
    # Asked for already (this page reloading, or another at the same moment): it is being made.
    with contextlib.suppress(queue.JobAlreadyActive):
        queue.enqueue_exclusive(
            database(request),
            print_pdf.KIND,
            {"session_id": session_id, "digest": digest, "html": html, "base_url": str(request.base_url)},
            key=f"print:{digest[:100]}",
        )
    with database(request).reader() as session:
        me = require_member(request, session)
        return render(
            request,
            "present_pending.html",
            {"session_id": session_id, "name": name},
            me=me,
            session=session,
            status_code=202,
        )

"""The host edits, cancels, opens (a draft) and makes public a session; a participant edits or deletes their
own input before the synthesis. A form that is refused comes back filled in, each error beside its field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from werkkring.actions import session_edits
from werkkring.actions.permissions import require_host, require_session_host
from werkkring.actions.session_edits import session_problems
from werkkring.errors import N_, InputError, Problem
from werkkring.queries import circles as circle_queries
from werkkring.queries import sessions as session_queries
from werkkring.store.models import Member, WorkSession
from werkkring.web.common import database, flash, redirect, render, require_member, translate

router = APIRouter()
Optional = Annotated[str, Form()]
# The form's names for the action's fields.
FORM_FIELD = {"ends_at": "end", "starts_at": "start"}
FORM_FIELDS = (
    "title",
    "question",
    "date",
    "start",
    "end",
    "place",
    "online_url",
    "capacity",
    "group_size",
    "circle_id",
    "language",
)


@dataclass
class SessionForm:
    """The new-session and edit form as typed, read into the action's fields; problems name form fields."""

    values: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    capacity: int | None = None
    group_size: int = 4

    @classmethod
    def read(cls, values: dict[str, str]) -> SessionForm:
        values = {name: (values.get(name) or "").strip() for name in FORM_FIELDS}
        form = cls(values)
        try:
            day = dt.date.fromisoformat(values["date"])
        except ValueError:
            form.problems.append(Problem(N_("give a date like 2026-12-03"), field="date"))
            day = None
        try:
            start = dt.time.fromisoformat(values["start"])
        except ValueError:
            form.problems.append(Problem(N_("give a time like 19:30"), field="start"))
            start = None
        end = None
        if values["end"]:
            try:
                end = dt.time.fromisoformat(values["end"])
            except ValueError:
                form.problems.append(Problem(N_("give a time like 21:30"), field="end"))
        if day is not None and start is not None:
            form.starts_at = dt.datetime.combine(day, start)
            form.ends_at = dt.datetime.combine(day, end) if end is not None else None
        if values["capacity"]:
            if values["capacity"].isdigit():
                form.capacity = int(values["capacity"])
            else:
                form.problems.append(Problem(N_("capacity is a whole number"), field="capacity"))
        if values["group_size"]:
            if values["group_size"].isdigit():
                form.group_size = int(values["group_size"])
            else:
                form.problems.append(Problem(N_("group size is a whole number"), field="group_size"))
        return form

    def all_problems(self) -> list[Problem]:
        """What the form itself found plus what the action would say about the rest, so a person sees
        every problem at once (a bad number and an end before the start)."""
        if self.starts_at is None:
            return self.problems
        found = {p.field for p in self.problems}
        checked = session_problems(
            title=self.values["title"],
            question=self.values["question"],
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            online_url=self.values["online_url"],
            capacity=self.capacity,
            group_size=self.group_size,
            language=self.values["language"] or "nl",
            place=self.values["place"],
        )
        return self.problems + [p for p in checked if FORM_FIELD.get(p.field or "", p.field) not in found]

    @staticmethod
    def of(work_session: WorkSession) -> dict[str, str]:
        return {
            "title": work_session.title,
            "question": work_session.question,
            "date": work_session.starts_at.date().isoformat(),
            "start": work_session.starts_at.strftime("%H:%M"),
            "end": work_session.ends_at.strftime("%H:%M") if work_session.ends_at else "",
            "place": work_session.place or "",
            "online_url": work_session.online_url or "",
            "capacity": str(work_session.capacity or ""),
            "group_size": str(work_session.group_size),
            "circle_id": str(work_session.circle_id or ""),
            "language": work_session.language,
        }


def errors_by_field(request: Request, problems: tuple[Problem, ...] | list[Problem]) -> dict[str, str]:
    """Each problem's message in the reader's language under its form field ('' for the form as a whole)."""
    errors: dict[str, str] = {}
    for problem in problems:
        key = FORM_FIELD.get(problem.field or "", problem.field or "")
        text = problem.render(lambda message: translate(request, message))
        errors[key] = f"{errors[key]} {text}".strip() if key in errors else text
    return errors


def session_form_page(
    request: Request,
    session: Session,
    me: Member,
    *,
    values: dict[str, str] | None = None,
    problems: tuple[Problem, ...] | list[Problem] = (),
    work_session: WorkSession | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The new-session form, or (with ``work_session``) the edit form, filled in with ``values``."""
    return render(
        request,
        "session_new.html",
        {
            "circles": circle_queries.hosted_by(session, me),
            "values": values if values is not None else {"start": "19:30", "end": "21:30", "group_size": "4"},
            "errors": errors_by_field(request, problems),
            "editing": work_session,
        },
        me=me,
        session=session,
        status_code=status_code,
    )


def form_values(
    title: str,
    question: str,
    date: str,
    start: str,
    end: str,
    place: str,
    online_url: str,
    capacity: str,
    group_size: str = "4",
    circle_id: str = "",
    language: str = "nl",
) -> dict[str, str]:
    return {
        "title": title,
        "question": question,
        "date": date,
        "start": start,
        "end": end,
        "place": place,
        "online_url": online_url,
        "capacity": capacity,
        "group_size": group_size,
        "circle_id": circle_id,
        "language": language,
    }


@router.get("/sessions/{session_id}/edit", response_class=HTMLResponse)
def edit_page(request: Request, session_id: int) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        require_session_host(session, me, work_session)
        return session_form_page(
            request, session, me, values=SessionForm.of(work_session), work_session=work_session
        )


@router.post("/sessions/{session_id}/edit")
def edit(
    request: Request,
    session_id: int,
    title: Optional = "",
    question: Optional = "",
    date: Optional = "",
    start: Optional = "",
    end: Optional = "",
    place: Optional = "",
    online_url: Optional = "",
    capacity: Optional = "",
) -> Response:
    form = SessionForm.read(form_values(title, question, date, start, end, place, online_url, capacity))
    try:
        with database(request).transaction() as session:
            me = require_member(request, session)
            work_session = session_queries.get_session(session, session_id)
            require_session_host(session, me, work_session)
            problems = form.all_problems()
            if problems or form.starts_at is None:
                raise InputError(problems)
            changed = session_edits.edit_session(
                session,
                work_session,
                title=title,
                question=question,
                starts_at=form.starts_at,
                ends_at=form.ends_at,
                place=place,
                online_url=online_url,
                capacity=form.capacity,
                actor=me,
            )
    except InputError as error:
        with database(request).reader() as session:
            me = require_member(request, session)
            work_session = session_queries.get_session(session, session_id)
            return session_form_page(
                request,
                session,
                me,
                values=form.values,
                problems=error.problems,
                work_session=work_session,
                status_code=400,
            )
    if changed:
        flash(request, translate(request, "The work session has been changed; who signed up gets a mail."))
    else:
        flash(request, translate(request, "Nothing was changed."))
    return redirect(f"/sessions/{session_id}")


@router.post("/sessions/{session_id}/call-off")
def call_off(request: Request, session_id: int, reason: Optional = "") -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        session_edits.cancel_session(session, work_session, reason, actor=me)
    flash(request, translate(request, "The work session is cancelled; who signed up gets a mail."))
    return redirect(f"/sessions/{session_id}")


@router.post("/sessions/{session_id}/open")
def open_draft(request: Request, session_id: int) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        session_edits.open_session(session, session_queries.get_session(session, session_id), actor=me)
    flash(request, translate(request, "The work session is open; members can sign up now."))
    return redirect(f"/sessions/{session_id}")


@router.post("/sessions/{session_id}/public")
def make_public(request: Request, session_id: int, public: Optional = "yes") -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        session_edits.set_public(session, work_session, public == "yes", actor=me)
    if public == "yes":
        flash(request, translate(request, "The outcome is public now: anyone with the link can read it."))
    else:
        flash(request, translate(request, "The outcome is no longer public."))
    return redirect(f"/sessions/{session_id}#public")


@router.post("/sessions/{session_id}/contributions/{contribution_id}/edit")
def edit_input(request: Request, session_id: int, contribution_id: int, text: Optional = "") -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        contribution = session_queries.contribution_in(session, session_id, contribution_id)
        session_edits.edit_contribution(session, contribution, text, actor=me)
    flash(request, translate(request, "Your input has been changed."))
    return redirect(f"/sessions/{session_id}#my-input")


@router.post("/sessions/{session_id}/contributions/{contribution_id}/delete")
def delete_input(request: Request, session_id: int, contribution_id: int) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        contribution = session_queries.contribution_in(session, session_id, contribution_id)
        session_edits.delete_contribution(session, contribution, actor=me)
    flash(request, translate(request, "Your input has been deleted."))
    return redirect(f"/sessions/{session_id}#my-input")


def new_form_refused(
    request: Request, values: dict[str, str], problems: tuple[Problem, ...] | list[Problem]
) -> HTMLResponse:
    """POST /sessions refused: the form again, as typed, with each error beside its field."""
    with database(request).reader() as session:
        me = require_member(request, session)
        require_host(session, me)
        return session_form_page(request, session, me, values=values, problems=problems, status_code=400)


__all__ = ["SessionForm", "form_values", "new_form_refused", "router", "session_form_page"]

"""Work sessions from creation to publication: sign-up, breakout groups and their mix, input per group with
the host's live view, synthesis, theme labels, publication, and a proposal turned into an initiative."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from werkkring import lifecycle
from werkkring.actions import sessions as session_actions
from werkkring.actions.permissions import is_session_host, require_host, require_session_host
from werkkring.engines.text import short_title
from werkkring.errors import InputError
from werkkring.lifecycle import Status
from werkkring.queries import members as member_queries
from werkkring.queries import present as present_queries
from werkkring.queries import sessions as session_queries
from werkkring.store.models import Contribution, Member, WorkSession
from werkkring.web.common import (
    database,
    flash,
    redirect,
    render,
    require_member,
    settings,
    translate,
    translate_count,
)
from werkkring.web.pages.board import board_context
from werkkring.web.pages.room import room_context
from werkkring.web.pages.session_edits import SessionForm, form_values, new_form_refused, session_form_page

router = APIRouter()
Text = Annotated[str, Form()]
Seen = Annotated[str | None, Form()]
"""The state the host's page was built from (``queries.sessions.state_token``), see ``sessions._take``."""


@router.get("/sessions", response_class=HTMLResponse)
def sessions_page(request: Request) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        upcoming = session_queries.upcoming(session, viewer=me)
        past = session_queries.past(session, viewer=me)
        counts = session_queries.registration_counts(session, [s.id for s in (*upcoming, *past)])
        mine = session_queries.signed_up_for(session, me)
        return render(
            request,
            "sessions.html",
            {"upcoming": upcoming, "past": past, "counts": counts, "mine": mine},
            me=me,
            session=session,
        )


@router.get("/sessions/new", response_class=HTMLResponse)
def new_page(request: Request) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        require_host(session, me)
        return session_form_page(request, session, me)


@router.post("/sessions")
def create(
    request: Request,
    title: Annotated[str, Form()] = "",
    question: Annotated[str, Form()] = "",
    date: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
    place: Annotated[str, Form()] = "",
    online_url: Annotated[str, Form()] = "",
    capacity: Annotated[str, Form()] = "",
    group_size: Annotated[str, Form()] = "4",
    circle_id: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "nl",
    draft: Annotated[str, Form()] = "",
) -> Response:
    """A refused form comes back as typed, each error beside its field; ``draft`` saves it unseen."""
    values = form_values(
        title, question, date, start, end, place, online_url, capacity, group_size, circle_id, language
    )
    form = SessionForm.read(values)
    try:
        problems = form.all_problems()
        if problems or form.starts_at is None:
            raise InputError(problems)
        with database(request).transaction() as session:
            me = require_member(request, session)
            work_session = session_actions.create_session(
                session,
                title=title,
                question=question,
                starts_at=form.starts_at,
                ends_at=form.ends_at,
                place=place,
                online_url=online_url,
                capacity=form.capacity,
                group_size=form.group_size,
                circle_id=int(circle_id) if circle_id.isdigit() else None,
                language=language,
                status="draft" if draft else "open",
                actor=me,
            )
            new_id = work_session.id
    except InputError as error:
        return new_form_refused(request, form.values, error.problems)
    if draft:
        flash(request, translate(request, "The draft is saved; members see it once you open it."))
    else:
        flash(request, translate(request, "The work session has been created; members can sign up now."))
    return redirect(f"/sessions/{new_id}")


def _session_context(session: Session, me: Member, work_session: WorkSession) -> dict[str, Any]:
    """What the session page shows; a participant's view reads only their own group and the count."""
    today = dt.date.today()
    hosting = is_session_host(session, me, work_session)
    registered = session_queries.is_registered(session, work_session, me)
    my_group = session_queries.group_of(session, work_session, me.id)
    published = work_session.status == Status.PUBLISHED
    needs_all = hosting or published
    contributions = (
        session_queries.contributions_of(session, work_session)
        if needs_all
        else session_queries.contributions_of(session, work_session, group=my_group)
        if my_group is not None
        else []
    )
    themes = session_queries.themes_of(session, work_session) if needs_all else []
    by_group: dict[int | None, list[Contribution]] = {}
    for contribution in contributions:
        by_group.setdefault(contribution.group_id, []).append(contribution)
    context: dict[str, Any] = {
        "ws": work_session,
        "hosting": hosting,
        "registered": registered,
        "taken": session_queries.registration_counts(session, [work_session.id]).get(work_session.id, 0),
        "my_group": my_group,
        "my_input": by_group.get(my_group.id, []) if my_group is not None else [],
        "themes": themes,
        "published": published,
        "open_for_signup": lifecycle.takes_sign_ups(work_session.status),
        "takes_input": lifecycle.takes_input(work_session.status),
        "theme_contributions": {t.id: [c for c in contributions if c.theme_id == t.id] for t in themes},
        "room": present_queries.panel(session, work_session),
        # The outcome leads somewhere: the initiatives that came out of it, each with a join button.
        "outcome_initiatives": session_queries.initiatives_of(session, work_session) if published else [],
    }
    if hosting:
        groups = session_queries.groups_with_seats(session, work_session)
        context.update(
            {
                # A short title suggested for each proposal, for the host to confirm.
                "suggested": {c.id: short_title(c.text) for c in contributions if c.is_proposal},
                "title_limit": session_actions.TITLE_LIMIT,
                "people": session_queries.participants_by_name(session, work_session),
                "groups": [(g, session_queries.group_mix(session, me, g, today)) for g in groups],
                "by_group": by_group,
                "proposals": [c for c in contributions if c.is_proposal],
                "locked": any(g.locked for g in groups),
                "contribution_count": len(contributions),
                "initiatives": session_queries.initiatives_from(session, work_session),
                "seen": session_queries.state_token(session, work_session),
            }
        )
    if hosting:  # the synthesis board (web/pages/board.py)
        context.update(board_context(session, work_session))
    return context


@router.get("/sessions/{session_id}", response_class=HTMLResponse)
def session_page(request: Request, session_id: int) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        work_session = session_queries.visible_session(session, me, session_id)
        context = _session_context(session, me, work_session) | room_context(
            request, session, me, work_session
        )
        return render(request, "session.html", context, me=me, session=session)


@router.get("/sessions/{session_id}/live", response_class=HTMLResponse)
def live(request: Request, session_id: int) -> HTMLResponse:
    """The host's input panel alone, fetched every few seconds by static/live.js."""
    with database(request).reader() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        require_session_host(session, me, work_session)
        return render(
            request, "_live.html", _session_context(session, me, work_session), me=me, session=session
        )


@router.post("/sessions/{session_id}/register")
def register(request: Request, session_id: int) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        session_actions.register(session, session_queries.get_session(session, session_id), actor=me)
    flash(request, translate(request, "You are signed up. See you there!"))
    return redirect(f"/sessions/{session_id}")


@router.post("/sessions/{session_id}/cancel")
def cancel(request: Request, session_id: int) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        session_actions.cancel_registration(
            session, session_queries.get_session(session, session_id), actor=me
        )
    flash(request, translate(request, "Your sign-up is cancelled."))
    return redirect(f"/sessions/{session_id}")


@router.post("/sessions/{session_id}/groups")
def form_groups(
    request: Request, session_id: int, seed: Annotated[int, Form()] = 0, seen: Seen = None
) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        require_session_host(session, me, work_session)
        groups = session_actions.form_groups(session, work_session, seed=seed, seen=seen, actor=me)
    flash(request, translate_count(request, "%(num)s group formed.", "%(num)s groups formed.", len(groups)))
    return redirect(f"/sessions/{session_id}#groups")


@router.post("/sessions/{session_id}/groups/move")
def move(
    request: Request, session_id: int, member_id: Annotated[int, Form()], number: Annotated[int, Form()]
) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        session_actions.move_member(session, work_session, member_id, number, actor=me)
    flash(request, translate(request, "Moved."))
    return redirect(f"/sessions/{session_id}#groups")


@router.post("/sessions/{session_id}/groups/lock")
def lock(request: Request, session_id: int, locked: Annotated[str, Form()] = "yes") -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        session_actions.lock_groups(session, work_session, locked == "yes", actor=me)
    if locked == "yes":
        flash(request, translate(request, "The groups are locked; participants can see their group."))
    else:
        flash(request, translate(request, "The groups are unlocked."))
    return redirect(f"/sessions/{session_id}#groups")


@router.post("/sessions/{session_id}/contributions")
def contribute(
    request: Request,
    session_id: int,
    text: Text,
    proposal: Annotated[str, Form()] = "",
    anonymous: Annotated[str, Form()] = "",
    group: Annotated[str, Form()] = "",
) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        session_actions.add_contribution(
            session,
            work_session,
            text,
            group_number=int(group) if group.isdigit() else None,
            is_proposal=proposal == "on",
            anonymous=anonymous == "on",
            actor=me,
        )
    flash(request, translate(request, "Your input has been added."))
    return redirect(f"/sessions/{session_id}#input")


@router.post("/sessions/{session_id}/synthesis")
def synthesise(request: Request, session_id: int, seen: Seen = None) -> Response:
    """The host's Synthesise: a large input as the background job (the page shows it running and follows
    it live), a smaller one here; either way the engine computes with no transaction open
    (``actions.board.synthesise``), so the participants' posts are not held up."""
    from werkkring.actions import board as board_actions
    from werkkring.llm import LanguageModel

    with database(request).reader() as session:
        me = require_member(request, session)
        session_queries.get_session(session, session_id)
    started = board_actions.synthesise(
        database(request),
        me.id,
        session_id,
        seen=seen,
        model=LanguageModel.from_settings(settings(request)),
    )
    if started.job is not None:
        flash(
            request,
            translate(
                request,
                "The synthesis is running in the background; the board shows the result when it is ready.",
            ),
        )
        return redirect(f"/sessions/{session_id}#board")
    flash(
        request,
        translate_count(
            request,
            "The synthesis is ready: %(num)s theme.",
            "The synthesis is ready: %(num)s themes.",
            started.themes,
        ),
    )
    return redirect(f"/sessions/{session_id}#themes")


@router.post("/sessions/{session_id}/themes/{theme_id}")
def edit_theme(
    request: Request,
    session_id: int,
    theme_id: int,
    label: Text,
    summary: Annotated[str, Form()] = "",
) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        theme = session_queries.theme_in(session, session_id, theme_id)
        session_actions.rename_theme(session, theme, label, summary, actor=me)
    flash(request, translate(request, "The theme has been saved."))
    return redirect(f"/sessions/{session_id}#themes")


@router.post("/sessions/{session_id}/publish")
def publish(
    request: Request, session_id: int, summary: Annotated[str, Form()] = "", seen: Seen = None
) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        session_actions.publish(session, work_session, summary, seen=seen, actor=me)
    flash(request, translate(request, "The outcome is published."))
    return redirect(f"/sessions/{session_id}")


@router.post("/sessions/{session_id}/contributions/{contribution_id}/initiative")
def to_initiative(
    request: Request,
    session_id: int,
    contribution_id: int,
    owner_id: Annotated[int, Form()],
    title: Annotated[str, Form()] = "",
) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        contribution = session_queries.contribution_in(session, session_id, contribution_id)
        owner = member_queries.get_member(session, owner_id)
        initiative = session_actions.proposal_to_initiative(session, contribution, owner, title, actor=me)
        new_id = initiative.id
    flash(request, translate(request, "The proposal is now an initiative."))
    return redirect(f"/initiatives/{new_id}")

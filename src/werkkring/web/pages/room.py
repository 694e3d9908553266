"""The live room's pages: join by code (``/j/CODE``: a member joins at once, anyone else as a guest of that
session only), the guest's own page, the session's QR code, the participant's live view (server-sent events
wake the page, which then fetches its own view again), and the host's door list with late arrivals.

A guest is known by the signed session cookie (``guests``: session id -> guest id), never as a signed-in
member: :func:`werkkring.web.common.current_member` does not see them, so they reach no other page."""

from __future__ import annotations

import io
import secrets
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from werkkring.actions import accounts as account_actions
from werkkring.actions import room as room_actions
from werkkring.actions import sessions as session_actions
from werkkring.actions._announce import group_channel, session_channel
from werkkring.actions.permissions import is_session_host, require_session_host
from werkkring.errors import N_, InputError, NotFoundError, PermissionDenied, Problem
from werkkring.queries import room as room_queries
from werkkring.queries import sessions as session_queries
from werkkring.store.models import Member, WorkSession
from werkkring.web.common import (
    SignInRequired,
    current_member,
    database,
    flash,
    locale_of,
    redirect,
    require_member,
    settings,
    sign_in,
    translate,
    translate_error,
)
from werkkring.web.common import render as render_page
from werkkring.web.live import stream
from werkkring.web.ratelimit import Limit, RateLimiter

router = APIRouter()
Text = Annotated[str, Form()]
Optional = Annotated[str, Form()]

WRONG_CODES_PER_CLIENT = Limit(60, 15 * 60)
"""Codes that match no session, per client: enough for a room behind one address typing badly, too few to
try codes until one fits (20 million codes)."""


def render(request: Request, name: str, context: dict[str, Any] | None = None, **kwargs: Any) -> HTMLResponse:
    """The pages' render with what every room template uses: the phase names and the guests' keeping time."""
    return render_page(request, name, {**room_globals(request), **(context or {})}, **kwargs)


def room_globals(request: Request) -> dict[str, Any]:
    return {
        "phase_labels": room_queries.PHASE_LABELS,
        "retention_days": settings(request).guest_retention_days,
    }


# ---------------------------------------------------------------- who the guest is


def guest_in(request: Request, session: Session, work_session: WorkSession) -> Member | None:
    """The guest of ``work_session`` this browser joined as, if any (and if they still exist)."""
    guests = request.session.get("guests")
    if not isinstance(guests, dict):
        return None
    member_id = guests.get(str(work_session.id))
    if not isinstance(member_id, int):
        return None
    member = session.get(Member, member_id)
    if member is None or member.guest_of != work_session.id:
        return None
    return member


def _remember_guest(request: Request, work_session: WorkSession, member: Member) -> None:
    guests = dict(request.session.get("guests") or {})
    guests[str(work_session.id)] = member.id
    request.session["guests"] = dict(list(guests.items())[-10:])


def join_url(request: Request, work_session: WorkSession) -> str:
    return f"{settings(request).base_url}/j/{work_session.join_code}"


def _by_code(request: Request, session: Session, code: str) -> WorkSession:
    try:
        return room_queries.session_by_code(session, code)
    except InputError:
        rate: RateLimiter = request.app.state.rate
        client = request.client.host if request.client else "-"
        if not rate.hit("code:c:" + client, WRONG_CODES_PER_CLIENT):
            raise InputError(
                N_("too many codes that fit no session; wait a quarter of an hour, then try again")
            ) from None
        raise


# ---------------------------------------------------------------- joining


def _code_page(request: Request, error: str = "", code: str = "", status: int = 200) -> HTMLResponse:
    return render(request, "room_code.html", {"error": error, "code": code}, status_code=status)


@router.get("/guests", response_class=HTMLResponse)
def guest_rules(request: Request) -> HTMLResponse:
    """What is kept of a guest, for how long, and who sees it (docs/guests.md), for the guest to read."""
    with database(request).reader() as session:
        return render(request, "room_rules.html", me=current_member(request, session), session=session)


@router.get("/j", response_class=HTMLResponse)
def code_form(request: Request) -> HTMLResponse:
    """Type the code instead of scanning it."""
    return _code_page(request)


@router.post("/j")
def code_typed(request: Request, code: Optional = "") -> Response:
    with database(request).reader() as session:
        try:
            work_session = _by_code(request, session, code)
        except InputError as error:
            return _code_page(request, translate_error(request, error), code[:40], status=404)
        return redirect(f"/j/{work_session.join_code}")


@router.get("/j/{code}", response_class=HTMLResponse)
def join_page(request: Request, code: str) -> Response:
    """The QR code's address. A signed-in member joins at once; a guest who joined sees their own page;
    anyone else gets the guest form (or, with guests off, the way to sign in)."""
    with database(request).reader() as session:
        try:
            work_session = _by_code(request, session, code)
        except InputError as error:
            return _code_page(request, translate_error(request, error), code[:40], status=404)
        if code != work_session.join_code:
            return redirect(f"/j/{work_session.join_code}")
        guest = guest_in(request, session, work_session)
        if guest is not None:
            return _guest_page(request, session, work_session, guest)
        me = current_member(request, session)
        if me is None and not room_queries.code_is_open(work_session):
            return _code_page(
                request,
                translate(request, "This session has ended; the code no longer works."),
                work_session.join_code or "",
                status=410,
            )
        if me is None:
            return _join_form(request, work_session)
    return _member_joins(request, work_session.id)


def _member_joins(request: Request, session_id: int) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        if session_queries.is_registered(session, work_session, me):
            return redirect(f"/sessions/{session_id}")
        room_actions.join(session, work_session, actor=me)
    flash(
        request, translate(request, "You have joined the session. Your group appears here once it is formed.")
    )
    return redirect(f"/sessions/{session_id}")


def _join_form(
    request: Request,
    work_session: WorkSession,
    *,
    problems: tuple[Problem, ...] = (),
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    errors: dict[str, str] = {}
    for problem in problems:
        key = problem.field or ""
        text = problem.render(lambda message: translate(request, message))
        errors[key] = f"{errors[key]} {text}".strip() if key in errors else text
    return render(
        request,
        "room_join.html",
        {
            "ws": work_session,
            "errors": errors,
            "values": values or {},
            "token": secrets.token_urlsafe(24),
            "signin": f"/signin?next=/j/{work_session.join_code}",
        },
        status_code=status,
    )


@router.post("/j/{code}")
def join_as_guest(
    request: Request,
    code: str,
    name: Optional = "",
    email: Optional = "",
    consent: Optional = "",
    token: Optional = "",
) -> Response:
    values = {"name": name[:200], "email": email[:320], "consent": consent == "on"}
    try:
        with database(request).transaction() as session:
            work_session = _by_code(request, session, code)
            if current_member(request, session) is not None:
                return redirect(f"/j/{work_session.join_code}")
            guest = room_actions.join_as_guest(
                session,
                work_session,
                name=name,
                email=email,
                consent=consent == "on",
                token=token[:64],
                language=locale_of(request),
            )
            _remember_guest(request, work_session, guest)
            join_code = work_session.join_code
    except InputError as error:
        with database(request).reader() as session:
            try:
                work_session = _by_code(request, session, code)
            except InputError as wrong:
                return _code_page(request, translate_error(request, wrong), code[:40], status=404)
            return _join_form(request, work_session, problems=error.problems, values=values, status=400)
    flash(request, translate(request, "Welcome! You have joined as a guest."))
    return redirect(f"/j/{join_code}")


def _guest_page(request: Request, session: Session, work_session: WorkSession, guest: Member) -> HTMLResponse:
    view = room_queries.participant_view(session, work_session, guest)
    return render(
        request,
        "room_guest.html",
        {
            "ws": work_session,
            "view": view,
            "me_id": guest.id,
            "guest": guest,
            **_live_urls(work_session, guest),
        },
        locale=locale_of(request, guest),
    )


def _live_urls(work_session: WorkSession, member: Member) -> dict[str, str]:
    if member.guest_of is not None:
        base = f"/j/{work_session.join_code}"
        post = f"{base}/contributions"
    else:
        base = f"/sessions/{work_session.id}/room"
        post = f"/sessions/{work_session.id}/contributions"
    return {"me_url": f"{base}/me", "events_url": f"{base}/events", "post_url": post}


def _guest_or_404(request: Request, session: Session, code: str) -> tuple[WorkSession, Member]:
    work_session = room_queries.session_by_code(session, code)
    guest = guest_in(request, session, work_session)
    if guest is None:
        raise NotFoundError(N_("you have not joined this session as a guest; open its code again"))
    return work_session, guest


@router.get("/j/{code}/me", response_class=HTMLResponse)
def guest_view(request: Request, code: str) -> HTMLResponse:
    with database(request).reader() as session:
        work_session, guest = _guest_or_404(request, session, code)
        view = room_queries.participant_view(session, work_session, guest)
        return render(
            request,
            "_room_me.html",
            {"ws": work_session, "view": view, "me_id": guest.id, **_live_urls(work_session, guest)},
            locale=locale_of(request, guest),
        )


@router.get("/j/{code}/events")
def guest_events(request: Request, code: str) -> Response:
    with database(request).reader() as session:
        work_session, guest = _guest_or_404(request, session, code)
        channels = _channels(session, work_session, guest)
    return stream(request, channels)


@router.post("/j/{code}/contributions")
def guest_contributes(request: Request, code: str, text: Optional = "", proposal: Optional = "") -> Response:
    """One transaction: who the guest is and the post (at a summit, a hundred tables post at once; a reader
    first and a transaction after asked the session and the guest twice). A code that fits no session or a
    guest of another session is refused as before; a refused post goes back to the guest's page."""
    join_code: str | None = None
    try:
        with database(request).transaction() as session:
            work_session, guest = _guest_or_404(request, session, code)
            join_code = work_session.join_code
            session_actions.add_contribution(
                session, work_session, text, is_proposal=proposal == "on", actor=guest
            )
    except (InputError, PermissionDenied) as error:
        if join_code is None:  # the code itself: answered like any other page's refusal
            raise
        flash(request, translate_error(request, error), "error")
        return redirect(f"/j/{join_code}#input")
    flash(request, translate(request, "Your input has been added."))
    return redirect(f"/j/{join_code}#input")


# ---------------------------------------------------------------- a member's live view


def _channels(session: Session, work_session: WorkSession, member: Member) -> list[str]:
    channels = [session_channel(work_session.id)]
    group = session_queries.group_of(session, work_session, member.id)
    if group is not None:
        channels.append(group_channel(work_session.id, group.id))
    return channels


@router.get("/sessions/{session_id}/room/me", response_class=HTMLResponse)
def member_view(request: Request, session_id: int) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        view = room_queries.participant_view(session, work_session, me)
        return render(
            request,
            "_room_me.html",
            {"ws": work_session, "view": view, "me_id": me.id, **_live_urls(work_session, me)},
            me=me,
            session=session,
        )


@router.get("/sessions/{session_id}/room/events")
def member_events(request: Request, session_id: int) -> Response:
    """The participant's page (and the host's) follow the session: phase, groups, their group's input."""
    with database(request).reader() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        channels = _channels(session, work_session, me)
    return stream(request, channels)


@router.get("/sessions/{session_id}/qr.svg")
def qr_code(request: Request, session_id: int) -> Response:
    """The join address as a QR code (SVG, segno): on the session page, the projector and the table cards."""
    with database(request).reader() as session:
        work_session = session_queries.get_session(session, session_id)
        if guest_in(request, session, work_session) is None:
            require_member(request, session)
        url = join_url(request, work_session)
    out = io.BytesIO()
    # A standalone SVG document (namespace and all): an <img> shows it, a print page embeds it.
    segno.make(url, error="m").save(
        out, kind="svg", scale=8, border=2, dark="#000", light="#fff", title=url, xmldecl=False
    )
    return Response(
        out.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"}
    )


# ---------------------------------------------------------------- the host: guests, door, late arrivals


@router.post("/sessions/{session_id}/guests")
def guests_switch(request: Request, session_id: int, allowed: Optional = "yes") -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        room_actions.allow_guests(session, work_session, allowed == "yes", actor=me)
    flash(
        request,
        translate(request, "Guests can join by the code.")
        if allowed == "yes"
        else translate(request, "Guests can no longer join by the code; members still can."),
    )
    return redirect(f"/sessions/{session_id}#join")


@router.get("/sessions/{session_id}/door", response_class=HTMLResponse)
def door_page(request: Request, session_id: int, q: str = "") -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        require_session_host(session, me, work_session)
        return render(
            request, "room_door.html", _door_context(session, work_session, q[:200]), me=me, session=session
        )


def _door_context(session: Session, work_session: WorkSession, q: str) -> dict[str, Any]:
    rows = room_queries.door_list(session, work_session, q)
    everyone = room_queries.door_list(session, work_session)
    groups = session_queries.groups_with_seats(session, work_session)
    return {
        "ws": work_session,
        "rows": rows,
        "q": q,
        "present": sum(1 for r in everyone if r.checked_in),
        "total": len(everyone),
        "groups": groups,
        "locked": any(g.locked for g in groups),
        "waiting": room_queries.not_seated(session, work_session) if groups else [],
        "cancelled": room_queries.cancelled_after_lock(session, work_session),
        "guests": room_queries.guests_of(session, work_session),
        "candidates": (room_queries.members_named(session, work_session, q) if q.strip() else []),
    }


@router.post("/sessions/{session_id}/door/{member_id}")
def door_tick(
    request: Request, session_id: int, member_id: int, present: Optional = "yes", q: Optional = ""
) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        room_actions.check_in(session, work_session, member_id, present == "yes", actor=me)
    return redirect(
        f"/sessions/{session_id}/door?q={q[:200]}#p{member_id}"
        if q
        else f"/sessions/{session_id}/door#p{member_id}"
    )


@router.post("/sessions/{session_id}/walk-in")
def door_walk_in(
    request: Request, session_id: int, name: Optional = "", member_id: Optional = ""
) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        registration = room_actions.walk_in(
            session,
            work_session,
            name=name,
            member_id=int(member_id) if member_id.isdigit() else None,
            actor=me,
        )
        arrived = registration.member.name
    flash(request, translate(request, "%(name)s is in.") % {"name": arrived})
    return redirect(f"/sessions/{session_id}/door#waiting")


@router.post("/sessions/{session_id}/seat")
def seat(request: Request, session_id: int, member_id: Optional = "", back: Optional = "") -> Response:
    """Seat one late arrival (``member_id``) or everyone not seated yet."""
    with database(request).transaction() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        seating = room_actions.seat_arrivals(
            session, work_session, [int(member_id)] if member_id.isdigit() else None, actor=me
        )
        names = {m.id: m.name for m in session_queries.participants(session, work_session)}
        placed = [(names.get(m, str(m)), n) for m, n in seating.placed]
        unplaced = [
            (names.get(m, str(m)), translate_error(request, reason)) for m, reason in seating.unplaced
        ]
    if placed:
        flash(
            request,
            "; ".join(
                translate(request, "%(name)s sits in group %(group)s") % {"name": name, "group": number}
                for name, number in placed
            ),
        )
    elif not unplaced:
        flash(request, translate(request, "Everyone has a seat already."))
    for name, reason in unplaced:
        flash(request, f"{name}: {reason}", "error")
    target = f"/sessions/{session_id}#late" if back == "session" else f"/sessions/{session_id}/door#waiting"
    return redirect(target)


@router.post("/sessions/{session_id}/guests/{member_id}/invite")
def invite(request: Request, session_id: int, member_id: int) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        guest = room_actions.invite_guest(session, work_session, member_id, actor=me)
        name = guest.member.name
    flash(request, translate(request, "%(name)s gets an invitation to become a member.") % {"name": name})
    return redirect(f"/sessions/{session_id}/door#guests")


def _invited_guest(session: Session, token: str) -> Member | None:
    member = account_actions.peek_login_token(session, token, "invite")
    return member if member is not None and member.guest_of is not None else None


@router.get("/guests/invite/{token}", response_class=HTMLResponse)
def invitation_page(request: Request, token: str) -> HTMLResponse:
    """A guest's invitation: choose a password and become a member."""
    with database(request).reader() as session:
        member = _invited_guest(session, token)
        return render(
            request,
            "password.html",
            {
                "token": token,
                "purpose": "invite",
                "member": member,
                "minimum": account_actions.MIN_PASSWORD_LENGTH,
            },
            locale=locale_of(request, member),
        )


@router.post("/guests/invite/{token}")
def accept_invitation(
    request: Request, token: str, password: Optional = "", repeat: Optional = ""
) -> Response:
    if password != repeat:
        flash(request, translate(request, "The two passwords differ."), "error")
        return redirect(request.url.path)
    with database(request).transaction() as session:
        member = _invited_guest(session, token)
        if member is None:
            raise PermissionDenied(N_("this link is no longer valid; ask for a new one"))
        guest = room_queries.guest_record(session, member)
        assert guest is not None and guest.email is not None
        room_actions.become_member(session, member, email=guest.email, actor=member)
        account_actions.set_password(session, member, password, actor=member)
        member = account_actions.use_login_token(session, token, "invite")
    sign_in(request, member)
    flash(request, translate(request, "Your password is set. Welcome!"))
    return redirect("/")


@router.post("/sessions/{session_id}/rounds")
def next_round(request: Request, session_id: int) -> Response:
    """World café: the next round's groups, formed from the rounds before."""
    with database(request).transaction() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        made = room_actions.start_next_round(session, work_session, actor=me)
        round_no = made[0].round
    flash(
        request,
        translate(request, "Round %(round)s has begun; everyone has a new group.") % {"round": round_no},
    )
    return redirect(f"/sessions/{session_id}#groups")


@router.post("/sessions/{session_id}/table-host")
def table_host(
    request: Request,
    session_id: int,
    member_id: Annotated[int, Form()],
    group: Optional = "",
    host: Optional = "yes",
) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        work_session = session_queries.get_session(session, session_id)
        room_actions.set_table_host(
            session,
            work_session,
            member_id,
            host=host == "yes",
            group=int(group) if group.isdigit() else None,
            actor=me,
        )
    flash(request, translate(request, "The table host is saved."))
    return redirect(f"/sessions/{session_id}/door#p{member_id}")


def room_context(request: Request, session: Session, me: Member, work_session: WorkSession) -> dict[str, Any]:
    """What the session page adds for the live room: the participant's own view, the code and the host's
    late arrivals (included by session.html)."""
    hosting = is_session_host(session, me, work_session)
    groups_exist = bool(work_session.groups)
    current = session_queries.current_round(session, work_session)
    return {
        **room_globals(request),
        # session.html keeps its own outcome section and its older group block; the live view replaces
        # the group block (so the page's my_group stays empty) and leaves the outcome to the page.
        "my_group": None,
        "room_outcome": False,
        "view": room_queries.participant_view(session, work_session, me),
        "me_id": me.id,
        "join_url": join_url(request, work_session),
        "room_hosting": hosting,
        "current_round": current,
        "round_locked": groups_exist
        and all(g.locked for g in room_queries.round_groups(session, work_session, current)),
        "waiting": room_queries.not_seated(session, work_session) if hosting and groups_exist else [],
        "cancelled": room_queries.cancelled_after_lock(session, work_session) if hosting else [],
        **_live_urls(work_session, me),
    }


__all__ = ["RedirectResponse", "SignInRequired", "room_context", "router"]

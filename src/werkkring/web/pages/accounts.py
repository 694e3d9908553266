"""Sign in (password or one-time link), sign out, password reset, invitations, language, admin of members."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from werkkring import i18n
from werkkring.actions import accounts as account_actions
from werkkring.actions import circles as circle_actions
from werkkring.actions import members as member_actions
from werkkring.actions.permissions import require_admin
from werkkring.domain import TIMEZONE
from werkkring.errors import N_, InputError
from werkkring.queries import circles as circle_queries
from werkkring.queries import members as member_queries
from werkkring.store.models import ROLES
from werkkring.web.common import (
    current_member,
    database,
    flash,
    redirect,
    render,
    require_member,
    safe_next,
    sign_in,
    translate,
)
from werkkring.web.ratelimit import (
    INVITES_PER_ADDRESS,
    INVITES_PER_CLIENT,
    LINKS_PER_ADDRESS,
    LINKS_PER_CLIENT,
    RateLimiter,
    SignInLimiter,
)

router = APIRouter()
Text = Annotated[str, Form()]
OptionalText = Annotated[str, Form()]


def _client(request: Request) -> str:
    return request.client.host if request.client else "-"


def _limit_links(request: Request, email: str) -> None:
    """A few link mails per address and per client in a quarter of an hour, counted whether or not the
    address belongs to a member (so the limit tells nobody which addresses do)."""
    rate: RateLimiter = request.app.state.rate
    per_address = rate.hit("link:e:" + email.strip().lower(), LINKS_PER_ADDRESS)
    per_client = rate.hit("link:c:" + _client(request), LINKS_PER_CLIENT)
    if not (per_address and per_client):
        raise HTTPException(
            429,
            translate(
                request,
                "Too many links were asked for. Wait a quarter of an hour, then ask again; the last link "
                "sent still works.",
            ),
        )


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, next: str = "/") -> HTMLResponse:
    with database(request).reader() as session:
        me = current_member(request, session)
        return render(request, "signin.html", {"next": safe_next(next)}, me=me, session=session)


@router.post("/signin")
def signin(request: Request, email: Text, password: Text, next: OptionalText = "/") -> Response:
    limiter = request.app.state.limiter
    email = email.strip().lower()
    if limiter.blocked(email, _client(request)):
        until = dt.datetime.fromtimestamp(limiter.free_at(email, _client(request)), tz=ZoneInfo(TIMEZONE))
        raise HTTPException(
            429,
            translate(
                request,
                "Too many failed attempts. You can try again from %(time)s, ask for a sign-in link by "
                "e-mail, or ask an administrator to lift the lock.",
            )
            % {"time": until.strftime("%H:%M")},
        )
    with database(request).reader() as session:
        member = member_queries.member_by_email(session, email)
        ok = account_actions.check_password(member, password)
    if not ok or member is None:
        limiter.failed(email, _client(request))
        flash(request, translate(request, "That e-mail address and password do not match."), "error")
        return redirect(f"/signin?next={safe_next(next)}")
    limiter.succeeded(email)
    sign_in(request, member)
    return redirect(safe_next(next))


@router.post("/signin/link")
def request_link(request: Request, email: Text) -> Response:
    """Always the same answer, so nobody learns which addresses are members."""
    _limit_links(request, email)
    with database(request).transaction() as session:
        member = member_queries.member_by_email(session, email)
        if member is not None:
            account_actions.mail_link(session, member, "signin")
    flash(request, translate(request, "If that address belongs to a member, a sign-in link is on its way."))
    return redirect("/signin")


@router.get("/signin/link/{token}", response_class=HTMLResponse)
def link_page(request: Request, token: str) -> HTMLResponse:
    """A button rather than signing in on GET, so mail scanners that open links do not use them up."""
    with database(request).reader() as session:
        member = account_actions.peek_login_token(session, token, "signin")
        return render(request, "link.html", {"token": token, "valid": member is not None})


@router.post("/signin/link/{token}")
def use_link(request: Request, token: str) -> Response:
    with database(request).transaction() as session:
        member = account_actions.use_login_token(session, token, "signin")
    sign_in(request, member)
    return redirect("/")


@router.post("/signout")
def signout(request: Request) -> Response:
    lang = request.session.get("lang")
    request.session.clear()
    if isinstance(lang, str):
        request.session["lang"] = lang
    flash(request, translate(request, "You are signed out."))
    return redirect("/")


@router.get("/password/forgot", response_class=HTMLResponse)
def forgot_page(request: Request) -> HTMLResponse:
    return render(request, "forgot.html")


@router.post("/password/forgot")
def forgot(request: Request, email: Text) -> Response:
    _limit_links(request, email)
    with database(request).transaction() as session:
        member = member_queries.member_by_email(session, email)
        if member is not None:
            account_actions.mail_link(session, member, "reset")
    flash(
        request,
        translate(
            request, "If that address belongs to a member, a link to choose a new password is on its way."
        ),
    )
    return redirect("/signin")


def _password_page(request: Request, token: str, purpose: str) -> HTMLResponse:
    with database(request).reader() as session:
        member = account_actions.peek_login_token(session, token, purpose)
        return render(
            request,
            "password.html",
            {
                "token": token,
                "purpose": purpose,
                "member": member,
                "minimum": account_actions.MIN_PASSWORD_LENGTH,
            },
        )


def _set_password(request: Request, token: str, purpose: str, password: str, repeat: str) -> Response:
    if password != repeat:
        flash(request, translate(request, "The two passwords differ."), "error")
        return redirect(request.url.path)
    with database(request).transaction() as session:
        member = account_actions.peek_login_token(session, token, purpose)
        if member is not None:
            account_actions.set_password(session, member, password, actor=member)
        member = account_actions.use_login_token(session, token, purpose)
    sign_in(request, member)
    flash(request, translate(request, "Your password is set. Welcome!"))
    return redirect("/")


@router.get("/password/reset/{token}", response_class=HTMLResponse)
def reset_page(request: Request, token: str) -> HTMLResponse:
    return _password_page(request, token, "reset")


@router.post("/password/reset/{token}")
def reset(request: Request, token: str, password: Text, repeat: Text) -> Response:
    return _set_password(request, token, "reset", password, repeat)


@router.get("/invite/{token}", response_class=HTMLResponse)
def invite_page(request: Request, token: str) -> HTMLResponse:
    return _password_page(request, token, "invite")


@router.post("/invite/{token}")
def accept_invite(request: Request, token: str, password: Text, repeat: Text) -> Response:
    return _set_password(request, token, "invite", password, repeat)


@router.post("/language")
def choose_language(request: Request, language: Text, next: OptionalText = "/") -> Response:
    language = i18n.normalise(language)
    request.session["lang"] = language
    with database(request).transaction() as session:
        me = current_member(request, session)
        if me is not None and me.language != language:
            member_actions.update_profile(session, me, {"language": language}, actor=me)
    return redirect(safe_next(next))


@router.get("/admin/members", response_class=HTMLResponse)
def admin_members(request: Request) -> HTMLResponse:
    with database(request).reader() as session:
        me = require_member(request, session)
        require_admin(me)
        staff = member_queries.staff(session)
        circles = circle_queries.all_circles(session)
        return render(
            request,
            "admin_members.html",
            {"staff": staff, "circles": circles, "roles": ROLES},
            me=me,
            session=session,
        )


@router.post("/admin/members")
def admin_invite(
    request: Request,
    name: Text,
    email: Text,
    role: Annotated[str, Form()] = "member",
    language: Annotated[str, Form()] = "nl",
    circle: Annotated[list[int] | None, Form()] = None,
) -> Response:
    rate: RateLimiter = request.app.state.rate
    if not rate.hit("invite:c:" + _client(request), INVITES_PER_CLIENT) or not rate.hit(
        "invite:e:" + email.strip().lower(), INVITES_PER_ADDRESS
    ):
        raise HTTPException(
            429, translate(request, "Too many invitations in an hour. Wait a while, then go on.")
        )
    with database(request).transaction() as session:
        me = require_member(request, session)
        # The token invite_member returns is replaced by the one the mail job makes (only that one is sent).
        member, _token = account_actions.invite_member(
            session, name=name, email=email, role=role, language=language, circle_ids=circle or [], actor=me
        )
        account_actions.mail_link(session, member, "invite")
    flash(request, translate(request, "The invitation has been sent."))
    return redirect("/admin/members")


@router.post("/admin/unlock")
def admin_unlock(request: Request, email: Text) -> Response:
    """Another admin lifts the lock-out after failed sign-ins (also an admin's own)."""
    limiter: SignInLimiter = request.app.state.limiter
    with database(request).transaction() as session:
        me = require_member(request, session)
        require_admin(me)
        member = member_queries.member_by_email(session, email.strip().lower())
        if member is None:
            raise InputError(
                N_("no member has the e-mail address %(email)s"), params={"email": email.strip()}
            )
        account_actions.lift_lockout(session, member, limiter.succeeded, actor=me)
    flash(
        request, translate(request, "The lock is lifted: %(name)s can sign in again.") % {"name": member.name}
    )
    return redirect("/admin/members")


@router.post("/admin/members/{member_id}/role")
def admin_role(request: Request, member_id: int, role: Text) -> Response:
    with database(request).transaction() as session:
        me = require_member(request, session)
        member = member_queries.get_member(session, member_id)
        member_actions.set_role(session, member, role, actor=me)
    flash(request, translate(request, "The role has been changed."))
    return redirect(f"/members/{member_id}")


@router.post("/admin/members/{member_id}/circle-role")
def admin_circle_role(request: Request, member_id: int, circle_id: Text, role: Text) -> Response:
    """An admin sets a member's role in one circle (member or host there; adds them to it if need be)."""
    with database(request).transaction() as session:
        me = require_member(request, session)
        member = member_queries.get_member(session, member_id)
        circle = circle_queries.get_circle(session, int(circle_id) if circle_id.isdigit() else 0)
        circle_actions.set_circle_role(session, circle, member, role, actor=me)
    flash(request, translate(request, "The role in the circle has been changed."))
    return redirect(f"/members/{member_id}#circle-roles")

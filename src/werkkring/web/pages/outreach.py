"""Outreach pages: calendar feeds and the newsletter's unsubscribe link (both behind a secret in the address,
no sign-in), report downloads for hosts, and for admins the postal list, label sheets and the newsletter
(preview, then send). Handlers parse, call the queries and actions, and render with the app's layout."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from werkkring import outreach, queue
from werkkring.actions import outreach as outreach_actions
from werkkring.actions.permissions import require_admin, require_session_host
from werkkring.errors import N_, InputError, NotFoundError
from werkkring.jobs import report_pdf
from werkkring.queries import outreach as outreach_queries
from werkkring.queries.sessions import get_session
from werkkring.store.models import Member
from werkkring.web.common import (
    current_member,
    database,
    flash,
    locale_of,
    redirect,
    render,
    require_member,
    settings,
    translate,
    translate_count,
    translate_error,
)

router = APIRouter()
# Addresses that carry their own secret (a feed token, a signed unsubscribe link): no sign-in, no CSRF token.
# RFC 8058 one-click unsubscribe is a POST from the mail client without cookies.
links = APIRouter()

CALENDAR = "text/calendar; charset=utf-8"
MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
# The link is personal: keep it out of referrers.
NO_REFERRER = {"Referrer-Policy": "no-referrer"}


@links.get("/feeds/circle/{slug}.ics")
def circle_feed(request: Request, slug: str) -> Response:
    with database(request).reader() as session:
        data = outreach_queries.circle_feed(session, slug, base_url=settings(request).base_url)
    return Response(
        data, media_type=CALENDAR, headers={"Content-Disposition": f'inline; filename="{slug}.ics"'}
    )


@links.get("/feeds/member/{token}.ics")
def member_feed(request: Request, token: str) -> Response:
    with database(request).reader() as session:
        data = outreach_queries.member_feed(session, token, base_url=settings(request).base_url)
    # A secret address: keep it out of shared caches and referrers.
    return Response(
        data, media_type=CALENDAR, headers={"Cache-Control": "private, max-age=900", **NO_REFERRER}
    )


@links.get("/newsletter/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: str) -> HTMLResponse:
    """Only shows a button: mail scanners follow GET links, and must not unsubscribe anyone."""
    with database(request).reader() as session:
        me = current_member(request, session)
        try:
            member = outreach_queries.member_of_unsubscribe_token(session, token, settings(request))
        except NotFoundError:
            return _unsubscribe(request, None, "invalid", me=me, status_code=404)
        state = "done" if not member.newsletter else "confirm"
        return _unsubscribe(request, member.language, state, me=me)


@links.post("/newsletter/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe(request: Request, token: str) -> HTMLResponse:
    """The confirm button and RFC 8058 one-click (body ``List-Unsubscribe=One-Click``) both land here."""
    with database(request).transaction() as session:
        try:
            member = outreach_queries.member_of_unsubscribe_token(session, token, settings(request))
        except NotFoundError:
            return _unsubscribe(request, None, "invalid", status_code=404)
        outreach_actions.unsubscribe_newsletter(session, member, via="link")
        language = member.language
    return _unsubscribe(request, language, "unsubscribed")


def _unsubscribe(
    request: Request, language: str | None, state: str, *, me: Member | None = None, status_code: int = 200
) -> HTMLResponse:
    """The unsubscribe page in the language the reader chose, else the member's own."""
    chosen = request.session.get("lang")
    locale = chosen if isinstance(chosen, str) else language
    response = render(
        request, "unsubscribe.html", {"state": state}, me=me, locale=locale, status_code=status_code
    )
    response.headers.update(NO_REFERRER)
    return response


@router.get("/sessions/{session_id}/report.{fmt}")
def session_report(request: Request, session_id: int, fmt: str, standalone: bool = False) -> Response:
    """The report as Markdown, PDF or HTML. The HTML opens inside the site's layout (with the downloads);
    ``?standalone=1`` gives the page on its own, with its styles, ready to publish."""
    if fmt not in MEDIA:
        raise HTTPException(status_code=404, detail=translate(request, "Reports come as .md, .html or .pdf."))
    with database(request).reader() as session:
        me = require_member(request, session)
        require_session_host(session, me, get_session(session, session_id))
        try:
            report = outreach_queries.session_report(session, session_id)
        except InputError as error:  # a draft or cancelled session has nothing to report
            raise HTTPException(status_code=409, detail=translate_error(request, error)) from None
    if fmt == "pdf" and report.contributions >= report_pdf.LARGE_REPORT:
        return _large_pdf(request, session_id, report)
    if fmt == "html" and not standalone:
        with database(request).reader() as session:
            me = require_member(request, session)
            return render(
                request,
                "session_report.html",
                {
                    "session_id": session_id,
                    "report": Markup(outreach.render_html(report, embedded=True)),
                    "report_language": report.language,
                },
                me=me,
                session=session,
            )
    if fmt == "pdf":
        body: bytes | str = outreach.render_pdf(report)
    elif fmt == "md":
        body = outreach.render_markdown(report)
    else:
        body = outreach.render_html(report)
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'{disposition}; filename="session-{session_id}.{fmt}"'},
    )


def _large_pdf(request: Request, session_id: int, report: outreach.SessionReport) -> Response:
    """The PDF of a large report: served when a job has made it for the report as it is now; else a job is
    asked to (once, however often the page reloads) and the page says so and reloads itself."""
    digest = report_pdf.report_digest(report)
    with database(request).reader() as session:
        made = outreach_queries.report_file(session, digest)
        if made is not None:
            return Response(
                made.data,
                media_type=MEDIA["pdf"],
                headers={"Content-Disposition": f'attachment; filename="session-{session_id}.pdf"'},
            )
    try:
        key = f"report:{digest[:100]}"
        queue.enqueue_exclusive(
            database(request), report_pdf.KIND, {"session_id": session_id, "digest": digest}, key=key
        )
    except queue.JobAlreadyActive:
        pass  # asked for already (this page reloading, or another at the same moment): being made
    with database(request).reader() as session:
        me = require_member(request, session)
        return render(
            request,
            "report_pending.html",
            {"session_id": session_id},
            me=me,
            session=session,
            status_code=202,
        )


def _postal_list(request: Request) -> outreach.PostalList:
    with database(request).reader() as session:
        require_admin(require_member(request, session))
        return outreach_queries.postal_list(session)


def _left_out_header(postal: outreach.PostalList) -> dict[str, str]:
    counts = "; ".join(f"{reason}={count}" for reason, count in postal.left_out.items())
    return {"X-Werkkring-Addresses": str(len(postal.addresses)), "X-Werkkring-Left-Out": counts}


@router.get("/admin/mailing", response_class=HTMLResponse)
def mailing_page(request: Request) -> HTMLResponse:
    """The postal mailing: how many addresses, who was left out and why; members who agreed to post but whose
    address is incomplete are named, so the admin can ask them."""
    with database(request).reader() as session:
        me = require_member(request, session)
        require_admin(me)
        postal = outreach_queries.postal_list(session)
        return render(
            request,
            "admin_mailing.html",
            {"postal": postal, "no_consent": postal.left_out.get(outreach.NO_CONSENT, 0)},
            me=me,
            session=session,
        )


@router.get("/admin/mailing/labels.pdf")
def mailing_labels(request: Request) -> Response:
    postal = _postal_list(request)
    return Response(
        outreach.labels_pdf(postal),
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'attachment; filename="labels.pdf"',
            "Cache-Control": "no-store",
            **_left_out_header(postal),
        },
    )


@router.get("/admin/mailing/list.csv")
def mailing_list(request: Request) -> Response:
    postal = _postal_list(request)
    return Response(
        outreach.to_csv(postal),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="mailing-list.csv"',
            "Cache-Control": "no-store",
            **_left_out_header(postal),
        },
    )


def _since(value: str | None) -> dt.date:
    if not value:
        return dt.date.today() - dt.timedelta(days=30)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(N_("give the date as YYYY-MM-DD, not %(value)r"), params={"value": value}) from None


@router.get("/admin/newsletter/confirm", response_class=HTMLResponse)
def newsletter_confirm_page(request: Request, since: str | None = None) -> HTMLResponse:
    """The step between the preview and sending: how many members get it, and one button that sends."""
    with database(request).reader() as session:
        me = require_member(request, session)
        require_admin(me)
        day = _since(since)
        digest = outreach_queries.digest(session, day)
        letter = outreach.render_newsletter(
            digest,
            locale_of(request, me),
            base_url=settings(request).base_url,
            unsubscribe=f"{settings(request).base_url}/newsletter/unsubscribe/PREVIEW",
        )
        count = len(outreach_queries.newsletter_recipients(session))
        return render(
            request,
            "admin_newsletter_confirm.html",
            {"since": day, "empty": digest.is_empty, "count": count, "subject": letter.subject},
            me=me,
            session=session,
        )


@router.get("/admin/newsletter", response_class=HTMLResponse)
def newsletter_page(request: Request, since: str | None = None) -> HTMLResponse:
    """Admins see the digest as members will get it, then confirm sending it on the next page."""
    with database(request).reader() as session:
        me = require_member(request, session)
        require_admin(me)
        day = _since(since)
        digest = outreach_queries.digest(session, day)
        base_url = settings(request).base_url
        letter = outreach.render_newsletter(
            digest,
            locale_of(request, me),
            base_url=base_url,
            unsubscribe=f"{base_url}/newsletter/unsubscribe/PREVIEW",
        )
        count = len(outreach_queries.newsletter_recipients(session))
        return render(
            request,
            "admin_newsletter.html",
            {"since": day, "empty": digest.is_empty, "count": count, "letter": letter},
            me=me,
            session=session,
        )


@router.post("/admin/newsletter")
def newsletter_send(
    request: Request, since: Annotated[str, Form()] = "", confirm: Annotated[str, Form()] = ""
) -> Response:
    """Starts the newsletter as a background job and shows its progress; nobody waits for the mail server,
    and a second Send while one is on its way is refused. Only from the confirmation step (``confirm=yes``);
    anything else is taken to that step first."""
    day = _since(since)
    if confirm != "yes":
        return redirect(f"/admin/newsletter/confirm?since={day.isoformat()}")
    try:
        with queue.refusing_duplicates(database(request)) as session:
            me = require_member(request, session)
            digest = outreach_queries.digest(session, day)
            count = len(outreach_queries.newsletter_recipients(session))
            job_id = outreach_actions.start_newsletter(session, digest, settings(request), actor=me)
    except queue.JobAlreadyActive:
        flash(
            request,
            translate(request, "A newsletter is being sent right now; wait until it has finished."),
            "error",
        )
        return redirect(f"/admin/newsletter?since={day.isoformat()}")
    flash(
        request,
        translate_count(
            request,
            "The newsletter is on its way to %(num)s member; this page shows how far it is.",
            "The newsletter is on its way to %(num)s members; this page shows how far it is.",
            count,
        ),
    )
    return redirect(f"/admin/jobs/{job_id}")

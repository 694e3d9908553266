"""Web routes for outreach: public calendar feeds, the newsletter unsubscribe link, and downloads for hosts
(session reports) and admins (postal list and label sheets). Views only parse, check permission and call
werkkring.outreach / werkkring.actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from werkkring import outreach
from werkkring.actions.outreach import unsubscribe_newsletter
from werkkring.actions.permissions import require_admin, require_session_host
from werkkring.config import Settings
from werkkring.errors import NotFoundError, PermissionDenied, WerkkringError
from werkkring.store import Database
from werkkring.store.models import Member, WorkSession
from werkkring.web.outreach_auth import current_member
from werkkring.web.security import CSRF_FIELD, csrf_token, verify_csrf

router = APIRouter()

CALENDAR = "text/calendar; charset=utf-8"
MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


def _database(request: Request) -> Database:
    database = request.app.state.database
    assert isinstance(database, Database)
    return database


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _reader(request: Request) -> Iterator[Session]:
    with _database(request).reader() as session:
        yield session


Reader = Annotated[Session, Depends(_reader)]
SignedIn = Annotated[Member, Depends(current_member)]


def _not_found(error: WerkkringError) -> HTTPException:
    return HTTPException(status_code=404, detail=str(error))


@router.get("/feeds/circle/{slug}.ics")
def circle_feed(slug: str, request: Request, session: Reader) -> Response:
    try:
        data = outreach.circle_feed(session, slug, base_url=_settings(request).base_url)
    except NotFoundError as error:
        raise _not_found(error) from None
    return Response(
        data, media_type=CALENDAR, headers={"Content-Disposition": f'inline; filename="{slug}.ics"'}
    )


@router.get("/feeds/member/{token}.ics")
def member_feed(token: str, request: Request, session: Reader) -> Response:
    try:
        data = outreach.member_feed(session, token, base_url=_settings(request).base_url)
    except NotFoundError as error:
        raise _not_found(error) from None
    # A secret address: keep it out of shared caches and referrers.
    return Response(
        data,
        media_type=CALENDAR,
        headers={"Cache-Control": "private, max-age=900", "Referrer-Policy": "no-referrer"},
    )


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><meta name='robots' "
        f"content='noindex'><title>{escape(title)}</title></head><body style='font-family:sans-serif;"
        f"max-width:36rem;margin:3rem auto;padding:0 1rem'><h1>{escape(title)}</h1>{body}</body></html>",
        status_code=status,
        headers={"Referrer-Policy": "no-referrer"},
    )


def _member_of_token(request: Request, session: Session, token: str) -> Member:
    member_id = outreach.read_unsubscribe_token(token, _settings(request))
    member = session.get(Member, member_id)
    if member is None:
        raise NotFoundError("this unsubscribe link is not valid")
    return member


@router.get("/newsletter/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_confirm(token: str, request: Request, session: Reader) -> HTMLResponse:
    """Only shows a button: mail scanners follow GET links, and must not unsubscribe anyone."""
    try:
        member = _member_of_token(request, session, token)
    except NotFoundError:
        return _page("Link niet geldig / Link not valid", "<p>Deze afmeldlink klopt niet.</p>", 404)
    if not member.newsletter:
        return _page("Afgemeld / Unsubscribed", "<p>Je ontvangt de nieuwsbrief al niet meer.</p>")
    return _page(
        "Afmelden voor de nieuwsbrief / Unsubscribe",
        "<p>Wil je de nieuwsbrief niet meer ontvangen? / Stop receiving the newsletter?</p>"
        "<form method='post'><button type='submit'>Afmelden / Unsubscribe</button></form>",
    )


@router.post("/newsletter/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe(token: str, request: Request) -> HTMLResponse:
    """The confirm button and RFC 8058 one-click (body ``List-Unsubscribe=One-Click``) both land here."""
    with _database(request).transaction() as session:
        try:
            member = _member_of_token(request, session, token)
        except NotFoundError:
            return _page("Link niet geldig / Link not valid", "<p>Deze afmeldlink klopt niet.</p>", 404)
        unsubscribe_newsletter(session, member, via="link")
    return _page(
        "Afgemeld / Unsubscribed",
        "<p>Je ontvangt de nieuwsbrief niet meer. / You will no longer receive the newsletter.</p>",
    )


@router.get("/sessions/{session_id}/report.{fmt}")
def session_report(session_id: int, fmt: str, member: SignedIn, session: Reader) -> Response:
    if fmt not in MEDIA:
        raise HTTPException(status_code=404, detail="reports come as .md, .html or .pdf")
    work_session = session.get(WorkSession, session_id)
    if work_session is None:
        raise HTTPException(status_code=404, detail=f"no work session with id {session_id}")
    try:
        require_session_host(session, member, work_session)
        report = outreach.build_session_report(session, session_id)
    except PermissionDenied:
        raise  # the app answers 403 with the message in the reader's language
    except WerkkringError as error:
        raise HTTPException(status_code=409, detail=str(error)) from None
    if fmt == "pdf":
        body: bytes | str = _pdf(lambda: outreach.render_pdf(report))
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


def _pdf(make: Callable[[], bytes]) -> bytes:
    return make()  # PdfUnavailable: the app answers with a page that says what to install


def _admin_postal(member: Member, session: Session) -> outreach.PostalList:
    require_admin(member)  # PermissionDenied: the app answers 403 in the reader's language
    return outreach.postal_list(session)


def _left_out_header(postal: outreach.PostalList) -> dict[str, str]:
    counts = "; ".join(f"{reason}={count}" for reason, count in postal.left_out.items())
    return {"X-Werkkring-Addresses": str(len(postal.addresses)), "X-Werkkring-Left-Out": counts}


@router.get("/admin/mailing/labels.pdf")
def mailing_labels(member: SignedIn, session: Reader) -> Response:
    postal = _admin_postal(member, session)
    return Response(
        _pdf(lambda: outreach.labels_pdf(postal)),
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'attachment; filename="labels.pdf"',
            "Cache-Control": "no-store",
            **_left_out_header(postal),
        },
    )


@router.get("/admin/mailing/list.csv")
def mailing_list(member: SignedIn, session: Reader) -> Response:
    postal = _admin_postal(member, session)
    return Response(
        outreach.to_csv(postal),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="mailing-list.csv"',
            "Cache-Control": "no-store",
            **_left_out_header(postal),
        },
    )


_NEWSLETTER_TEXT = {
    "nl": {
        "title": "Nieuwsbrief",
        "since": "Sessies sinds",
        "show": "Toon voorbeeld",
        "send": "Verstuur naar {n} leden",
        "empty": "Er is niets te melden sinds deze datum; de nieuwsbrief wordt niet verstuurd.",
        "sent": "Verstuurd naar {n} leden.",
        "failed": "Niet verstuurd naar {n} leden: {ids}.",
        "back": "Terug naar het beheer",
    },
    "en": {
        "title": "Newsletter",
        "since": "Sessions since",
        "show": "Show preview",
        "send": "Send to {n} members",
        "empty": "There is nothing to tell since this date; the newsletter will not be sent.",
        "sent": "Sent to {n} members.",
        "failed": "Not sent to {n} members: {ids}.",
        "back": "Back to administration",
    },
}


def _since(value: str | None) -> dt.date:
    if not value:
        return dt.date.today() - dt.timedelta(days=30)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HTTPException(
            status_code=400, detail=f"since must be a date YYYY-MM-DD, not {value!r}"
        ) from None


@router.get("/admin/newsletter", response_class=HTMLResponse)
def newsletter_preview(
    request: Request, member: SignedIn, session: Reader, since: str | None = None
) -> HTMLResponse:
    """Admins see the digest as members will get it, then send it with one (CSRF-protected) button."""
    require_admin(member)  # PermissionDenied: the app answers 403 in the reader's language
    day = _since(since)
    settings = _settings(request)
    language = member.language if member.language in _NEWSLETTER_TEXT else "nl"
    text = _NEWSLETTER_TEXT[language]
    digest = outreach.build_digest(session, day)
    letter = outreach.render_newsletter(
        digest,
        language,
        base_url=settings.base_url,
        unsubscribe=f"{settings.base_url}/newsletter/unsubscribe/PREVIEW",
    )
    count = len(outreach.recipients(session))
    token = escape(csrf_token(request))
    if digest.is_empty:
        action = f"<p>{escape(text['empty'])}</p>"
    else:
        action = (
            f"<form method='post' action='/admin/newsletter'><input type='hidden' name='{CSRF_FIELD}' "
            f"value='{token}'><input type='hidden' name='since' value='{day.isoformat()}'>"
            f"<button type='submit'>{escape(text['send'].format(n=count))}</button></form>"
        )
    body = (
        f"<form method='get' action='/admin/newsletter'><label for='since'>{escape(text['since'])}</label> "
        f"<input id='since' name='since' type='date' value='{day.isoformat()}'> "
        f"<button type='submit'>{escape(text['show'])}</button></form>{action}"
        f"<iframe title='{escape(text['title'])}' srcdoc='{escape(letter.html, quote=True)}' "
        f"style='width:100%;height:60vh;border:1px solid #999;margin-top:1rem'></iframe>"
        f"<p><a href='/admin/members'>{escape(text['back'])}</a></p>"
    )
    return _page(text["title"], body)


@router.post("/admin/newsletter", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
async def newsletter_send(request: Request, member: SignedIn) -> HTMLResponse:
    require_admin(member)  # PermissionDenied: the app answers 403 in the reader's language
    form = await request.form()
    day = _since(str(form.get("since") or ""))
    language = member.language if member.language in _NEWSLETTER_TEXT else "nl"
    text = _NEWSLETTER_TEXT[language]
    try:
        with _database(request).transaction() as session:
            digest = outreach.build_digest(session, day)
            result = outreach.send_newsletter(session, digest, _settings(request))
    except WerkkringError as error:
        return _page(text["title"], f"<p>{escape(str(error))}</p>", status=400)
    body = f"<p>{escape(text['sent'].format(n=result.sent))}</p>"
    if result.failed:
        ids = ", ".join(str(member_id) for member_id, _ in result.failed)
        body += f"<p>{escape(text['failed'].format(n=len(result.failed), ids=ids))}</p>"
    body += f"<p><a href='/admin/members'>{escape(text['back'])}</a></p>"
    return _page(text["title"], body)

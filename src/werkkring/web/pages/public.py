"""Outcomes made public: a page anyone may open without signing in (counts, themes, quotes; names only of
people who agreed to be named), with Open Graph tags so a shared link shows its title and summary, and the
network's Atom feed of them. An outcome that is not public is not found (404), as if it did not exist."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from werkkring import outreach
from werkkring.i18n import N_, translator
from werkkring.queries import outreach as outreach_queries
from werkkring.queries import sessions as session_queries
from werkkring.store.models import WorkSession
from werkkring.web.common import current_member, database, render, settings

router = APIRouter()
ATOM = "application/atom+xml; charset=utf-8"


def _summary(work_session: WorkSession, report: outreach.SessionReport) -> str:
    """One or two sentences for link previews and the feed: the host's summary, else the themes."""
    if work_session.summary.strip():
        text = work_session.summary.strip()
    else:
        labels = ", ".join(t.label for t in report.themes[:4])
        text = f"{report.question} — {labels}" if labels else report.question
    return text if len(text) <= 300 else text[:297].rsplit(" ", 1)[0] + "…"


@router.get("/outcomes/{session_id}", response_class=HTMLResponse)
def public_outcome(request: Request, session_id: int) -> HTMLResponse:
    with database(request).reader() as session:
        me = current_member(request, session)
        work_session = session_queries.public_outcome(session, session_id)
        chosen = request.session.get("lang")
        report = outreach_queries.session_report(
            session, session_id, language=chosen if isinstance(chosen, str) else None
        )
        base = settings(request).base_url.rstrip("/")
        return render(
            request,
            "public_outcome.html",
            {
                "r": report,
                "ws": work_session,
                "og_url": f"{base}/outcomes/{session_id}",
                "og_description": _summary(work_session, report),
                "feed_url": f"{base}/feeds/outcomes.atom",
            },
            me=me,
            session=session,
            locale=chosen if isinstance(chosen, str) else report.language,
        )


@router.get("/feeds/outcomes.atom")
def outcomes_feed(request: Request) -> Response:
    base_url = settings(request).base_url
    with database(request).reader() as session:
        entries = []
        for work_session in session_queries.public_outcomes(session):
            report = outreach_queries.session_report(session, work_session.id)
            assert work_session.public_at is not None
            entries.append(
                outreach.FeedEntry(
                    path=f"/outcomes/{work_session.id}",
                    title=work_session.title,
                    summary=_summary(work_session, report),
                    updated=work_session.public_at,
                    language=report.language,
                )
            )
    w = translator("nl")
    data = outreach.outcomes_feed(
        entries,
        base_url=base_url,
        title=w(N_("werkkring: outcomes of work sessions")),
        subtitle=w(N_("What the network's work sessions found, as the hosts published it.")),
    )
    return Response(data, media_type=ATOM, headers={"Cache-Control": "public, max-age=600"})

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import select

from tests.outreach.fixtures import past_session_ids
from tests.web.helpers import PASSWORD, Browser, csrf_of
from werkkring.actions.accounts import hash_password
from werkkring.config import Settings
from werkkring.jobs.runner import JobBackend
from werkkring.store import Database
from werkkring.store.models import Member, WorkSession
from werkkring.web.app import create_app


def _app(database: Database, tmp_path: Path) -> FastAPI:
    # The settings go in at the start: the app's job runner (mail, newsletter) keeps the ones it got.
    settings = Settings.from_env(
        {
            "WERKKRING_OUTBOX": str(tmp_path / "outbox"),
            "WERKKRING_BASE_URL": "https://w.example.nl",
            "WERKKRING_JOBS_URL": "immediate",
        }
    )
    return create_app(database, settings)


def _as(app: FastAPI, database: Database, member_id: int) -> Browser:
    """A browser signed in as the member, through the app's own sign-in page."""
    with database.transaction() as session:
        member = session.get(Member, member_id)
        assert member is not None
        member.password_hash = hash_password(PASSWORD)
        email = member.email
    browser = Browser(TestClient(app, base_url="https://testserver"))  # the cookie is Secure on https
    browser.sign_in(email)
    return browser


def test_feeds_are_served_as_calendars(demo: Database, tmp_path: Path) -> None:
    client = TestClient(_app(demo, tmp_path))
    response = client.get("/feeds/circle/amsterdam.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert Calendar.from_ical(response.content).walk("VEVENT")
    assert client.get("/feeds/circle/atlantis.ics").status_code == 404
    with demo.reader() as session:
        token = session.scalars(select(Member.feed_token).where(Member.id == 5)).one()
    mine = client.get(f"/feeds/member/{token}.ics")
    assert mine.status_code == 200 and "private" in mine.headers["cache-control"]
    assert client.get("/feeds/member/guess.ics").status_code == 404


def test_downloads_need_a_signed_in_member(demo: Database, tmp_path: Path) -> None:
    """Like every other page: nobody signed in is sent to the sign-in page, and back after."""
    client = TestClient(_app(demo, tmp_path))
    for path in ("/sessions/1/report.md", "/admin/mailing/labels.pdf", "/admin/mailing/list.csv"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == f"/signin?next={path}", path


@pytest.mark.slow
def test_hosts_download_reports_and_others_may_not(demo: Database, tmp_path: Path) -> None:
    app = _app(demo, tmp_path)
    with demo.reader() as session:
        session_id = past_session_ids(session)[0]
        work_session = session.get(WorkSession, session_id)
        assert work_session is not None and work_session.host_id is not None
        host_id = work_session.host_id
        plain = session.scalars(select(Member.id).where(Member.role == "member").order_by(Member.id)).first()
        assert plain is not None and plain != host_id
    client = _as(app, demo, host_id)
    md = client.get(f"/sessions/{session_id}/report.md")
    assert md.status_code == 200 and md.text.startswith("# ")
    html = client.get(f"/sessions/{session_id}/report.html")
    assert html.status_code == 200 and "<svg" in html.text
    pdf = client.get(f"/sessions/{session_id}/report.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) >= 1
    assert client.get(f"/sessions/{session_id}/report.docx").status_code == 404
    assert client.get("/sessions/9999/report.md").status_code == 404
    # A host may not download the admin's postal list.
    assert client.get("/admin/mailing/list.csv").status_code == 403
    client = _as(app, demo, plain)
    assert client.get(f"/sessions/{session_id}/report.md").status_code == 403


def test_admins_download_the_postal_list_with_counts(demo: Database, tmp_path: Path) -> None:
    app = _app(demo, tmp_path)
    with demo.reader() as session:
        admin = session.scalars(select(Member.id).where(Member.role == "admin")).first()
        assert admin is not None
    client = _as(app, demo, admin)
    response = client.get("/admin/mailing/list.csv")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    rows = response.text.strip().splitlines()
    assert int(response.headers["x-werkkring-addresses"]) == len(rows) - 1
    assert "no postal consent=" in response.headers["x-werkkring-left-out"]
    labels = client.get("/admin/mailing/labels.pdf")
    assert labels.status_code == 200 and labels.content.startswith(b"%PDF")


def test_admins_preview_and_send_the_newsletter_from_the_web(demo: Database, tmp_path: Path) -> None:
    app = _app(demo, tmp_path)
    with demo.reader() as session:
        admin = session.scalars(select(Member).where(Member.role == "admin")).first()
        plain = session.scalars(select(Member).where(Member.role == "member")).first()
        assert admin is not None and plain is not None
        admin_id, plain_id = admin.id, plain.id
    client = _as(app, demo, plain_id)
    assert client.get("/admin/newsletter").status_code == 403
    client = _as(app, demo, admin_id)
    assert client.get("/admin/newsletter", params={"since": "gisteren"}).status_code == 400
    preview = client.get("/admin/newsletter", params={"since": "2020-01-01"})
    assert preview.status_code == 200 and "<iframe" in preview.text
    token = csrf_of(preview.text)
    outbox = tmp_path / "outbox"
    refused = client.post("/admin/newsletter", data={"since": "2020-01-01"}, csrf=False)
    assert refused.status_code == 403 and not outbox.exists()
    # Sending goes through a confirmation step: a post without it only leads there, nothing is sent.
    assert "/admin/newsletter/confirm?since=2020-01-01" in preview.text
    unconfirmed = client.client.post(
        "/admin/newsletter", data={"since": "2020-01-01", "csrf_token": token}, follow_redirects=False
    )
    assert unconfirmed.headers["location"] == "/admin/newsletter/confirm?since=2020-01-01"
    assert not outbox.exists()
    confirm = client.get("/admin/newsletter/confirm", params={"since": "2020-01-01"})
    assert confirm.status_code == 200 and 'name="confirm" value="yes"' in confirm.text
    sent = client.client.post(
        "/admin/newsletter", data={"since": "2020-01-01", "csrf_token": token, "confirm": "yes"}
    )
    assert sent.status_code == 200, sent.text
    assert "/admin/jobs/" in str(sent.url) and "Klaar" in sent.text  # the job's page, the job done
    with demo.reader() as session:
        wanted = len(session.scalars(select(Member).where(Member.newsletter.is_(True))).all())
    assert len(list(outbox.glob("*.eml"))) == wanted > 0


def test_a_large_reports_pdf_is_made_by_a_job_and_served_from_every_process(
    demo: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from werkkring.jobs import report_pdf
    from werkkring.store.models import Job

    monkeypatch.setattr(report_pdf, "LARGE_REPORT", 1)  # the demo's sessions count as large here
    settings = Settings.from_env(
        {"WERKKRING_OUTBOX": str(tmp_path / "outbox"), "WERKKRING_JOBS_URL": f"sqlite:///{tmp_path}/jobs.db"}
    )
    backend = JobBackend(demo, settings)  # a real queue: the PDF waits for a runner
    app = create_app(demo, settings, backend)
    with demo.reader() as session:
        session_id = past_session_ids(session)[0]
        work_session = session.get(WorkSession, session_id)
        assert work_session is not None and work_session.host_id is not None
        host_id = work_session.host_id
    client = _as(app, demo, host_id)
    waiting = client.get(f"/sessions/{session_id}/report.pdf")
    assert waiting.status_code == 202 and "De pdf wordt gemaakt" in waiting.text
    assert '<meta http-equiv="refresh"' in waiting.text and '<header class="site">' in waiting.text
    assert client.get(f"/sessions/{session_id}/report.pdf").status_code == 202  # asked for once, not twice
    with demo.reader() as session:
        assert session.scalars(select(Job.status).where(Job.kind == "report.pdf")).all() == ["queued"]
    assert backend.huey is not None
    while (task := backend.huey.dequeue()) is not None:
        backend.huey.execute(task)
    # Another web process (another app on the same database) serves the same file.
    other = _as(create_app(demo, settings, backend), demo, host_id)
    ready = other.get(f"/sessions/{session_id}/report.pdf")
    assert ready.status_code == 200 and ready.headers["content-type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(ready.content)).pages) >= 1
    backend.huey.flush()
    backend.close()

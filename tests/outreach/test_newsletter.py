from __future__ import annotations

import datetime as dt
import email
import email.policy
import smtplib
from email.message import EmailMessage
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from werkkring.actions.outreach import start_newsletter
from werkkring.actions.permissions import SYSTEM
from werkkring.config import Settings
from werkkring.errors import InputError, NotFoundError
from werkkring.jobs import newsletter as newsletter_job
from werkkring.mail import Mail
from werkkring.outreach import Digest, SendResult, read_unsubscribe_token, unsubscribe_token
from werkkring.queries.outreach import digest as build_digest
from werkkring.queries.outreach import newsletter_result
from werkkring.queue import Runner
from werkkring.store import Database
from werkkring.store.models import AuditEntry, Initiative, Job, Member, WorkSession
from werkkring.web.app import create_app

NOW = dt.datetime(2026, 11, 29, 12, 0)


def _settings(tmp_path: Path, **extra: str) -> Settings:
    return Settings.from_env(
        {
            "WERKKRING_OUTBOX": str(tmp_path / "outbox"),
            "WERKKRING_JOBS_URL": "immediate",
            "WERKKRING_BASE_URL": "https://werkkring.example.nl",
            "WERKKRING_SECRET_KEY": "test-secret",
            **extra,
        }
    )


def _send(database: Database, settings: Settings, digest: Digest) -> SendResult:
    """Start the newsletter job and run it here, as the job runner would."""
    with database.transaction() as session:
        job_id = start_newsletter(session, digest, settings, actor=SYSTEM)
    Runner(database, settings).run(job_id)  # nothing to do if an app's job runner already ran it
    with database.reader() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status == "done", job and job.error
        return newsletter_result(session, job_id)


def _outbox(settings: Settings) -> list[EmailMessage]:
    messages = []
    for path in sorted(settings.outbox_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        messages.append(message)
    return messages


def test_digest_holds_recent_sessions_open_initiatives_and_coming_sessions(demo: Database) -> None:
    since = dt.date(2026, 9, 1)
    with demo.reader() as session:
        digest = build_digest(session, since, now=NOW)
        sessions = session.scalars(select(WorkSession)).all()
        initiatives = session.scalars(select(Initiative)).all()
    start = dt.datetime.combine(since, dt.time())
    assert {s.id for s in digest.recent} == {
        s.id for s in sessions if start <= s.starts_at < NOW and s.status not in ("draft", "cancelled")
    }
    assert {s.id for s in digest.upcoming} == {
        s.id for s in sessions if s.starts_at >= NOW and s.status in ("open", "grouped")
    }
    assert {i.id for i in digest.initiatives} == {
        i.id for i in initiatives if i.status in ("proposed", "active") and i.looking_for
    }
    assert all(s.themes for s in digest.recent)


def test_newsletter_goes_to_subscribers_with_a_working_unsubscribe_link(
    demo: Database, tmp_path: Path
) -> None:
    settings = _settings(tmp_path)
    with demo.transaction() as session:
        members = session.scalars(select(Member).order_by(Member.id)).all()
        for member in members[::4]:
            member.newsletter = False
        subscribers = {m.email: m.id for m in members if m.newsletter}
        digest = build_digest(session, dt.date(2026, 6, 1), now=NOW)
    result = _send(demo, settings, digest)
    messages = _outbox(settings)
    assert result.sent == len(messages) == len(subscribers)
    assert {str(m["To"]) for m in messages} == set(subscribers)

    message = messages[0]
    header = str(message["List-Unsubscribe"])
    assert header.startswith("<https://werkkring.example.nl/newsletter/unsubscribe/") and header.endswith(">")
    assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    link = header[1:-1]
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    assert text_part is not None and html_part is not None
    assert link in text_part.get_content() and link in html_part.get_content()
    member_id = subscribers[str(message["To"])]
    token = link.rsplit("/", 1)[1]
    assert read_unsubscribe_token(token, settings) == member_id

    app = create_app(demo)
    app.state.settings = settings
    client = TestClient(app)
    path = link.removeprefix(settings.base_url)
    page = client.get(path)
    assert page.status_code == 200 and '<form method="post">' in page.text
    with demo.reader() as session:
        assert session.get(Member, member_id).newsletter is True  # type: ignore[union-attr]
    # RFC 8058 one-click: a POST with this body, no cookies, no confirmation.
    done = client.post(
        path,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200
    with demo.reader() as session:
        assert session.get(Member, member_id).newsletter is False  # type: ignore[union-attr]
    assert client.post(path).status_code == 200  # twice is harmless

    # Someone else's token cannot be made from one's own.
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post(path.replace(token, forged)).status_code == 404
    assert client.get(path.replace(token, "nonsense")).status_code == 404

    for old in settings.outbox_dir.glob("*.eml"):
        old.unlink()
    with demo.transaction() as session:
        digest = build_digest(session, dt.date(2026, 6, 1), now=NOW)
    again = _send(demo, settings, digest)
    assert again.sent == len(subscribers) - 1
    assert member_id not in again.recipients
    with demo.reader() as session:
        runs = session.scalars(select(AuditEntry).where(AuditEntry.action == "newsletter.send")).all()
        assert [r.details["sent"] for r in runs] == [len(subscribers), len(subscribers) - 1]
        off = session.scalars(select(AuditEntry).where(AuditEntry.action == "member.newsletter_off")).all()
        assert [e.subject_id for e in off] == [str(member_id)]


def test_tokens_are_tied_to_the_secret(tmp_path: Path) -> None:
    token = unsubscribe_token(42, _settings(tmp_path))
    assert read_unsubscribe_token(token, _settings(tmp_path)) == 42
    with pytest.raises(NotFoundError):
        read_unsubscribe_token(token, _settings(tmp_path, WERKKRING_SECRET_KEY="another"))


def test_an_empty_newsletter_is_not_sent(demo: Database, tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with demo.transaction() as session:
        for initiative in session.scalars(select(Initiative)):
            initiative.looking_for = ""
        for work_session in session.scalars(select(WorkSession)):
            work_session.status = "cancelled"
        digest = build_digest(session, dt.date(2026, 11, 1), now=NOW)
        assert digest.is_empty
        with pytest.raises(InputError, match="nothing to tell"):
            start_newsletter(session, digest, settings, actor=SYSTEM)
    assert not settings.outbox_dir.exists() or not list(settings.outbox_dir.iterdir())
    with demo.reader() as session, pytest.raises(InputError, match="future"):
        build_digest(session, dt.date(2027, 1, 1), now=NOW)


def test_a_refused_address_does_not_stop_the_rest(
    demo: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    delivered: list[str] = []

    def flaky(mail: Mail, _settings: Settings) -> None:
        if len(delivered) == 2 and "refused" not in mail.to:
            delivered.append("refused")
            raise smtplib.SMTPRecipientsRefused({mail.to: (550, b"no such user")})
        delivered.append(mail.to)

    with demo.transaction() as session:
        subscribers = session.scalars(select(Member.id).where(Member.newsletter.is_(True))).all()
        digest = build_digest(session, dt.date(2026, 6, 1), now=NOW)
    monkeypatch.setattr(newsletter_job, "send", flaky)
    result = _send(demo, settings, digest)
    assert result.sent == len(subscribers) - 1 and len(result.failed) == 1
    assert "SMTPRecipientsRefused" in result.failed[0][1]
    assert set(result.recipients) | {result.failed[0][0]} == set(subscribers)

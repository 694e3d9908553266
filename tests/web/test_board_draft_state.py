"""The state of a large board's background draft on the host's board, without JavaScript, and in the API: a
draft whose engine raises is tried again, then shows as failed with a short message for people (never the
error's own text or a traceback), in Dutch and in English, with "try again"; trying again runs the draft and
the themes appear; each change of the job's state is announced on the session's live channel (board.js
fetches the board on it); a participant sees none of it and may not press it."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import select, update

from tests.board_setup import Evening, evening
from werkkring import i18n, queue
from werkkring.actions import board
from werkkring.config import Settings
from werkkring.errors import N_, InputError
from werkkring.queries import board as board_queries
from werkkring.queries.sessions import get_session
from werkkring.store import Database
from werkkring.store.models import AuditEntry, BreakoutGroup, Job, LiveEvent, Member, utcnow

SECRET = "engine exploded at line 42 of _cluster.py"


class Engine:
    """The real engine, or (while ``broken`` is set) one that raises ``broken``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.real = board.synthesize
        self.broken: Exception | None = None
        self.calls = 0
        monkeypatch.setattr(board, "synthesize", self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.broken is not None:
            raise self.broken
        return self.real(*args, **kwargs)


@pytest.fixture
def room(database: Database, monkeypatch: pytest.MonkeyPatch) -> Evening:
    monkeypatch.setattr(board, "LARGE_BOARD", 10)  # the evening's input is drafted as a job
    with database.transaction() as session:
        return evening(session)


def _email(database: Database, member_id: int) -> str:
    with database.reader() as session:
        member = session.get(Member, member_id)
        assert member is not None
        return member.email


def _jobs(database: Database) -> list[Job]:
    with database.reader() as session:
        return list(
            session.scalars(select(Job).where(Job.kind == board.RERUN_KIND).order_by(Job.created_at, Job.id))
        )


def _run_out(database: Database, job_id: str) -> None:
    """Run the job's later attempts now (the worker would after the back-off) until it fails for good."""
    runner = queue.Runner(database, Settings.from_env({}))
    for _ in range(5):
        with database.transaction() as session:
            job = session.get(Job, job_id)
            assert job is not None
            if job.status != "retrying":
                return
            job.run_after = utcnow() - dt.timedelta(seconds=1)
        runner.run(job_id)
    raise AssertionError("the job never failed for good")


def _draft_events(database: Database, session_id: int) -> list[str]:
    with database.reader() as session:
        rows = session.scalars(
            select(LiveEvent.data).where(LiveEvent.channel == f"session:{session_id}").order_by(LiveEvent.id)
        ).all()
    return [e["job"] for e in map(json.loads, rows) if e.get("type") == "board" and "job" in e]


def _said(message: str) -> str:
    """A message as the board shows it: a sentence (capital, full stop), escaped."""
    return str(escape(message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")))


def _draft_block(html: str) -> str:
    start = html.index('id="board-draft"')
    return html[start : html.index("</div>", start)]


def test_a_failed_draft_shows_why_in_both_languages_and_try_again_makes_it(
    database: Database, app_for: Any, room: Evening, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = Engine(monkeypatch)
    engine.broken = RuntimeError(SECRET)
    host = app_for(database)()
    host.sign_in(_email(database, room.host))
    assert 'id="board-draft"' not in host.get(f"/sessions/{room.session_id}").text  # no draft yet
    pressed = host.post(f"/sessions/{room.session_id}/synthesis", {})
    assert pressed.status_code == 303
    (job,) = _jobs(database)
    assert job.status == "retrying"  # the first attempt raised; the worker tries again after its back-off
    page = host.get(f"/sessions/{room.session_id}").text
    block = _draft_block(page)
    assert 'data-state="retrying"' in block and "poging 2 van 3" in block
    assert 'data-running="yes"' in page and "/board/retry" not in block

    _run_out(database, job.id)
    (job,) = _jobs(database)
    assert job.status == "failed" and SECRET in (job.error or "")  # the admin's job page keeps the detail
    nl = i18n.translator("nl")
    page = host.get(f"/sessions/{room.session_id}").text
    block = _draft_block(page)
    asked = job.created_at.replace(tzinfo=dt.UTC).astimezone(board_queries._ZONE).strftime("%H:%M")
    assert 'data-state="failed"' in block and 'role="alert"' in block
    # The host's synthesis part of the page is open while a draft failed, even with the groups unlocked.
    with database.transaction() as session:
        session.execute(
            update(BreakoutGroup).where(BreakoutGroup.session_id == room.session_id).values(locked=False)
        )
    opened = r'<details class="host-part" open><summary><h3 id="themes">'
    assert re.search(opened, host.get(f"/sessions/{room.session_id}").text)
    assert nl("The draft asked at %(time)s could not be made.") % {"time": asked} in block
    assert _said(nl(board_queries.SERVER_PROBLEM)) in block
    assert f'action="/sessions/{room.session_id}/board/retry"' in block and "Opnieuw proberen" in block
    assert SECRET not in page and "Traceback" not in page and "RuntimeError" not in page
    assert 'data-running="no"' in page

    host.post("/language", {"language": "en", "next": f"/sessions/{room.session_id}"})
    page = host.get(f"/sessions/{room.session_id}").text
    block = _draft_block(page)
    assert f"The draft asked at {asked} could not be made." in block
    assert _said(board_queries.SERVER_PROBLEM) in block and ">Try again</button>" in block
    assert SECRET not in page and "Traceback" not in page
    tries = ["running", "retrying"] * 2 + ["running", "failed"]
    assert _draft_events(database, room.session_id) == ["queued", *tries]

    engine.broken = None
    again = host.post(f"/sessions/{room.session_id}/board/retry", {})
    assert again.status_code == 303 and again.headers["location"].endswith("#board")
    failed, retried = _jobs(database)
    assert failed.id == job.id and failed.status == "failed" and retried.status == "done"
    page = host.get(f"/sessions/{room.session_id}").text
    block = _draft_block(page)
    assert 'data-state="done"' in block and "The draft was made at" in block and "/board/retry" not in block
    assert page.count('class="board-theme') >= 2
    assert _draft_events(database, room.session_id)[-3:] == ["queued", "running", "done"]
    with database.reader() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "board.retry")).one()
        assert entry.actor_id == room.host and entry.details["failed"] == job.id
        assert entry.details["job"] == retried.id
    # Nothing failed any more: try again is refused with a message (the button is gone from the page).
    late = host.post(f"/sessions/{room.session_id}/board/retry", {})
    assert late.status_code == 303
    assert "there is no failed draft to try again" in host.get(late.headers["location"]).text
    assert len(_jobs(database)) == 2


def test_a_draft_that_fails_on_purpose_says_so_in_the_hosts_language(
    database: Database, app_for: Any, room: Evening, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = N_("there is no input to synthesise yet")
    Engine(monkeypatch).broken = InputError(message)
    host = app_for(database)()
    host.sign_in(_email(database, room.host))
    host.post(f"/sessions/{room.session_id}/synthesis", {})
    (job,) = _jobs(database)
    assert job.status == "failed" and job.attempts == 1  # bad input is not tried again
    block = _draft_block(host.get(f"/sessions/{room.session_id}").text)
    assert _said(i18n.translator("nl")(message)) in block and i18n.translator("nl")(message) != message
    host.post("/language", {"language": "en", "next": "/"})
    assert _said(message) in _draft_block(host.get(f"/sessions/{room.session_id}/board").text)


def test_a_participant_sees_no_draft_state_and_cannot_try_again(
    database: Database, app_for: Any, room: Evening, monkeypatch: pytest.MonkeyPatch
) -> None:
    Engine(monkeypatch).broken = InputError(N_("there is no input to synthesise yet"))
    person = app_for(database)()  # the app's job backend runs the job right after the commit
    board.synthesise(database, room.host, room.session_id)
    (job,) = _jobs(database)
    assert job.status == "failed"
    person.sign_in(_email(database, room.participant))
    page = person.get(f"/sessions/{room.session_id}").text
    assert 'id="board-draft"' not in page and "/board/retry" not in page and "Opnieuw proberen" not in page
    assert person.post(f"/sessions/{room.session_id}/board/retry", {}).status_code == 403
    assert person.get(f"/sessions/{room.session_id}/board").status_code == 403
    assert len(_jobs(database)) == 1
    with database.reader() as session:
        assert not session.scalars(select(AuditEntry).where(AuditEntry.action == "board.retry")).all()


def _token(database: Database, member_id: int) -> dict[str, str]:
    from werkkring.actions.accounts import create_api_token

    with database.transaction() as session:
        member = session.get(Member, member_id)
        assert member is not None
        _, token = create_api_token(session, "draft", actor=member)
    return {"Authorization": f"Bearer {token}"}


def test_the_api_shows_the_draft_state_and_tries_again(
    database: Database, app_for: Any, room: Evening, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = Engine(monkeypatch)
    engine.broken = RuntimeError(SECRET)
    client = app_for(database)().client
    host, person = _token(database, room.host), _token(database, room.participant)
    url = f"/api/v1/sessions/{room.session_id}/board"
    assert client.get(url, headers=host).json()["draft"] is None
    started = client.post(f"{url}/rerun", json={"themes": "auto", "version": 0}, headers=host)
    assert started.status_code == 202
    job = started.json()["job"]
    _run_out(database, job)
    draft = client.get(url, headers=host).json()["draft"]
    assert draft["job"] == job and draft["state"] == "failed" and draft["can_retry"] is True
    assert draft["attempts"] == draft["max_attempts"] == 3 and draft["themes"] is None
    assert draft["problem"] == [board_queries.SERVER_PROBLEM] and SECRET not in json.dumps(draft)
    assert dt.datetime.fromisoformat(draft["asked_at"]).tzinfo is not None
    assert client.post(f"{url}/retry", headers=person).status_code == 403
    engine.broken = None
    retried = client.post(f"{url}/retry", headers=host)
    assert retried.status_code == 202, retried.text
    body = retried.json()
    assert body["job"] != job and body["board"]["draft"]["state"] == "done"
    assert body["board"]["draft"]["problem"] == [] and len(body["board"]["themes"]) >= 2
    refused = client.post(f"{url}/retry", headers=host)
    assert refused.status_code == 400 and "no failed draft" in refused.json()["error"]
    schema = client.get("/api/openapi.json").json()
    assert "post" in schema["paths"]["/api/v1/sessions/{session_id}/board/retry"]
    assert "draft" in schema["components"]["schemas"]["BoardOut"]["properties"]
    assert "failed" in schema["components"]["schemas"]["DraftOut"]["properties"]["state"]["enum"]


def test_a_stuck_draft_is_handed_over_again_once(database: Database, app_for: Any, room: Evening) -> None:
    with database.transaction() as session:  # asked, but no worker ever took it (none was running)
        host = session.get(Member, room.host)
        assert host is not None
        job = board.request_rerun(session, get_session(session, room.session_id), actor=host, version=None)
    with database.transaction() as session:
        session.execute(
            update(Job).where(Job.id == job).values(run_after=utcnow() - dt.timedelta(minutes=10))
        )
    browser = app_for(database)()
    browser.sign_in(_email(database, room.host))
    block = _draft_block(browser.get(f"/sessions/{room.session_id}").text)
    assert 'data-state="queued"' in block and 'data-stuck="yes"' in block and "/board/retry" in block
    assert _said(i18n.translator("nl")(board_queries.STUCK_QUEUED_PROBLEM)) in block
    pressed = browser.post(f"/sessions/{room.session_id}/board/retry", {})
    assert pressed.status_code == 303
    (ran,) = _jobs(database)  # the same job, handed to the worker again, ran (immediate backend)
    assert ran.id == job and ran.status == "done"
    assert 'data-state="done"' in _draft_block(browser.get(f"/sessions/{room.session_id}").text)

"""The host's Synthesise on the session page for a large input, without JavaScript: it starts the background
job (a real queue, run by the test as a worker would), the page shows "the synthesis is running" until it is
done and then the themes; a second press meanwhile starts no second job; the board's live stream says when
it is done (board.js fetches the board again on that event)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.board_setup import evening
from tests.web.helpers import Browser, make_settings
from werkkring.actions import board
from werkkring.jobs.runner import JobBackend
from werkkring.store import Database
from werkkring.store.models import Job, LiveEvent, Member
from werkkring.web.app import create_app


def _board_events(database: Database, session_id: int) -> list[dict[str, Any]]:
    with database.reader() as session:
        rows = session.scalars(
            select(LiveEvent.data).where(LiveEvent.channel == f"session:{session_id}").order_by(LiveEvent.id)
        ).all()
    return [e for e in map(json.loads, rows) if e.get("type") == "board"]


def test_a_large_first_synthesis_runs_as_a_job_and_the_page_shows_running_then_done(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    monkeypatch.setattr(board, "LARGE_BOARD", 10)
    with database.transaction() as session:
        made = evening(session)
        host = session.get(Member, made.host)
        assert host is not None
        email = host.email
    settings = make_settings(tmp_path, WERKKRING_JOBS_URL=f"sqlite:///{tmp_path}/jobs.db")
    backend = JobBackend(database, settings)  # a real queue: the job waits for a worker
    try:
        with TestClient(create_app(database, settings, backend)) as client:
            browser = Browser(client)
            browser.sign_in(email)
            page = browser.get(f"/sessions/{made.session_id}")
            assert 'id="board-draft"' not in page.text
            pressed = browser.post(f"/sessions/{made.session_id}/synthesis", {})
            assert pressed.status_code == 303 and pressed.headers["location"].endswith("#board")
            running = browser.get(f"/sessions/{made.session_id}")
            assert 'data-state="queued"' in running.text and 'data-running="yes"' in running.text
            assert "op de achtergrond" in running.text or "in the background" in running.text
            with database.reader() as session:
                asked = session.scalars(select(Job.created_at).where(Job.kind == board.RERUN_KIND)).one()
            clock = asked.replace(tzinfo=dt.UTC).astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%H:%M")
            assert f"gestart om {clock}" in running.text or f"started {clock}" in running.text
            assert 'class="board-theme' not in running.text
            again = browser.post(f"/sessions/{made.session_id}/board/rerun", {"themes": "auto"})
            assert again.status_code in (303, 400)
            with database.reader() as session:
                jobs = session.scalars(select(Job).where(Job.kind == board.RERUN_KIND)).all()
                assert [j.status for j in jobs] == ["queued"]
            assert any(e.get("running") for e in _board_events(database, made.session_id))
            assert backend.huey is not None
            while (task := backend.huey.dequeue()) is not None:
                backend.huey.execute(task)
            with database.reader() as session:
                assert session.scalars(select(Job.status).where(Job.kind == board.RERUN_KIND)).all() == [
                    "done"
                ]
            done = browser.get(f"/sessions/{made.session_id}")
            assert 'data-state="done"' in done.text and 'data-running="no"' in done.text
            assert done.text.count('class="board-theme') >= 2
            last = _board_events(database, made.session_id)[-1]
            assert not last.get("running") and last["status"] == "synthesised" and last["version"] >= 1
            fragment = browser.get(f"/sessions/{made.session_id}/board")
            assert f'data-version="{last["version"]}"' in fragment.text
    finally:
        assert backend.huey is not None
        backend.huey.flush()
        backend.close()

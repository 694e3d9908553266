"""The newsletter runs as a background job (issue 12.2): each recipient is recorded before their mail goes
out, a killed run goes on without mailing anyone twice, a second Send while one runs is refused (also two at
the same moment), and pressing Send does not wait for the mail server. SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.web import factories
from tests.web.helpers import Browser, make_settings
from werkkring.demo import build_demo_network
from werkkring.jobs.runner import JobBackend
from werkkring.store import Database
from werkkring.store.models import Job, JobItem, Member
from werkkring.web.app import create_app

SINCE = "2020-01-01"


def _network(database: Database, members: int) -> set[str]:
    """A demo network plus two admins with a known password; returns the newsletter's recipients."""
    with database.transaction() as session:
        build_demo_network(session, members=members, seed=5)
        factories.member(session, "Anna Admin", role="admin")
        factories.member(session, "Bea Beheer", role="admin")
        return set(session.scalars(select(Member.email).where(Member.newsletter.is_(True))))


def _outbox(folder: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in folder.glob("*.eml") if folder.exists() else []:
        found = re.search(rb"^To: (.+)$", path.read_bytes(), re.MULTILINE)
        assert found is not None
        counts[found.group(1).decode().strip()] += 1
    return counts


def test_two_sends_at_the_same_moment_give_one_newsletter_and_nobody_waits_for_mail(
    database: Database, tmp_path: Path
) -> None:
    recipients = _network(database, 60)
    settings = make_settings(tmp_path, WERKKRING_JOBS_URL=f"sqlite:///{tmp_path}/jobs.db")
    backend = JobBackend(database, settings)  # a real queue: the job waits for a runner
    app = create_app(database, settings, backend)
    admins = [Browser(TestClient(app)), Browser(TestClient(app))]
    for admin, email in zip(admins, ("anna.admin@example.org", "bea.beheer@example.org"), strict=True):
        admin.sign_in(email)
        admin.get(f"/admin/newsletter?since={SINCE}")
    barrier = threading.Barrier(2)
    answers: dict[int, Any] = {}

    def send(index: int) -> None:
        barrier.wait()
        answers[index] = admins[index].post("/admin/newsletter", {"since": SINCE, "confirm": "yes"})

    threads = [threading.Thread(target=send, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    started = [i for i, answer in answers.items() if answer.headers["location"].startswith("/admin/jobs/")]
    assert len(started) == 1, {i: a.headers["location"] for i, a in answers.items()}
    refused = admins[1 - started[0]]
    assert (
        "Er wordt nu al een nieuwsbrief verstuurd"
        in refused.get(answers[1 - started[0]].headers["location"]).text
    )
    # The answers came back before a single mail was written: the job waits for its runner.
    assert _outbox(settings.outbox_dir) == Counter()
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Job).where(Job.kind == "newsletter")) == 1
    # A third Send while the first is still waiting is refused as well.
    again = admins[started[0]].post("/admin/newsletter", {"since": SINCE, "confirm": "yes"})
    assert again.headers["location"] == f"/admin/newsletter?since={SINCE}"
    assert backend.huey is not None
    while (task := backend.huey.dequeue()) is not None:
        backend.huey.execute(task)
    received = _outbox(settings.outbox_dir)
    assert set(received) == recipients and max(received.values()) == 1
    progress = admins[started[0]].get(answers[started[0]].headers["location"])
    assert "Klaar" in progress.text and f"{len(recipients)}" in progress.text
    backend.huey.flush()
    backend.close()


@pytest.mark.slow
def test_a_killed_newsletter_run_goes_on_without_mailing_anyone_twice(
    database: Database, tmp_path: Path
) -> None:
    recipients = _network(database, 400)
    outbox = tmp_path / "outbox"
    env = {
        **os.environ,
        "WERKKRING_DATABASE_URL": database.url,
        "WERKKRING_OUTBOX": str(outbox),
        "WERKKRING_SECRET_KEY": "test-secret",
        "WERKKRING_JOBS_URL": f"sqlite:///{tmp_path}/jobs.db",
    }
    command = [sys.executable, "-m", "werkkring", "newsletter", "--since", SINCE, "--send"]
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while sum(_outbox(outbox).values()) < 40 and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    first.wait()
    before = sum(_outbox(outbox).values())
    assert 40 <= before < len(recipients), f"not killed half-way: {before} of {len(recipients)} sent"

    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode in (0, 1), second.stderr
    assert "going on with the newsletter" in second.stderr
    received = _outbox(outbox)
    assert max(received.values()) == 1, "somebody got the newsletter twice"
    with database.reader() as session:
        items = Counter(session.scalars(select(JobItem.status)))
        (job,) = session.scalars(select(Job).where(Job.kind == "newsletter")).all()
    assert job.status == "done" and job.active_key is None
    # Everyone has it, except at most the one whose mail was going out at the kill: "in doubt", not resent.
    assert items["in_doubt"] <= 1 and items["done"] + items["in_doubt"] == len(recipients)
    assert items["done"] <= len(received) <= items["done"] + items["in_doubt"]
    assert set(received) <= recipients
    if items["in_doubt"]:
        assert "not sent to member" in second.stderr and second.returncode == 1

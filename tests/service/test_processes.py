"""Several web processes share what must be shared: a rate limit counted on one process blocks on the other,
and a live update published by one reaches a page streaming from the other (SQLite and PostgreSQL). Also
`werkkring serve --workers 2` starts two web processes that answer."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.web import factories
from tests.web.helpers import PASSWORD
from werkkring.store import Database

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(database: Database, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "WERKKRING_DATABASE_URL": database.url,
        "WERKKRING_SECRET_KEY": "two-processes",
        "WERKKRING_OUTBOX": str(tmp_path / "outbox"),
        "WERKKRING_JOBS_URL": f"sqlite:///{tmp_path}/jobs.db",
        "WERKKRING_LOG_FORMAT": "json",
    }


def _serve(env: dict[str, str], log: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "werkkring", "serve", "--port", str(port), *extra],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    raise AssertionError(f"werkkring serve did not come up:\n{log.read_text()}")


@pytest.fixture
def two_servers(database: Database, tmp_path: Path) -> Iterator[tuple[str, str]]:
    with database.transaction() as session:
        factories.member(session, "Anna Admin", role="admin")
        factories.member(session, "Bert Lid")
    env = _env(database, tmp_path)
    log = tmp_path / "servers.log"
    first, a = _serve(env, log)
    try:
        second, b = _serve(env, log)
    except AssertionError:
        first.kill()
        raise
    try:
        yield a, b
    finally:
        for process in (first, second):
            process.terminate()
        for process in (first, second):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _form(client: httpx.Client, path: str, data: dict[str, str]) -> httpx.Response:
    page = client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    return client.post(path, data={**data, "csrf_token": token.group(1)})


def test_a_rate_limit_and_a_live_update_cross_two_processes(two_servers: tuple[str, str]) -> None:
    a, b = two_servers
    with httpx.Client(base_url=a) as on_a, httpx.Client(base_url=b) as on_b:
        # Five failed passwords, alternating between the processes, block the address on both.
        for attempt in range(5):
            client = on_a if attempt % 2 else on_b
            wrong = _form(client, "/signin", {"email": "bert.lid@example.org", "password": "wrong-password"})
            assert wrong.status_code == 303
        for client in (on_a, on_b):
            blocked = _form(client, "/signin", {"email": "bert.lid@example.org", "password": PASSWORD})
            assert blocked.status_code == 429

        # The admin follows the job list live on A; a sign-in link asked for on B appears there.
        admin = _form(on_a, "/signin", {"email": "anna.admin@example.org", "password": PASSWORD})
        assert admin.status_code == 303 and admin.headers["location"] == "/"
        received: list[dict[str, str]] = []
        ready = threading.Event()

        def follow() -> None:
            with on_a.stream("GET", "/admin/jobs/events", timeout=15) as response:
                assert response.headers["content-type"].startswith("text/event-stream")
                ready.set()
                event: dict[str, str] = {}
                for line in response.iter_lines():
                    if not line:
                        if "data" in event:
                            received.append(event)
                            return
                        event = {}
                        continue
                    key, _, value = line.partition(":")
                    event[key] = value.strip()

        reader = threading.Thread(target=follow, daemon=True)
        reader.start()
        assert ready.wait(10)
        time.sleep(0.5)
        started = time.monotonic()
        assert _form(on_b, "/signin/link", {"email": "anna.admin@example.org"}).status_code == 303
        reader.join(timeout=10)
        assert received, "the live update from B never reached the page on A"
        data = json.loads(received[0]["data"])
        assert received[0]["event"] == "jobs" and data["kind"] == "mail.link"
        assert time.monotonic() - started < 5


def test_serve_with_two_workers(sqlite_database: Database, tmp_path: Path) -> None:
    log = tmp_path / "workers.log"
    process, base = _serve(_env(sqlite_database, tmp_path), log, "--workers", "2")
    try:
        for _ in range(20):
            assert httpx.get(base + "/readyz").json()["status"] == "ok"
        with httpx.Client(base_url=base) as client:
            assert client.get("/").headers["x-request-id"]
    finally:
        process.terminate()
        process.wait(timeout=30)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    served = {line["pid"] for line in lines if line.get("message", "").startswith("Started server process")}
    assert len(served) == 2, log.read_text()

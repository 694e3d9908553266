"""Error pages in the member's language inside the site layout (JSON for the API), request ids in the logs
and response headers, one log line per request, and the health checks."""

from __future__ import annotations

import io
import json
import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web import factories
from tests.web.helpers import Browser
from werkkring import logs
from werkkring.config import Settings
from werkkring.store import Database
from werkkring.web.app import create_app


def _people(database: Database) -> None:
    with database.transaction() as session:
        dutch = factories.member(session, "Noor Nederlands")
        english = factories.member(session, "Emma English")
        english.language = "en"
        dutch.language = "nl"


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The app's log as JSON lines, the way `werkkring serve` writes it."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    logs.configure("info", "json", stream)
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])


def _records(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("email", "title", "text", "other"),
    [
        ("noor.nederlands@example.org", "Niet gevonden", "Er is geen pagina op dit adres", "Not found"),
        ("emma.english@example.org", "Not found", "There is no page at this address", "Niet gevonden"),
    ],
)
def test_unknown_address_is_a_page_in_the_members_language(
    sqlite_database: Database, app_for: object, email: str, title: str, text: str, other: str
) -> None:
    _people(sqlite_database)
    browser = app_for(sqlite_database)()  # type: ignore[operator]
    browser.sign_in(email)
    response = browser.get("/no/such/page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert f"<h1>{title}</h1>" in page and text in page and other not in page
    assert '<header class="site">' in page and "/members/" in page  # the layout, signed in


def test_unknown_api_address_is_json(sqlite_database: Database, app_for: object) -> None:
    browser = app_for(sqlite_database)()  # type: ignore[operator]
    response = browser.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"error": "Not Found"}


@pytest.mark.parametrize(
    ("email", "title"),
    [("noor.nederlands@example.org", "Niet toegestaan"), ("emma.english@example.org", "Not allowed")],
)
def test_forbidden_page_in_the_members_language(
    sqlite_database: Database, app_for: object, email: str, title: str
) -> None:
    _people(sqlite_database)
    browser = app_for(sqlite_database)()  # type: ignore[operator]
    browser.sign_in(email)
    response = browser.get("/admin/members")
    assert response.status_code == 403
    assert f"<h1>{title}</h1>" in response.text and '<header class="site">' in response.text


@pytest.mark.parametrize(
    ("language", "title", "words"),
    [("nl", "Er ging iets mis", "vermeld deze code"), ("en", "Something went wrong", "mention this code")],
)
def test_unhandled_error_is_logged_with_its_request_id_shown_to_the_person(
    sqlite_database: Database,
    web_settings: Settings,
    log_lines: io.StringIO,
    language: str,
    title: str,
    words: str,
) -> None:
    app = create_app(sqlite_database, web_settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("the flux capacitor broke")

    with TestClient(app) as client:
        browser = Browser(client)
        browser.get("/signin")
        browser.post("/language", {"language": language, "next": "/"})
        response = client.get("/boom")
        api = client.get("/boom", headers={"accept": "application/json"})
    assert response.status_code == 500
    rid = response.headers["x-request-id"]
    assert f"<h1>{title}</h1>" in response.text and words in response.text and rid in response.text
    assert "flux capacitor" not in response.text  # no internals shown to the person
    assert '<header class="site">' in response.text
    assert api.status_code == 500
    errors = [r for r in _records(log_lines) if r.get("level") == "error"]
    assert any(r["request_id"] == rid and "flux capacitor" in str(r["error"]) for r in errors)
    line = next(r for r in _records(log_lines) if r.get("request_id") == rid and r.get("status") == 500)
    assert line["path"] == "/boom" and isinstance(line["ms"], float)


def test_api_error_is_json_with_the_request_id(sqlite_database: Database, web_settings: Settings) -> None:
    app = create_app(sqlite_database, web_settings)

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("no")

    with TestClient(app) as client:
        response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json() == {
        "error": "internal server error",
        "request_id": response.headers["x-request-id"],
    }


def test_every_response_has_a_request_id_and_one_log_line(
    sqlite_database: Database, app_for: object, log_lines: io.StringIO
) -> None:
    browser = app_for(sqlite_database)()  # type: ignore[operator]
    first = browser.get("/")
    second = browser.get("/signin")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    kept = browser.get("/", headers={"x-request-id": "proxy-abc-12345"})
    assert kept.headers["x-request-id"] == "proxy-abc-12345"
    refused = browser.get("/", headers={"x-request-id": "bad id\nwith=log injection"})
    assert refused.headers["x-request-id"] != "bad id\nwith=log injection"
    requests = [r for r in _records(log_lines) if "status" in r]
    assert [(r["path"], r["status"]) for r in requests] == [
        ("/", 200),
        ("/signin", 200),
        ("/", 200),
        ("/", 200),
    ]
    assert [r["request_id"] for r in requests[:2]] == [
        first.headers["x-request-id"],
        second.headers["x-request-id"],
    ]


def test_key_value_format_quotes_what_needs_it() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    logs.configure("info", "kv", stream)
    try:
        with logs.job_context("job-42"):
            logging.getLogger("werkkring.jobs").info("sent mail", extra={"to": "a b@example.org"})
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
    line = stream.getvalue().strip()
    assert 'job_id=job-42 message="sent mail" to="a b@example.org"' in line
    assert line.startswith("time=") and " level=info logger=werkkring.jobs pid=" in line


def test_health_and_readiness(sqlite_database: Database, app_for: object) -> None:
    browser = app_for(sqlite_database)()  # type: ignore[operator]
    assert browser.get("/healthz").json() == {"status": "ok"}
    ready = browser.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_readiness_fails_when_the_database_is_away(tmp_path: Path, web_settings: Settings, kind: str) -> None:
    url = (
        f"sqlite:///{tmp_path}/gone/werkkring.db"
        if kind == "sqlite"
        else f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/nothing"
    )
    database = Database(url) if kind == "postgres" else Database(engine=_lazy_sqlite(url))
    with TestClient(create_app(database, web_settings)) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unavailable" and body["checks"]["database"].startswith(
        "database: OperationalError"
    )


def _lazy_sqlite(url: str):  # type: ignore[no-untyped-def]
    """A SQLite engine whose file cannot be opened (its folder is gone); make_engine would fail at once."""
    from sqlalchemy import create_engine

    return create_engine(url)


@pytest.mark.parametrize(
    ("language", "title", "words"),
    [("nl", "PDF hier niet beschikbaar", "Pango"), ("en", "PDF not available here", "Pango")],
)
def test_missing_pango_is_a_page_that_says_how_to_get_it(
    sqlite_database: Database,
    app_for: object,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    title: str,
    words: str,
) -> None:
    from werkkring import outreach

    def no_pango(*_args: object) -> bytes:
        raise outreach.PdfUnavailable("PDF output needs the Pango library")

    monkeypatch.setattr(outreach, "labels_pdf", no_pango)
    with sqlite_database.transaction() as session:
        admin = factories.member(session, "Anna Admin", role="admin")
        admin.language = language
    browser = app_for(sqlite_database)()  # type: ignore[operator]
    browser.sign_in("anna.admin@example.org")
    response = browser.get("/admin/mailing/labels.pdf")
    assert response.status_code == 501
    assert f"<h1>{title}</h1>" in response.text and "apt-get install libpango-1.0-0" in response.text
    assert '<header class="site">' in response.text

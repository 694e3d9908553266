"""Input beyond any limit, through the API and the forms, on SQLite and PostgreSQL alike: a clear 4xx
naming the field, nothing stored, never a server error (SQLite used to store a 1 MB title that PostgreSQL
answered with a 500; both took a NUL byte or a session in the year 9999)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.web import factories
from werkkring.actions.accounts import create_api_token
from werkkring.store import Database
from werkkring.store.models import WorkSession

GOOD = {
    "title": "Werksessie Utrecht",
    "question": "Wat heb jij nodig om samen te werken?",
    "starts_at": "2027-01-20T19:30:00",
}
BAD = [
    ({"title": "x" * 1_000_000}, "title"),
    ({"title": "Koffie\x00avond"}, "title"),
    ({"question": "Wat\ud800?"}, "question"),
    ({"capacity": 2**40}, "capacity"),
    ({"group_size": 99999999999}, "group_size"),
    ({"circle_id": 2**40}, "circle_id"),
    ({"starts_at": "9999-01-01T19:00:00"}, "starts_at"),
    ({"starts_at": "1900-01-01T19:00:00"}, "starts_at"),
    ({"place": "p" * 300}, "place"),
]


@pytest.fixture
def api(database: Database, app_for: Any) -> Any:
    with database.transaction() as session:
        host = factories.member(session, "Hanna Host", role="host")
        _, token = create_api_token(session, "test", actor=host)
    browser = app_for(database)()
    browser.client.headers["Authorization"] = f"Bearer {token}"
    return browser.client


@pytest.mark.parametrize(("change", "field"), BAD, ids=[field for _, field in BAD])
def test_a_session_beyond_a_limit_is_refused_naming_the_field(
    database: Database, api: Any, change: dict[str, Any], field: str
) -> None:
    answer = api.post(
        "/api/v1/sessions",
        content=json.dumps({**GOOD, **change}),
        headers={"content-type": "application/json"},
    )
    assert 400 <= answer.status_code < 500, answer.text[:300]
    body = answer.json()
    fields = {p.get("field") for p in body.get("problems", [])} | {
        str(p.get("loc", [None])[-1]) for p in body.get("problems", []) if isinstance(p, dict) and "loc" in p
    }
    assert field in fields, body
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(WorkSession)) == 0


def test_broken_json_is_a_clear_422(database: Database, api: Any) -> None:
    for raw in (
        '{"title": NaN}',
        '{"title": "\\ud800", "question": "q", "starts_at": "2027-01-01T10:00"}',
        "{",
    ):
        answer = api.post("/api/v1/sessions", content=raw, headers={"content-type": "application/json"})
        assert answer.status_code in (400, 422), (raw, answer.status_code, answer.text[:200])
        assert answer.json()["error"]


def test_a_good_session_is_stored(database: Database, api: Any) -> None:
    answer = api.post("/api/v1/sessions", json=GOOD)
    assert answer.status_code == 201, answer.text


def test_search_wildcards_are_literal_and_bad_text_is_refused(database: Database, api: Any) -> None:
    with database.transaction() as session:
        factories.member(session, "Bert Lid", offers="intervisie begeleiden")
        factories.member(session, "Carla_Coach", offers="100% maatwerk")
    names = lambda q: {p["name"] for p in api.get("/api/v1/members", params={"q": q}).json()}  # noqa: E731
    assert names("") >= {"Bert Lid", "Carla_Coach"}
    assert "Bert Lid" not in names("%")  # a literal %, not "anything"
    assert names("_") == {"Carla_Coach"}
    assert names("a_C") == {"Carla_Coach"} and names("l_L") == set()
    refused = api.get("/api/v1/members", params={"q": "koffie\x00"})
    assert refused.status_code == 400 and refused.json()["problems"][0]["field"] == "q"

"""Every route with a number in its path, called with numbers no database row can have (beyond 64 bits,
beyond PostgreSQL's integer, negative, zero): a clear 404 or 422, never a server error. The routes are read
from the app itself, so a new route is checked without anyone listing it here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi.routing import APIRoute

from tests.web import factories
from werkkring.actions.accounts import create_api_token
from werkkring.store import Database

OUT_OF_RANGE = ["99999999999999999999", str(2**63), str(2**31), "-1", "0"]


def _api_routes(routes: Any) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included router (FastAPI keeps it nested)
            yield from _api_routes(route.original_router.routes)


def _int_routes(app: Any) -> list[tuple[str, str, list[str]]]:
    found = []
    for route in _api_routes(app.routes):
        names = [p.name for p in route.dependant.path_params if p.field_info.annotation is int]
        if names:
            for method in sorted(route.methods - {"HEAD"}):
                found.append((method, route.path, names))
    return found


def test_numbers_no_row_can_have_answer_404_or_422(database: Database, app_for: Any) -> None:
    with database.transaction() as session:
        admin = factories.member(session, "Anna Beheer", role="admin")
        _, token = create_api_token(session, "test", actor=admin)
    make = app_for(database)
    browser = make()
    browser.sign_in("anna.beheer@example.org")
    app = browser.client.app
    routes = _int_routes(app)
    assert len(routes) > 20
    failures = []
    for method, path, names in routes:
        for value in OUT_OF_RANGE:
            url = path
            for name in names:
                url = url.replace("{" + name + "}", value)
            url = re.sub(r"\{[^}]+\}", "x", url)
            if url.startswith("/api/"):
                answer = browser.client.request(
                    method, url, headers={"Authorization": f"Bearer {token}"}, json={}
                )
            elif method == "GET":
                answer = browser.get(url, follow_redirects=False)
            else:
                answer = browser.post(url, {})
            if answer.status_code >= 500:
                failures.append((method, url, answer.status_code))
    assert not failures, failures

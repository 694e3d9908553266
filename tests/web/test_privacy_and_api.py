from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web import factories
from werkkring.actions.accounts import create_api_token
from werkkring.queries import members as directory
from werkkring.store import Database
from werkkring.store.models import Member


def _network(database: Database) -> dict[str, Member]:
    with database.transaction() as session:
        utrecht = factories.circle(session, "Utrecht")
        delft = factories.circle(session, "Delft")
        people = {
            "open": factories.member(session, "Olga Open", circles=[utrecht], offers="fietsreparatie"),
            "circle": factories.member(
                session,
                "Cees Kring",
                circles=[utrecht],
                offers="boekhouding voor zzp",
                region="Houten",
                visibility={"offers": "circles", "region": "circles"},
            ),
            "private": factories.member(
                session,
                "Priya Privé",
                circles=[delft],
                offers="geheime kookkunst",
                region="Geheimstad",
                visibility={"offers": "private", "region": "private", "email": "private"},
            ),
            "delft": factories.member(session, "Dirk Delft", circles=[delft]),
            "utrecht": factories.member(session, "Ursula Utrecht", circles=[utrecht]),
        }
        session.expunge_all()
    return people


def test_a_member_cannot_see_fields_another_member_keeps_private(database: Database, app_for: Any) -> None:
    people = _network(database)
    browser = app_for(database)
    neighbour = browser()
    neighbour.sign_in(people["utrecht"].email)
    stranger = browser()
    stranger.sign_in(people["delft"].email)
    owner = browser()
    owner.sign_in(people["private"].email)

    private_id, circle_id = people["private"].id, people["circle"].id
    for viewer in (neighbour, stranger):
        page = viewer.get(f"/members/{private_id}").text
        assert "Priya" in page and "geheime kookkunst" not in page and "Geheimstad" not in page
        assert people["private"].email not in page
        assert "Priya" not in viewer.get("/members", params={"q": "kookkunst"}).text
        assert "Priya" not in viewer.get("/members", params={"offers": "kookkunst"}).text
        assert "Priya" not in viewer.get("/members", params={"region": "Geheimstad"}).text
    own = owner.get(f"/members/{private_id}").text
    assert "geheime kookkunst" in own and "Geheimstad" in own

    # "My circles": visible to a member of the same circle, not to someone outside it.
    assert "boekhouding" in neighbour.get(f"/members/{circle_id}").text
    assert "boekhouding" not in stranger.get(f"/members/{circle_id}").text
    assert "Cees" in neighbour.get("/members", params={"offers": "boekhouding"}).text
    assert "Cees" not in stranger.get("/members", params={"offers": "boekhouding"}).text


def test_visibility_choices_are_saved_from_the_profile_form(database: Database, app_for: Any) -> None:
    people = _network(database)
    browser = app_for(database)
    owner = browser()
    owner.sign_in(people["open"].email)
    owner.get("/me/edit")
    response = owner.post(
        "/me/edit",
        {
            "name": "Olga Open",
            "offers": "fietsreparatie",
            "visibility_offers": "private",
            "region": "Utrecht",
        },
    )
    assert response.status_code == 303
    other = browser()
    other.sign_in(people["utrecht"].email)
    assert "fietsreparatie" not in other.get(f"/members/{people['open'].id}").text


def test_the_api_needs_a_token_and_applies_the_same_privacy(database: Database, app_for: Any) -> None:
    people = _network(database)
    browser = app_for(database)
    client: TestClient = browser().client
    assert client.get("/api/v1/members").status_code == 401
    assert client.get("/api/v1/members", headers={"Authorization": "Bearer wk_nope"}).status_code == 401
    with database.transaction() as session:
        viewer = session.get(Member, people["delft"].id)
        assert viewer is not None
        _, token = create_api_token(session, "test", actor=viewer)
    auth = {"Authorization": f"Bearer {token}"}
    found = client.get("/api/v1/members", headers=auth).json()
    by_name = {m["name"]: m for m in found}
    assert "offers" not in by_name["Priya Privé"]["fields"]
    assert "offers" not in by_name["Cees Kring"]["fields"]
    assert by_name["Olga Open"]["fields"]["offers"] == ["fietsreparatie"]
    assert client.get("/api/v1/members", params={"offers": "kookkunst"}, headers=auth).json() == []
    # Writes go through the same permissions: a member cannot create a session.
    created = client.post(
        "/api/v1/sessions",
        headers=auth,
        json={"title": "x", "question": "y", "starts_at": "2030-01-01T10:00:00"},
    )
    assert created.status_code == 403
    logged = client.post("/api/v1/helix-entries", headers=auth, json={"helix": "society", "hours": "2.5"})
    assert logged.status_code == 201
    assert [e["hours"] for e in client.get("/api/v1/helix-entries", headers=auth).json()] == ["2.50"]
    assert client.get("/api/openapi.json").json()["paths"]["/api/v1/members"]


def test_the_api_token_page_creates_and_revokes(database: Database, app_for: Any) -> None:
    people = _network(database)
    member = app_for(database)()
    member.sign_in(people["open"].email)
    member.get("/me/tokens")
    answer = member.post("/me/tokens", {"name": "script"})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    page = answer.text
    token = page.split("<code>")[1].split("</code>")[0]
    # shown once, in that answer only: not carried in the cookie, not on the page again
    for value in member.client.cookies.values():
        payload = value.split(".")[0]
        assert token not in base64.b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8", "replace")
    assert token not in member.get("/me/tokens").text
    auth = {"Authorization": f"Bearer {token}"}
    assert member.client.get("/api/v1/me", headers=auth).json()["name"] == "Olga Open"
    token_id = page.split("/me/tokens/")[1].split("/revoke")[0]
    member.post(f"/me/tokens/{token_id}/revoke")
    assert member.client.get("/api/v1/me", headers=auth).status_code == 401


def test_a_text_search_counts_up_to_a_cap_and_says_so(
    database: Database, app_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = _network(database)
    monkeypatch.setattr(directory, "COUNT_CAP", 2)
    viewer = app_for(database)()
    viewer.sign_in(people["utrecht"].email)
    capped = viewer.get("/members", params={"q": "e"}).text
    assert "Minstens 2 leden gevonden" in capped
    assert "5 leden gevonden" in viewer.get("/members").text

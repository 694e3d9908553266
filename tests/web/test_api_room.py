"""The dots and the round timer through the JSON API: the same rules as the vote page and the host's panel."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.web import factories
from werkkring.actions import sessions as session_actions
from werkkring.actions import votes as vote_actions
from werkkring.actions.accounts import create_api_token
from werkkring.store import Database


def _room(database: Database) -> tuple[int, int, dict[str, dict[str, str]]]:
    with database.transaction() as session:
        host = factories.member(session, "Hanna Host", role="host")
        people = [factories.member(session, f"Lid {i}", birth_year=1970 + i) for i in range(4)]
        outsider = factories.member(session, "Otto Buiten")
        ws = session_actions.create_session(
            session,
            title="Samen verder",
            question="Wat heb jij nodig?",
            starts_at=dt.datetime(2027, 3, 1, 19, 30),
            group_size=4,
            actor=host,
        )
        for person in people:
            session_actions.register(session, ws, actor=person)
        session_actions.form_groups(session, ws, seed=1, actor=host)
        card = session_actions.add_contribution(
            session, ws, "Een vaste plek om elkaar te treffen", actor=people[0]
        )
        vote_actions.set_dots(session, ws, 2, actor=host)
        vote_actions.open_voting(session, ws, actor=host)
        auth = {
            who: {"Authorization": "Bearer " + create_api_token(session, "t", actor=member)[1]}
            for who, member in (("host", host), ("member", people[1]), ("outsider", outsider))
        }
        return ws.id, card.id, auth


def test_a_participant_puts_dots_and_takes_one_back(database: Database, app_for: Any) -> None:
    ws_id, card, auth = _room(database)
    api = app_for(database)().client
    before = api.get(f"/api/v1/sessions/{ws_id}/votes", headers=auth["member"]).json()
    assert before["voting"] == "open" and before["left"] == 2
    assert before["cards"][0]["id"] == card and before["cards"][0]["dots"] == 0
    cast = api.post(f"/api/v1/sessions/{ws_id}/votes", json={"card": card}, headers=auth["member"])
    assert cast.status_code == 200 and cast.json() == {"card": card, "count": 1, "left": 1, "dots": 2}
    again = api.post(f"/api/v1/sessions/{ws_id}/votes", json={"card": card}, headers=auth["member"])
    assert again.status_code == 400 and again.json()["error"]  # one dot per card, said clearly
    after = api.get(f"/api/v1/sessions/{ws_id}/votes", headers=auth["member"]).json()
    assert after["cards"][0]["mine"] is True and after["left"] == 1
    back = api.delete(f"/api/v1/sessions/{ws_id}/votes/{card}", headers=auth["member"])
    assert back.status_code == 200 and back.json()["count"] == 0 and back.json()["left"] == 2
    refused = api.get(f"/api/v1/sessions/{ws_id}/votes", headers=auth["outsider"])
    assert refused.status_code == 403
    assert api.post(
        f"/api/v1/sessions/{ws_id}/votes", json={"card": card}, headers=auth["outsider"]
    ).status_code in (
        400,
        403,
    )


def test_the_host_runs_the_timer_and_everyone_reads_it(database: Database, app_for: Any) -> None:
    ws_id, _card, auth = _room(database)
    api = app_for(database)().client
    started = api.post(
        f"/api/v1/sessions/{ws_id}/timer", json={"do": "start", "minutes": 15}, headers=auth["host"]
    )
    assert started.status_code == 200, started.text
    body = started.json()
    assert body["state"] == "running" and 14 * 60 < body["left"] <= 15 * 60
    assert body["ends_at"].endswith("+00:00")
    read = api.get(f"/api/v1/sessions/{ws_id}/timer", headers=auth["member"]).json()
    assert read["state"] == "running"
    added = api.post(
        f"/api/v1/sessions/{ws_id}/timer", json={"do": "add", "minutes": 5}, headers=auth["host"]
    )
    assert added.json()["left"] > 19 * 60
    paused = api.post(f"/api/v1/sessions/{ws_id}/timer", json={"do": "pause"}, headers=auth["host"]).json()
    assert paused["state"] == "paused" and paused["ends_at"] is None
    round_two = api.get(f"/api/v1/sessions/{ws_id}/timer?round=2", headers=auth["member"]).json()
    assert round_two == {"round": 2, "state": "idle", "left": 0, "ends_at": None}
    assert (
        api.post(f"/api/v1/sessions/{ws_id}/timer", json={"do": "pause"}, headers=auth["member"]).status_code
        == 403
    )
    bad = api.post(
        f"/api/v1/sessions/{ws_id}/timer", json={"do": "start", "minutes": 100000}, headers=auth["host"]
    )
    assert bad.status_code == 422


def test_the_host_opens_and_closes_voting_and_the_rounds_input(database: Database, app_for: Any) -> None:
    ws_id, card, auth = _room(database)
    api = app_for(database)().client
    voting = f"/api/v1/sessions/{ws_id}/voting"
    again = api.put(voting, json={"do": "open"}, headers=auth["host"])
    assert again.status_code == 400 and "open already" in again.json()["error"]
    closed = api.put(voting, json={"do": "close"}, headers=auth["host"])
    assert closed.status_code == 200 and closed.json() == {"voting": "ended", "dots": 2}
    late = api.post(f"/api/v1/sessions/{ws_id}/votes", json={"card": card}, headers=auth["member"])
    assert late.status_code == 400
    assert api.put(voting, json={"do": "open"}, headers=auth["member"]).status_code == 403
    dots = api.put(voting, json={"do": "dots", "dots": 5}, headers=auth["host"])
    assert dots.status_code == 200 and dots.json()["dots"] == 5
    assert api.put(voting, json={"do": "dots"}, headers=auth["host"]).status_code == 400
    assert api.put(voting, json={"do": "shout"}, headers=auth["host"]).status_code == 422

    round_input = f"/api/v1/sessions/{ws_id}/input"
    assert api.get(round_input, headers=auth["member"]).json() == {"round": 1, "open": True}
    assert api.put(round_input, json={"do": "close"}, headers=auth["member"]).status_code == 403
    shut = api.put(round_input, json={"do": "close"}, headers=auth["host"])
    assert shut.status_code == 200 and shut.json() == {"round": 1, "open": False}
    twice = api.put(round_input, json={"do": "close"}, headers=auth["host"])
    assert twice.status_code == 400 and "closed already" in twice.json()["error"]
    post = api.post(
        f"/api/v1/sessions/{ws_id}/contributions", json={"text": "Nog een idee"}, headers=auth["member"]
    )
    assert post.status_code == 400 and "closed" in post.json()["error"]
    reopened = api.put(round_input, json={"do": "open"}, headers=auth["host"])
    assert reopened.json() == {"round": 1, "open": True}
    posted = api.post(
        f"/api/v1/sessions/{ws_id}/contributions", json={"text": "Nog een idee"}, headers=auth["member"]
    )
    assert posted.status_code == 201, posted.text
    schema = api.get("/api/openapi.json").json()
    assert {"put"} <= set(schema["paths"]["/api/v1/sessions/{session_id}/voting"])
    assert {"get", "put"} <= set(schema["paths"]["/api/v1/sessions/{session_id}/input"])

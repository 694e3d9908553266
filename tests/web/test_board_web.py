"""The host's board on the session page without JavaScript: each edit is a plain form (select + button), a
stale form gets 409 and a link to the board as it is now, board.js's fragment answers, who may post."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from tests.board_setup import Evening, evening
from werkkring.actions import board
from werkkring.queries import board as board_queries
from werkkring.queries.sessions import get_session
from werkkring.store import Database
from werkkring.store.models import Job, Member


@pytest.fixture
def room(database: Database) -> Evening:
    with database.transaction() as session:
        made = evening(session)
    with database.transaction() as session:
        host = session.get(Member, made.host)
        assert host is not None
        board.rerun(session, get_session(session, made.session_id), version=None, actor=host)
    return made


def _email(database: Database, member_id: int) -> str:
    with database.reader() as session:
        member = session.get(Member, member_id)
        assert member is not None
        return member.email


def _view(database: Database, made: Evening) -> board_queries.BoardView:
    with database.reader() as session:
        return board_queries.board_of(session, get_session(session, made.session_id))


def test_the_board_works_with_plain_forms(database: Database, app_for: Any, room: Evening) -> None:
    host = app_for(database)()
    host.sign_in(_email(database, room.host))
    page = host.get(f"/sessions/{room.session_id}")
    assert page.status_code == 200
    html = page.text
    assert html.count("<main") == 1 and 'id="board"' in html
    view = _view(database, room)
    for theme in view.themes:
        assert f'id="theme-{theme.id}"' in html
    card = view.themes[0].cards[0]
    assert f'id="move-{card.id}"' in html and f'name="version" value="{view.version}"' in html
    target = view.themes[1]
    moved = host.post(
        f"/sessions/{room.session_id}/board/move",
        {"card": str(card.id), "theme": str(target.id), "version": str(view.version)},
    )
    assert moved.status_code == 303 and moved.headers["location"].endswith("#board")
    after = _view(database, room)
    assert card.id in [c.id for c in next(t for t in after.themes if t.id == target.id).cards]

    # A second host's form, made on the board before that move: refused with 409, nothing changed.
    stale = host.post(
        f"/sessions/{room.session_id}/board/move",
        {"card": str(card.id), "theme": str(view.themes[0].id), "version": str(view.version)},
    )
    assert stale.status_code == 409
    assert "reload" in stale.text.lower() or "herlaad" in stale.text.lower()
    assert f'href="/sessions/{room.session_id}#board"' in stale.text
    assert _view(database, room).version == after.version

    steps: list[tuple[str, dict[str, str]]] = [
        (
            f"/board/themes/{target.id}",
            {"label": "Samen kansen vinden", "summary": "Samen zie je meer kansen"},
        ),
        (f"/board/themes/{after.themes[0].id}/accept", {}),
        (f"/board/themes/{target.id}/order", {"step": "up"}),
        ("/board/themes", {"label": "Nog leeg"}),
        ("/board/aside", {"card": str(card.id), "reason": "niet over de vraag"}),
        ("/board/back", {"card": str(card.id), "theme": str(target.id)}),
        (f"/board/themes/{after.themes[-1].id}/merge", {"into": str(target.id)}),
        (f"/board/themes/{target.id}/split", {"parts": "2"}),
        ("/board/rerun", {"themes": "3"}),
    ]
    for path, data in steps:
        version = _view(database, room).version
        answer = host.post(f"/sessions/{room.session_id}{path}", {**data, "version": str(version)})
        assert answer.status_code == 303, (path, answer.text[:500])
        assert _view(database, room).version == version + 1, path
    final = _view(database, room)
    assert "Samen kansen vinden" in [t.label for t in final.themes]
    assert "Nog leeg" in [t.label for t in final.themes]
    assert card.id in [c.id for t in final.themes for c in t.cards]
    page = host.get(f"/sessions/{room.session_id}")
    assert "Samen kansen vinden" in page.text


def test_bad_board_input_names_the_field_and_changes_nothing(
    database: Database, app_for: Any, room: Evening
) -> None:
    host = app_for(database)()
    host.sign_in(_email(database, room.host))
    host.get(f"/sessions/{room.session_id}")
    view = _view(database, room)
    for data in (
        {"card": "abc", "theme": "1"},
        {"card": str(view.themes[0].cards[0].id), "theme": "999999"},
        {"card": "1", "theme": "1", "version": "x"},
    ):
        answer = host.post(f"/sessions/{room.session_id}/board/move", {"version": str(view.version), **data})
        assert answer.status_code == 303  # back to the page with the message
        page = host.get(f"/sessions/{room.session_id}")
        assert 'class="flash error"' in page.text
    long = host.post(
        f"/sessions/{room.session_id}/board/themes", {"label": "x" * 201, "version": str(view.version)}
    )
    assert long.status_code == 303
    assert "200" in host.get(f"/sessions/{room.session_id}").text
    assert _view(database, room).version == view.version


def test_the_fragment_answers_for_board_js(database: Database, app_for: Any, room: Evening) -> None:
    host = app_for(database)()
    host.sign_in(_email(database, room.host))
    host.get(f"/sessions/{room.session_id}")
    view = _view(database, room)
    card, target = view.themes[0].cards[0], view.themes[1]
    data = {"card": str(card.id), "theme": str(target.id), "version": str(view.version)}
    answer = host.post(f"/sessions/{room.session_id}/board/move", data, headers={"X-Board": "fragment"})
    assert answer.status_code == 200 and answer.text.lstrip().startswith("{#") is False
    assert 'id="board"' in answer.text and "<main" not in answer.text
    assert f'data-version="{view.version + 1}"' in answer.text
    again = host.post(f"/sessions/{room.session_id}/board/move", data, headers={"X-Board": "fragment"})
    assert again.status_code == 409 and 'role="alert"' in again.text
    assert f'data-version="{view.version + 1}"' in again.text


def test_a_participant_cannot_see_or_edit_the_board(database: Database, app_for: Any, room: Evening) -> None:
    person = app_for(database)()
    person.sign_in(_email(database, room.participant))
    page = person.get(f"/sessions/{room.session_id}")
    assert 'id="board"' not in page.text
    assert person.get(f"/sessions/{room.session_id}/board").status_code == 403
    view = _view(database, room)
    answer = person.post(
        f"/sessions/{room.session_id}/board/themes", {"label": "Mijn thema", "version": str(view.version)}
    )
    assert answer.status_code == 403
    assert _view(database, room).version == view.version


def test_a_large_board_reruns_through_a_job(
    database: Database, app_for: Any, room: Evening, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(board, "LARGE_BOARD", 10)
    host = app_for(database)()
    host.sign_in(_email(database, room.host))
    page = host.get(f"/sessions/{room.session_id}")
    assert "runs in the background" in page.text or "op de achtergrond" in page.text
    view = _view(database, room)
    answer = host.post(
        f"/sessions/{room.session_id}/board/rerun", {"themes": "2", "version": str(view.version)}
    )
    assert answer.status_code == 303
    with database.reader() as session:
        jobs = session.scalars(select(Job).where(Job.kind == "board.rerun")).all()
        assert [j.status for j in jobs] == ["done"], [(j.status, j.error) for j in jobs]
    assert _view(database, room).asked == 2


def _token(database: Database, member_id: int) -> dict[str, str]:
    from werkkring.actions.accounts import create_api_token

    with database.transaction() as session:
        member = session.get(Member, member_id)
        assert member is not None
        _, token = create_api_token(session, "board", actor=member)
    return {"Authorization": f"Bearer {token}"}


def test_the_board_in_the_json_api(database: Database, app_for: Any, room: Evening) -> None:
    client = app_for(database)().client
    auth = _token(database, room.host)
    url = f"/api/v1/sessions/{room.session_id}/board"
    got = client.get(url, headers=auth)
    assert got.status_code == 200
    body = got.json()
    version, themes = body["version"], body["themes"]
    card, target = themes[0]["cards"][0]["id"], themes[1]["id"]
    moved = client.post(
        f"{url}/moves", json={"card": card, "theme": target, "version": version}, headers=auth
    )
    assert moved.status_code == 200, moved.text
    after = moved.json()
    assert after["version"] == version + 1
    landed = next(t for t in after["themes"] if t["id"] == target)
    assert next(c for c in landed["cards"] if c["id"] == card)["placed"] is True

    stale = client.post(
        f"{url}/moves", json={"card": card, "theme": themes[0]["id"], "version": version}, headers=auth
    )
    assert stale.status_code == 409 and "reload" in stale.json()["error"]
    bad = client.post(
        f"{url}/moves", json={"card": card, "theme": 987654, "version": version + 1}, headers=auth
    )
    assert bad.status_code == 400 and "987654" in bad.json()["error"]
    assert (
        client.post(f"{url}/moves", json={"card": "x", "theme": 1, "version": 0}, headers=auth).status_code
        == 422
    )
    long = client.post(f"{url}/themes", json={"label": "x" * 300, "version": version + 1}, headers=auth)
    assert long.status_code == 400 and long.json()["problems"][0]["field"] == "label"

    v = version + 1
    made = client.post(f"{url}/themes", json={"label": "Nieuw", "version": v}, headers=auth)
    assert made.status_code == 201
    new_id = next(t["id"] for t in made.json()["themes"] if t["label"] == "Nieuw")
    v += 1
    steps = [
        ("patch", f"{url}/themes/{target}", {"label": "Door de API", "summary": "Een regel"}),
        ("patch", f"{url}/themes/{themes[0]['id']}", {"accept": True}),
        ("post", f"{url}/themes/{new_id}/order", {"step": "up"}),
        ("post", f"{url}/aside", {"card": card, "reason": "test"}),
        ("post", f"{url}/back", {"card": card, "theme": target}),
        ("post", f"{url}/themes/{target}/split", {"parts": 2}),
        ("post", f"{url}/rerun", {"themes": "auto"}),
    ]
    for method, path, data in steps:
        answer = getattr(client, method)(path, json={**data, "version": v}, headers=auth)
        assert answer.status_code == 200, (path, answer.text)
        assert answer.json()["version"] == v + 1
        v += 1
    assert client.delete(f"{url}/themes/{new_id}", params={"version": v}, headers=auth).status_code in (
        200,
        400,
    )

    other = _token(database, room.participant)
    assert client.get(url, headers=other).status_code == 403
    assert client.post(f"{url}/themes", json={"label": "Nee", "version": v}, headers=other).status_code == 403
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/sessions/{session_id}/board/moves" in schema["paths"]
    assert "409" in schema["paths"]["/api/v1/sessions/{session_id}/board/moves"]["post"]["responses"]


def test_a_group_saves_its_harvest_with_a_plain_form(database: Database, app_for: Any, room: Evening) -> None:
    person = app_for(database)()
    person.sign_in(_email(database, room.participant))
    page = person.get(f"/sessions/{room.session_id}")
    assert 'id="harvest"' in page.text
    group = re.search(r'name="group" value="(\d+)"', page.text)
    keys = re.findall(r'name="key" value="(\d+)"', page.text)
    assert group and len(keys) >= 2
    answer = person.post(
        f"/sessions/{room.session_id}/harvest",
        {"group": group.group(1), "key": keys[:2], "summary": "Samen zie je meer kansen"},
    )
    assert answer.status_code == 303
    page = person.get(f"/sessions/{room.session_id}")
    assert page.text.count("checked") >= 2 and 'value="Samen zie je meer kansen"' in page.text
    with database.reader() as session:
        from werkkring.store.models import BreakoutGroup, Contribution

        assert session.get(BreakoutGroup, int(group.group(1))).summary == "Samen zie je meer kansen"  # type: ignore[union-attr]
        marked = session.scalars(select(Contribution.id).where(Contribution.key.is_(True))).all()
        assert sorted(marked) == sorted(int(k) for k in keys[:2])


def test_the_board_says_when_a_rerun_runs_in_the_background(
    database: Database, app_for: Any, room: Evening
) -> None:
    with database.transaction() as session:
        key = board_queries.job_key(room.session_id)
        session.add(
            Job(id="f" * 32, kind="board.rerun", payload={}, status="running", key=key, active_key=key)
        )
    host = app_for(database)()
    host.sign_in(_email(database, room.host))
    fragment = host.get(f"/sessions/{room.session_id}/board").text
    assert 'data-running="yes"' in fragment and 'data-state="running"' in fragment
    assert re.search(r'<button type="submit" disabled>', fragment)
    view = _view(database, room)
    again = host.post(
        f"/sessions/{room.session_id}/board/rerun", {"themes": "auto", "version": str(view.version)}
    )
    assert again.status_code == 303
    page = host.get(f"/sessions/{room.session_id}").text
    assert "de synthese loopt al" in page
    assert _view(database, room).version == view.version


def test_the_report_reads_the_hosts_board(database: Database, app_for: Any, room: Evening) -> None:
    view = _view(database, room)
    last, first = view.themes[-1], view.themes[0]
    card = first.cards[0]
    with database.transaction() as session:
        host = session.get(Member, room.host)
        ws = get_session(session, room.session_id)
        assert host is not None
        board.edit_theme(session, ws, last.id, label="Als eerste in het verslag", version=None, actor=host)
        for _ in view.themes[1:]:
            board.move_theme(session, ws, last.id, -1, version=None, actor=host)
        board.set_aside(session, ws, card.id, "niet voor het verslag", version=None, actor=host)
        board.add_theme(session, ws, "Leeg thema", version=None, actor=host)
    client = app_for(database)()
    client.sign_in(_email(database, room.host))
    report = client.get(f"/sessions/{room.session_id}/report.md").text
    assert "Als eerste in het verslag" in report and "Leeg thema" not in report
    labels = [t.label for t in _view(database, room).themes if t.cards]
    assert labels[0] == "Als eerste in het verslag"
    positions = [report.find(f"### {label}") for label in labels]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), (labels, positions)
    assert card.text not in report


def test_numbers_no_row_can_have_are_refused_not_a_server_error(
    database: Database, app_for: Any, room: Evening
) -> None:
    host = app_for(database)()
    host.sign_in(_email(database, room.host))
    host.get(f"/sessions/{room.session_id}")
    view = _view(database, room)
    huge = "99999999999999999999"
    for path, data in (
        ("/board/move", {"card": huge, "theme": str(view.themes[0].id)}),
        ("/board/move", {"card": str(view.themes[0].cards[0].id), "theme": str(2**31)}),
        ("/board/back", {"card": str(2**40)}),
        (f"/board/themes/{view.themes[0].id}/merge", {"into": huge}),
        (f"/board/themes/{view.themes[0].id}/split", {"parts": huge}),
        ("/board/rerun", {"themes": huge}),
        ("/harvest", {"group": huge, "key": [huge]}),
    ):
        answer = host.post(f"/sessions/{room.session_id}{path}", {**data, "version": str(view.version)})
        assert answer.status_code == 303, (path, answer.status_code)
    stale = host.post(f"/sessions/{room.session_id}/board/themes", {"label": "x", "version": huge})
    assert stale.status_code == 303
    client = host.client
    auth = _token(database, room.host)
    url = f"/api/v1/sessions/{room.session_id}/board"
    for path, body in (
        ("/moves", {"card": 2**40, "theme": 1, "version": 0}),
        ("/moves", {"card": 1, "theme": 1, "version": 2**40}),
        ("/aside", {"card": -1, "version": 0}),
        ("/rerun", {"themes": 10**6, "version": 0}),
    ):
        assert client.post(url + path, json=body, headers=auth).status_code == 422, path
    assert _view(database, room).version == view.version

"""The live room's hot writes on the short path (werkkring.web.lean): the same refusals and answers as the
long path (FastAPI's router), in both languages, through the same action with its audit entry and live
announcement; shapes the short path does not take go the long way and still work."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
import typing
from typing import Any

import pytest
from fastapi.params import Form
from sqlalchemy import func, select

from tests.web import factories
from werkkring.actions import sessions
from werkkring.store import Database
from werkkring.store.models import AuditEntry, Contribution, LiveEvent, Member, Vote
from werkkring.web import lean


def _form_fields(endpoint: Any) -> tuple[set[str], set[str]]:
    hints = typing.get_type_hints(endpoint, include_extras=True)
    required, optional = set(), set()
    for name, parameter in inspect.signature(endpoint).parameters.items():
        metadata = getattr(hints.get(name), "__metadata__", ())
        if any(isinstance(m, Form) for m in metadata):
            (required if parameter.default is inspect.Parameter.empty else optional).add(name)
    return required, optional


@pytest.mark.parametrize("route", lean.HOT, ids=lambda r: r.endpoint.__name__)
def test_each_hot_route_reads_the_form_fields_its_function_declares(route: lean.HotRoute) -> None:
    required, optional = _form_fields(route.endpoint)
    assert set(route.required) == required
    assert set(route.optional) == optional
    assert route.parameter in inspect.signature(route.endpoint).parameters


@pytest.fixture
def short_path(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The hot routes' functions the short path called, in order (the long path does not add to it)."""
    called: list[str] = []
    real = lean.run_in_threadpool

    async def counting(function: Any, *args: Any, **kwargs: Any) -> Any:
        called.append(function.__name__)
        return await real(function, *args, **kwargs)

    monkeypatch.setattr(lean, "run_in_threadpool", counting)
    return called


def _room(
    database: Database, languages: tuple[str, ...] = ("nl", "en"), place: str = "Utrecht"
) -> tuple[int, str, str, list[str]]:
    """A session in groups: a host and one seated member per language; returns id, code, host, e-mails."""
    with database.transaction() as session:
        utrecht = factories.circle(session, place)
        host = factories.member(session, f"Hanna Host {place}", role="host", circles=[utrecht])
        people = []
        for number, language in enumerate(languages):
            person = factories.member(session, f"Lid {language} {number} {place}", circles=[utrecht])
            person.language = language
            people.append(person)
        ws = sessions.create_session(
            session,
            title="Samen verder",
            question="Wat heb jij nodig om samen te werken?",
            starts_at=dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(19, 30)),
            group_size=4,
            circle_id=utrecht.id,
            actor=host,
        )
        for person in people:
            sessions.register(session, ws, actor=person)
        sessions.form_groups(session, ws, seed=1, actor=host)
        assert ws.join_code is not None
        return ws.id, ws.join_code, host.email, [p.email for p in people]


def _texts(database: Database, ws_id: int) -> list[str]:
    with database.reader() as session:
        return list(
            session.scalars(
                select(Contribution.text).where(Contribution.session_id == ws_id).order_by(Contribution.id)
            )
        )


ADDED = {"nl": "Je inbreng is toegevoegd.", "en": "Your input has been added."}
EMPTY = {"nl": "de inbreng is leeg", "en": "the input is empty"}
FORM_EXPIRED = {
    "nl": "Dit formulier is geweigerd: het miste een geldige beveiligingscode.",
    "en": "This form was refused: it lacked a valid security token.",
}
NO_SEAT = {"nl": "geen plaats", "en": "you have no seat in this session"}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_member_posts_on_the_short_path_with_audit_entry_and_live_news(
    database: Database, app_for: Any, short_path: list[str], language: str
) -> None:
    ws_id, _, _, emails = _room(database)
    member = app_for(database)()
    member.sign_in(emails[0 if language == "nl" else 1])
    member.get(f"/sessions/{ws_id}")
    answer = member.post(f"/sessions/{ws_id}/contributions", {"text": "  Samen oefenen  ", "proposal": "on"})
    assert answer.status_code == 303 and answer.headers["location"] == f"/sessions/{ws_id}#input"
    assert short_path == ["contribute"]
    assert ADDED[language] in member.get(f"/sessions/{ws_id}").text  # the flash, in the member's language
    with database.reader() as session:
        (contribution,) = session.scalars(select(Contribution)).all()
        assert contribution.text == "Samen oefenen" and contribution.is_proposal
        assert contribution.group_id is not None
        author = session.scalars(
            select(Member).where(Member.email == emails[0 if language == "nl" else 1])
        ).one()
        assert contribution.author_id == author.id
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "contribution.add")).one()
        assert entry.actor_id == author.id and entry.details == {"contribution": contribution.id}
        news = [json.loads(d) for d in session.scalars(select(LiveEvent.data))]
        assert {"type": "contribution", "id": contribution.id} in news  # the table's channel
        assert {"type": "contribution", "group": contribution.group_id} in news  # the host's panel


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_short_path_refuses_a_post_without_or_with_a_foreign_csrf_token(
    database: Database, app_for: Any, short_path: list[str], language: str
) -> None:
    ws_id, _, _, emails = _room(database)
    browser = app_for(database)
    member, other = browser(), browser()
    member.sign_in(emails[0 if language == "nl" else 1])
    other.sign_in(emails[1 if language == "nl" else 0])
    member.get(f"/sessions/{ws_id}")
    missing = member.post(f"/sessions/{ws_id}/contributions", {"text": "Zonder code"}, csrf=False)
    assert missing.status_code == 403 and FORM_EXPIRED[language] in missing.text
    foreign = member.client.post(
        f"/sessions/{ws_id}/contributions",
        data={"text": "Met een andere code", "csrf_token": other.token},
        follow_redirects=False,
    )
    assert foreign.status_code == 403 and FORM_EXPIRED[language] in foreign.text
    header = member.client.post(
        f"/sessions/{ws_id}/contributions",
        data={"text": "Met een verkeerde kop"},
        headers={"X-CSRF-Token": other.token},
        follow_redirects=False,
    )
    assert header.status_code == 403
    assert _texts(database, ws_id) == [] and short_path == []


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_short_path_says_an_empty_input_is_empty(
    database: Database, app_for: Any, short_path: list[str], language: str
) -> None:
    ws_id, _, _, emails = _room(database)
    member = app_for(database)()
    member.sign_in(emails[0 if language == "nl" else 1])
    page = f"http://testserver/sessions/{ws_id}"
    member.get(f"/sessions/{ws_id}")
    blank = member.post(f"/sessions/{ws_id}/contributions", {"text": "   "}, headers={"referer": page})
    assert blank.status_code == 303 and blank.headers["location"] == f"/sessions/{ws_id}"
    assert EMPTY[language] in member.get(f"/sessions/{ws_id}").text.lower()
    assert short_path == ["contribute"]
    # No text at all is FastAPI's own refusal of a missing field: the long path answers it, as always.
    missing = member.post(f"/sessions/{ws_id}/contributions", {"text": ""}, headers={"referer": page})
    assert missing.status_code == 303
    missing_text = {
        "nl": "Sommige velden ontbreken of kloppen niet.",
        "en": "Some fields are missing or not valid.",
    }
    assert missing_text[language] in member.get(f"/sessions/{ws_id}").text
    assert short_path == ["contribute"] and _texts(database, ws_id) == []


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_short_path_refuses_a_closed_round_and_a_session_without_a_seat(
    database: Database, app_for: Any, short_path: list[str], language: str
) -> None:
    ws_id, _, host_email, emails = _room(database)
    other_id, _, _, _ = _room(database, languages=("nl", "nl"), place="Zeist")
    browser = app_for(database)
    host, member = browser(), browser()
    host.sign_in(host_email)
    member.sign_in(emails[0 if language == "nl" else 1])
    member.get(f"/sessions/{other_id}")
    no_seat = member.post(f"/sessions/{other_id}/contributions", {"text": "Elders"})
    assert no_seat.status_code == 403 and NO_SEAT[language] in no_seat.text.lower()
    host.get(f"/sessions/{ws_id}")
    host.post(f"/sessions/{ws_id}/groups/lock", {"locked": "yes"})
    assert host.post(f"/sessions/{ws_id}/input", {"do": "close"}).status_code == 303
    member.get(f"/sessions/{ws_id}")
    late = member.post(
        f"/sessions/{ws_id}/contributions",
        {"text": "Net te laat"},
        headers={"referer": f"http://testserver/sessions/{ws_id}"},
    )
    assert late.status_code == 303
    closed = {
        "nl": "de inbreng van ronde 1 is gesloten; wat je schreef is niet toegevoegd",
        "en": "the input of round 1 is closed; what you wrote was not added",
    }
    assert closed[language] in member.get(f"/sessions/{ws_id}").text.lower()
    assert _texts(database, ws_id) == [] and _texts(database, other_id) == []
    assert short_path == ["contribute", "contribute"]
    signed_out = browser()
    signed_out.get("/signin")
    answer = signed_out.post(f"/sessions/{ws_id}/contributions", {"text": "Wie ben ik"})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")


def _join_guest(browser: Any, code: str, name: str) -> None:
    page = browser.get(f"/j/{code}")
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token is not None
    assert browser.post(f"/j/{code}", {"name": name, "token": token.group(1)}).status_code == 303


def test_a_guest_posts_on_the_short_path_and_only_in_its_own_session(
    database: Database, app_for: Any, short_path: list[str]
) -> None:
    ws_id, code, host_email, _ = _room(database)
    _, other_code, _, _ = _room(database, languages=("nl", "nl"), place="Zeist")
    browser = app_for(database)
    guest = browser()
    _join_guest(guest, code, "Gast Gerda")
    host = browser()
    host.sign_in(host_email)
    host.get(f"/sessions/{ws_id}")
    host.post(f"/sessions/{ws_id}/groups")
    guest.get(f"/j/{code}")
    added = guest.post(f"/j/{code}/contributions", {"text": "Een vaste plek"})
    assert added.status_code == 303 and added.headers["location"] == f"/j/{code}#input"
    assert "Je inbreng is toegevoegd." in guest.get(f"/j/{code}").text
    empty = guest.post(f"/j/{code}/contributions", {"text": " "})
    assert empty.status_code == 303 and "De inbreng is leeg." in guest.get(f"/j/{code}").text
    foreign = guest.post(f"/j/{other_code}/contributions", {"text": "Elders"})
    assert foreign.status_code == 404 and "als gast" in foreign.text
    assert _texts(database, ws_id) == ["Een vaste plek"]
    assert short_path == ["guest_contributes"] * 3
    with database.reader() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "contribution.add")
            )
            == 1
        )


def test_the_same_answers_on_the_long_path_and_a_multipart_form_still_posts(
    database: Database, app_for: Any, short_path: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws_id, _, _, emails = _room(database)
    member = app_for(database)()
    member.sign_in(emails[1])
    member.get(f"/sessions/{ws_id}")
    referer = {"referer": f"http://testserver/sessions/{ws_id}"}
    cases = [({"text": "Op de korte weg"}, 303), ({"text": "  "}, 303)]
    short = [member.post(f"/sessions/{ws_id}/contributions", data, headers=referer) for data, _ in cases]
    short_flashes = [member.get(f"/sessions/{ws_id}").text.count("flash") for _ in cases]
    monkeypatch.setattr(lean, "HOT", ())
    long = [member.post(f"/sessions/{ws_id}/contributions", data, headers=referer) for data, _ in cases]
    long_flashes = [member.get(f"/sessions/{ws_id}").text.count("flash") for _ in cases]
    assert [(a.status_code, a.headers.get("location")) for a in short] == [
        (a.status_code, a.headers.get("location")) for a in long
    ]
    assert short_flashes == long_flashes
    assert short_path == ["contribute", "contribute"]
    multipart = member.client.post(
        f"/sessions/{ws_id}/contributions",
        data={"text": "Als multipart", "csrf_token": member.token},
        files={"attachment": ("a.txt", b"x")},
        follow_redirects=False,
    )
    assert multipart.status_code == 303
    assert _texts(database, ws_id) == ["Op de korte weg", "Op de korte weg", "Als multipart"]


def test_a_large_body_and_an_id_out_of_range_go_the_long_path(
    database: Database, app_for: Any, short_path: list[str]
) -> None:
    ws_id, _, _, emails = _room(database)
    member = app_for(database)()
    member.sign_in(emails[1])
    member.get(f"/sessions/{ws_id}")
    referer = {"referer": f"http://testserver/sessions/{ws_id}"}
    large = member.post(f"/sessions/{ws_id}/contributions", {"text": "é" * 30_000}, headers=referer)
    assert large.status_code == 303
    assert "2000" in member.get(f"/sessions/{ws_id}").text.replace(".", "").replace(",", "")
    beyond = member.post("/sessions/99999999999999999999/contributions", {"text": "Nergens"})
    assert beyond.status_code == 404
    assert member.post("/j/-12/contributions", {"text": "Nergens"}).status_code == 404
    assert short_path == [] and _texts(database, ws_id) == []


def test_dots_on_the_short_path_answer_json_and_redirects(
    database: Database, app_for: Any, short_path: list[str]
) -> None:
    ws_id, _, host_email, emails = _room(database)
    browser = app_for(database)
    host, member = browser(), browser()
    host.sign_in(host_email)
    member.sign_in(emails[1])
    member.get(f"/sessions/{ws_id}")
    member.post(f"/sessions/{ws_id}/contributions", {"text": "Een kaart"})
    (card,) = _card_ids(database, ws_id)
    host.get(f"/sessions/{ws_id}")
    assert host.post(f"/sessions/{ws_id}/voting", {"do": "open"}).status_code == 303
    page = member.get(f"/sessions/{ws_id}/vote")
    csrf = re.search(r'data-csrf="([^"]+)"', page.text)
    assert csrf is not None
    cast = member.client.post(
        f"/sessions/{ws_id}/votes",
        data={"card": str(card)},
        headers={"Accept": "application/json", "X-CSRF-Token": csrf.group(1)},
    )
    assert cast.status_code == 200 and cast.json()["mine"] is True and cast.json()["count"] == 1
    wrong = member.client.post(
        f"/sessions/{ws_id}/votes/back",
        data={"card": "999999"},
        headers={"Accept": "application/json", "X-CSRF-Token": csrf.group(1)},
    )
    assert wrong.status_code == 400 and wrong.json()["error"]
    back = member.post(f"/sessions/{ws_id}/votes/back", {"card": str(card)})
    assert back.status_code == 303 and back.headers["location"] == f"/sessions/{ws_id}/vote#card-{card}"
    assert "Your dot is back." in member.get(f"/sessions/{ws_id}/vote").text
    refused = member.client.post(f"/sessions/{ws_id}/votes", data={"card": str(card)}, follow_redirects=False)
    assert refused.status_code == 403
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Vote)) == 0
    assert short_path == ["contribute", "cast", "take_back", "take_back"]


def _card_ids(database: Database, ws_id: int) -> list[int]:
    with database.reader() as session:
        return list(session.scalars(select(Contribution.id).where(Contribution.session_id == ws_id)))

"""Errors from the actions layer reach a person in the language of the page; the JSON API stays English."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from tests.web import factories
from werkkring import i18n
from werkkring.actions.accounts import create_api_token
from werkkring.errors import N_, InputError, NotFoundError, Problem
from werkkring.store import Database
from werkkring.store.models import Member


def _people(database: Database, *languages: str) -> list[str]:
    """One member per language (named after it), and a host of circle 1; returns the members' e-mails."""
    with database.transaction() as session:
        utrecht = factories.circle(session, "Utrecht")
        factories.member(session, "Hanna Host", role="host", circles=[utrecht])
        emails = []
        for number, language in enumerate(languages):
            person = factories.member(session, f"Lid {language} {number}", circles=[utrecht])
            person.language = language
            emails.append(person.email)
        return emails


def _flashes(browser: Any, url: str) -> str:
    """The page the form sent us back to, with its flash messages."""
    return str(browser.get(url).text)


def test_helix_hours_out_of_range_in_the_members_language(sqlite_database: Database, app_for: Any) -> None:
    dutch, english = _people(sqlite_database, "nl", "en")
    browser = app_for(sqlite_database)
    today = dt.date.today().isoformat()
    for email, expected, wrong in (
        (dutch, "Het aantal uren moet meer dan 0 en hoogstens 24 zijn, niet 30.00.", "hours must be"),
        (english, "hours must be more than 0 and at most 24, not 30.00", "Het aantal uren"),
    ):
        member = browser()
        member.sign_in(email)
        member.get("/helix")
        response = member.post("/helix", {"helix": "society", "hours": "30", "date": today})
        assert response.status_code == 303
        page = _flashes(member, response.headers["location"])
        assert expected in page and wrong not in page


def test_a_full_session_says_so_in_the_members_language(database: Database, app_for: Any) -> None:
    first, second, dutch, english = _people(database, "nl", "nl", "nl", "en")
    browser = app_for(database)
    host = browser()
    host.sign_in("hanna.host@example.org")
    host.get("/sessions/new")
    created = host.post(
        "/sessions",
        {
            "title": "Vol is vol",
            "question": "Wie past er nog bij?",
            "date": (dt.date.today() + dt.timedelta(days=7)).isoformat(),
            "start": "19:30",
            "end": "21:30",
            "place": "Utrecht",
            "capacity": "2",
            "group_size": "2",
            "circle_id": "1",
        },
    )
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    session_id = int(url.rsplit("/", 1)[1])
    for email in (first, second):
        member = browser()
        member.sign_in(email)
        member.get(url)
        assert member.post(f"{url}/register").status_code == 303
    for email, expected in (
        (dutch, f"Sessie {session_id} is vol (2 plaatsen)."),
        (english, f"session {session_id} is full (2 places)"),
    ):
        member = browser()
        member.sign_in(email)
        member.get(url)
        response = member.post(f"{url}/register")
        assert response.status_code == 303
        assert expected in _flashes(member, url)


def test_an_initiative_without_a_title_and_a_missing_one(sqlite_database: Database, app_for: Any) -> None:
    dutch, english = _people(sqlite_database, "nl", "en")
    browser = app_for(sqlite_database)
    for email, no_title, missing in (
        (dutch, "Een initiatief heeft een titel nodig.", "Er is geen initiatief met nummer 999."),
        (english, "an initiative needs a title", "no initiative with id 999"),
    ):
        member = browser()
        member.sign_in(email)
        member.get("/initiatives")
        response = member.post("/initiatives", {"title": "   ", "description": "iets"})
        assert response.status_code == 303
        assert no_title in _flashes(member, "/initiatives")
        # A GET that fails shows the error page, also in the member's language.
        page = member.get("/initiatives/999")
        assert page.status_code == 404 and missing in page.text


def test_a_page_that_is_not_allowed_says_why_in_the_members_language(
    sqlite_database: Database, app_for: Any
) -> None:
    dutch, english = _people(sqlite_database, "nl", "en")
    browser = app_for(sqlite_database)
    answers = ((dutch, "Alleen een beheerder mag dit doen."), (english, "only an admin may do this"))
    for email, expected in answers:
        member = browser()
        member.sign_in(email)
        page = member.get("/admin/newsletter")
        assert page.status_code == 403 and expected in page.text


def test_the_api_answers_in_english_and_names_the_field(sqlite_database: Database, app_for: Any) -> None:
    (dutch,) = _people(sqlite_database, "nl")
    with sqlite_database.transaction() as session:
        member = session.query(Member).filter_by(email=dutch).one()
        _, token = create_api_token(session, "test", actor=member)
    client: TestClient = app_for(sqlite_database)().client
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "nl"}
    response = client.post("/api/v1/helix-entries", headers=headers, json={"helix": "society", "hours": "30"})
    assert response.status_code == 400
    assert response.json() == {
        "error": "column 'hours': hours must be more than 0 and at most 24, not 30.00",
        "problems": [{"message": "hours must be more than 0 and at most 24, not 30.00", "field": "hours"}],
    }
    missing = client.get("/api/v1/sessions/999", headers=headers)
    assert missing.status_code == 404 and missing.json() == {"error": "no work session with id 999"}


def test_errors_keep_english_text_and_translate_their_template() -> None:
    problem = Problem(N_("hours must be a number, not %(value)r"), field="hours", params={"value": "x"})
    error = InputError([problem])
    assert problem.message == "hours must be a number, not 'x'"
    assert str(error) == "column 'hours': hours must be a number, not 'x'"
    assert str(InputError("100% plain")) == "100% plain"
    assert InputError("a file problem", source="a.csv").problems[0] == Problem("a file problem", "a.csv")
    assert str(NotFoundError(N_("no member with id %(id)s"), {"id": 7})) == "no member with id 7"
    token = i18n.current_locale.set("nl")
    try:
        assert error.render(i18n.gettext) == "Het aantal uren moet een getal zijn, niet 'x'."
        assert NotFoundError(N_("no member with id %(id)s"), {"id": 7}).render(i18n.gettext) == (
            "Er is geen lid met nummer 7."
        )
    finally:
        i18n.current_locale.reset(token)
    # A translation that does not fit the parameters falls back to English rather than hiding the error.
    assert problem.render(lambda _template: "kapot %(anders)s") == "hours must be a number, not 'x'"

"""The room through the pages: the host opens the voting and runs the timer, participants put dots on their
phone (forms without JavaScript, JSON for the script), bad input answered in the person's language, the
projector and the print of table cards and group lists."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from tests.actions.test_votes import _room
from tests.web import factories
from tests.web.helpers import Browser
from werkkring.store import Database
from werkkring.store.models import Member, ReportFile, Vote


def _as(app: Any, database: Database, member_id: int) -> Browser:
    with database.transaction() as session:
        member = session.get(Member, member_id)
        assert member is not None
        member.password_hash = factories.password_hash()
        email = member.email
    browser: Browser = app()
    browser.sign_in(email)
    return browser


def _votes(database: Database) -> int:
    with database.reader() as session:
        return int(session.scalar(select(func.count()).select_from(Vote)) or 0)


def test_an_evening_of_dots_and_a_timer_through_the_pages(database: Database, app_for: Any) -> None:
    room = _room(database, 9, second=True)
    ws, cards = room["ws"], room["cards"]
    app = app_for(database)
    host = _as(app, database, room["host"])
    phone = _as(app, database, room["people"][0])

    page = phone.get(f"/sessions/{ws}/vote")
    assert page.status_code == 200 and "nog niet geopend" not in page.text.lower()
    assert "Stemmen is nog niet begonnen" in page.text
    # Before the voting opens a dot is refused, in Dutch, and nothing is stored.
    refused = phone.post(
        f"/sessions/{ws}/votes", {"card": str(cards[0])}, headers={"accept": "application/json"}
    )
    assert refused.status_code == 400 and "nog niet begonnen" in refused.json()["error"]
    assert _votes(database) == 0

    host.get(f"/sessions/{ws}")
    assert host.post(f"/sessions/{ws}/voting", {"do": "dots", "dots": "11"}).status_code == 303
    assert "tussen 1 en 10" in host.get(f"/sessions/{ws}").text
    assert host.post(f"/sessions/{ws}/voting", {"do": "dots", "dots": "2"}).status_code == 303
    assert host.post(f"/sessions/{ws}/voting", {"do": "open"}).status_code == 303
    assert host.post(f"/sessions/{ws}/timer", {"do": "start", "minutes": "12"}).status_code == 303
    session_page = host.get(f"/sessions/{ws}").text
    assert 'id="room"' in session_page and 'data-timer data-round="1"' in session_page
    assert 'data-state="running"' in session_page

    # A participant's phone: the forms work without JavaScript ...
    page = phone.get(f"/sessions/{ws}/vote")
    assert 'id="left">2<' in page.text and 'data-state="running"' in page.text
    done = phone.post(f"/sessions/{ws}/votes", {"card": str(cards[0])})
    assert done.status_code == 303 and done.headers["location"].endswith(f"#card-{cards[0]}")
    # ... and the script gets JSON.
    answer = phone.post(
        f"/sessions/{ws}/votes", {"card": str(cards[1])}, headers={"accept": "application/json"}
    )
    assert answer.json() == {"card": cards[1], "count": 1, "left": 0, "dots": 2, "mine": True}
    third = phone.post(
        f"/sessions/{ws}/votes", {"card": str(cards[2])}, headers={"accept": "application/json"}
    )
    assert third.status_code == 400 and "al je 2 stippen" in third.json()["error"]
    # A card of another session, and a card that is no number: clear messages, nothing stored.
    other = phone.post(f"/sessions/{ws}/votes/back", {"card": str(room["other_card"])})
    assert other.status_code == 303
    assert "hoort niet bij deze sessie" in phone.get(f"/sessions/{ws}/vote").text
    assert phone.post(f"/sessions/{ws}/votes", {"card": "x"}).status_code == 303
    assert "kies een kaart" in phone.get(f"/sessions/{ws}/vote").text
    assert _votes(database) == 2

    back = phone.post(
        f"/sessions/{ws}/votes/back", {"card": str(cards[0])}, headers={"accept": "application/json"}
    )
    assert back.json()["left"] == 1 and back.json()["mine"] is False

    # Someone who does not take part cannot vote or follow the room.
    outsider = _as(app, database, room["outsider"])
    assert outsider.get(f"/sessions/{ws}/vote").status_code == 403
    assert outsider.get(f"/sessions/{ws}/present").status_code == 403
    assert outsider.get(f"/sessions/{ws}/print/cards").status_code == 403

    # The projector shows the question, the phase, the timer, the tables and the dots.
    projector = host.get(f"/sessions/{ws}/present")
    assert projector.status_code == 200
    text = projector.text
    assert "Waar heb jij behoefte aan in WIN-verband?" in text
    assert 'aria-current="step">Inbreng' in text and 'data-state="running"' in text
    assert text.count("data-table=") == 3 and "1 stip" in text
    english = host.get(f"/sessions/{ws}/present/state?lang=en").text
    assert "Put your dots" in english and "17 contributions" in english

    assert host.post(f"/sessions/{ws}/voting", {"do": "close"}).status_code == 303
    late = phone.post(
        f"/sessions/{ws}/votes", {"card": str(cards[3])}, headers={"accept": "application/json"}
    )
    assert late.status_code == 400 and "gesloten" in late.json()["error"]
    assert _votes(database) == 1
    # A participant cannot run the timer.
    assert phone.post(f"/sessions/{ws}/timer", {"do": "pause"}).status_code == 403
    assert host.post(f"/sessions/{ws}/timer", {"do": "add", "minutes": "abc"}).status_code == 303
    assert "minuten als heel getal" in host.get(f"/sessions/{ws}").text


def test_table_cards_and_group_lists_print_as_pages_and_pdf(database: Database, app_for: Any) -> None:
    room = _room(database, 9)
    ws = room["ws"]
    app = app_for(database)
    host = _as(app, database, room["host"])
    cards = host.get(f"/sessions/{ws}/print/cards")
    assert cards.status_code == 200 and cards.text.count('class="tablecard"') == 3
    assert "Waar heb jij behoefte aan in WIN-verband?" in cards.text and "Deelnemer 2" in cards.text
    lists = host.get(f"/sessions/{ws}/print/groups")
    assert lists.status_code == 200 and "Wie zit waar" in lists.text
    assert lists.text.count("<b>") == 9
    for name in ("cards", "groups"):
        pdf = host.get(f"/sessions/{ws}/print/{name}.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf.headers["content-type"] == "application/pdf"
    assert host.get(f"/sessions/{ws}/print/posters").status_code == 404
    # A participant does not print other people's names.
    phone = _as(app, database, room["people"][0])
    assert phone.get(f"/sessions/{ws}/print/groups").status_code == 403


def test_the_pdf_of_a_hall_of_tables_is_made_in_the_background(database: Database, app_for: Any) -> None:
    room = _room(database, 28, tables=14)
    ws = room["ws"]
    host = _as(app_for(database), database, room["host"])
    first = host.get(f"/sessions/{ws}/print/cards.pdf")
    if first.status_code == 202:  # the job runs after the request's commit; the page reloads itself
        assert "wordt gemaakt" in first.text and 'http-equiv="refresh"' in first.text
    again = host.get(f"/sessions/{ws}/print/cards.pdf")
    assert again.status_code == 200 and again.content.startswith(b"%PDF")
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(ReportFile)) == 1

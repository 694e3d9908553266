"""Joining by code in the browser: members at once, guests with a name; the guest's own page; the host's
door list and late arrivals; bad input in the reader's language."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from sqlalchemy import func, select

from tests.web import factories
from tests.web.helpers import outbox_links
from werkkring.actions import sessions
from werkkring.store import Database
from werkkring.store.models import (
    Contribution,
    Guest,
    LiveEvent,
    Member,
    Registration,
    Seat,
    Vote,
    WorkSession,
)


def _room(database: Database, people: int = 8, **kwargs: Any) -> tuple[int, str, str, list[str]]:
    with database.transaction() as session:
        utrecht = factories.circle(session, "Utrecht")
        host = factories.member(session, "Hanna Host", role="host", circles=[utrecht])
        emails = [
            factories.member(
                session,
                f"Lid {i:02d}",
                circles=[utrecht],
                birth_year=1960 + 3 * i,
                region=("Utrecht", "Amersfoort", "Zeist")[i % 3],
            ).email
            for i in range(people)
        ]
        ws = sessions.create_session(
            session,
            title="Samen verder",
            question="Wat heb jij nodig om samen te werken?",
            starts_at=dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(19, 30)),
            group_size=4,
            circle_id=utrecht.id,
            **kwargs,
            actor=host,
        )
        assert ws.join_code is not None
        return ws.id, ws.join_code, host.email, emails


def _join_guest(browser: Any, code: str, name: str, **extra: str) -> Any:
    page = browser.get(f"/j/{code}")
    assert page.status_code == 200, page.text
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token is not None
    return browser.post(f"/j/{code}", {"name": name, "token": token.group(1), **extra})


def test_a_member_joins_by_code_at_once(database: Database, app_for: Any) -> None:
    ws_id, code, _, emails = _room(database)
    member = app_for(database)()
    member.sign_in(emails[0])
    response = member.get(f"/j/{code.lower().replace('-', '')}", follow_redirects=False)
    assert response.status_code in (303, 307) and response.headers["location"].endswith(f"/j/{code}")
    response = member.get(f"/j/{code}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/sessions/{ws_id}"
    again = member.get(f"/j/{code}", follow_redirects=False)
    assert again.status_code == 303
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Registration)) == 1
    page = member.get(f"/sessions/{ws_id}")
    assert code in page.text and f"/sessions/{ws_id}/qr.svg" in page.text
    qr = member.get(f"/sessions/{ws_id}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert qr.text.lstrip().startswith("<svg") and "<path" in qr.text
    assert 'xmlns="http://www.w3.org/2000/svg"' in qr.text  # an <img> shows only a namespaced SVG


def test_a_guest_joins_by_code_and_sees_only_their_session(database: Database, app_for: Any) -> None:
    ws_id, code, host_email, emails = _room(database)
    browser = app_for(database)
    guest = browser()
    response = _join_guest(guest, code, "Fatima Ouali", email="fatima@example.org", consent="on")
    assert response.status_code == 303 and response.headers["location"] == f"/j/{code}"
    page = guest.get(f"/j/{code}")
    assert "Fatima Ouali" in page.text and 'id="room-me"' in page.text
    assert 'aria-current="step"' in page.text
    # a guest is no member: every other page asks to sign in
    for url in ("/members", f"/sessions/{ws_id}", "/sessions", "/connections", f"/sessions/{ws_id}/room/me"):
        assert guest.get(url, follow_redirects=False).status_code in (303, 401), url
    with database.reader() as session:
        (guest_row,) = session.scalars(select(Guest)).all()
        assert guest_row.email == "fatima@example.org"
        guest_id = guest_row.member_id

    # the host forms and locks the groups: the guest sees their group, enters input, sees it
    host = browser()
    host.sign_in(host_email)
    for email in emails[:7]:
        member = browser()
        member.sign_in(email)
        member.get(f"/j/{code}")
    host.get(f"/sessions/{ws_id}")
    assert host.post(f"/sessions/{ws_id}/groups").status_code == 303
    assert host.post(f"/sessions/{ws_id}/groups/lock", {"locked": "yes"}).status_code == 303
    mine = guest.get(f"/j/{code}/me")
    assert re.search(r"(Your group|Jouw groep)", mine.text)
    guest.get(f"/j/{code}")
    posted = guest.post(f"/j/{code}/contributions", {"text": "Een vaste plek om elkaar te treffen"})
    assert posted.status_code == 303
    assert "Een vaste plek om elkaar te treffen" in guest.get(f"/j/{code}/me").text
    with database.reader() as session:
        (contribution,) = session.scalars(select(Contribution)).all()
        assert contribution.author_id == guest_id
        # the post woke the guest's table (its group channel) and the host's panel and projector (the input
        # channel), not every phone in the room (the session channel)
        channels = set(session.scalars(select(LiveEvent.channel)))
        assert f"session:{ws_id}:group:{contribution.group_id}" in channels
        assert f"session:{ws_id}:input" in channels
        room_wide = session.scalars(select(LiveEvent.data).where(LiveEvent.channel == f"session:{ws_id}"))
        assert not any(json.loads(data).get("type") == "contribution" for data in room_wide)
    # the host sees the guest and their address on the door list; a member does not
    door = host.get(f"/sessions/{ws_id}/door")
    assert "Fatima Ouali" in door.text and "fatima@example.org" in door.text
    other = browser()
    other.sign_in(emails[7])
    assert other.get(f"/sessions/{ws_id}/door").status_code == 403
    assert "Fatima Ouali" not in other.get("/members?q=Fatima").text
    assert other.get(f"/members/{guest_id}").status_code == 404


def test_bad_guest_names_get_a_clear_message_in_the_readers_language(
    database: Database, app_for: Any
) -> None:
    _, code, _, _ = _room(database)
    guest = app_for(database)()
    empty = _join_guest(guest, code, "   ")
    assert empty.status_code == 400
    assert "vul je naam in, zodat je groep weet wie je bent" in empty.text
    long = _join_guest(guest, code, "x" * 10_000)
    assert long.status_code == 400
    assert "Je naam mag hoogstens 100 tekens lang zijn (dit zijn er 10,000)" in long.text
    guest.get("/j")
    guest.post("/language", {"language": "en", "next": f"/j/{code}"})
    english = _join_guest(guest, code, "")
    assert english.status_code == 400 and "give your name" in english.text
    no_consent = _join_guest(guest, code, "Fatima", email="fatima@example.org")
    assert no_consent.status_code == 400 and "tick the line" in no_consent.text
    assert 'value="fatima@example.org"' in no_consent.text  # what was typed stays in the form
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Guest)) == 0


def test_wrong_and_ended_codes(database: Database, app_for: Any) -> None:
    ws_id, code, _, _ = _room(database)
    visitor = app_for(database)()
    wrong = visitor.get("/j/AAA-2222")
    assert wrong.status_code == 404 and "AAA-2222" in wrong.text and 'id="code"' in wrong.text
    assert "code" in wrong.text.lower()
    nonsense = visitor.get("/j/hallo")
    assert nonsense.status_code == 404 and "WAN-4739" in nonsense.text
    visitor.get("/j")
    typed = visitor.post("/j", {"code": code.lower()})
    assert typed.status_code == 303 and typed.headers["location"] == f"/j/{code}"
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        assert ws is not None
        ws.status = "published"
    ended = visitor.get(f"/j/{code}")
    assert ended.status_code == 410
    posted = visitor.post(f"/j/{code}", {"name": "Laatkomer", "token": "x"})
    assert posted.status_code == 400
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Guest)) == 0


def test_guests_off_shows_the_way_to_sign_in(database: Database, app_for: Any) -> None:
    ws_id, code, host_email, _ = _room(database)
    browser = app_for(database)
    host = browser()
    host.sign_in(host_email)
    host.get(f"/sessions/{ws_id}")
    assert host.post(f"/sessions/{ws_id}/guests", {"allowed": "no"}).status_code == 303
    visitor = browser()
    page = visitor.get(f"/j/{code}")
    assert 'name="name"' not in page.text and f"/signin?next=/j/{code}" in page.text
    refused = visitor.post(f"/j/{code}", {"name": "Fatima", "token": "t"})
    assert refused.status_code == 400
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Guest)) == 0


def test_the_door_list_and_a_late_arrival_seated_with_one_click(database: Database, app_for: Any) -> None:
    ws_id, code, host_email, emails = _room(database, people=9)
    browser = app_for(database)
    host = browser()
    host.sign_in(host_email)
    members = []
    for email in emails[:8]:
        member = browser()
        member.sign_in(email)
        member.get(f"/j/{code}")
        members.append(member)
    host.get(f"/sessions/{ws_id}")
    host.post(f"/sessions/{ws_id}/groups")
    host.post(f"/sessions/{ws_id}/groups/lock", {"locked": "yes"})
    with database.reader() as session:
        first = session.scalar(select(Member).where(Member.email == emails[0]))
        assert first is not None
        first_id = first.id
    door = host.get(f"/sessions/{ws_id}/door?q=lid 00")
    assert "Lid 00" in door.text and "Lid 01" not in door.text
    host.post(f"/sessions/{ws_id}/door/{first_id}", {"present": "yes"})
    assert "1 van 8" in host.get(f"/sessions/{ws_id}/door").text
    # a walk-in by name and a late member: both "not seated yet", on the door and the session page
    host.post(f"/sessions/{ws_id}/walk-in", {"name": "Mohamed Aziz"})
    late = browser()
    late.sign_in(emails[8])
    late.get(f"/j/{code}")
    waiting = late.get(f"/sessions/{ws_id}")
    assert 'id="not-seated"' in waiting.text
    page = host.get(f"/sessions/{ws_id}")
    assert 'id="late"' in page.text and "Mohamed Aziz" in page.text and "Lid 08" in page.text
    with database.reader() as session:
        late_id = session.scalar(select(Member.id).where(Member.email == emails[8]))
    seated = host.post(f"/sessions/{ws_id}/seat", {"member_id": str(late_id), "back": "session"})
    assert seated.status_code == 303
    assert re.search(r"(Your group|Jouw groep)", late.get(f"/sessions/{ws_id}").text)
    host.get(f"/sessions/{ws_id}")
    host.post(f"/sessions/{ws_id}/seat", {})
    with database.reader() as session:
        seats = session.scalar(select(func.count()).select_from(Seat).where(Seat.session_id == ws_id))
    assert seats == 10
    # a cancellation after the lock is shown to the host
    members[1].get(f"/sessions/{ws_id}")
    members[1].post(f"/sessions/{ws_id}/cancel")
    page = host.get(f"/sessions/{ws_id}")
    assert "Lid 01" in page.text.split('id="late"', 1)[1]


def test_the_host_starts_round_two_and_each_phone_shows_its_new_group(
    database: Database, app_for: Any
) -> None:
    ws_id, code, host_email, emails = _room(database, people=8)
    browser = app_for(database)
    host = browser()
    host.sign_in(host_email)
    members = []
    for email in emails:
        member = browser()
        member.sign_in(email)
        member.get(f"/j/{code}")
        members.append(member)
    host.get(f"/sessions/{ws_id}")
    host.post(f"/sessions/{ws_id}/groups")
    assert 'id="next-round"' not in host.get(f"/sessions/{ws_id}").text  # not before the lock
    host.post(f"/sessions/{ws_id}/groups/lock", {"locked": "yes"})
    assert 'id="next-round"' in host.get(f"/sessions/{ws_id}").text
    assert members[0].post(f"/sessions/{ws_id}/rounds").status_code == 403
    assert host.post(f"/sessions/{ws_id}/rounds").status_code == 303
    page = members[0].get(f"/sessions/{ws_id}")
    assert (
        re.search(r"(Your group|Jouw groep): (group|groep) [34]", page.text) and 'id="my-round"' in page.text
    )
    with database.reader() as session:
        ws = session.get(WorkSession, ws_id)
        assert ws is not None
        assert sorted((g.round, g.number, len(g.seats)) for g in ws.groups) == [
            (1, 1, 0),
            (1, 2, 0),
            (2, 3, 4),
            (2, 4, 4),
        ]


def test_a_guest_invited_by_the_host_becomes_a_member_and_is_kept(
    database: Database, app_for: Any, web_settings: Any
) -> None:
    ws_id, code, host_email, _ = _room(database)
    browser = app_for(database)
    guest = browser()
    _join_guest(guest, code, "Fatima Ouali", email="fatima@example.org", consent="on")
    quiet = browser()
    _join_guest(quiet, code, "Zonder Adres")
    with database.reader() as session:
        ids = dict(session.execute(select(Member.name, Member.id).where(Member.guest_of == ws_id)).all())
    host = browser()
    host.sign_in(host_email)
    door = host.get(f"/sessions/{ws_id}/door")
    assert door.text.count("/invite") == 1  # only the guest who gave an address with consent
    host.post(f"/sessions/{ws_id}/guests/{ids['Zonder Adres']}/invite")
    assert "geen e-mailadres" in host.get(f"/sessions/{ws_id}/door").text
    assert not list(web_settings.outbox_dir.glob("*.eml"))
    assert host.post(f"/sessions/{ws_id}/guests/{ids['Fatima Ouali']}/invite").status_code == 303
    links = [link for link in outbox_links(web_settings) if "/guests/invite/" in link]
    assert len(links) == 1
    mails = list(web_settings.outbox_dir.glob("*.eml"))
    assert any("fatima@example.org" in path.read_text() for path in mails)
    path = links[0].split("127.0.0.1:8000", 1)[-1]
    page = guest.get(path)
    assert "Fatima Ouali" in page.text
    accepted = guest.post(path, {"password": "een-lang-wachtwoord", "repeat": "een-lang-wachtwoord"})
    assert accepted.status_code == 303
    assert guest.get("/members", follow_redirects=False).status_code == 200  # signed in as a member now
    with database.transaction() as session:
        member = session.get(Member, ids["Fatima Ouali"])
        assert member is not None and member.guest_of is None and member.email == "fatima@example.org"
        assert session.get(Guest, member.id) is None
        ws = session.get(WorkSession, ws_id)
        assert ws is not None
        ws.status, ws.published_at = "published", dt.datetime(2026, 1, 1)
    with database.transaction() as session:
        from werkkring.actions.room import delete_expired_guests

        assert delete_expired_guests(session, days=30) == 1  # only the guest who stayed a guest
        assert session.get(Member, ids["Fatima Ouali"]) is not None
    # the link works once
    assert (
        guest.post(path, {"password": "een-lang-wachtwoord", "repeat": "een-lang-wachtwoord"}).status_code
        == 403
    )


def test_a_guest_votes_with_dots_like_a_member(database: Database, app_for: Any) -> None:
    """Guests "can enter input and vote": the vote page takes the guest's cookie for that session only."""
    ws_id, code, host_email, emails = _room(database)
    browser = app_for(database)
    guest = browser()
    _join_guest(guest, code, "Fatima Ouali")
    host = browser()
    host.sign_in(host_email)
    for email in emails[:5]:
        member = browser()
        member.sign_in(email)
        member.get(f"/j/{code}")
    host.get(f"/sessions/{ws_id}")
    host.post(f"/sessions/{ws_id}/groups")
    host.post(f"/sessions/{ws_id}/groups/lock", {"locked": "yes"})
    guest.get(f"/j/{code}")
    guest.post(f"/j/{code}/contributions", {"text": "Een vaste plek om elkaar te treffen"})
    with database.reader() as session:
        (card,) = session.scalars(select(Contribution.id)).all()
    assert 'id="vote-now"' not in guest.get(f"/j/{code}/me").text
    host.get(f"/sessions/{ws_id}")
    assert host.post(f"/sessions/{ws_id}/voting", {"do": "open"}).status_code == 303
    assert 'id="vote-now"' in guest.get(f"/j/{code}/me").text
    page = guest.get(f"/sessions/{ws_id}/vote")
    assert page.status_code == 200 and "Een vaste plek" in page.text
    assert guest.post(f"/sessions/{ws_id}/votes", {"card": str(card)}).status_code == 303
    with database.reader() as session:
        (vote,) = session.scalars(select(Vote)).all()
        guest_id = session.scalars(select(Guest.member_id)).one()
        assert vote.member_id == guest_id
    # the guest's cookie counts for its own session only
    assert guest.get(f"/sessions/{ws_id + 1}/vote", follow_redirects=False).status_code in (303, 404)


def test_the_host_closes_the_rounds_input_and_a_late_send_gets_a_clear_message(
    database: Database, app_for: Any
) -> None:
    ws_id, code, host_email, emails = _room(database, people=4)
    browser = app_for(database)
    host = browser()
    host.sign_in(host_email)
    member = browser()
    member.sign_in(emails[0])
    member.get(f"/j/{code}")
    for other in emails[1:]:
        joined = browser()
        joined.sign_in(other)
        joined.get(f"/j/{code}")
    host.post(f"/sessions/{ws_id}/groups")
    host.post(f"/sessions/{ws_id}/groups/lock", {"locked": "yes"})
    assert member.post(f"/sessions/{ws_id}/contributions", {"text": "Samen oefenen"}).status_code == 303
    assert member.post(f"/sessions/{ws_id}/input", {"do": "close"}).status_code == 403
    assert "Sluit de inbreng van ronde 1" in host.get(f"/sessions/{ws_id}").text
    assert host.post(f"/sessions/{ws_id}/input", {"do": "close"}).status_code == 303
    page = member.get(f"/sessions/{ws_id}").text
    assert 'id="input-closed"' in page and 'id="input"' not in page
    assert member.post(f"/sessions/{ws_id}/contributions", {"text": "Net te laat"}).status_code == 303
    assert (
        "de inbreng van ronde 1 is gesloten; wat je schreef is niet toegevoegd"
        in member.get(f"/sessions/{ws_id}").text
    )  # the message, flashed on the page the post came from
    with database.reader() as session:
        texts = set(session.scalars(select(Contribution.text).where(Contribution.session_id == ws_id)))
        assert texts == {"Samen oefenen"}
    assert host.post(f"/sessions/{ws_id}/input", {"do": "open"}).status_code == 303
    assert 'id="input-closed"' not in member.get(f"/sessions/{ws_id}").text

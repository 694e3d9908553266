"""The pages of issue 17's session flows: a refused form comes back filled with the error beside its field,
drafts, edit and cancel, own input changed or deleted, the notification settings (both languages), the
outcome's initiatives with a join button, and the public outcome page and Atom feed (signed out)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import feedparser
from sqlalchemy import select

from tests.web import factories
from tests.web.helpers import outbox_links
from werkkring.actions import sessions as session_actions
from werkkring.config import Settings
from werkkring.store import Database
from werkkring.store.models import Contribution, Member, WorkSession

DAY = (dt.date.today() + dt.timedelta(days=10)).isoformat()


def _form(**changes: str) -> dict[str, str]:
    return {
        "title": "De blik vooruit",
        "question": "Wat brengt het netwerk ons?",
        "date": DAY,
        "start": "19:30",
        "end": "21:30",
        "place": "Utrecht",
        "capacity": "20",
        "group_size": "4",
        "circle_id": "",
        "language": "nl",
        **changes,
    }


def _network(database: Database, members: int = 3) -> dict[str, Any]:
    with database.transaction() as session:
        host = factories.member(session, "Hanna Host", role="host")
        people = [factories.member(session, f"Lid {i}") for i in range(members)]
        return {"host": host.email, "members": [p.email for p in people], "ids": [p.id for p in people]}


def _signed_in(app_for: Any, database: Database, email: str) -> Any:
    browser = app_for(database)()
    browser.sign_in(email)
    return browser


def _value(html: str, name: str) -> str:
    found = re.search(rf'<input id="{name}" name="{name}"[^>]*value="([^"]*)"', html)
    assert found, f"no input {name}"
    return found.group(1)


def test_a_refused_new_session_comes_back_filled_with_the_error_beside_the_field(
    database: Database, app_for: Any
) -> None:
    people = _network(database)
    host = _signed_in(app_for, database, people["host"])
    host.get("/sessions/new")
    response = host.post("/sessions", _form(end="18:00", capacity="veel", title="Mijn titel"))
    assert response.status_code == 400
    page = response.text
    assert _value(page, "title") == "Mijn titel" and _value(page, "place") == "Utrecht"
    assert "Wat brengt het netwerk ons?</textarea>" in page
    # Each error right below its own field, and the field marked for screen readers.
    assert re.search(r'id="end"[^>]*aria-invalid="true"', page)
    assert '<p class="error" id="end-error">' in page and '<p class="error" id="capacity-error">' in page
    assert "heel getal" in page.split('id="capacity-error">')[1].split("</p>")[0]
    # Numbers and lengths past what the database holds: named, never a server error.
    response = host.post("/sessions", _form(capacity="9" * 30, place="p" * 300))
    assert response.status_code == 400
    assert 'id="capacity-error"' in response.text and 'id="place-error"' in response.text
    with database.reader() as session:
        assert session.scalars(select(WorkSession)).all() == []


def test_a_draft_is_the_hosts_until_opened_and_the_host_has_no_primary_sign_up(
    database: Database, app_for: Any
) -> None:
    people = _network(database)
    host = _signed_in(app_for, database, people["host"])
    host.get("/sessions/new")
    response = host.post("/sessions", _form(draft="yes"))
    assert response.status_code == 303
    session_id = int(response.headers["location"].rsplit("/", 1)[1])
    member = _signed_in(app_for, database, people["members"][0])
    assert member.get(f"/sessions/{session_id}").status_code == 404
    assert "De blik vooruit" not in member.get("/sessions").text
    page = host.get(f"/sessions/{session_id}").text
    assert 'id="draft-note"' in page and "De blik vooruit" in host.get("/sessions").text
    assert host.post(f"/sessions/{session_id}/open").status_code == 303
    page = host.get(f"/sessions/{session_id}").text
    # The host is offered a secondary "take part myself", never the members' primary Sign up.
    assert '<button type="submit" class="secondary">Zelf ook meedoen</button>' in page
    assert '<button type="submit">Aanmelden voor deze sessie</button>' not in page
    page = member.get(f"/sessions/{session_id}").text
    assert '<button type="submit">Aanmelden voor deze sessie</button>' in page


def test_the_host_edits_and_cancels_and_who_signed_up_is_mailed(
    database: Database, app_for: Any, web_settings: Settings
) -> None:
    people = _network(database)
    host = _signed_in(app_for, database, people["host"])
    host.get("/sessions/new")
    session_id = int(host.post("/sessions", _form()).headers["location"].rsplit("/", 1)[1])
    for email in people["members"][:2]:
        member = _signed_in(app_for, database, email)
        member.get(f"/sessions/{session_id}")
        assert member.post(f"/sessions/{session_id}/register").status_code == 303

    page = host.get(f"/sessions/{session_id}/edit").text
    assert _value(page, "title") == "De blik vooruit" and _value(page, "start") == "19:30"
    refused = host.post(f"/sessions/{session_id}/edit", _form(capacity="1", place="Zeist"))
    assert refused.status_code == 400
    assert "2 mensen" in refused.text.split('id="capacity-error">')[1].split("</p>")[0]
    assert _value(refused.text, "place") == "Zeist"
    assert host.post(f"/sessions/{session_id}/edit", _form(place="Zeist")).status_code == 303
    assert len(outbox_links(web_settings)) == 2 * 2  # session page and settings page, two members

    assert host.post(f"/sessions/{session_id}/call-off", {"reason": ""}).status_code == 303
    with database.reader() as session:
        assert session.get(WorkSession, session_id).status == "open"  # type: ignore[union-attr]
    assert (
        host.post(f"/sessions/{session_id}/call-off", {"reason": "Te weinig aanmeldingen"}).status_code == 303
    )
    page = host.get(f"/sessions/{session_id}").text
    assert 'id="cancelled-note"' in page and "Te weinig aanmeldingen" in page
    assert len(outbox_links(web_settings)) == 2 * 4


def _running(database: Database, people: dict[str, Any]) -> tuple[int, list[int]]:
    with database.transaction() as session:
        host = session.scalar(select(Member).where(Member.email == people["host"]))
        assert host is not None
        ws = session_actions.create_session(
            session,
            title="Samen verder",
            question="Wat nu?",
            starts_at=dt.datetime(2027, 1, 5, 19),
            actor=host,
        )
        members = [session.get(Member, i) for i in people["ids"]]
        for m in members:
            assert m is not None
            session_actions.register(session, ws, actor=m)
        session_actions.seat_groups(session, ws, [people["ids"]], actor=host)
        session_actions.lock_groups(session, ws, actor=host)
        made = [
            session_actions.add_contribution(
                session, ws, f"Idee nummer {i}: samen leren", is_proposal=True, actor=m
            )  # type: ignore[arg-type]
            for i, m in enumerate(members)
        ]
        return ws.id, [c.id for c in made]


def test_members_change_or_delete_their_own_input_only(database: Database, app_for: Any) -> None:
    people = _network(database)
    session_id, inputs = _running(database, people)
    member = _signed_in(app_for, database, people["members"][0])
    page = member.get(f"/sessions/{session_id}").text
    assert page.count("Wijzigen of verwijderen") == 1
    assert f"/contributions/{inputs[0]}/edit" in page and f"/contributions/{inputs[1]}/edit" not in page
    response = member.post(f"/sessions/{session_id}/contributions/{inputs[0]}/edit", {"text": "Beter gezegd"})
    assert response.status_code == 303
    assert member.post(f"/sessions/{session_id}/contributions/{inputs[1]}/delete").status_code == 403
    assert (
        member.post(f"/sessions/{session_id}/contributions/{inputs[1]}/edit", {"text": "x"}).status_code
        == 403
    )
    assert member.post(f"/sessions/{session_id}/contributions/{inputs[0]}/delete").status_code == 303
    with database.reader() as session:
        texts = session.scalars(select(Contribution.text).order_by(Contribution.id)).all()
    assert texts == ["Idee nummer 1: samen leren", "Idee nummer 2: samen leren"]


def test_notification_settings_in_both_languages(database: Database, app_for: Any) -> None:
    people = _network(database)
    member = _signed_in(app_for, database, people["members"][0])
    page = member.get("/me/notifications").text
    assert "Berichten" in page and "Wekelijks overzicht" in page
    assert 'name="initiative_update" value="digest" checked' in page
    assert member.post("/me/notifications", {"seated": "off", "initiative_update": "now"}).status_code == 303
    page = member.get("/me/notifications").text
    assert (
        'name="seated" value="off" checked' in page and 'name="initiative_update" value="now" checked' in page
    )
    refused = member.post("/me/notifications", {"seated": "hard"})
    assert refused.status_code == 400 and 'id="seated-error"' in refused.text
    member.post("/language", {"language": "en", "next": "/me/notifications"})
    page = member.get("/me/notifications").text
    assert "Weekly digest" in page and "E-mail at once" in page and "I am seated in a group" in page


def test_the_outcome_leads_to_initiatives_and_goes_public(database: Database, app_for: Any) -> None:
    people = _network(database)
    session_id, inputs = _running(database, people)
    host = _signed_in(app_for, database, people["host"])
    page = host.get(f"/sessions/{session_id}").text
    # The host confirms a short title: suggested, never the proposal cut at 120 characters.
    assert f'id="title-{inputs[0]}" name="title" value="Idee nummer 0"' in page
    owner = people["ids"][0]
    response = host.post(
        f"/sessions/{session_id}/contributions/{inputs[0]}/initiative", {"owner_id": owner, "title": "Leren"}
    )
    assert response.status_code == 303
    initiative_path = response.headers["location"]
    assert host.post(f"/sessions/{session_id}/synthesis").status_code == 303
    assert host.post(f"/sessions/{session_id}/publish").status_code == 303

    member = _signed_in(app_for, database, people["members"][1])
    page = member.get(f"/sessions/{session_id}").text
    assert 'id="outcome-initiatives"' in page and f'action="{initiative_path}/join"' in page
    page = member.get(initiative_path).text
    assert "uit de werksessie Samen verder" in page
    member.post(f"{initiative_path}/join", {"adds_for_me": "Samen leren"})
    assert "Niet meer meedoen" in member.get(initiative_path).text

    anonymous = app_for(database)()
    assert anonymous.get(f"/outcomes/{session_id}").status_code == 404
    assert member.post(f"/sessions/{session_id}/public").status_code == 403
    assert host.post(f"/sessions/{session_id}/public", {"public": "yes"}).status_code == 303
    assert f'<a href="/outcomes/{session_id}">' in member.get(f"/sessions/{session_id}").text
    page = anonymous.get(f"/outcomes/{session_id}")
    assert page.status_code == 200
    assert '<meta property="og:title" content="Samen verder">' in page.text
    assert re.search(rf'<meta property="og:url" content="https?://[^"]+/outcomes/{session_id}">', page.text)
    assert 'property="og:description"' in page.text and "Leren" in page.text
    # Nobody agreed to be named: counted, not named.
    assert "Lid 0" not in page.text and "Hanna Host" not in page.text

    feed = anonymous.get("/feeds/outcomes.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(feed.content)
    assert not parsed.bozo, parsed.bozo_exception
    assert [e.title for e in parsed.entries] == ["Samen verder"]
    assert parsed.entries[0].link.endswith(f"/outcomes/{session_id}")

    assert host.post(f"/sessions/{session_id}/public", {"public": "no"}).status_code == 303
    assert anonymous.get(f"/outcomes/{session_id}").status_code == 404
    assert feedparser.parse(anonymous.get("/feeds/outcomes.atom").content).entries == []


def test_the_api_edits_and_cancels_with_the_same_rules(
    database: Database, app_for: Any, web_settings: Settings
) -> None:
    from werkkring.actions.accounts import create_api_token

    people = _network(database)
    session_id, _ = _running(database, people)
    with database.transaction() as session:
        host = session.scalar(select(Member).where(Member.email == people["host"]))
        member = session.get(Member, people["ids"][0])
        assert host is not None and member is not None
        _, host_token = create_api_token(session, "script", actor=host)
        _, member_token = create_api_token(session, "script", actor=member)
    client = app_for(database)().client
    body = {"title": "Samen verder", "question": "Wat nu?", "starts_at": "2027-01-05T20:00:00", "capacity": 2}
    refused = client.put(
        f"/api/v1/sessions/{session_id}", json=body, headers={"Authorization": f"Bearer {host_token}"}
    )
    assert refused.status_code == 400 and refused.json()["problems"][0]["field"] == "capacity"
    assert (
        client.put(
            f"/api/v1/sessions/{session_id}",
            json=body | {"capacity": None},
            headers={"Authorization": f"Bearer {member_token}"},
        ).status_code
        == 403
    )
    edited = client.put(
        f"/api/v1/sessions/{session_id}",
        json=body | {"capacity": None},
        headers={"Authorization": f"Bearer {host_token}"},
    )
    assert edited.status_code == 200 and edited.json()["starts_at"] == "2027-01-05T20:00:00+01:00"
    # A time with a zone becomes Amsterdam wall-clock time (19:00 UTC is 20:00 there in January).
    zoned = client.put(
        f"/api/v1/sessions/{session_id}",
        json=body | {"capacity": None, "starts_at": "2027-01-05T19:00:00Z", "ends_at": "2027-01-05T22:00:00"},
        headers={"Authorization": f"Bearer {host_token}"},
    )
    assert zoned.status_code == 200 and zoned.json()["starts_at"] == "2027-01-05T20:00:00+01:00"
    # The session is running: it can be changed, no longer cancelled.
    cancelled = client.post(
        f"/api/v1/sessions/{session_id}/cancellation",
        json={"reason": "Ziek"},
        headers={"Authorization": f"Bearer {host_token}"},
    )
    assert cancelled.status_code == 400

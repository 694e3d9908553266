from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import func, select

from tests.web import factories
from werkkring.store import Database
from werkkring.store.models import BreakoutGroup, Contribution, Initiative, Seat, Theme, WorkSession


def _network(database: Database, people: int = 12) -> tuple[list[str], str]:
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
                joined_on=dt.date(2018 + i % 8, 1, 1),
            ).email
            for i in range(people)
        ]
        return emails, host.email


def _create_session(host: Any) -> int:
    host.get("/sessions/new")
    response = host.post(
        "/sessions",
        {
            "title": "De blik vooruit",
            "question": "Wat brengt het netwerk ons de komende jaren?",
            "date": (dt.date.today() + dt.timedelta(days=7)).isoformat(),
            "start": "19:30",
            "end": "21:30",
            "place": "Utrecht",
            "capacity": "20",
            "group_size": "4",
            "circle_id": "1",
        },
    )
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_a_session_from_creation_to_initiative(database: Database, app_for: Any) -> None:
    emails, host_email = _network(database)
    browser = app_for(database)
    host = browser()
    host.sign_in(host_email)
    session_id = _create_session(host)

    members = []
    for email in emails:
        member = browser()
        member.sign_in(email)
        member.get(f"/sessions/{session_id}")
        assert member.post(f"/sessions/{session_id}/register").status_code == 303
        members.append(member)

    page = host.get(f"/sessions/{session_id}")
    assert "12" in page.text
    assert host.post(f"/sessions/{session_id}/groups").status_code == 303
    with database.reader() as session:
        groups = session.scalars(select(BreakoutGroup).where(BreakoutGroup.session_id == session_id)).all()
        sizes = sorted(len(g.seats) for g in groups)
        seated = session.scalar(select(func.count()).select_from(Seat).where(Seat.session_id == session_id))
    assert sizes == [4, 4, 4] and seated == 12
    page = host.get(f"/sessions/{session_id}")
    # The host sees each group's mix: tenure, age and region.
    assert page.text.count('class="mix"') == 3

    # The host moves one person by hand; the group numbers stay consistent.
    with database.reader() as session:
        seat = session.scalars(select(Seat).where(Seat.session_id == session_id).order_by(Seat.id)).first()
        assert seat is not None
        mover, origin = seat.member_id, seat.group.number
    target = 2 if origin != 2 else 3
    host.post(f"/sessions/{session_id}/groups/move", {"member_id": mover, "number": target})
    with database.reader() as session:
        seat = session.scalar(select(Seat).where(Seat.session_id == session_id, Seat.member_id == mover))
        assert seat is not None and seat.group.number == target and seat.fixed

    # Before locking, participants do not see their group yet; after, they do.
    assert not re.search(r"Your group|Jouw groep", members[0].get(f"/sessions/{session_id}").text)
    host.post(f"/sessions/{session_id}/groups/lock", {"locked": "yes"})
    by_member = {}
    with database.reader() as session:
        for index, email in enumerate(emails):
            seat = session.scalar(
                select(Seat).where(Seat.session_id == session_id, Seat.member.has(email=email))
            )
            assert seat is not None
            by_member[seat.member_id] = (index, seat.group.number)
    writers = {number: members[index] for index, number in by_member.values()}
    for number, member in sorted(writers.items()):
        page = member.get(f"/sessions/{session_id}")
        assert re.search(rf"(Your group|Jouw groep)[^<]*{number}", page.text)
        text = f"Voorstel van groep {number}: een maandelijkse lunch voor nieuwkomers"
        member.post(f"/sessions/{session_id}/contributions", {"text": text, "proposal": "on"})
    # The live panel shows each group's input to the host.
    live = host.get(f"/sessions/{session_id}/live")
    assert live.status_code == 200
    for number in writers:
        assert f"Voorstel van groep {number}" in live.text
    # A member cannot read the live panel, form groups, or publish.
    assert members[0].get(f"/sessions/{session_id}/live").status_code == 403
    members[0].get(f"/sessions/{session_id}")
    assert members[0].post(f"/sessions/{session_id}/groups").status_code == 403
    assert members[0].post(f"/sessions/{session_id}/publish").status_code == 403

    # The synthesis turns the input into themes on the page; then the host publishes the outcome.
    host.get(f"/sessions/{session_id}")
    assert host.post(f"/sessions/{session_id}/synthesis").status_code == 303
    with database.reader() as session:
        work_session = session.get(WorkSession, session_id)
        assert work_session is not None and work_session.status == "synthesised"
        labels = session.scalars(select(Theme.label).where(Theme.session_id == session_id)).all()
        linked = session.scalar(
            select(func.count())
            .select_from(Contribution)
            .where(Contribution.session_id == session_id, Contribution.theme_id.is_not(None))
        )
    assert labels and all(labels) and linked
    page = host.get(f"/sessions/{session_id}")
    assert all(f'value="{label}"' in page.text for label in labels)
    assert host.post(f"/sessions/{session_id}/publish", {"summary": "Samen verder"}).status_code == 303
    with database.reader() as session:
        work_session = session.get(WorkSession, session_id)
        assert work_session is not None and work_session.status == "published"
        assert work_session.summary == "Samen verder"

    with database.reader() as session:
        proposal = session.scalars(select(Contribution).where(Contribution.session_id == session_id)).first()
        assert proposal is not None and proposal.author_id is not None
        proposal_id, author = proposal.id, proposal.author_id
    host.get(f"/sessions/{session_id}")
    made = host.post(
        f"/sessions/{session_id}/contributions/{proposal_id}/initiative",
        {"owner_id": author, "title": "Lunch voor nieuwkomers"},
    )
    initiative_path = made.headers["location"]
    assert initiative_path.startswith("/initiatives/")
    with database.reader() as session:
        initiative = session.scalar(select(Initiative).where(Initiative.contribution_id == proposal_id))
        assert initiative is not None and initiative.owner_id == author

    joiner = members[-1]
    joiner.get(initiative_path)
    assert joiner.post(f"{initiative_path}/join", {"adds_for_me": ""}).status_code == 303
    joiner.post(f"{initiative_path}/join", {"adds_for_me": "Ik leer nieuwe mensen kennen"})
    assert "Ik leer nieuwe mensen kennen" in joiner.get(initiative_path).text


def test_a_member_cannot_create_a_session(database: Database, app_for: Any) -> None:
    emails, _ = _network(database, people=1)
    member = app_for(database)()
    member.sign_in(emails[0])
    assert member.get("/sessions/new").status_code == 403
    assert "/sessions/new" not in member.get("/sessions").text
    response = member.post(
        "/sessions",
        {"title": "x", "question": "y", "date": "2030-01-01", "start": "10:00", "circle_id": "1"},
    )
    assert response.status_code == 403
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(WorkSession)) == 0

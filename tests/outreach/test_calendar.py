from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from werkkring.actions.sessions import cancel_registration
from werkkring.errors import NotFoundError
from werkkring.outreach import event_uid
from werkkring.queries.outreach import circle_feed, member_feed
from werkkring.store import Database
from werkkring.store.models import Circle, Member, Registration, WorkSession

BASE = "https://werkkring.example.nl"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 11, 29, 12, 0)


def _events(data: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(data)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_circle_feed_parses_back_with_every_session_in_amsterdam_time(demo: Database) -> None:
    with demo.reader() as session:
        circle = session.scalars(select(Circle).where(Circle.slug == "amsterdam")).one()
        data = circle_feed(session, "amsterdam", base_url=BASE, now=NOW)
        expected = session.scalars(
            select(WorkSession).where(WorkSession.circle_id == circle.id, WorkSession.status != "draft")
        ).all()
    calendar = Calendar.from_ical(data)
    assert str(calendar["version"]) == "2.0" and calendar["prodid"]
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["tzid"]) for z in zones] == ["Europe/Amsterdam"]
    assert zones[0].walk("STANDARD") and zones[0].walk("DAYLIGHT")
    events = _events(data)
    assert set(events) == {event_uid(s.id, BASE) for s in expected}
    assert len(expected) >= 2
    for work_session in expected:
        event = events[event_uid(work_session.id, BASE)]
        start = event.decoded("dtstart")  # type: ignore[attr-defined]
        assert start.tzinfo is not None and start.tzinfo.key == "Europe/Amsterdam"
        # The same wall-clock time, with the offset of the season (+01:00 winter, +02:00 summer).
        assert start.replace(tzinfo=None) == work_session.starts_at
        assert start.utcoffset() == work_session.starts_at.replace(tzinfo=AMSTERDAM).utcoffset()
        assert str(event["summary"]) == work_session.title  # type: ignore[index]
        assert str(event["status"]) == "CONFIRMED"  # type: ignore[index]


def test_uids_are_stable_and_cancelled_sessions_say_so(demo: Database) -> None:
    with demo.reader() as session:
        first = circle_feed(session, "amsterdam", base_url=BASE, now=NOW)
    with demo.transaction() as session:
        circle = session.scalars(select(Circle).where(Circle.slug == "amsterdam")).one()
        coming = session.scalars(
            select(WorkSession).where(WorkSession.circle_id == circle.id, WorkSession.starts_at > NOW)
        ).first()
        assert coming is not None
        coming.status = "cancelled"
        cancelled_uid = event_uid(coming.id, BASE)
    with demo.reader() as session:
        second = circle_feed(session, "amsterdam", base_url=BASE, now=NOW)
    before, after = _events(first), _events(second)
    assert set(before) == set(after)
    event = after[cancelled_uid]
    assert str(event["status"]) == "CANCELLED"  # type: ignore[index]
    assert int(event["sequence"]) > int(before[cancelled_uid]["sequence"])  # type: ignore[index]
    for uid in set(after) - {cancelled_uid}:
        assert str(after[uid]["status"]) == "CONFIRMED"  # type: ignore[index]


def test_personal_feed_holds_exactly_my_sessions(demo: Database) -> None:
    with demo.transaction() as session:
        registration = session.scalars(
            select(Registration).join(WorkSession).where(WorkSession.starts_at > NOW)
        ).first()
        assert registration is not None
        member = session.get(Member, registration.member_id)
        assert member is not None and member.feed_token
        mine = set(
            session.scalars(
                select(Registration.session_id).where(
                    Registration.member_id == member.id, Registration.cancelled_at.is_(None)
                )
            )
        ) | set(session.scalars(select(WorkSession.id).where(WorkSession.host_id == member.id)))
        dropped = session.get(WorkSession, registration.session_id)
        assert dropped is not None
        cancel_registration(session, dropped, actor=member)
        mine.discard(dropped.id)
        token = member.feed_token
    with demo.reader() as session:
        data = member_feed(session, token, base_url=BASE, now=NOW)
    events = _events(data)
    assert set(events) == {event_uid(i, BASE) for i in mine}
    online = [e for e in events.values() if "meet.example.org" in str(e.get("description", ""))]
    with demo.reader() as session:
        has_online = [
            i for i in mine if (s := session.get(WorkSession, i)) is not None and s.online_url is not None
        ]
    assert len(online) == len(has_online)


def test_meeting_links_stay_out_of_public_feeds(demo: Database) -> None:
    with demo.transaction() as session:
        circle = session.scalars(select(Circle).where(Circle.slug == "amsterdam")).one()
        work_session = session.scalars(select(WorkSession).where(WorkSession.circle_id == circle.id)).first()
        assert work_session is not None
        work_session.online_url = "https://meet.example.org/secret-room"
    with demo.reader() as session:
        data = circle_feed(session, "amsterdam", base_url=BASE, now=NOW)
    assert b"secret-room" not in data


def test_unknown_feeds_are_not_found(demo: Database) -> None:
    with demo.reader() as session:
        with pytest.raises(NotFoundError):
            member_feed(session, "not-a-token", base_url=BASE)
        with pytest.raises(NotFoundError):
            member_feed(session, "", base_url=BASE)
        with pytest.raises(NotFoundError):
            circle_feed(session, "atlantis", base_url=BASE)


def test_a_circle_without_sessions_still_gives_a_valid_feed(demo: Database) -> None:
    with demo.transaction() as session:
        session.add(Circle(slug="leeg", name="Lege kring", kind="thematic"))
    with demo.reader() as session:
        data = circle_feed(session, "leeg", base_url=BASE, now=NOW)
    calendar = Calendar.from_ical(data)
    assert calendar.walk("VEVENT") == []
    assert [str(z["tzid"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]

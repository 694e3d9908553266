"""Calendar feeds (RFC 5545): one per circle, public, and one personal feed per member behind a secret token.

Session times are stored as wall-clock times in Europe/Amsterdam (an evening session at 19:30 is 19:30
local time, summer or winter); the feed says so with TZID and a VTIMEZONE built from the tz database, so
every client shows the right hour. UIDs never change, so an update replaces the event instead of adding a
copy; a cancelled session stays in the feed with STATUS:CANCELLED and a higher SEQUENCE so clients strike it
out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vDuration
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from werkkring.domain import TIMEZONE as TIMEZONE
from werkkring.errors import NotFoundError
from werkkring.store.models import Circle, Member, Registration, WorkSession

ZONE = ZoneInfo(TIMEZONE)
# How far back a feed reaches; older sessions drop out so feeds stay small.
HISTORY = dt.timedelta(days=365)
REFRESH = dt.timedelta(hours=6)

_CANCELLED = {"nl": "Afgelast", "en": "Cancelled"}


def event_uid(session_id: int, base_url: str) -> str:
    host = urlsplit(base_url).hostname or "werkkring.local"
    return f"werkkring-session-{session_id}@{host}"


def _utc(moment: dt.datetime) -> dt.datetime:
    """Stored bookkeeping times (created_at, published_at) are naive UTC."""
    return moment.replace(tzinfo=dt.UTC)


def _event(work_session: WorkSession, base_url: str, *, personal: bool) -> Event:
    event = Event()
    event.add("uid", event_uid(work_session.id, base_url))
    changed = max(filter(None, (work_session.created_at, work_session.published_at)))
    event.add("dtstamp", _utc(changed))
    event.add("last-modified", _utc(changed))
    event.add("dtstart", work_session.starts_at.replace(tzinfo=ZONE))
    if work_session.ends_at is not None:
        event.add("dtend", work_session.ends_at.replace(tzinfo=ZONE))
    cancelled = work_session.status == "cancelled"
    title = work_session.title
    if cancelled:
        title = f"{_CANCELLED.get(work_session.language, 'Cancelled')}: {title}"
    event.add("summary", title)
    page = f"{base_url.rstrip('/')}/sessions/{work_session.id}"
    description = [work_session.question, "", page]
    # The meeting link only goes into the personal (secret) feed; circle feeds can be read by anyone.
    if personal and work_session.online_url:
        description[1:1] = ["", work_session.online_url]
    event.add("description", "\n".join(description).strip())
    event.add("url", page)
    if work_session.place:
        event.add("location", work_session.place)
    elif work_session.online_url:
        event.add("location", work_session.online_url if personal else "online")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", 1 if cancelled else 0)
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return event


def _calendar(name: str, sessions: Sequence[WorkSession], base_url: str, *, personal: bool) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//werkkring//outreach//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TIMEZONE)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for work_session in sessions:
        calendar.add_component(_event(work_session, base_url, personal=personal))
    if sessions:
        first = min(s.starts_at for s in sessions).date() - dt.timedelta(days=366)
        last = max(s.ends_at or s.starts_at for s in sessions).date() + dt.timedelta(days=366)
    else:
        today = dt.date.today()
        first, last = today - dt.timedelta(days=366), today + dt.timedelta(days=366)
    if not sessions:
        # An empty feed still names its zone so clients that subscribe first and fill later behave.
        probe = Event()
        probe.add("dtstart", dt.datetime.combine(first, dt.time(12), ZONE))
        calendar.add_component(probe)
        calendar.add_missing_timezones(first_date=first, last_date=last)
        calendar.subcomponents.remove(probe)
    else:
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return bytes(calendar.to_ical())


def _since(now: dt.datetime | None) -> dt.datetime:
    return (now or dt.datetime.now(ZONE).replace(tzinfo=None)) - HISTORY


def circle_feed(session: Session, slug: str, *, base_url: str, now: dt.datetime | None = None) -> bytes:
    """The circle's sessions of the past year and all coming ones (drafts left out)."""
    circle = session.scalar(select(Circle).where(Circle.slug == slug))
    if circle is None:
        raise NotFoundError(f"no circle with slug {slug!r}")
    sessions = session.scalars(
        select(WorkSession)
        .where(
            WorkSession.circle_id == circle.id,
            WorkSession.status != "draft",
            WorkSession.starts_at >= _since(now),
        )
        .order_by(WorkSession.starts_at, WorkSession.id)
    ).all()
    return _calendar(circle.name, sessions, base_url, personal=False)


def member_feed(session: Session, token: str, *, base_url: str, now: dt.datetime | None = None) -> bytes:
    """Sessions the member signed up for (and did not cancel) or hosts; found by the secret feed token."""
    member = session.scalar(select(Member).where(Member.feed_token == token)) if token else None
    if member is None:
        raise NotFoundError("no calendar feed at this address")
    return member_feed_for(session, member, base_url=base_url, now=now)


def member_feed_for(
    session: Session, member: Member, *, base_url: str, now: dt.datetime | None = None
) -> bytes:
    signed_up = select(Registration.session_id).where(
        Registration.member_id == member.id, Registration.cancelled_at.is_(None)
    )
    sessions = session.scalars(
        select(WorkSession)
        .where(
            or_(WorkSession.id.in_(signed_up), WorkSession.host_id == member.id),
            WorkSession.status != "draft",
            WorkSession.starts_at >= _since(now),
        )
        .order_by(WorkSession.starts_at, WorkSession.id)
    ).all()
    name = "Mijn werksessies" if member.language == "nl" else "My work sessions"
    return _calendar(name, sessions, base_url, personal=True)

"""Calendar feeds (RFC 5545) written from the sessions the queries read: one per circle, public, and one
personal feed per member behind a secret token.

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

from werkkring.domain import TIMEZONE as TIMEZONE
from werkkring.i18n import N_
from werkkring.lifecycle import Status
from werkkring.outreach._words import words
from werkkring.store.models import WorkSession

ZONE = ZoneInfo(TIMEZONE)
# How far back a feed reaches; older sessions drop out so feeds stay small.
FEED_HISTORY = dt.timedelta(days=365)
REFRESH = dt.timedelta(hours=6)


def event_uid(session_id: int, base_url: str) -> str:
    host = urlsplit(base_url).hostname or "werkkring.local"
    return f"werkkring-session-{session_id}@{host}"


def _utc(moment: dt.datetime) -> dt.datetime:
    """Stored bookkeeping times (created_at, published_at) are naive UTC."""
    return moment.replace(tzinfo=dt.UTC)


def _event(work_session: WorkSession, base_url: str, *, personal: bool) -> Event:
    event = Event()
    event.add("uid", event_uid(work_session.id, base_url))
    changed = max(filter(None, (work_session.created_at, work_session.published_at, work_session.updated_at)))
    event.add("dtstamp", _utc(changed))
    event.add("last-modified", _utc(changed))
    event.add("dtstart", work_session.starts_at.replace(tzinfo=ZONE))
    if work_session.ends_at is not None:
        event.add("dtend", work_session.ends_at.replace(tzinfo=ZONE))
    cancelled = work_session.status == Status.CANCELLED
    title = work_session.title
    if cancelled:
        title = words(work_session.language)(N_("Cancelled: %(title)s"), title=title)
    event.add("summary", title)
    page = f"{base_url.rstrip('/')}/sessions/{work_session.id}"
    description = [work_session.question, "", page]
    if cancelled and work_session.cancel_reason:
        description[0:0] = [work_session.cancel_reason, ""]
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
    # Every edit people should see raised the sequence; a session cancelled before edits counted stays 1.
    event.add("sequence", max(work_session.sequence or 0, 1 if cancelled else 0))
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


def circle_calendar(name: str, sessions: Sequence[WorkSession], *, base_url: str) -> bytes:
    """A circle's public feed: anyone may read it, so it never carries a meeting link."""
    return _calendar(name, sessions, base_url, personal=False)


def member_calendar(language: str, sessions: Sequence[WorkSession], *, base_url: str) -> bytes:
    """A member's personal feed behind their secret address, named in their language."""
    name = words(language)(N_("My work sessions"))
    return _calendar(name, sessions, base_url, personal=True)

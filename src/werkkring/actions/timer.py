"""The timer of a round: the host starts it (for so many minutes), pauses it, adds minutes, resets it.

The state lives in the database (``round_timers``): running means an end time, paused means the seconds
left. Phones and the projector count down from the end time the server gives them, so every screen in the
room shows the same, and a page opened late (or reloaded) shows the right time. Every change is announced on
the session's live channel."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from werkkring import lifecycle, live
from werkkring.actions._audit import record
from werkkring.actions.permissions import Actor, System, require_session_host
from werkkring.actions.votes import channel
from werkkring.errors import N_, InputError
from werkkring.queries import timer as timer_queries
from werkkring.store.models import RoundTimer, WorkSession, utcnow

MAX_MINUTES = 240


def _row(session: Session, work_session: WorkSession, round_no: int) -> RoundTimer:
    if round_no < 1:
        raise InputError(N_("rounds are numbered from 1, not %(round)s"), params={"round": round_no})
    row = session.get(RoundTimer, (work_session.id, round_no), with_for_update=True)
    if row is None:
        row = RoundTimer(session_id=work_session.id, round_no=round_no, state="idle", remaining=0)
        session.add(row)
    return row


def _check(session: Session, work_session: WorkSession, actor: Actor) -> None:
    if not isinstance(actor, System):
        require_session_host(session, actor, work_session)
    if lifecycle.is_finished(work_session.status):
        raise InputError(
            N_("the timer stands still in a session that is %(status)s"),
            params={"status": work_session.status},
        )


def _minutes(minutes: int, *, signed: bool = False) -> int:
    low = -MAX_MINUTES if signed else 1
    if not low <= minutes <= MAX_MINUTES or minutes == 0:
        raise InputError(
            N_("give the minutes as a whole number from 1 to %(max)s, not %(minutes)s"),
            params={"max": MAX_MINUTES, "minutes": minutes},
        )
    return minutes


def _announce(
    session: Session, work_session: WorkSession, row: RoundTimer, actor: Actor, action: str
) -> None:
    session.flush()
    view = timer_queries.view_of(row)
    live.publish(session, channel(work_session), {"type": "timer", **view.as_event()})
    record(session, actor, action, "work_session", work_session.id, round=row.round_no, state=row.state)


def start(
    session: Session,
    work_session: WorkSession,
    *,
    actor: Actor,
    minutes: int | None = None,
    round_no: int = 1,
) -> RoundTimer:
    """Run the timer: for ``minutes`` from now, or on from where it was paused."""
    _check(session, work_session, actor)
    row = _row(session, work_session, round_no)
    now = utcnow()
    if minutes is not None:
        seconds = _minutes(minutes) * 60
    elif row.state == "running":
        raise InputError(N_("the timer is already running"))
    elif row.remaining > 0:
        seconds = row.remaining
    else:
        raise InputError(N_("give the minutes the round lasts"))
    row.state = "running"
    row.ends_at = now + dt.timedelta(seconds=seconds)
    row.remaining = seconds
    _announce(session, work_session, row, actor, "timer.start")
    return row


def pause(session: Session, work_session: WorkSession, *, actor: Actor, round_no: int = 1) -> RoundTimer:
    _check(session, work_session, actor)
    row = _row(session, work_session, round_no)
    if row.state != "running" or row.ends_at is None:
        raise InputError(N_("the timer is not running"))
    row.remaining = max(0, round((row.ends_at - utcnow()).total_seconds()))
    row.state = "paused"
    row.ends_at = None
    _announce(session, work_session, row, actor, "timer.pause")
    return row


def add_minutes(
    session: Session, work_session: WorkSession, minutes: int, *, actor: Actor, round_no: int = 1
) -> RoundTimer:
    """More time (or, with a negative number, less): a running timer ends later, a paused one has more
    left."""
    _check(session, work_session, actor)
    row = _row(session, work_session, round_no)
    seconds = _minutes(minutes, signed=True) * 60
    if row.state == "running" and row.ends_at is not None:
        now = utcnow()
        base = max(row.ends_at, now)  # added to a timer that already reached zero: from now
        row.ends_at = max(now, base + dt.timedelta(seconds=seconds))
    else:
        row.remaining = max(0, row.remaining + seconds)
        if row.state == "idle" and row.remaining:
            row.state = "paused"
    _announce(session, work_session, row, actor, "timer.add")
    return row


def reset(session: Session, work_session: WorkSession, *, actor: Actor, round_no: int = 1) -> RoundTimer:
    _check(session, work_session, actor)
    row = _row(session, work_session, round_no)
    row.state = "idle"
    row.remaining = 0
    row.ends_at = None
    _announce(session, work_session, row, actor, "timer.reset")
    return row

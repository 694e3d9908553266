"""Reading a round's timer: its state and the seconds left now, the same for every screen in the room."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from werkkring.queries.sessions import current_round
from werkkring.store.models import RoundTimer, WorkSession, utcnow


@dataclass(frozen=True)
class TimerView:
    """``state``: idle (not set), running, paused, or done (ran to zero). ``left``: whole seconds left now;
    ``ends_at``: when a running timer reaches zero (UTC)."""

    round_no: int
    state: str
    left: int
    ends_at: dt.datetime | None
    now: dt.datetime

    @property
    def minutes_left(self) -> int:
        """What a page without JavaScript shows: whole minutes, rounded up (0:30 left is "1 minute")."""
        return -(-self.left // 60)

    @property
    def clock(self) -> str:
        return f"{self.left // 60}:{self.left % 60:02d}"

    def as_event(self) -> dict[str, Any]:
        """For the pages' script: epoch milliseconds, so it counts from the server's end time and clock."""
        return {
            "round": self.round_no,
            "state": self.state,
            "left": self.left,
            "ends_at": _ms(self.ends_at),
            "now": _ms(self.now),
        }


def _ms(moment: dt.datetime | None) -> int | None:
    return None if moment is None else int(moment.replace(tzinfo=dt.UTC).timestamp() * 1000)


def view_of(row: RoundTimer | None, round_no: int = 1, now: dt.datetime | None = None) -> TimerView:
    now = now or utcnow()
    if row is None:
        return TimerView(round_no, "idle", 0, None, now)
    if row.state == "running" and row.ends_at is not None:
        left = max(0, int(-(-(row.ends_at - now).total_seconds() // 1)))
        return TimerView(row.round_no, "running" if left else "done", left, row.ends_at, now)
    return TimerView(row.round_no, row.state, row.remaining, None, now)


def timer_of(session: Session, work_session: WorkSession, round_no: int | None = None) -> TimerView:
    """A round's timer; without ``round_no`` the round the session is in now (world café: the newest)."""
    if round_no is None:
        round_no = current_round(session, work_session)
    return view_of(session.get(RoundTimer, (work_session.id, round_no)), round_no)

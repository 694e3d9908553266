"""The round timer: start, pause, go on, add minutes, reset; the state in the database, the time left the
same for every screen; what a host may and a participant may not."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.actions.test_votes import _room
from werkkring.actions import room as room_actions
from werkkring.actions import timer as timer_actions
from werkkring.actions.permissions import SYSTEM
from werkkring.errors import InputError, PermissionDenied
from werkkring.queries import timer as timer_queries
from werkkring.queries.sessions import get_session
from werkkring.store import Database
from werkkring.store.models import LiveEvent, Member, RoundTimer


class Clock:
    """utcnow() as the timer sees it, moved by hand."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 20, 19, 45)

    def __call__(self) -> dt.datetime:
        return self.now

    def wait(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    made = Clock()
    monkeypatch.setattr(timer_actions, "utcnow", made)
    monkeypatch.setattr(timer_queries, "utcnow", made)
    return made


def _view(database: Database, ws_id: int) -> timer_queries.TimerView:
    with database.reader() as session:
        return timer_queries.timer_of(session, get_session(session, ws_id))


def _do(database: Database, ws_id: int, what: str, *args: int, **kwargs: int) -> None:
    with database.transaction() as session:
        getattr(timer_actions, what)(session, get_session(session, ws_id), *args, actor=SYSTEM, **kwargs)


def test_start_pause_go_on_add_and_reset(database: Database, clock: Clock) -> None:
    room = _room(database, 6)
    ws = room["ws"]
    assert _view(database, ws).state == "idle"
    _do(database, ws, "start", minutes=15)
    clock.wait(90)
    view = _view(database, ws)
    assert (view.state, view.left, view.clock, view.minutes_left) == ("running", 810, "13:30", 14)
    _do(database, ws, "pause")
    clock.wait(600)  # a pause stands still
    assert (_view(database, ws).state, _view(database, ws).left) == ("paused", 810)
    _do(database, ws, "add_minutes", 2)
    assert _view(database, ws).left == 930
    _do(database, ws, "start")  # on from where it stood
    clock.wait(30)
    assert (_view(database, ws).state, _view(database, ws).left) == ("running", 900)
    _do(database, ws, "add_minutes", 5)
    assert _view(database, ws).left == 1200
    _do(database, ws, "add_minutes", -30)  # less time than is left: it ends now
    assert (_view(database, ws).state, _view(database, ws).left) == ("done", 0)
    _do(database, ws, "add_minutes", 1)  # more time after zero counts from now
    assert (_view(database, ws).state, _view(database, ws).left) == ("running", 60)
    _do(database, ws, "reset")
    assert (_view(database, ws).state, _view(database, ws).left) == ("idle", 0)
    with database.reader() as session:
        row = session.get(RoundTimer, (ws, 1))
        assert row is not None and row.state == "idle"
        events = session.scalars(select(LiveEvent.data).where(LiveEvent.channel == f"session:{ws}")).all()
    assert sum('"type":"timer"' in e for e in events) == 8


def test_the_timer_refuses_what_makes_no_sense_and_changes_nothing(database: Database, clock: Clock) -> None:
    room = _room(database, 6)
    ws = room["ws"]
    with pytest.raises(InputError, match="give the minutes"):
        _do(database, ws, "start")
    with pytest.raises(InputError, match="not running"):
        _do(database, ws, "pause")
    for bad in (0, 241, -5):
        with pytest.raises(InputError, match="from 1 to 240"):
            _do(database, ws, "start", minutes=bad)
    with pytest.raises(InputError, match="numbered from 1"):
        _do(database, ws, "start", minutes=5, round_no=0)
    _do(database, ws, "start", minutes=10)
    with pytest.raises(InputError, match="already running"):
        _do(database, ws, "start")
    with database.transaction() as session, pytest.raises(PermissionDenied):
        person = session.get(Member, room["people"][0])
        assert person is not None
        timer_actions.pause(session, get_session(session, ws), actor=person)
    assert _view(database, ws).state == "running"


def test_each_round_has_its_own_timer(database: Database, clock: Clock) -> None:
    room = _room(database, 6)
    _do(database, room["ws"], "start", minutes=20, round_no=1)
    _do(database, room["ws"], "start", minutes=10, round_no=2)
    with database.reader() as session:
        ws = get_session(session, room["ws"])
        assert timer_queries.timer_of(session, ws, 1).left == 1200
        assert timer_queries.timer_of(session, ws, 2).left == 600
        assert timer_queries.timer_of(session, ws, 3).state == "idle"


def test_the_pages_show_the_round_the_session_is_in(database: Database, clock: Clock) -> None:
    """World café: once round 2 has begun, the timer the pages and the projector show is round 2's (its own,
    idle until the host starts it); round 1's stays as it ended."""
    room = _room(database, 9)
    ws = room["ws"]
    _do(database, ws, "start", minutes=15)
    assert _view(database, ws).round_no == 1
    with database.transaction() as session:
        host = session.get(Member, room["host"])
        assert host is not None
        room_actions.start_next_round(session, get_session(session, ws), actor=host, seed=1)
    now = _view(database, ws)
    assert (now.round_no, now.state) == (2, "idle")
    _do(database, ws, "start", minutes=10, round_no=2)
    assert (_view(database, ws).round_no, _view(database, ws).state) == (2, "running")
    with database.reader() as session:
        first = timer_queries.timer_of(session, get_session(session, ws), 1)
    assert first.state == "running" and first.round_no == 1

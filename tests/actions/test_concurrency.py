"""What many people do at the same moment, on SQLite and PostgreSQL: the last places of a session, two hosts
forming groups or running the synthesis from the same page, Publish pressed twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import func, select

from tests.helpers import at_once
from werkkring.actions import sessions
from werkkring.actions.members import create_member
from werkkring.actions.permissions import SYSTEM
from werkkring.errors import ConflictError, InputError
from werkkring.io.members_csv import MemberRow
from werkkring.queries import sessions as session_queries
from werkkring.store import Database
from werkkring.store.models import BreakoutGroup, Member, Registration, Seat, WorkSession


def _people(database: Database, n: int) -> list[int]:
    with database.transaction() as session:
        made = [
            create_member(
                session,
                MemberRow(
                    line=i,
                    name=f"Deelnemer {i}",
                    email=f"deelnemer{i}@example.org",
                    region=("Utrecht", "Zeist", "Amersfoort")[i % 3],
                    birth_year=1955 + i % 40,
                ),
                actor=SYSTEM,
            )
            for i in range(n)
        ]
        made[0].role = "host"
        made[1].role = "host"
        return [m.id for m in made]


def _session(database: Database, host_id: int, capacity: int | None = None) -> int:
    with database.transaction() as session:
        host = session.get(Member, host_id)
        assert host is not None
        return sessions.create_session(
            session,
            title="Werksessie Amersfoort",
            question="Wat heb jij nodig om als zelfstandige samen te werken?",
            starts_at=dt.datetime(2026, 12, 20, 19, 30),
            capacity=capacity,
            actor=host,
        ).id


def _sign_up(database: Database, ws_id: int, member_id: int) -> Callable[[], object]:
    def run() -> object:
        with database.transaction() as session:
            ws = session_queries.get_session(session, ws_id)
            me = session.get(Member, member_id)
            assert me is not None
            return sessions.register(session, ws, actor=me).member_id

    return run


def test_fifty_sign_ups_for_ten_places_at_once_register_exactly_ten(database: Database) -> None:
    people = _people(database, 52)
    ws_id = _session(database, people[0], capacity=10)
    results = at_once(*[_sign_up(database, ws_id, m) for m in people[2:]])
    won = [r for r in results if isinstance(r, int)]
    lost = [r for r in results if not isinstance(r, int)]
    assert len(won) == 10
    assert len(lost) == 40
    assert all(isinstance(r, InputError) and "is full (10 places)" in str(r) for r in lost), lost[:3]
    with database.reader() as session:
        stored = session.scalar(
            select(func.count()).select_from(Registration).where(Registration.session_id == ws_id)
        )
    assert stored == 10


def _ready(database: Database, n: int) -> tuple[list[int], int, str]:
    people = _people(database, n)
    ws_id = _session(database, people[0])
    for member in people[2:]:
        _sign_up(database, ws_id, member)()
    with database.transaction() as session:
        ws = session_queries.get_session(session, ws_id)
        ws.host_id = people[0]
        seen = session_queries.state_token(session, ws)
    return people, ws_id, seen


def _as(database: Database, ws_id: int, member_id: int, do: Callable[..., object]) -> Callable[[], object]:
    def run() -> object:
        with database.transaction() as session:
            ws = session_queries.get_session(session, ws_id)
            me = session.get(Member, member_id)
            assert me is not None
            return do(session, me, ws)

    return run


def test_two_hosts_forming_groups_from_the_same_page_one_wins(database: Database) -> None:
    people, ws_id, seen = _ready(database, 14)
    with database.transaction() as session:  # the second host co-hosts: admins may host any session
        co = session.get(Member, people[1])
        assert co is not None
        co.role = "admin"

    def form(session: object, me: Member, ws: WorkSession) -> object:
        return sessions.form_groups(session, ws, seed=7, seen=seen, actor=me)  # type: ignore[arg-type]

    results = at_once(_as(database, ws_id, people[0], form), _as(database, ws_id, people[1], form))
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], ConflictError)
    assert "someone else changed session" in str(errors[0])
    with database.reader() as session:
        groups = session.scalar(
            select(func.count()).select_from(BreakoutGroup).where(BreakoutGroup.session_id == ws_id)
        )
        seats = session.scalar(select(func.count()).select_from(Seat).where(Seat.session_id == ws_id))
    assert groups == 3 and seats == 12  # one set of groups, everyone seated once


def test_forming_groups_twice_at_once_without_a_page_state_never_breaks(database: Database) -> None:
    """The API and the CLI carry no page state: both requests succeed one after the other, no 5xx, and the
    session ends with exactly one set of groups."""
    people, ws_id, _seen = _ready(database, 14)

    def form(session: object, me: Member, ws: WorkSession) -> object:
        return len(sessions.form_groups(session, ws, seed=3, actor=me))  # type: ignore[arg-type]

    results = at_once(*[_as(database, ws_id, people[0], form) for _ in range(4)])
    assert results == [3, 3, 3, 3]
    with database.reader() as session:
        seats = session.scalar(select(func.count()).select_from(Seat).where(Seat.session_id == ws_id))
    assert seats == 12


def _with_input(database: Database, ws_id: int, people: list[int]) -> str:
    lines = [
        "Samen nieuwe opdrachten vinden via elkaars netwerk",
        "Een luisterend oor als het even tegenzit",
        "Laten zien dat het anders kan, zonder baas",
        "Elkaar opdrachten gunnen en samen offreren",
        "Een veilige plek om twijfels te delen",
        "Een voorbeeld zijn voor jonge zelfstandigen",
    ]
    with database.transaction() as session:
        ws = session_queries.get_session(session, ws_id)
        host = session.get(Member, people[0])
        assert host is not None
        sessions.form_groups(session, ws, seed=1, actor=host)
    for index, text in enumerate(lines):
        with database.transaction() as session:
            ws = session_queries.get_session(session, ws_id)
            me = session.get(Member, people[2 + index])
            assert me is not None
            sessions.add_contribution(session, ws, text, actor=me)
    with database.reader() as session:
        return session_queries.state_token(session, session_queries.get_session(session, ws_id))


def test_synthesis_pressed_twice_from_one_page_runs_once(database: Database) -> None:
    people, ws_id, _ = _ready(database, 10)
    seen = _with_input(database, ws_id, people)

    def synthesise(session: object, me: Member, ws: WorkSession) -> object:
        return sessions.run_synthesis(session, ws, seen=seen, actor=me)  # type: ignore[arg-type]

    results = at_once(*[_as(database, ws_id, people[0], synthesise) for _ in range(2)])
    assert sum(isinstance(r, ConflictError) for r in results) == 1, results


def test_publish_pressed_twice_at_once_publishes_once(database: Database) -> None:
    people, ws_id, _ = _ready(database, 10)
    _with_input(database, ws_id, people)
    _as(database, ws_id, people[0], lambda s, me, ws: sessions.run_synthesis(s, ws, actor=me))()

    def publish(session: object, me: Member, ws: WorkSession) -> object:
        sessions.publish(session, ws, "Drie thema's", actor=me)  # type: ignore[arg-type]
        return "published"

    results = at_once(*[_as(database, ws_id, people[0], publish) for _ in range(2)])
    assert results.count("published") == 1, results
    (error,) = [r for r in results if isinstance(r, Exception)]
    assert isinstance(error, ConflictError) and "already published" in str(error)

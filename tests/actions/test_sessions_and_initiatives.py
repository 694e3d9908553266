from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from werkkring.actions import helix, initiatives, sessions
from werkkring.actions.members import create_member, delete_member
from werkkring.actions.permissions import SYSTEM
from werkkring.errors import InputError, PermissionDenied
from werkkring.io.members_csv import MemberRow
from werkkring.queries import sessions as session_queries
from werkkring.store import Database
from werkkring.store.models import AuditEntry, Contribution, Member


def _people(database: Database, n: int) -> list[int]:
    with database.transaction() as session:
        made = [
            create_member(
                session, MemberRow(line=i, name=f"Lid {i}", email=f"lid{i}@example.org"), actor=SYSTEM
            )
            for i in range(n)
        ]
        made[0].role = "host"
        return [m.id for m in made]


def _new_session(database: Database, host_id: int, **kwargs: object) -> int:
    with database.transaction() as session:
        host = session.get(Member, host_id)
        assert host is not None
        ws = sessions.create_session(
            session,
            title="Werksessie",
            question="Waar heb jij behoefte aan?",
            starts_at=dt.datetime(2026, 12, 20, 19, 30),
            **kwargs,
            actor=host,  # type: ignore[arg-type]
        )
        return ws.id


def test_a_member_cannot_create_a_session(database: Database) -> None:
    ids = _people(database, 2)
    with database.transaction() as session, pytest.raises(PermissionDenied):
        sessions.create_session(
            session,
            title="x",
            question="y",
            starts_at=dt.datetime(2026, 12, 1),
            actor=session.get(Member, ids[1]),
        )


def test_session_input_is_validated_field_by_field(database: Database) -> None:
    ids = _people(database, 1)
    with database.transaction() as session, pytest.raises(InputError) as caught:
        sessions.create_session(
            session,
            title=" ",
            question="",
            starts_at=dt.datetime(2026, 12, 1, 20),
            ends_at=dt.datetime(2026, 12, 1, 19),
            capacity=0,
            online_url="zoom",
            actor=session.get(Member, ids[0]),
        )
    fields = {p.field for p in caught.value.problems}
    assert fields == {"title", "question", "capacity", "ends_at", "online_url"}


def test_capacity_groups_input_and_publication(database: Database) -> None:
    ids = _people(database, 9)
    ws_id = _new_session(database, ids[0], capacity=8, group_size=4)
    with database.transaction() as session:
        ws = session_queries.get_session(session, ws_id)
        for member_id in ids[:8]:
            sessions.register(session, ws, actor=session.get(Member, member_id))  # type: ignore[arg-type]
        with pytest.raises(InputError, match="full"):
            sessions.register(session, ws, actor=session.get(Member, ids[8]))  # type: ignore[arg-type]
    with database.transaction() as session:
        ws = session_queries.get_session(session, ws_id)
        member = session.get(Member, ids[3])
        assert member is not None
        with pytest.raises(PermissionDenied):
            sessions.form_groups(session, ws, actor=member)
        groups = sessions.form_groups(session, ws, actor=session.get(Member, ids[0]))
        assert sorted(len(g.seats) for g in groups) == [4, 4]
        assert ws.status == "grouped"
    with database.transaction() as session:
        ws = session_queries.get_session(session, ws_id)
        member = session.get(Member, ids[3])
        assert member is not None
        own = session_queries.group_of(session, ws, member.id)
        assert own is not None
        sessions.add_contribution(session, ws, "Een luisterend oor", actor=member)
        other = next(g for g in ws.groups if g.id != own.id)
        with pytest.raises(PermissionDenied):
            sessions.add_contribution(session, ws, "Niet mijn groep", group_number=other.number, actor=member)
        with pytest.raises(InputError, match="empty"):
            sessions.add_contribution(session, ws, "   ", actor=member)
        with pytest.raises(InputError, match="synthesis"):
            sessions.publish(session, ws, actor=session.get(Member, ids[0]))  # type: ignore[arg-type]
        stored = session.scalars(select(Contribution)).all()
        assert [c.text for c in stored] == ["Een luisterend oor"] and stored[0].group_id == own.id


def test_cancelling_frees_the_place_and_the_seat(database: Database) -> None:
    ids = _people(database, 3)
    ws_id = _new_session(database, ids[0], capacity=2)
    with database.transaction() as session:
        ws = session_queries.get_session(session, ws_id)
        a, b, c = (session.get(Member, i) for i in ids)
        sessions.register(session, ws, actor=a)  # type: ignore[arg-type]
        sessions.register(session, ws, actor=b)  # type: ignore[arg-type]
        sessions.cancel_registration(session, ws, actor=b)  # type: ignore[arg-type]
        sessions.register(session, ws, actor=c)  # type: ignore[arg-type]
        assert [m.id for m in session_queries.participants(session, ws)] == [ids[0], ids[2]]


def test_joining_an_initiative_needs_a_reason_and_deleting_a_member_keeps_their_input(
    database: Database,
) -> None:
    ids = _people(database, 3)
    ws_id = _new_session(database, ids[0])
    with database.transaction() as session:
        host, a, b = (session.get(Member, i) for i in ids)
        ws = session_queries.get_session(session, ws_id)
        sessions.register(session, ws, actor=a)  # type: ignore[arg-type]
        sessions.register(session, ws, actor=b)  # type: ignore[arg-type]
        with pytest.raises(InputError, match="does not take input now"):  # no groups yet: no input either
            sessions.add_contribution(session, ws, "Te vroeg", actor=host)  # type: ignore[arg-type]
        sessions.form_groups(session, ws, actor=host)  # type: ignore[arg-type]
        contribution = sessions.add_contribution(session, ws, "Een filmpje maken", actor=host)  # type: ignore[arg-type]
        initiative = sessions.proposal_to_initiative(session, contribution, owner=a, actor=host)  # type: ignore[arg-type]
        assert initiative.owner_id == ids[1] and initiative.contribution_id == contribution.id
        with pytest.raises(InputError, match="adds for you"):
            initiatives.join_initiative(session, initiative, "  ", actor=b)  # type: ignore[arg-type]
        initiatives.join_initiative(session, initiative, "Ik leer monteren", actor=b)  # type: ignore[arg-type]
        with pytest.raises(PermissionDenied):
            initiatives.set_status(session, initiative, "done", actor=b)  # type: ignore[arg-type]
    with database.transaction() as session:
        host = session.get(Member, ids[0])
        assert host is not None
        delete_member(session, host, actor=host)
    with database.reader() as session:
        kept = session.scalars(select(Contribution)).one()
        assert kept.text == "Een filmpje maken" and kept.author_id is None
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "member.delete")).one()


def test_helix_hours_are_checked(database: Database) -> None:
    ids = _people(database, 1)
    with database.transaction() as session:
        member = session.get(Member, ids[0])
        assert member is not None
        entry = helix.log_hours(
            session, helix="society", hours="2.5", date=dt.date(2026, 11, 1), actor=member
        )
        assert entry.hours == Decimal("2.50")
        with pytest.raises(InputError) as caught:
            helix.log_hours(session, helix="work", hours=30, actor=member)
        assert {p.field for p in caught.value.problems} == {"helix", "hours"}


def test_groups_are_a_good_mix_and_avoid_people_who_met_before(database: Database) -> None:
    """Twelve people, half newcomers and half old hands, in three groups of four, twice: every group gets
    two of each, and the second session repeats as few pairs as possible. Four people drawn from three
    earlier groups always include two who met, so three repeated pairs (one per group) is the minimum."""
    with database.transaction() as session:
        people = [
            create_member(
                session,
                MemberRow(
                    line=i,
                    name=f"Lid {i}",
                    email=f"mix{i}@example.org",
                    joined_on=dt.date(2026, 6, 1) if i % 2 else dt.date(2015, 1, 1),
                    birth_year=1960 + 3 * i,
                    region=["Utrecht", "Groningen", "Zuid-Holland"][i % 3],
                ),
                actor=SYSTEM,
            )
            for i in range(12)
        ]
        host = people[0]
        host.role = "host"
        ids = [p.id for p in people]
    first = _new_session(database, ids[0], group_size=4)
    second = _new_session(database, ids[0], group_size=4)
    seatings = []
    for ws_id in (first, second):
        with database.transaction() as session:
            ws = session_queries.get_session(session, ws_id)
            for member_id in ids:
                sessions.register(session, ws, actor=session.get(Member, member_id))  # type: ignore[arg-type]
            groups = sessions.form_groups(session, ws, seed=1, actor=session.get(Member, ids[0]))
            seatings.append([sorted(seat.member_id for seat in g.seats) for g in groups])
    for groups in seatings:
        assert sorted(len(g) for g in groups) == [4, 4, 4]
        for group in groups:
            newcomers = sum(1 for m in group if ids.index(m) % 2)
            assert newcomers == 2, groups
    met = {frozenset((a, b)) for g in seatings[0] for a in g for b in g if a < b}
    again = sum(frozenset((a, b)) in met for g in seatings[1] for a in g for b in g if a < b)
    assert again == 3, f"{again} pairs sit together again; 3 is the minimum"


def test_fewer_people_than_a_group_form_one_group_and_impossible_moves_say_why(database: Database) -> None:
    ids = _people(database, 4)
    ws_id = _new_session(database, ids[0], capacity=8, group_size=4)
    with database.transaction() as session:
        ws = session_queries.get_session(session, ws_id)
        for member_id in ids[:3]:
            sessions.register(session, ws, actor=session.get(Member, member_id))  # type: ignore[arg-type]
        host = session.get(Member, ids[0])
        assert host is not None
        groups = sessions.form_groups(session, ws, actor=host)  # 3 people, groups of 4: one group of 3
        assert [len(g.seats) for g in groups] == [3]
        sessions.register(session, ws, actor=session.get(Member, ids[3]))  # type: ignore[arg-type]
        ws.group_size = 2
        groups = sessions.form_groups(session, ws, actor=host)
        assert sorted(len(g.seats) for g in groups) == [2, 2]
        # The host moves three people into group 1 by hand; groups of 2 cannot keep them together.
        for member_id in ids[:3]:
            sessions.move_member(session, ws, member_id, 1, actor=host)
        with pytest.raises(InputError, match="the groups cannot be formed this way"):
            sessions.form_groups(session, ws, actor=host)

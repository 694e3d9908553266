"""The live room's actions on SQLite and PostgreSQL: join codes, guests and their data rules, check-in,
late arrivals, table hosts; and what two people do at the same moment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.helpers import at_once
from werkkring.actions import room, sessions
from werkkring.actions.members import create_member
from werkkring.actions.permissions import SYSTEM
from werkkring.errors import InputError, PermissionDenied
from werkkring.io.members_csv import MemberRow
from werkkring.joincodes import normalise
from werkkring.queries import members as member_queries
from werkkring.queries import outreach as outreach_queries
from werkkring.queries import room as room_queries
from werkkring.store import Database
from werkkring.store.models import (
    Contribution,
    Guest,
    Member,
    Registration,
    Seat,
    WorkSession,
    utcnow,
)

NAMES = [
    "Anouk de Vries",
    "Bram Jansen",
    "Chadia El Amrani",
    "Daan Visser",
    "Esther Bakker",
    "Floris Smit",
    "Gijs Mulder",
    "Hatice Yilmaz",
    "Ilse de Boer",
    "Joost Peters",
    "Kim Hendriks",
    "Lotte Dekker",
]


def _people(database: Database, n: int) -> list[int]:
    with database.transaction() as session:
        made = [
            create_member(
                session,
                MemberRow(
                    line=i,
                    name=NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else f" {i}"),
                    email=f"lid{i}@example.org",
                    region=("Utrecht", "Zeist", "Amersfoort")[i % 3],
                    birth_year=1960 + 2 * i,
                ),
                actor=SYSTEM,
            )
            for i in range(n)
        ]
        made[0].role = "host"
        return [m.id for m in made]


def _session(database: Database, host_id: int, **kwargs: Any) -> int:
    with database.transaction() as session:
        host = session.get(Member, host_id)
        assert host is not None
        ws = sessions.create_session(
            session,
            title="Werksessie Utrecht",
            question="Wat heb jij nodig om samen te werken?",
            starts_at=dt.datetime(2026, 12, 20, 19, 30),
            **kwargs,
            actor=host,
        )
        return ws.id


def test_every_session_gets_its_own_readable_code(database: Database) -> None:
    (host,) = _people(database, 1)
    ids = [_session(database, host) for _ in range(30)]
    with database.reader() as session:
        codes = [session.get(WorkSession, i).join_code for i in ids]  # type: ignore[union-attr]
    assert len(set(codes)) == 30
    for code in codes:
        assert code is not None and normalise(code) == code and len(code) == 8
        assert not set(code) & set("ILOQBSZUV01")
    # typed leniently: lower case, spaces, no dash; an S among the digits is a 5
    assert normalise("wan 4739") == "WAN-4739"
    assert normalise("wan-4s39") == "WAN-4539"
    assert normalise("WIN-4821") is None  # an I and a 1 are never in a code


def test_a_wrong_or_ended_code_is_refused_clearly(database: Database) -> None:
    host, member = _people(database, 2)
    ws_id = _session(database, host)
    with database.reader() as session:
        with pytest.raises(InputError, match="is not a join code"):
            room_queries.session_by_code(session, "hallo")
        with pytest.raises(InputError, match="no session has the code"):
            room_queries.session_by_code(session, "AAA-2222")
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        assert ws is not None
        ws.status = "published"
        ws.published_at = utcnow()
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        me = session.get(Member, member)
        assert ws is not None and me is not None
        with pytest.raises(InputError, match="no longer works"):
            room.join(session, ws, actor=me)
        with pytest.raises(InputError, match="no longer works"):
            room.join_as_guest(session, ws, name="Fatima")
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Registration)) == 0


@pytest.mark.parametrize(
    ("name", "email", "consent", "message"),
    [
        ("", "", False, "give your name"),
        ("   ", "", False, "give your name"),
        ("x" * 10_000, "", False, "at most 100 characters"),
        ("Fatima\x00", "", False, "character"),
        ("Fatima", "fatima-at-example", True, "not an e-mail address"),
        ("Fatima", "fatima@example.org", False, "tick the line"),
    ],
)
def test_bad_guest_input_changes_nothing(
    database: Database, name: str, email: str, consent: bool, message: str
) -> None:
    (host,) = _people(database, 1)
    ws_id = _session(database, host)
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        assert ws is not None
        with pytest.raises(InputError, match=message):
            room.join_as_guest(session, ws, name=name, email=email, consent=consent)
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Guest)) == 0
        assert session.scalar(select(func.count()).select_from(Member)) == 1


def test_a_guest_is_in_no_list_of_the_network(database: Database) -> None:
    host, member = _people(database, 2)
    ws_id = _session(database, host)
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        assert ws is not None
        guest = room.join_as_guest(session, ws, name="Fatima Ouali", email="Fatima@Example.org", consent=True)
        guest_id = guest.id
    with database.reader() as session:
        viewer = session.get(Member, member)
        assert viewer is not None
        total, page = member_queries.search(session, viewer, q="Fatima")
        assert total == 0 and page == []
        assert member_queries.member_count(session) == 2
        assert all(row["name"] != "Fatima Ouali" for row in member_queries.export_rows(session))
        assert guest_id not in {m.id for m in outreach_queries.newsletter_recipients(session)}
        with pytest.raises(Exception, match="no member"):
            member_queries.get_member(session, guest_id)
        stored = session.get(Guest, guest_id)
        assert stored is not None and stored.email == "fatima@example.org" and stored.email_consent
        guest = session.get(Member, guest_id)
        assert guest is not None and guest.email.endswith("@guests.invalid") and not guest.newsletter
        assert guest.password_hash is None


def test_an_address_without_consent_is_not_kept(database: Database) -> None:
    (host,) = _people(database, 1)
    ws_id = _session(database, host)
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        assert ws is not None
        guest = room.join_as_guest(session, ws, name="Piet", email="", consent=True)
        guest_id = guest.id
    with database.reader() as session:
        stored = session.get(Guest, guest_id)
        assert stored is not None and stored.email is None and not stored.email_consent


def test_guests_can_be_switched_off_by_the_host_only(database: Database) -> None:
    host, member = _people(database, 2)
    ws_id = _session(database, host)
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        someone = session.get(Member, member)
        assert ws is not None and someone is not None
        with pytest.raises(PermissionDenied):
            room.allow_guests(session, ws, False, actor=someone)
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        boss = session.get(Member, host)
        assert ws is not None and boss is not None
        room.allow_guests(session, ws, False, actor=boss)
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        assert ws is not None
        with pytest.raises(InputError, match="does not take guests"):
            room.join_as_guest(session, ws, name="Fatima")
        # a member still joins
        someone = session.get(Member, member)
        assert someone is not None
        room.join(session, ws, actor=someone)


def test_guest_data_is_deleted_after_the_keeping_time_unless_they_became_a_member(database: Database) -> None:
    host, member = _people(database, 2)
    ws_id = _session(database, host)
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        assert ws is not None
        stays = room.join_as_guest(session, ws, name="Blijft", email="blijft@example.org", consent=True)
        goes = room.join_as_guest(session, ws, name="Gaat", email="gaat@example.org", consent=True)
        stays_id, goes_id = stays.id, goes.id
        someone = session.get(Member, member)
        assert someone is not None
        room.join(session, ws, actor=someone)
        sessions.form_groups(session, ws, actor=SYSTEM)
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        guest = session.get(Member, goes_id)
        assert ws is not None and guest is not None
        sessions.lock_groups(session, ws, actor=session.get(Member, host))  # type: ignore[arg-type]
        sessions.add_contribution(session, ws, "Meer ruimte om elkaar echt te leren kennen", actor=guest)
        room.become_member(session, session.get(Member, stays_id), email="blijft@example.org")  # type: ignore[arg-type]
        ws.status = "published"
        ws.published_at = dt.datetime(2026, 12, 21, 12, 0)
    with database.transaction() as session:
        # 29 days after publication nothing goes; 30 days after, the guest goes
        assert room.delete_expired_guests(session, days=30, now=dt.datetime(2027, 1, 19, 12, 0)) == 0
    with database.transaction() as session:
        assert room.delete_expired_guests(session, days=30, now=dt.datetime(2027, 1, 20, 12, 0)) == 1
    with database.reader() as session:
        assert session.get(Member, goes_id) is None
        assert session.get(Guest, goes_id) is None
        assert session.scalar(select(func.count()).select_from(Seat).where(Seat.member_id == goes_id)) == 0
        assert (
            session.scalar(
                select(func.count()).select_from(Registration).where(Registration.member_id == goes_id)
            )
            == 0
        )
        # their input stays, without author
        kept = session.scalars(select(Contribution)).all()
        assert [c.text for c in kept] == ["Meer ruimte om elkaar echt te leren kennen"]
        assert kept[0].author_id is None
        # the guest who became a member stays, as a member
        stayed = session.get(Member, stays_id)
        assert stayed is not None and stayed.guest_of is None and stayed.email == "blijft@example.org"
        assert member_queries.member_count(session) == 3
    with database.transaction() as session:  # a second run finds nothing
        assert room.delete_expired_guests(session, days=30, now=dt.datetime(2027, 3, 1)) == 0


def test_guests_of_a_session_never_published_go_after_its_start(database: Database) -> None:
    (host,) = _people(database, 1)
    ws_id = _session(database, host)
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        assert ws is not None
        room.join_as_guest(session, ws, name="Fatima")
        ws.status = "cancelled"
    with database.transaction() as session:
        assert room.delete_expired_guests(session, days=30, now=dt.datetime(2027, 1, 18)) == 0
        assert room.delete_expired_guests(session, days=30, now=dt.datetime(2027, 1, 20)) == 1


def test_check_in_walk_in_and_the_door_list(database: Database) -> None:
    host, a, b, c = _people(database, 4)
    ws_id = _session(database, host)
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        boss = session.get(Member, host)
        assert ws is not None and boss is not None
        for person in (a, b):
            room.join(session, ws, actor=session.get(Member, person))  # type: ignore[arg-type]
        room.check_in(session, ws, a, actor=boss)
        room.walk_in(session, ws, member_id=c, actor=boss)
        room.walk_in(session, ws, name="Mohamed Aziz", actor=boss)
        with pytest.raises(InputError, match="give your name"):
            room.walk_in(session, ws, name="  ", actor=boss)
    with database.reader() as session:
        ws = session.get(WorkSession, ws_id)
        assert ws is not None
        rows = room_queries.door_list(session, ws)
        assert [(r.name, r.checked_in, r.guest) for r in rows] == [
            ("Bram Jansen", True, False),
            ("Chadia El Amrani", False, False),
            ("Daan Visser", True, False),
            ("Mohamed Aziz", True, True),
        ]
        assert [r.name for r in room_queries.door_list(session, ws, "mohamed")] == ["Mohamed Aziz"]
        assert [r.name for r in room_queries.door_list(session, ws, "EL amr")] == ["Chadia El Amrani"]


def test_late_arrivals_are_seated_without_moving_anyone(database: Database) -> None:
    people = _people(database, 12)
    host = people[0]
    ws_id = _session(database, host, group_size=4)
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        boss = session.get(Member, host)
        assert ws is not None and boss is not None
        for person in people[1:9]:
            room.join(session, ws, actor=session.get(Member, person))  # type: ignore[arg-type]
        sessions.form_groups(session, ws, actor=boss)
        sessions.lock_groups(session, ws, actor=boss)
    with database.reader() as session:
        before = dict(session.execute(select(Seat.member_id, Seat.group_id)).all())
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        assert ws is not None
        for person in people[9:11]:
            room.join(session, ws, actor=session.get(Member, person))  # type: ignore[arg-type]
        guest = room.join_as_guest(session, ws, name="Laat Binnen")
        late = [*people[9:11], guest.id]
        # someone seated cancels after the lock: the host sees it
        sessions.cancel_registration(session, ws, actor=session.get(Member, people[1]))  # type: ignore[arg-type]
    with database.reader() as session:
        ws = session.get(WorkSession, ws_id)
        assert ws is not None
        assert sorted(m.id for m in room_queries.not_seated(session, ws)) == sorted(late)
        assert [m.id for m, _ in room_queries.cancelled_after_lock(session, ws)] == [people[1]]
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        boss = session.get(Member, host)
        assert ws is not None and boss is not None
        one = room.seat_arrivals(session, ws, [late[0]], actor=boss)
        assert [m for m, _ in one.placed] == [late[0]]
        rest = room.seat_arrivals(session, ws, actor=boss)
        assert sorted(m for m, _ in rest.placed) == sorted(late[1:]) and not rest.unplaced
    with database.reader() as session:
        after = dict(session.execute(select(Seat.member_id, Seat.group_id)).all())
        ws = session.get(WorkSession, ws_id)
        assert ws is not None
        assert room_queries.not_seated(session, ws) == []
        sizes = [len(g.seats) for g in ws.groups]
    assert all(after[m] == g for m, g in before.items() if m != people[1])
    assert sorted(sizes) == [5, 5]
    # Both tables are full (group size 4, one more at most): the next arrival is not seated, with the reason.
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        boss = session.get(Member, host)
        assert ws is not None and boss is not None
        room.join(session, ws, actor=session.get(Member, people[11]))  # type: ignore[arg-type]
        full = room.seat_arrivals(session, ws, actor=boss)
        assert full.placed == () and [m for m, _ in full.unplaced] == [people[11]]
        assert "full" in full.unplaced[0][1].message or "capacity" in full.unplaced[0][1].message


def test_a_pinned_table_host_is_seated_in_their_group(database: Database) -> None:
    people = _people(database, 10)
    host = people[0]
    ws_id = _session(database, host, group_size=4)
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        boss = session.get(Member, host)
        assert ws is not None and boss is not None
        for person in people[1:9]:
            room.join(session, ws, actor=session.get(Member, person))  # type: ignore[arg-type]
        sessions.form_groups(session, ws, actor=boss)
        sessions.lock_groups(session, ws, actor=boss)
        room.join(session, ws, actor=session.get(Member, people[9]))  # type: ignore[arg-type]
        room.set_table_host(session, ws, people[9], group=2, actor=boss)
        seating = room.seat_arrivals(session, ws, actor=boss)
        assert seating.placed == ((people[9], 2),)
        view = room_queries.participant_view(session, ws, session.get(Member, people[9]))  # type: ignore[arg-type]
        assert view.group is not None and view.group.number == 2
        assert view.table_hosts == [NAMES[9]]


def test_a_post_after_the_input_closed_changes_nothing(database: Database) -> None:
    people = _people(database, 5)
    ws_id = _session(database, people[0])
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        boss = session.get(Member, people[0])
        assert ws is not None and boss is not None
        guest = room.join_as_guest(session, ws, name="Fatima")
        for person in people[1:]:
            room.join(session, ws, actor=session.get(Member, person))  # type: ignore[arg-type]
        sessions.form_groups(session, ws, actor=boss)
        sessions.lock_groups(session, ws, actor=boss)
        ws.status = "published"
        with pytest.raises(InputError, match="does not take input now"):
            sessions.add_contribution(session, ws, "Te laat", actor=guest)
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Contribution)) == 0


# ---------------------------------------------------------------- at the same moment


def test_two_joins_of_the_last_place_at_once_seat_one(database: Database) -> None:
    host, a, b = _people(database, 3)
    ws_id = _session(database, host, capacity=1)

    def join(member_id: int) -> Callable[[], object]:
        def run() -> object:
            with database.transaction() as session:
                ws = session.get(WorkSession, ws_id)
                me = session.get(Member, member_id)
                assert ws is not None and me is not None
                return room.join(session, ws, actor=me).member_id

        return run

    results = at_once(join(a), join(b))
    assert sorted(type(r).__name__ for r in results) == ["InputError", "int"]
    assert any("is full" in str(r) for r in results)
    with database.reader() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Registration).where(Registration.cancelled_at.is_(None))
            )
            == 1
        )


def test_a_guest_and_a_member_taking_the_last_placeat_once(database: Database) -> None:
    host, a = _people(database, 2)
    ws_id = _session(database, host, capacity=1)

    def member_joins() -> object:
        with database.transaction() as session:
            ws = session.get(WorkSession, ws_id)
            me = session.get(Member, a)
            assert ws is not None and me is not None
            return room.join(session, ws, actor=me).member_id

    def guest_joins() -> object:
        with database.transaction() as session:
            ws = session.get(WorkSession, ws_id)
            assert ws is not None
            return room.join_as_guest(session, ws, name="Fatima", token="t-guest").id

    results = at_once(member_joins, guest_joins)
    assert sum(isinstance(r, InputError) for r in results) == 1
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Registration)) == 1


def test_the_same_guest_pressing_join_twice_is_one_guest(database: Database) -> None:
    (host,) = _people(database, 1)
    ws_id = _session(database, host)

    def press() -> object:
        with database.transaction() as session:
            ws = session.get(WorkSession, ws_id)
            assert ws is not None
            return room.join_as_guest(session, ws, name="Fatima Ouali", token="form-token-1").id

    first, second = at_once(press, press)
    assert isinstance(first, int) and first == second
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Guest)) == 1
        assert (
            session.scalar(select(func.count()).select_from(Member).where(Member.guest_of.is_not(None))) == 1
        )
        assert session.scalar(select(func.count()).select_from(Registration)) == 1


def test_seating_late_arrivals_twice_at_once_seats_each_once(database: Database) -> None:
    people = _people(database, 12)
    host = people[0]
    ws_id = _session(database, host, group_size=4)
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        boss = session.get(Member, host)
        assert ws is not None and boss is not None
        for person in people[1:9]:
            room.join(session, ws, actor=session.get(Member, person))  # type: ignore[arg-type]
        sessions.form_groups(session, ws, actor=boss)
        sessions.lock_groups(session, ws, actor=boss)
        for person in people[9:11]:
            room.join(session, ws, actor=session.get(Member, person))  # type: ignore[arg-type]

    def seat_all() -> object:
        with database.transaction() as session:
            ws = session.get(WorkSession, ws_id)
            boss = session.get(Member, host)
            assert ws is not None and boss is not None
            return len(room.seat_arrivals(session, ws, actor=boss).placed)

    results = at_once(seat_all, seat_all)
    assert sorted(results) == [0, 2], results  # type: ignore[type-var]
    with database.reader() as session:
        seats = session.scalars(select(Seat.member_id).where(Seat.session_id == ws_id)).all()
    assert len(seats) == len(set(seats)) == 10


def test_table_hosts_are_spread_and_a_pinned_one_sits_in_their_group(database: Database) -> None:
    people = _people(database, 13)
    host = people[0]
    ws_id = _session(database, host, group_size=4)
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        boss = session.get(Member, host)
        assert ws is not None and boss is not None
        for person in people[1:]:
            room.join(session, ws, actor=session.get(Member, person))  # type: ignore[arg-type]
        # three facilitators: two spread by the engine, one pinned to group 3
        room.set_table_host(session, ws, people[1], actor=boss)
        room.set_table_host(session, ws, people[2], actor=boss)
        room.set_table_host(session, ws, people[3], group=3, actor=boss)
        sessions.form_groups(session, ws, actor=boss)
    with database.reader() as session:
        ws = session.get(WorkSession, ws_id)
        assert ws is not None
        group_of = {seat.member_id: g.number for g in ws.groups for seat in g.seats}
    assert len(ws.groups) == 3
    assert group_of[people[3]] == 3
    assert len({group_of[people[1]], group_of[people[2]], group_of[people[3]]}) == 3


def test_round_two_is_formed_from_round_one_and_keeps_its_input(database: Database) -> None:
    people = _people(database, 10)
    host = people[0]
    ws_id = _session(database, host, group_size=3)
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        boss = session.get(Member, host)
        assert ws is not None and boss is not None
        for person in people[1:]:
            room.join(session, ws, actor=session.get(Member, person))  # type: ignore[arg-type]
        sessions.form_groups(session, ws, actor=boss)
        with pytest.raises(InputError, match="lock the groups of round 1"):
            room.start_next_round(session, ws, actor=boss)
        sessions.lock_groups(session, ws, actor=boss)
        writer = session.get(Member, people[1])
        assert writer is not None
        first = sessions.add_contribution(session, ws, "Ronde een: een vaste avond per maand", actor=writer)
        first_group = first.group_id
    with database.reader() as session:
        round_one = dict(session.execute(select(Seat.member_id, Seat.group_id)).all())
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        boss = session.get(Member, host)
        assert ws is not None and boss is not None
        made = room.start_next_round(session, ws, actor=boss)
        assert [g.number for g in made] == [4, 5, 6] and all(g.round == 2 and g.locked for g in made)
        # the host cannot form round 2 again as if it were the first
        with pytest.raises(InputError, match="later round"):
            sessions.seat_groups(session, ws, [[people[1], people[2]]], actor=boss)
    with database.transaction() as session:
        ws = session.get(WorkSession, ws_id)
        assert ws is not None
        round_two = dict(session.execute(select(Seat.member_id, Seat.group_id)).all())
        assert set(round_two) == set(round_one) == set(people[1:])
        # 9 people at 3 tables of 3: nobody sits with anyone from their round-one table
        for a in people[1:]:
            for b in people[1:]:
                if a < b and round_one[a] == round_one[b]:
                    assert round_two[a] != round_two[b]
        writer = session.get(Member, people[1])
        assert writer is not None
        second = sessions.add_contribution(session, ws, "Ronde twee: samen een buurtfeest", actor=writer)
        assert second.group_id == round_two[people[1]] != first_group
        view = room_queries.participant_view(session, ws, writer)
        assert view.round == 2 and [c.text for c in view.my_input] == ["Ronde twee: samen een buurtfeest"]
        # the synthesis reads every round's input, each with its own group
        texts = {c.text: c.group_id for c in sessions.contributions_of(session, ws)}
        assert texts == {
            "Ronde een: een vaste avond per maand": first_group,
            "Ronde twee: samen een buurtfeest": round_two[people[1]],
        }
        assert [g.number for g in room_queries.round_groups(session, ws)] == [4, 5, 6]
        assert len(room_queries.earlier_rounds(session, ws)) == 1


def test_the_host_closes_a_rounds_input_and_a_late_post_is_refused(database: Database) -> None:
    from werkkring.actions import votes

    ids = _people(database, 8)
    ws_id = _session(database, ids[0], group_size=4)
    with database.transaction() as session:
        ws = sessions.get_session(session, ws_id)
        for member_id in ids:
            sessions.register(session, ws, actor=session.get(Member, member_id))
        sessions.form_groups(session, ws, actor=session.get(Member, ids[0]))
        sessions.lock_groups(session, ws, actor=session.get(Member, ids[0]))
    with database.transaction() as session:
        ws, host, guest = (
            sessions.get_session(session, ws_id),
            session.get(Member, ids[0]),
            session.get(Member, ids[3]),
        )
        sessions.add_contribution(session, ws, "Samen opdrachten zoeken", actor=guest)
        votes.close_input(session, ws, actor=host)
        with pytest.raises(InputError, match="already"):
            votes.close_input(session, ws, actor=host)
    with database.transaction() as session, pytest.raises(PermissionDenied):
        votes.close_input(session, sessions.get_session(session, ws_id), actor=session.get(Member, ids[3]))

    with database.transaction() as session:
        ws, participant = sessions.get_session(session, ws_id), session.get(Member, ids[3])
        view = room_queries.participant_view(session, ws, participant)
        assert view.input_closed and not view.takes_input
        with pytest.raises(InputError, match="round 1 is closed"):
            sessions.add_contribution(session, ws, "Te laat verstuurd", actor=participant)
    with database.transaction() as session:  # the host still types up a table's paper sheet
        ws, host = sessions.get_session(session, ws_id), session.get(Member, ids[0])
        sessions.add_contribution(session, ws, "Van het papier van tafel 2", group_number=2, actor=host)
    with database.reader() as session:
        texts = set(session.scalars(select(Contribution.text).where(Contribution.session_id == ws_id)))
        assert texts == {"Samen opdrachten zoeken", "Van het papier van tafel 2"}

    with database.transaction() as session:
        ws, host = sessions.get_session(session, ws_id), session.get(Member, ids[0])
        votes.reopen_input(session, ws, actor=host)
    with database.transaction() as session:
        ws, participant = sessions.get_session(session, ws_id), session.get(Member, ids[3])
        assert room_queries.participant_view(session, ws, participant).takes_input
        sessions.add_contribution(session, ws, "Weer open", actor=participant)
    with database.reader() as session:
        from werkkring.store.models import AuditEntry

        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("input.%"))))
        assert actions == ["input.close", "input.reopen"]


def test_two_presses_on_close_input_at_once_close_it_once(database: Database) -> None:
    from werkkring.actions import votes
    from werkkring.store.models import AuditEntry

    ids = _people(database, 4)
    ws_id = _session(database, ids[0], group_size=2)
    with database.transaction() as session:
        ws, host = sessions.get_session(session, ws_id), session.get(Member, ids[0])
        for member_id in ids:
            sessions.register(session, ws, actor=session.get(Member, member_id))
        sessions.form_groups(session, ws, actor=host)
        sessions.lock_groups(session, ws, actor=host)

    def press() -> object:
        with database.transaction() as session:
            return votes.close_input(
                session, sessions.get_session(session, ws_id), actor=session.get(Member, ids[0])
            )

    results = at_once(press, press)
    refused = [r for r in results if isinstance(r, InputError)]
    assert len(refused) == 1 and "already" in str(refused[0]), results
    with database.reader() as session:
        closes = session.scalars(select(AuditEntry.action).where(AuditEntry.action == "input.close")).all()
        assert len(closes) == 1

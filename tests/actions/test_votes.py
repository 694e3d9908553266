"""Dot voting: the allowance, one dot per card, taking back, voting open and closed, cards of another session,
the votes feeding the synthesis and the report, and what two requests at the same moment do (SQLite and
PostgreSQL alike)."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.helpers import at_once
from werkkring.actions import sessions as session_actions
from werkkring.actions import votes as vote_actions
from werkkring.actions.members import create_member
from werkkring.actions.permissions import SYSTEM
from werkkring.errors import InputError, PermissionDenied
from werkkring.io.members_csv import MemberRow
from werkkring.queries import outreach as outreach_queries
from werkkring.queries import votes as vote_queries
from werkkring.queries.sessions import get_session
from werkkring.queries.votes import Voter
from werkkring.store import Database
from werkkring.store.models import AuditEntry, Contribution, LiveEvent, Member, Vote

EXAMPLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "examples" / "session-17.tsv"
QUESTION = "Waar heb jij behoefte aan in WIN-verband?"


def _lines() -> list[tuple[int, str]]:
    """The labelled real session: 17 contributions of 3 groups (falls back to a few lines like them)."""
    if EXAMPLE.exists():
        with EXAMPLE.open(encoding="utf-8") as handle:
            return [(int(row["group"]), row["text"]) for row in csv.DictReader(handle, delimiter="\t")]
    return [
        (1, "Ik zoek mensen met wie ik samen nieuwe opdrachten kan oppakken."),
        (2, "Een luisterend oor als het even tegenzit."),
        (3, "Meer kennis delen over tarieven en contracten."),
    ]


def _room(database: Database, people: int = 9, *, second: bool = False, tables: int = 3) -> dict[str, Any]:
    """A session with ``people`` participants in ``tables`` locked groups, the real session's input entered by
    the first three groups, and a host. With ``second``: another session with a card of its own."""
    with database.transaction() as session:
        made = [
            create_member(
                session, MemberRow(line=i, name=f"Deelnemer {i}", email=f"d{i}@example.org"), actor=SYSTEM
            )
            for i in range(people + 2)
        ]
        host, outsider, others = made[0], made[1], made[2:]
        host.role = "host"
        session.flush()
        ws = session_actions.create_session(
            session,
            title="Werksessie",
            question=QUESTION,
            starts_at=dt.datetime(2026, 12, 20, 19, 30),
            actor=host,
        )
        for person in others:
            session_actions.register(session, ws, actor=person)
        groups = [[p.id for p in others[i::tables]] for i in range(tables)]
        session_actions.seat_groups(session, ws, groups, actor=host)
        session_actions.lock_groups(session, ws, actor=host)
        by_number = {g.number: g for g in ws.groups}
        first_of = {n: session.get(Member, ids[0]) for n, ids in enumerate(groups[:3], start=1)}
        cards = []
        for number, text in _lines():
            author = first_of[number]
            assert author is not None
            cards.append(session_actions.add_contribution(session, ws, text, actor=author).id)
        other_card = None
        if second:
            ws2 = session_actions.create_session(
                session,
                title="Andere sessie",
                question="Iets anders?",
                starts_at=dt.datetime(2026, 12, 21),
                actor=host,
            )
            session_actions.register(session, ws2, actor=others[0])
            session_actions.register(session, ws2, actor=others[1])
            session_actions.seat_groups(session, ws2, [[others[0].id, others[1].id]], actor=host)
            other_card = session_actions.add_contribution(
                session, ws2, "Een kaart elders", actor=others[0]
            ).id
        assert len(by_number) == tables
        return {
            "ws": ws.id,
            "host": host.id,
            "outsider": outsider.id,
            "people": [p.id for p in others],
            "groups": groups,
            "cards": cards,
            "other_card": other_card,
        }


def _open(database: Database, ws_id: int, dots: int | None = None) -> None:
    with database.transaction() as session:
        ws = get_session(session, ws_id)
        if dots is not None:
            vote_actions.set_dots(session, ws, dots, actor=SYSTEM)
        vote_actions.open_voting(session, ws, actor=SYSTEM)


def _dots(database: Database, ws_id: int, member_id: int | None = None) -> int:
    query = select(func.count()).select_from(Vote).where(Vote.session_id == ws_id)
    if member_id is not None:
        query = query.where(Vote.member_id == member_id)
    with database.reader() as session:
        return int(session.scalar(query) or 0)


def test_three_dots_each_one_per_card_and_a_dot_taken_back(database: Database) -> None:
    room = _room(database)
    _open(database, room["ws"])
    voter = Voter(member_id=room["people"][0])
    cards = room["cards"]
    results = [vote_actions.cast_vote(database, room["ws"], card, voter=voter) for card in cards[:3]]
    assert [r.left for r in results] == [2, 1, 0]
    with pytest.raises(InputError, match="spent all your 3 dots"):
        vote_actions.cast_vote(database, room["ws"], cards[3], voter=voter)
    assert _dots(database, room["ws"]) == 3

    back = vote_actions.take_back_vote(database, room["ws"], cards[1], voter=voter)
    assert (back.count, back.left) == (0, 1)
    with pytest.raises(InputError, match="no dot of yours"):
        vote_actions.take_back_vote(database, room["ws"], cards[1], voter=voter)
    moved = vote_actions.cast_vote(database, room["ws"], cards[3], voter=voter)
    assert (moved.count, moved.left) == (1, 0)

    other = Voter(member_id=room["people"][4])
    vote_actions.cast_vote(database, room["ws"], cards[0], voter=other)
    with pytest.raises(InputError, match="already has your dot"):
        vote_actions.cast_vote(database, room["ws"], cards[0], voter=other)
    with database.reader() as session:
        ws = get_session(session, room["ws"])
        assert vote_queries.counts(session, ws) == {cards[0]: 2, cards[2]: 1, cards[3]: 1}
        assert vote_queries.my_cards(session, ws, voter) == {cards[0], cards[2], cards[3]}
        assert vote_queries.tally(session, ws) == vote_queries.Tally(dots=4, voters=2)
        # Every change announced its card's count on the session's channel, and wrote its audit entry.
        events = session.scalars(
            select(LiveEvent.data).where(LiveEvent.channel == f"session:{ws.id}:votes")
        ).all()
        assert sum('"type":"votes"' in e for e in events) == 6
        assert f'"card":{cards[0]},"count":2' in events[-1]
        audit = session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("votes.%"))).all()
        assert audit.count("votes.cast") == 5 and audit.count("votes.take_back") == 1


def test_the_host_sets_the_dots_but_never_below_what_someone_spent(database: Database) -> None:
    room = _room(database)
    _open(database, room["ws"], dots=5)
    voter = Voter(member_id=room["people"][0])
    for card in room["cards"][:4]:
        vote_actions.cast_vote(database, room["ws"], card, voter=voter)
    with database.transaction() as session, pytest.raises(InputError, match="already spent 4 dots"):
        vote_actions.set_dots(session, get_session(session, room["ws"]), 3, actor=SYSTEM)
    for bad in (0, 11):
        with database.transaction() as session, pytest.raises(InputError, match="between 1 and 10"):
            vote_actions.set_dots(session, get_session(session, room["ws"]), bad, actor=SYSTEM)
    with database.transaction() as session:
        host = session.get(Member, room["host"])
        assert host is not None
        assert vote_actions.set_dots(session, get_session(session, room["ws"]), 4, actor=host).dots == 4
    with pytest.raises(InputError, match="spent all your 4 dots"):
        vote_actions.cast_vote(database, room["ws"], room["cards"][5], voter=voter)
    # A participant cannot change the allowance.
    with database.transaction() as session, pytest.raises(PermissionDenied):
        person = session.get(Member, room["people"][1])
        assert person is not None
        vote_actions.set_dots(session, get_session(session, room["ws"]), 10, actor=person)


def test_an_eleventh_dot_is_refused_with_the_allowance_at_its_most(database: Database) -> None:
    room = _room(database)
    _open(database, room["ws"], dots=10)
    voter = Voter(member_id=room["people"][2])
    for card in room["cards"][:10]:
        vote_actions.cast_vote(database, room["ws"], card, voter=voter)
    with pytest.raises(InputError, match="spent all your 10 dots"):
        vote_actions.cast_vote(database, room["ws"], room["cards"][10], voter=voter)
    assert _dots(database, room["ws"]) == 10


def test_votes_outside_the_rules_change_nothing(database: Database) -> None:
    room = _room(database, second=True)
    voter = Voter(member_id=room["people"][0])
    card = room["cards"][0]
    with pytest.raises(InputError, match="not started yet"):
        vote_actions.cast_vote(database, room["ws"], card, voter=voter)
    _open(database, room["ws"])
    with pytest.raises(InputError, match="not part of this session"):
        vote_actions.cast_vote(database, room["ws"], room["other_card"], voter=voter)
    with pytest.raises(InputError, match="not part of this session"):
        vote_actions.cast_vote(database, room["ws"], 999_999, voter=voter)
    with pytest.raises(PermissionDenied, match="only the participants"):
        vote_actions.cast_vote(database, room["ws"], card, voter=Voter(member_id=room["outsider"]))
    vote_actions.cast_vote(database, room["ws"], card, voter=voter)
    with database.transaction() as session:
        vote_actions.close_voting(session, get_session(session, room["ws"]), actor=SYSTEM)
    with pytest.raises(InputError, match="voting is closed"):
        vote_actions.cast_vote(database, room["ws"], room["cards"][1], voter=voter)
    with pytest.raises(InputError, match="voting is closed"):
        vote_actions.take_back_vote(database, room["ws"], card, voter=voter)
    assert _dots(database, room["ws"]) == 1
    with database.transaction() as session, pytest.raises(InputError, match="not open"):
        vote_actions.close_voting(session, get_session(session, room["ws"]), actor=SYSTEM)


def test_a_guest_votes_with_the_same_rules() -> None:
    assert Voter.guest(7).key == "g:7" and Voter(member_id=7).key == "m:7"
    with pytest.raises(ValueError):
        Voter()
    with pytest.raises(ValueError):
        Voter(member_id=1, guest_id=1)


def _at_once(
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    parties: int,
    work: list[Callable[[], Any]],
    *,
    patience: float = 60.0,
) -> tuple[list[str], bool]:
    """Run ``work`` in threads that all read (``vote_queries.<name>``) before any of them writes: each
    thread's first read waits for the others (or, where the database makes one wait for another's lock,
    gives up waiting after ``patience`` seconds, so the database's own order is tested)."""
    barrier = threading.Barrier(parties)
    original = getattr(vote_queries, name)
    seen: set[int] = set()

    def waiting(*args: Any, **kwargs: Any) -> Any:
        found = original(*args, **kwargs)
        me = threading.get_ident()
        if me not in seen:
            seen.add(me)
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=patience)
        return found

    monkeypatch.setattr(vote_queries, name, waiting)
    outcomes: list[str] = []

    def run(job: Callable[[], Any]) -> None:
        try:
            job()
            outcomes.append("ok")
        except InputError as error:
            outcomes.append(str(error))

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes, not barrier.broken


def test_the_third_and_fourth_dot_at_the_same_moment_give_exactly_three(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = _room(database)
    _open(database, room["ws"])
    voter = Voter(member_id=room["people"][0])
    for card in room["cards"][:2]:
        vote_actions.cast_vote(database, room["ws"], card, voter=voter)
    third, fourth = room["cards"][2], room["cards"][3]
    outcomes, together = _at_once(
        monkeypatch,
        "used_slots",
        2,
        [
            lambda c=card: vote_actions.cast_vote(database, room["ws"], c, voter=voter)
            for card in (third, fourth)
        ],
    )
    # Both read the two dots spent before either wrote: the database, not the order, decided.
    assert together
    assert sorted(outcomes) == ["ok", "you have spent all your 3 dots; take one back to move it"]
    assert _dots(database, room["ws"], room["people"][0]) == 3


def test_many_tabs_spending_dots_at_once_never_exceed_the_allowance(database: Database) -> None:
    room = _room(database)
    _open(database, room["ws"], dots=3)
    voter = Voter(member_id=room["people"][1])
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def spend(card: int) -> None:
        barrier.wait()
        try:
            vote_actions.cast_vote(database, room["ws"], card, voter=voter)
            outcomes.append("ok")
        except InputError:
            outcomes.append("refused")

    threads = [threading.Thread(target=spend, args=(card,)) for card in room["cards"][:8]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok"] * 3 + ["refused"] * 5
    assert _dots(database, room["ws"], room["people"][1]) == 3


def test_two_tabs_voting_the_same_card_at_once_give_one_vote(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = _room(database)
    _open(database, room["ws"])
    voter = Voter(member_id=room["people"][3])
    card = room["cards"][4]
    outcomes, _ = _at_once(
        monkeypatch,
        "has_voted",
        2,
        [lambda: vote_actions.cast_vote(database, room["ws"], card, voter=voter) for _ in range(2)],
        # PostgreSQL makes the second wait for the card's lock, so the first stops waiting for it.
        patience=3.0,
    )
    assert sorted(outcomes) == ["ok", "this card already has your dot"]
    assert _dots(database, room["ws"]) == 1
    with database.reader() as session:
        assert vote_queries.count_of(session, get_session(session, room["ws"]), card) == 1


def test_the_dots_feed_the_synthesis_and_the_report(database: Database) -> None:
    room = _room(database)
    _open(database, room["ws"])
    groups = room["groups"]
    cards = room["cards"]
    # Everyone in groups 1 and 2 and one person in group 3 put a dot on the first card.
    voters = [*groups[0], *groups[1], groups[2][0]]
    for member_id in voters:
        vote_actions.cast_vote(database, room["ws"], cards[0], voter=Voter(member_id=member_id))
    with database.transaction() as session:
        ws = get_session(session, room["ws"])
        contributions = list(session.scalars(select(Contribution).where(Contribution.session_id == ws.id)))
        engine_votes = vote_queries.for_synthesis(session, ws, contributions)
        assert len(engine_votes) == len(voters)
        assert {v.group for v in engine_votes} == {"1", "2", "3"}
        host = session.get(Member, room["host"])
        assert host is not None
        session_actions.run_synthesis(session, ws, actor=host)
    with database.reader() as session:
        ws = get_session(session, room["ws"])
        card = session.get(Contribution, cards[0])
        assert card is not None and card.theme_id is not None
        support = vote_queries.theme_support(session, ws)
        assert support[card.theme_id] == vote_queries.Support(voters=len(voters), groups=(1, 2, 3))
        report = outreach_queries.session_report(session, ws.id)
    voted = next(t for t in report.themes if t.support)
    assert voted.support == len(voters) and voted.support_groups == (1, 2, 3)
    assert [t.label for t in report.broadly] == [voted.label]
    from werkkring.outreach import render_markdown

    text = render_markdown(report)
    assert "## Breed gedeeld" in text or "## Broadly shared" in text
    assert f"{len(voters)} " in text


def test_two_presses_on_open_voting_at_once_open_it_once(database: Database) -> None:
    """The host's Open pressed twice (two tabs, a double click): the second waits for the first's row lock,
    then finds the voting open and says so; one audit entry. The same for Close."""
    room = _room(database)
    for do, action, message in (
        (vote_actions.open_voting, "votes.open", "voting is open already"),
        (vote_actions.close_voting, "votes.close", "voting is not open"),
    ):

        def press(do: Callable[..., object] = do) -> object:
            with database.transaction() as session:
                return do(session, get_session(session, room["ws"]), actor=SYSTEM)

        results = at_once(press, press)
        refused = [r for r in results if isinstance(r, InputError)]
        assert len(refused) == 1 and message in str(refused[0]), results
        with database.reader() as session:
            entries = session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
            assert len(entries) == 1, action

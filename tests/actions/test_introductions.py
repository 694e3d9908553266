"""Introduce us, with double opt-in: asking, answering, the mails as jobs after commit, the recorded pair
left out of suggestions and rounds, and what two people doing it at the same moment get (SQLite and
PostgreSQL)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from werkkring.actions import introductions as intro_actions
from werkkring.actions.members import create_member
from werkkring.actions.permissions import SYSTEM
from werkkring.errors import InputError, NotFoundError, PermissionDenied
from werkkring.io.members_csv import MemberRow
from werkkring.queries import connections as connection_queries
from werkkring.store import Database
from werkkring.store.models import AuditEntry, Introduction, Job, Member


def _people(database: Database, count: int = 3) -> list[int]:
    with database.transaction() as session:
        made = [
            create_member(
                session,
                MemberRow(
                    line=i,
                    name=f"Lid {i}",
                    email=f"lid{i}@example.org",
                    offers=f"begeleiding bij thema {i}",
                    needs=f"hulp bij onderwerp {i}",
                ),
                actor=SYSTEM,
            )
            for i in range(count)
        ]
        session.flush()
        return [m.id for m in made]


def _jobs(database: Database, kind: str) -> int:
    with database.reader() as session:
        return int(session.scalar(select(func.count()).select_from(Job).where(Job.kind == kind)) or 0)


def _introductions(database: Database) -> list[Introduction]:
    with database.reader() as session:
        return list(session.scalars(select(Introduction).order_by(Introduction.id)))


def test_asking_then_a_yes_introduces_both_once(database: Database) -> None:
    a, b, _ = _people(database)
    asked = intro_actions.ask_introduction(database, a, b, reason="We werken allebei met teams")
    assert asked.status == "proposed" and asked.a_accepted_at is not None and asked.b_accepted_at is None
    assert _jobs(database, intro_actions.REQUEST_MAIL_KIND) == 1
    assert _jobs(database, intro_actions.INTRODUCED_MAIL_KIND) == 0
    # Asking again changes nothing and sends nothing more.
    again = intro_actions.ask_introduction(database, a, b)
    assert again.id == asked.id and _jobs(database, intro_actions.REQUEST_MAIL_KIND) == 1
    with database.reader() as session:
        seen_by_b = connection_queries.introductions_of(session, session.get(Member, b))  # type: ignore[arg-type]
        seen_by_a = connection_queries.introductions_of(session, session.get(Member, a))  # type: ignore[arg-type]
    assert [v.state for v in seen_by_b] == ["asked_you"]
    assert [v.state for v in seen_by_a] == ["waiting"]

    made = intro_actions.answer_introduction(database, b, asked.id, accept=True)
    assert made.status == "accepted" and made.introduced_at is not None and made.open_pair is None
    assert _jobs(database, intro_actions.INTRODUCED_MAIL_KIND) == 1
    # A second yes (another tab) changes nothing; a no afterwards is refused.
    intro_actions.answer_introduction(database, b, asked.id, accept=True)
    assert _jobs(database, intro_actions.INTRODUCED_MAIL_KIND) == 1
    with pytest.raises(InputError, match="already been introduced"):
        intro_actions.answer_introduction(database, b, asked.id, accept=False)
    with pytest.raises(InputError, match="already been introduced"):
        intro_actions.ask_introduction(database, b, a)
    with database.reader() as session:
        actions = list(
            session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("introduction.%")))
        )
    assert sorted(actions) == ["introduction.accept", "introduction.ask"]  # the second yes recorded nothing


def test_a_no_is_final_and_only_the_two_answer(database: Database) -> None:
    a, b, c = _people(database)
    asked = intro_actions.ask_introduction(database, a, b)
    with pytest.raises(PermissionDenied):
        intro_actions.answer_introduction(database, c, asked.id, accept=True)
    declined = intro_actions.answer_introduction(database, b, asked.id, accept=False)
    assert declined.status == "declined" and declined.introduced_at is None
    with pytest.raises(InputError, match="declined"):
        intro_actions.answer_introduction(database, a, asked.id, accept=True)
    with pytest.raises(InputError, match="declined"):
        intro_actions.ask_introduction(database, a, b)
    assert _jobs(database, intro_actions.INTRODUCED_MAIL_KIND) == 0
    with database.reader() as session:
        seen_by_a = connection_queries.introductions_of(session, session.get(Member, a))  # type: ignore[arg-type]
    assert [v.state for v in seen_by_a] == ["declined"]


def test_bad_requests_are_refused_with_a_reason(database: Database) -> None:
    a, b, _ = _people(database)
    with pytest.raises(InputError, match="yourself"):
        intro_actions.ask_introduction(database, a, a)
    with pytest.raises(NotFoundError):
        intro_actions.ask_introduction(database, a, 999_999)
    with pytest.raises(InputError, match="at most 1,000"):
        intro_actions.ask_introduction(database, a, b, reason="x" * 1001)
    with database.transaction() as session:
        other = session.get(Member, b)
        assert other is not None
        other.intro_opt_in = False
    with pytest.raises(InputError, match="does not take introductions"):
        intro_actions.ask_introduction(database, a, b)
    assert _introductions(database) == []


def _at_once(
    monkeypatch: pytest.MonkeyPatch, name: str, work: list[Callable[[], Any]], patience: float = 20.0
) -> tuple[list[str], bool]:
    """Run ``work`` in threads that each pass ``intro_actions.<name>`` (a read) before any of them writes."""
    barrier = threading.Barrier(len(work))
    original = getattr(intro_actions, name)
    seen: set[int] = set()

    def waiting(*args: Any, **kwargs: Any) -> Any:
        found = original(*args, **kwargs)
        me = threading.get_ident()
        if me not in seen:
            seen.add(me)
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=patience)
        return found

    monkeypatch.setattr(intro_actions, name, waiting)
    outcomes: list[str] = []

    def run(job: Callable[[], Any]) -> None:
        try:
            job()
            outcomes.append("ok")
        except Exception as error:
            outcomes.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes, not barrier.broken


def test_both_asking_each_other_at_the_same_moment_make_one_introduction(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, _ = _people(database)
    outcomes, together = _at_once(
        monkeypatch,
        "between",
        [
            lambda: intro_actions.ask_introduction(database, a, b),
            lambda: intro_actions.ask_introduction(database, b, a),
        ],
    )
    assert together and outcomes == ["ok", "ok"]
    (only,) = _introductions(database)
    assert only.status == "accepted" and only.a_accepted_at and only.b_accepted_at and only.introduced_at
    assert _jobs(database, intro_actions.INTRODUCED_MAIL_KIND) == 1


def test_two_yeses_at_the_same_moment_send_the_introduction_once(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, _ = _people(database)
    asked = intro_actions.ask_introduction(database, a, b)
    outcomes, together = _at_once(
        monkeypatch,
        "_side",
        [lambda: intro_actions.answer_introduction(database, b, asked.id, accept=True) for _ in range(3)],
    )
    assert together and outcomes == ["ok", "ok", "ok"]
    (only,) = _introductions(database)
    assert only.status == "accepted"
    assert _jobs(database, intro_actions.INTRODUCED_MAIL_KIND) == 1


def test_a_yes_and_a_no_at_the_same_moment_leave_one_clear_outcome(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, _ = _people(database)
    asked = intro_actions.ask_introduction(database, a, b)
    outcomes, together = _at_once(
        monkeypatch,
        "_side",
        [
            lambda: intro_actions.answer_introduction(database, b, asked.id, accept=True),
            lambda: intro_actions.answer_introduction(database, b, asked.id, accept=False),
        ],
    )
    assert together
    (only,) = _introductions(database)
    made = _jobs(database, intro_actions.INTRODUCED_MAIL_KIND)
    # Whichever came first stands; the other is refused (or, a second yes after a yes, changes nothing).
    assert (only.status, made) in {("accepted", 1), ("declined", 0)}
    assert "ok" in outcomes


def test_recorded_introductions_leave_the_pair_out_of_suggestions_and_rounds(database: Database) -> None:
    with database.transaction() as session:
        seeker = create_member(
            session,
            MemberRow(line=1, name="Sara", email="sara@example.org", needs="hulp bij boekhouding"),
            actor=SYSTEM,
        )
        helper = create_member(
            session,
            MemberRow(line=2, name="Bob", email="bob@example.org", offers="boekhouding voor zzp'ers"),
            actor=SYSTEM,
        )
        session.flush()
        ids = (seeker.id, helper.id)
    with database.reader() as session:
        me = session.get(Member, ids[0])
        assert me is not None
        assert ids[1] in {s.member_id for s in connection_queries.suggestions(session, me)}
    intro_actions.ask_introduction(database, ids[0], ids[1])
    with database.reader() as session:
        me = session.get(Member, ids[0])
        assert me is not None
        assert ids[1] not in {s.member_id for s in connection_queries.suggestions(session, me)}
        history = connection_queries.round_history(session)
    assert {(h.a, h.b) for h in history} == {(str(ids[0]), str(ids[1]))}

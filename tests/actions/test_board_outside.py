"""The synthesis computes outside every write transaction (actions.board.rerun_outside, the job, and the
host's Synthesise), on both databases: a participant's post commits while the engine computes, a double
click gives one job or one result, and an edit the host makes while the engine computes is kept.

The engine is held on a threading.Event (no sleeps, no timing): a step that would wait for a lock held by
the synthesis cannot finish while the engine is held, so it shows up as a thread that did not finish."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.board_setup import Evening, evening
from werkkring import queue
from werkkring.actions import board
from werkkring.actions import sessions as session_actions
from werkkring.config import Settings
from werkkring.errors import N_, ConflictError, InputError
from werkkring.queries import board as board_queries
from werkkring.queries.sessions import get_session
from werkkring.store import Database
from werkkring.store.models import AuditEntry, Contribution, Job, Member, utcnow

WAIT = 60  # seconds a step may take on the shared machine before the test calls it blocked


class HeldEngine:
    """The real engine, held before it computes until :meth:`release` (each call counted)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, hold: int = 1, together: int = 1) -> None:
        self.real = board.synthesize
        self.calls = 0
        self.started = threading.Event()
        self.released = threading.Event()
        self.hold = hold  # how many calls are held (later ones run at once)
        self.together = threading.Barrier(together) if together > 1 else None
        monkeypatch.setattr(board, "synthesize", self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls <= self.hold:
            if self.together is not None:
                self.together.wait(timeout=WAIT)
            self.started.set()
            assert self.released.wait(timeout=WAIT), "the test never released the engine"
        return self.real(*args, **kwargs)

    def release(self) -> None:
        self.released.set()


class Background:
    """``work`` on a thread: its result or the error it raised."""

    def __init__(self, work: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(work,), daemon=True)
        self.thread.start()

    def _run(self, work: Callable[[], Any]) -> None:
        try:
            self.result = work()
        except BaseException as error:  # handed to the test
            self.error = error

    def finished(self, timeout: float = WAIT) -> bool:
        self.thread.join(timeout)
        return not self.thread.is_alive()


@pytest.fixture
def made(database: Database) -> Evening:
    with database.transaction() as session:
        return evening(session)


def _view(database: Database, made: Evening) -> board_queries.BoardView:
    with database.reader() as session:
        return board_queries.board_of(session, get_session(session, made.session_id))


def _post(database: Database, made: Evening, text: str) -> int:
    with database.transaction() as session:
        person = session.get(Member, made.participant)
        assert person is not None
        return session_actions.add_contribution(
            session, get_session(session, made.session_id), text, actor=person
        ).id


def _reruns(database: Database) -> int:
    with database.reader() as session:
        return len(session.scalars(select(AuditEntry).where(AuditEntry.action == "board.rerun")).all())


def _first_draft(database: Database, made: Evening) -> None:
    with database.transaction() as session:
        host = session.get(Member, made.host)
        assert host is not None
        board.rerun(session, get_session(session, made.session_id), version=None, actor=host)


def test_a_post_commits_while_the_first_synthesis_computes(
    database: Database, made: Evening, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = HeldEngine(monkeypatch)
    synthesis = Background(lambda: board.synthesise(database, made.host, made.session_id, seen=None))
    assert engine.started.wait(WAIT), synthesis.error
    post = Background(lambda: _post(database, made, "Nog een gedachte: samen naar de gemeente stappen."))
    assert post.finished(), "the participant's post waited for the synthesis"
    assert post.error is None, post.error
    assert synthesis.thread.is_alive(), "the synthesis should still be held in the engine"
    engine.release()
    assert synthesis.finished() and synthesis.error is None, synthesis.error
    assert synthesis.result.job is None and synthesis.result.themes >= 2
    view = _view(database, made)
    late = next(c for c in view.unsorted if c.id == post.result)  # came in meanwhile: for the next run
    assert not late.placed
    assert sum(len(t.cards) for t in view.themes) + len(view.aside) == len(made.cards)


def test_a_post_commits_while_the_job_computes_and_the_hosts_edit_is_kept(
    database: Database, made: Evening, monkeypatch: pytest.MonkeyPatch
) -> None:
    _first_draft(database, made)
    before = _view(database, made)
    card = before.themes[0].cards[0].id
    target = before.themes[-1].id
    with database.transaction() as session:
        host = session.get(Member, made.host)
        assert host is not None
        job = board.request_rerun(
            session, get_session(session, made.session_id), 3, version=before.version, actor=host
        )
    engine = HeldEngine(monkeypatch)
    run = Background(lambda: queue.Runner(database, Settings.from_env({})).run(job))
    assert engine.started.wait(WAIT)
    assert _view(database, made).running
    post = Background(lambda: _post(database, made, "Een vaste avond per maand om bij te praten."))
    assert post.finished() and post.error is None, post.error

    def move() -> int:
        with database.transaction() as session:
            host = session.get(Member, made.host)
            ws = get_session(session, made.session_id)
            assert host is not None
            return board.move_card(session, ws, card, target, version=ws.board_version, actor=host)

    edit = Background(move)
    assert edit.finished() and edit.error is None, "the host's edit waited for the job"
    assert run.thread.is_alive(), "the job should still be held in the engine"
    engine.release()
    assert run.finished() and run.result == "done", run.error
    assert engine.calls == 2, "the job computes again on the board the host edited meanwhile"
    after = _view(database, made)
    moved = next(t for t in after.themes if any(c.id == card for c in t.cards))
    assert moved.id == target and next(c for c in moved.cards if c.id == card).placed
    assert not after.running and after.asked == 3
    with database.reader() as session:
        stored = session.get(Job, job)
        assert stored is not None and stored.progress.get("applied") is True
    # Run again (as after a worker died between storing and "done"): the board is not re-run twice.
    reruns, version = _reruns(database), after.version
    with database.transaction() as session:
        stored = session.get(Job, job)
        assert stored is not None
        stored.status, stored.active_key = "queued", stored.key
    assert queue.Runner(database, Settings.from_env({})).run(job) == "done"
    assert _reruns(database) == reruns and _view(database, made).version == version


def test_a_rerun_from_a_form_is_refused_when_the_host_edited_while_it_computed(
    database: Database, made: Evening, monkeypatch: pytest.MonkeyPatch
) -> None:
    _first_draft(database, made)
    before = _view(database, made)
    card, target = before.themes[0].cards[0].id, before.themes[-1].id
    engine = HeldEngine(monkeypatch)
    rerun = Background(
        lambda: board.synthesise(database, made.host, made.session_id, 2, version=before.version)
    )
    assert engine.started.wait(WAIT)
    with database.transaction() as session:
        cohost = session.get(Member, made.cohost)
        assert cohost is not None
        board.move_card(
            session, get_session(session, made.session_id), card, target, version=before.version, actor=cohost
        )
    engine.release()
    assert rerun.finished() and isinstance(rerun.error, ConflictError), rerun.error
    after = _view(database, made)
    assert after.version == before.version + 1  # the co-host's move, and nothing of the re-run
    assert any(c.id == card and c.placed for t in after.themes if t.id == target for c in t.cards)
    assert after.asked is None


def test_synthesise_clicked_twice_gives_one_result(
    database: Database, made: Evening, monkeypatch: pytest.MonkeyPatch
) -> None:
    _first_draft(database, made)
    version = _view(database, made).version
    reruns = _reruns(database)
    engine = HeldEngine(monkeypatch, hold=2, together=2)  # both clicks read the same board first
    clicks = [
        Background(lambda: board.synthesise(database, made.host, made.session_id, version=version))
        for _ in range(2)
    ]
    assert engine.started.wait(WAIT)
    engine.release()
    assert all(click.finished() for click in clicks)
    errors = [click.error for click in clicks]
    assert sum(isinstance(e, ConflictError) for e in errors) == 1 and errors.count(None) == 1, errors
    assert _reruns(database) == reruns + 1
    assert _view(database, made).version == version + 1


def test_synthesise_on_a_large_board_clicked_twice_gives_one_job(
    database: Database, made: Evening, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(board, "LARGE_BOARD", 10)
    if not database.is_sqlite:  # both clicks in their transaction at once: the unique active key decides
        barrier = threading.Barrier(2)
        real = board.request_rerun

        def together(*args: Any, **kwargs: Any) -> str:
            barrier.wait(timeout=WAIT)
            return real(*args, **kwargs)

        monkeypatch.setattr(board, "request_rerun", together)
    # (On SQLite the writers of one process take turns: the second click finds the first one's job.)
    clicks = [Background(lambda: board.synthesise(database, made.host, made.session_id)) for _ in range(2)]
    assert all(click.finished() for click in clicks)
    errors = [click.error for click in clicks]
    assert errors.count(None) == 1 and sum(isinstance(e, queue.JobAlreadyActive) for e in errors) == 1, errors
    with database.reader() as session:
        jobs = session.scalars(select(Job).where(Job.kind == board.RERUN_KIND)).all()
        assert len(jobs) == 1 and jobs[0].status == "queued"
        count = len(
            session.scalars(select(Contribution).where(Contribution.session_id == made.session_id)).all()
        )
    assert count == len(made.cards) and _view(database, made).running


def _failed_draft(database: Database, made: Evening, monkeypatch: pytest.MonkeyPatch) -> str:
    """A background draft whose engine raised an error werkkring means (not tried again): failed."""
    monkeypatch.setattr(board, "LARGE_BOARD", 10)
    with database.transaction() as session:
        host = session.get(Member, made.host)
        assert host is not None
        job = board.request_rerun(session, get_session(session, made.session_id), actor=host, version=None)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise InputError(N_("there is no input to synthesise yet"))

    with monkeypatch.context() as patch:
        patch.setattr(board, "synthesize", broken)
        assert queue.Runner(database, Settings.from_env({})).run(job) == "failed"
    return job


def _presses(database: Database, made: Evening, count: int = 2) -> list[Background]:
    start = threading.Barrier(count)  # every press starts at the same moment

    def press() -> str:
        start.wait(timeout=WAIT)
        return board.try_again(database, made.host, made.session_id)

    return [Background(press) for _ in range(count)]


def _retries(database: Database) -> list[AuditEntry]:
    with database.reader() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "board.retry")))


def test_try_again_pressed_twice_at_once_gives_one_job(
    database: Database, made: Evening, monkeypatch: pytest.MonkeyPatch
) -> None:
    failed = _failed_draft(database, made, monkeypatch)
    if not database.is_sqlite:  # both presses past their read before either writes: the unique key decides
        inside = threading.Barrier(2)
        real = board._enqueue_rerun

        def together(*args: Any, **kwargs: Any) -> str:
            inside.wait(timeout=WAIT)
            return real(*args, **kwargs)

        monkeypatch.setattr(board, "_enqueue_rerun", together)
    presses = _presses(database, made)
    assert all(press.finished() for press in presses)
    errors = [press.error for press in presses]
    assert errors.count(None) == 1 and sum(isinstance(e, queue.JobAlreadyActive) for e in errors) == 1, errors
    with database.reader() as session:
        jobs = session.scalars(select(Job).where(Job.kind == board.RERUN_KIND)).all()
        assert sorted(j.status for j in jobs) == ["failed", "queued"]
        view = board_queries.draft_job(session, get_session(session, made.session_id))
    new = next(p.result for p in presses if p.error is None)
    assert view is not None and view.id == new != failed and view.state == "queued" and not view.can_retry
    (entry,) = _retries(database)
    assert entry.details == {"job": new, "themes": "auto", "failed": failed}
    # A re-run (or another try) while the new draft is queued starts nothing either.
    with pytest.raises(queue.JobAlreadyActive):
        board.synthesise(database, made.host, made.session_id)
    with pytest.raises(queue.JobAlreadyActive):
        board.try_again(database, made.host, made.session_id)
    with database.reader() as session:
        assert len(session.scalars(select(Job).where(Job.kind == board.RERUN_KIND)).all()) == 2
    assert len(_retries(database)) == 1


@pytest.mark.parametrize("stuck", ["queued", "running"])
def test_a_stuck_draft_pressed_twice_at_once_is_handed_over_once(
    database: Database, made: Evening, monkeypatch: pytest.MonkeyPatch, stuck: str
) -> None:
    with database.transaction() as session:
        host = session.get(Member, made.host)
        assert host is not None
        job = board.request_rerun(session, get_session(session, made.session_id), actor=host, version=None)
        session.flush()
        long_ago = utcnow() - 2 * board_queries.STUCK_QUEUED
        if stuck == "queued":  # asked long ago; no worker ever took it
            values: dict[str, Any] = {"run_after": long_ago}
        else:  # taken by a worker that stopped answering: its lease ran out
            values = {"status": "running", "attempts": 1, "started_at": long_ago, "lease_until": long_ago}
        session.execute(update(Job).where(Job.id == job).values(**values))
    with database.reader() as session:
        seen = board_queries.draft_job(session, get_session(session, made.session_id))
    why = board_queries.STUCK_QUEUED_PROBLEM if stuck == "queued" else board_queries.STUCK_RUNNING_PROBLEM
    assert seen is not None and seen.state == stuck and seen.stuck and seen.can_retry
    assert [m.template for m in seen.problem] == [why]
    if not database.is_sqlite:  # both presses saw it stuck before either hands it over
        inside = threading.Barrier(2)
        real = queue.hand_over_again

        def together(*args: Any, **kwargs: Any) -> bool:
            inside.wait(timeout=WAIT)
            return real(*args, **kwargs)

        monkeypatch.setattr(queue, "hand_over_again", together)
    presses = _presses(database, made)
    assert all(press.finished() for press in presses)
    errors = [press.error for press in presses]
    assert errors.count(None) == 1 and sum(isinstance(e, queue.JobAlreadyActive) for e in errors) == 1, errors
    with database.reader() as session:
        (stored,) = session.scalars(select(Job).where(Job.kind == board.RERUN_KIND)).all()
        assert stored.id == job and stored.status == "retrying" and stored.error == queue.HANDED_OVER
        view = board_queries.draft_job(session, get_session(session, made.session_id))
    assert view is not None and view.state == "retrying" and not view.stuck and view.problem == ()
    (entry,) = _retries(database)
    assert entry.details == {"job": job, "stuck": True}
    assert queue.Runner(database, Settings.from_env({})).run(job) == "done"  # and it runs, once
    assert _view(database, made).themes


def test_a_long_draft_keeps_its_lease(
    database: Database, made: Evening, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the engine computes, the job extends its lease: neither the sweep nor the host's board takes
    a long draft for one whose worker died."""
    from werkkring.jobs import board as board_job

    monkeypatch.setattr(board_job, "HEARTBEAT", 0.05)
    with database.transaction() as session:
        host = session.get(Member, made.host)
        assert host is not None
        job = board.request_rerun(session, get_session(session, made.session_id), actor=host, version=None)
    engine = HeldEngine(monkeypatch)
    run = Background(lambda: queue.Runner(database, Settings.from_env({})).run(job))
    assert engine.started.wait(WAIT)
    with database.transaction() as session:  # as if the lease were nearly over
        session.execute(update(Job).where(Job.id == job).values(lease_until=utcnow()))
    deadline = threading.Event()
    for _ in range(200):
        with database.reader() as session:
            lease = session.scalar(select(Job.lease_until).where(Job.id == job))
        if lease is not None and lease > utcnow() + queue.LEASE / 2:
            break
        deadline.wait(0.05)
    else:
        raise AssertionError("the lease was not extended while the engine computed")
    with database.reader() as session:
        view = board_queries.draft_job(session, get_session(session, made.session_id))
    assert view is not None and view.state == "running" and not view.stuck
    engine.release()
    assert run.finished() and run.result == "done", run.error

"""Everyday flows of issue 17 on both databases: a host edits, cancels and drafts a session (members told by
mail after the commit, the calendar shows it), members change their own input before the synthesis only,
notifications follow each member's choice (at once, weekly digest, off), proposals become initiatives
under a short confirmed title, and only a published outcome can be made public."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from tests.web.helpers import make_settings
from werkkring.actions import initiatives, notifications, session_edits, sessions
from werkkring.actions.members import create_member
from werkkring.actions.permissions import SYSTEM
from werkkring.config import Settings
from werkkring.errors import InputError, NotFoundError, PermissionDenied
from werkkring.io.members_csv import MemberRow
from werkkring.jobs import notify as notify_jobs
from werkkring.jobs.runner import JobBackend
from werkkring.queries import outreach as outreach_queries
from werkkring.queries import sessions as session_queries
from werkkring.store import Database
from werkkring.store.models import Contribution, Job, Member, Notification, Registration, WorkSession

STARTS = dt.datetime(2027, 3, 4, 19, 30)


@pytest.fixture
def mail(database: Database, tmp_path: Path) -> Iterator[Settings]:
    """Jobs run right after each commit; mail lands in the outbox folder."""
    settings = make_settings(tmp_path)
    backend = JobBackend(database, settings)
    yield settings
    backend.close()


def _outbox(settings: Settings) -> list[email.message.EmailMessage]:
    found = []
    folder = settings.outbox_dir
    for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime) if folder.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        found.append(message)
    return found


def _body(message: email.message.EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def _people(database: Database, n: int) -> list[int]:
    with database.transaction() as session:
        made = [
            create_member(
                session, MemberRow(line=i, name=f"Lid {i}", email=f"lid{i}@example.org"), actor=SYSTEM
            )
            for i in range(n)
        ]
        made[0].role = "host"
        made[0].name = "Hanna Host"
        return [m.id for m in made]


def _member(session: Any, member_id: int) -> Member:
    member = session.get(Member, member_id)
    assert member is not None
    return member


def _session(database: Database, ids: list[int], *, signed_up: int = 0, **kwargs: Any) -> int:
    with database.transaction() as session:
        ws = sessions.create_session(
            session,
            title="De blik vooruit",
            question="Wat brengt het netwerk ons?",
            starts_at=STARTS,
            ends_at=STARTS + dt.timedelta(hours=2),
            place="Utrecht",
            **kwargs,
            actor=_member(session, ids[0]),
        )
        for member_id in ids[1 : 1 + signed_up]:
            sessions.register(session, ws, actor=_member(session, member_id))
        return ws.id


def _edit(database: Database, ids: list[int], session_id: int, **changes: Any) -> list[str]:
    with database.transaction() as session:
        ws = session_queries.get_session(session, session_id)
        fields: dict[str, Any] = {
            "title": ws.title,
            "question": ws.question,
            "starts_at": ws.starts_at,
            "ends_at": ws.ends_at,
            "place": ws.place,
            "online_url": ws.online_url,
            "capacity": ws.capacity,
        }
        return session_edits.edit_session(session, ws, **(fields | changes), actor=_member(session, ids[0]))


def _event(database: Database, member_id: int, session_id: int) -> Any:
    with database.reader() as session:
        feed = outreach_queries.member_feed_for(
            session, _member(session, member_id), base_url="https://werkkring.example", now=STARTS
        )
    events = [e for e in Calendar.from_ical(feed).walk("VEVENT") if f"-{session_id}@" in str(e["uid"])]
    assert len(events) == 1
    return events[0]


def test_an_edit_raises_the_sequence_and_mails_who_signed_up(database: Database, mail: Settings) -> None:
    ids = _people(database, 4)
    session_id = _session(database, ids, signed_up=2)
    assert _event(database, ids[1], session_id)["SEQUENCE"] == 0

    later = STARTS + dt.timedelta(hours=1)
    changed = _edit(database, ids, session_id, starts_at=later, ends_at=later + dt.timedelta(hours=2))
    assert changed == ["time"]
    event = _event(database, ids[1], session_id)
    assert event["SEQUENCE"] == 1 and event.decoded("DTSTART").hour == 20
    mails = _outbox(mail)
    # The two signed up, not the host and not the member who never signed up.
    assert sorted(str(m["To"]) for m in mails) == ["lid1@example.org", "lid2@example.org"]
    assert "De werksessie De blik vooruit is gewijzigd" in str(mails[0]["Subject"])
    assert "Gewijzigd: tijd." in _body(mails[0]) and "20:30" in _body(mails[0])

    # Nothing changed: nothing is told, the sequence stays.
    assert _edit(database, ids, session_id) == []
    assert len(_outbox(mail)) == 2 and _event(database, ids[1], session_id)["SEQUENCE"] == 1


def test_capacity_never_below_the_sign_ups_and_bad_fields_are_named(database: Database) -> None:
    ids = _people(database, 5)
    session_id = _session(database, ids, signed_up=3, capacity=10)
    with pytest.raises(InputError) as caught:
        _edit(database, ids, session_id, capacity=2, title=" ")
    assert {p.field for p in caught.value.problems} == {"capacity", "title"}
    assert "3 people are signed up already" in str(caught.value)
    with pytest.raises(InputError) as caught:
        _edit(database, ids, session_id, capacity=10**12, place="x" * 201, online_url="https://" + "x" * 500)
    assert {p.field for p in caught.value.problems} == {"capacity", "place", "online_url"}
    assert _edit(database, ids, session_id, capacity=3) == ["capacity"]
    with database.reader() as session:
        assert session_queries.get_session(session, session_id).capacity == 3


def test_a_member_may_not_edit_or_cancel(database: Database) -> None:
    ids = _people(database, 2)
    session_id = _session(database, ids)
    with database.transaction() as session, pytest.raises(PermissionDenied):
        ws = session_queries.get_session(session, session_id)
        session_edits.cancel_session(session, ws, "geen zin", actor=_member(session, ids[1]))


def test_cancelling_needs_a_reason_and_shows_cancelled_in_the_calendar(
    database: Database, mail: Settings
) -> None:
    ids = _people(database, 3)
    session_id = _session(database, ids, signed_up=2)
    _edit(database, ids, session_id, place="Amersfoort")
    with database.transaction() as session, pytest.raises(InputError) as caught:
        ws = session_queries.get_session(session, session_id)
        session_edits.cancel_session(session, ws, "  ", actor=_member(session, ids[0]))
    assert caught.value.problems[0].field == "reason"
    with database.transaction() as session:
        ws = session_queries.get_session(session, session_id)
        session_edits.cancel_session(
            session, ws, "De zaal is onder water gelopen", actor=_member(session, ids[0])
        )
    event = _event(database, ids[1], session_id)
    assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 2
    assert "onder water" in str(event["DESCRIPTION"])
    cancelled = [m for m in _outbox(mail) if str(m["Subject"]).startswith("Afgelast")]
    assert sorted(str(m["To"]) for m in cancelled) == ["lid1@example.org", "lid2@example.org"]
    assert "Reden: De zaal is onder water gelopen" in _body(cancelled[0])
    # Cancelled is the end: no more sign-ups, edits or a second cancellation.
    with database.transaction() as session, pytest.raises(InputError):
        sessions.register(
            session, session_queries.get_session(session, session_id), actor=_member(session, ids[2])
        )
    with pytest.raises(InputError):
        _edit(database, ids, session_id, title="Toch wel")


def test_a_draft_is_seen_by_its_host_only_until_opened(database: Database) -> None:
    ids = _people(database, 2)
    session_id = _session(database, ids, status="draft")
    with database.reader() as session:
        host, member = _member(session, ids[0]), _member(session, ids[1])
        assert session_id not in [s.id for s in session_queries.upcoming(session, viewer=member)]
        assert session_id in [s.id for s in session_queries.upcoming(session, viewer=host)]
        with pytest.raises(NotFoundError):
            session_queries.visible_session(session, member, session_id)
    with database.transaction() as session, pytest.raises(InputError):
        sessions.register(
            session, session_queries.get_session(session, session_id), actor=_member(session, ids[1])
        )
    with database.transaction() as session:
        session_edits.open_session(
            session, session_queries.get_session(session, session_id), actor=_member(session, ids[0])
        )
    with database.transaction() as session:
        member = _member(session, ids[1])
        assert session_queries.visible_session(session, member, session_id).status == "open"
        sessions.register(session, session_queries.get_session(session, session_id), actor=member)


def _running(database: Database, ids: list[int]) -> tuple[int, int, int]:
    """A session with two seated members who each entered input: (session, input of 1, input of 2)."""
    session_id = _session(database, ids, signed_up=2)
    with database.transaction() as session:
        ws = session_queries.get_session(session, session_id)
        sessions.seat_groups(session, ws, [[ids[1], ids[2]]], actor=_member(session, ids[0]))
        first = sessions.add_contribution(session, ws, "Meer samen leren", actor=_member(session, ids[1]))
        second = sessions.add_contribution(
            session, ws, "Een buddy voor nieuwe leden", actor=_member(session, ids[2])
        )
        return session_id, first.id, second.id


def test_own_input_is_changed_or_deleted_before_the_synthesis_only(database: Database) -> None:
    ids = _people(database, 3)
    session_id, first, second = _running(database, ids)
    with database.transaction() as session:
        session_edits.edit_contribution(
            session,
            session.get(Contribution, first),
            "Meer samen leren, elke maand",
            actor=_member(session, ids[1]),
        )
    with database.transaction() as session, pytest.raises(PermissionDenied):
        session_edits.edit_contribution(
            session, session.get(Contribution, second), "x", actor=_member(session, ids[1])
        )
    with database.transaction() as session, pytest.raises(PermissionDenied):
        session_edits.delete_contribution(
            session, session.get(Contribution, second), actor=_member(session, ids[0])
        )
    with database.transaction() as session, pytest.raises(InputError):
        session_edits.edit_contribution(
            session, session.get(Contribution, first), " ", actor=_member(session, ids[1])
        )
    with database.transaction() as session:
        session_edits.delete_contribution(
            session, session.get(Contribution, second), actor=_member(session, ids[2])
        )
    with database.reader() as session:
        texts = session.scalars(select(Contribution.text).where(Contribution.session_id == session_id)).all()
        row = session.get(Contribution, first)
        assert row is not None and row.edited_at is not None
    assert texts == ["Meer samen leren, elke maand"]

    with database.transaction() as session:
        ws = session_queries.get_session(session, session_id)
        sessions.store_themes(session, ws, [sessions.ThemeInput(label="Samen leren")], actor=SYSTEM)
    with database.transaction() as session, pytest.raises(InputError, match="synthesis"):
        session_edits.edit_contribution(
            session, session.get(Contribution, first), "Later", actor=_member(session, ids[1])
        )
    with database.transaction() as session, pytest.raises(InputError, match="synthesis"):
        session_edits.delete_contribution(
            session, session.get(Contribution, first), actor=_member(session, ids[1])
        )


def test_notifications_follow_each_members_choice(database: Database, mail: Settings) -> None:
    ids = _people(database, 4)
    with database.transaction() as session:
        notifications.set_preferences(session, {"seated": "off"}, actor=_member(session, ids[1]))
        notifications.set_preferences(
            session, {"outcome_published": "digest"}, actor=_member(session, ids[2])
        )
    with database.transaction() as session, pytest.raises(InputError) as caught:
        notifications.set_preferences(
            session, {"seated": "loud", "nope": "now"}, actor=_member(session, ids[1])
        )
    assert {p.field for p in caught.value.problems} == {"seated", "nope"}

    session_id = _session(database, ids, signed_up=3)
    with database.transaction() as session:
        ws = session_queries.get_session(session, session_id)
        sessions.seat_groups(session, ws, [[ids[1], ids[2]], [ids[3]]], actor=_member(session, ids[0]))
        sessions.lock_groups(session, ws, actor=_member(session, ids[0]))
    seated = [m for m in _outbox(mail) if "Je groep" in str(m["Subject"])]
    # Lid 1 switched these off.
    assert sorted(str(m["To"]) for m in seated) == ["lid2@example.org", "lid3@example.org"]
    assert any("groep 2" in str(m["Subject"]) for m in seated if str(m["To"]) == "lid3@example.org")
    # Unlocked to correct something and locked again, the same groups: nobody is mailed twice.
    with database.transaction() as session:
        ws = session_queries.get_session(session, session_id)
        sessions.lock_groups(session, ws, False, actor=_member(session, ids[0]))
        sessions.lock_groups(session, ws, actor=_member(session, ids[0]))
    assert len([m for m in _outbox(mail) if "Je groep" in str(m["Subject"])]) == 2

    with database.transaction() as session:
        ws = session_queries.get_session(session, session_id)
        sessions.add_contribution(session, ws, "Meer samen leren", actor=_member(session, ids[1]))
        sessions.store_themes(session, ws, [sessions.ThemeInput(label="Samen leren")], actor=SYSTEM)
        sessions.publish(session, ws, actor=_member(session, ids[0]))
    published = [m for m in _outbox(mail) if "opbrengst" in str(m["Subject"])]
    # Lid 2 wants it in the digest: not now.
    assert sorted(str(m["To"]) for m in published) == ["lid1@example.org", "lid3@example.org"]
    with database.reader() as session:
        waiting = session.scalars(select(Notification).where(Notification.sent_at.is_(None))).all()
    assert [(n.member_id, n.kind, n.mode) for n in waiting] == [(ids[2], "outcome_published", "digest")]

    # The weekly digest: once per week, whoever asks twice.
    monday = dt.datetime(2027, 3, 8, 8, 7)
    assert notify_jobs.start_weekly_digest(database, mail, now=monday)
    assert not notify_jobs.start_weekly_digest(database, mail, now=monday + dt.timedelta(hours=1))
    digests = [m for m in _outbox(mail) if "Je week in werkkring" in str(m["Subject"])]
    assert [str(m["To"]) for m in digests] == ["lid2@example.org"]
    assert "De opbrengst van De blik vooruit is gepubliceerd" in _body(digests[0])
    with database.reader() as session:
        assert session.scalar(select(func.count()).where(Notification.sent_at.is_(None))) == 0
    # The next week's digest has nothing to send.
    assert notify_jobs.start_weekly_digest(database, mail, now=monday + dt.timedelta(days=7))
    assert len([m for m in _outbox(mail) if "Je week" in str(m["Subject"])]) == 1


def test_a_rolled_back_change_tells_nobody(database: Database, mail: Settings) -> None:
    ids = _people(database, 3)
    session_id = _session(database, ids, signed_up=2)
    with pytest.raises(RuntimeError), database.transaction() as session:
        ws = session_queries.get_session(session, session_id)
        session_edits.cancel_session(session, ws, "Ziek", actor=_member(session, ids[0]))
        raise RuntimeError("the request failed after the action")
    assert _outbox(mail) == []
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 0
        assert session.scalar(select(func.count()).select_from(Notification)) == 0


def test_a_proposal_becomes_an_initiative_and_the_owner_hears_of_joiners(
    database: Database, mail: Settings
) -> None:
    ids = _people(database, 4)
    session_id, first, _ = _running(database, ids)
    long_text = (
        "We starten een maandelijkse intervisiegroep voor zzp-ers in de zorg, met een vaste begeleider "
        "en een roulerende gastheer die steeds een ander thema kiest. Iedereen is welkom."
    )
    with database.transaction() as session:
        contribution = session.get(Contribution, first)
        assert contribution is not None
        contribution.text = long_text
        host, owner = _member(session, ids[0]), _member(session, ids[1])
        with pytest.raises(InputError) as caught:
            sessions.proposal_to_initiative(session, contribution, owner, "  ", actor=host)
        assert caught.value.problems[0].field == "title"
    with database.transaction() as session, pytest.raises(InputError, match="at most 80"):
        sessions.proposal_to_initiative(
            session,
            session.get(Contribution, first),
            _member(session, ids[1]),
            "x" * 81,
            actor=_member(session, ids[0]),
        )
    with database.transaction() as session:
        made = sessions.proposal_to_initiative(
            session,
            session.get(Contribution, first),
            _member(session, ids[1]),
            "Intervisie in de zorg",
            actor=_member(session, ids[0]),
        )
        initiative_id = made.id
    with database.reader() as session:
        ws = session_queries.get_session(session, session_id)
        (made,) = session_queries.initiatives_of(session, ws)
        assert (made.id, made.title, made.description) == (initiative_id, "Intervisie in de zorg", long_text)

    with database.transaction() as session:
        made = session.get(type(made), initiative_id)
        assert made is not None
        initiatives.join_initiative(
            session, made, "Ik zoek collega's om mee te leren", actor=_member(session, ids[3])
        )
    joined = [m for m in _outbox(mail) if "doet mee met je initiatief" in str(m["Subject"])]
    assert [str(m["To"]) for m in joined] == ["lid1@example.org"]
    assert "Lid 3" in str(joined[0]["Subject"]) and "mee te leren" in _body(joined[0])
    assert f"/initiatives/{initiative_id}" in _body(joined[0])
    # Joining again (changing the reason) tells the owner nothing new.
    with database.transaction() as session:
        made = session.get(type(made), initiative_id)
        assert made is not None
        initiatives.join_initiative(session, made, "Samen leren", actor=_member(session, ids[3]))
        initiatives.post_update(session, made, "We beginnen in april.", actor=_member(session, ids[1]))
    assert len([m for m in _outbox(mail) if "doet mee" in str(m["Subject"])]) == 1
    with database.reader() as session:
        update = session.scalars(select(Notification).where(Notification.kind == "initiative_update")).all()
    # Updates go to the digest by default; the author is not told about their own.
    assert [(n.member_id, n.mode) for n in update] == [(ids[3], "digest")]


def test_only_a_published_outcome_can_be_made_public(database: Database) -> None:
    ids = _people(database, 3)
    session_id, _, _ = _running(database, ids)
    with database.transaction() as session, pytest.raises(InputError, match="publish"):
        ws = session_queries.get_session(session, session_id)
        session_edits.set_public(session, ws, True, actor=_member(session, ids[0]))
    with database.transaction() as session:
        ws = session_queries.get_session(session, session_id)
        sessions.store_themes(session, ws, [sessions.ThemeInput(label="Samen leren")], actor=SYSTEM)
        sessions.publish(session, ws, actor=_member(session, ids[0]))
        with pytest.raises(PermissionDenied):
            session_edits.set_public(session, ws, True, actor=_member(session, ids[1]))
        session_edits.set_public(session, ws, True, actor=_member(session, ids[0]))
    with database.reader() as session:
        assert session_queries.public_outcome(session, session_id).public_at is not None
        assert [s.id for s in session_queries.public_outcomes(session)] == [session_id]
    with database.transaction() as session:
        ws = session_queries.get_session(session, session_id)
        session_edits.set_public(session, ws, False, actor=_member(session, ids[0]))
    with database.reader() as session, pytest.raises(NotFoundError):
        session_queries.public_outcome(session, session_id)


def test_the_report_names_who_carries_an_initiative_only_with_consent(database: Database) -> None:
    ids = _people(database, 5)
    session_id, first, _ = _running(database, ids)
    with database.transaction() as session:
        made = sessions.proposal_to_initiative(
            session,
            session.get(Contribution, first),
            _member(session, ids[1]),
            "Samen leren",
            actor=_member(session, ids[0]),
        )
        for member_id in ids[2:5]:
            initiatives.join_initiative(session, made, "leren", actor=_member(session, member_id))
        _member(session, ids[1]).named_in_reports = True
        _member(session, ids[3]).named_in_reports = True
    with database.reader() as session:
        report = outreach_queries.session_report(session, session_id)
    (carried,) = report.initiatives
    assert carried.title == "Samen leren"
    # The owner and Lid 3 agreed to be named; Lid 2 and Lid 4 are counted.
    assert carried.carried_by == "Lid 1, Lid 3 en 2 anderen"
    assert "Lid 2" not in carried.carried_by and "Lid 4" not in carried.carried_by
    # Nobody agreed to be named: they are counted, never "a member and one other".
    with database.transaction() as session:
        _member(session, ids[1]).named_in_reports = False
        _member(session, ids[3]).named_in_reports = False
    with database.reader() as session:
        (carried,) = outreach_queries.session_report(session, session_id).initiatives
    assert carried.carried_by == "4 leden"


def _race(database: Database, ids: list[int]) -> tuple[list[str], int | None, int]:
    """Two sign-ups and the host lowering the capacity to 2, all at the same moment."""
    session_id = _session(database, ids, signed_up=2, capacity=4)
    barrier = threading.Barrier(3)
    outcomes: list[str] = []

    def sign_up(member_id: int) -> None:
        barrier.wait()
        try:
            with database.transaction() as session:
                ws = session_queries.get_session(session, session_id)
                sessions.register(session, ws, actor=_member(session, member_id))
            outcomes.append("signed up")
        except InputError:
            outcomes.append("refused")

    def lower() -> None:
        barrier.wait()
        try:
            _edit(database, ids, session_id, capacity=2)
            outcomes.append("lowered")
        except InputError:
            outcomes.append("not lowered")

    threads = [
        threading.Thread(target=sign_up, args=(ids[3],)),
        threading.Thread(target=sign_up, args=(ids[4],)),
        threading.Thread(target=lower),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with database.reader() as session:
        ws = session.get(WorkSession, session_id)
        assert ws is not None
        taken = session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.session_id == session_id, Registration.cancelled_at.is_(None))
        )
    return outcomes, ws.capacity, taken or 0


def test_lowering_the_capacity_while_people_sign_up_never_overfills(database: Database) -> None:
    """The host lowers the capacity to the number signed up at the moment two more people sign up: in
    whatever order the database lets them in, nobody ends up in a session fuller than its capacity."""
    ids = _people(database, 6)
    for _ in range(3):
        outcomes, capacity, taken = _race(database, ids)
        assert len(outcomes) == 3
        assert capacity is not None and taken <= capacity
        if "lowered" in outcomes:
            assert capacity == 2 and taken == 2 and outcomes.count("refused") == 2
        else:
            assert capacity == 4 and outcomes.count("signed up") >= 1


def test_the_hourly_housekeeping_sends_the_digest_and_forgets_old_notifications(
    database: Database, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path)
    backend = JobBackend(database, settings)
    try:
        ids = _people(database, 2)
        with database.transaction() as session:
            notifications.set_preferences(
                session, {"outcome_published": "digest"}, actor=_member(session, ids[1])
            )
            notifications.notify(session, "outcome_published", [ids[1]], {"title": "Oud nieuws", "path": "/"})
        backend.housekeeping()
        digests = [m for m in _outbox(settings) if "Je week in werkkring" in str(m["Subject"])]
        assert [str(m["To"]) for m in digests] == ["lid1@example.org"]
        assert "Oud nieuws" in _body(digests[0])
        with database.reader() as session:
            (note,) = session.scalars(select(Notification)).all()
        assert note.sent_at is not None
        assert notify_jobs.prune_sent(database, settings, now=note.sent_at + dt.timedelta(days=89)) == 0
        assert notify_jobs.prune_sent(database, settings, now=note.sent_at + dt.timedelta(days=91)) == 1
    finally:
        backend.close()


def test_two_hosts_cancelling_at_the_same_moment_cancel_once_and_mail_once(
    database: Database, mail: Settings
) -> None:
    ids = _people(database, 4)
    with database.transaction() as session:
        _member(session, ids[3]).role = "host"
    session_id = _session(database, ids, signed_up=2)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def cancel(host_id: int) -> None:
        barrier.wait()
        try:
            with database.transaction() as session:
                ws = session_queries.get_session(session, session_id)
                session_edits.cancel_session(
                    session, ws, f"Afgezegd door {host_id}", actor=_member(session, host_id)
                )
            outcomes.append("cancelled")
        except InputError:
            outcomes.append("refused")

    threads = [threading.Thread(target=cancel, args=(host_id,)) for host_id in (ids[0], ids[3])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["cancelled", "refused"]
    assert mails_with(mail, "Afgelast") == ["lid1@example.org", "lid2@example.org"]
    with database.reader() as session:
        ws = session_queries.get_session(session, session_id)
        assert ws.status == "cancelled" and ws.sequence == 1


def mails_with(settings: Settings, subject: str) -> list[str]:
    return sorted(str(m["To"]) for m in _outbox(settings) if subject in str(m["Subject"]))

"""What a host changes about a session after creating it (edit, cancel, open a draft, make the outcome
public) and what a participant changes about their own input before the synthesis (edit, delete).

Changes people should see (time, place, title, question, a cancellation) raise the session's ``sequence``,
so calendar clients replace the event, and notify the signed-up members by mail after the commit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from werkkring import lifecycle
from werkkring.actions import notifications
from werkkring.actions._announce import contribution_added, input_changed, session_changed
from werkkring.actions._audit import record
from werkkring.actions.permissions import require_session_host
from werkkring.errors import N_, InputError, PermissionDenied, Problem
from werkkring.lifecycle import Status
from werkkring.queries.sessions import active_registrations
from werkkring.store.locks import lock_session
from werkkring.store.models import Contribution, Member, Registration, WorkSession, utcnow

REASON_LIMIT = 1000
CAPACITY_LIMIT = 100_000


def session_problems(
    *,
    title: str,
    question: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    online_url: str | None,
    capacity: int | None,
    group_size: int,
    language: str,
    place: str | None = None,
) -> list[Problem]:
    """What is wrong with a session's fields, each naming its field: the rules create_session applies,
    for an edit and for showing every problem of the new-session form at once."""
    problems = []
    if not title.strip():
        problems.append(Problem(N_("a work session needs a title"), field="title"))
    if len(title.strip()) > 200:
        problems.append(Problem(N_("a title holds at most 200 characters"), field="title"))
    if not question.strip():
        problems.append(Problem(N_("a work session needs a central question"), field="question"))
    if capacity is not None and capacity > CAPACITY_LIMIT:
        problems.append(Problem(N_("capacity is at most 100,000"), field="capacity"))
    if len((place or "").strip()) > 200:
        problems.append(Problem(N_("a place holds at most 200 characters"), field="place"))
    if len((online_url or "").strip()) > 500:
        problems.append(Problem(N_("an online link holds at most 500 characters"), field="online_url"))
    if capacity is not None and capacity < 1:
        problems.append(Problem(N_("capacity must be at least 1"), field="capacity"))
    if not 2 <= group_size <= 20:
        problems.append(Problem(N_("group size must be between 2 and 20"), field="group_size"))
    if ends_at is not None and ends_at <= starts_at:
        problems.append(Problem(N_("the session must end after it starts"), field="ends_at"))
    if online_url and not online_url.startswith(("https://", "http://")):
        problems.append(Problem(N_("an online link starts with https://"), field="online_url"))
    if language not in ("nl", "en"):
        problems.append(Problem(N_("language must be nl or en"), field="language"))
    return problems


def _signed_up(session: Session, work_session: WorkSession) -> list[int]:
    return [
        r.member_id
        for r in active_registrations(session, work_session)
        if r.member_id != work_session.host_id
    ]


def session_params(work_session: WorkSession) -> dict[str, object]:
    """What a notification about the session says: as it is at this moment."""
    return {
        "session": work_session.id,
        "title": work_session.title,
        "path": f"/sessions/{work_session.id}",
        "starts_at": work_session.starts_at.isoformat(),
        "place": work_session.place or ("online" if work_session.online_url else ""),
    }


def edit_session(
    session: Session,
    work_session: WorkSession,
    *,
    actor: Member,
    title: str,
    question: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    place: str | None = None,
    online_url: str | None = None,
    capacity: int | None = None,
) -> list[str]:
    """Change the session's fields; returns what changed (title, question, time, place, capacity). The
    capacity cannot go below the number already signed up."""
    require_session_host(session, actor, work_session)
    lock_session(session, work_session)
    if not lifecycle.can_edit(work_session.status):
        raise InputError(
            N_("session %(session)s can no longer be changed (status %(status)s)"),
            params={"session": work_session.id, "status": work_session.status},
        )
    problems = session_problems(
        title=title,
        question=question,
        starts_at=starts_at,
        ends_at=ends_at,
        online_url=online_url,
        capacity=capacity,
        group_size=work_session.group_size,
        language=work_session.language,
        place=place,
    )
    taken = (
        session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.session_id == work_session.id, Registration.cancelled_at.is_(None))
        )
        or 0
    )
    if capacity is not None and capacity >= 1 and capacity < taken:
        problems.append(
            Problem(
                N_("%(taken)s people are signed up already; the capacity cannot be lower"),
                field="capacity",
                params={"taken": taken},
            )
        )
    if problems:
        raise InputError(problems)
    place = (place or "").strip() or None
    online_url = (online_url or "").strip() or None
    before = {
        "title": work_session.title,
        "question": work_session.question,
        "time": (work_session.starts_at, work_session.ends_at),
        "place": (work_session.place, work_session.online_url),
        "capacity": work_session.capacity,
    }
    after = {
        "title": title.strip(),
        "question": question.strip(),
        "time": (starts_at, ends_at),
        "place": (place, online_url),
        "capacity": capacity,
    }
    changed = [field for field in before if before[field] != after[field]]
    if not changed:
        return []
    work_session.title, work_session.question = title.strip(), question.strip()
    work_session.starts_at, work_session.ends_at = starts_at, ends_at
    work_session.place, work_session.online_url = place, online_url
    work_session.capacity = capacity
    work_session.updated_at = utcnow()
    visible = [field for field in changed if field != "capacity"]
    if visible and work_session.status != Status.DRAFT:
        work_session.sequence += 1
        notifications.notify(
            session,
            "session_changed",
            _signed_up(session, work_session),
            {**session_params(work_session), "changed": visible},
        )
    session.flush()
    record(session, actor, "session.edit", "work_session", work_session.id, changed=changed)
    session_changed(session, work_session, "edit")
    return changed


def cancel_session(session: Session, work_session: WorkSession, reason: str, *, actor: Member) -> None:
    """Call the session off, with a reason the signed-up members get by mail."""
    require_session_host(session, actor, work_session)
    lock_session(session, work_session)
    reason = reason.strip()
    if not lifecycle.can_cancel(work_session.status):
        raise InputError(
            N_("session %(session)s cannot be cancelled now (status %(status)s)"),
            params={"session": work_session.id, "status": work_session.status},
        )
    if not reason:
        raise InputError([Problem(N_("say why the session is cancelled"), field="reason")])
    if len(reason) > REASON_LIMIT:
        raise InputError([Problem(N_("the reason holds at most 1,000 characters"), field="reason")])
    was_draft = work_session.status == Status.DRAFT
    work_session.status = Status.CANCELLED
    work_session.cancel_reason = reason
    work_session.sequence += 1
    work_session.updated_at = utcnow()
    if not was_draft:
        notifications.notify(
            session,
            "session_changed",
            _signed_up(session, work_session),
            {**session_params(work_session), "cancelled": True, "reason": reason},
        )
    session.flush()
    record(session, actor, "session.cancel_session", "work_session", work_session.id, reason=reason)
    session_changed(session, work_session, "phase")


def open_session(session: Session, work_session: WorkSession, *, actor: Member) -> None:
    """A draft becomes visible to members, who can sign up from now on."""
    require_session_host(session, actor, work_session)
    if work_session.status != Status.DRAFT:
        raise InputError(N_("session %(session)s is not a draft"), params={"session": work_session.id})
    work_session.status = Status.OPEN
    work_session.updated_at = utcnow()
    record(session, actor, "session.open", "work_session", work_session.id)


def set_public(session: Session, work_session: WorkSession, public: bool, *, actor: Member) -> None:
    """Make a published outcome a public page (and an entry in the network's Atom feed), or private again."""
    require_session_host(session, actor, work_session)
    if public and work_session.status != Status.PUBLISHED:
        raise InputError(N_("publish the outcome before making it public"))
    if public and work_session.public_at is None:
        work_session.public_at = utcnow()
    elif not public:
        work_session.public_at = None
    record(session, actor, "session.public" if public else "session.private", "work_session", work_session.id)


def _own_input(session: Session, actor: Member, contribution: Contribution) -> WorkSession:
    work_session = session.get(WorkSession, contribution.session_id)
    assert work_session is not None
    lock_session(session, work_session)
    if contribution.author_id is None or contribution.author_id != actor.id:
        raise PermissionDenied(N_("you can only change your own input"))
    if not lifecycle.own_input_editable(work_session.status):
        raise InputError(N_("the synthesis has been made; input can no longer be changed"))
    return work_session


def edit_contribution(session: Session, contribution: Contribution, text: str, *, actor: Member) -> None:
    work_session = _own_input(session, actor, contribution)
    text = text.strip()
    if not text:
        raise InputError([Problem(N_("the input is empty"), field="text")])
    if len(text) > 2000:
        raise InputError(
            [Problem(N_("one contribution holds at most 2,000 characters; split it up"), field="text")]
        )
    contribution.text = text
    contribution.edited_at = utcnow()
    session.flush()
    record(session, actor, "contribution.edit", "work_session", work_session.id, contribution=contribution.id)
    contribution_added(session, work_session, contribution)


def delete_contribution(session: Session, contribution: Contribution, *, actor: Member) -> None:
    work_session = _own_input(session, actor, contribution)
    contribution_id, group_id = contribution.id, contribution.group_id
    session.delete(contribution)
    session.flush()
    record(
        session, actor, "contribution.delete", "work_session", work_session.id, contribution=contribution_id
    )
    input_changed(session, work_session, group_id)

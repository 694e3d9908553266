"""The live room: joining a work session by its code (members at once, anyone else as a guest), the door
list (check-in, walk-ins), late arrivals seated in locked groups, table hosts, and the guests' data rules
(docs/guests.md): kept for the session only, deleted after the keeping time unless the guest became a member.

Every change that two people can make at the same moment (the last place, Join pressed twice, seating the
late arrivals from two screens) first takes the session's row lock
(:func:`werkkring.store.locks.lock_session`), so the second one sees what the first one did."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from werkkring import lifecycle, limits, queue
from werkkring.actions import sessions as session_actions
from werkkring.actions._announce import session_changed
from werkkring.actions._audit import record
from werkkring.actions.permissions import SYSTEM, Actor, require_session_host
from werkkring.engines import grouping
from werkkring.errors import N_, ConstraintError, InputError, PermissionDenied, Problem
from werkkring.queries import room as room_queries
from werkkring.queries.sessions import (
    active_registrations,
    current_round,
    group_of,
    met_before,
    mix_records,
    participants,
)
from werkkring.store.locks import lock_session
from werkkring.store.models import (
    BreakoutGroup,
    Guest,
    Member,
    Registration,
    RoundSeat,
    Seat,
    WorkSession,
    utcnow,
)


@dataclass(frozen=True)
class Seating:
    """Who was seated where (member id, group number), and who could not be (member id, reason)."""

    placed: tuple[tuple[int, int], ...]
    unplaced: tuple[tuple[int, Problem], ...]


GUEST_EMAIL_DOMAIN = "guests.invalid"
# The job kind that mails a guest's invitation; its handler lives in werkkring.jobs.guests.
GUEST_INVITE_KIND = "mail.guest_invite"
"""A guest's Member row carries a placeholder address in this reserved domain (RFC 2606): no mail ever
reaches it, and no sign-in link can be sent to it. The address a guest gives is kept on the Guest row."""


def _require_joinable(work_session: WorkSession) -> None:
    if not room_queries.code_is_open(work_session):
        raise InputError(
            N_("the code %(code)s no longer works: this session has ended"),
            params={"code": work_session.join_code},
        )


# ---------------------------------------------------------------- joining


def join(session: Session, work_session: WorkSession, *, actor: Member) -> Registration:
    """A signed-in member joins by the session's code: signed up (and seated when the groups are locked
    already, see :func:`seat_arrivals`, by the host). Joining again changes nothing."""
    if actor.guest_of is not None:
        raise PermissionDenied(N_("a guest joins only the session they were invited to"))
    _require_joinable(work_session)
    lock_session(session, work_session)
    registration = session_actions.register(session, work_session, actor=actor)
    record(session, actor, "session.join", "work_session", work_session.id, by="code")
    session_changed(session, work_session, "arrival", member=actor.id)
    return registration


def join_as_guest(
    session: Session,
    work_session: WorkSession,
    *,
    name: str,
    email: str = "",
    consent: bool = False,
    token: str = "",
    language: str = "nl",
    walk_in: bool = False,
) -> Member:
    """Someone without an account joins as a guest of this session only, with a name and (if they like) an
    e-mail address, which is kept only when they tick the one consent line.

    ``token`` is the join form's one-time token: the same form sent twice gives the same guest."""
    if not work_session.guests_allowed and not walk_in:
        raise InputError(N_("this session does not take guests; sign in to join"))
    _require_joinable(work_session)
    cleaned = limits.require(limits.GUEST, {"name": name, "email": email.strip() or None})
    problems = []
    if not cleaned["name"]:
        problems.append(Problem(N_("give your name, so your group knows who you are"), field="name"))
    if cleaned["email"] and not consent:
        problems.append(
            Problem(N_("tick the line about your e-mail address, or leave the address out"), field="email")
        )
    if problems:
        raise InputError(problems)
    lock_session(session, work_session)
    if token:
        earlier = session.scalar(select(Guest).where(Guest.join_token == token))
        if earlier is not None:
            if earlier.session_id != work_session.id:
                raise InputError(N_("this join form belongs to another session; open the code again"))
            return earlier.member
    session_actions.require_place(session, work_session)
    member = Member(
        name=cleaned["name"],
        email=f"guest-{secrets.token_hex(12)}@{GUEST_EMAIL_DOMAIN}",
        country="NL",
        language=language if language in ("nl", "en") else work_session.language,
        guest_of=work_session.id,
        newsletter=False,
        intro_opt_in=False,
        visibility={field: "private" for field in ("email", "region", "country", "age_band", "joined_on")},
    )
    session.add(member)
    session.flush()
    session.add(
        Guest(
            member_id=member.id,
            session_id=work_session.id,
            email=cleaned["email"] if consent else None,
            email_consent=bool(cleaned["email"] and consent),
            walk_in=walk_in,
            join_token=token or None,
        )
    )
    session.add(Registration(session_id=work_session.id, member_id=member.id))
    if walk_in:
        session.flush()
        registration = session.get(Registration, (work_session.id, member.id))
        assert registration is not None
        registration.checked_in_at = utcnow()
    session.flush()
    record(session, SYSTEM, "session.guest_join", "work_session", work_session.id, guest=member.id)
    session_changed(session, work_session, "arrival", member=member.id)
    return member


def allow_guests(session: Session, work_session: WorkSession, allowed: bool, *, actor: Member) -> None:
    """The host switches guests on or off for this session (those who joined stay)."""
    require_session_host(session, actor, work_session)
    work_session.guests_allowed = allowed
    record(session, actor, "session.guests", "work_session", work_session.id, allowed=allowed)


# ---------------------------------------------------------------- the door


def check_in(
    session: Session, work_session: WorkSession, member_id: int, present: bool = True, *, actor: Member
) -> Registration:
    """The host ticks someone off at the door (or takes the tick back)."""
    require_session_host(session, actor, work_session)
    registration = session.get(Registration, (work_session.id, member_id))
    if registration is None or registration.cancelled_at is not None:
        raise InputError(
            N_("member %(member)s is not signed up for this session"), params={"member": member_id}
        )
    registration.checked_in_at = utcnow() if present else None
    record(
        session, actor, "session.check_in", "work_session", work_session.id, member=member_id, present=present
    )
    session_changed(session, work_session, "door", member=member_id)
    return registration


def walk_in(
    session: Session,
    work_session: WorkSession,
    *,
    name: str = "",
    member_id: int | None = None,
    actor: Member,
) -> Registration:
    """Someone at the door who did not sign up: a member (found in the search) is signed up and ticked
    off; anyone else by name becomes a walk-in guest of this session (even when guests cannot join by code,
    since the host lets them in)."""
    require_session_host(session, actor, work_session)
    if member_id is not None:
        member = session.get(Member, member_id)
        if member is None or member.guest_of is not None:
            raise InputError(N_("no member with id %(id)s"), params={"id": member_id})
        lock_session(session, work_session)
        session_actions.register(session, work_session, actor=member)
    else:
        member = join_as_guest(session, work_session, name=name, walk_in=True)
    registration = session.get(Registration, (work_session.id, member.id))
    assert registration is not None
    registration.checked_in_at = utcnow()
    record(session, actor, "session.walk_in", "work_session", work_session.id, member=member.id)
    return registration


def seat_arrivals(
    session: Session,
    work_session: WorkSession,
    member_ids: Sequence[int] | None = None,
    *,
    actor: Member,
) -> Seating:
    """Seat people who are signed up but have no seat (late arrivals after the lock) in the existing
    groups (the grouping engine's ``place_arrivals``): each goes where the mix suffers least, a group holds
    at most one more than the session's group size, table hosts go where hosts are fewest, a pinned table
    host to their group; nobody already seated moves. ``member_ids`` None seats everyone not seated yet.
    Seating twice at once seats each person once (the second finds them seated)."""
    require_session_host(session, actor, work_session)
    lock_session(session, work_session)
    groups = room_queries.round_groups(session, work_session)
    if not groups:
        raise InputError(N_("form the groups before seating late arrivals"))
    waiting = room_queries.not_seated(session, work_session)
    if member_ids is not None:
        wanted = set(member_ids)
        waiting = [m for m in waiting if m.id in wanted]
    if not waiting:
        return Seating((), ())
    number_of = {g.id: g.number for g in groups}
    seats = session.scalars(select(Seat).where(Seat.session_id == work_session.id)).all()
    seated = {seat.member_id: number_of[seat.group_id] for seat in seats if seat.group_id in number_of}
    everyone = participants(session, work_session)
    people = [m for m in everyone if m.id in seated] + waiting
    records = mix_records(session, people, work_session)
    registrations = {r.member_id: r for r in active_registrations(session, work_session)}
    for row in records:
        registration = registrations.get(int(str(row["id"])))
        if registration is not None and registration.table_host:
            row["role"] = "host"
    pins = {
        str(m.id): registrations[m.id].host_group - 1  # type: ignore[operator]
        for m in waiting
        if registrations[m.id].table_host
        and registrations[m.id].host_group is not None
        and registrations[m.id].host_group <= len(groups)  # type: ignore[operator]
    }
    sizes = [sum(1 for n in seated.values() if n == g.number) for g in groups]
    result = grouping.place_arrivals(
        grouping.Participants.from_records(
            records, numeric=("age",), categorical=("tenure", "region", "circle"), role_key="role"
        ),
        {str(m): n - 1 for m, n in seated.items()},
        [str(m.id) for m in waiting],
        groups=len(groups),
        capacity=[max(work_session.group_size + 1, size) for size in sizes],
        fixed=pins,
        history=met_before(session, [m.id for m in people], exclude_session=work_session.id),
        partial=True,
    )
    placed: list[tuple[int, int]] = []
    for member_id_text, index in result.placed.items():
        group = groups[index]
        session.add(
            Seat(session_id=work_session.id, group_id=group.id, member_id=int(member_id_text), fixed=True)
        )
        placed.append((int(member_id_text), group.number))
    session.flush()
    record(session, actor, "session.seat_arrivals", "work_session", work_session.id, seated=len(placed))
    if placed:
        session_changed(
            session,
            work_session,
            "seated",
            members=[m for m, _ in placed],
            groups=sorted({groups[index].id for index in result.placed.values()}),
        )
    return Seating(tuple(placed), tuple((int(u.id), u.reason) for u in result.unplaced))


def start_next_round(
    session: Session, work_session: WorkSession, *, actor: Member, seed: int = 0
) -> list[BreakoutGroup]:
    """World café: end the current round and seat everyone present in the groups of the next one (the
    grouping engine's ``next_round``): nobody sits with someone they met in an earlier round where that is
    possible, table hosts stay at their table. The finished round keeps its groups and its input (the
    synthesis sees every round); the new groups go on numbering after the last ones and are locked at once."""
    require_session_host(session, actor, work_session)
    lock_session(session, work_session)
    if not lifecycle.can_form_groups(work_session.status):
        raise InputError(
            N_("session %(session)s cannot start another round in status %(status)s"),
            params={"session": work_session.id, "status": work_session.status},
        )
    current = current_round(session, work_session)
    groups = room_queries.round_groups(session, work_session, current)
    if not groups or not all(g.locked for g in groups):
        raise InputError(
            N_("lock the groups of round %(round)s before starting the next round"), params={"round": current}
        )
    people = participants(session, work_session)
    if len(people) < 2:
        raise InputError(N_("at least two people must be signed up to form groups"))
    for seat in session.scalars(select(Seat).where(Seat.session_id == work_session.id)):
        session.add(
            RoundSeat(
                session_id=work_session.id, round=current, member_id=seat.member_id, group_id=seat.group_id
            )
        )
    session.flush()
    previous = room_queries.earlier_rounds(session, work_session)
    records = mix_records(session, people, work_session)
    size = max(2, min(work_session.group_size, len(people)))
    try:
        result = grouping.next_round(
            grouping.Participants.from_records(
                records, numeric=("age",), categorical=("tenure", "region", "circle"), role_key="role"
            ),
            [{str(m): table for m, table in seating.items()} for seating in previous],
            size=size,
            hosts_stay=True,
            seed=seed,
            time_limit=10.0,
        )
    except ConstraintError as error:
        raise InputError(
            N_("the groups cannot be formed this way: %(reason)s"), params={"reason": str(error)}
        ) from error
    session.execute(delete(Seat).where(Seat.session_id == work_session.id))
    offset = max(g.number for g in work_session.groups)
    made = []
    for index in range(len(result.sizes)):
        group = BreakoutGroup(
            session_id=work_session.id, number=offset + index + 1, round=current + 1, locked=True
        )
        session.add(group)
        made.append(group)
    session.flush()
    for member, index in zip(people, result.assignment, strict=True):
        session.add(Seat(session_id=work_session.id, group_id=made[int(index)].id, member_id=member.id))
    work_session.groups_locked_at = utcnow()
    session.flush()
    session.refresh(work_session)
    record(session, actor, "session.next_round", "work_session", work_session.id, round=current + 1)
    session_changed(session, work_session, "groups", round=current + 1)
    return made


def set_table_host(
    session: Session,
    work_session: WorkSession,
    member_id: int,
    *,
    host: bool = True,
    group: int | None = None,
    actor: Member,
) -> Registration:
    """Make someone a table host (facilitator), pinned to group ``group`` or (None) spread by the engine
    over the groups when they are formed; a pinned table host who is seated moves to that group now."""
    require_session_host(session, actor, work_session)
    registration = session.get(Registration, (work_session.id, member_id))
    if registration is None or registration.cancelled_at is not None:
        raise InputError(
            N_("member %(member)s is not signed up for this session"), params={"member": member_id}
        )
    if group is not None and not 1 <= group <= 500:
        raise InputError(N_("a group number is between 1 and 500, not %(group)s"), params={"group": group})
    registration.table_host = host
    registration.host_group = group if host else None
    if host and group is not None:
        target = session.scalar(
            select(BreakoutGroup).where(
                BreakoutGroup.session_id == work_session.id, BreakoutGroup.number == group
            )
        )
        seat = session.scalar(
            select(Seat).where(Seat.session_id == work_session.id, Seat.member_id == member_id)
        )
        if target is not None and seat is not None:
            seat.group_id = target.id
            seat.fixed = True
    record(
        session,
        actor,
        "session.table_host",
        "work_session",
        work_session.id,
        member=member_id,
        host=host,
        group=group,
    )
    session_changed(session, work_session, "groups")
    return registration


# ---------------------------------------------------------------- the guests' data


def retention_deadline(work_session: WorkSession, days: int) -> dt.datetime:
    """When a session's guests' data goes: ``days`` after publication, or after the session's start when
    it is never published (cancelled, or left unfinished)."""
    return (work_session.published_at or work_session.starts_at) + dt.timedelta(days=days)


def delete_expired_guests(session: Session, *, days: int, now: dt.datetime | None = None) -> int:
    """Delete every guest whose session's keeping time is over (name, e-mail, seat, sign-up, votes; their
    contributions stay, without author), and guests whose session is gone. Gives the number deleted."""
    now = now or utcnow()
    expired = [
        member_id
        for member_id, published_at, starts_at in session.execute(
            select(Member.id, WorkSession.published_at, WorkSession.starts_at)
            .join(WorkSession, WorkSession.id == Member.guest_of)
            .where(Member.guest_of.is_not(None))
        )
        if (published_at or starts_at) + dt.timedelta(days=days) <= now
    ]
    orphans = list(
        session.scalars(
            select(Member.id).where(
                Member.guest_of.is_not(None), Member.guest_of.not_in(select(WorkSession.id))
            )
        )
    )
    gone = expired + orphans
    for start in range(0, len(gone), 500):
        chunk = gone[start : start + 500]
        session.execute(delete(Guest).where(Guest.member_id.in_(chunk)))
        session.execute(delete(Member).where(Member.id.in_(chunk), Member.guest_of.is_not(None)))
    if gone:
        record(session, SYSTEM, "guests.delete", "member", None, count=len(gone), days=days)
    return len(gone)


def become_member(session: Session, guest: Member, *, email: str, actor: Actor = SYSTEM) -> Member:
    """A guest accepts the invitation to become a member: the same person (their input and seat stay), now
    a member of the network with the address they gave, no longer deleted with the session's guests."""
    if guest.guest_of is None:
        raise InputError(N_("you are a member already"))
    address = limits.require(limits.GUEST, {"email": email})["email"]
    if not address:
        raise InputError(N_("a member needs an e-mail address"))
    taken = session.scalar(
        select(Member.id).where(func.lower(Member.email) == address, Member.id != guest.id)
    )
    if taken is not None:
        raise InputError(
            N_("a member with the address %(email)s exists already; sign in with it"),
            params={"email": address},
        )
    guest.email = address
    guest.guest_of = None
    guest.newsletter = False
    session.execute(delete(Guest).where(Guest.member_id == guest.id))
    record(session, actor, "guest.become_member", "member", guest.id)
    return guest


def invite_guest(session: Session, work_session: WorkSession, member_id: int, *, actor: Member) -> Guest:
    """The host invites a guest who gave their address (with consent) to become a member: a job mails them
    a link, after this transaction commits, to choose a password (:func:`become_member`)."""
    require_session_host(session, actor, work_session)
    guest = session.get(Guest, member_id)
    if guest is None or guest.session_id != work_session.id:
        raise InputError(
            N_("session %(session)s has no guest %(guest)s"),
            params={"session": work_session.id, "guest": member_id},
        )
    if not guest.email or not guest.email_consent:
        raise InputError(N_("this guest gave no e-mail address, so they cannot be invited"))
    if session.scalar(select(Member.id).where(func.lower(Member.email) == guest.email)) is not None:
        raise InputError(
            N_("a member with the address %(email)s exists already; sign in with it"),
            params={"email": guest.email},
        )
    guest.invited_at = utcnow()
    queue.enqueue(session, GUEST_INVITE_KIND, {"member_id": member_id})
    record(session, actor, "guest.invite", "member", member_id, work_session=work_session.id)
    return guest


def my_group_number(session: Session, work_session: WorkSession, member: Member) -> int | None:
    group = group_of(session, work_session, member.id)
    return group.number if group is not None else None


__all__ = [
    "active_registrations",
    "allow_guests",
    "become_member",
    "check_in",
    "delete_expired_guests",
    "invite_guest",
    "join",
    "join_as_guest",
    "seat_arrivals",
    "set_table_host",
    "walk_in",
]

"""Reading the live room: a session by its join code, the phase a participant sees, their own view (their
group, its input, the outcome), the host's door list, who is not seated yet, who cancelled after the lock,
and a session's guests as the host may see them (docs/guests.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from werkkring import lifecycle
from werkkring.errors import N_, InputError, Problem
from werkkring.joincodes import normalise
from werkkring.lifecycle import Status
from werkkring.queries.sessions import (
    active_registrations,
    contributions_of,
    current_round,
    group_of,
    themes_of,
)
from werkkring.queries.votes import round_takes_input, settings_of
from werkkring.store.models import (
    BreakoutGroup,
    Contribution,
    Guest,
    Member,
    Registration,
    RoundSeat,
    Seat,
    Theme,
    WorkSession,
)

PHASES: Final = lifecycle.PHASES

PHASE_LABELS: Final = {
    "signup": N_("Sign-up"),
    "groups": N_("Groups"),
    "input": N_("Input"),
    "synthesis": N_("Synthesis"),
    "published": N_("Published"),
}


def phase_of(work_session: WorkSession) -> str:
    return lifecycle.phase(work_session.status)


def code_is_open(work_session: WorkSession) -> bool:
    """A join code works from the session's creation until it is published or cancelled."""
    return lifecycle.is_live(work_session.status)


def session_by_code(session: Session, code: str) -> WorkSession:
    """The session whose join code ``code`` is (typed leniently); a clear error for a code that cannot be
    one, one that belongs to no session, and one whose session has ended."""
    normal = normalise(code)
    if normal is None:
        shown = code[:20] + ("…" if len(code) > 20 else "")
        raise InputError(
            [
                Problem(
                    N_("%(code)s is not a join code; a join code looks like WAN-4739"),
                    field="code",
                    params={"code": shown},
                )
            ]
        )
    work_session = session.scalar(select(WorkSession).where(WorkSession.join_code == normal))
    if work_session is None:
        raise InputError(
            [
                Problem(
                    N_("no session has the code %(code)s; check the code on the screen or the table card"),
                    field="code",
                    params={"code": normal},
                )
            ]
        )
    return work_session


def guest_record(session: Session, member: Member) -> Guest | None:
    return session.get(Guest, member.id) if member.guest_of is not None else None


# ---------------------------------------------------------------- a participant's own view


@dataclass(frozen=True)
class ParticipantView:
    """What one participant (member or guest) sees of a session: nothing of other groups before the
    outcome is published."""

    session: WorkSession
    phase: str
    registered: bool
    group: BreakoutGroup | None
    mates: Sequence[str]
    table_hosts: Sequence[str]
    my_input: Sequence[Contribution]
    themes: Sequence[Theme]
    takes_input: bool
    checked_in: bool
    round: int = 1
    voting_open: bool = False
    input_closed: bool = False
    """The host closed the input of this participant's round (the session itself still takes input)."""


def participant_view(session: Session, work_session: WorkSession, member: Member) -> ParticipantView:
    registration = session.get(Registration, (work_session.id, member.id))
    registered = registration is not None and registration.cancelled_at is None
    group = group_of(session, work_session, member.id) if registered else None
    mates: list[str] = []
    hosts: list[str] = []
    if group is not None:
        # Names and table-host marks in one query (loading the mates as whole members, and the session's
        # table hosts apart, was a third of a participant's page).
        rows = session.execute(
            select(Member.name, Registration.table_host)
            .select_from(Seat)
            .join(Member, Member.id == Seat.member_id)
            .outerjoin(
                Registration,
                (Registration.session_id == work_session.id)
                & (Registration.member_id == Seat.member_id)
                & Registration.cancelled_at.is_(None),
            )
            .where(Seat.group_id == group.id)
        ).all()
        mates = sorted(name for name, _host in rows)
        hosts = sorted(name for name, host in rows if host)
    published = work_session.status == Status.PUBLISHED
    return ParticipantView(
        session=work_session,
        phase=phase_of(work_session),
        registered=registered,
        group=group,
        mates=mates,
        table_hosts=hosts,
        my_input=contributions_of(session, work_session, group=group) if group is not None else [],
        themes=themes_of(session, work_session) if published else [],
        takes_input=group is not None and round_takes_input(session, work_session, group.round),
        input_closed=group is not None
        and lifecycle.takes_input(work_session.status)
        and not round_takes_input(session, work_session, group.round),
        checked_in=registration is not None and registration.checked_in_at is not None,
        round=group.round if group is not None else 1,
        voting_open=registered and settings_of(session, work_session).voting == "open",
    )


# ---------------------------------------------------------------- the host's door


@dataclass(frozen=True)
class DoorRow:
    member_id: int
    name: str
    guest: bool
    checked_in: bool
    group: int | None
    table_host: bool
    host_group: int | None


def door_list(session: Session, work_session: WorkSession, search: str = "") -> list[DoorRow]:
    """Everyone signed up, by name, with their tick, group and table-host mark; ``search`` narrows it to
    names containing the words typed (any case)."""
    registrations = active_registrations(session, work_session)
    seats = dict(
        session.execute(
            select(Seat.member_id, BreakoutGroup.number)
            .join(BreakoutGroup, Seat.group_id == BreakoutGroup.id)
            .where(Seat.session_id == work_session.id)
        ).all()
    )
    words = search.casefold().split()
    rows = [
        DoorRow(
            member_id=r.member_id,
            name=r.member.name,
            guest=r.member.guest_of is not None,
            checked_in=r.checked_in_at is not None,
            group=seats.get(r.member_id),
            table_host=r.table_host,
            host_group=r.host_group,
        )
        for r in registrations
        if all(word in r.member.name.casefold() for word in words)
    ]
    return sorted(rows, key=lambda row: (row.name.casefold(), row.member_id))


def not_seated(session: Session, work_session: WorkSession) -> list[Member]:
    """Signed up, but in no group: after the groups were formed, the late arrivals, first come first."""
    seated = set(session.scalars(select(Seat.member_id).where(Seat.session_id == work_session.id)))
    return [r.member for r in active_registrations(session, work_session) if r.member_id not in seated]


def cancelled_after_lock(session: Session, work_session: WorkSession) -> list[tuple[Member, Registration]]:
    """Who cancelled after the host locked the groups (their seat is free), latest first."""
    if work_session.groups_locked_at is None:
        return []
    rows = session.scalars(
        select(Registration)
        .where(
            Registration.session_id == work_session.id,
            Registration.cancelled_at.is_not(None),
            Registration.cancelled_at >= work_session.groups_locked_at,
        )
        .options(selectinload(Registration.member))
        .order_by(Registration.cancelled_at.desc())
    ).all()
    return [(r.member, r) for r in rows]


def table_hosts(session: Session, work_session: WorkSession) -> set[int]:
    """The member ids the host made table hosts of this session."""
    return set(
        session.scalars(
            select(Registration.member_id).where(
                Registration.session_id == work_session.id,
                Registration.cancelled_at.is_(None),
                Registration.table_host.is_(True),
            )
        )
    )


def guests_of(session: Session, work_session: WorkSession) -> list[tuple[Member, Guest]]:
    """The session's guests with what they gave (for its host only: the page asks the permission)."""
    rows = session.execute(
        select(Member, Guest)
        .join(Guest, Guest.member_id == Member.id)
        .where(Guest.session_id == work_session.id)
        .order_by(Member.name, Member.id)
    ).all()
    return [(member, guest) for member, guest in rows]


def members_named(
    session: Session, work_session: WorkSession, search: str, *, limit: int = 10
) -> list[Member]:
    """Members of the network (no guests) whose name holds every word typed, not signed up yet: the door's
    walk-in search (names are visible to the whole network)."""
    words = search.casefold().split()[:5]
    if not words:
        return []
    signed_up = select(Registration.member_id).where(
        Registration.session_id == work_session.id, Registration.cancelled_at.is_(None)
    )
    query = select(Member).where(Member.guest_of.is_(None), Member.id.not_in(signed_up))
    for word in words:
        query = query.where(func.lower(Member.name).contains(word, autoescape=True))
    return list(session.scalars(query.order_by(Member.name, Member.id).limit(limit)))


# ---------------------------------------------------------------- rounds


def round_groups(
    session: Session, work_session: WorkSession, round_no: int | None = None
) -> list[BreakoutGroup]:
    """The groups of one round (default: the current one), by number."""
    wanted = current_round(session, work_session) if round_no is None else round_no
    return list(
        session.scalars(
            select(BreakoutGroup)
            .where(BreakoutGroup.session_id == work_session.id, BreakoutGroup.round == wanted)
            .order_by(BreakoutGroup.number)
        )
    )


def earlier_rounds(session: Session, work_session: WorkSession) -> list[dict[int, int]]:
    """Per finished round (in order): member id -> the 0-based table they sat at in that round."""
    rows = session.execute(
        select(RoundSeat.round, RoundSeat.member_id, BreakoutGroup.number)
        .join(BreakoutGroup, BreakoutGroup.id == RoundSeat.group_id)
        .where(RoundSeat.session_id == work_session.id)
        .order_by(RoundSeat.round)
    ).all()
    firsts: dict[int, int] = {}
    for round_no, _, number in rows:
        firsts[round_no] = min(firsts.get(round_no, number), number)
    seating: dict[int, dict[int, int]] = {}
    for round_no, member_id, number in rows:
        seating.setdefault(round_no, {})[member_id] = number - firsts[round_no]
    return [seating[r] for r in sorted(seating)]

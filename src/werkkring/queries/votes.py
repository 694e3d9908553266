"""Reading the dots of a work session: the room's settings, who may vote, the counts per card, a voter's own
dots, the votes as the synthesis engine takes them, and each theme's support (distinct voters and from how
many groups), all through one rule each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from werkkring import lifecycle
from werkkring.engines.synthesis import Vote as EngineVote
from werkkring.store.models import (
    BreakoutGroup,
    Contribution,
    Member,
    Registration,
    RoomSettings,
    Seat,
    Vote,
    WorkSession,
)

DEFAULT_DOTS = 3
MAX_DOTS = 10


@dataclass(frozen=True)
class Voter:
    """Who puts a dot: a member, or a guest of the session (joined by code). One of the two ids is set."""

    member_id: int | None = None
    guest_id: int | None = None

    def __post_init__(self) -> None:
        if (self.member_id is None) == (self.guest_id is None):
            raise ValueError("a voter is a member or a guest: give exactly one id")

    @classmethod
    def member(cls, member: Member) -> Voter:
        return cls(member_id=member.id)

    @classmethod
    def guest(cls, guest_id: int) -> Voter:
        return cls(guest_id=guest_id)

    @property
    def key(self) -> str:
        return f"m:{self.member_id}" if self.member_id is not None else f"g:{self.guest_id}"


@dataclass(frozen=True)
class Support:
    """A theme's support from the dots: distinct voters over its cards, and the groups those voters sit in."""

    voters: int = 0
    groups: tuple[int, ...] = ()


def settings_of(session: Session, work_session: WorkSession) -> RoomSettings:
    """The room's settings as stored, or the defaults (3 dots, voting not open yet) when the host set none."""
    stored = session.get(RoomSettings, work_session.id)
    if stored is not None:
        return stored
    return RoomSettings(session_id=work_session.id, dots=DEFAULT_DOTS, voting="closed", input_closed_round=0)


def round_takes_input(session: Session, work_session: WorkSession, round_no: int) -> bool:
    """Whether participants may add input to a group of this round: the session takes input and the host
    has not closed this round's input."""
    if not lifecycle.takes_input(work_session.status):
        return False
    return round_no > settings_of(session, work_session).input_closed_round


def is_participant(session: Session, work_session: WorkSession, voter: Voter) -> bool:
    """A member signed up (not cancelled) or seated in the session; a guest is checked where guests live
    (the join-by-code door hands out a guest voter only for its own session)."""
    if voter.member_id is None:
        return True
    registration = session.get(Registration, (work_session.id, voter.member_id))
    if registration is not None and registration.cancelled_at is None:
        return True
    return (
        session.scalar(
            select(Seat.id).where(Seat.session_id == work_session.id, Seat.member_id == voter.member_id)
        )
        is not None
    )


def spent(session: Session, work_session: WorkSession, voter: Voter) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Vote)
            .where(Vote.session_id == work_session.id, Vote.voter == voter.key)
        )
        or 0
    )


def used_slots(session: Session, work_session: WorkSession, voter: Voter) -> set[int]:
    return set(
        session.scalars(select(Vote.slot).where(Vote.session_id == work_session.id, Vote.voter == voter.key))
    )


def most_spent(session: Session, work_session: WorkSession) -> int:
    """The most dots any one voter has put down in the session (a lower allowance would strand theirs)."""
    per_voter = (
        select(func.count().label("n"))
        .where(Vote.session_id == work_session.id)
        .group_by(Vote.voter)
        .subquery()
    )
    return int(session.scalar(select(func.max(per_voter.c.n))) or 0)


def my_cards(session: Session, work_session: WorkSession, voter: Voter) -> set[int]:
    """The ids of the cards this voter put a dot on."""
    return set(
        session.scalars(
            select(Vote.contribution_id).where(Vote.session_id == work_session.id, Vote.voter == voter.key)
        )
    )


def has_voted(session: Session, work_session: WorkSession, voter: Voter, contribution_id: int) -> bool:
    return (
        session.scalar(
            select(Vote.id).where(
                Vote.session_id == work_session.id,
                Vote.voter == voter.key,
                Vote.contribution_id == contribution_id,
            )
        )
        is not None
    )


def counts(session: Session, work_session: WorkSession) -> dict[int, int]:
    """Dots per card id (cards without a dot left out)."""
    rows = session.execute(
        select(Vote.contribution_id, func.count())
        .where(Vote.session_id == work_session.id)
        .group_by(Vote.contribution_id)
    ).all()
    return {int(card): int(n) for card, n in rows}


def count_of(session: Session, work_session: WorkSession, contribution_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Vote)
            .where(Vote.session_id == work_session.id, Vote.contribution_id == contribution_id)
        )
        or 0
    )


@dataclass(frozen=True)
class Tally:
    dots: int
    voters: int


def tally(session: Session, work_session: WorkSession) -> Tally:
    """How many dots are down in the session, and from how many people."""
    row = session.execute(
        select(func.count(), func.count(func.distinct(Vote.voter))).where(Vote.session_id == work_session.id)
    ).one()
    return Tally(int(row[0] or 0), int(row[1] or 0))


def cards(session: Session, work_session: WorkSession) -> list[tuple[Contribution, int | None]]:
    """Every card that can take a dot, with its group number: the contributions of all groups and the
    proposals, by group and then in the order they came in."""
    rows = session.execute(
        select(Contribution, BreakoutGroup.number)
        .outerjoin(BreakoutGroup, BreakoutGroup.id == Contribution.group_id)
        .where(Contribution.session_id == work_session.id)
        .order_by(BreakoutGroup.number.is_(None), BreakoutGroup.number, Contribution.id)
    ).all()
    return [(contribution, number) for contribution, number in rows]


def _voter_groups(session: Session, work_session: WorkSession) -> dict[str, int]:
    """The group number each voter sits in (members by their seat)."""
    rows = session.execute(
        select(Seat.member_id, BreakoutGroup.number)
        .join(BreakoutGroup, BreakoutGroup.id == Seat.group_id)
        .where(Seat.session_id == work_session.id)
    ).all()
    return {f"m:{member_id}": int(number) for member_id, number in rows}


def for_synthesis(
    session: Session, work_session: WorkSession, contributions: Sequence[Contribution]
) -> list[EngineVote]:
    """The session's dots as the synthesis engine takes them: by the card's position in ``contributions``,
    with the voter's group, so a theme's support counts distinct voters and their groups."""
    position = {c.id: i for i, c in enumerate(contributions)}
    groups = _voter_groups(session, work_session)
    rows = session.execute(
        select(Vote.contribution_id, Vote.voter).where(Vote.session_id == work_session.id).order_by(Vote.id)
    ).all()
    return [
        EngineVote(position[card], voter, str(groups[voter]) if voter in groups else None)
        for card, voter in rows
        if card in position
    ]


def theme_support(session: Session, work_session: WorkSession) -> dict[int, Support]:
    """Each theme's support as the host's themes stand now (the cards under each theme, as the host left
    them): distinct voters over its cards and the groups those voters sit in. Themes without dots left out."""
    groups = _voter_groups(session, work_session)
    rows = session.execute(
        select(Contribution.theme_id, Vote.voter)
        .join(Contribution, Contribution.id == Vote.contribution_id)
        .where(Vote.session_id == work_session.id, Contribution.theme_id.is_not(None))
        .distinct()
    ).all()
    voters: dict[int, set[str]] = {}
    for theme_id, voter in rows:
        if theme_id is not None:
            voters.setdefault(theme_id, set()).add(voter)
    return {
        theme_id: Support(
            voters=len(people), groups=tuple(sorted({groups[v] for v in people if v in groups}))
        )
        for theme_id, people in voters.items()
    }

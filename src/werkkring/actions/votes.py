"""Dot voting in a work session: the host sets how many dots each participant gets and opens and closes the
voting; a participant (member or guest) puts a dot on any card of the session (a contribution of any group,
or a proposal) and may take it back.

The rules hold at the same moment too. Each of a voter's dots is a numbered slot (1..dots) with a unique
constraint, and so is (voter, card): two requests spending the last dot at once, or two tabs voting the same
card at once, collide in the database, and :func:`cast_vote` runs the loser again, which then finds the dot
spent or the card voted and says so. Every change announces the card's new count on the session's live
channel in the same transaction (``session:ID:votes``; the voting's state on ``session:ID``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from werkkring import lifecycle, live
from werkkring.actions._announce import session_changed
from werkkring.actions._audit import record
from werkkring.actions.permissions import Actor, System, require_session_host
from werkkring.errors import N_, InputError, PermissionDenied
from werkkring.queries import votes as vote_queries
from werkkring.queries.sessions import current_round, get_session
from werkkring.queries.votes import MAX_DOTS, Voter
from werkkring.store import Database
from werkkring.store.locks import lock_session, retried
from werkkring.store.models import Contribution, Member, RoomSettings, Vote, WorkSession

T = TypeVar("T")
ATTEMPTS = MAX_DOTS + 2  # each retry finds one more dot spent: never more than the dots plus one
# Sessions in which the dots are down for good: no voting, no taking back.


@dataclass(frozen=True)
class Cast:
    """After a dot went down or came back: the card's count and the voter's dots left."""

    card: int
    count: int
    left: int
    dots: int


def channel(work_session: WorkSession | int) -> str:
    """Everyone following the session: the voting opened or closed, the timer."""
    session_id = work_session if isinstance(work_session, int) else work_session.id
    return f"session:{session_id}"


def votes_channel(work_session: WorkSession | int) -> str:
    """Each dot's new count: only the pages that show counts (the vote page, the projector) listen, so a dot
    does not wake every phone in the hall."""
    return f"{channel(work_session)}:votes"


def _settings_row(session: Session, work_session: WorkSession) -> RoomSettings:
    stored = session.get(RoomSettings, work_session.id)
    if stored is None:
        stored = RoomSettings(session_id=work_session.id, dots=vote_queries.DEFAULT_DOTS, voting="closed")
        session.add(stored)
    return stored


def _require_host(session: Session, actor: Actor, work_session: WorkSession) -> None:
    if not isinstance(actor, System):
        require_session_host(session, actor, work_session)


def set_dots(session: Session, work_session: WorkSession, dots: int, *, actor: Actor) -> RoomSettings:
    """How many dots each participant gets (1-10). Not below what someone already spent: their dots stay."""
    _require_host(session, actor, work_session)
    if not 1 <= dots <= MAX_DOTS:
        raise InputError(
            N_("each participant gets between 1 and %(max)s dots, not %(dots)s"),
            params={"max": MAX_DOTS, "dots": dots},
        )
    spent = vote_queries.most_spent(session, work_session)
    if dots < spent:
        raise InputError(
            N_("someone has already spent %(spent)s dots; give at least %(spent)s"), params={"spent": spent}
        )
    row = _settings_row(session, work_session)
    row.dots = dots
    session.flush()
    live.publish(session, channel(work_session), {"type": "voting", "voting": row.voting, "dots": dots})
    record(session, actor, "votes.dots", "work_session", work_session.id, dots=dots)
    return row


def open_voting(session: Session, work_session: WorkSession, *, actor: Actor) -> RoomSettings:
    """Participants may put their dots down from now on (also again after the host closed it)."""
    _require_host(session, actor, work_session)
    lock_session(session, work_session)  # two presses at once: the second finds it open
    if not lifecycle.can_vote(work_session.status):
        raise InputError(
            N_("voting can start once there is input, not in status %(status)s"),
            params={"status": work_session.status},
        )
    if not vote_queries.cards(session, work_session):
        raise InputError(N_("there are no cards to vote on yet"))
    row = _settings_row(session, work_session)
    if row.voting == "open":
        raise InputError(N_("voting is open already"))
    row.voting = "open"
    session.flush()
    live.publish(session, channel(work_session), {"type": "voting", "voting": "open", "dots": row.dots})
    record(session, actor, "votes.open", "work_session", work_session.id)
    return row


def close_voting(session: Session, work_session: WorkSession, *, actor: Actor) -> RoomSettings:
    _require_host(session, actor, work_session)
    lock_session(session, work_session)
    row = _settings_row(session, work_session)
    if row.voting != "open":
        raise InputError(N_("voting is not open"))
    row.voting = "ended"
    session.flush()
    live.publish(session, channel(work_session), {"type": "voting", "voting": "ended", "dots": row.dots})
    record(session, actor, "votes.close", "work_session", work_session.id)
    return row


def close_input(session: Session, work_session: WorkSession, *, actor: Actor) -> RoomSettings:
    """The host closes the input of the current round: participants' phones show it is closed and a post
    sent after it (an open page, Send pressed late) is refused with that message. The host may still type
    up what a table wrote on paper. A world café's next round opens with its own groups."""
    _require_host(session, actor, work_session)
    lock_session(session, work_session)  # two presses at once: the second finds it closed
    if not lifecycle.takes_input(work_session.status):
        raise InputError(
            N_("session %(session)s does not take input now (status %(status)s)"),
            params={"session": work_session.id, "status": work_session.status},
        )
    row = _settings_row(session, work_session)
    current = current_round(session, work_session)
    if row.input_closed_round >= current:
        raise InputError(N_("the input of round %(round)s is closed already"), params={"round": current})
    row.input_closed_round = current
    session.flush()
    record(session, actor, "input.close", "work_session", work_session.id, round=current)
    session_changed(session, work_session, "input", closed_round=current)
    return row


def reopen_input(session: Session, work_session: WorkSession, *, actor: Actor) -> RoomSettings:
    """The host opens the current round's input again (closed too early)."""
    _require_host(session, actor, work_session)
    lock_session(session, work_session)
    row = _settings_row(session, work_session)
    current = current_round(session, work_session)
    if row.input_closed_round < current:
        raise InputError(N_("the input of round %(round)s is open"), params={"round": current})
    row.input_closed_round = current - 1
    session.flush()
    record(session, actor, "input.reopen", "work_session", work_session.id, round=current)
    session_changed(session, work_session, "input", closed_round=current - 1)
    return row


def _may_vote(session: Session, work_session: WorkSession, voter: Voter) -> RoomSettings:
    settings = vote_queries.settings_of(session, work_session)
    if not lifecycle.is_live(work_session.status) or settings.voting == "ended":
        raise InputError(N_("voting is closed; your dots stay as they are"))
    if settings.voting != "open":
        raise InputError(N_("voting has not started yet; the host opens it"))
    if not vote_queries.is_participant(session, work_session, voter):
        raise PermissionDenied(N_("only the participants of this session can vote"))
    return settings


def _card(session: Session, work_session: WorkSession, contribution_id: int) -> Contribution:
    # Locked (PostgreSQL; SQLite writes one at a time anyway): votes on one card are counted in turn.
    card = session.scalar(select(Contribution).where(Contribution.id == contribution_id).with_for_update())
    if card is None or card.session_id != work_session.id:
        raise InputError(N_("card %(card)s is not part of this session"), params={"card": contribution_id})
    return card


def _actor_of(session: Session, voter: Voter) -> Member | None:
    return session.get(Member, voter.member_id) if voter.member_id is not None else None


def cast(session: Session, work_session: WorkSession, contribution_id: int, *, voter: Voter) -> Cast:
    """Put one of ``voter``'s dots on a card. In the caller's transaction: when two arrive at the same moment
    one of them fails at commit with IntegrityError; :func:`cast_vote` runs it again."""
    settings = _may_vote(session, work_session, voter)
    card = _card(session, work_session, contribution_id)
    if vote_queries.has_voted(session, work_session, voter, card.id):
        raise InputError(N_("this card already has your dot"))
    used = vote_queries.used_slots(session, work_session, voter)
    free = [slot for slot in range(1, settings.dots + 1) if slot not in used]
    if not free:
        raise InputError(
            N_("you have spent all your %(dots)s dots; take one back to move it"),
            params={"dots": settings.dots},
        )
    session.add(
        Vote(
            session_id=work_session.id,
            contribution_id=card.id,
            voter=voter.key,
            member_id=voter.member_id,
            guest_id=voter.guest_id,
            slot=free[0],
        )
    )
    session.flush()
    # The slot's constraint guarantees no one else spent this dot: what is left follows without a read.
    left = settings.dots - len(used) - 1
    return _announce(session, work_session, voter, card.id, settings.dots, left, "votes.cast")


def take_back(session: Session, work_session: WorkSession, contribution_id: int, *, voter: Voter) -> Cast:
    """Take the voter's dot off a card (while voting is open); the dot can go elsewhere."""
    settings = _may_vote(session, work_session, voter)
    card = _card(session, work_session, contribution_id)
    removed = session.execute(
        delete(Vote).where(
            Vote.session_id == work_session.id, Vote.voter == voter.key, Vote.contribution_id == card.id
        )
    )
    if not getattr(removed, "rowcount", 0):
        raise InputError(N_("this card has no dot of yours"))
    left = settings.dots - vote_queries.spent(session, work_session, voter)
    return _announce(session, work_session, voter, card.id, settings.dots, left, "votes.take_back")


def _announce(
    session: Session, work_session: WorkSession, voter: Voter, card: int, dots: int, left: int, action: str
) -> Cast:
    # Kept short: on SQLite the write lock is held from the first write to the commit.
    count = vote_queries.count_of(session, work_session, card)
    live.publish(session, votes_channel(work_session), {"type": "votes", "card": card, "count": count})
    record(
        session,
        _actor_of(session, voter),
        action,
        "work_session",
        work_session.id,
        card=card,
        voter=voter.key,
    )
    return Cast(card, count, left, dots)


def _again(database: Database, work: Callable[[Session], T]) -> T:
    """``work`` in a transaction, again when someone else's dot came first (a unique constraint, or SQLite's
    write lock on a loaded machine): it then sees that dot."""
    return retried(
        database,
        work,
        attempts=ATTEMPTS,
        gave_up=lambda: InputError(N_("many dots at once: please try again")),
    )


def cast_vote(database: Database, session_id: int, contribution_id: int, *, voter: Voter) -> Cast:
    """:func:`cast` in its own transaction, run again when a dot spent at the same moment came first."""
    return _again(database, lambda s: cast(s, get_session(s, session_id), contribution_id, voter=voter))


def take_back_vote(database: Database, session_id: int, contribution_id: int, *, voter: Voter) -> Cast:
    return _again(database, lambda s: take_back(s, get_session(s, session_id), contribution_id, voter=voter))

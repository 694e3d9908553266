"""Introduce us, with double opt-in: a member asks to be introduced to another (from a suggestion or a
profile), the other side gets a mail and says yes or no in the app, and when both said yes both get an
introduction mail with what each offers and needs. The introduction is an :class:`Introduction` row like those
of the introduction rounds, so suggestions and rounds leave the pair out from then on.

Two people can act at the same moment: both ask each other (one open request per pair, ``open_pair`` is
unique; the second ask is the other's yes), or one says yes in two tabs. The states only move forward by
conditional updates, so the introduction mails go out exactly once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from werkkring import limits
from werkkring.actions._audit import record
from werkkring.errors import N_, InputError, NotFoundError, PermissionDenied
from werkkring.queries.connections import between
from werkkring.queue import enqueue
from werkkring.store import Database
from werkkring.store.locks import retried
from werkkring.store.models import Introduction, Member, utcnow

# The job kinds this module enqueues; their handlers live in werkkring.jobs.introductions.
REQUEST_MAIL_KIND = "mail.introduction_request"
INTRODUCED_MAIL_KIND = "mail.introduction_made"
T = TypeVar("T")
ATTEMPTS = 5


def pair_key(one: int, other: int) -> str:
    low, high = sorted((one, other))
    return f"{low}-{high}"


def ask(session: Session, other_id: int, *, actor: Member, reason: str = "") -> Introduction:
    """The actor asks to be introduced to ``other_id``; their yes is given by asking. When the other side had
    asked already, this is the other side's yes and the introduction is made."""
    if actor.guest_of is not None:
        raise PermissionDenied(N_("only members of the network ask for introductions"))
    if actor.id == other_id:
        raise InputError(N_("you cannot be introduced to yourself"))
    other = session.get(Member, other_id)
    if other is None or other.guest_of is not None:
        raise NotFoundError(N_("member %(id)s does not exist"), params={"id": other_id})
    reason = limits.require(limits.INTRODUCTION, {"reason": reason.strip() or None}).get("reason") or ""
    existing = between(session, actor.id, other_id)
    if existing is not None:
        return _ask_again(session, actor, existing)
    if not other.intro_opt_in:
        raise InputError(N_("%(name)s does not take introductions right now"), params={"name": other.name})
    now = utcnow()
    introduction = Introduction(
        kind="introduction",
        round_no=_current_round(session),
        member_a_id=actor.id,
        member_b_id=other_id,
        requested_by_id=actor.id,
        reason=reason,
        status="proposed",
        a_accepted_at=now,
        open_pair=pair_key(actor.id, other_id),
    )
    # When the other side asks at this very moment, one of the two flushes fails on open_pair and is run
    # again (ask_introduction): it then finds the other's request and says yes to it.
    session.add(introduction)
    session.flush()
    record(session, actor, "introduction.ask", "introduction", introduction.id, other=other_id)
    enqueue(session, REQUEST_MAIL_KIND, {"introduction_id": introduction.id}, requested_by=actor.id)
    return introduction


def _ask_again(session: Session, actor: Member, existing: Introduction) -> Introduction:
    """Asking when the pair has an introduction already: the other side's open request becomes a yes; one's
    own open request stays as it is (no second mail); anything answered before is said so."""
    if existing.status == "proposed" and existing.introduced_at is None:
        if _side(existing, actor) is not None and _accepted(existing, actor):
            return existing  # asked already: waiting for the other side
        return answer(session, existing.id, accept=True, actor=actor)
    if existing.status == "declined":
        raise InputError(N_("this introduction was declined; it is not asked for again"))
    raise InputError(N_("you have already been introduced to each other"))


def _current_round(session: Session) -> int:
    """The round number a request is recorded under: that of the latest round, so a round made after it
    sees the pair as just introduced."""
    return int(session.scalar(select(func.max(Introduction.round_no))) or 1)


def _side(introduction: Introduction, member: Member) -> str | None:
    if introduction.member_a_id == member.id:
        return "a"
    if introduction.member_b_id == member.id:
        return "b"
    return None


def _accepted(introduction: Introduction, member: Member) -> bool:
    side = _side(introduction, member)
    return (introduction.a_accepted_at if side == "a" else introduction.b_accepted_at) is not None


def answer(session: Session, introduction_id: int, *, actor: Member, accept: bool) -> Introduction:
    """The actor says yes or no to an introduction they are part of. Yes from both sides makes it: the
    introduction mails are sent (once, whoever said yes last and however many said it at the same moment)."""
    introduction = session.get(Introduction, introduction_id)
    if introduction is None:
        raise NotFoundError(N_("introduction %(id)s does not exist"), params={"id": introduction_id})
    side = _side(introduction, actor)
    if side is None:
        raise PermissionDenied(N_("only the two people concerned answer an introduction"))
    if introduction.status == "declined":
        raise InputError(N_("this introduction was declined"))
    if introduction.status != "proposed" or introduction.introduced_at is not None:
        if accept:
            return introduction  # made already: a second yes changes nothing
        raise InputError(N_("you have already been introduced to each other"))
    now = utcnow()
    if not accept:
        declined = session.execute(
            update(Introduction)
            .where(Introduction.id == introduction.id, Introduction.introduced_at.is_(None))
            .where(Introduction.status == "proposed")
            .values(status="declined", answered_at=now, open_pair=None)
        )
        session.refresh(introduction)
        if getattr(declined, "rowcount", 0):
            record(session, actor, "introduction.decline", "introduction", introduction.id)
        elif introduction.introduced_at is not None:
            raise InputError(N_("you have already been introduced to each other"))
        return introduction
    column = Introduction.a_accepted_at if side == "a" else Introduction.b_accepted_at
    said = session.execute(
        update(Introduction)
        .where(Introduction.id == introduction.id, column.is_(None), Introduction.status == "proposed")
        .values({column: now})
    )
    made = session.execute(
        update(Introduction)
        .where(
            Introduction.id == introduction.id,
            Introduction.status == "proposed",
            Introduction.introduced_at.is_(None),
            Introduction.a_accepted_at.is_not(None),
            Introduction.b_accepted_at.is_not(None),
        )
        .values(status="accepted", introduced_at=now, answered_at=now, open_pair=None)
    )
    session.refresh(introduction)
    if introduction.status == "declined":
        raise InputError(N_("this introduction was declined"))
    if getattr(said, "rowcount", 0):  # a second yes from the same side changes nothing, records nothing
        record(session, actor, "introduction.accept", "introduction", introduction.id)
    if getattr(made, "rowcount", 0):
        enqueue(session, INTRODUCED_MAIL_KIND, {"introduction_id": introduction.id}, requested_by=actor.id)
    return introduction


def _run(database: Database, work: Callable[[Session], T]) -> T:
    """``work`` in a transaction, again when the other side's change at the same moment came first (the
    unique open pair, or SQLite's write lock): it then sees that change."""
    return retried(database, work, attempts=ATTEMPTS)


def _member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFoundError(N_("member %(id)s does not exist"), params={"id": member_id})
    return member


def ask_introduction(database: Database, actor_id: int, other_id: int, *, reason: str = "") -> Introduction:
    """:func:`ask` in its own transaction, run again when the other side's ask at the same moment came
    first (it then becomes a yes to theirs)."""
    return _run(database, lambda s: ask(s, other_id, reason=reason, actor=_member(s, actor_id)))


def answer_introduction(
    database: Database, actor_id: int, introduction_id: int, *, accept: bool
) -> Introduction:
    """:func:`answer` in its own transaction, run again when SQLite's write lock was taken too long."""
    return _run(database, lambda s: answer(s, introduction_id, accept=accept, actor=_member(s, actor_id)))

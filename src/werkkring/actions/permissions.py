"""Who may do what. Network admins may do everything; circle hosts manage their circle's sessions.

Every action names who acts: a member, or :data:`SYSTEM` when the platform acts on its own (a command an
operator runs on the server, a job, the demo builder). ``SYSTEM`` passes the permission checks and the audit
log records no member for it; it is passed by name, so no check is ever skipped by an empty argument."""

from __future__ import annotations

from typing import Final, final

from sqlalchemy import select
from sqlalchemy.orm import Session

from werkkring.errors import N_, PermissionDenied
from werkkring.store.models import Member, Membership, WorkSession


@final
class System:
    """The platform acting on its own behalf; use the one instance, :data:`SYSTEM`."""

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = System()
Actor = Member | System


def is_admin(member: Member | None) -> bool:
    return member is not None and member.role == "admin"


def is_host(session: Session, member: Member | None, circle_id: int | None = None) -> bool:
    """A network host or admin, or a host of the given circle."""
    if member is None:
        return False
    if member.role in ("host", "admin"):
        return True
    query = select(Membership).where(
        Membership.member_id == member.id, Membership.role.in_(("host", "admin"))
    )
    if circle_id is not None:
        query = query.where(Membership.circle_id == circle_id)
    return session.scalars(query.limit(1)).first() is not None


def require_admin(actor: Actor | None) -> None:
    """An admin, or the platform itself (:data:`SYSTEM`); ``None`` (nobody signed in) is refused."""
    if isinstance(actor, System):
        return
    if not is_admin(actor):
        raise PermissionDenied(N_("only an admin may do this"))


def require_host(session: Session, actor: Actor | None, circle_id: int | None = None) -> None:
    if isinstance(actor, System):
        return
    if not is_host(session, actor, circle_id):
        raise PermissionDenied(N_("only a host may do this"))


def is_session_host(session: Session, actor: Actor | None, work_session: WorkSession) -> bool:
    """Whether the actor may run this session: :func:`require_session_host` as a question."""
    try:
        require_session_host(session, actor, work_session)
    except PermissionDenied:
        return False
    return True


def require_session_host(session: Session, actor: Actor | None, work_session: WorkSession) -> None:
    """The session's own host, a host of its circle, an admin, or the platform itself (:data:`SYSTEM`)."""
    if isinstance(actor, System):
        return
    if actor is None:
        raise PermissionDenied(N_("sign in first"))
    if is_admin(actor) or work_session.host_id == actor.id:
        return
    if work_session.circle_id is not None and is_host(session, actor, work_session.circle_id):
        return
    if work_session.circle_id is None and actor.role == "host":
        return
    raise PermissionDenied(
        N_("only the host of session %(session)s may do this"), {"session": work_session.id}
    )

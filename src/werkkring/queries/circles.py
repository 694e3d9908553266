"""Reading circles: the list with sizes, one circle with its hosts and coming sessions, whom a host may plan
sessions for, and membership."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from werkkring.errors import N_, NotFoundError
from werkkring.store.models import Circle, Member, Membership, WorkSession, utcnow


def get_circle(session: Session, circle_id: int) -> Circle:
    circle = session.get(Circle, circle_id)
    if circle is None:
        raise NotFoundError(N_("no circle with id %(id)s"), {"id": circle_id})
    return circle


def all_circles(session: Session, *, by_kind: bool = False) -> list[Circle]:
    """Every circle by name (local ones first with ``by_kind``)."""
    order = (Circle.kind, Circle.name) if by_kind else (Circle.name,)
    return list(session.scalars(select(Circle).order_by(*order)))


def circle_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Circle)) or 0


def sizes(session: Session) -> dict[int, int]:
    """How many members each circle has, by circle id."""
    return dict(
        session.execute(select(Membership.circle_id, func.count()).group_by(Membership.circle_id)).all()  # type: ignore[arg-type]
    )


def size(session: Session, circle: Circle) -> int:
    return session.scalar(select(func.count()).where(Membership.circle_id == circle.id)) or 0


def circles_of(session: Session, member: Member) -> set[int]:
    """The ids of the circles the member belongs to."""
    return set(session.scalars(select(Membership.circle_id).where(Membership.member_id == member.id)))


def is_member(session: Session, member: Member, circle: Circle) -> bool:
    return session.get(Membership, (member.id, circle.id)) is not None


def hosts(session: Session, circle: Circle) -> list[Member]:
    """The circle's hosts and admins, by name."""
    return list(
        session.scalars(
            select(Member)
            .join(Membership)
            .where(Membership.circle_id == circle.id, Membership.role.in_(("host", "admin")))
            .order_by(Member.name)
        )
    )


def coming_sessions(session: Session, circle: Circle, *, limit: int = 10) -> Sequence[WorkSession]:
    """The circle's next sessions that are not cancelled."""
    return session.scalars(
        select(WorkSession)
        .where(WorkSession.circle_id == circle.id, WorkSession.starts_at >= utcnow())
        .where(WorkSession.status.not_in(("cancelled", "draft")))
        .order_by(WorkSession.starts_at)
        .limit(limit)
    ).all()


def hosted_by(session: Session, member: Member) -> list[Circle]:
    """The circles a member may plan work sessions for: all of them for a network host or admin, else the
    circles they host."""
    query = select(Circle).order_by(Circle.name)
    if member.role not in ("host", "admin"):
        query = query.join(Membership).where(
            Membership.member_id == member.id, Membership.role.in_(("host", "admin"))
        )
    return list(session.scalars(query))


def roles_of(session: Session, member: Member) -> list[tuple[Circle, str]]:
    """The circles a member belongs to, each with their role there, by circle name."""
    return [
        (circle, role)
        for circle, role in session.execute(
            select(Circle, Membership.role)
            .join(Membership, Membership.circle_id == Circle.id)
            .where(Membership.member_id == member.id)
            .order_by(Circle.name)
        ).all()
    ]

"""Circles: create, join, leave, appoint hosts."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from werkkring import limits
from werkkring.actions._audit import record
from werkkring.actions.permissions import Actor, require_admin
from werkkring.errors import N_, InputError
from werkkring.store.models import CIRCLE_KINDS, ROLES, Circle, Member, Membership


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
    return slug or "circle"


def create_circle(
    session: Session,
    name: str,
    *,
    actor: Actor,
    kind: str = "local",
    region: str | None = None,
    description: str = "",
    slug: str | None = None,
) -> Circle:
    require_admin(actor)
    limits.require(
        limits.CIRCLE, {"name": name.strip(), "region": region, "description": description, "slug": slug}
    )
    if not name.strip():
        raise InputError(N_("a circle needs a name"))
    if kind not in CIRCLE_KINDS:
        raise InputError(
            N_("kind must be one of %(choices)s, not %(value)r"),
            params={"choices": ", ".join(CIRCLE_KINDS), "value": kind},
        )
    circle = Circle(
        name=name.strip(), slug=slug or slugify(name), kind=kind, region=region, description=description
    )
    session.add(circle)
    session.flush()
    record(session, actor, "circle.create", "circle", circle.id, name=circle.name)
    return circle


def join_circle(session: Session, circle: Circle, role: str = "member", *, actor: Member) -> Membership:
    """The actor joins as a member; only an admin can make someone a host."""
    if role != "member":
        require_admin(actor)
    membership = session.get(Membership, (actor.id, circle.id))
    if membership is None:
        membership = Membership(member_id=actor.id, circle_id=circle.id, role=role)
        session.add(membership)
        record(session, actor, "circle.join", "circle", circle.id)
    return membership


def leave_circle(session: Session, circle: Circle, *, actor: Member) -> None:
    membership = session.get(Membership, (actor.id, circle.id))
    if membership is not None:
        session.delete(membership)
        record(session, actor, "circle.leave", "circle", circle.id)


def set_circle_role(
    session: Session, circle: Circle, member: Member, role: str, *, actor: Member
) -> Membership:
    require_admin(actor)
    if role not in ROLES:
        raise InputError(
            N_("role must be one of %(choices)s, not %(value)r"),
            params={"choices": ", ".join(ROLES), "value": role},
        )
    membership = session.get(Membership, (member.id, circle.id))
    if membership is None:
        membership = Membership(member_id=member.id, circle_id=circle.id, role=role)
        session.add(membership)
    membership.role = role
    record(session, actor, "circle.role", "circle", circle.id, member=member.id, role=role)
    return membership

"""Reading profiles with each member's own choices applied: a field is shown to the whole network, to people
who share a circle with them, or only to the member themself. Pages and the API both read through here, so
privacy is enforced in one place on the server."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from werkkring.store.models import PRIVATE_FIELDS, Circle, Member, Membership

COUNT_CAP = 1000


@dataclass
class Profile:
    """What one viewer may see of one member. ``fields`` holds only the visible private fields."""

    id: int
    name: str
    circles: list[str]
    fields: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "circles": self.circles, **self.fields}


def circle_ids_of(session: Session, member_id: int) -> set[int]:
    return set(session.scalars(select(Membership.circle_id).where(Membership.member_id == member_id)))


def can_see(viewer: Member | None, member: Member, field_name: str, shared_circle: bool) -> bool:
    if viewer is None:
        return False
    if viewer.id == member.id:
        return True
    level = member.visibility_of(field_name)
    return level == "network" or (level == "circles" and shared_circle)


def _field_value(member: Member, name: str) -> Any:
    value = getattr(member, name)
    if name in ("offers", "needs", "interests"):
        # One item per line; interests are also accepted separated by semicolons.
        text = (value or "").replace(";", "\n") if name == "interests" else (value or "")
        return [line.strip() for line in text.splitlines() if line.strip()]
    if name == "joined_on":
        return value.isoformat() if value else None
    return value


def profiles(session: Session, viewer: Member | None, members: Sequence[Member]) -> list[Profile]:
    """Profiles of ``members`` as ``viewer`` may see them (a few queries for the whole page)."""
    ids = [m.id for m in members]
    names: dict[int, list[str]] = {}
    circles_of: dict[int, set[int]] = {}
    if ids:
        for member_id, circle_id, name in session.execute(
            select(Membership.member_id, Circle.id, Circle.name)
            .join(Circle)
            .where(Membership.member_id.in_(ids))
        ):
            names.setdefault(member_id, []).append(name)
            circles_of.setdefault(member_id, set()).add(circle_id)
    mine = circle_ids_of(session, viewer.id) if viewer is not None else set()
    result = []
    for member in members:
        shared = bool(mine & circles_of.get(member.id, set()))
        visible = {
            name: _field_value(member, name)
            for name in PRIVATE_FIELDS
            if can_see(viewer, member, name, shared)
        }
        result.append(Profile(member.id, member.name, sorted(names.get(member.id, [])), visible))
    return result


def _visible_clause(viewer: Member, field_name: str, my_circles: set[int]) -> ColumnElement[bool]:
    """SQL for "viewer may see field_name of this member row", the same rule as ``can_see``."""
    level = func.coalesce(Member.visibility[field_name].as_string(), "network")
    shares = Member.id.in_(select(Membership.member_id).where(Membership.circle_id.in_(my_circles or {-1})))
    return or_(Member.id == viewer.id, level == "network", and_(level == "circles", shares))


def search(
    session: Session,
    viewer: Member,
    *,
    q: str = "",
    circle: str = "",
    region: str = "",
    offers: str = "",
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[Member]]:
    """Members matching the filters, matching only on fields the viewer may see. Returns (total, page); a
    text search counts at most ``COUNT_CAP`` matches."""
    my_circles = circle_ids_of(session, viewer.id)
    query = select(Member)
    if circle:
        query = query.where(
            Member.id.in_(select(Membership.member_id).join(Circle).where(Circle.slug == circle))
        )
    if region.strip():
        query = query.where(
            Member.region.ilike(f"%{region.strip()}%"), _visible_clause(viewer, "region", my_circles)
        )
    if offers.strip():
        query = query.where(
            Member.offers.ilike(f"%{offers.strip()}%"), _visible_clause(viewer, "offers", my_circles)
        )
    if q.strip():
        like = f"%{q.strip()}%"
        query = query.where(
            or_(
                Member.name.ilike(like),
                and_(Member.offers.ilike(like), _visible_clause(viewer, "offers", my_circles)),
                and_(Member.interests.ilike(like), _visible_clause(viewer, "interests", my_circles)),
            )
        )
    ids = query.with_only_columns(Member.id)
    if q.strip() or offers.strip() or region.strip():
        # A text search stops counting at COUNT_CAP matches: enough to page through, cheaper to answer.
        ids = ids.limit(COUNT_CAP)
    total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    page = session.scalars(query.order_by(Member.name, Member.id).limit(limit).offset(offset)).all()
    return total, list(page)

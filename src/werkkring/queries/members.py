"""Reading members: the directory, profiles and search with each member's own choices applied, and the
other reads of the members' subject (one member, by e-mail, the staff list, API tokens, an export).

The visibility rule itself is :data:`werkkring.domain.SEEN_BY` (a field is shown to the whole network, to
people who share a circle with its owner, or only to the owner); :func:`can_see` applies it to one field in
Python and :func:`visible_clause` is its SQL twin, built from the same table, so a search never matches on a
field the viewer may not see. Pages, the API, reports and the connections engine read through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from werkkring import limits
from werkkring.domain import PRIVATE_FIELDS, SEEN_BY, Audience, audience, shown
from werkkring.errors import N_, NotFoundError
from werkkring.io.members_csv import format_visibility
from werkkring.store.models import (
    ApiToken,
    Circle,
    Contribution,
    HelixEntry,
    Initiative,
    InitiativeParticipant,
    Introduction,
    Member,
    Membership,
    Registration,
    WorkSession,
    utcnow,
)

COUNT_CAP = 1000


@dataclass
class Profile:
    """What one viewer may see of one member. ``fields`` holds only the visible private fields."""

    id: int
    name: str
    circles: list[str]
    fields: dict[str, Any] = field(default_factory=dict)


IN_NETWORK: Final = Member.guest_of.is_(None)
"""Members of the network: not the guests of one work session (actions/room.py), who are in no list but
that session's."""


def get_member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None or member.guest_of is not None:
        raise NotFoundError(N_("no member with id %(id)s"), {"id": member_id})
    return member


def member_by_email(session: Session, email: str) -> Member | None:
    email = email.strip().lower()
    if not email:
        return None
    return session.scalar(select(Member).where(func.lower(Member.email) == email))


def members_by_id(session: Session, ids: Sequence[int]) -> dict[int, Member]:
    if not ids:
        return {}
    return {m.id: m for m in session.scalars(select(Member).where(Member.id.in_(ids)))}


def circle_ids_of(session: Session, member_id: int) -> set[int]:
    return set(session.scalars(select(Membership.circle_id).where(Membership.member_id == member_id)))


def shares_circle(session: Session, viewer: Member | None, members: Sequence[Member]) -> set[int]:
    """The ids of those ``members`` who share a circle with ``viewer``."""
    if viewer is None or not members:
        return set()
    mine = select(Membership.circle_id).where(Membership.member_id == viewer.id)
    return set(
        session.scalars(
            select(Membership.member_id)
            .where(Membership.member_id.in_([m.id for m in members]), Membership.circle_id.in_(mine))
            .distinct()
        )
    )


def can_see(viewer: Member | None, member: Member, field_name: str, shared_circle: bool) -> bool:
    """Whether ``viewer`` may see ``field_name`` of ``member``; nobody signed in sees none of it."""
    if viewer is None:
        return False
    return shown(member.visibility, field_name, audience(viewer.id, member.id, shares_circle=shared_circle))


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


def profiles_by_id(session: Session, viewer: Member, ids: Sequence[int]) -> dict[int, Profile]:
    """The profiles of these members as ``viewer`` may see them, by id (members that are gone left out)."""
    people = members_by_id(session, ids)
    return {p.id: p for p in profiles(session, viewer, list(people.values()))}


def visible_clause(viewer: Member, field_name: str, my_circles: set[int]) -> ColumnElement[bool]:
    """SQL for "viewer may see field_name of this member row": :data:`SEEN_BY` as a WHERE clause."""
    level = func.coalesce(Member.visibility[field_name].as_string(), "network")
    shares = Member.id.in_(select(Membership.member_id).where(Membership.circle_id.in_(my_circles or {-1})))
    return or_(
        Member.id == viewer.id,
        level.in_(sorted(SEEN_BY[Audience.NETWORK])),
        and_(level.in_(sorted(SEEN_BY[Audience.CIRCLE])), shares),
    )


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
    wanted = limits.require(
        limits.DIRECTORY,
        {"q": q, "circle": circle, "region": region, "offers": offers, "limit": limit, "offset": offset},
    )
    q, circle, region, offers = wanted["q"], wanted["circle"], wanted["region"], wanted["offers"]
    my_circles = circle_ids_of(session, viewer.id)
    query = select(Member).where(IN_NETWORK)
    if circle:
        query = query.where(
            Member.id.in_(select(Membership.member_id).join(Circle).where(Circle.slug == circle))
        )
    if region.strip():
        query = query.where(
            Member.region.icontains(region.strip(), autoescape=True),
            visible_clause(viewer, "region", my_circles),
        )
    if offers.strip():
        query = query.where(
            Member.offers.icontains(offers.strip(), autoescape=True),
            visible_clause(viewer, "offers", my_circles),
        )
    if q.strip():
        # % and _ in the query are the characters themselves, not LIKE's wildcards.
        words = q.strip()
        query = query.where(
            or_(
                Member.name.icontains(words, autoescape=True),
                and_(
                    Member.offers.icontains(words, autoescape=True),
                    visible_clause(viewer, "offers", my_circles),
                ),
                and_(
                    Member.interests.icontains(words, autoescape=True),
                    visible_clause(viewer, "interests", my_circles),
                ),
            )
        )
    ids = query.with_only_columns(Member.id)
    if q.strip() or offers.strip() or region.strip():
        # A text search stops counting at COUNT_CAP matches: enough to page through, cheaper to answer.
        ids = ids.limit(COUNT_CAP)
    total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    page = session.scalars(query.order_by(Member.name, Member.id).limit(limit).offset(offset)).all()
    return total, list(page)


def member_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Member).where(IN_NETWORK)) or 0


def staff(session: Session) -> list[Member]:
    """Hosts and admins of the network, by name."""
    return list(session.scalars(select(Member).where(Member.role != "member").order_by(Member.name)))


def api_tokens(session: Session, member: Member) -> list[ApiToken]:
    """The member's own API tokens, newest first."""
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.member_id == member.id).order_by(ApiToken.created_at.desc())
        )
    )


def export_rows(session: Session) -> Iterator[dict[str, Any]]:
    """Every member as a row of the import format, so an export reads back in unchanged."""
    members = session.scalars(select(Member).where(IN_NETWORK).order_by(Member.id)).all()
    circle_slugs: dict[int, list[str]] = {}
    for member_id, slug in session.execute(
        select(Membership.member_id, Circle.slug).join(Circle).order_by(Circle.slug)
    ):
        circle_slugs.setdefault(member_id, []).append(slug)
    for m in members:
        yield {
            "name": m.name,
            "email": m.email,
            "region": m.region,
            "country": m.country,
            "birth_year": m.birth_year,
            "joined_on": m.joined_on.isoformat(),
            "offers": m.offers,
            "needs": m.needs,
            "interests": m.interests,
            "street": m.street,
            "postal_code": m.postal_code,
            "city": m.city,
            "postal_consent": m.postal_consent,
            "circles": ";".join(circle_slugs.get(m.id, [])),
            "role": m.role,
            "language": m.language,
            "visibility": format_visibility(m.visibility or {}),
        }


def my_data(session: Session, member: Member) -> dict[str, Any]:
    """Everything werkkring holds about one member, for the member themself (a GDPR data export)."""
    profile = {
        column.key: _jsonable(getattr(member, column.key))
        for column in Member.__table__.columns
        if column.key not in ("password_hash", "feed_token")
    }
    memberships = session.execute(
        select(Circle.name, Membership.role, Membership.joined_at)
        .join(Circle)
        .where(Membership.member_id == member.id)
    ).all()
    registrations = session.execute(
        select(WorkSession.id, WorkSession.title, Registration.registered_at, Registration.cancelled_at)
        .join(WorkSession, WorkSession.id == Registration.session_id)
        .where(Registration.member_id == member.id)
    ).all()
    contributions = session.scalars(select(Contribution).where(Contribution.author_id == member.id)).all()
    initiatives = session.execute(
        select(Initiative.id, Initiative.title, InitiativeParticipant.adds_for_me)
        .join(Initiative, Initiative.id == InitiativeParticipant.initiative_id)
        .where(InitiativeParticipant.member_id == member.id)
    ).all()
    helix = session.scalars(select(HelixEntry).where(HelixEntry.member_id == member.id)).all()
    introductions = session.scalars(
        select(Introduction).where(
            (Introduction.member_a_id == member.id) | (Introduction.member_b_id == member.id)
        )
    ).all()
    return {
        "exported_at": utcnow().isoformat(),
        "profile": profile,
        "circles": [{"circle": n, "role": r, "joined_at": _jsonable(j)} for n, r, j in memberships],
        "session_registrations": [
            {"session_id": i, "title": t, "registered_at": _jsonable(a), "cancelled_at": _jsonable(c)}
            for i, t, a, c in registrations
        ],
        "contributions": [
            {"session_id": c.session_id, "text": c.text, "created_at": _jsonable(c.created_at)}
            for c in contributions
        ],
        "initiatives": [{"initiative_id": i, "title": t, "adds_for_me": a} for i, t, a in initiatives],
        "helix_entries": [
            {"date": _jsonable(h.date), "helix": h.helix, "hours": str(h.hours), "note": h.note}
            for h in helix
        ],
        "introductions": [
            {"id": i.id, "kind": i.kind, "round": i.round_no, "status": i.status, "reason": i.reason}
            for i in introductions
        ],
    }


def _jsonable(value: object) -> object:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value

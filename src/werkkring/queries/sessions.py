"""Reading work sessions: the lists, one session with its sign-ups, groups, input and themes, what the
grouping engine needs to know about the room, and the host's view of each group's mix (as the host may see
each person, through the one visibility rule)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, selectinload

from werkkring.domain import audience, mix_keys, tenure_band
from werkkring.errors import N_, InputError, NotFoundError
from werkkring.lifecycle import Status
from werkkring.queries.members import shares_circle
from werkkring.store.models import (
    BreakoutGroup,
    Circle,
    Contribution,
    Initiative,
    Member,
    Membership,
    Registration,
    Seat,
    Theme,
    WorkSession,
    utcnow,
)

# A session stays "upcoming" for this long after it started, so tonight's is still on top while it runs.
STILL_UPCOMING = dt.timedelta(hours=12)

Mix = dict[str, list[tuple[str, int]]]


def get_session(session: Session, session_id: int) -> WorkSession:
    work_session = session.get(WorkSession, session_id)
    if work_session is None:
        raise NotFoundError(N_("no work session with id %(id)s"), {"id": session_id})
    return work_session


def visible_session(session: Session, viewer: Member, session_id: int) -> WorkSession:
    """A session as a member may open it: a draft only for its host (and admins), to others not there."""
    work_session = get_session(session, session_id)
    if work_session.status == Status.DRAFT and work_session.host_id != viewer.id and viewer.role != "admin":
        raise NotFoundError(N_("no work session with id %(id)s"), {"id": session_id})
    return work_session


def session_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(WorkSession)) or 0


def _visible(viewer: Member | None) -> ColumnElement[bool]:
    """Drafts only for their own host."""
    if viewer is None:
        return WorkSession.status != Status.DRAFT
    return or_(WorkSession.status != Status.DRAFT, WorkSession.host_id == viewer.id)


def upcoming(session: Session, *, limit: int = 50, viewer: Member | None = None) -> Sequence[WorkSession]:
    """Sessions still to come (or started in the last hours), cancelled ones left out, soonest first;
    drafts only for the host who drafted them."""
    return session.scalars(
        select(WorkSession)
        .where(
            WorkSession.starts_at >= utcnow() - STILL_UPCOMING,
            WorkSession.status != Status.CANCELLED,
            _visible(viewer),
        )
        .order_by(WorkSession.starts_at)
        .limit(limit)
    ).all()


def past(session: Session, *, limit: int = 20, viewer: Member | None = None) -> Sequence[WorkSession]:
    """Sessions held, most recent first (drafts only for their host)."""
    return session.scalars(
        select(WorkSession)
        .where(WorkSession.starts_at < utcnow() - STILL_UPCOMING, _visible(viewer))
        .order_by(WorkSession.starts_at.desc())
        .limit(limit)
    ).all()


def by_start(
    session: Session, *, past: bool = False, limit: int = 100, viewer: Member | None = None
) -> Sequence[WorkSession]:
    """Sessions from now on, soonest first; or, with ``past``, those before now, latest first (drafts only
    for their host)."""
    query = select(WorkSession).where(_visible(viewer))
    if past:
        query = query.where(WorkSession.starts_at < utcnow()).order_by(WorkSession.starts_at.desc())
    else:
        query = query.where(WorkSession.starts_at >= utcnow()).order_by(WorkSession.starts_at)
    return session.scalars(query.limit(limit)).all()


def registration_counts(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """Active sign-ups per session id."""
    if not ids:
        return {}
    return dict(
        session.execute(  # type: ignore[arg-type]
            select(Registration.session_id, func.count())
            .where(Registration.session_id.in_(ids), Registration.cancelled_at.is_(None))
            .group_by(Registration.session_id)
        ).all()
    )


def signed_up_for(session: Session, member: Member) -> set[int]:
    """The ids of the sessions the member is signed up for (not cancelled)."""
    return set(
        session.scalars(
            select(Registration.session_id).where(
                Registration.member_id == member.id, Registration.cancelled_at.is_(None)
            )
        )
    )


def is_registered(session: Session, work_session: WorkSession, member: Member) -> bool:
    registration = session.get(Registration, (work_session.id, member.id))
    return registration is not None and registration.cancelled_at is None


def active_registrations(session: Session, work_session: WorkSession) -> list[Registration]:
    return list(
        session.scalars(
            select(Registration)
            .where(Registration.session_id == work_session.id, Registration.cancelled_at.is_(None))
            .order_by(Registration.registered_at, Registration.member_id)
        )
    )


def participants(session: Session, work_session: WorkSession) -> list[Member]:
    """Everyone signed up, in the order they signed up."""
    return [r.member for r in active_registrations(session, work_session)]


def participants_by_name(session: Session, work_session: WorkSession) -> list[Member]:
    return sorted(participants(session, work_session), key=lambda m: (m.name, m.id))


def group_of(session: Session, work_session: WorkSession, member_id: int) -> BreakoutGroup | None:
    """The member's group in the session (one query: every post and every participant page asks it)."""
    return session.scalar(
        select(BreakoutGroup)
        .join(Seat, Seat.group_id == BreakoutGroup.id)
        .where(Seat.session_id == work_session.id, Seat.member_id == member_id)
    )


def seat_of(session: Session, work_session: WorkSession, member_id: int) -> Seat | None:
    return session.scalar(select(Seat).where(Seat.session_id == work_session.id, Seat.member_id == member_id))


def current_round(session: Session, work_session: WorkSession) -> int:
    """The round the session is in now: the newest round that has groups (world café), else 1."""
    newest = select(func.max(BreakoutGroup.round)).where(BreakoutGroup.session_id == work_session.id)
    return int(session.scalar(newest) or 1)


def groups_with_seats(session: Session, work_session: WorkSession) -> list[BreakoutGroup]:
    """The breakout groups of the current round (world café: earlier rounds keep theirs), each with its
    seated members loaded."""
    current = (
        select(func.max(BreakoutGroup.round))
        .where(BreakoutGroup.session_id == work_session.id)
        .scalar_subquery()
    )
    return list(
        session.scalars(
            select(BreakoutGroup)
            .where(BreakoutGroup.session_id == work_session.id, BreakoutGroup.round == current)
            .options(selectinload(BreakoutGroup.seats).selectinload(Seat.member))
            .order_by(BreakoutGroup.number)
        )
    )


def contributions_of(
    session: Session, work_session: WorkSession, *, group: BreakoutGroup | None = None
) -> list[Contribution]:
    """The session's input in the order it came in; only one group's with ``group``."""
    query = select(Contribution).where(Contribution.session_id == work_session.id)
    if group is not None:
        query = query.where(Contribution.group_id == group.id)
    return list(session.scalars(query.order_by(Contribution.id)))


def contribution_count(session: Session, session_id: int) -> int:
    """How many contributions the session has (without loading them)."""
    return int(
        session.scalar(
            select(func.count()).select_from(Contribution).where(Contribution.session_id == session_id)
        )
        or 0
    )


def contribution_in(session: Session, session_id: int, contribution_id: int) -> Contribution:
    contribution = session.get(Contribution, contribution_id)
    if contribution is None or contribution.session_id != session_id:
        raise InputError(
            N_("session %(session)s has no contribution %(contribution)s"),
            params={"session": session_id, "contribution": contribution_id},
        )
    return contribution


def themes_of(session: Session, work_session: WorkSession) -> list[Theme]:
    return list(
        session.scalars(select(Theme).where(Theme.session_id == work_session.id).order_by(Theme.position))
    )


def theme_in(session: Session, session_id: int, theme_id: int) -> Theme:
    theme = session.get(Theme, theme_id)
    if theme is None or theme.session_id != session_id:
        raise InputError(
            N_("session %(session)s has no theme %(theme)s"),
            params={"session": session_id, "theme": theme_id},
        )
    return theme


def state_token(session: Session, work_session: WorkSession) -> str:
    """What the host's page was built from: the session's status, its groups and its themes (their ids
    change whenever they are formed or synthesised again). A form carries it back, and an action that
    replaces groups or themes refuses when it no longer matches (someone else acted in between)."""
    group_ids = session.scalars(
        select(func.max(BreakoutGroup.id)).where(BreakoutGroup.session_id == work_session.id)
    ).one()
    theme_ids = session.scalars(select(func.max(Theme.id)).where(Theme.session_id == work_session.id)).one()
    return f"{work_session.status}.{group_ids or 0}.{theme_ids or 0}"


def initiatives_from(session: Session, work_session: WorkSession) -> dict[int, int]:
    """Which contributions became an initiative: contribution id -> initiative id."""
    return dict(
        session.execute(  # type: ignore[arg-type]
            select(Initiative.contribution_id, Initiative.id).where(
                Initiative.session_id == work_session.id, Initiative.contribution_id.is_not(None)
            )
        ).all()
    )


def initiatives_of(session: Session, work_session: WorkSession) -> list[Initiative]:
    """The initiatives that came out of the session, oldest first, with their participants loaded."""
    return list(
        session.scalars(
            select(Initiative)
            .where(Initiative.session_id == work_session.id)
            .options(selectinload(Initiative.participants))
            .order_by(Initiative.id)
        )
    )


def public_outcomes(session: Session, *, limit: int = 50) -> Sequence[WorkSession]:
    """Published outcomes the host made public, the most recently made public first."""
    return session.scalars(
        select(WorkSession)
        .where(WorkSession.status == Status.PUBLISHED, WorkSession.public_at.is_not(None))
        .order_by(WorkSession.public_at.desc(), WorkSession.id.desc())
        .limit(limit)
    ).all()


def public_outcome(session: Session, session_id: int) -> WorkSession:
    """A session whose outcome is public; anything else is not found (no hint that it exists)."""
    work_session = session.get(WorkSession, session_id)
    if work_session is None or work_session.status != Status.PUBLISHED or work_session.public_at is None:
        raise NotFoundError(N_("there is no public outcome at this address"))
    return work_session


def group_mix(session: Session, viewer: Member, group: BreakoutGroup, today: dt.date) -> Mix:
    """How a group is made up, as ``viewer`` (the host) may see each person: tenure band, age band and
    region (a country abroad), each as (value, count) by count; a value its owner does not show the viewer
    counts as "not shared", as in the published report."""
    members = [seat.member for seat in group.seats]
    mates = shares_circle(session, viewer, members)
    keys = [
        mix_keys(
            joined_on=m.joined_on,
            age_band=m.age_band,
            region=m.region,
            country=m.country,
            visibility=m.visibility,
            day=today,
            to=audience(viewer.id, m.id, shares_circle=m.id in mates),
        )
        for m in members
    ]
    tenure = Counter(k.tenure for k in keys)
    ages = Counter(k.age for k in keys)
    places = Counter(k.place for k in keys)
    return {
        "tenure": sorted(tenure.items(), key=lambda kv: (-kv[1], kv[0])),
        "age": sorted(ages.items(), key=lambda kv: kv[0]),
        "region": sorted(places.items(), key=lambda kv: (-kv[1], kv[0])),
    }


def mix_records(
    session: Session, members: Sequence[Member], work_session: WorkSession
) -> list[dict[str, object]]:
    """What makes a good mix, per member, for the grouping engine: tenure band, age, region (or country
    abroad), home circle, host. The engine balances on these and shows none of them."""
    today = work_session.starts_at.date()
    local = dict(
        session.execute(
            select(Membership.member_id, func.min(Circle.slug))
            .join(Circle)
            .where(Membership.member_id.in_([m.id for m in members]), Circle.kind == "local")
            .group_by(Membership.member_id)
        ).all()
    )
    # Table hosts (facilitators) the host named at the door count as hosts: the engine spreads them.
    table_hosts = set(
        session.scalars(
            select(Registration.member_id).where(
                Registration.session_id == work_session.id, Registration.table_host.is_(True)
            )
        )
    )
    return [
        {
            "id": str(m.id),
            "tenure": tenure_band(m.joined_on, today),
            "age": None if m.birth_year is None else today.year - m.birth_year,
            "region": m.region if m.country == "NL" else m.country,
            "circle": local.get(m.id),
            "role": "host"
            if m.id in table_hosts or m.id == work_session.host_id or m.role == "host"
            else None,
        }
        for m in members
    ]


def met_before(
    session: Session, member_ids: Sequence[int], *, exclude_session: int | None = None, limit: int = 50
) -> list[list[str]]:
    """The earlier breakout groups (most recent ``limit`` sessions) these members sat in, as id lists."""
    rows = session.execute(
        select(Seat.group_id, Seat.member_id, BreakoutGroup.session_id)
        .join(BreakoutGroup, Seat.group_id == BreakoutGroup.id)
        .where(Seat.member_id.in_(member_ids), Seat.session_id != (exclude_session or -1))
        .order_by(BreakoutGroup.session_id.desc())
    ).all()
    recent: list[int] = []
    groups: dict[int, list[str]] = {}
    for group_id, member_id, session_id in rows:
        if session_id not in recent:
            if len(recent) == limit:
                continue
            recent.append(session_id)
        groups.setdefault(group_id, []).append(str(member_id))
    return [ids for ids in groups.values() if len(ids) > 1]

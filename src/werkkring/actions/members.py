"""Members: create, update the profile, import a file all-or-nothing, export, delete."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from werkkring import limits
from werkkring.actions._audit import record
from werkkring.actions.permissions import Actor, require_admin
from werkkring.domain import EDITABLE_FIELDS, PRIVATE_FIELDS, VISIBILITIES, age_band
from werkkring.errors import N_, InputError, PermissionDenied, Problem
from werkkring.io.members_csv import MemberRow
from werkkring.store.models import Circle, Member, Membership

INTRO_FREQUENCIES = (1, 2, 4)
"""Introduction rounds every week, every two weeks or every four weeks (weekly, biweekly, monthly)."""


def create_member(session: Session, row: MemberRow, *, actor: Actor, audit: bool = True) -> Member:
    """Add one member (and their circle memberships) from an already validated row; an admin's act, or the
    platform's (:data:`~werkkring.actions.permissions.SYSTEM`: the demo, an operator's import)."""
    require_admin(actor)
    member = Member(
        name=row.name,
        email=row.email,
        region=row.region,
        country=row.country,
        birth_year=row.birth_year,
        age_band=age_band(row.birth_year),
        joined_on=row.joined_on or dt.date.today(),
        offers=row.offers,
        needs=row.needs,
        interests=row.interests,
        street=row.street,
        postal_code=row.postal_code,
        city=row.city,
        postal_consent=row.postal_consent,
        role=row.role,
        language=row.language,
        visibility=dict(row.visibility),
        feed_token=secrets.token_urlsafe(24),
    )
    session.add(member)
    session.flush()
    if row.circles:
        circles = {c.slug: c for c in session.scalars(select(Circle).where(Circle.slug.in_(row.circles)))}
        for slug in row.circles:
            session.add(Membership(member_id=member.id, circle_id=circles[slug].id, role="member"))
    if audit:
        record(session, actor, "member.create", "member", member.id, email=member.email)
    return member


def import_members(
    session: Session,
    rows: Sequence[MemberRow],
    source: str = "<input>",
    *,
    actor: Actor,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
    problems: Sequence[Problem] = (),
) -> int:
    """Check every row against the database (duplicate emails, unknown circles), then add them all.

    ``problems`` are those the file reader already found (:class:`werkkring.io.members_csv.MemberFile`):
    they are reported together with the database's, sorted by line, so one pass shows everything. Raises
    InputError listing every problem before anything is written; the caller's transaction makes the whole
    import one unit, so a crash part-way leaves the database as it was."""
    require_admin(actor)
    found: list[Problem] = list(problems)
    emails = [row.email for row in rows if row.email]
    existing: set[str] = set()
    for chunk in _chunks(emails, 500):
        existing.update(session.scalars(select(Member.email).where(func.lower(Member.email).in_(chunk))))
    slugs = {slug for row in rows for slug in row.circles}
    known = set(session.scalars(select(Circle.slug).where(Circle.slug.in_(slugs)))) if slugs else set()
    for row in rows:
        if row.email and row.email in existing:
            found.append(
                Problem(
                    N_("a member with email %(email)r already exists"),
                    source,
                    row.line,
                    "email",
                    params={"email": row.email},
                )
            )
        for slug in row.circles:
            if slug not in known:
                found.append(
                    Problem(N_("unknown circle %(slug)r"), source, row.line, "circles", params={"slug": slug})
                )
    if found:
        raise InputError(sorted(found, key=lambda p: p.line or 0))

    for done, row in enumerate(rows, start=1):
        create_member(session, row, audit=False, actor=actor)
        if done % batch_size == 0 or done == len(rows):
            session.flush()
            if progress is not None:
                progress(done, len(rows))
    record(session, actor, "member.import", "member", None, source=source, count=len(rows))
    return len(rows)


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def update_profile(session: Session, member: Member, changes: dict[str, Any], *, actor: Member) -> Member:
    """Change profile fields; only the member themself or an admin may."""
    if actor.id != member.id:
        require_admin(actor)
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InputError(
            [
                Problem(N_("field %(name)r cannot be changed here"), field=name, params={"name": name})
                for name in unknown
            ]
        )
    # Every value meets the member limits (an ISO country code, lengths, the introduction frequency), the
    # same rule as the import's; a bad value is named, nothing is stored.
    changes = limits.require(limits.MEMBER, changes)
    if "intro_frequency" in changes and changes["intro_frequency"] not in INTRO_FREQUENCIES:
        raise InputError(
            [
                Problem(
                    N_("introductions come every 1, 2 or 4 weeks, not %(value)r"),
                    field="intro_frequency",
                    params={"value": changes["intro_frequency"]},
                )
            ]
        )
    for name, value in changes.items():
        setattr(member, name, value)
    if "birth_year" in changes:
        member.age_band = age_band(member.birth_year)
    record(session, actor, "member.update", "member", member.id, fields=sorted(changes))
    return member


def set_visibility(session: Session, member: Member, visibility: dict[str, str], *, actor: Member) -> None:
    if actor.id != member.id:
        raise PermissionDenied(N_("only the member themself chooses who sees their profile"))
    problems = [
        Problem(N_("%(field)s=%(value)s is not allowed"), field=k, params={"field": k, "value": v})
        for k, v in visibility.items()
        if k not in PRIVATE_FIELDS or v not in VISIBILITIES
    ]
    if problems:
        raise InputError(problems)
    member.visibility = dict(visibility)
    record(session, actor, "member.visibility", "member", member.id)


def set_role(session: Session, member: Member, role: str, *, actor: Member) -> None:
    require_admin(actor)
    if role not in ("member", "host", "admin"):
        raise InputError(N_("role must be member, host or admin, not %(value)r"), params={"value": role})
    member.role = role
    record(session, actor, "member.role", "member", member.id, role=role)


def delete_member(session: Session, member: Member, *, actor: Member) -> None:
    """Remove a member; their contributions stay as anonymous input (author cleared by the foreign key)."""
    if actor.id != member.id:
        require_admin(actor)
    record(session, actor, "member.delete", "member", member.id)
    session.delete(member)

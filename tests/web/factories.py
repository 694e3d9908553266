"""Small builders for web tests: members with passwords, circles, a host."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tests.web.helpers import PASSWORD
from werkkring.actions import circles as circle_actions
from werkkring.actions.accounts import hash_password
from werkkring.actions.permissions import SYSTEM
from werkkring.store.models import Circle, Member, Membership

_HASH: dict[str, str] = {}


def password_hash() -> str:
    if "h" not in _HASH or not _HASH["h"].startswith("$argon2id$v=19$m=1024"):
        _HASH["h"] = hash_password(PASSWORD)
    return _HASH["h"]


def member(
    session: Session,
    name: str,
    *,
    role: str = "member",
    circles: list[Circle] | None = None,
    visibility: dict[str, str] | None = None,
    offers: str = "",
    region: str = "Utrecht",
    birth_year: int = 1980,
    joined_on: dt.date | None = None,
) -> Member:
    person = Member(
        name=name,
        email=f"{name.lower().replace(' ', '.')}@example.org",
        role=role,
        region=region,
        birth_year=birth_year,
        age_band=f"{(2026 - birth_year) // 10 * 10}-{(2026 - birth_year) // 10 * 10 + 9}",
        joined_on=joined_on or dt.date(2024, 1, 1),
        offers=offers,
        visibility=visibility or {},
        password_hash=password_hash(),
        language="nl",
    )
    session.add(person)
    session.flush()
    for circle in circles or []:
        session.add(Membership(member_id=person.id, circle_id=circle.id, role="member"))
    session.flush()
    return person


def circle(session: Session, name: str) -> Circle:
    return circle_actions.create_circle(session, name, actor=SYSTEM)

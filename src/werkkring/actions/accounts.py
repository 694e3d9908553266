"""Accounts: argon2id password hashes (argon2-cffi), one-time links by e-mail, invitations, API tokens and
the export of a member's own data."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Callable, Sequence
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from werkkring import limits, queue
from werkkring.actions._audit import record
from werkkring.actions.permissions import SYSTEM, Actor, require_admin
from werkkring.errors import N_, InputError, NotFoundError, PermissionDenied, Problem
from werkkring.queries.members import member_by_email
from werkkring.store.models import (
    ROLES,
    ApiToken,
    LoginToken,
    Member,
    Membership,
    utcnow,
)

EMAIL_PATTERN: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
# The job kind that makes and mails a sign-in, reset or invitation link; its handler is werkkring.jobs.mail.
LINK_MAIL_KIND: Final = "mail.link"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


_dummy: dict[int, str] = {}


def check_password(member: Member | None, password: str) -> bool:
    """Whether ``password`` is ``member``'s. An unknown address (None) or an account without a password
    costs one argon2 verification too, so the answer's time does not tell who is a member."""
    stored = member.password_hash if member is not None else None
    if not stored:
        dummy = _dummy.setdefault(id(_hasher), _hasher.hash("no account has this password"))
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher.verify(dummy, password + "\x00")
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def lift_lockout(session: Session, member: Member, clear: Callable[[str], None], *, actor: Member) -> None:
    """An admin lifts the lock-out after failed sign-ins of ``member`` (``clear`` forgets the failures in
    the shared counters); written to the audit log."""
    require_admin(actor)
    clear(member.email)
    record(session, actor, "account.unlock", "member", member.id)


def set_password(session: Session, member: Member, password: str, *, actor: Actor) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            N_("a password needs at least %(count)s characters"), params={"count": MIN_PASSWORD_LENGTH}
        )
    member.password_hash = hash_password(password)
    if _hasher.check_needs_rehash(member.password_hash):
        member.password_hash = hash_password(password)
    record(session, actor, "member.password", "member", member.id)


# One-time links by e-mail and personal API tokens. Only a SHA-256 of each token is stored, so a copy of the
# database does not let anyone sign in.

LINK_LIFETIMES: Final = {
    "signin": dt.timedelta(minutes=30),
    "reset": dt.timedelta(hours=2),
    "invite": dt.timedelta(days=14),
}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mail_link(session: Session, member: Member, purpose: str) -> None:
    """A sign-in, reset or invitation link for ``member``, made and mailed by a job once the caller's
    transaction commits (nothing is mailed for a change that rolls back)."""
    if purpose not in LINK_LIFETIMES:
        raise InputError(
            N_("purpose must be one of %(choices)s, not %(value)r"),
            params={"choices": ", ".join(LINK_LIFETIMES), "value": purpose},
        )
    queue.enqueue(session, LINK_MAIL_KIND, {"member_id": member.id, "purpose": purpose})
    record(session, SYSTEM, "account.link_mail", "member", member.id, purpose=purpose)


def issue_login_token(session: Session, member: Member, purpose: str, *, actor: Actor) -> str:
    """A fresh one-time token for ``member``; earlier unused tokens of the same purpose stop working."""
    if purpose not in LINK_LIFETIMES:
        raise InputError(
            N_("purpose must be one of %(choices)s, not %(value)r"),
            params={"choices": ", ".join(LINK_LIFETIMES), "value": purpose},
        )
    now = utcnow()
    for old in session.scalars(
        select(LoginToken).where(
            LoginToken.member_id == member.id, LoginToken.purpose == purpose, LoginToken.used_at.is_(None)
        )
    ):
        old.used_at = now
    token = secrets.token_urlsafe(32)
    session.add(
        LoginToken(
            token_hash=_digest(token),
            member_id=member.id,
            purpose=purpose,
            created_at=now,
            expires_at=now + LINK_LIFETIMES[purpose],
        )
    )
    session.flush()
    record(session, actor, f"member.token.{purpose}", "member", member.id)
    return token


def peek_login_token(session: Session, token: str, purpose: str) -> Member | None:
    """The member a still valid token belongs to, without using it up."""
    row = session.scalar(select(LoginToken).where(LoginToken.token_hash == _digest(token)))
    if row is None or row.purpose != purpose or row.used_at is not None or row.expires_at < utcnow():
        return None
    return session.get(Member, row.member_id)


def use_login_token(session: Session, token: str, purpose: str) -> Member:
    """Use a token once; a second use, an expired or unknown token is refused."""
    row = session.scalar(select(LoginToken).where(LoginToken.token_hash == _digest(token)))
    if row is None or row.purpose != purpose or row.used_at is not None or row.expires_at < utcnow():
        raise PermissionDenied(N_("this link is no longer valid; ask for a new one"))
    row.used_at = utcnow()
    member = session.get(Member, row.member_id)
    if member is None:
        raise PermissionDenied(N_("this link is no longer valid; ask for a new one"))
    record(session, member, f"member.token.use.{purpose}", "member", member.id)
    return member


def invite_member(
    session: Session,
    *,
    actor: Member,
    name: str,
    email: str,
    role: str = "member",
    circle_ids: Sequence[int] = (),
    language: str = "nl",
) -> tuple[Member, str]:
    """An admin adds a member and gets an invitation token to mail them (they choose their own password)."""
    require_admin(actor)
    problems = []
    email = email.strip().lower()
    if not name.strip():
        problems.append(Problem(N_("a member needs a name"), field="name"))
    if not EMAIL_PATTERN.fullmatch(email):
        problems.append(
            Problem(N_("%(email)r is not an e-mail address"), field="email", params={"email": email})
        )
    elif member_by_email(session, email) is not None:
        problems.append(
            Problem(
                N_("a member with email %(email)r already exists"), field="email", params={"email": email}
            )
        )
    if role not in ROLES:
        problems.append(
            Problem(
                N_("role must be one of %(choices)s, not %(value)r"),
                field="role",
                params={"choices": ", ".join(ROLES), "value": role},
            )
        )
    if language not in ("nl", "en"):
        problems.append(Problem(N_("language must be nl or en"), field="language"))
    if problems:
        raise InputError(problems)
    member = Member(
        name=name.strip(),
        email=email,
        role=role,
        language=language,
        joined_on=dt.date.today(),
        visibility={},
        feed_token=secrets.token_urlsafe(24),
    )
    session.add(member)
    session.flush()
    for circle_id in circle_ids:
        session.add(Membership(member_id=member.id, circle_id=circle_id, role="member"))
    record(session, actor, "member.invite", "member", member.id, email=email)
    return member, issue_login_token(session, member, "invite", actor=actor)


def create_api_token(session: Session, name: str = "", *, actor: Member) -> tuple[ApiToken, str]:
    limits.require(limits.API_TOKEN, {"name": name.strip()})
    token = "wk_" + secrets.token_urlsafe(32)
    row = ApiToken(token_hash=_digest(token), member_id=actor.id, name=name.strip()[:100])
    session.add(row)
    session.flush()
    record(session, actor, "api_token.create", "api_token", row.id)
    return row, token


def revoke_api_token(session: Session, token_id: int, *, actor: Member) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or row.member_id != actor.id:
        raise NotFoundError(N_("no API token %(token)s of yours"), {"token": token_id})
    row.revoked_at = utcnow()
    record(session, actor, "api_token.revoke", "api_token", row.id)


TOKEN_USE_STAMP = dt.timedelta(minutes=1)
"""``ApiToken.last_used_at`` is written at most once per this long per token: cheap for a busy script."""


def member_for_api_token(session: Session, token: str) -> Member | None:
    """The member of a working token; the token's ``last_used_at`` is brought up to date when it is more
    than :data:`TOKEN_USE_STAMP` old (one small conditional update, then none for a minute)."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= TOKEN_USE_STAMP:
        stale = or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - TOKEN_USE_STAMP)
        try:  # bookkeeping of its own (no audit entry): committed at once, skipped when the database is busy
            session.execute(update(ApiToken).where(ApiToken.id == row.id, stale).values(last_used_at=now))
            session.commit()
        except OperationalError:
            session.rollback()
    return session.get(Member, row.member_id)

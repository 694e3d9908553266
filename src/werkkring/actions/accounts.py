"""Passwords: argon2id hashes (argon2-cffi), rehashed when the parameters grow stronger."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from werkkring.actions._audit import record
from werkkring.errors import InputError
from werkkring.store.models import Member

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(member: Member, password: str) -> bool:
    if not member.password_hash:
        return False
    try:
        return _hasher.verify(member.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(session: Session, actor: Member | None, member: Member, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    member.password_hash = hash_password(password)
    if _hasher.check_needs_rehash(member.password_hash):
        member.password_hash = hash_password(password)
    record(session, actor, "member.password", "member", member.id)

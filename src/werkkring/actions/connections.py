"""Connections: suggested introductions for a member and "who can help me with X". Both come from the
connections engine; until it is installed they raise FeatureNotReady and the pages say it is coming."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from sqlalchemy.orm import Session

from werkkring.errors import FeatureNotReady
from werkkring.store.models import Member

ENGINE = "werkkring.engines.connections"


@dataclass(frozen=True)
class Suggestion:
    """Someone worth meeting, and why in plain words."""

    member_id: int
    score: float
    why: str


@dataclass(frozen=True)
class Hit:
    """A member who may help with the query, with the words of their profile that matched."""

    member_id: int
    score: float
    snippet: str


def available() -> bool:
    return importlib.util.find_spec(ENGINE) is not None


def suggestions(session: Session, member: Member, top: int = 5) -> list[Suggestion]:
    """The member's best introductions (wired to the connections engine by the lead when it lands)."""
    raise FeatureNotReady("the connections engine is not installed yet")


def search(session: Session, actor: Member, query: str, top: int = 10) -> list[Hit]:
    """Members whose offers match ``query`` (wired to the connections engine by the lead when it lands)."""
    raise FeatureNotReady("the connections engine is not installed yet")

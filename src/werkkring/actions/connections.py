"""Connections: suggested introductions for a member and "who can help me with X". Both come from the
connections engine; until it is installed they raise FeatureNotReady and the pages say it is coming.

Privacy: the engine sees another member's offers and needs only when that member shows them to the whole
network (and never a member who opted out of introductions), so a suggestion or a snippet cannot reveal a
field its owner keeps to their circles or to themself."""

from __future__ import annotations

import importlib
import importlib.util
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from werkkring.errors import FeatureNotReady, InputError
from werkkring.store.models import Introduction, Member

ENGINE = "werkkring.engines.connections"
INDEX_SECONDS = 300.0


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


def _engine() -> Any:
    if not available():
        raise FeatureNotReady("the connections engine is not installed yet")
    return importlib.import_module(ENGINE)


def _lines(text: str | None) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").replace(";", "\n").splitlines() if line.strip())


def _profiles(session: Session, engine: Any, viewer: Member | None) -> list[Any]:
    """One profile per member, with only what the member shows to the whole network (the viewer's own in
    full)."""
    rows = session.execute(
        select(
            Member.id, Member.needs, Member.offers, Member.interests, Member.visibility, Member.intro_opt_in
        ).order_by(Member.id)
    ).all()
    profiles = []
    for member_id, needs, offers, interests, visibility, opt_in in rows:
        own = viewer is not None and member_id == viewer.id
        shown = visibility or {}

        def public(field: str, shown: dict[str, Any] = shown, own: bool = own) -> bool:
            return own or shown.get(field, "network") == "network"

        profiles.append(
            engine.MemberProfile(
                id=str(member_id),
                needs=_lines(needs) if public("needs") else (),
                offers=_lines(offers) if public("offers") else (),
                tags=_lines(interests) if public("interests") else (),
                opt_in=bool(opt_in) or own,
            )
        )
    return profiles


def suggestions(session: Session, member: Member, top: int = 5) -> list[Suggestion]:
    """The members whose offers best meet this member's needs, leaving out people already introduced."""
    engine = _engine()
    profiles = _profiles(session, engine, member)
    # Only the member's own needs are asked about, so the engine does the work for one member.
    mine = str(member.id)
    profiles = [p if p.id == mine else engine.MemberProfile(**{**p.__dict__, "needs": ()}) for p in profiles]
    known = session.execute(
        select(Introduction.member_a_id, Introduction.member_b_id).where(
            or_(Introduction.member_a_id == member.id, Introduction.member_b_id == member.id)
        )
    ).all()
    exclusions = engine.Exclusions.of(known=[(str(a), str(b)) for a, b in known], small_circle=0)
    results = engine.match_members(profiles, top=top, exclude=exclusions)
    own = next((r for r in results if r.id == mine), None)
    if own is None:
        return []
    return [Suggestion(int(m.id), float(m.score), str(m.why)) for m in own.matches]


_index_lock = threading.Lock()
_index_cache: dict[str, tuple[float, Any]] = {}


def search(session: Session, actor: Member, query: str, top: int = 10) -> list[Hit]:
    """Members whose offers (or interests) answer ``query``; the index is rebuilt every few minutes."""
    engine = _engine()
    if not query.strip():
        raise InputError("say what you need help with")
    key = str(session.get_bind().engine.url)
    with _index_lock:
        made, index = _index_cache.get(key, (0.0, None))
        if index is None or time.monotonic() - made > INDEX_SECONDS:
            index = engine.SearchIndex(_profiles(session, engine, None))
            _index_cache[key] = (time.monotonic(), index)
    hits = index.search(query, top=top + 1)
    return [Hit(int(h.id), float(h.score), str(h.snippet)) for h in hits if h.id != str(actor.id)][:top]

"""Connections: suggested introductions for a member and "who can help me with X", both from the
connections engine (werkkring.engines.connections).

Privacy: the engine sees another member's offers and needs only when that member shows them to the whole
network (and never a member who opted out of introductions), so a suggestion or a snippet cannot reveal a
field its owner keeps to their circles or to themself."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from werkkring.engines.connections import Exclusions, Match, Matcher, MemberProfile, SearchIndex
from werkkring.errors import N_, InputError
from werkkring.store import Database
from werkkring.store.models import Introduction, Member

INDEX_SECONDS = 300.0
_Fitted = TypeVar("_Fitted")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Suggestion:
    """Someone worth meeting (``member_id``), with the engine's match: score, reason and its pieces (need,
    offer, shared words, both-ways gain) for the page to phrase in the member's language."""

    member_id: int
    match: Match


@dataclass(frozen=True)
class Hit:
    """A member who may help with the query, with the words of their profile that matched."""

    member_id: int
    score: float
    snippet: str


@dataclass(frozen=True)
class _Entry(Generic[_Fitted]):
    """A fitted network: when it was fitted or last found current, of which profiles, and the fit."""

    at: float
    fingerprint: int
    value: _Fitted


def _lines(text: str | None) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").replace(";", "\n").splitlines() if line.strip())


def _profiles(session: Session, viewer: Member | None) -> list[MemberProfile]:
    """One profile per member, with only what the member shows to the whole network (the viewer's own in
    full)."""
    rows = session.execute(
        select(
            Member.id, Member.needs, Member.offers, Member.interests, Member.visibility, Member.intro_opt_in
        ).order_by(Member.id)
    ).all()
    profiles: list[MemberProfile] = []
    for member_id, needs, offers, interests, visibility, opt_in in rows:
        own = viewer is not None and member_id == viewer.id
        shown = visibility or {}

        def public(field: str, shown: dict[str, Any] = shown, own: bool = own) -> bool:
            return own or shown.get(field, "network") == "network"

        profiles.append(
            MemberProfile(
                id=str(member_id),
                needs=_lines(needs) if public("needs") else (),
                offers=_lines(offers) if public("offers") else (),
                tags=_lines(interests) if public("interests") else (),
                opt_in=bool(opt_in) or own,
            )
        )
    return profiles


def suggestions(session: Session, member: Member, top: int = 5) -> list[Suggestion]:
    """The members whose offers best meet this member's needs, leaving out people already introduced.

    The network's texts are fitted once every few minutes (``_fitted``); the member's own needs and offers
    are always taken as they are now, in full, so an edit shows at once and nothing they keep to their
    circles is fitted where it could reach others."""
    matcher = _fitted(session, _matchers, Matcher)
    known = session.execute(
        select(Introduction.member_a_id, Introduction.member_b_id).where(
            or_(Introduction.member_a_id == member.id, Introduction.member_b_id == member.id)
        )
    ).all()
    exclusions = Exclusions.of(known=[(str(a), str(b)) for a, b in known], small_circle=0)
    try:
        own = matcher.suggest(
            str(member.id),
            needs=_lines(member.needs),
            offers=_lines(member.offers),
            top=top,
            exclude=exclusions,
        )
    except InputError:  # joined after the last fit: in the next one
        return []
    return [Suggestion(int(m.id), m) for m in own.matches]


_lock = threading.Condition()
_matchers: dict[str, _Entry[Matcher]] = {}
_indexes: dict[str, _Entry[SearchIndex]] = {}
_refitting: set[tuple[int, str]] = set()


def _fitted(
    session: Session,
    cache: dict[str, _Entry[_Fitted]],
    fit: Callable[[list[MemberProfile]], _Fitted],
    *,
    force: bool = False,
) -> _Fitted:
    """What ``fit`` makes of the network's profiles as the network shows them, looked at again once it is
    ``INDEX_SECONDS`` old (fitting 10,000 members takes half a minute; asking a fitted one, milliseconds).

    Looking again reads the profiles (fast) and fits only when they changed since the last fit. The request
    that finds the fit too old does this; requests meanwhile keep using the old one, so only the very first
    requests after a start wait for a fit. ``force`` looks again however young the fit is."""
    key = str(session.get_bind().engine.url)
    job = (id(cache), key)
    with _lock:
        while True:
            cached = cache.get(key)
            if cached is not None and not force and time.monotonic() - cached.at <= INDEX_SECONDS:
                return cached.value
            if job not in _refitting:
                _refitting.add(job)
                break
            if cached is not None:
                return cached.value  # someone is refitting: the previous fit serves meanwhile
            _lock.wait(timeout=60)
    try:
        profiles = _profiles(session, None)
        fingerprint = hash(tuple(profiles))
        # Nobody changed what they show to the network: the fit still holds.
        unchanged = cached is not None and cached.fingerprint == fingerprint
        value = cached.value if cached is not None and unchanged else fit(profiles)
        with _lock:
            cache[key] = _Entry(time.monotonic(), fingerprint, value)
        return value
    finally:
        with _lock:
            _refitting.discard(job)
            _lock.notify_all()


def keep_fitted(database: Database, *, forever: bool = True) -> None:
    """Fit the network for the connections pages now and, with ``forever``, look again every 4 minutes
    (fitting only when profiles changed), so no request waits for a fit (10,000 members: half a minute).
    ``werkkring serve`` runs this in a background thread; a failure is logged and retried, never raised
    into the server."""
    while True:
        try:
            with database.reader() as session:
                _fitted(session, _matchers, Matcher, force=True)
                _fitted(session, _indexes, SearchIndex, force=True)
        except Exception:  # keep serving with the previous fit; the requests refit if need be
            logger.exception("fitting the network for the connections pages failed")
        if not forever:
            return
        time.sleep(INDEX_SECONDS * 0.8)


def forget_fitted() -> None:
    """Drop the fitted matchers and search indexes (tests; after a bulk import)."""
    with _lock:
        _matchers.clear()
        _indexes.clear()


def search(session: Session, actor: Member, query: str, top: int = 10) -> list[Hit]:
    """Members whose offers (or interests) answer ``query``; the index is rebuilt every few minutes."""
    if not query.strip():
        raise InputError(N_("say what you need help with"))
    index = _fitted(session, _indexes, SearchIndex)
    hits = index.search(query, top=top + 1)
    return [Hit(int(h.id), float(h.score), h.snippet) for h in hits if h.id != str(actor.id)][:top]

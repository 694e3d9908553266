"""Reading connections: suggested introductions for a member and "who can help me with X", both from the
connections engine (werkkring.engines.connections), hybrid: the network's own words and a multilingual
embedding model, so a Dutch need finds an English offer; and a member's past introductions.

Privacy: the engine sees another member's offers and needs only when that member shows them to the whole
network (:data:`werkkring.domain.Audience.NETWORK`, the one visibility rule), and never a member who opted
out of introductions, so a suggestion or a snippet cannot reveal a
field its owner keeps to their circles or to themself. And nothing is served from an index fitted before a
change: every suggestion and hit is checked against the member's profile as it is now, at serve time
(``_still_shown``), so a field hidden a second ago is not shown, however old the index.

Freshness: each process keeps one fitted network (``_Live``) and reads the change feed
(``members.updated_at``) every ``POLL_SECONDS``; changed, new and removed members are placed into the fitted
network without a refit (``Matcher.updated``), so an edit is matched and searchable within seconds in every
web process. A full refit happens in the background when many members changed since the last one.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from werkkring.domain import Audience, audience, shown
from werkkring.engines.connections import Backend, Exclusions, Match, Matcher, MemberProfile, SearchIndex
from werkkring.engines.connections import Introduction as RoundIntroduction
from werkkring.engines.embedding import CachedEmbedder, Embedder, MemoryCache, default_embedder
from werkkring.errors import N_, InputError
from werkkring.store import Database
from werkkring.store.embedding_cache import DatabaseEmbeddingCache
from werkkring.store.models import Circle, Introduction, Member, Membership

BACKEND: Backend = "hybrid"
POLL_SECONDS = 5.0
"""How often a process reads the change feed (members changed since it last looked)."""
SLACK = dt.timedelta(seconds=30)
"""Changes are read from this long before the newest one seen: a transaction that stamped its row earlier but
committed later is still picked up (re-reading an unchanged profile costs nothing)."""
REFIT_SHARE = 0.2
"""Refit in the background once this share of the members changed since the last fit."""
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


@dataclass
class _Live:
    """One process's fitted network, kept fresh from the change feed."""

    matcher: Matcher
    index: SearchIndex
    shown: dict[str, MemberProfile]
    watermark: dt.datetime | None
    polled: float
    poll_lock: threading.Lock = field(default_factory=threading.Lock)


def _lines(text: str | None) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").replace(";", "\n").splitlines() if line.strip())


_COLUMNS = (Member.id, Member.needs, Member.offers, Member.interests, Member.visibility, Member.intro_opt_in)


def _profile(row: Any, viewer: Member | None = None) -> MemberProfile:
    """A member's profile with only what they show to the whole network (the viewer's own in full)."""
    member_id, needs, offers, interests, visibility, opt_in = row
    to = audience(viewer.id if viewer is not None else None, member_id, shares_circle=False)
    return MemberProfile(
        id=str(member_id),
        needs=_lines(needs) if shown(visibility, "needs", to) else (),
        offers=_lines(offers) if shown(visibility, "offers", to) else (),
        tags=_lines(interests) if shown(visibility, "interests", to) else (),
        opt_in=bool(opt_in) or to is Audience.SELF,
    )


def _profiles(
    session: Session, viewer: Member | None, ids: Iterable[int] | None = None
) -> list[MemberProfile]:
    """One profile per member (or per member in ``ids``), as the network sees it."""
    query = select(*_COLUMNS).where(Member.guest_of.is_(None)).order_by(Member.id)
    if ids is not None:
        query = query.where(Member.id.in_(list(ids)))
    return [_profile(row, viewer) for row in session.execute(query)]


_lock = threading.Lock()
_live: dict[str, _Live] = {}
_fitting: dict[str, threading.Lock] = {}
_embedders: dict[str, Embedder] = {}


def _key(session: Session) -> str:
    return str(session.get_bind().engine.url)


def _embedder(session: Session) -> Embedder:
    """The offline multilingual model behind two caches: this process's memory, then the database's
    ``text_embeddings`` table shared by every process, so a text is embedded once."""
    key = _key(session)
    with _lock:
        if key not in _embedders:
            database = Database(engine=session.get_bind().engine)
            stored = CachedEmbedder(default_embedder(), DatabaseEmbeddingCache(database))
            _embedders[key] = CachedEmbedder(stored, MemoryCache())
        return _embedders[key]


def _fit(session: Session) -> _Live:
    watermark = session.scalar(select(Member.updated_at).order_by(Member.updated_at.desc()).limit(1))
    profiles = _profiles(session, None)
    embedder = _embedder(session)
    matcher = Matcher(profiles, backend=BACKEND, encoder=embedder)
    index = SearchIndex(profiles, backend=BACKEND, encoder=embedder)
    return _Live(matcher, index, {p.id: p for p in profiles}, watermark, time.monotonic())


def _refit(session: Session) -> _Live:
    """Fit the network now (one fit at a time per database; a request arriving meanwhile waits for it only
    when there is no fit to serve from at all)."""
    key = _key(session)
    with _lock:
        fitting = _fitting.setdefault(key, threading.Lock())
    with fitting:
        live = _fit(session)
        with _lock:
            _live[key] = live
        return live


def _poll(session: Session, live: _Live) -> _Live:
    """Apply what changed since ``live`` last looked: edited and new members, and members who left."""
    since = live.watermark - SLACK if live.watermark is not None else None
    query = select(*_COLUMNS, Member.updated_at).where(Member.guest_of.is_(None))
    if since is not None:
        query = query.where(or_(Member.updated_at >= since, Member.updated_at.is_(None)))
    rows = session.execute(query).all()
    present = {str(i) for i in session.scalars(select(Member.id).where(Member.guest_of.is_(None)))}
    changed = []
    watermark = live.watermark
    for row in rows:
        profile = _profile(row[:-1])
        if live.shown.get(profile.id) != profile:
            changed.append(profile)
        if row[-1] is not None and (watermark is None or row[-1] > watermark):
            watermark = row[-1]
    removed = [i for i in live.shown if i not in present]
    if not changed and not removed:
        return _Live(live.matcher, live.index, live.shown, watermark, time.monotonic(), live.poll_lock)
    shown = dict(live.shown)
    shown.update({p.id: p for p in changed})
    for member_id in removed:
        shown.pop(member_id, None)
    return _Live(
        live.matcher.updated(changed, removed),
        live.index.updated(changed, removed),
        shown,
        watermark,
        time.monotonic(),
        live.poll_lock,
    )


def _network(session: Session) -> _Live:
    """This process's network, fresh to within ``POLL_SECONDS``: the request that finds it due reads the
    change feed (milliseconds, plus embedding the few new texts); requests meanwhile use the current one."""
    key = _key(session)
    with _lock:
        live = _live.get(key)
    if live is None:
        return _refit(session)
    if time.monotonic() - live.polled >= POLL_SECONDS and live.poll_lock.acquire(blocking=False):
        try:
            fresh = _poll(session, live)
            with _lock:
                if _live.get(key) is live:
                    _live[key] = fresh
            live = fresh
        finally:
            live.poll_lock.release()
    return live


def _still_shown(session: Session, ids: Iterable[int]) -> dict[int, MemberProfile]:
    """These members' profiles as the network sees them now (the serve-time check)."""
    return {int(p.id): p for p in _profiles(session, None, ids)}


def suggestions(session: Session, member: Member, top: int = 5) -> list[Suggestion]:
    """The members whose offers best meet this member's needs, leaving out people already introduced.

    The member's own needs and offers are always taken as they are now, in full (nothing they keep to their
    circles is fitted where it could reach others); each suggestion is checked against the other member's
    profile as it is now."""
    live = _network(session)
    known = session.execute(
        select(Introduction.member_a_id, Introduction.member_b_id).where(
            or_(Introduction.member_a_id == member.id, Introduction.member_b_id == member.id)
        )
    ).all()
    exclusions = Exclusions.of(known=[(str(a), str(b)) for a, b in known], small_circle=0)
    try:
        own = live.matcher.suggest(
            str(member.id),
            needs=_lines(member.needs),
            offers=_lines(member.offers),
            top=top + 5,  # a few spare, for those the serve-time check leaves out
            exclude=exclusions,
        )
    except InputError:  # joined a moment ago: in the network at the next look
        return []
    now = _still_shown(session, [int(m.id) for m in own.matches])
    kept = [
        Suggestion(int(m.id), m)
        for m in own.matches
        if int(m.id) in now and now[int(m.id)].opt_in and m.offer in now[int(m.id)].offers
    ]
    return kept[:top]


@dataclass(frozen=True)
class HitPage:
    """One page of "who can help me with X": the hits, and whether a next page has more."""

    hits: list[Hit]
    more: bool


def search(
    session: Session,
    actor: Member,
    query: str,
    top: int = 10,
    *,
    offset: int = 0,
    circle: str = "",
    language: str = "",
) -> list[Hit]:
    """Members whose offers (or interests) answer ``query``, each checked against their profile now."""
    return search_page(session, actor, query, top, offset=offset, circle=circle, language=language).hits


def search_page(
    session: Session,
    actor: Member,
    query: str,
    top: int = 10,
    *,
    offset: int = 0,
    circle: str = "",
    language: str = "",
) -> HitPage:
    """A page of :func:`search`: the ``top`` hits after the first ``offset``, of members in the circle with
    slug ``circle`` and speaking ``language`` (nl, en) when given; ``more`` says whether there are more.

    The index ranks the whole network; the filters and the serve-time check leave some of its hits out, so
    it is asked for more at a time until the page is full or the index has no more."""
    if not query.strip():
        raise InputError(N_("say what you need help with"))
    live = _network(session)
    allowed: set[int] | None = None
    if circle or language:
        members = select(Member.id).where(Member.guest_of.is_(None))
        if circle:
            members = members.where(
                Member.id.in_(select(Membership.member_id).join(Circle).where(Circle.slug == circle))
            )
        if language:
            members = members.where(Member.language == language)
        allowed = set(session.scalars(members))
    wanted = offset + top + 1  # one more than the page: is there a next page?
    kept: list[Hit] = []
    asked = wanted + 6
    while True:
        found = live.index.search(query, top=asked)
        candidates = [h for h in found if h.id != str(actor.id) and (allowed is None or int(h.id) in allowed)]
        now = _still_shown(session, [int(h.id) for h in candidates])
        kept = [Hit(int(h.id), float(h.score), h.snippet) for h in candidates if _matches_now(h, now)]
        if len(kept) >= wanted or len(found) < asked:
            break
        asked *= 4
    return HitPage(kept[offset : offset + top], len(kept) > offset + top)


def _matches_now(hit: Any, now: dict[int, MemberProfile]) -> bool:
    """Whether the text a hit matched is still shown to the network by an opted-in member."""
    profile = now.get(int(hit.id))
    if profile is None or not profile.opt_in:
        return False
    return bool(hit.text in profile.offers if hit.field == "offer" else hit.text == ", ".join(profile.tags))


def keep_fitted(database: Database, *, forever: bool = True) -> None:
    """Fit the network for the connections pages now and, with ``forever``, read the change feed every
    ``POLL_SECONDS`` (refitting in full only when ``REFIT_SHARE`` of the members changed), so no request
    waits for a fit and edits count within seconds even in a process nobody asks. ``werkkring serve`` runs
    this in a background thread in every web process; a failure is logged and retried, never raised."""
    while True:
        try:
            with database.reader() as session:
                with _lock:
                    live = _live.get(_key(session))
                if live is None or live.matcher.changed_share >= REFIT_SHARE:
                    _refit(session)
                else:
                    _network(session)
        except Exception:  # keep serving with the previous fit; the requests refit if need be
            logger.exception("fitting the network for the connections pages failed")
        if not forever:
            return
        time.sleep(POLL_SECONDS)


def forget_fitted() -> None:
    """Drop the fitted networks (tests; after a bulk import)."""
    with _lock:
        _live.clear()
        _embedders.clear()


INTRODUCTION_STATES = ("asked_you", "waiting", "introduced", "met", "declined")


@dataclass(frozen=True)
class IntroductionView:
    """One of a member's introductions as they see it: the other person (None when they left) and the state
    from their side: ``asked_you`` (answer yes or no), ``waiting`` (you said yes, they did not answer yet),
    ``introduced`` (both said yes; the mails went out), ``met`` or ``declined``."""

    introduction: Introduction
    other: Member | None
    state: str


def state_for(introduction: Introduction, member_id: int) -> str:
    if introduction.status in ("met", "declined"):
        return introduction.status
    if introduction.status == "accepted" or introduction.introduced_at is not None:
        return "introduced"
    mine = introduction.a_accepted_at if introduction.member_a_id == member_id else introduction.b_accepted_at
    return "waiting" if mine is not None else "asked_you"


def introductions_of(session: Session, member: Member, *, limit: int = 20) -> list[IntroductionView]:
    """The member's latest introductions, those waiting for their answer first."""
    found = session.scalars(
        select(Introduction)
        .where((Introduction.member_a_id == member.id) | (Introduction.member_b_id == member.id))
        .order_by(Introduction.created_at.desc(), Introduction.id.desc())
        .limit(limit)
    ).all()

    def other(introduction: Introduction) -> int:
        a, b = introduction.member_a_id, introduction.member_b_id
        return b if a == member.id else a

    ids = [other(i) for i in found]
    people = {m.id: m for m in session.scalars(select(Member).where(Member.id.in_(ids)))}
    views = [IntroductionView(i, people.get(other(i)), state_for(i, member.id)) for i in found]
    return sorted(views, key=lambda v: v.state != "asked_you")


def introduction_with(session: Session, member: Member, other_id: int) -> IntroductionView | None:
    """The member's introduction with ``other_id``, if any (the latest), as the member sees it."""
    found = between(session, member.id, other_id)
    if found is None:
        return None
    return IntroductionView(found, session.get(Member, other_id), state_for(found, member.id))


def between(session: Session, one: int, other: int) -> Introduction | None:
    """The latest introduction of these two (of any kind: a round's, a listening ear's, a request)."""
    return session.scalar(
        select(Introduction)
        .where(
            or_(
                (Introduction.member_a_id == one) & (Introduction.member_b_id == other),
                (Introduction.member_a_id == other) & (Introduction.member_b_id == one),
            )
        )
        .order_by(Introduction.created_at.desc(), Introduction.id.desc())
        .limit(1)
    )


def round_history(session: Session) -> list[RoundIntroduction]:
    """Every recorded introduction (of the rounds, listening ears and "introduce us" alike, asked, made or
    declined) as the introduction rounds' history (:func:`werkkring.engines.connections.introduction_round`),
    so a round leaves these pairs out."""
    rows = session.execute(
        select(Introduction.member_a_id, Introduction.member_b_id, Introduction.round_no)
    ).all()
    return [RoundIntroduction(str(a), str(b), int(n)) for a, b, n in rows]

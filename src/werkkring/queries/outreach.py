"""What outreach reads: a session's report, the newsletter's digest and recipients, the postal list and the
calendar feeds. The writing (Markdown, HTML, PDF, iCalendar, CSV) is ``werkkring.outreach``'s."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from werkkring import outreach
from werkkring.config import Settings
from werkkring.errors import InputError, NotFoundError
from werkkring.lifecycle import Status
from werkkring.outreach import Digest, DigestInitiative, DigestSession, PostalList, SendResult, SessionReport
from werkkring.queries import votes as vote_queries
from werkkring.store.models import (
    Circle,
    Contribution,
    Initiative,
    InitiativeParticipant,
    JobItem,
    Member,
    Registration,
    ReportFile,
    Theme,
    WorkSession,
)

# How many items each part of the newsletter holds.
DIGEST_LIMIT = 8
_ZONE = ZoneInfo(outreach.TIMEZONE)


# ---------------------------------------------------------------- the session report


def _attendees(session: Session, work_session: WorkSession) -> list[Member]:
    """Seated members when groups were formed, else everyone signed up (and not cancelled)."""
    seated = [seat.member for group in work_session.groups for seat in group.seats]
    if seated:
        return seated
    return list(
        session.scalars(
            select(Member)
            .join(Registration, Registration.member_id == Member.id)
            .where(Registration.session_id == work_session.id, Registration.cancelled_at.is_(None))
            .order_by(Member.id)
        )
    )


def session_report(session: Session, session_id: int, *, language: str | None = None) -> SessionReport:
    """Everything a published report shows about work session ``session_id``, in the session's language
    or ``language``."""
    work_session = session.get(WorkSession, session_id)
    if work_session is None:
        raise NotFoundError(f"no work session with id {session_id}")
    if work_session.status in (Status.DRAFT, Status.CANCELLED):
        raise InputError(f"session {session_id} is {work_session.status}; there is nothing to report")
    # The host's version of the board: its order, labels and cards; a theme the host left empty is not shown.
    themes = session.scalars(
        select(Theme).where(Theme.session_id == session_id, Theme.size > 0).order_by(Theme.position, Theme.id)
    ).all()
    contributions = session.scalar(select(func.count()).where(Contribution.session_id == session_id)) or 0
    initiatives = session.scalars(
        select(Initiative).where(Initiative.session_id == session_id).order_by(Initiative.id)
    ).all()
    joined = dict(
        session.execute(
            select(InitiativeParticipant.initiative_id, func.count())
            .join(Initiative, Initiative.id == InitiativeParticipant.initiative_id)
            .where(
                InitiativeParticipant.initiative_id.in_([i.id for i in initiatives]),
                or_(Initiative.owner_id.is_(None), InitiativeParticipant.member_id != Initiative.owner_id),
            )
            .group_by(InitiativeParticipant.initiative_id)
        ).all()
    )
    # Who carries them besides the owner: by name only those who agreed to be named in reports.
    named: dict[int, list[str]] = {}
    for initiative_id, name in session.execute(
        select(InitiativeParticipant.initiative_id, Member.name)
        .join(Member, Member.id == InitiativeParticipant.member_id)
        .join(Initiative, Initiative.id == InitiativeParticipant.initiative_id)
        .where(
            InitiativeParticipant.initiative_id.in_([i.id for i in initiatives]),
            Member.named_in_reports.is_(True),
            or_(Initiative.owner_id.is_(None), InitiativeParticipant.member_id != Initiative.owner_id),
        )
        .order_by(InitiativeParticipant.joined_at, Member.id)
    ):
        named.setdefault(initiative_id, []).append(name)
    carried = {i.contribution_id for i in initiatives if i.contribution_id is not None}
    proposals = [
        c.text
        for c in session.scalars(
            select(Contribution)
            .where(Contribution.session_id == session_id, Contribution.is_proposal.is_(True))
            .order_by(Contribution.id)
        )
        if c.id not in carried
    ]
    circle = session.get(Circle, work_session.circle_id) if work_session.circle_id else None
    return outreach.compose_session_report(
        work_session,
        people=_attendees(session, work_session),
        themes=themes,
        contributions=contributions,
        initiatives=[(i, joined.get(i.id, 0)) for i in initiatives],
        proposals=proposals,
        circle=circle.name if circle else None,
        support={
            theme_id: (found.voters, found.groups)
            for theme_id, found in vote_queries.theme_support(session, work_session).items()
        },
        named=named,
        language=language,
    )


# ---------------------------------------------------------------- the newsletter


def _digest_session(session: Session, work_session: WorkSession, *, with_themes: bool) -> DigestSession:
    people = (
        session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.session_id == work_session.id, Registration.cancelled_at.is_(None))
        )
        or 0
    )
    themes: tuple[str, ...] = ()
    if with_themes:
        themes = tuple(
            session.scalars(
                select(Theme.label)
                .where(Theme.session_id == work_session.id, Theme.size > 0)
                .order_by(Theme.position, Theme.id)
                .limit(3)
            )
        )
    circle = session.get(Circle, work_session.circle_id) if work_session.circle_id else None
    left = None if work_session.capacity is None else max(0, work_session.capacity - people)
    return DigestSession(
        id=work_session.id,
        title=work_session.title,
        starts_at=work_session.starts_at,
        place=work_session.place or "",
        circle=circle.name if circle else None,
        question=work_session.question,
        themes=themes,
        participants=people,
        places_left=left,
    )


def digest(session: Session, since: dt.date, *, now: dt.datetime | None = None) -> Digest:
    """Sessions held since ``since``, open initiatives that say whom they look for, and coming sessions.
    ``now`` is wall-clock time in Europe/Amsterdam, like session times."""
    now = now or dt.datetime.now(dt.UTC).astimezone(_ZONE).replace(tzinfo=None)
    if since > now.date():
        raise InputError(f"--since {since.isoformat()} lies in the future")
    start = dt.datetime.combine(since, dt.time())
    recent = session.scalars(
        select(WorkSession)
        .where(
            WorkSession.starts_at >= start,
            WorkSession.starts_at < now,
            WorkSession.status.not_in(("draft", "cancelled")),
        )
        .order_by(WorkSession.starts_at.desc(), WorkSession.id)
        .limit(DIGEST_LIMIT)
    ).all()
    upcoming = session.scalars(
        select(WorkSession)
        .where(WorkSession.starts_at >= now, WorkSession.status.in_(("open", "grouped")))
        .order_by(WorkSession.starts_at, WorkSession.id)
        .limit(DIGEST_LIMIT)
    ).all()
    initiatives = []
    for initiative in session.scalars(
        select(Initiative)
        .where(Initiative.status.in_(("proposed", "active")), Initiative.looking_for != "")
        .order_by(Initiative.created_at.desc(), Initiative.id.desc())
        .limit(DIGEST_LIMIT)
    ):
        count = (
            session.scalar(
                select(func.count())
                .select_from(InitiativeParticipant)
                .where(InitiativeParticipant.initiative_id == initiative.id)
            )
            or 0
        )
        initiatives.append(
            DigestInitiative(
                initiative.id, initiative.title, initiative.description, initiative.looking_for, count
            )
        )
    return Digest(
        since=since,
        made_at=now,
        recent=tuple(_digest_session(session, s, with_themes=True) for s in recent),
        initiatives=tuple(initiatives),
        upcoming=tuple(_digest_session(session, s, with_themes=False) for s in upcoming),
    )


def newsletter_recipients(session: Session) -> list[Member]:
    """Every member who has the newsletter on, by id."""
    return list(
        session.scalars(
            select(Member).where(Member.newsletter.is_(True), Member.guest_of.is_(None)).order_by(Member.id)
        )
    )


def member_of_unsubscribe_token(session: Session, token: str, settings: Settings) -> Member:
    """The member a signed unsubscribe link names; NotFoundError for anything forged or for a member gone."""
    member = session.get(Member, outreach.read_unsubscribe_token(token, settings))
    if member is None:
        raise NotFoundError("this unsubscribe link is not valid")
    return member


# ---------------------------------------------------------------- the postal list


def postal_list(session: Session) -> PostalList:
    """Every member who agreed to post and has a complete address, the rest counted by reason."""
    return outreach.postal_list_of(
        session.scalars(select(Member).where(Member.guest_of.is_(None)).order_by(Member.id))
    )


# ---------------------------------------------------------------- calendar feeds


def _since(now: dt.datetime | None) -> dt.datetime:
    return (now or dt.datetime.now(_ZONE).replace(tzinfo=None)) - outreach.FEED_HISTORY


def circle_feed(session: Session, slug: str, *, base_url: str, now: dt.datetime | None = None) -> bytes:
    """The circle's sessions of the past year and all coming ones (drafts left out)."""
    circle = session.scalar(select(Circle).where(Circle.slug == slug))
    if circle is None:
        raise NotFoundError(f"no circle with slug {slug!r}")
    sessions = session.scalars(
        select(WorkSession)
        .where(
            WorkSession.circle_id == circle.id,
            WorkSession.status != Status.DRAFT,
            WorkSession.starts_at >= _since(now),
        )
        .order_by(WorkSession.starts_at, WorkSession.id)
    ).all()
    return outreach.circle_calendar(circle.name, sessions, base_url=base_url)


def member_feed(session: Session, token: str, *, base_url: str, now: dt.datetime | None = None) -> bytes:
    """Sessions the member signed up for (and did not cancel) or hosts; found by the secret feed token."""
    member = session.scalar(select(Member).where(Member.feed_token == token)) if token else None
    if member is None:
        raise NotFoundError("no calendar feed at this address")
    return member_feed_for(session, member, base_url=base_url, now=now)


def member_feed_for(
    session: Session, member: Member, *, base_url: str, now: dt.datetime | None = None
) -> bytes:
    signed_up = select(Registration.session_id).where(
        Registration.member_id == member.id, Registration.cancelled_at.is_(None)
    )
    sessions = session.scalars(
        select(WorkSession)
        .where(
            or_(WorkSession.id.in_(signed_up), WorkSession.host_id == member.id),
            WorkSession.status != Status.DRAFT,
            WorkSession.starts_at >= _since(now),
        )
        .order_by(WorkSession.starts_at, WorkSession.id)
    ).all()
    return outreach.member_calendar(member.language, sessions, base_url=base_url)


def newsletter_result(session: Session, job_id: str) -> SendResult:
    """How far a newsletter job got: who has it, and who was refused or is in doubt (a runner stopped while
    their mail went out), with why."""
    rows = session.execute(
        select(JobItem.item, JobItem.status, JobItem.error)
        .where(JobItem.job_id == job_id)
        .order_by(JobItem.at)
    ).all()
    sent = tuple(int(item) for item, status, _ in rows if status == "done")
    failed = tuple(
        (int(item), error or status) for item, status, error in rows if status in ("failed", "in_doubt")
    )
    return SendResult(sent=len(sent), recipients=sent, failed=failed)


def report_file(session: Session, digest: str) -> ReportFile | None:
    """A large report's PDF a job made, for the report as it is now (``digest``), if it is there yet."""
    return session.get(ReportFile, digest)

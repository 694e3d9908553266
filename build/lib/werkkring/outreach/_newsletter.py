"""The newsletter: a digest of recent sessions, initiatives looking for people and coming sessions, as an HTML
e-mail with a plain-text part, sent through werkkring.mail to every member who has the newsletter on.

Every message carries its own unsubscribe link (a signed token with the member id, so nobody can unsubscribe
someone else) in the text and in the ``List-Unsubscribe`` header, with ``List-Unsubscribe-Post`` for the
one-click unsubscribe of RFC 8058."""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment, FileSystemLoader, Template, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from werkkring.actions.outreach import record_newsletter_sent
from werkkring.config import Settings
from werkkring.errors import InputError, NotFoundError
from werkkring.mail import Mail
from werkkring.mail import send as send_mail
from werkkring.outreach._i18n import long_date, short_time
from werkkring.store.models import (
    Circle,
    Initiative,
    InitiativeParticipant,
    Member,
    Registration,
    Theme,
    WorkSession,
)

TEMPLATES = Path(__file__).parent / "templates"
SALT: Final = "werkkring.newsletter.unsubscribe"
# Used only while mail stays on this machine (the outbox folder); sending over SMTP needs a real secret.
OUTBOX_ONLY_KEY: Final = "werkkring-outbox-only-not-secret"
LIMIT: Final = 8

_WORDS: Final = {
    "nl": {
        "subject": "Nieuws uit het netwerk: {date}",
        "intro": "Wat er sinds {date} in het netwerk gebeurde, wie er mensen zoekt en wat eraan komt.",
        "recent": "Recente werksessies",
        "themes": "Wat naar voren kwam",
        "people": "{n} deelnemers",
        "initiatives": "Initiatieven die mensen zoeken",
        "looking_for": "Zoekt",
        "joined": "{n} doen mee",
        "upcoming": "Komende werksessies",
        "places_left": "nog {n} plaatsen",
        "full": "vol",
        "online": "online",
        "read_more": "Lees meer",
        "none": "Niets nieuws in deze rubriek.",
        "why": (
            "Je krijgt deze nieuwsbrief omdat je lid bent van het netwerk en de nieuwsbrief aan hebt staan."
        ),
        "unsubscribe": "Afmelden voor de nieuwsbrief",
        "at": "om",
    },
    "en": {
        "subject": "News from the network: {date}",
        "intro": "What happened in the network since {date}, who is looking for people, and what is coming.",
        "recent": "Recent work sessions",
        "themes": "What came up",
        "people": "{n} participants",
        "initiatives": "Initiatives looking for people",
        "looking_for": "Looking for",
        "joined": "{n} taking part",
        "upcoming": "Coming work sessions",
        "places_left": "{n} places left",
        "full": "full",
        "online": "online",
        "read_more": "Read more",
        "none": "Nothing new here.",
        "why": "You get this newsletter because you are a member of the network and have the newsletter on.",
        "unsubscribe": "Unsubscribe from the newsletter",
        "at": "at",
    },
}


@dataclass(frozen=True)
class DigestSession:
    id: int
    title: str
    starts_at: dt.datetime
    place: str
    circle: str | None
    question: str
    themes: tuple[str, ...]
    participants: int
    places_left: int | None


@dataclass(frozen=True)
class DigestInitiative:
    id: int
    title: str
    description: str
    looking_for: str
    participants: int


@dataclass(frozen=True)
class Digest:
    since: dt.date
    made_at: dt.datetime
    recent: tuple[DigestSession, ...]
    initiatives: tuple[DigestInitiative, ...]
    upcoming: tuple[DigestSession, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.recent or self.initiatives or self.upcoming)


@dataclass(frozen=True)
class Newsletter:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class SendResult:
    sent: int
    recipients: tuple[int, ...]
    # (member id, what went wrong) for every message the mail server refused; the rest still went out.
    failed: tuple[tuple[int, str], ...] = ()


# ---------------------------------------------------------------- unsubscribe tokens


def _key(settings: Settings) -> str:
    if settings.secret_key:
        return settings.secret_key
    if settings.smtp_host is None:
        return OUTBOX_ONLY_KEY
    raise InputError(
        "set WERKKRING_SECRET_KEY before sending mail over SMTP: unsubscribe links are signed with it"
    )


def unsubscribe_token(member_id: int, settings: Settings) -> str:
    return str(URLSafeSerializer(_key(settings), salt=SALT).dumps(member_id))


def read_unsubscribe_token(token: str, settings: Settings) -> int:
    """The member id in a valid token; NotFoundError for anything forged, altered or malformed."""
    try:
        value = URLSafeSerializer(_key(settings), salt=SALT).loads(token)
    except BadSignature:
        raise NotFoundError("this unsubscribe link is not valid") from None
    if not isinstance(value, int):
        raise NotFoundError("this unsubscribe link is not valid")
    return value


def unsubscribe_url(member_id: int, settings: Settings) -> str:
    return f"{settings.base_url}/newsletter/unsubscribe/{unsubscribe_token(member_id, settings)}"


# ---------------------------------------------------------------- gathering


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
                .where(Theme.session_id == work_session.id)
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


def build_digest(session: Session, since: dt.date, *, now: dt.datetime | None = None) -> Digest:
    """Sessions held since ``since``, open initiatives that say whom they look for, and coming sessions.
    ``now`` is wall-clock time in Europe/Amsterdam, like session times."""
    now = now or dt.datetime.now(dt.UTC).astimezone(_zone()).replace(tzinfo=None)
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
        .limit(LIMIT)
    ).all()
    upcoming = session.scalars(
        select(WorkSession)
        .where(WorkSession.starts_at >= now, WorkSession.status.in_(("open", "grouped")))
        .order_by(WorkSession.starts_at, WorkSession.id)
        .limit(LIMIT)
    ).all()
    initiatives = []
    for initiative in session.scalars(
        select(Initiative)
        .where(Initiative.status.in_(("proposed", "active")), Initiative.looking_for != "")
        .order_by(Initiative.created_at.desc(), Initiative.id.desc())
        .limit(LIMIT)
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


def _zone() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Amsterdam")


# ---------------------------------------------------------------- writing


def _when(moment: dt.datetime, language: str) -> str:
    w = _WORDS[language]
    return f"{long_date(moment.date(), language)} {w['at']} {short_time(moment, language)}"


def _place(item: DigestSession, language: str) -> str:
    parts = [p for p in (item.place, item.circle) if p]
    return " · ".join(parts) or _WORDS[language]["online"]


def _left(item: DigestSession, language: str) -> str:
    if item.places_left is None:
        return ""
    w = _WORDS[language]
    return w["full"] if item.places_left == 0 else w["places_left"].format(n=item.places_left)


def render_newsletter(digest: Digest, language: str, *, base_url: str, unsubscribe: str) -> Newsletter:
    language = "nl" if language == "nl" else "en"
    w = _WORDS[language]
    base = base_url.rstrip("/")
    since = long_date(digest.since, language)
    subject = w["subject"].format(date=long_date(digest.made_at.date(), language))
    text = [subject, "=" * len(subject), "", w["intro"].format(date=since), ""]

    def section(title: str) -> None:
        text.extend([title, "-" * len(title), ""])

    section(w["recent"])
    for s in digest.recent:
        text.append(f"* {s.title}")
        text.append(
            f"  {_when(s.starts_at, language)}, {_place(s, language)}; {w['people'].format(n=s.participants)}"
        )
        if s.themes:
            text.append(f"  {w['themes']}: {'; '.join(s.themes)}")
        text.append(f"  {base}/sessions/{s.id}")
    if not digest.recent:
        text.append(w["none"])
    text.append("")
    section(w["initiatives"])
    for i in digest.initiatives:
        text.append(f"* {i.title} ({w['joined'].format(n=i.participants)})")
        text.append(f"  {w['looking_for']}: {i.looking_for}")
        text.append(f"  {base}/initiatives/{i.id}")
    if not digest.initiatives:
        text.append(w["none"])
    text.append("")
    section(w["upcoming"])
    for s in digest.upcoming:
        left = _left(s, language)
        text.append(f"* {s.title}")
        text.append(
            f"  {_when(s.starts_at, language)}, {_place(s, language)}" + (f"; {left}" if left else "")
        )
        text.append(f"  {s.question}")
        text.append(f"  {base}/sessions/{s.id}")
    if not digest.upcoming:
        text.append(w["none"])
    text += ["", "-- ", w["why"], f"{w['unsubscribe']}: {unsubscribe}", ""]

    html = _template().render(
        d=digest,
        w=w,
        language=language,
        subject=subject,
        intro=w["intro"].format(date=since),
        base=base,
        unsubscribe=unsubscribe,
        when=lambda m: _when(m, language),
        place=lambda s: _place(s, language),
        left=lambda s: _left(s, language),
    )
    return Newsletter(subject=subject, text="\n".join(text), html=html)


@cache
def _template() -> Template:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    return env.get_template("newsletter.html")


def newsletter_mail(member: Member, digest: Digest, settings: Settings) -> Mail:
    link = unsubscribe_url(member.id, settings)
    letter = render_newsletter(digest, member.language, base_url=settings.base_url, unsubscribe=link)
    host = urlsplit(settings.base_url).hostname or "localhost"
    return Mail(
        to=member.email,
        subject=letter.subject,
        text=letter.text,
        html=letter.html,
        headers=(
            ("List-Unsubscribe", f"<{link}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ("List-Id", f"werkkring newsletter <newsletter.{host}>"),
        ),
    )


def recipients(session: Session) -> list[Member]:
    return list(session.scalars(select(Member).where(Member.newsletter.is_(True)).order_by(Member.id)))


def send_newsletter(
    session: Session,
    digest: Digest,
    settings: Settings,
    *,
    send: Callable[[Mail, Settings], object] = send_mail,
) -> SendResult:
    """One personal message to every member with the newsletter on; refuses an empty digest."""
    if digest.is_empty:
        raise InputError(f"nothing to tell since {digest.since.isoformat()}; no newsletter sent")
    _key(settings)
    sent: list[int] = []
    failed: list[tuple[int, str]] = []
    for member in recipients(session):
        try:
            send(newsletter_mail(member, digest, settings), settings)
        except (OSError, smtplib.SMTPException) as error:
            # One refused address must not stop the other 1,999; the caller reports who was missed.
            failed.append((member.id, f"{type(error).__name__}: {error}"))
            continue
        sent.append(member.id)
    record_newsletter_sent(session, digest.since.isoformat(), len(sent), len(failed))
    return SendResult(sent=len(sent), recipients=tuple(sent), failed=tuple(failed))

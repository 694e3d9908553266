"""The newsletter: a digest of recent sessions, initiatives looking for people and coming sessions (read by
``werkkring.queries.outreach``), written as an HTML e-mail with a plain-text part in each member's language;
``werkkring.actions.outreach.send_newsletter`` sends it to every member who has the newsletter on.

Every message carries its own unsubscribe link (a signed token with the member id, so nobody can unsubscribe
someone else) in the text and in the ``List-Unsubscribe`` header, with ``List-Unsubscribe-Post`` for the
one-click unsubscribe of RFC 8058."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment, FileSystemLoader, Template, select_autoescape

from werkkring.config import Settings
from werkkring.errors import NotFoundError
from werkkring.i18n import N_, long_date, short_time
from werkkring.mail import Mail
from werkkring.outreach._words import Words, words
from werkkring.store.keys import site_secret
from werkkring.store.models import Member

TEMPLATES = Path(__file__).parent / "templates"
SALT: Final = "werkkring.newsletter.unsubscribe"
# Used only while mail stays on this machine (the outbox folder); sending over SMTP needs a real secret.
LIMIT: Final = 8


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


def signing_key(settings: Settings) -> str:
    """The key unsubscribe links are signed with: the site's secret (store/keys.py), never a constant."""
    return site_secret(settings)


def unsubscribe_token(member_id: int, settings: Settings) -> str:
    return str(URLSafeSerializer(signing_key(settings), salt=SALT).dumps(member_id))


def read_unsubscribe_token(token: str, settings: Settings) -> int:
    """The member id in a valid token; NotFoundError for anything forged, altered or malformed."""
    try:
        value = URLSafeSerializer(signing_key(settings), salt=SALT).loads(token)
    except BadSignature:
        raise NotFoundError("this unsubscribe link is not valid") from None
    if not isinstance(value, int):
        raise NotFoundError("this unsubscribe link is not valid")
    return value


def unsubscribe_url(member_id: int, settings: Settings) -> str:
    return f"{settings.base_url}/newsletter/unsubscribe/{unsubscribe_token(member_id, settings)}"


# ---------------------------------------------------------------- writing


def _when(moment: dt.datetime, language: str) -> str:
    return words(language)(
        N_("%(date)s at %(time)s"), date=long_date(moment.date(), language), time=short_time(moment, language)
    )


def _place(item: DigestSession, language: str) -> str:
    parts = [p for p in (item.place, item.circle) if p]
    return " · ".join(parts) or words(language)(N_("online"))


def _left(item: DigestSession, language: str) -> str:
    if item.places_left is None:
        return ""
    w = words(language)
    return w(N_("full")) if item.places_left == 0 else w(N_("%(n)s places left"), n=item.places_left)


def render_newsletter(digest: Digest, language: str, *, base_url: str, unsubscribe: str) -> Newsletter:
    language = "nl" if language == "nl" else "en"
    w: Words = words(language)
    base = base_url.rstrip("/")
    since = long_date(digest.since, language)
    subject = w(N_("News from the network: %(date)s"), date=long_date(digest.made_at.date(), language))
    intro = w(
        N_("What happened in the network since %(date)s, who is looking for people, and what is coming."),
        date=since,
    )
    nothing = w(N_("Nothing new here."))
    text = [subject, "=" * len(subject), "", intro, ""]

    def section(title: str) -> None:
        text.extend([title, "-" * len(title), ""])

    section(w(N_("Recent work sessions")))
    came_up = w(N_("What came up"))
    for s in digest.recent:
        people = w(N_("%(n)s participants"), n=s.participants)
        text.append(f"* {s.title}")
        text.append(f"  {_when(s.starts_at, language)}, {_place(s, language)}; {people}")
        if s.themes:
            text.append(f"  {came_up}: {'; '.join(s.themes)}")
        text.append(f"  {base}/sessions/{s.id}")
    if not digest.recent:
        text.append(nothing)
    text.append("")
    section(w(N_("Initiatives looking for people")))
    looking_for = w(N_("Looking for"))
    for i in digest.initiatives:
        taking_part = w(N_("%(n)s taking part"), n=i.participants)
        text.append(f"* {i.title} ({taking_part})")
        text.append(f"  {looking_for}: {i.looking_for}")
        text.append(f"  {base}/initiatives/{i.id}")
    if not digest.initiatives:
        text.append(nothing)
    text.append("")
    section(w(N_("Coming work sessions")))
    for s in digest.upcoming:
        left = _left(s, language)
        text.append(f"* {s.title}")
        text.append(
            f"  {_when(s.starts_at, language)}, {_place(s, language)}" + (f"; {left}" if left else "")
        )
        text.append(f"  {s.question}")
        text.append(f"  {base}/sessions/{s.id}")
    if not digest.upcoming:
        text.append(nothing)
    why = w(N_("You get this newsletter because you are a member of the network and have the newsletter on."))
    text += ["", "-- ", why, w(N_("Unsubscribe from the newsletter")) + f": {unsubscribe}", ""]

    html = _template().render(
        d=digest,
        _=w,
        language=language,
        subject=subject,
        intro=intro,
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

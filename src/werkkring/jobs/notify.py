"""Notification mails (werkkring.actions.notifications): one mail per notification for members who want it at
once (``notify.mail``, enqueued after the commit of the change), and once a week one digest per member of
what they chose to get that way (``notify.digest``, started by the job runner's hourly housekeeping the
first time it runs in a new ISO week). Each mail is claimed as a job item before it goes out, so a job run
again after a crash never sends one twice; a notification is marked sent once its mail went out."""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Mapping, Sequence
from typing import Any, Final

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from werkkring.actions.notifications import MAIL_KIND
from werkkring.config import Settings
from werkkring.i18n import N_, long_date, short_time
from werkkring.mail import Mail, send
from werkkring.outreach._words import Words, words
from werkkring.queue import JobContext, enqueue, handler
from werkkring.store import Database
from werkkring.store.models import Job, Member, Notification, utcnow

DIGEST_KIND: Final = "notify.digest"
SETTINGS_PATH: Final = "/me/notifications"
TRANSIENT = (ConnectionError, TimeoutError, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)

CHANGE_WORDS: Final = {
    "title": N_("title"),
    "question": N_("question"),
    "time": N_("time"),
    "place": N_("place"),
    "capacity": N_("capacity"),
}


def _when(params: Mapping[str, Any], language: str) -> str:
    value = params.get("starts_at")
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(str(value))
    return f"{long_date(moment.date(), language)}, {short_time(moment, language)}"


def subject_line(kind: str, params: Mapping[str, Any], w: Words) -> str:
    """What happened, in one line: the subject of its own mail, a line of the digest."""
    title = str(params.get("title", ""))
    if kind == "session_changed" and params.get("cancelled"):
        return w(N_("Cancelled: %(title)s"), title=title)
    if kind == "session_changed":
        return w(N_("The work session %(title)s has changed"), title=title)
    if kind == "seated":
        return w(N_("Your group in %(title)s: group %(group)s"), title=title, group=params.get("group", ""))
    if kind == "outcome_published":
        return w(N_("The outcome of %(title)s is published"), title=title)
    if kind == "initiative_joined":
        return w(N_("%(name)s joins your initiative %(title)s"), name=params.get("name", ""), title=title)
    if kind == "initiative_update":
        return w(N_("News from the initiative %(title)s"), title=title)
    return title


def detail_lines(kind: str, params: Mapping[str, Any], w: Words, language: str) -> list[str]:
    """The lines under the subject: what changed, the reason, what it adds."""
    lines: list[str] = []
    if kind == "session_changed" and params.get("cancelled"):
        lines.append(w(N_("The host has cancelled this work session.")))
        if params.get("reason"):
            lines.append(w(N_("Reason: %(reason)s"), reason=params["reason"]))
    elif kind == "session_changed":
        changed = [w(CHANGE_WORDS[c]) for c in params.get("changed", []) if c in CHANGE_WORDS]
        if changed:
            lines.append(w(N_("Changed: %(what)s."), what=", ".join(changed)))
        when = _when(params, language)
        if when:
            lines.append(w(N_("When: %(when)s"), when=when))
        if params.get("place"):
            lines.append(w(N_("Place: %(place)s"), place=params["place"]))
    elif kind == "initiative_joined" and params.get("adds"):
        lines.append(w(N_("What it adds for them: %(adds)s"), adds=params["adds"]))
    elif kind == "initiative_update" and params.get("text"):
        lines.append(str(params["text"]))
    return lines


def notification_mail(member: Member, note: Notification, base_url: str) -> Mail:
    language = "nl" if member.language == "nl" else "en"
    w = words(language)
    base = base_url.rstrip("/")
    body = [w(N_("Hello %(name)s,"), name=member.name), ""]
    body += [subject_line(note.kind, note.params, w) + "."]
    body += detail_lines(note.kind, note.params, w, language)
    if note.params.get("path"):
        body += ["", f"{base}{note.params['path']}"]
    body += ["", w(N_("Choose which mails you get: %(url)s"), url=f"{base}{SETTINGS_PATH}")]
    return Mail(to=member.email, subject=subject_line(note.kind, note.params, w), text="\n".join(body) + "\n")


def digest_mail(member: Member, notes: Sequence[Notification], base_url: str) -> Mail:
    language = "nl" if member.language == "nl" else "en"
    w = words(language)
    base = base_url.rstrip("/")
    body = [w(N_("Hello %(name)s,"), name=member.name), "", w(N_("What happened this week:")), ""]
    for note in notes:
        body.append(f"- {subject_line(note.kind, note.params, w)}")
        body += [f"  {line}" for line in detail_lines(note.kind, note.params, w, language)]
        if note.params.get("path"):
            body.append(f"  {base}{note.params['path']}")
    body += ["", w(N_("Choose which mails you get: %(url)s"), url=f"{base}{SETTINGS_PATH}")]
    subject = w(N_("Your week in werkkring: %(n)s updates"), n=len(notes))
    return Mail(to=member.email, subject=subject, text="\n".join(body) + "\n")


def _send(step: Any, mail: Mail, settings: Settings) -> bool:
    try:
        send(mail, settings)
    except TRANSIENT as error:
        step.failed(f"{type(error).__name__}: {error}", retry=True)
        return False
    except (OSError, smtplib.SMTPException) as error:
        step.failed(f"{type(error).__name__}: {error}")
        return False
    return True


@handler(MAIL_KIND, max_attempts=6)
def mail_notifications(context: JobContext, *, ids: list[int]) -> None:
    for step in context.items((str(i) for i in ids), total=len(ids)):
        with context.database.reader() as session:
            note = session.get(Notification, int(step.key))
            member = session.get(Member, note.member_id) if note is not None else None
            if note is None or member is None or note.sent_at is not None:
                continue  # the member left meanwhile, or it went out already
            mail = notification_mail(member, note, context.settings.base_url)
        if _send(step, mail, context.settings):
            with context.database.transaction() as session:
                session.execute(
                    update(Notification).where(Notification.id == note.id).values(sent_at=utcnow())
                )


@handler(DIGEST_KIND, max_attempts=8, backoff=30.0)
def send_digests(context: JobContext, *, week: str) -> None:
    """One digest per member with notifications waiting for it, each member claimed before their mail."""
    with context.database.reader() as session:
        waiting = sorted(
            set(
                session.scalars(
                    select(Notification.member_id).where(
                        Notification.mode == "digest", Notification.sent_at.is_(None)
                    )
                )
            )
        )
    for step in context.items((str(i) for i in waiting), total=len(waiting)):
        with context.database.reader() as session:
            member = session.get(Member, int(step.key))
            notes = list(
                session.scalars(
                    select(Notification)
                    .where(
                        Notification.member_id == int(step.key),
                        Notification.mode == "digest",
                        Notification.sent_at.is_(None),
                    )
                    .order_by(Notification.created_at, Notification.id)
                )
            )
            if member is None or not notes:
                continue
            mail = digest_mail(member, notes, context.settings.base_url)
        if _send(step, mail, context.settings):
            with context.database.transaction() as session:
                session.execute(
                    update(Notification)
                    .where(Notification.id.in_([n.id for n in notes]))
                    .values(sent_at=utcnow())
                )


def week_of(moment: dt.datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def start_weekly_digest(database: Database, settings: Settings, *, now: dt.datetime | None = None) -> bool:
    """The hourly housekeeping: start this week's digest unless it was started already (True if now).
    Two runners at the same moment start one: the job's key is unique while it runs, and kept after."""
    week = week_of(now or utcnow())
    key = f"{DIGEST_KIND}:{week}"
    try:
        with database.transaction() as session:
            if session.scalar(select(Job.id).where(Job.key == key).limit(1)) is not None:
                return False
            enqueue(session, DIGEST_KIND, {"week": week}, key=key)
    except IntegrityError:
        return False
    return True


# Sent notifications are kept this long (the digest and the admin can look back), then deleted.
KEEP_SENT = dt.timedelta(days=90)


def prune_sent(database: Database, settings: Settings, *, now: dt.datetime | None = None) -> int:
    """The hourly housekeeping: forget notifications sent more than :data:`KEEP_SENT` ago."""
    cutoff = (now or utcnow()) - KEEP_SENT
    with database.transaction() as session:
        result = session.execute(
            delete(Notification).where(Notification.sent_at.is_not(None), Notification.sent_at < cutoff)
        )
    return int(getattr(result, "rowcount", 0) or 0)


def housekeeping(database: Database, settings: Settings) -> None:
    """What the job runner does for notifications every hour: start the week's digest, prune old ones."""
    start_weekly_digest(database, settings)
    prune_sent(database, settings)

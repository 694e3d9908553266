"""The newsletter as a background job: one personal message to every member with the newsletter on, each
recipient recorded before their mail goes out, so a run that is stopped (kill -9, a restart) goes on where
it stopped and nobody gets it twice. Started by an admin on /admin/newsletter or by
``werkkring newsletter --send``; only one runs at a time."""

from __future__ import annotations

import datetime as dt
import smtplib

from werkkring.actions._audit import record
from werkkring.actions.outreach import NEWSLETTER_KIND
from werkkring.actions.permissions import SYSTEM, Actor
from werkkring.jobs.mail import TRANSIENT
from werkkring.mail import send
from werkkring.outreach import newsletter_mail
from werkkring.queries.outreach import digest, newsletter_recipients
from werkkring.queue import JobContext, handler
from werkkring.store.models import Member


@handler(NEWSLETTER_KIND, max_attempts=8, backoff=30.0)
def send_newsletter_job(
    context: JobContext, *, since: str, made_at: str, actor_id: int | None = None
) -> None:
    """Every recipient not yet handled by an earlier run of this job; the digest is the one the admin saw
    (same date and moment), also when the run resumes the next day."""
    with context.database.reader() as session:
        news = digest(session, dt.date.fromisoformat(since), now=dt.datetime.fromisoformat(made_at))
        members = {member.id: member for member in newsletter_recipients(session)}
    for step in context.items((str(member_id) for member_id in members), total=len(members)):
        member = members[int(step.key)]
        try:
            send(newsletter_mail(member, news, context.settings), context.settings)
        except (
            TRANSIENT
        ) as error:  # the server was not reached: certainly not sent; the next attempt sends it
            step.failed(f"{type(error).__name__}: {error}", retry=True)
        except (OSError, smtplib.SMTPException) as error:  # refused: one address must not stop the others
            step.failed(f"{type(error).__name__}: {error}")
    with context.database.transaction() as session:
        actor: Actor = (session.get(Member, actor_id) if actor_id else None) or SYSTEM
        record(
            session,
            actor,
            "newsletter.send",
            "newsletter",
            None,
            since=since,
            sent=context.counts.get("done", 0),
            failed=context.counts.get("failed", 0),
            in_doubt=context.counts.get("in_doubt", 0),
            job=context.job_id,
        )

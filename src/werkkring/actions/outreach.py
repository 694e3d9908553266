"""Outreach's changes of state: sending the newsletter, and members' own choices about what reaches the
outside world (being named in published reports, the newsletter, the secret address of their calendar
feed)."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from werkkring.actions._audit import record
from werkkring.actions.permissions import Actor, require_admin
from werkkring.config import Settings
from werkkring.errors import N_, InputError, PermissionDenied
from werkkring.outreach import Digest, signing_key
from werkkring.queue import JobAlreadyActive, enqueue
from werkkring.store.models import Job, Member


def set_named_in_reports(session: Session, member: Member, agreed: bool, *, actor: Member) -> None:
    """Consent to be named in published session reports; only the member themself gives or withdraws it."""
    if actor.id != member.id:
        raise PermissionDenied(N_("only the member themself agrees to be named in reports"))
    member.named_in_reports = agreed
    record(session, actor, "member.report_naming", "member", member.id, agreed=agreed)


def unsubscribe_newsletter(session: Session, member: Member, *, via: str = "link") -> bool:
    """Turn the newsletter off. Called from a signed unsubscribe link, so there is no signed-in actor; the
    signature is the permission. Returns False when the member had already unsubscribed."""
    if not member.newsletter:
        return False
    member.newsletter = False
    record(session, None, "member.newsletter_off", "member", member.id, via=via)
    return True


def reset_feed_token(session: Session, member: Member, *, actor: Member) -> str:
    """Give the member a new secret calendar address (the old one stops working), e.g. after it leaked."""
    if actor.id != member.id and actor.role != "admin":
        raise PermissionDenied(N_("only the member themself or an admin resets a calendar address"))
    member.feed_token = secrets.token_urlsafe(24)
    record(session, actor, "member.feed_token_reset", "member", member.id)
    return member.feed_token


NEWSLETTER_KIND = "newsletter"
NEWSLETTER_KEY = "newsletter"  # one newsletter on its way at a time, whatever its date


def start_newsletter(session: Session, digest: Digest, settings: Settings, *, actor: Actor) -> str:
    """Have the newsletter sent: a background job, handed to the job runner once this transaction commits,
    that mails every member with the newsletter on, one by one, recording each before their mail goes out
    (werkkring.jobs.newsletter). Refuses an empty digest, and a second newsletter while one is on its way.
    Returns the job's id."""
    if isinstance(actor, Member):
        require_admin(actor)
    if digest.is_empty:
        raise InputError(
            N_("nothing to tell since %(since)s; no newsletter sent"),
            params={"since": digest.since.isoformat()},
        )
    signing_key(settings)
    if session.scalar(select(Job.id).where(Job.active_key == NEWSLETTER_KEY)) is not None:
        raise JobAlreadyActive(N_("a newsletter is being sent right now; wait until it has finished"))
    job_id = enqueue(
        session,
        NEWSLETTER_KIND,
        {
            "since": digest.since.isoformat(),
            "made_at": digest.made_at.isoformat(),
            "actor_id": actor.id if isinstance(actor, Member) else None,
        },
        key=NEWSLETTER_KEY,
        requested_by=actor.id if isinstance(actor, Member) else None,
    )
    record(session, actor, "newsletter.start", "newsletter", None, since=digest.since.isoformat(), job=job_id)
    return job_id

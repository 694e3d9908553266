"""Outreach's changes of state: sending the newsletter, and members' own choices about what reaches the
outside world (being named in published reports, the newsletter, the secret address of their calendar
feed)."""

from __future__ import annotations

import secrets
import smtplib
from collections.abc import Callable

from sqlalchemy.orm import Session

from werkkring.actions._audit import record
from werkkring.actions.permissions import Actor, require_admin
from werkkring.config import Settings
from werkkring.errors import N_, InputError, PermissionDenied
from werkkring.mail import Mail
from werkkring.mail import send as send_mail
from werkkring.outreach import Digest, SendResult, newsletter_mail, signing_key
from werkkring.queries.outreach import newsletter_recipients
from werkkring.store.models import Member


def set_named_in_reports(session: Session, actor: Member, member: Member, agreed: bool) -> None:
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


def reset_feed_token(session: Session, actor: Member, member: Member) -> str:
    """Give the member a new secret calendar address (the old one stops working), e.g. after it leaked."""
    if actor.id != member.id and actor.role != "admin":
        raise PermissionDenied(N_("only the member themself or an admin resets a calendar address"))
    member.feed_token = secrets.token_urlsafe(24)
    record(session, actor, "member.feed_token_reset", "member", member.id)
    return member.feed_token


def send_newsletter(
    session: Session,
    digest: Digest,
    settings: Settings,
    *,
    actor: Actor,
    send: Callable[[Mail, Settings], object] = send_mail,
) -> SendResult:
    """One personal message to every member with the newsletter on (an admin sends it, or the system from
    the command line); refuses an empty digest. The audit entry says from which date, to how many members
    and how many the mail server refused."""
    if isinstance(actor, Member):
        require_admin(actor)
    if digest.is_empty:
        raise InputError(f"nothing to tell since {digest.since.isoformat()}; no newsletter sent")
    signing_key(settings)
    sent: list[int] = []
    failed: list[tuple[int, str]] = []
    for member in newsletter_recipients(session):
        try:
            send(newsletter_mail(member, digest, settings), settings)
        except (OSError, smtplib.SMTPException) as error:
            # One refused address must not stop the other 1,999; the caller reports who was missed.
            failed.append((member.id, f"{type(error).__name__}: {error}"))
            continue
        sent.append(member.id)
    since = digest.since.isoformat()
    record(
        session, actor, "newsletter.send", "newsletter", None, since=since, sent=len(sent), failed=len(failed)
    )
    return SendResult(sent=len(sent), recipients=tuple(sent), failed=tuple(failed))

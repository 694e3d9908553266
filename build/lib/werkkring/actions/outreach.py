"""Members' own choices about what reaches the outside world: being named in published reports, the
newsletter, and the secret address of their personal calendar feed."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from werkkring.actions._audit import record
from werkkring.errors import N_, PermissionDenied
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


def record_newsletter_sent(session: Session, since: str, recipients: int, failed: int = 0) -> None:
    """The audit trail of a newsletter run: from which date, to how many members, how many refused."""
    record(session, None, "newsletter.send", "newsletter", None, since=since, sent=recipients, failed=failed)

"""The guests' keeping time (docs/guests.md): every hour the job runner deletes the guests of sessions
published more than ``guest_retention_days`` ago (or started that long ago and never published), and guests
whose session is gone. Safe to run twice: a second run finds nothing left to delete. Also the mail that
invites a guest to become a member (``mail.guest_invite``). The job runner imports this module (its hourly
clean-up), which registers the job kind in every process that runs or enqueues jobs."""

from __future__ import annotations

import logging
import smtplib

from werkkring import i18n
from werkkring.actions.accounts import issue_login_token
from werkkring.actions.permissions import SYSTEM
from werkkring.actions.room import GUEST_INVITE_KIND, delete_expired_guests
from werkkring.config import Settings
from werkkring.mail import Mail, send
from werkkring.queue import JobContext, handler
from werkkring.store import Database
from werkkring.store.models import Guest, Member

INVITE_PATH = "/guests/invite/"
TRANSIENT = (ConnectionError, TimeoutError, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)

log = logging.getLogger("werkkring.jobs.guests")


def delete_guests(database: Database, settings: Settings) -> None:
    with database.transaction() as session:
        count = delete_expired_guests(session, days=settings.guest_retention_days)
    if count:
        log.info(
            "deleted %s guests after their keeping time of %s days", count, settings.guest_retention_days
        )


def invitation_mail(member: Member, address: str, token: str, base_url: str) -> Mail:
    """The invitation to become a member, to the address the guest gave (their row has none that works)."""
    previous = i18n.current_locale.set(i18n.normalise(member.language))
    try:
        subject = i18n.gettext("You are invited to werkkring")
        hello = i18n.gettext("Hello %(name)s,") % {"name": member.name}
        intro = i18n.gettext(
            "You took part in a work session as a guest. Become a member of the network: your input and your "
            "place stay, and your guest data is no longer deleted. Use this link within 14 days to choose "
            "your password:"
        )
        ignore = i18n.gettext("Did you not ask for this? Then ignore this message.")
    finally:
        i18n.current_locale.reset(previous)
    text = f"{hello}\n\n{intro}\n\n{base_url}{INVITE_PATH}{token}\n\n{ignore}\n"
    return Mail(to=address, subject=subject, text=text)


@handler(GUEST_INVITE_KIND, max_attempts=6)
def mail_guest_invite(context: JobContext, *, member_id: int) -> None:
    for step in context.items(["mail"], total=1):
        with context.database.transaction() as session:
            member = session.get(Member, member_id)
            guest = session.get(Guest, member_id)
            if member is None or guest is None or not guest.email:  # deleted meanwhile, or a member already
                step.failed("the guest no longer exists")
                continue
            token = issue_login_token(session, member, "invite", actor=SYSTEM)
            mail = invitation_mail(member, guest.email, token, context.settings.base_url)
        try:
            send(mail, context.settings)
        except TRANSIENT as error:
            step.failed(f"{type(error).__name__}: {error}", retry=True)
        except (OSError, smtplib.SMTPException) as error:
            step.failed(f"{type(error).__name__}: {error}")

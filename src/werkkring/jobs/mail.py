"""Mail jobs: one-time links (sign in, password reset, invitation). The token is made inside the job, so no
usable link is ever stored in the database (only its SHA-256, as before), and the mail goes out only after the
request's transaction committed."""

from __future__ import annotations

import smtplib

from werkkring import i18n
from werkkring.actions.accounts import LINK_MAIL_KIND, issue_login_token
from werkkring.actions.permissions import SYSTEM
from werkkring.mail import Mail, send
from werkkring.queue import JobContext, handler
from werkkring.store.models import Member

LINK_PATHS = {"signin": "/signin/link/", "reset": "/password/reset/", "invite": "/invite/"}
# Errors that say the message certainly did not go out (no server, refused before DATA): worth a retry.
TRANSIENT = (ConnectionError, TimeoutError, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)


def link_mail(member: Member, purpose: str, token: str, base_url: str) -> Mail:
    link = f"{base_url}{LINK_PATHS[purpose]}{token}"
    previous = i18n.current_locale.set(i18n.normalise(member.language))
    try:
        subjects = {
            "signin": i18n.gettext("Your sign-in link for werkkring"),
            "reset": i18n.gettext("Choose a new password for werkkring"),
            "invite": i18n.gettext("You are invited to werkkring"),
        }
        intro = {
            "signin": i18n.gettext("Use this link once, within 30 minutes, to sign in:"),
            "reset": i18n.gettext("Use this link once, within two hours, to choose a new password:"),
            "invite": i18n.gettext("Welcome! Use this link within 14 days to choose your password:"),
        }
        ignore = i18n.gettext("Did you not ask for this? Then ignore this message.")
        hello = i18n.gettext("Hello %(name)s,") % {"name": member.name}
    finally:
        i18n.current_locale.reset(previous)
    text = f"{hello}\n\n{intro[purpose]}\n\n{link}\n\n{ignore}\n"
    return Mail(to=member.email, subject=subjects[purpose], text=text)


@handler(LINK_MAIL_KIND, max_attempts=6)
def mail_link(context: JobContext, *, member_id: int, purpose: str) -> None:
    for step in context.items(["mail"], total=1):
        with context.database.transaction() as session:
            member = session.get(Member, member_id)
            if member is None:  # deleted their account meanwhile
                step.failed("the member no longer exists")
                continue
            token = issue_login_token(session, member, purpose, actor=SYSTEM)
            mail = link_mail(member, purpose, token, context.settings.base_url)
        try:
            send(mail, context.settings)
        except TRANSIENT as error:
            step.failed(f"{type(error).__name__}: {error}", retry=True)
        except (OSError, smtplib.SMTPException) as error:
            step.failed(f"{type(error).__name__}: {error}")

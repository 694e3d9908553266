"""The mails of "introduce us" (actions/introductions.py), sent after the request's transaction committed:
the request to the one asked (answer in the app), and, when both said yes, the introduction to both with what
each offers and needs (only what each shows the other) and each other's e-mail address."""

from __future__ import annotations

import smtplib

from sqlalchemy.orm import Session

from werkkring import i18n
from werkkring.actions.introductions import INTRODUCED_MAIL_KIND, REQUEST_MAIL_KIND
from werkkring.mail import Mail, send
from werkkring.queries import members as member_queries
from werkkring.queue import ItemStep, JobContext, handler
from werkkring.store.models import Introduction, Member

TRANSIENT = (ConnectionError, TimeoutError, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)
ANSWER_PATH = "/connections#introductions"


def _what(session: Session, viewer: Member, member: Member) -> str:
    """What ``member`` offers and looks for, as far as they show it to ``viewer``: indented lines."""
    fields = member_queries.profiles(session, viewer, [member])[0].fields
    lines = []
    for name, title in (("offers", i18n.gettext("Offers")), ("needs", i18n.gettext("Looking for"))):
        items = fields.get(name) or []
        if items:
            lines.append(f"{title}:")
            lines.extend(f"  - {item}" for item in items)
    return "\n".join(lines) if lines else i18n.gettext("(nothing shown on their profile yet)")


def request_mail(
    session: Session, introduction: Introduction, asker: Member, asked: Member, base: str
) -> Mail:
    previous = i18n.current_locale.set(i18n.normalise(asked.language))
    try:
        subject = i18n.gettext("%(name)s would like to be introduced to you") % {"name": asker.name}
        hello = i18n.gettext("Hello %(name)s,") % {"name": asked.name}
        intro = i18n.gettext(
            "%(name)s asks werkkring to introduce the two of you. Say yes or no in the app; only when you "
            "both said yes do you get each other's e-mail address."
        ) % {"name": asker.name}
        why = i18n.gettext("Why: %(reason)s") % {"reason": introduction.reason} if introduction.reason else ""
        what = _what(session, asked, asker)
        answer = i18n.gettext("Answer here:")
    finally:
        i18n.current_locale.reset(previous)
    parts = [hello, intro, why, what, f"{answer} {base}{ANSWER_PATH}"]
    return Mail(to=asked.email, subject=subject, text="\n\n".join(p for p in parts if p) + "\n")


def introduction_mail(session: Session, to: Member, other: Member, base: str) -> Mail:
    previous = i18n.current_locale.set(i18n.normalise(to.language))
    try:
        subject = i18n.gettext("Introduction: %(name)s") % {"name": other.name}
        hello = i18n.gettext("Hello %(name)s,") % {"name": to.name}
        intro = i18n.gettext(
            "You and %(name)s both said yes: meet %(name)s. Reply to this mail or write to %(email)s to "
            "make an appointment."
        ) % {"name": other.name, "email": other.email}
        what = _what(session, to, other)
        profile = i18n.gettext("Their profile:")
    finally:
        i18n.current_locale.reset(previous)
    text = f"{hello}\n\n{intro}\n\n{what}\n\n{profile} {base}/members/{other.id}\n"
    return Mail(to=to.email, subject=subject, text=text, headers=(("Reply-To", other.email),))


def _send(step: ItemStep, mail: Mail, context: JobContext) -> None:
    try:
        send(mail, context.settings)
    except TRANSIENT as error:
        step.failed(f"{type(error).__name__}: {error}", retry=True)
    except (OSError, smtplib.SMTPException) as error:
        step.failed(f"{type(error).__name__}: {error}")


@handler(REQUEST_MAIL_KIND, max_attempts=6)
def mail_introduction_request(context: JobContext, *, introduction_id: int) -> None:
    for step in context.items(["mail"], total=1):
        with context.database.reader() as session:
            introduction = session.get(Introduction, introduction_id)
            asker = session.get(Member, introduction.member_a_id) if introduction else None
            asked = session.get(Member, introduction.member_b_id) if introduction else None
            if introduction is None or asker is None or asked is None or introduction.status != "proposed":
                step.failed("the introduction was answered, withdrawn or one of the two left")
                continue
            mail = request_mail(session, introduction, asker, asked, context.settings.base_url)
        _send(step, mail, context)


@handler(INTRODUCED_MAIL_KIND, max_attempts=6)
def mail_introduction_made(context: JobContext, *, introduction_id: int) -> None:
    for step in context.items(["a", "b"], total=2):
        with context.database.reader() as session:
            introduction = session.get(Introduction, introduction_id)
            a = session.get(Member, introduction.member_a_id) if introduction else None
            b = session.get(Member, introduction.member_b_id) if introduction else None
            if introduction is None or a is None or b is None:
                step.failed("one of the two left the network")
                continue
            to, other = (a, b) if step.key == "a" else (b, a)
            mail = introduction_mail(session, to, other, context.settings.base_url)
        _send(step, mail, context)

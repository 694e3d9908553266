"""Outgoing mail: SMTP when configured, otherwise an outbox folder of .eml files (zero configuration)."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTPUTF8, default
from email.utils import formatdate, make_msgid
from pathlib import Path

from werkkring.config import Settings


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


def build_message(mail: Mail, sender: str) -> EmailMessage:
    # A non-ASCII address (noor.müller@...) must go out as UTF-8 (RFC 6531); the default policy would turn it
    # into an RFC 2047 encoded word, which is not an address any server delivers to.
    utf8 = not (mail.to.isascii() and sender.isascii())
    message = EmailMessage(policy=SMTPUTF8 if utf8 else default)
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    for name, value in mail.headers:
        message[name] = value
    message.set_content(mail.text)
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    return message


def send(mail: Mail, settings: Settings) -> Path | None:
    """Send one message; returns the outbox file when no SMTP host is configured."""
    message = build_message(mail, settings.mail_from)
    if settings.smtp_host is None:
        settings.outbox_dir.mkdir(parents=True, exist_ok=True)
        path = settings.outbox_dir / f"{uuid.uuid4().hex}.eml"
        partial = path.with_suffix(".part")
        partial.write_bytes(bytes(message))
        partial.replace(path)
        return path
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_port != 25:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)
    return None

"""report, newsletter, mailing and feeds: what carries the network's work outside the app."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy import select

from werkkring.cli._common import database, settings, write_file
from werkkring.config import Settings
from werkkring.errors import InputError

if TYPE_CHECKING:
    from werkkring.outreach import PostalList
from werkkring.limits import ID
from werkkring.store import Database

FORMATS = ("md", "html", "pdf")

report_app = typer.Typer(help="Reports to publish.", no_args_is_help=True)
mailing_app = typer.Typer(help="Postal mailings (consent only).", no_args_is_help=True)
feeds_app = typer.Typer(help="Calendar feeds (iCalendar).", no_args_is_help=True)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--since wants a date like 2026-11-01, not {value!r}") from None


@report_app.command("session")
def report_session(
    ctx: typer.Context,
    session_id: Annotated[
        int, typer.Argument(metavar="ID", min=ID.minimum, max=ID.maximum, help="The work session's id.")
    ],
    format: Annotated[
        str, typer.Option("--format", "-f", help="md, html or pdf (default: from --out, else md).")
    ] = "",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here (pdf needs it).")] = None,
) -> None:
    """The report of one work session, in the session's language, ready to publish."""
    from werkkring.outreach import render_html, render_markdown, render_pdf
    from werkkring.queries.outreach import session_report

    chosen = format or (out.suffix.lstrip(".").lower() if out is not None else "md")
    chosen = "md" if chosen == "markdown" else chosen
    if chosen not in FORMATS:
        raise InputError(f"--format must be md, html or pdf, not {chosen!r}")
    if chosen == "pdf" and out is None:
        raise InputError("a PDF needs --out FILE.pdf")
    with database(ctx).reader() as session:
        report = session_report(session, session_id)
    if chosen == "pdf":
        data = render_pdf(report)
    else:
        text = render_markdown(report) if chosen == "md" else render_html(report)
        if out is None:
            typer.echo(text, nl=False)
            return
        data = text.encode("utf-8")
    assert out is not None
    write_file(out, data)
    typer.echo(f"report of session {session_id} written to {out}", err=True)


def _send_newsletter(db: Database, config: Settings, day: dt.date) -> None:
    """Send (or go on sending) the newsletter here and now: the same job the admin page starts, run in this
    process. A run that was stopped (Ctrl-C, kill -9) goes on with the members it had not reached when the
    command is given again; nobody gets it twice."""
    from werkkring.actions.outreach import NEWSLETTER_KEY, start_newsletter
    from werkkring.actions.permissions import SYSTEM
    from werkkring.jobs import kinds  # noqa: F401  (the job kinds)
    from werkkring.queries.outreach import digest, newsletter_result
    from werkkring.queue import Runner, refusing_duplicates
    from werkkring.store.models import Job

    runner = Runner(db, config)
    runner.recover()  # a run whose process is gone (killed) may go on now
    with db.reader() as session:
        active = session.scalar(select(Job).where(Job.active_key == NEWSLETTER_KEY))
    if active is not None:
        job_id = active.id
        typer.echo(f"going on with the newsletter started {active.created_at:%Y-%m-%d %H:%M} UTC", err=True)
    else:
        with refusing_duplicates(db) as session:
            job_id = start_newsletter(session, digest(session, day), config, actor=SYSTEM)
    status = runner.run(job_id)
    if status is None:
        raise InputError(
            "the newsletter is being sent by another process (werkkring worker or serve); see /admin/jobs"
        )
    with db.reader() as session:
        result = newsletter_result(session, job_id)
        job = session.get(Job, job_id)
    where = config.smtp_host or str(config.outbox_dir)
    typer.echo(f"newsletter sent to {result.sent} members via {where}")
    for member_id, problem in result.failed:
        typer.echo(f"not sent to member {member_id}: {problem}", err=True)
    if status == "retrying" and job is not None:
        typer.echo(f"some could not be sent yet ({job.error}); give the command again later", err=True)
    if result.failed or status != "done":
        raise typer.Exit(1)


def newsletter(
    ctx: typer.Context,
    since: Annotated[str, typer.Option("--since", help="Recent sessions from this date (YYYY-MM-DD).")],
    send: Annotated[bool, typer.Option("--send", help="Send it; without this only a preview.")] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Preview: write newsletter.html and newsletter.txt into this folder."),
    ] = None,
    language: Annotated[str, typer.Option("--language", help="Preview language: nl or en.")] = "nl",
) -> None:
    """The newsletter digest. Preview by default; --send mails every member with the newsletter on."""
    from werkkring.outreach import render_newsletter
    from werkkring.queries.outreach import digest, newsletter_recipients

    if language not in ("nl", "en"):
        raise InputError(f"--language must be nl or en, not {language!r}")
    config = settings(ctx)
    day = _date(since)
    db = database(ctx)
    if send:
        _send_newsletter(db, config, day)
        return
    with db.reader() as session:
        news = digest(session, day)
        count = len(newsletter_recipients(session))
    letter = render_newsletter(
        news,
        language,
        base_url=config.base_url,
        unsubscribe=f"{config.base_url}/newsletter/unsubscribe/PREVIEW",
    )
    if out is not None:
        if not out.is_dir():
            raise InputError(f"--out must be an existing folder, not {out}")
        write_file(out / "newsletter.html", letter.html.encode("utf-8"))
        write_file(out / "newsletter.txt", letter.text.encode("utf-8"))
        typer.echo(f"preview written to {out}/newsletter.html and newsletter.txt", err=True)
    else:
        typer.echo(letter.text)
    empty = " (nothing to tell: --send would refuse)" if news.is_empty else ""
    typer.echo(f"preview only; --send would mail {count} members{empty}", err=True)


@mailing_app.command("labels")
def mailing_labels(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="The PDF to write.")],
    outlines: Annotated[
        bool, typer.Option("--outlines", help="Draw label edges, for a test print on plain paper.")
    ] = False,
) -> None:
    """A4 label sheets (3 x 8) for everyone who agreed to post and has a complete address."""
    from werkkring.outreach import PER_SHEET, labels_pdf
    from werkkring.queries.outreach import postal_list

    with database(ctx).reader() as session:
        postal = postal_list(session)
    write_file(out, labels_pdf(postal, outlines=outlines))
    sheets = max(1, -(-len(postal.addresses) // PER_SHEET))
    typer.echo(f"{postal.summary()}; {sheets} sheets written to {out}")
    _name_incomplete(postal)


def _name_incomplete(postal: PostalList) -> None:
    """Members who agreed to post but whose address is incomplete, by name, so none is dropped silently."""
    lines = postal.incomplete_lines()
    if lines:
        typer.echo(f"agreed to post but left out for an incomplete address ({len(lines)}):", err=True)
        for line in lines:
            typer.echo(f"  {line}", err=True)


@mailing_app.command("list")
def mailing_list(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="The CSV to write (else stdout).")] = None,
) -> None:
    """The same addresses as CSV (name, street, postal code, city, country)."""
    from werkkring.outreach import to_csv
    from werkkring.queries.outreach import postal_list

    with database(ctx).reader() as session:
        postal = postal_list(session)
    if out is None:
        sys.stdout.write(to_csv(postal))
        typer.echo(postal.summary(), err=True)
        _name_incomplete(postal)
        return
    write_file(out, to_csv(postal).encode("utf-8"))
    typer.echo(f"{postal.summary()}; written to {out}")
    _name_incomplete(postal)


@feeds_app.command("circle")
def feeds_circle(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The circle's slug, e.g. amsterdam.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here (else stdout).")] = None,
) -> None:
    """The circle's calendar feed (.ics)."""
    from werkkring.queries.outreach import circle_feed

    with database(ctx).reader() as session:
        data = circle_feed(session, slug, base_url=settings(ctx).base_url)
    _emit(data, out)


@feeds_app.command("member")
def feeds_member(
    ctx: typer.Context,
    member_id: Annotated[
        int, typer.Argument(metavar="ID", min=ID.minimum, max=ID.maximum, help="The member's id.")
    ],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here (else stdout).")] = None,
) -> None:
    """A member's personal feed (.ics) and its secret address."""
    from werkkring.queries.members import get_member
    from werkkring.queries.outreach import member_feed_for

    base_url = settings(ctx).base_url
    with database(ctx).reader() as session:
        member = get_member(session, member_id)
        data = member_feed_for(session, member, base_url=base_url)
        token = member.feed_token
    _emit(data, out)
    if token:
        typer.echo(f"subscribe at {base_url}/feeds/member/{token}.ics (keep it secret)", err=True)


def _emit(data: bytes, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    write_file(out, data)
    typer.echo(f"feed written to {out}", err=True)

"""The session report: gathered from the database once into plain data, then written as Markdown, HTML
(with inline SVG charts) or PDF (WeasyPrint renders the same HTML with print styles).

Naming rule: the report is meant to be published outside the network, so people are counted, not named.
A name appears only for the host and for owners of initiatives, and only when that member agreed to be named
in reports (``Member.named_in_reports``, which only the member can switch on). Quotes are never attributed.
Age, region and tenure are counted only for members who show that field to the whole network; the others are
counted as "not shared"."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from werkkring.domain import AGE_BANDS, TENURE_BANDS, country_name, tenure_band
from werkkring.errors import InputError, NotFoundError
from werkkring.outreach._charts import Bar, bar_chart
from werkkring.outreach._i18n import when as format_when
from werkkring.outreach._i18n import words
from werkkring.outreach._pdf import html_to_pdf
from werkkring.store.models import (
    Circle,
    Contribution,
    Initiative,
    InitiativeParticipant,
    Member,
    Registration,
    Theme,
    WorkSession,
)

TEMPLATES = Path(__file__).parent / "templates"
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ORDERED = re.compile(r"^(\d+)([.)])")
NOT_SHARED = "not shared"
HOME_COUNTRY = "NL"


@dataclass(frozen=True)
class Count:
    """One line of a tally: a key (band, region, country code) with its display label and count."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class ReportTheme:
    label: str
    summary: str
    groups: tuple[int, ...]
    size: int
    quotes: tuple[str, ...]
    undercurrent: bool


@dataclass(frozen=True)
class ReportInitiative:
    title: str
    status: str
    description: str
    looking_for: str
    carried_by: str


@dataclass(frozen=True)
class SessionReport:
    session_id: int
    language: str
    title: str
    when: str
    date: dt.date
    place: str
    circle: str | None
    question: str
    summary: str
    host: str | None
    participants: int
    group_count: int
    contributions: int
    tenure: tuple[Count, ...]
    ages: tuple[Count, ...]
    regions: tuple[Count, ...]
    abroad: tuple[Count, ...]
    themes: tuple[ReportTheme, ...]
    shared: tuple[ReportTheme, ...]
    initiatives: tuple[ReportInitiative, ...]
    proposals: tuple[str, ...]

    @property
    def abroad_total(self) -> int:
        return sum(c.count for c in self.abroad)


def _shown(member: Member, field: str) -> bool:
    return member.visibility_of(field) == "network"


def _public_name(member: Member | None) -> str | None:
    return member.name if member is not None and member.named_in_reports else None


def _tally(keys: Sequence[str], order: Sequence[str], labels: dict[str, str]) -> tuple[Count, ...]:
    counts = Counter(keys)
    ordered = [k for k in order if counts[k]] + sorted(k for k in counts if k not in order)
    return tuple(Count(k, labels.get(k, k), counts[k]) for k in ordered)


def _attendees(session: Session, work_session: WorkSession) -> list[Member]:
    """Seated members when groups were formed, else everyone signed up (and not cancelled)."""
    seated = [seat.member for group in work_session.groups for seat in group.seats]
    if seated:
        return seated
    return list(
        session.scalars(
            select(Member)
            .join(Registration, Registration.member_id == Member.id)
            .where(Registration.session_id == work_session.id, Registration.cancelled_at.is_(None))
            .order_by(Member.id)
        )
    )


def build_session_report(session: Session, session_id: int) -> SessionReport:
    """Gather everything a published report shows about work session ``session_id``."""
    work_session = session.get(WorkSession, session_id)
    if work_session is None:
        raise NotFoundError(f"no work session with id {session_id}")
    if work_session.status in ("draft", "cancelled"):
        raise InputError(f"session {session_id} is {work_session.status}; there is nothing to report")
    language = work_session.language if work_session.language in ("nl", "en") else "en"
    w = words(language)
    day = work_session.starts_at.date()
    people = _attendees(session, work_session)

    tenure_keys = [tenure_band(m.joined_on, day) if _shown(m, "joined_on") else NOT_SHARED for m in people]
    tenure = _tally(
        tenure_keys,
        ("old hand", "settling", "newcomer", NOT_SHARED),
        {k: w[f"tenure.{k}"] for k in (*TENURE_BANDS, NOT_SHARED)},
    )
    age_keys = [m.age_band if m.age_band and _shown(m, "age_band") else NOT_SHARED for m in people]
    ages = _tally(
        age_keys,
        (*AGE_BANDS, NOT_SHARED),
        {
            **{band: band.replace("-", "–") + w["age.suffix"] for band in AGE_BANDS},
            NOT_SHARED: w["age.not shared"],
        },
    )
    home = [m for m in people if m.country == HOME_COUNTRY or not _shown(m, "country")]
    away = [m for m in people if m.country != HOME_COUNTRY and _shown(m, "country")]
    region_keys = [m.region if m.region and _shown(m, "region") else NOT_SHARED for m in home]
    regions = _tally(region_keys, (), {NOT_SHARED: w["region.not shared"]})
    # Regions first by size, "not shared" last.
    regions = tuple(sorted(regions, key=lambda c: (c.key == NOT_SHARED, -c.count, c.label)))
    abroad = tuple(
        sorted(
            _tally(
                [m.country for m in away], (), {m.country: country_name(m.country, language) for m in away}
            ),
            key=lambda c: (-c.count, c.label),
        )
    )

    theme_rows = session.scalars(
        select(Theme).where(Theme.session_id == session_id).order_by(Theme.position, Theme.id)
    ).all()
    group_count = len(work_session.groups)
    themes = tuple(
        ReportTheme(
            label=t.label,
            summary=t.summary,
            groups=tuple(sorted(int(g) for g in t.groups or [])),
            size=t.size,
            quotes=tuple(str(q) for q in (t.quotes or []) if str(q).strip()),
            undercurrent=t.undercurrent,
        )
        for t in theme_rows
    )
    shared = tuple(t for t in themes if t.undercurrent)
    if not shared and group_count > 1:
        shared = tuple(t for t in themes if len(t.groups) == group_count)

    contribution_count = len(
        session.scalars(select(Contribution.id).where(Contribution.session_id == session_id)).all()
    )
    initiatives = []
    initiative_rows = session.scalars(
        select(Initiative).where(Initiative.session_id == session_id).order_by(Initiative.id)
    ).all()
    for initiative in initiative_rows:
        others = [
            p
            for p in session.scalars(
                select(InitiativeParticipant).where(InitiativeParticipant.initiative_id == initiative.id)
            )
            if p.member_id != initiative.owner_id
        ]
        owner = _public_name(initiative.owner) or w["a_member"]
        if len(others) == 1:
            who = w["and_one_other"].format(who=owner)
        elif others:
            who = w["and_others"].format(who=owner, n=len(others))
        else:
            who = owner
        initiatives.append(
            ReportInitiative(
                title=initiative.title,
                status=w.get(f"status.{initiative.status}", initiative.status),
                description=initiative.description,
                looking_for=initiative.looking_for,
                carried_by=who,
            )
        )
    carried = {i.contribution_id for i in initiative_rows if i.contribution_id is not None}
    proposals = tuple(
        c.text
        for c in session.scalars(
            select(Contribution)
            .where(Contribution.session_id == session_id, Contribution.is_proposal.is_(True))
            .order_by(Contribution.id)
        )
        if c.id not in carried
    )
    circle = session.get(Circle, work_session.circle_id) if work_session.circle_id else None
    place = work_session.place or (w["place_online"] if work_session.online_url else "")
    return SessionReport(
        session_id=work_session.id,
        language=language,
        title=work_session.title,
        when=format_when(work_session.starts_at, work_session.ends_at, language),
        date=day,
        place=place,
        circle=circle.name if circle else None,
        question=work_session.question,
        summary=work_session.summary,
        host=_public_name(work_session.host),
        participants=len(people),
        group_count=group_count,
        contributions=contribution_count,
        tenure=tenure,
        ages=ages,
        regions=regions,
        abroad=abroad,
        themes=themes,
        shared=shared,
        initiatives=tuple(initiatives),
        proposals=proposals,
    )


# ---------------------------------------------------------------- writing


def _groups_text(numbers: Sequence[int], language: str, total: int = 0) -> str:
    """ "group 3", "groups 1, 2 and 4", or "all 4 groups"."""
    w = words(language)
    if not numbers:
        return ""
    if total > 1 and len(numbers) == total:
        return w["all_groups"].format(n=total)
    if len(numbers) == 1:
        return f"{w['group']} {numbers[0]}"
    head = ", ".join(str(n) for n in numbers[:-1])
    return f"{w['groups']} {head} {w['and']} {numbers[-1]}"


def who_line(report: SessionReport) -> str:
    w = words(report.language)
    key = "who_line" if report.group_count else "who_line_ungrouped"
    return w[key].format(people=report.participants, groups=report.group_count)


def theme_detail(theme: ReportTheme, report: SessionReport) -> str:
    """One line under a theme: where it came up and how much input it holds."""
    w = words(report.language)
    parts = []
    if theme.groups:
        groups = _groups_text(theme.groups, report.language, report.group_count)
        parts.append(w["raised_in"].format(groups=groups))
    if theme.size:
        parts.append(w["contributions"].format(n=theme.size) + ".")
    return " ".join(parts)


def _items(counts: Sequence[Count]) -> str:
    return "; ".join(f"{c.label}: {c.count}" for c in counts)


def charts(report: SessionReport) -> dict[str, str]:
    """The report's charts as SVG strings, keyed by name; a chart with nothing to show is left out."""
    w = words(report.language)
    made: dict[str, str] = {}
    people = report.participants
    room = [
        ("tenure", w["chart.tenure"], report.tenure),
        ("ages", w["chart.age"], report.ages),
        (
            "regions",
            w["chart.region"],
            (
                *report.regions,
                *(Count(c.key, c.label, c.count) for c in report.abroad),
            ),
        ),
    ]
    for name, title, counts in room:
        if counts:
            made[name] = bar_chart(
                title,
                [Bar(c.label, c.count) for c in counts],
                description=w["chart.desc"].format(items=_items(counts)) + f" ({w['chart.people']})",
                maximum=people,
                chart_id=f"r{report.session_id}-{name}",
                width=300,
                label_width=145,
                note_width=30,
            )
    if report.themes and report.group_count:
        bars = [
            Bar(
                t.label,
                len(t.groups),
                w["chart.groups_of"].format(n=len(t.groups), total=report.group_count),
            )
            for t in sorted(report.themes, key=lambda t: (-len(t.groups), -t.size))
        ]
        made["themes"] = bar_chart(
            w["chart.themes"],
            bars,
            description=w["chart.desc"].format(items="; ".join(f"{b.label}: {b.note}" for b in bars)),
            maximum=report.group_count,
            chart_id=f"r{report.session_id}-themes",
            label_width=230,
            width=620,
            note_width=130,
        )
    return made


def _md_escape(text: str) -> str:
    """Keep user text from turning into Markdown structure (emphasis, links, code, tables, HTML tags)."""
    out = text.replace("\\", "\\\\")
    for char in "*_`[]#|":
        out = out.replace(char, "\\" + char)
    # "<" only starts HTML before a letter, "/", "!" or "?"; "< 1 year" stays readable.
    out = _TAG_START.sub(r"\\<", out)
    out = " ".join(out.split())
    # At the start of a line these would open a list, a quote or a heading underline.
    if out[:1] in ("-", "+", ">", "="):
        return "\\" + out
    return _ORDERED.sub(r"\1\\\2", out, count=1)


def render_markdown(report: SessionReport) -> str:
    w = words(report.language)
    e = _md_escape
    lines = [f"# {e(report.title)}", ""]
    meta = [report.when]
    if report.place:
        meta.append(report.place)
    if report.circle:
        meta.append(report.circle)
    lines += [f"*{e(' · '.join(meta))}*", ""]
    if report.host:
        lines += [w["hosted_by"].format(who=e(report.host)), ""]
    lines += [f"## {w['question']}", "", f"> {e(report.question)}", ""]
    if report.summary:
        lines += [e(report.summary), ""]
    lines += [f"## {w['who']}", ""]
    lines += [who_line(report) + ".", ""]
    for title, counts in (
        (w["chart.tenure"], report.tenure),
        (w["chart.age"], report.ages),
        (w["chart.region"], report.regions),
    ):
        if counts:
            lines.append(f"- **{title}:** " + ", ".join(f"{e(c.label)} {c.count}" for c in counts))
    if report.abroad:
        countries = ", ".join(f"{e(c.label)} {c.count}" for c in report.abroad)
        lines.append("- " + w["abroad_line"].format(count=report.abroad_total, countries=countries))
    lines.append("")
    lines += [f"## {w['themes']}", ""]
    if not report.themes:
        lines += [w["no_themes"], ""]
    else:
        lines += [w["themes_intro"].format(groups=report.group_count), ""]
        for theme in report.themes:
            lines.append(f"- **{e(theme.label)}**" + (f": {e(theme.summary)}" if theme.summary else ""))
        lines.append("")
        for theme in report.themes:
            lines += [f"### {e(theme.label)}", ""]
            if theme.summary:
                lines += [e(theme.summary), ""]
            detail = theme_detail(theme, report)
            if detail:
                lines += [detail, ""]
            for quote in theme.quotes:
                lines.append(f"> “{e(quote)}”")
                lines.append(">")
            if theme.quotes:
                lines.pop()
                lines.append("")
    lines += [f"## {w['shared']}", ""]
    if report.shared:
        for theme in report.shared:
            lines.append(f"- **{e(theme.label)}**" + (f": {e(theme.summary)}" if theme.summary else ""))
        lines.append("")
    else:
        lines += [w["shared_none"] if report.themes else w["no_themes"], ""]
    lines += [f"## {w['actions']}", ""]
    if not report.initiatives and not report.proposals:
        lines += [w["actions_none"], ""]
    for initiative in report.initiatives:
        lines.append(
            f"- **{e(initiative.title)}** ({initiative.status}). "
            + w["carried_by"].format(who=e(initiative.carried_by))
            + "."
        )
        if initiative.looking_for:
            lines.append(f"  {w['looking_for']}: {e(initiative.looking_for)}")
    if report.initiatives:
        lines.append("")
    if report.proposals:
        lines += [f"**{w['proposals']}:**", ""]
        lines += [f"- {e(p)}" for p in report.proposals]
        lines.append("")
    lines += ["---", "", f"*{w['privacy']}*", ""]
    return "\n".join(lines)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["theme_detail"] = theme_detail
    env.globals["who_line"] = who_line
    return env


def render_html(report: SessionReport, *, for_print: bool = False) -> str:
    """A complete standalone HTML page (styles inline, charts as inline SVG), ready to publish."""
    template = _environment().get_template("report.html")
    return template.render(
        r=report,
        w=words(report.language),
        charts={k: Markup(v) for k, v in charts(report).items()},
        for_print=for_print,
    )


def render_pdf(report: SessionReport) -> bytes:
    """The report as an A4 PDF with the charts embedded as vector graphics."""
    return html_to_pdf(render_html(report, for_print=True), base_url=str(TEMPLATES))

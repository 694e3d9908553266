"""The session report: composed once from what the queries read (:func:`compose_session_report`) into plain
data, then written as Markdown, HTML (with inline SVG charts) or PDF (WeasyPrint renders the same HTML with
print styles), in the session's language through the app's gettext catalogs.

Naming rule: the report is meant to be published outside the network, so people are counted, not named.
A name appears only for the host and for owners of initiatives, and only when that member agreed to be named
in reports (``Member.named_in_reports``, which only the member can switch on). Quotes are never attributed.
Age, region and tenure are counted only for members who show that field to the whole network; the others are
counted as "not shared"."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from werkkring.domain import AGE_BANDS, NOT_SHARED, TENURE_BANDS, Audience, country_name, mix_keys
from werkkring.i18n import N_, long_date, short_time
from werkkring.outreach._charts import Bar, bar_chart
from werkkring.outreach._pdf import html_to_pdf
from werkkring.outreach._words import Words, words
from werkkring.store.models import Initiative, Member, Theme, WorkSession

TEMPLATES = Path(__file__).parent / "templates"
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ORDERED = re.compile(r"^(\d+)([.)])")


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
    # From the dots: how many people put one on its cards, and the groups they sit in.
    support: int = 0
    support_groups: tuple[int, ...] = ()


BROADLY_TEXT: Final = N_("Themes on which people from at least half of the groups put their dots.")
# A theme is broadly shared when people from at least this share of the groups put dots on it.
BROADLY_SHARED: Final = 0.5


def broadly_shared(theme: ReportTheme, group_count: int) -> bool:
    """Dots from people in at least half of the groups (and from two groups or more)."""
    groups = len(theme.support_groups)
    return group_count > 1 and groups >= 2 and groups >= BROADLY_SHARED * group_count


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
    broadly: tuple[ReportTheme, ...] = ()

    @property
    def abroad_total(self) -> int:
        return sum(c.count for c in self.abroad)


def _public_name(member: Member | None) -> str | None:
    return member.name if member is not None and member.named_in_reports else None


def _tally(keys: Sequence[str], order: Sequence[str], labels: dict[str, str]) -> tuple[Count, ...]:
    counts = Counter(keys)
    ordered = [k for k in order if counts[k]] + sorted(k for k in counts if k not in order)
    return tuple(Count(k, labels.get(k, k), counts[k]) for k in ordered)


TENURE_WORDS: Final = {
    "newcomer": N_("newcomers (< 1 year)"),
    "settling": N_("member 1 to 3 years"),
    "old hand": N_("old hands (3+ years)"),
    NOT_SHARED: N_("membership not shared"),
}
STATUS_WORDS: Final = {
    "proposed": N_("proposed"),
    "active": N_("under way"),
    "paused": N_("paused"),
    "done": N_("done"),
}


def when_text(starts_at: dt.datetime, ends_at: dt.datetime | None, language: str) -> str:
    date, start = long_date(starts_at.date(), language), short_time(starts_at, language)
    return f"{date}, {start}" if ends_at is None else f"{date}, {start}–{short_time(ends_at, language)}"


def compose_session_report(
    work_session: WorkSession,
    *,
    people: Sequence[Member],
    themes: Sequence[Theme],
    contributions: int,
    initiatives: Sequence[tuple[Initiative, int]],
    proposals: Sequence[str],
    circle: str | None,
    support: Mapping[int, tuple[int, Sequence[int]]] | None = None,
    named: Mapping[int, Sequence[str]] | None = None,
    language: str | None = None,
) -> SessionReport:
    """Everything a published report shows about one work session, from what the queries read: the people
    in the room, its themes, how much input, its initiatives (each with how many others joined the owner),
    the proposals nobody carries yet and the circle's name. ``support``: per theme id, how many people put
    a dot on its cards and the groups they sit in. ``named``: per initiative id, the participants besides the
    owner who agreed to be named in reports (the others are counted)."""
    # The session's language, unless the reader chose another (the public page).
    language = language or work_session.language
    language = language if language in ("nl", "en") else "en"
    w = words(language)
    day = work_session.starts_at.date()

    # What a published report may count: only what each person shows the whole network.
    keys = [
        mix_keys(
            joined_on=m.joined_on,
            age_band=m.age_band,
            region=m.region,
            country=m.country,
            visibility=m.visibility,
            day=day,
            to=Audience.NETWORK,
        )
        for m in people
    ]
    tenure = _tally(
        [k.tenure for k in keys],
        ("old hand", "settling", "newcomer", NOT_SHARED),
        {k: w(TENURE_WORDS[k]) for k in (*TENURE_BANDS, NOT_SHARED)},
    )
    ages = _tally(
        [k.age for k in keys],
        (*AGE_BANDS, NOT_SHARED),
        {
            # TRANSLATORS: an age band in a report, e.g. 20–29; Dutch adds "jaar".
            **{band: w(N_("%(band)s"), band=band.replace("-", "–")) for band in AGE_BANDS},
            NOT_SHARED: w(N_("age not shared")),
        },
    )
    regions = _tally([k.place for k in keys if not k.abroad], (), {NOT_SHARED: w(N_("region not shared"))})
    # Regions first by size, "not shared" last.
    regions = tuple(sorted(regions, key=lambda c: (c.key == NOT_SHARED, -c.count, c.label)))
    away = [k.place for k in keys if k.abroad]
    abroad = tuple(
        sorted(
            _tally(away, (), {code: country_name(code, language) for code in away}),
            key=lambda c: (-c.count, c.label),
        )
    )

    group_count = len(work_session.groups)
    report_themes = tuple(
        ReportTheme(
            label=t.label,
            summary=t.summary,
            groups=tuple(sorted(int(g) for g in t.groups or [])),
            size=t.size,
            quotes=tuple(str(q) for q in (t.quotes or []) if str(q).strip()),
            undercurrent=t.undercurrent,
            support=(support or {}).get(t.id, (0, ()))[0],
            support_groups=tuple(sorted((support or {}).get(t.id, (0, ()))[1])),
        )
        for t in themes
    )
    broadly = tuple(
        sorted(
            (t for t in report_themes if broadly_shared(t, group_count)),
            key=lambda t: (-len(t.support_groups), -t.support),
        )
    )
    shared = tuple(t for t in report_themes if t.undercurrent)
    if not shared and group_count > 1:
        shared = tuple(t for t in report_themes if len(t.groups) == group_count)

    carried: list[ReportInitiative] = []
    for initiative, others in initiatives:
        # Names only of those who agreed to be named; everyone else is counted ("2 members", never
        # "a member and one other").
        owner = _public_name(initiative.owner)
        names = [*([owner] if owner else []), *(named or {}).get(initiative.id, ())]
        rest = max(0, others + 1 - len(names))
        if not names:
            who = w(N_("one member")) if rest == 1 else w(N_("%(n)s members"), n=rest)
        elif rest == 0:
            who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {w(N_('and'))} {names[-1]}"
        elif rest == 1:
            who = w(N_("%(who)s and one other"), who=", ".join(names))
        else:
            who = w(N_("%(who)s and %(n)s others"), who=", ".join(names), n=rest)
        carried.append(
            ReportInitiative(
                title=initiative.title,
                status=w(STATUS_WORDS[initiative.status])
                if initiative.status in STATUS_WORDS
                else initiative.status,
                description=initiative.description,
                looking_for=initiative.looking_for,
                carried_by=who,
            )
        )
    place = work_session.place or (w(N_("online")) if work_session.online_url else "")
    return SessionReport(
        session_id=work_session.id,
        language=language,
        title=work_session.title,
        when=when_text(work_session.starts_at, work_session.ends_at, language),
        date=day,
        place=place,
        circle=circle,
        question=work_session.question,
        summary=work_session.summary,
        host=_public_name(work_session.host),
        participants=len(people),
        group_count=group_count,
        contributions=contributions,
        tenure=tenure,
        ages=ages,
        regions=regions,
        abroad=abroad,
        themes=report_themes,
        shared=shared,
        initiatives=tuple(carried),
        proposals=tuple(proposals),
        broadly=broadly,
    )


# ---------------------------------------------------------------- writing


def _groups_text(numbers: Sequence[int], w: Words, total: int = 0) -> str:
    """ "group 3", "groups 1, 2 and 4", or "all 4 groups"."""
    if not numbers:
        return ""
    if total > 1 and len(numbers) == total:
        return w(N_("all %(n)s groups"), n=total)
    if len(numbers) == 1:
        return w(N_("group")) + f" {numbers[0]}"
    head = ", ".join(str(n) for n in numbers[:-1])
    return " ".join((w(N_("groups")), head, w(N_("and")), str(numbers[-1])))


def who_line(report: SessionReport) -> str:
    w = words(report.language)
    if report.group_count:
        return w(
            N_("%(people)s participants in %(groups)s groups"),
            people=report.participants,
            groups=report.group_count,
        )
    return w(N_("%(people)s signed up"), people=report.participants)


def theme_detail(theme: ReportTheme, report: SessionReport) -> str:
    """One line under a theme: where it came up and how much input it holds."""
    w = words(report.language)
    parts = []
    if theme.groups:
        groups = _groups_text(theme.groups, w, report.group_count)
        parts.append(w(N_("Came up in %(groups)s."), groups=groups))
    if theme.size:
        parts.append(w(N_("%(n)s contributions"), n=theme.size) + ".")
    if theme.support:
        parts.append(
            w(
                N_("%(n)s people put a dot on it, from %(groups)s groups."),
                n=theme.support,
                groups=len(theme.support_groups),
            )
        )
    return " ".join(parts)


def _items(counts: Sequence[Count]) -> str:
    return "; ".join(f"{c.label}: {c.count}" for c in counts)


def charts(report: SessionReport) -> dict[str, str]:
    """The report's charts as SVG strings, keyed by name; a chart with nothing to show is left out."""
    w = words(report.language)
    made: dict[str, str] = {}
    people = report.participants
    room = [
        ("tenure", w(N_("Old hands and newcomers")), report.tenure),
        ("ages", w(N_("Ages")), report.ages),
        (
            "regions",
            w(N_("Where people came from")),
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
                description=w(N_("Bar chart. %(items)s."), items=_items(counts))
                + " ("
                + w(N_("number of participants"))
                + ")",
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
                w(N_("%(n)s of %(total)s groups"), n=len(t.groups), total=report.group_count),
            )
            for t in sorted(report.themes, key=lambda t: (-len(t.groups), -t.size))
        ]
        made["themes"] = bar_chart(
            w(N_("Themes by breadth: in how many groups each came up")),
            bars,
            description=w(N_("Bar chart. %(items)s."), items="; ".join(f"{b.label}: {b.note}" for b in bars)),
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
        lines += [w(N_("Host: %(who)s"), who=e(report.host)), ""]
    lines += ["## " + w(N_("The question")), "", f"> {e(report.question)}", ""]
    if report.summary:
        lines += [e(report.summary), ""]
    lines += ["## " + w(N_("Who took part")), ""]
    lines += [who_line(report) + ".", ""]
    for title, counts in (
        (w(N_("Old hands and newcomers")), report.tenure),
        (w(N_("Ages")), report.ages),
        (w(N_("Where people came from")), report.regions),
    ):
        if counts:
            lines.append(f"- **{title}:** " + ", ".join(f"{e(c.label)} {c.count}" for c in counts))
    if report.abroad:
        countries = ", ".join(f"{e(c.label)} {c.count}" for c in report.abroad)
        lines.append(
            "- "
            + w(N_("%(count)s from abroad (%(countries)s)"), count=report.abroad_total, countries=countries)
        )
    lines.append("")
    lines += ["## " + w(N_("What came up")), ""]
    if not report.themes:
        lines += [w(N_("The input of this session has not been summarised yet.")), ""]
    else:
        lines += [
            w(
                N_("%(groups)s groups discussed the question. In short, this is what they brought in:"),
                groups=report.group_count,
            ),
            "",
        ]
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
    lines += ["## " + w(N_("What every group shared")), ""]
    if report.shared:
        for theme in report.shared:
            lines.append(f"- **{e(theme.label)}**" + (f": {e(theme.summary)}" if theme.summary else ""))
        lines.append("")
    else:
        lines += [
            w(N_("No theme came up in every group."))
            if report.themes
            else w(N_("The input of this session has not been summarised yet.")),
            "",
        ]
    if report.broadly:
        lines += ["## " + w(N_("Broadly shared")), "", w(BROADLY_TEXT), ""]
        for theme in report.broadly:
            lines.append(f"- **{e(theme.label)}**: " + theme_detail(theme, report))
        lines.append("")
    lines += ["## " + w(N_("Actions and who carries them")), ""]
    if not report.initiatives and not report.proposals:
        lines += [w(N_("No actions have come out of this session (yet).")), ""]
    for initiative in report.initiatives:
        lines.append(
            f"- **{e(initiative.title)}** ({initiative.status}). "
            + w(N_("Carried by %(who)s"), who=e(initiative.carried_by))
            + "."
        )
        if initiative.looking_for:
            lines.append("  " + w(N_("Looking for")) + f": {e(initiative.looking_for)}")
    if report.initiatives:
        lines.append("")
    if report.proposals:
        lines += ["**" + w(N_("Proposals still looking for someone to carry them")) + ":**", ""]
        lines += [f"- {e(p)}" for p in report.proposals]
        lines.append("")
    privacy = w(
        N_(
            "Participants are counted, not named. Names appear only where people agreed to it; quotes are "
            "anonymous."
        )
    )
    lines += ["---", "", f"*{privacy}*", ""]
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


def render_html(report: SessionReport, *, for_print: bool = False, embedded: bool = False) -> str:
    """A complete standalone HTML page (styles inline, charts as inline SVG), ready to publish; with
    ``embedded`` only its ``<article>``, for a page of the web app to show inside its own layout."""
    template = _environment().get_template("report.html")
    return template.render(
        r=report,
        _=words(report.language),
        charts={k: Markup(v) for k, v in charts(report).items()},
        for_print=for_print,
        embedded=embedded,
    )


def render_pdf(report: SessionReport) -> bytes:
    """The report as an A4 PDF with the charts embedded as vector graphics."""
    return html_to_pdf(render_html(report, for_print=True), base_url=str(TEMPLATES))

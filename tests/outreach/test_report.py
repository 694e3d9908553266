from __future__ import annotations

import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.outreach.fixtures import past_session_ids
from werkkring.actions.outreach import set_named_in_reports
from werkkring.actions.permissions import SYSTEM
from werkkring.actions.sessions import ThemeInput, store_themes
from werkkring.errors import InputError, NotFoundError
from werkkring.outreach import render_html, render_markdown, render_pdf
from werkkring.outreach._report import _md_escape
from werkkring.queries.outreach import session_report as build_session_report
from werkkring.store import Database
from werkkring.store.models import Member, Seat, Theme, WorkSession


def _attendee_names(database: Database, session_id: int) -> list[str]:
    with database.reader() as session:
        return list(
            session.scalars(
                select(Member.name)
                .join(Seat, Seat.member_id == Member.id)
                .where(Seat.session_id == session_id)
            )
        )


def _first_past(database: Database, language: str = "nl") -> int:
    with database.reader() as session:
        for session_id in past_session_ids(session):
            work_session = session.get(WorkSession, session_id)
            assert work_session is not None
            if work_session.language == language:
                return session_id
    raise AssertionError(f"the demo has no past {language} session")


def test_counts_add_up_to_the_people_in_the_room(demo: Database) -> None:
    with demo.reader() as session:
        for session_id in past_session_ids(session):
            report = build_session_report(session, session_id)
            seated = session.scalars(select(Seat).where(Seat.session_id == session_id)).all()
            assert report.participants == len(seated) > 0
            for tally in (report.tenure, report.ages):
                assert sum(c.count for c in tally) == report.participants
            assert sum(c.count for c in report.regions) + report.abroad_total == report.participants
            assert report.group_count == len({s.group_id for s in seated})
            assert report.themes, "the fixture stored themes for every past session"
            for theme in report.shared:
                assert theme.undercurrent or len(theme.groups) == report.group_count


def test_markdown_and_html_speak_the_session_language(demo: Database) -> None:
    nl, en = _first_past(demo, "nl"), _first_past(demo, "en")
    with demo.reader() as session:
        dutch = build_session_report(session, nl)
        english = build_session_report(session, en)
    md_nl, md_en = render_markdown(dutch), render_markdown(english)
    assert "## De vraag" in md_nl and "## Wie er waren" in md_nl and "The question" not in md_nl
    assert "## The question" in md_en and "## Who took part" in md_en and "De vraag" not in md_en
    for report, text in ((dutch, md_nl), (english, md_en)):
        assert text.startswith(f"# {report.title}\n")
        assert report.question in text
        for theme in report.themes:
            assert theme.label in text
            for quote in theme.quotes:
                assert quote in text
    html = render_html(english)
    assert '<html lang="en">' in html and "Who took part" in html


def test_nobody_is_named_without_consent(demo: Database) -> None:
    session_id = _first_past(demo)
    names = _attendee_names(demo, session_id)
    with demo.reader() as session:
        report = build_session_report(session, session_id)
    text = render_markdown(report) + render_html(report)
    assert report.host is None
    assert [n for n in names if n in text] == []

    with demo.transaction() as session:
        work_session = session.get(WorkSession, session_id)
        assert work_session is not None and work_session.host is not None
        host = work_session.host
        set_named_in_reports(session, host, True, actor=host)
        host_name = host.name
    with demo.reader() as session:
        report = build_session_report(session, session_id)
    text = render_markdown(report)
    assert report.host == host_name and host_name in text
    assert [n for n in names if n in text and n != host_name] == []


def test_private_fields_are_counted_as_not_shared(demo: Database) -> None:
    session_id = _first_past(demo)
    with demo.transaction() as session:
        seated = session.scalars(select(Seat).where(Seat.session_id == session_id)).all()
        for seat in seated:
            seat.member.visibility = {"age_band": "private", "region": "circles", "joined_on": "private"}
    with demo.reader() as session:
        report = build_session_report(session, session_id)
    assert [c.key for c in report.ages] == ["not shared"]
    assert [c.key for c in report.tenure] == ["not shared"]
    assert {c.key for c in report.regions} <= {"not shared"}


class _Charts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.svgs: list[dict[str, str | None]] = []
        self.inside: str | None = None
        self.titles: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self.svgs.append(dict(attrs))
        if tag == "text":
            self.texts.append("")
        if tag != "tspan":  # a label's lines are one text
            self.inside = tag

    def handle_data(self, data: str) -> None:
        if self.inside == "title" and self.svgs:
            self.titles.append(data)
        if self.inside == "text":
            self.texts[-1] = f"{self.texts[-1]} {data}".strip()


def test_charts_are_accessible_svg(demo: Database) -> None:
    session_id = _first_past(demo)
    with demo.reader() as session:
        report = build_session_report(session, session_id)
    parser = _Charts()
    parser.feed(render_html(report))
    assert len(parser.svgs) == 4  # tenure, ages, regions, themes by breadth
    for attrs in parser.svgs:
        assert attrs.get("role") == "img" and attrs.get("aria-labelledby")
    assert len(parser.titles) == 4
    # Every theme and every band is written out as text, never only as a coloured bar.
    for theme in report.themes:
        assert any(theme.label in t for t in parser.texts)
    for count in (*report.tenure, *report.ages):
        assert any(count.label in t or t.rstrip("…") in count.label for t in parser.texts)


def test_a_long_chart_label_is_written_whole_on_more_lines() -> None:
    from werkkring.outreach._charts import Bar, bar_chart

    label = "Samen optrekken met de gemeente in de wijk en de buurtteams"
    svg = bar_chart("Thema's", [Bar(label, 3, "3 van 4 groepen"), Bar("Kort", 1)], description="x")
    parser = _Charts()
    parser.feed(svg)
    assert label in parser.texts and "Kort" in parser.texts and "…" not in svg
    # The wrapped row is taller: the chart grows instead of cutting the label.
    short = bar_chart("Thema's", [Bar("Lang genoeg", 3), Bar("Kort", 1)], description="x")
    height = re.compile(r'height="(\d+)"')
    first, second = height.search(svg), height.search(short)
    assert first and second and int(first.group(1)) > int(second.group(1))


def test_user_text_cannot_inject_markup(demo: Database) -> None:
    session_id = _first_past(demo)
    with demo.transaction() as session:
        work_session = session.get(WorkSession, session_id)
        assert work_session is not None
        store_themes(
            session,
            work_session,
            [ThemeInput("# <script>alert(1)</script>", "- **bold** [x](http://e.vil)", 3, [1], ["<b>q</b>"])],
            actor=SYSTEM,
        )
        work_session.summary = "1. not a list\n## not a heading"
    with demo.reader() as session:
        report = build_session_report(session, session_id)
    html = render_html(report)
    assert "<script>" not in html and "<b>q</b>" not in html and "&lt;script&gt;" in html
    md = render_markdown(report)
    assert not re.search(r"^#+ .?<script>", md, re.M) and not re.search(r"(?<!\\)<script", md)
    assert "[x](http" not in md
    lines = md.splitlines()
    assert not [line for line in lines if line.startswith(("1.", "- **bold", "## not"))]
    assert "1\\. not a list" in md
    # Plain text that cannot open a tag is left readable.
    assert _md_escape("< 1 jaar") == "< 1 jaar"


def test_without_themes_the_report_says_so_and_refuses_drafts(demo: Database) -> None:
    session_id = _first_past(demo)
    with demo.transaction() as session:
        for theme in session.scalars(select(Theme).where(Theme.session_id == session_id)):
            session.delete(theme)
    with demo.reader() as session:
        text = render_markdown(build_session_report(session, session_id))
        assert "nog niet samengevat" in text
        with pytest.raises(NotFoundError):
            build_session_report(session, 10_000)
    with demo.transaction() as session:
        work_session = session.get(WorkSession, session_id)
        assert work_session is not None
        work_session.status = "cancelled"
    with demo.reader() as session, pytest.raises(InputError, match="cancelled"):
        build_session_report(session, session_id)


def test_store_themes_checks_groups(demo: Database) -> None:
    session_id = _first_past(demo)
    with demo.transaction() as session:
        work_session = session.get(WorkSession, session_id)
        assert work_session is not None
        with pytest.raises(InputError, match="groups \\[99\\]"):
            store_themes(session, work_session, [ThemeInput("x", groups=[99])], actor=SYSTEM)


@pytest.mark.slow
def test_pdf_has_the_report_and_renders_to_pages(demo: Database, tmp_path: Path) -> None:
    session_id = _first_past(demo)
    with demo.reader() as session:
        report = build_session_report(session, session_id)
    pdf = render_pdf(report)
    reader = PdfReader(io.BytesIO(pdf))
    assert 1 <= len(reader.pages) <= 6
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert report.title in text and report.question in text
    for theme in report.themes:
        assert theme.label in text
    # The charts are embedded as vector text, so their titles are in the PDF's text too.
    assert "Leeftijden" in text and "Thema's naar breedte" in text
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    (tmp_path / "report.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(tmp_path / "report.pdf"), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == len(reader.pages)
    assert all(p.stat().st_size > 2000 for p in pages)

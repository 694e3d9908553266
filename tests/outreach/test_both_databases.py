"""The outreach reads run the same on SQLite and PostgreSQL (JSON theme columns, booleans, date filters)."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from tests.outreach.fixtures import TODAY, add_demo_themes, past_session_ids
from werkkring import outreach
from werkkring.demo import build_demo_network
from werkkring.queries import outreach as outreach_queries
from werkkring.store import Database

NOW = dt.datetime.combine(TODAY, dt.time(12))


def test_report_feed_digest_and_postal_list(database: Database) -> None:
    with database.transaction() as session:
        build_demo_network(session, members=40, seed=5, today=TODAY)
        past = past_session_ids(session)
        for session_id in past:
            add_demo_themes(session, session_id)
    with database.reader() as session:
        report = outreach_queries.session_report(session, past[0])
        assert report.themes and report.participants > 0
        assert all(isinstance(g, int) for t in report.themes for g in t.groups)
        assert report.title in outreach.render_markdown(report)
        feed = outreach_queries.circle_feed(session, "amsterdam", base_url="https://x.nl", now=NOW)
        assert Calendar.from_ical(feed).walk("VEVENT")
        digest = outreach_queries.digest(session, dt.date(2026, 1, 1), now=NOW)
        assert len(digest.recent) == len(past)
        postal = outreach_queries.postal_list(session)
        assert len(postal.addresses) + postal.left_out_total == 40

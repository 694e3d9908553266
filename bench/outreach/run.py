"""How long outreach takes for a network the size of the first users (about 2,000 members).

    .venv/bin/python bench/outreach/run.py [--members 2000]

Builds the demo network in a temporary SQLite file (themes as in tests/outreach/fixtures.py), then times
each output once and prints a Markdown table. It needs no labelled data, so it reads nothing from
../shared/data."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.outreach.fixtures import TODAY, add_demo_themes, past_session_ids  # noqa: E402

from werkkring import outreach  # noqa: E402
from werkkring.actions.outreach import send_newsletter  # noqa: E402
from werkkring.actions.permissions import SYSTEM  # noqa: E402
from werkkring.config import Settings  # noqa: E402
from werkkring.demo import build_demo_network  # noqa: E402
from werkkring.queries import outreach as outreach_queries  # noqa: E402
from werkkring.store import Database, upgrade  # noqa: E402

NOW = dt.datetime.combine(TODAY, dt.time(12))


def timed(label: str, rows: list[tuple[str, str, float]], size: str, work: Callable[[], object]) -> object:
    start = time.perf_counter()
    result = work()
    rows.append((label, size, time.perf_counter() - start))
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2000)
    args = parser.parse_args()
    rows: list[tuple[str, str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(f"sqlite:///{tmp}/bench.db")
        upgrade(engine=database.engine)
        with database.transaction() as session:
            build_demo_network(session, members=args.members, seed=0, today=TODAY)
            past = past_session_ids(session)
            for session_id in past:
                add_demo_themes(session, session_id)
        settings = Settings.from_env({"WERKKRING_OUTBOX": f"{tmp}/outbox", "WERKKRING_SECRET_KEY": "bench"})
        with database.reader() as session:
            report = timed(
                "gather session report",
                rows,
                "1 session",
                lambda: outreach_queries.session_report(session, past[0]),
            )
            assert isinstance(report, outreach.SessionReport)
            timed("report as Markdown", rows, "1 session", lambda: outreach.render_markdown(report))
            timed("report as HTML", rows, "1 session", lambda: outreach.render_html(report))
            pdf = timed("report as PDF", rows, "1 session", lambda: outreach.render_pdf(report))
            postal = timed(
                "postal list", rows, f"{args.members} members", lambda: outreach_queries.postal_list(session)
            )
            assert isinstance(postal, outreach.PostalList)
            size = f"{len(postal.addresses)} addresses"
            timed("postal list as CSV", rows, size, lambda: outreach.to_csv(postal))
            labels = timed("label sheets as PDF", rows, size, lambda: outreach.labels_pdf(postal))
            timed(
                "circle feed",
                rows,
                "1 circle",
                lambda: outreach_queries.circle_feed(session, "amsterdam", base_url="https://x.nl", now=NOW),
            )
        with database.transaction() as session:
            digest = outreach_queries.digest(session, dt.date(2026, 6, 1), now=NOW)
            result = timed(
                "newsletter to outbox",
                rows,
                "all subscribers",
                lambda: send_newsletter(session, digest, settings, actor=SYSTEM),
            )
            assert isinstance(result, outreach.SendResult)
        database.dispose()
    assert isinstance(pdf, bytes) and isinstance(labels, bytes)
    print(f"members {args.members}; report PDF {len(pdf)} bytes; labels PDF {len(labels)} bytes")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print()
    print("| step | size | seconds |")
    print("| --- | --- | ---: |")
    for label, size, seconds in rows:
        if label == "newsletter to outbox":
            size = f"{result.sent} messages"
        print(f"| {label} | {size} | {seconds:.2f} |")


if __name__ == "__main__":
    main()

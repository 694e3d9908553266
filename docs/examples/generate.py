"""Rebuild the example outputs in this folder from the demo network (seed 0, as of 29 November 2026).

    .venv/bin/python docs/examples/generate.py

The demo's past sessions carry the synthesis engine's own themes; everything is the real code."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from tests.outreach.fixtures import TODAY, past_session_ids  # noqa: E402

from werkkring import outreach  # noqa: E402
from werkkring.demo import build_demo_network  # noqa: E402
from werkkring.queries import outreach as outreach_queries  # noqa: E402
from werkkring.store import Database, upgrade  # noqa: E402

BASE_URL = "https://werkkring.example.nl"
NOW = dt.datetime.combine(TODAY, dt.time(12))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(f"sqlite:///{tmp}/demo.db")
        upgrade(engine=database.engine)
        with database.transaction() as session:
            build_demo_network(session, members=300, seed=0, today=TODAY)
            # The demo's host already ran the synthesis engine and published: these are its real themes.
            past = past_session_ids(session)
        with database.reader() as session:
            report = outreach_queries.session_report(session, past[0])
            english = outreach_queries.session_report(session, past[2])
            digest = outreach_queries.digest(session, dt.date(2026, 9, 1), now=NOW)
            feed = outreach_queries.circle_feed(session, "amsterdam", base_url=BASE_URL, now=NOW)
            postal = outreach_queries.postal_list(session)
        database.dispose()

    (HERE / "report.md").write_text(outreach.render_markdown(report), encoding="utf-8")
    (HERE / "report.html").write_text(outreach.render_html(report), encoding="utf-8")
    (HERE / "report.pdf").write_bytes(outreach.render_pdf(report))
    (HERE / "report-en.md").write_text(outreach.render_markdown(english), encoding="utf-8")
    letter = outreach.render_newsletter(
        digest, "nl", base_url=BASE_URL, unsubscribe=f"{BASE_URL}/newsletter/unsubscribe/PREVIEW"
    )
    (HERE / "newsletter.html").write_text(letter.html, encoding="utf-8")
    (HERE / "newsletter.txt").write_text(letter.text, encoding="utf-8")
    (HERE / "amsterdam.ics").write_bytes(feed)
    (HERE / "labels.pdf").write_bytes(outreach.labels_pdf(postal))
    (HERE / "mailing-list.csv").write_text(outreach.to_csv(postal), encoding="utf-8")
    if shutil.which("pdftoppm"):
        for name in ("report", "labels"):
            subprocess.run(
                ["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", "-singlefile",
                 str(HERE / f"{name}.pdf"), str(HERE / f"{name}-page1")],
                check=True,
            )
    print(postal.summary())


if __name__ == "__main__":
    main()

"""Screenshots of the main pages in Dutch and English, on the demo network, for docs/screenshots/.

    python -m tests.e2e.screenshots docs/screenshots

Serves the app on a free loopback port against a temporary SQLite database with the demo network, and takes
the pictures with Debian's headless Chromium."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright
from sqlalchemy import select

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, _free_port
from werkkring.actions import helix as helix_actions
from werkkring.actions import sessions as session_actions
from werkkring.config import Settings
from werkkring.demo import DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL, DEMO_PASSWORD, build_demo_network
from werkkring.queries import sessions as session_queries
from werkkring.store import Database, upgrade
from werkkring.store.models import Initiative, Member, WorkSession
from werkkring.web.app import create_app

PAGES = [
    ("home", "/", None),
    ("signin", "/signin", None),
    ("members", "/members", DEMO_MEMBER_EMAIL),
    ("profile-edit", "/me/edit", DEMO_MEMBER_EMAIL),
    ("circles", "/circles", DEMO_MEMBER_EMAIL),
    ("sessions", "/sessions", DEMO_MEMBER_EMAIL),
    ("session-member", "/sessions/{member_session}", DEMO_MEMBER_EMAIL),
    ("session-host", "/sessions/{host_session}", DEMO_ADMIN_EMAIL),
    ("initiative", "/initiatives/{initiative}", DEMO_MEMBER_EMAIL),
    ("connections", "/connections", DEMO_MEMBER_EMAIL),
    ("helix", "/helix", DEMO_MEMBER_EMAIL),
    ("helix-network", "/helix/network", DEMO_MEMBER_EMAIL),
]
PHONE = {"session-member", "members", "helix"}


def prepare(database: Database) -> dict[str, int]:
    with database.transaction() as session:
        build_demo_network(session, members=300, seed=0)
        admin = session.scalar(select(Member).where(Member.email == DEMO_ADMIN_EMAIL))
        member = session.scalar(select(Member).where(Member.email == DEMO_MEMBER_EMAIL))
        assert admin is not None and member is not None
        past = session.scalars(
            select(WorkSession)
            .where(WorkSession.starts_at < dt.datetime.now())
            .order_by(WorkSession.starts_at)
        ).all()
        host_session = past[-1]
        for contribution in session_queries.contributions_of(session, host_session)[:2]:
            contribution.is_proposal = True
        # The demo has already synthesised and published every past session (themes included).
        # The demo member takes part in the last session: a locked group and some input of their own.
        upcoming = session.scalars(
            select(WorkSession)
            .where(WorkSession.starts_at > dt.datetime.now(), WorkSession.circle_id.is_not(None))
            .order_by(WorkSession.starts_at)
        ).first()
        assert upcoming is not None
        session_actions.register(session, upcoming, actor=member)
        session_actions.form_groups(session, upcoming, seed=1, actor=admin)
        session_actions.lock_groups(session, upcoming, actor=admin)
        session_actions.add_contribution(
            session, upcoming, "Een maandelijkse lunch voor nieuwkomers, bij een lid thuis.", actor=member
        )
        for months_ago, helix, hours in [
            (5, "society", 6),
            (4, "society", 10),
            (3, "labour_market", 12),
            (2, "private", 8),
            (2, "society", 9),
            (1, "labour_market", 14),
            (1, "society", 6),
            (0, "private", 5),
            (0, "society", 4),
        ]:
            day = dt.date.today().replace(day=1) - dt.timedelta(days=30 * months_ago - 3)
            for week in range(4):
                helix_actions.log_hours(
                    session,
                    helix=helix,
                    hours=hours / 4,
                    date=min(day + dt.timedelta(days=7 * week), dt.date.today()),
                    actor=member,
                )
        initiative = session.scalars(select(Initiative).order_by(Initiative.id)).first()
        assert initiative is not None
        return {"host_session": host_session.id, "member_session": upcoming.id, "initiative": initiative.id}


def main(folder: Path, only: set[str] | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/werkkring.db"
        upgrade(url)
        database = Database(url)
        ids = prepare(database)
        port = _free_port()
        settings = Settings.from_env(
            {
                "WERKKRING_OUTBOX": f"{tmp}/outbox",
                "WERKKRING_SECRET_KEY": "shots",
                "WERKKRING_JOBS_URL": "immediate",
            }
        )
        server = uvicorn.Server(
            uvicorn.Config(create_app(database, settings), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for language in ("nl", "en"):
                for name, path, email in PAGES:
                    if only and name not in only:
                        continue
                    sizes = [("", {"width": 1280, "height": 900})]
                    if name in PHONE and language == "nl":
                        sizes.append(("-phone", {"width": 390, "height": 844}))
                    for suffix, viewport in sizes:
                        context = browser.new_context(
                            viewport=viewport,
                            device_scale_factor=1,
                            locale="nl-NL" if language == "nl" else "en-GB",
                        )
                        page = context.new_page()
                        page.goto(f"{base}/signin")
                        if language == "en":
                            page.locator("button[name=language][value=en]").click()
                        if email:
                            form = page.locator("form[action='/signin']")
                            form.locator("#email").fill(email)
                            form.locator("#password").fill(DEMO_PASSWORD)
                            form.locator("button[type=submit]").click()
                            page.wait_for_url(f"{base}/")
                            if language == "en":
                                page.locator("button[name=language][value=en]").click()
                        page.goto(base + path.format(**ids))
                        page.screenshot(path=str(folder / f"{name}{suffix}.{language}.png"), full_page=True)
                        context.close()
            browser.close()
        server.should_exit = True
        thread.join(timeout=10)
        database.dispose()


if __name__ == "__main__":
    # python -m tests.e2e.screenshots [FOLDER [PAGE ...]]: only the named pages when given.
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"), set(sys.argv[2:]) or None)

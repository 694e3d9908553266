"""Every page on a phone: a real browser (Chromium at 360 × 740) opens each page of the app signed out and
as a member, a host and an admin, in Dutch and in English, and checks that nothing scrolls sideways
(``document.documentElement.scrollWidth <= 360``) and that axe-core finds no violation of any impact.

axe-core is vendored as tests/e2e/axe.min.js (version :data:`AXE_VERSION`, from the npm registry package
``axe-core``: ``npm pack axe-core@4.10.3``; licence MPL-2.0). One browser, one page per role and language,
reused for every address, keeps the run to about a minute."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.e2e.conftest import LiveServer
from werkkring.actions import sessions as session_actions
from werkkring.demo import (
    DEMO_ADMIN_EMAIL,
    DEMO_HOST_EMAIL,
    DEMO_MEMBER_EMAIL,
    DEMO_PASSWORD,
    build_demo_network,
)
from werkkring.queries import connections as connection_queries
from werkkring.store.models import Circle, HelixEntry, Initiative, Member, Registration, WorkSession

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

AXE = Path(__file__).with_name("axe.min.js")
AXE_VERSION = "4.10.3"
WIDTH, HEIGHT = 360, 740
SHOTS = os.environ.get("WERKKRING_SHOTS", "")


@pytest.fixture(scope="module")
def network(live_server: LiveServer) -> dict[str, Any]:
    """The demo network (small), plus a session of the demo host with its groups formed."""
    with live_server.database.transaction() as session:
        build_demo_network(session, members=60, seed=3, today=dt.date.today())
    with live_server.database.transaction() as session:
        host = session.scalar(select(Member).where(Member.email == DEMO_HOST_EMAIL))
        assert host is not None
        hosted = session.scalars(
            select(WorkSession).where(WorkSession.host_id == host.id).order_by(WorkSession.starts_at)
        ).all()
        published = next(s for s in hosted if s.status == "published")
        upcoming = [s for s in hosted if s.status == "open"]
        assert upcoming, "the demo host hosts an upcoming session"
        grouped = upcoming[0]
        member = session.scalar(select(Member).where(Member.email == DEMO_MEMBER_EMAIL))
        assert member is not None
        if not session.get(Registration, (grouped.id, member.id)):
            session_actions.register(session, grouped, actor=member)
        session_actions.form_groups(session, grouped, seed=1, actor=host)
        other = session.scalar(select(Member).where(Member.id != member.id, Member.guest_of.is_(None)))
        assert other is not None
        circle = session.scalar(select(Circle).order_by(Circle.id))
        initiative = session.scalar(select(Initiative).order_by(Initiative.id))
        assert circle is not None and initiative is not None
        any_session = session.scalar(select(WorkSession).where(WorkSession.status == "open"))
        assert any_session is not None
        entry = HelixEntry(
            member_id=member.id, date=dt.date.today(), helix="society", hours=2, note="buurthuis"
        )
        session.add(entry)
        session.flush()
        found = {
            "published": published.id,
            "grouped": grouped.id,
            "code": grouped.join_code,
            "open": any_session.id,
            "member": member.id,
            "other": other.id,
            "circle": circle.id,
            "initiative": initiative.id,
            "entry": entry.id,
        }
    # As `werkkring serve` does in the background: the connections pages find the network fitted.
    connection_queries.keep_fitted(live_server.database, forever=False)
    return found


def pages_of(role: str, n: dict[str, Any]) -> list[str]:
    # "!" before a path: a page that answers with an error status (its error page is checked all the same).
    signed_out = [
        "/",
        "/signin",
        "/password/forgot",
        "/j",
        f"/j/{n['code']}",
        "!/nowhere",
        "/invite/nonsense",
    ]
    member = [
        "/",
        "/members",
        f"/members/{n['member']}",
        f"/members/{n['other']}",
        "/me/edit",
        "/me/tokens",
        "/me/delete",
        "/me/calendar",
        "/circles",
        f"/circles/{n['circle']}",
        "/sessions",
        f"/sessions/{n['open']}",
        f"/sessions/{n['published']}",
        "/initiatives",
        f"/initiatives/{n['initiative']}",
        "/connections",
        "/connections?q=intervisie",
        "/helix",
        "/helix/network",
        f"/helix/{n['entry']}/delete",
        f"/sessions/{n['grouped']}/vote",
        "!/members/999999",
    ]
    host = [
        "/sessions/new",
        f"/sessions/{n['grouped']}",
        f"/sessions/{n['published']}",
        f"/sessions/{n['grouped']}/door",
        f"/sessions/{n['grouped']}/present",
        f"/sessions/{n['published']}/report.html",
    ]
    admin = [
        "/admin/members",
        "/admin/jobs",
        "/admin/newsletter?since=2000-01-01",
        "/admin/newsletter/confirm?since=2000-01-01",
        "/admin/mailing",
        f"/members/{n['other']}",
    ]
    return {"signed_out": signed_out, "member": member, "host": host, "admin": admin}[role]


EMAIL = {"member": DEMO_MEMBER_EMAIL, "host": DEMO_HOST_EMAIL, "admin": DEMO_ADMIN_EMAIL}

CHECK = """async () => {
  const width = document.documentElement.scrollWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
  const result = await axe.run(document, {resultTypes: ['violations']});
  return {
    width, wide,
    violations: result.violations.map(v => v.id + ' (' + v.impact + '): '
      + v.nodes.slice(0, 3).map(node => node.target.join(' ')).join(' | ')),
  };
}"""


@pytest.fixture(scope="module")
def phone(chromium: Any) -> Iterator[Any]:
    def make(language: str) -> Any:
        ctx = chromium.new_context(
            viewport={"width": WIDTH, "height": HEIGHT},
            locale="nl-NL" if language == "nl" else "en-GB",
            bypass_csp=True,  # axe is added to each page as a script of the test's own
        )
        ctx.set_default_timeout(45_000)  # a shared, loaded machine: slow is not wrong here
        made.append(ctx)
        return ctx.new_page()

    made: list[Any] = []
    yield make
    for ctx in made:
        ctx.close()


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("role", ["signed_out", "member", "host", "admin"])
def test_every_page_fits_a_phone_and_passes_axe(
    live_server: LiveServer, network: dict[str, Any], phone: Any, role: str, language: str
) -> None:
    server = live_server
    page = phone(language)
    page.goto(f"{server.url}/signin")
    if role != "signed_out":
        form = page.locator("form[action='/signin']")
        form.locator("input[name=email]").fill(EMAIL[role])
        form.locator("input[name=password]").fill(DEMO_PASSWORD)
        form.locator("button[type=submit]").click()
        page.wait_for_url(f"{server.url}/")
    page.locator(f"form.lang button[value={language}]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language

    problems: list[str] = []
    for listed in pages_of(role, network):
        path = listed.removeprefix("!")
        response = page.goto(f"{server.url}{path}")
        assert response is not None
        if (response.status >= 400) != listed.startswith("!"):
            problems.append(f"{path}: status {response.status}")
            continue
        if SHOTS:  # WERKKRING_SHOTS=folder: a full-page phone screenshot of every page, to look at
            name = f"{role}-{language}-{path.strip('/').replace('/', '_').replace('?', '_') or 'home'}.png"
            page.screenshot(path=str(Path(SHOTS) / name), full_page=True)
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(CHECK)
        if found["width"] > WIDTH:
            problems.append(f"{path}: {found['width']} px wide ({', '.join(found['wide'])})")
        problems.extend(f"{path}: {v}" for v in found["violations"])
    assert not problems, "\n".join(problems)

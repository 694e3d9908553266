"""In a real browser: "introduce us" with both sides saying yes (both mails in the outbox), paging through
"who can help me with X" to the 21st match, and the newsletter's confirmation step."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from tests.e2e.conftest import LiveServer
from tests.web import factories
from tests.web.helpers import PASSWORD
from tests.web.test_self_service import CONTEXTS, OTHER_OFFERS
from werkkring.actions import sessions as session_actions
from werkkring.queries import connections as connection_queries
from werkkring.store.models import Member

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("e2e")]


@pytest.fixture(scope="module")
def people(live_server: LiveServer) -> dict[str, Any]:
    with live_server.database.transaction() as session:
        circle = factories.circle(session, "Utrecht")
        anna = factories.member(session, "Anna Vraagt", circles=[circle], offers="boekhouding voor zzp")
        anna.needs = "een sparringpartner voor strategie"
        bram = factories.member(session, "Bram Antwoordt", circles=[circle], offers="strategie en visie")
        admin = factories.member(session, "Ada Admin", role="admin", circles=[circle])
        exact = factories.member(session, "Eva Exact", circles=[circle], offers="intervisie begeleiden")
        helpers = [
            factories.member(
                session,
                f"Helper {i:02d}",
                circles=[circle],
                offers=f"intervisie begeleiden {context}\n{OTHER_OFFERS[(i + 7) % len(OTHER_OFFERS)]}",
            )
            for i, context in enumerate(CONTEXTS)
        ]
        for i, offer in enumerate(OTHER_OFFERS):
            factories.member(session, f"Ander {i:02d}", circles=[circle], offers=offer)
        host = factories.member(session, "Hanna Host", role="host", circles=[circle])
        ws = session_actions.create_session(
            session,
            title="Samen verder",
            question="Wat hebben we nodig?",
            starts_at=dt.datetime.combine(dt.date.today(), dt.time(19, 30)) - dt.timedelta(days=2),
            circle_id=circle.id,
            actor=host,
        )
        ws.status, ws.published_at = "published", dt.datetime.now() - dt.timedelta(days=1)
        people = {
            "anna": anna.email,
            "bram": (bram.id, bram.email),
            "admin": admin.email,
            "helpers": {exact.id, *(h.id for h in helpers)},
            "exact": exact.id,
        }
    connection_queries.keep_fitted(live_server.database, forever=False)
    return people


@pytest.fixture
def context(chromium: Any) -> Iterator[Any]:
    made: list[Any] = []

    def make() -> Any:
        ctx = chromium.new_context(locale="nl-NL")
        ctx.set_default_timeout(30_000)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


def sign_in(ctx: Any, server: LiveServer, address: str) -> Any:
    page = ctx.new_page()
    page.goto(f"{server.url}/signin")
    form = page.locator("form[action='/signin']")
    form.get_by_label("E-mailadres", exact=True).fill(address)
    form.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(f"{server.url}/")
    return page


def _outbox(server: LiveServer) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted(server.settings.outbox_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        found.append(message)
    return found


def test_introduce_us_with_both_saying_yes(
    live_server: LiveServer, people: dict[str, Any], context: Any
) -> None:
    from playwright.sync_api import expect

    server = live_server
    bram_id, bram_email = people["bram"]
    anna = sign_in(context(), server, people["anna"])
    anna.goto(f"{server.url}/members/{bram_id}")
    anna.get_by_role("button", name="Stel ons voor").click()
    expect(anna.locator("p.flash[role]").first).to_contain_text("Je verzoek is verstuurd")
    expect(anna.locator("main")).to_contain_text("je wacht op het antwoord")
    assert [m["To"] for m in _outbox(server)] == [bram_email]

    bram = sign_in(context(), server, bram_email)
    bram.goto(f"{server.url}/connections")
    mine = bram.locator("#introductions")
    expect(mine).to_contain_text("Anna Vraagt")
    expect(mine).to_contain_text("wil je graag ontmoeten")
    mine.get_by_role("button", name="Ja, stel ons voor").click()
    expect(bram.locator("p.flash[role]").first).to_contain_text("Jullie hebben allebei ja gezegd")
    expect(bram.locator("#introductions")).to_contain_text("aan elkaar voorgesteld")

    mails = _outbox(server)
    assert sorted(m["To"] for m in mails[1:]) == sorted([people["anna"], bram_email])
    to_anna = next(m for m in mails[1:] if m["To"] == people["anna"])
    body = to_anna.get_body(("plain",))
    assert body is not None and "strategie en visie" in body.get_content()
    anna.goto(f"{server.url}/connections")
    expect(anna.locator("#introductions")).to_contain_text("Bram Antwoordt")
    expect(anna.locator("#introductions")).to_contain_text("aan elkaar voorgesteld")


def test_paging_reaches_every_one_who_can_help(
    live_server: LiveServer, people: dict[str, Any], context: Any
) -> None:
    from playwright.sync_api import expect

    server = live_server
    page = sign_in(context(), server, people["anna"])
    page.goto(f"{server.url}/connections")
    page.get_by_label("Waarmee zoek je hulp?").fill("intervisie begeleiden")
    page.get_by_role("button", name="Zoeken").click()
    seen: list[int] = []
    for number in range(1, 4):
        expect(page.locator("nav.pager")).to_contain_text(f"Pagina {number}")
        links = page.locator("ol.hits li h3 a")
        seen += [int(str(link.get_attribute("href")).rsplit("/", 1)[1]) for link in links.all()]
        if number < 3:
            page.get_by_role("link", name="Volgende").click()
    assert seen[0] == people["exact"]
    assert people["helpers"] <= set(seen) and len(seen) == len(set(seen))
    # The query stays whole in the box from page to page.
    expect(page.get_by_label("Waarmee zoek je hulp?")).to_have_value("intervisie begeleiden")


def test_the_newsletter_asks_before_it_is_sent(
    live_server: LiveServer, people: dict[str, Any], context: Any
) -> None:
    from playwright.sync_api import expect

    server = live_server
    with server.database.reader() as session:
        wanted = len(session.scalars(select(Member).where(Member.newsletter.is_(True))).all())
    before = len(_outbox(server))
    page = sign_in(context(), server, people["admin"])
    since = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    page.goto(f"{server.url}/admin/newsletter?since={since}")
    page.get_by_role("link", name=f"Verstuur naar {wanted} leden…").click()
    expect(page.locator("h1")).to_have_text("De nieuwsbrief versturen?")
    assert len(_outbox(server)) == before  # nothing sent yet
    page.get_by_role("link", name="Nee, terug naar het voorbeeld").click()
    expect(page.locator("h1")).to_have_text("Nieuwsbrief")
    page.get_by_role("link", name=f"Verstuur naar {wanted} leden…").click()
    page.get_by_role("button", name=f"Ja, verstuur naar {wanted} leden").click()
    page.wait_for_url(f"{server.url}/admin/jobs/*")
    expect(page.locator("p.flash[role]").first).to_contain_text(f"onderweg naar {wanted} leden")
    deadline = dt.datetime.now() + dt.timedelta(seconds=20)
    while len(_outbox(server)) < before + wanted and dt.datetime.now() < deadline:
        page.wait_for_timeout(200)
    assert len(_outbox(server)) == before + wanted

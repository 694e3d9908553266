"""A real browser walks through a work session from sign-in to a joined initiative, and checks that privacy,
roles and CSRF hold where a person (or a forged form) would try them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from tests.e2e.conftest import LiveServer
from tests.web import factories
from tests.web.helpers import PASSWORD
from werkkring.actions.sessions import create_session
from werkkring.store.models import BreakoutGroup, Initiative, Member, Seat

# One worker runs them all (pytest -n 2 --dist loadgroup), so they share one server and one browser.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

MEMBERS = 12


@pytest.fixture(scope="module")
def people(live_server: LiveServer) -> dict[str, Any]:
    with live_server.database.transaction() as session:
        circle = factories.circle(session, "Utrecht")
        host = factories.member(session, "Hanna Host", role="host", circles=[circle])
        members = [
            factories.member(
                session,
                f"Lid {i:02d}",
                circles=[circle],
                birth_year=1960 + 3 * i,
                region=("Utrecht", "Amersfoort", "Zeist")[i % 3],
                joined_on=dt.date(2018 + i % 8, 1, 1),
                offers=f"vaardigheid {i:02d}",
            )
            for i in range(MEMBERS)
        ]
        secret = factories.member(
            session,
            "Sanne Stil",
            circles=[circle],
            offers="heel geheim aanbod",
            region="Verborgenstad",
            visibility={"offers": "private", "region": "private", "email": "private"},
        )
        return {
            "host": host.email,
            "members": [m.email for m in members],
            "secret": (secret.id, secret.email),
            "circle": circle.id,
        }


@pytest.fixture
def context(chromium: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def make() -> Any:
        ctx = chromium.new_context(locale="nl-NL")
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()


def sign_in(ctx: Any, server: LiveServer, email: str) -> Any:
    page = ctx.new_page()
    page.goto(f"{server.url}/signin")
    form = page.locator("form[action='/signin']")
    form.get_by_label("E-mailadres", exact=True).fill(email)
    form.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(f"{server.url}/")
    return page


def test_a_work_session_from_sign_in_to_a_joined_initiative(
    live_server: LiveServer, people: dict[str, Any], context: Any
) -> None:
    from playwright.sync_api import expect

    server = live_server
    host = sign_in(context(), server, people["host"])

    # The host creates a session.
    host.goto(f"{server.url}/sessions/new")
    host.get_by_label("Titel", exact=True).fill("De blik vooruit")
    host.get_by_label("Centrale vraag", exact=True).fill("Wat brengt het netwerk ons de komende jaren?")
    host.get_by_label("Datum", exact=True).fill((dt.date.today() + dt.timedelta(days=3)).isoformat())
    host.get_by_label("Plaats", exact=True).fill("Utrecht, De Werkplaats")
    host.get_by_label("Aantal plaatsen", exact=True).fill("20")
    host.get_by_role("button", name="Maak de werksessie aan").click()
    host.wait_for_url(re.compile(r"/sessions/\d+$"))
    session_url = host.url
    session_id = int(session_url.rsplit("/", 1)[1])
    expect(host.locator("h1")).to_have_text("De blik vooruit")

    # Twelve members sign up, each in their own browser.
    pages: dict[str, Any] = {}
    for email in people["members"]:
        page = sign_in(context(), server, email)
        page.goto(session_url)
        page.get_by_role("button", name="Aanmelden voor deze sessie").click()
        expect(page.locator("p.flash[role]").first).to_contain_text("Je bent aangemeld")
        pages[email] = page
    host.goto(session_url)
    expect(host.locator("#taken")).to_contain_text("12")

    # The host forms the groups, sees each group's mix, and locks them.
    host.get_by_role("button", name="Vorm de groepen").click()
    expect(host.locator("article.group")).to_have_count(3)
    expect(host.locator("dl.mix").first).to_contain_text("Anciënniteit")
    host.get_by_role("button", name="Zet de groepen vast").click()
    expect(host.locator("p.flash[role]").first).to_contain_text("De groepen staan vast")

    # One member of each group enters input; the host's open page shows it without reloading.
    with server.database.reader() as session:
        seats = session.execute(
            select(Member.email, BreakoutGroup.number)
            .join(Seat, Seat.member_id == Member.id)
            .join(BreakoutGroup, BreakoutGroup.id == Seat.group_id)
            .where(Seat.session_id == session_id)
        ).all()
    writer_of: dict[int, str] = {}
    for email, number in sorted(seats):
        writer_of.setdefault(number, email)
    assert sorted(writer_of) == [1, 2, 3]
    for number, email in sorted(writer_of.items()):
        page = pages[email]
        page.goto(session_url)
        expect(page.locator("#my-group h2")).to_contain_text(f"groep {number}")
        page.get_by_label("De inbreng van je groep", exact=True).fill(
            f"Groep {number} stelt voor: een maandelijkse lunch voor nieuwkomers in de regio"
        )
        if number == 1:
            page.get_by_label("Dit is een voorstel voor een initiatief", exact=True).check()
        page.get_by_role("button", name="Inbreng toevoegen").click()
        expect(page.locator("p.flash[role]").first).to_contain_text("Je inbreng is toegevoegd")
        expect(host.locator("#live")).to_contain_text(f"Groep {number} stelt voor", timeout=10_000)

    # The synthesis makes themes; the host renames one and publishes the outcome.
    host.goto(session_url)
    host.get_by_role("button", name="Maak de synthese").click()
    theme = host.locator("#board .board-theme").first
    theme.locator(".theme-tools details summary").click()
    theme.get_by_label("Naam", exact=True).fill("Welkom voor nieuwkomers")
    theme.get_by_role("button", name="Thema opslaan").click()
    expect(host.locator("#board .board-theme h4 .label").first).to_have_text("Welkom voor nieuwkomers")
    host.get_by_role("button", name="Publiceer de opbrengst").click()
    expect(host.locator("#status")).to_have_text("gepubliceerd")
    expect(host.locator("#outcome")).to_contain_text("Welkom voor nieuwkomers")

    # The proposal becomes an initiative with an owner in one step.
    host.locator("ul.proposals").get_by_role("button", name="Maak er een initiatief van").click()
    host.wait_for_url(re.compile(r"/initiatives/\d+$"))
    initiative_url = host.url
    expect(host.locator("h1")).to_contain_text("Groep 1 stelt voor")
    with server.database.reader() as session:
        initiative = session.get(Initiative, int(initiative_url.rsplit("/", 1)[1]))
        owner = session.get(Member, initiative.owner_id) if initiative and initiative.owner_id else None
        assert owner is not None and owner.email == writer_of[1]

    # Another member joins, saying what it adds for them.
    joiner = pages[writer_of[2]]
    joiner.goto(initiative_url)
    joiner.get_by_label("Wat levert het mij op?", exact=True).fill("Ik ontmoet nieuwe mensen uit mijn regio")
    joiner.locator("#join").get_by_role("button", name="Meedoen").click()
    expect(joiner.locator(".participants")).to_contain_text("Ik ontmoet nieuwe mensen uit mijn regio")


def test_a_member_cannot_see_fields_another_member_keeps_private(
    live_server: LiveServer, people: dict[str, Any], context: Any
) -> None:
    from playwright.sync_api import expect

    secret_id, secret_email = people["secret"]
    page = sign_in(context(), live_server, people["members"][0])
    page.goto(f"{live_server.url}/members/{secret_id}")
    expect(page.locator("h1")).to_have_text("Sanne Stil")
    body = page.locator("main").inner_text()
    assert "heel geheim aanbod" not in body and "Verborgenstad" not in body and secret_email not in body
    page.goto(f"{live_server.url}/members?offers=geheim")
    expect(page.locator("main")).not_to_contain_text("Sanne Stil")
    own = sign_in(context(), live_server, secret_email)
    own.goto(f"{live_server.url}/members/{secret_id}")
    expect(own.locator("main")).to_contain_text("heel geheim aanbod")


def test_a_member_cannot_act_as_a_host(live_server: LiveServer, people: dict[str, Any], context: Any) -> None:
    from playwright.sync_api import expect

    page = sign_in(context(), live_server, people["members"][1])
    page.goto(f"{live_server.url}/sessions")
    expect(page.get_by_role("link", name="Nieuwe werksessie")).to_have_count(0)
    response = page.goto(f"{live_server.url}/sessions/new")
    assert response is not None and response.status == 403
    # A member who knows the URL and has a valid token still cannot form groups of a session.
    with live_server.database.transaction() as session:
        host = session.scalar(select(Member).where(Member.email == people["host"]))
        assert host is not None
        work_session = create_session(
            session,
            title="Alleen voor de gastvrouw",
            question="Wie mag de groepen vormen?",
            starts_at=dt.datetime.now() + dt.timedelta(days=9),
            circle_id=people["circle"],
            actor=host,
        )
        session_id = work_session.id
    page.goto(f"{live_server.url}/sessions/{session_id}")
    expect(page.locator("#host")).to_have_count(0)
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = page.request.post(
        f"{live_server.url}/sessions/{session_id}/groups", form={"csrf_token": token or ""}, max_redirects=0
    )
    assert forged.status == 403


def test_a_form_without_its_csrf_token_is_refused(
    live_server: LiveServer, people: dict[str, Any], context: Any
) -> None:
    from playwright.sync_api import expect

    page = sign_in(context(), live_server, people["members"][2])
    page.goto(f"{live_server.url}/helix")
    page.evaluate(
        "document.querySelectorAll('form[action=\"/helix\"] input[name=csrf_token]').forEach(e => e.remove())"
    )
    page.get_by_label("Uren", exact=True).fill("2")
    page.locator("form[action='/helix']").get_by_role("button", name="Noteren").click()
    expect(page.locator("h1")).to_have_text("Formulier verlopen")
    with live_server.database.reader() as session:
        from werkkring.store.models import HelixEntry

        assert session.scalars(select(HelixEntry)).first() is None

"""Issue 17's everyday flows in a real browser, members on phones (390 px wide): the host edits and cancels a
session (the members are mailed, the calendar feed says CANCELLED with a higher SEQUENCE), a member changes
and deletes their own input, a proposal becomes an initiative that a member joins from the outcome (its
owner gets the mail), and the outcome made public opens signed out with Open Graph tags while a session that
is not public is refused; the Atom feed is parsed by feedparser. Screenshots go to a temporary folder, or to
``WERKKRING_SCREENSHOTS`` when set."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.e2e.conftest import LiveServer
from tests.web import factories
from tests.web.helpers import PASSWORD
from werkkring.actions import sessions as session_actions
from werkkring.store.models import Contribution, Initiative, Member, WorkSession

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("WERKKRING_SCREENSHOTS") or tempfile.mkdtemp(prefix="werkkring-shots-"))


@pytest.fixture(scope="module")
def network(live_server: LiveServer) -> dict[str, Any]:
    with live_server.database.transaction() as session:
        circle = factories.circle(session, "Zeist")
        host = factories.member(session, "Hester Gastvrouw", role="host", circles=[circle])
        people = [
            factories.member(session, name, circles=[circle])
            for name in ("Ahmed Bouali", "Birgit Claes", "Cor van Dam")
        ]
        for i, person in enumerate(people):
            person.feed_token = f"flows-feed-{i}-0123456789abcdef"
        return {
            "host": host.email,
            "host_id": host.id,
            "members": [p.email for p in people],
            "ids": [p.id for p in people],
            "tokens": [p.feed_token for p in people],
            "circle": circle.id,
        }


@pytest.fixture
def context(chromium: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(*, phone: bool = False) -> Any:
        options: dict[str, Any] = {"locale": "nl-NL"}
        if phone:
            options.update(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
        ctx = chromium.new_context(bypass_csp=True, **options)  # axe-core is a script of the test's own
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
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


def shoot(page: Any, name: str, language: str = "nl") -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"flows-{name}.{language}.png"), full_page=True)


# axe-core, vendored beside the every-page test (tests/e2e/test_every_page.py); these pages are checked with
# it too wherever it is present.
AXE = Path(__file__).with_name("axe.min.js")


def fits(page: Any) -> None:
    """No horizontal scrolling on the phone, and (with axe-core present) no accessibility violation."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"
    if AXE.exists():
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
        )
        assert found == [], f"{page.url}: {found}"


def outbox(server: LiveServer) -> list[email.message.EmailMessage]:
    folder = server.settings.outbox_dir
    found = []
    for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime) if folder.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        found.append(message)
    return found


def mails_to(server: LiveServer, subject: str) -> list[str]:
    return sorted(str(m["To"]) for m in outbox(server) if subject in str(m["Subject"]))


def calendar_event(page: Any, server: LiveServer, token: str, session_id: int) -> Any:
    response = page.request.get(f"{server.url}/feeds/member/{token}.ics")
    assert response.ok
    events = [
        e for e in Calendar.from_ical(response.body()).walk("VEVENT") if f"-{session_id}@" in str(e["uid"])
    ]
    assert len(events) == 1
    return events[0]


def _signed_up_session(server: LiveServer, network: dict[str, Any], title: str, members: int = 2) -> int:
    with server.database.transaction() as session:
        host = session.get(Member, network["host_id"])
        assert host is not None
        ws = session_actions.create_session(
            session,
            title=title,
            question="Wat heeft de wijk nodig?",
            starts_at=dt.datetime.combine(dt.date.today() + dt.timedelta(days=5), dt.time(19, 30)),
            ends_at=dt.datetime.combine(dt.date.today() + dt.timedelta(days=5), dt.time(21, 30)),
            place="Wijkcentrum De Kei",
            capacity=10,
            circle_id=network["circle"],
            actor=host,
        )
        for member_id in network["ids"][:members]:
            member = session.get(Member, member_id)
            assert member is not None
            session_actions.register(session, ws, actor=member)
        return ws.id


def test_the_host_edits_and_cancels_and_the_members_hear_of_it(
    live_server: LiveServer, network: dict[str, Any], context: Any
) -> None:
    from playwright.sync_api import expect

    server = live_server
    session_id = _signed_up_session(server, network, "Wonen in de wijk")
    host = sign_in(context(phone=True), server, network["host"])
    host.goto(f"{server.url}/sessions/{session_id}")
    # The host's page has no primary sign-up above the host's controls.
    expect(host.get_by_role("button", name="Aanmelden voor deze sessie")).to_have_count(0)
    before = calendar_event(host, server, network["tokens"][0], session_id)["SEQUENCE"]

    host.get_by_role("link", name="De werksessie wijzigen").click()
    host.wait_for_url(re.compile(r"/edit$"))
    expect(host.get_by_label("Titel", exact=True)).to_have_value("Wonen in de wijk")
    host.get_by_label("Aantal plaatsen", exact=True).fill("1")
    host.get_by_label("Plaats", exact=True).fill("Bibliotheek Zeist")
    host.get_by_role("button", name="Wijzigingen bewaren").click()
    # Refused: filled in as typed, the error right below the capacity.
    expect(host.locator("#capacity-error")).to_contain_text("2 mensen")
    expect(host.get_by_label("Plaats", exact=True)).to_have_value("Bibliotheek Zeist")
    fits(host)
    shoot(host, "edit-refused-phone")
    host.get_by_label("Aantal plaatsen", exact=True).fill("12")
    host.get_by_role("button", name="Wijzigingen bewaren").click()
    host.wait_for_url(f"{server.url}/sessions/{session_id}")
    expect(host.locator("dl.facts")).to_contain_text("Bibliotheek Zeist")
    assert mails_to(server, "De werksessie Wonen in de wijk is gewijzigd") == sorted(network["members"][:2])
    edited = calendar_event(host, server, network["tokens"][0], session_id)
    assert edited["SEQUENCE"] > before and str(edited["LOCATION"]) == "Bibliotheek Zeist"

    host.locator("#call-off summary").click()
    host.get_by_label("Reden (wie zich aanmeldde krijgt die per mail)").fill("De gastspreker is ziek.")
    fits(host)
    shoot(host, "cancel-phone")
    host.get_by_role("button", name="De werksessie voor iedereen afgelasten").click()
    expect(host.locator("#cancelled-note")).to_contain_text("De gastspreker is ziek.")
    assert mails_to(server, "Afgelast: Wonen in de wijk") == sorted(network["members"][:2])
    (mail,) = [m for m in outbox(server) if "Afgelast" in str(m["Subject"])][:1]
    body = mail.get_body(("plain",))
    assert body is not None and "Reden: De gastspreker is ziek." in body.get_content()
    cancelled = calendar_event(host, server, network["tokens"][1], session_id)
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled["SEQUENCE"] > edited["SEQUENCE"]


def _running_session(server: LiveServer, network: dict[str, Any], title: str) -> tuple[int, list[int]]:
    session_id = _signed_up_session(server, network, title, members=3)
    with server.database.transaction() as session:
        ws = session.get(WorkSession, session_id)
        host = session.get(Member, network["host_id"])
        assert ws is not None and host is not None
        session_actions.seat_groups(session, ws, [network["ids"]], actor=host)
        session_actions.lock_groups(session, ws, actor=host)
        made = []
        for member_id, text in zip(
            network["ids"],
            (
                "We beginnen een maandelijkse buurtmaaltijd in het wijkcentrum, waar nieuwe en oude "
                "bewoners elkaar leren kennen en samen koken.",
                "Een deelkast voor gereedschap bij de bibliotheek",
                "Vaker samen de straat schoonmaken",
            ),
            strict=True,
        ):
            member = session.get(Member, member_id)
            assert member is not None
            made.append(
                session_actions.add_contribution(session, ws, text, is_proposal=True, actor=member).id
            )
        return session_id, made


def test_a_member_changes_and_deletes_their_own_input(
    live_server: LiveServer, network: dict[str, Any], context: Any
) -> None:
    from playwright.sync_api import expect

    server = live_server
    session_id, inputs = _running_session(server, network, "Samen de wijk in")
    phone = sign_in(context(phone=True), server, network["members"][1])
    phone.goto(f"{server.url}/sessions/{session_id}")
    mine = phone.locator(f"#my-input li[data-id='{inputs[1]}']")
    # Only their own input has the controls.
    expect(phone.locator("details.own-input")).to_have_count(1)
    mine.locator("summary").click()
    mine.get_by_label("Je inbreng", exact=True).fill("Een deelkast voor gereedschap en boeken")
    fits(phone)
    shoot(phone, "own-input-phone")
    mine.get_by_role("button", name="Opslaan").click()
    expect(phone.locator(f"#my-input li[data-id='{inputs[1]}']")).to_contain_text("gereedschap en boeken")
    phone.locator(f"#my-input li[data-id='{inputs[1]}'] summary").click()
    phone.locator(f"#my-input li[data-id='{inputs[1]}']").get_by_role(
        "button", name="Mijn inbreng verwijderen"
    ).click()
    expect(phone.locator(f"#my-input li[data-id='{inputs[1]}']")).to_have_count(0)
    with server.database.reader() as session:
        texts = session.scalars(
            select(Contribution.text).where(Contribution.session_id == session_id).order_by(Contribution.id)
        ).all()
    assert len(texts) == 2 and "deelkast" not in " ".join(texts)


def test_the_outcome_leads_to_an_initiative_and_goes_public(
    live_server: LiveServer, network: dict[str, Any], context: Any
) -> None:
    from playwright.sync_api import expect

    server = live_server
    session_id, inputs = _running_session(server, network, "Buren aan tafel")
    private_id = _signed_up_session(server, network, "Nog niet openbaar")
    host = sign_in(context(), server, network["host"])
    host.goto(f"{server.url}/sessions/{session_id}")
    title = host.locator(f"#title-{inputs[0]}")
    # A short title suggested for the host to confirm, not the proposal cut at 120 characters.
    suggestion = title.input_value()
    assert 10 < len(suggestion) <= 80 and not suggestion.endswith(" ")
    title.fill("Buurtmaaltijd")
    host.locator(f"#owner-{inputs[0]}").select_option(str(network["ids"][0]))
    host.locator(f"form[action$='/contributions/{inputs[0]}/initiative']").get_by_role(
        "button", name="Maak er een initiatief van"
    ).click()
    host.wait_for_url(re.compile(r"/initiatives/\d+$"))
    expect(host.locator("#from-session")).to_have_text("uit de werksessie Buren aan tafel")
    initiative_url = host.url
    host.goto(f"{server.url}/sessions/{session_id}")
    host.get_by_role("button", name="Maak de synthese").click()
    host.get_by_role("button", name="Publiceer de opbrengst").click()
    expect(host.locator("#status")).to_contain_text("gepubliceerd")

    # A participant joins from the outcome, on the phone; the owner gets a mail.
    phone = sign_in(context(phone=True), server, network["members"][2])
    phone.goto(f"{server.url}/sessions/{session_id}")
    outcome = phone.locator("#outcome")
    expect(outcome.get_by_role("link", name="Buurtmaaltijd")).to_be_visible()
    outcome.get_by_label("Wat levert het mij op?").fill("Ik wil mijn buren leren kennen")
    fits(phone)
    shoot(phone, "outcome-initiatives-phone")
    outcome.get_by_role("button", name="Meedoen").click()
    phone.wait_for_url(initiative_url)
    expect(phone.get_by_role("button", name="Niet meer meedoen")).to_be_visible()
    assert mails_to(server, "Cor van Dam doet mee met je initiatief Buurtmaaltijd") == [network["members"][0]]

    # Made public: opens signed out, with Open Graph tags; a session not made public is refused.
    host.goto(f"{server.url}/sessions/{session_id}")
    host.get_by_role("button", name="De opbrengst openbaar maken").click()
    expect(host.locator("#public")).to_contain_text("De opbrengst is openbaar")
    shoot(host, "host-published")
    outside = context(phone=True).new_page()
    response = outside.goto(f"{server.url}/outcomes/{session_id}")
    assert response is not None and response.status == 200
    expect(outside.locator("h1")).to_have_text("Buren aan tafel")
    assert outside.locator("meta[property='og:title']").get_attribute("content") == "Buren aan tafel"
    assert outside.locator("meta[property='og:url']").get_attribute("content") == (
        f"{server.url}/outcomes/{session_id}"
    )
    assert outside.locator("meta[property='og:description']").get_attribute("content")
    expect(outside.locator("main")).to_contain_text("Buurtmaaltijd")
    expect(outside.locator("main")).not_to_contain_text("Ahmed Bouali")
    fits(outside)
    shoot(outside, "public-outcome-phone")
    outside.locator("form.lang").get_by_role("button", name="English").click()
    outside.wait_for_load_state()
    expect(outside.locator("main")).to_contain_text("Initiatives from this session")
    fits(outside)
    shoot(outside, "public-outcome-phone", "en")
    refused = outside.goto(f"{server.url}/outcomes/{private_id}")
    assert refused is not None and refused.status == 404

    feed = outside.request.get(f"{server.url}/feeds/outcomes.atom")
    assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(feed.body())
    assert not parsed.bozo, parsed.bozo_exception
    assert [(e.title, e.link) for e in parsed.entries] == [
        ("Buren aan tafel", f"{server.url}/outcomes/{session_id}")
    ]
    with server.database.reader() as session:
        (initiative,) = session.scalars(select(Initiative).where(Initiative.session_id == session_id)).all()
    assert initiative.title == "Buurtmaaltijd" and initiative.description.startswith("We beginnen")


def test_notification_settings_on_a_phone(
    live_server: LiveServer, network: dict[str, Any], context: Any
) -> None:
    from playwright.sync_api import expect

    server = live_server
    phone = sign_in(context(phone=True), server, network["members"][0])
    phone.goto(f"{server.url}/me/notifications")
    phone.locator("input[name='initiative_update'][value='off']").check()
    fits(phone)
    shoot(phone, "notifications-phone")
    phone.get_by_role("button", name="Opslaan").click()
    expect(phone.locator("p.flash[role]").first).to_contain_text("bewaard")
    expect(phone.locator("input[name='initiative_update'][value='off']")).to_be_checked()
    phone.locator("form.lang").get_by_role("button", name="English").click()
    phone.wait_for_load_state()
    expect(phone.locator("h1")).to_have_text("Notifications")
    fits(phone)
    shoot(phone, "notifications-phone", "en")

"""The room in real browsers: a host, a projector at 1920 × 1080 and two phones at 390 × 844. The host opens
the voting and starts the timer; the phones put their dots; the projector counts them and runs the timer
without reloading; after the synthesis it shows the themes with their support. Screenshots of each view in
Dutch and English go to docs/screenshots/ (room-*.png)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.e2e.conftest import LiveServer
from tests.e2e.test_browser import sign_in
from tests.web import factories
from werkkring.actions import sessions as session_actions
from werkkring.store.models import Contribution, Member

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
BEAMER = {"width": 1920, "height": 1080}
QUESTION = "Waar heb jij behoefte aan in WIN-verband?"
LINES = [
    (1, "Ik zoek mensen met wie ik samen nieuwe opdrachten kan oppakken."),
    (1, "Behoefte aan sparren met collega's uit andere vakgebieden."),
    (2, "Voorstel: een filmpje waarin leden vertellen wat WIN hun brengt."),
    (2, "Samen met anderen verkennen welke nieuwe mogelijkheden er zijn."),
    (3, "Een luisterend oor als het even tegenzit met opdrachten."),
    (3, "Meer kennis delen over tarieven, contracten en verzekeringen."),
]


@pytest.fixture(scope="module")
def evening(live_server: LiveServer) -> dict[str, Any]:
    """Nine people in three locked groups with the input of the evening, and their host."""
    with live_server.database.transaction() as session:
        circle = factories.circle(session, "Amersfoort")
        host = factories.member(session, "Hanna Gastvrouw", role="host", circles=[circle])
        people = [
            factories.member(session, name, circles=[circle], birth_year=1960 + 4 * i)
            for i, name in enumerate(
                [
                    "Aylin Kaya",
                    "Bram de Vries",
                    "Chantal Pinas",
                    "Daan Smit",
                    "Eva Jansen",
                    "Femke Bakker",
                    "Gijs Visser",
                    "Hatice Demir",
                    "Ivo Mulder",
                ]
            )
        ]
        ws = session_actions.create_session(
            session,
            title="Wat hebben we elkaar te bieden?",
            question=QUESTION,
            starts_at=dt.datetime.now() + dt.timedelta(hours=1),
            place="Amersfoort, De Observant",
            circle_id=circle.id,
            group_size=3,
            actor=host,
        )
        for person in people:
            session_actions.register(session, ws, actor=person)
        groups = [[p.id for p in people[i::3]] for i in range(3)]
        session_actions.seat_groups(session, ws, groups, actor=host)
        session_actions.lock_groups(session, ws, actor=host)
        first = {n: session.get(Member, ids[0]) for n, ids in enumerate(groups, start=1)}
        for number, text in LINES:
            author = first[number]
            assert author is not None
            session_actions.add_contribution(
                session, ws, text, is_proposal=text.startswith("Voorstel"), actor=author
            )
        return {"ws": ws.id, "host": host.email, "phones": [people[1].email, people[2].email]}


@pytest.fixture
def contexts(chromium: Any) -> Iterator[Any]:
    made: list[Any] = []

    def make(viewport: dict[str, int]) -> Any:
        ctx = chromium.new_context(locale="nl-NL", viewport=viewport)
        # Generous: the gate runs this beside the whole suite on two shared cores.
        ctx.set_default_timeout(30_000)
        ctx.set_default_navigation_timeout(60_000)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


def _shot(page: Any, name: str) -> None:
    if os.environ.get("WERKKRING_NO_SCREENSHOTS"):
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def _english(page: Any) -> None:
    page.get_by_role("button", name="English").click()


def test_dots_and_the_timer_reach_the_projector_without_reload(
    live_server: LiveServer, evening: dict[str, Any], contexts: Any
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)  # the gate runs this beside the whole suite on two shared cores
    server = live_server
    url = f"{server.url}/sessions/{evening['ws']}"
    host = sign_in(contexts({"width": 1280, "height": 900}), server, evening["host"])
    projector_ctx = contexts(BEAMER)
    projector = sign_in(projector_ctx, server, evening["host"])
    phones = [sign_in(contexts(PHONE), server, email) for email in evening["phones"]]

    projector.goto(f"{url}/present")
    expect(projector.locator(".question")).to_have_text(QUESTION)
    expect(projector.locator("#phases li.now")).to_have_text("Inbreng")
    expect(projector.locator(".tables li")).to_have_count(3)
    projector.evaluate("window.__stayed = true")

    # The host sets two dots each, opens the voting and starts a 10-minute timer.
    host.goto(url)
    host.get_by_label("Stippen per persoon", exact=True).fill("2")
    host.locator("#room form").filter(has=host.get_by_label("Stippen per persoon")).get_by_role(
        "button", name="Opslaan"
    ).click()
    host.get_by_role("button", name="Open het stemmen").click()
    expect(host.locator("p.flash[role]").first).to_contain_text("Het stemmen is open")
    host.get_by_label("Minuten", exact=True).fill("10")
    host.get_by_role("button", name="Start de timer").click()
    expect(host.locator("#room .timer")).to_be_visible()

    # The projector follows: the timer appears and runs down, the voting shows, all without a reload.
    clock = projector.locator(".bar .timer .clock")
    expect(projector.locator(".bar .timer")).to_be_visible(timeout=30_000)
    first = clock.inner_text()
    projector.wait_for_timeout(2_100)
    second = clock.inner_text()
    assert first.startswith(("10:", "9:")) and second != first, (first, second)
    expect(projector.locator(".voting h2")).to_contain_text("Plak je stippen", timeout=30_000)

    # Two phones put their dots on the same card, and one more each elsewhere.
    with server.database.reader() as session:
        cards = session.scalars(
            select(Contribution.id).where(Contribution.session_id == evening["ws"]).order_by(Contribution.id)
        ).all()
    for phone in phones:
        phone.goto(f"{url}/vote")
        expect(phone.locator("#left")).to_have_text("2")
        phone.locator(f"#card-{cards[2]}").get_by_role("button").click()
        expect(phone.locator(f"#card-{cards[2]} .count")).not_to_have_text("0")
        expect(phone.locator("#left")).to_have_text("1")
    phones[0].locator(f"#card-{cards[0]}").get_by_role("button").click()
    expect(phones[0].locator("#left")).to_have_text("0")
    # The other phone sees the count of the first phone's dot arrive without reloading.
    expect(phones[1].locator(f"#card-{cards[0]} .count")).to_have_text("1", timeout=30_000)
    # A third dot is refused with the reason in Dutch, and the page stays as it is.
    phones[0].locator(f"#card-{cards[4]}").get_by_role("button").click()
    expect(phones[0].locator("#vote-error")).to_contain_text("al je 2 stippen")
    expect(phones[0].locator(f"#card-{cards[4]} .count")).to_have_text("0")

    expect(projector.locator(".voting .tally")).to_contain_text("3 stippen", timeout=30_000)
    expect(projector.locator("ol.top li").first).to_contain_text("Voorstel: een filmpje")
    expect(projector.locator("ol.top li .n").first).to_have_text("2")
    assert projector.evaluate("window.__stayed") is True
    _shot(projector, "room-projector.nl")
    english = projector_ctx.new_page()
    english.goto(f"{url}/present?lang=en")
    expect(english.locator(".voting h2")).to_contain_text("Put your dots")
    _shot(english, "room-projector.en")
    english.close()
    phones[0].evaluate("window.scrollTo(0, 0)")
    _shot(phones[0], "room-vote-phone.nl")
    host.goto(url)
    host.locator("#room").scroll_into_view_if_needed()
    _shot(host, "room-host.nl")

    # The synthesis: the projector shows the themes one by one, with their support from the dots.
    with server.database.transaction() as session:
        from werkkring.queries.sessions import get_session

        ws = get_session(session, evening["ws"])
        hosting = session.scalar(select(Member).where(Member.email == evening["host"]))
        assert hosting is not None
        session_actions.run_synthesis(session, ws, actor=hosting)
    host.goto(url)
    host.get_by_role("button", name="Sluit het stemmen").click()  # announces a change: the projector follows
    expect(projector.locator("#phases li.now")).to_have_text("Synthese", timeout=45_000)
    theme = projector.locator(".theme.shown")
    expect(theme).to_have_count(1)
    supported = projector.locator(".theme .support", has_text="stip")
    assert supported.count() >= 1
    projector.keyboard.press("ArrowRight")
    assert projector.evaluate("window.__stayed") is True
    projector.keyboard.press("ArrowLeft")
    _shot(projector, "room-projector-themes.nl")

    # The same views in English.
    projector.goto(f"{url}/present?lang=en")
    expect(projector.locator("#phases li.now")).to_have_text("Synthesis")
    _shot(projector, "room-projector-themes.en")
    _english(phones[0])
    phones[0].goto(f"{url}/vote")
    expect(phones[0].locator("h1")).to_have_text("Put your dots")
    _shot(phones[0], "room-vote-phone.en")
    _english(host)
    host.goto(url)
    host.locator("#room").scroll_into_view_if_needed()
    _shot(host, "room-host.en")
    host.goto(f"{url}/print/cards")
    _shot(host, "room-table-cards.en")


def test_the_host_closes_the_input_and_the_phones_follow_without_reload(
    live_server: LiveServer, contexts: Any
) -> None:
    """The host closes round 1's input: a member's phone swaps its input form for the host's message
    without a reload; reopened, the form is back and a line sent from it arrives. Dutch, then English."""
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    server = live_server
    with server.database.transaction() as session:
        host = factories.member(session, "Rik Gastheer", role="host")
        people = [factories.member(session, f"Tafelgast {i}", birth_year=1970 + 5 * i) for i in range(3)]
        ws = session_actions.create_session(
            session,
            title="Inbreng dicht",
            question=QUESTION,
            starts_at=dt.datetime.now() + dt.timedelta(hours=1),
            group_size=3,
            actor=host,
        )
        for person in people:
            session_actions.register(session, ws, actor=person)
        session_actions.seat_groups(session, ws, [[p.id for p in people]], actor=host)
        session_actions.lock_groups(session, ws, actor=host)
        ws_id, host_email, phone_email = ws.id, host.email, people[0].email
    url = f"{server.url}/sessions/{ws_id}"
    hosting = sign_in(contexts({"width": 1280, "height": 900}), server, host_email)
    phone = sign_in(contexts(PHONE), server, phone_email)
    phone.goto(url)
    expect(phone.locator("#input textarea")).to_be_visible()
    phone.evaluate("window.__stayed = true")

    close = hosting.locator("form[action$='/input'] button")
    hosting.goto(url)
    expect(close).to_have_text("Sluit de inbreng van ronde 1")
    close.click()
    expect(hosting.locator("p.flash[role]").first).to_contain_text("De inbreng van deze ronde is gesloten")
    expect(phone.locator("#input-closed")).to_have_text("De host heeft de inbreng van ronde 1 gesloten.")
    expect(phone.locator("#input")).to_have_count(0)
    assert phone.evaluate("window.__stayed") is True
    phone.locator("#my-group").scroll_into_view_if_needed()
    _shot(phone, "room-input-closed-phone.nl")

    expect(close).to_have_text("Open de inbreng van ronde 1 weer")
    close.click()
    expect(phone.locator("#input textarea")).to_be_visible()
    phone.locator("#input textarea").fill("Na het heropenen: een plek om ervaringen te delen.")
    phone.locator("#input").get_by_role("button", name="Inbreng toevoegen").click()
    expect(phone.locator("#my-input")).to_contain_text("Na het heropenen")

    _english(phone)
    phone.goto(url)
    hosting.goto(url)
    close.click()
    expect(phone.locator("#input-closed")).to_have_text("The host closed the input of round 1.")
    phone.locator("#my-group").scroll_into_view_if_needed()
    _shot(phone, "room-input-closed-phone.en")

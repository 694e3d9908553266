"""The live room in a real browser: a host, a member's phone and a guest's phone (390 x 844). Both phones
join by the code, the host ticks people off at the door, forms and locks the groups, seats a walk-in who
came late with one click, and what one phone enters appears on the other without a reload. Screenshots of
each view in Dutch and English (``room-*.nl.png``, ``room-*.en.png``) are made with
``WERKKRING_SCREENSHOTS=docs/screenshots pytest tests/e2e/test_join.py``."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.e2e.conftest import LiveServer
from tests.web import factories
from tests.web.helpers import PASSWORD
from werkkring.actions import room as room_actions
from werkkring.actions.sessions import create_session
from werkkring.store.models import Member, WorkSession

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

PHONE = {"width": 390, "height": 844}
# WERKKRING_SCREENSHOTS=docs/screenshots writes the pictures there; otherwise to a temporary folder (so a
# test run leaves the checkout as it was).
SHOTS = Path(os.environ.get("WERKKRING_SCREENSHOTS") or tempfile.mkdtemp(prefix="werkkring-shots-"))


@pytest.fixture(scope="module")
def room(live_server: LiveServer) -> dict[str, Any]:
    with live_server.database.transaction() as session:
        circle = factories.circle(session, "Amersfoort")
        host = factories.member(session, "Hester Gastvrouw", role="host", circles=[circle])
        phone = factories.member(session, "Marieke Telefoon", circles=[circle], region="Amersfoort")
        others = [
            factories.member(
                session,
                name,
                circles=[circle],
                birth_year=1955 + 4 * i,
                region=("Amersfoort", "Utrecht", "Zeist", "Soest")[i % 4],
                joined_on=dt.date(2017 + i % 8, 3, 1),
            )
            for i, name in enumerate(
                ["Ahmed Bouali", "Birgit Claes", "Cor van Dam", "Dewi Santoso", "Evert Wolters", "Femke Kok"]
            )
        ]
        ws = create_session(
            session,
            title="Wonen in de wijk",
            question="Wat maakt onze wijk een plek waar je blijft wonen?",
            starts_at=dt.datetime.combine(dt.date.today(), dt.time(19, 30)),
            place="Wijkcentrum De Kei",
            group_size=4,
            circle_id=circle.id,
            actor=host,
        )
        for person in others:
            room_actions.join(session, ws, actor=person)
        return {"host": host.email, "phone": phone.email, "session": ws.id, "code": ws.join_code}


@pytest.fixture
def context(chromium: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(*, phone: bool = False, locale: str = "nl-NL") -> Any:
        options: dict[str, Any] = {"locale": locale}
        if phone:
            options.update(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
        ctx = chromium.new_context(**options)
        ctx.set_default_timeout(15_000)
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


def shoot(page: Any, name: str, language: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"room-{name}.{language}.png"), full_page=True)


def in_english(page: Any) -> None:
    page.locator("form.lang").get_by_role("button", name="English").click()
    page.wait_for_load_state()


def in_dutch(page: Any) -> None:
    page.locator("form.lang").get_by_role("button", name="Nederlands").click()
    page.wait_for_load_state()


def test_an_evening_joined_by_code(live_server: LiveServer, room: dict[str, Any], context: Any) -> None:
    from playwright.sync_api import expect

    server = live_server
    code = room["code"]
    session_url = f"{server.url}/sessions/{room['session']}"

    # The host opens the session: the code and its QR.
    host = sign_in(context(), server, room["host"])
    host.goto(session_url)
    expect(host.locator("#join-code")).to_have_text(code)
    expect(host.locator("#join img")).to_be_visible()
    host.wait_for_function("document.querySelector('#join img').complete")
    assert host.locator("#join img").evaluate("img => img.naturalWidth") > 100  # the QR really shows

    # A member's phone opens the code (as from the QR) and is in at once.
    member = sign_in(context(phone=True), server, room["phone"])
    member.goto(f"{server.url}/j/{code}")
    member.wait_for_url(session_url)
    expect(member.locator("#waiting-groups")).to_be_visible()

    # A guest's phone types the code in lower case; a name of 10,000 characters is refused in Dutch.
    guest = context(phone=True).new_page()
    guest.goto(f"{server.url}/j")
    guest.get_by_label("De code op het scherm of de tafelkaart").fill(code.lower().replace("-", " "))
    guest.get_by_role("button", name="Meedoen").click()
    guest.wait_for_url(f"{server.url}/j/{code}")
    shoot(guest, "guest-join-phone", "nl")
    guest.evaluate("document.getElementById('name').removeAttribute('maxlength')")
    guest.get_by_label("Je naam").fill("x" * 10_000)
    guest.get_by_role("button", name="Meedoen als gast").click()
    expect(guest.locator("#name-error")).to_contain_text("hoogstens 100 tekens")
    guest.get_by_label("Je naam").fill("Yara Haddad")
    guest.get_by_role("button", name="Meedoen als gast").click()
    expect(guest.locator("p.flash[role]").first).to_contain_text("Welkom")
    expect(guest.locator("#waiting-groups")).to_be_visible()

    # At the door: the host finds the member by name and ticks her off.
    host.goto(f"{session_url}/door")
    host.get_by_label("Zoek op naam").fill("marieke")
    host.get_by_role("button", name="Zoeken").click()
    host.get_by_role("button", name="Marieke Telefoon is aanwezig").click()
    expect(host.locator("#door-count")).to_contain_text("1 van 8")

    # The host forms the groups, moves the guest to the member's group by hand, and locks them.
    host.goto(session_url)
    host.get_by_role("button", name="Vorm de groepen").click()
    expect(host.locator("article.group")).to_have_count(2)
    with server.database.reader() as session:
        ws = session.get(WorkSession, room["session"])
        assert ws is not None
        numbers = {seat.member.name: g.number for g in ws.groups for seat in g.seats}
    host.locator("#move-member").select_option(label="Yara Haddad")
    host.locator("#move-group").select_option(str(numbers["Marieke Telefoon"]))
    host.locator("form[action$='/groups/move']").get_by_role("button", name="Verplaats").click()
    host.get_by_role("button", name="Zet de groepen vast").click()
    expect(host.locator("p.flash[role]").first).to_contain_text("De groepen staan vast")

    # Both phones show their group without a reload.
    expect(member.locator("#my-group h2")).to_contain_text(f"groep {numbers['Marieke Telefoon']}")
    expect(guest.locator("#my-group h2")).to_contain_text(f"groep {numbers['Marieke Telefoon']}")
    expect(guest.locator("#my-group .mates")).to_contain_text("Marieke Telefoon")

    # Someone walks in late: the host lets her in by name and seats her with one click.
    host.goto(f"{session_url}/door")
    host.get_by_label("Naam van iemand zonder account").fill("Lotte Laatkomer")
    host.get_by_role("button", name="Binnenlaten als gast").click()
    expect(host.locator("#waiting")).to_contain_text("Lotte Laatkomer")
    shoot(host, "door", "nl")
    host.goto(session_url)
    expect(host.locator("#late")).to_contain_text("Lotte Laatkomer")
    host.locator("#late").get_by_role("button", name="Plek geven").click()
    expect(host.locator("p.flash[role]").first).to_contain_text("Lotte Laatkomer zit in groep")
    expect(host.locator("#late")).to_have_count(0)

    # The member enters input; it appears on the guest's phone without a reload, while she types.
    guest.get_by_label("De inbreng van je groep").fill("Ik typ nog")
    member.get_by_label("De inbreng van je groep").fill("Een buurtkamer die 's avonds open is")
    member.get_by_role("button", name="Inbreng toevoegen").click()
    expect(guest.locator("#my-input")).to_contain_text("Een buurtkamer die 's avonds open is")
    expect(guest.get_by_label("De inbreng van je groep")).to_have_value("Ik typ nog")
    guest.get_by_label("De inbreng van je groep").fill("Bankjes bij de speeltuin, zodat ouders blijven")
    guest.get_by_role("button", name="Inbreng toevoegen").click()
    expect(member.locator("#my-input")).to_contain_text("Bankjes bij de speeltuin")
    shoot(guest, "guest-phone", "nl")
    shoot(member, "member-phone", "nl")
    host.goto(session_url)
    shoot(host, "session-host", "nl")

    # The same views in English.
    in_english(guest)
    expect(guest.locator("#my-group h2")).to_contain_text("Your group")
    shoot(guest, "guest-phone", "en")
    in_english(member)
    shoot(member, "member-phone", "en")
    in_english(host)
    shoot(host, "session-host", "en")
    host.goto(f"{session_url}/door")
    shoot(host, "door", "en")
    newcomer = context(phone=True, locale="en-GB").new_page()
    newcomer.goto(f"{server.url}/j/{code}")
    in_english(newcomer)
    shoot(newcomer, "guest-join-phone", "en")
    in_dutch(host)

    with server.database.reader() as session:
        guests = session.scalars(select(Member.name).where(Member.guest_of == room["session"])).all()
    assert sorted(guests) == ["Lotte Laatkomer", "Yara Haddad"]
    assert re.fullmatch(r"Your group: group \d", member.locator("#my-group h2").inner_text())

"""The host's synthesis board in a real browser, on the input of a real evening (../shared/examples/
session-17.tsv): the host runs the synthesis, moves a card by drag and drop and one by the keyboard, names a
theme, merges two, splits one, sets a card aside, re-runs (everything the host did is kept), publishes; the
report and the projector show the host's version. The same board on a phone (390 px) fits and moves a card
with its form. Screenshots go to docs/screenshots/board-*.png."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.board_setup import Evening, evening
from tests.e2e.conftest import LiveServer
from tests.e2e.test_browser import sign_in
from werkkring.queries import board as board_queries
from werkkring.queries.sessions import get_session
from werkkring.store.models import Member

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("e2e")]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
AXE = Path(os.environ.get("WERKKRING_AXE", Path(__file__).with_name("axe.min.js")))
NAME = "Samen nieuwe kansen vinden"
COFFEE = "De koffie was koud vanavond :)"


@pytest.fixture(scope="module")
def room(live_server: LiveServer) -> Evening:
    with live_server.database.transaction() as session:
        return evening(session, title="Het bord")


@pytest.fixture
def contexts(chromium: Any) -> Iterator[Any]:
    made: list[Any] = []

    def make(viewport: dict[str, int]) -> Any:
        # axe is a script of the test's own, which the pages' CSP would refuse
        ctx = chromium.new_context(locale="nl-NL", viewport=viewport, bypass_csp=True)
        ctx.set_default_timeout(60_000)  # the gate runs this beside the whole suite on two shared cores
        ctx.set_default_navigation_timeout(90_000)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


def _shot(page: Any, name: str, *, board: bool = False) -> None:
    """The screen, or (``board``) the whole board alone."""
    if os.environ.get("WERKKRING_NO_SCREENSHOTS"):
        return
    from playwright.sync_api import Error as PlaywrightError

    SHOTS.mkdir(parents=True, exist_ok=True)
    if not board:
        page.screenshot(path=str(SHOTS / f"{name}.png"))
        return
    for attempt in range(3):  # the board is live: a refresh may replace it while the picture is taken
        try:
            page.locator("#board").screenshot(path=str(SHOTS / f"{name}.png"))
            return
        except PlaywrightError:
            if attempt == 2:
                raise
            page.wait_for_timeout(300)


def _steady(page: Any, server: LiveServer, room: Evening) -> None:
    """Wait until the page's board shows the stored version and no refresh is on its way (the board is live:
    a refresh replaces it, and an element taken from the old one is gone)."""
    from playwright.sync_api import expect

    expect(page.locator("#board")).to_have_attribute("data-version", str(_view(server, room).version))
    page.wait_for_timeout(500)


def _view(server: LiveServer, room: Evening) -> board_queries.BoardView:
    with server.database.reader() as session:
        return board_queries.board_of(session, get_session(session, room.session_id))


def _email(server: LiveServer, member_id: int) -> str:
    with server.database.reader() as session:
        member = session.get(Member, member_id)
        assert member is not None
        return member.email


def _theme_of(view: board_queries.BoardView, card: int) -> int | None:
    return next((t.id for t in view.themes if any(c.id == card for c in t.cards)), None)


def _axe(page: Any) -> None:
    """No axe violations on the board, when axe-core is at hand (tests/e2e/axe.min.js or WERKKRING_AXE)."""
    if not AXE.exists():
        return
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document.querySelector('#board'))).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
    )
    assert found == [], found


def _fits(page: Any) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1, f"the page is {wide} px wider than the screen"


def test_the_host_edits_the_board_and_the_report_and_projector_follow(
    live_server: LiveServer, room: Evening, contexts: Any
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=60_000)
    server = live_server
    host = sign_in(contexts({"width": 1280, "height": 900}), server, _email(server, room.host))
    host.goto(f"{server.url}/sessions/{room.session_id}#board")
    host.locator("#board").get_by_role("button", name="Maak de synthese").click()
    expect(host.locator("#board .board-theme").first).to_be_visible()
    view = _view(server, room)
    assert len(view.themes) >= 2
    assert room.cards[COFFEE] in [c.id for c in view.aside], "the draft sets the coffee line aside"
    _steady(host, server, room)
    _shot(host, "board-draft", board=True)
    # The projector follows the board live (no reload): it is open while the host edits.
    projector = contexts({"width": 1920, "height": 1080}).new_page()
    projector.context.add_cookies(host.context.cookies())
    projector.goto(f"{server.url}/sessions/{room.session_id}/present")
    expect(projector.locator(".themes .theme").first).to_be_attached()

    # Drag and drop: the first card of the first theme onto the second theme.
    dragged = view.themes[0].cards[0].id
    first, second = view.themes[0].id, view.themes[1].id
    # Both in view first: a scroll between the press and the move would start the drag elsewhere.
    host.locator(f"#theme-{first} h4").scroll_into_view_if_needed()
    top = f"document.querySelector('#theme-{first}').getBoundingClientRect().top - 20"
    host.evaluate(f"window.scrollBy(0, {top})")
    host.drag_and_drop(f"#card-{dragged} .text", f"#theme-{second} h4")
    expect(host.locator(f'[data-drop="{second}"] #card-{dragged}')).to_be_visible()
    assert _theme_of(_view(server, room), dragged) == second

    # The keyboard: focus a card of the second theme, Space, one step on, Space.
    view = _view(server, room)
    keyed = next(c.id for c in next(t for t in view.themes if t.id == second).cards if c.id != dragged)
    drops = host.locator("[data-drop]").evaluate_all("els => els.map(e => e.getAttribute('data-drop'))")
    goal = drops[drops.index(str(second)) + 1]
    host.locator(f"#card-{keyed}").focus()
    host.keyboard.press("Space")
    expect(host.locator(f"#card-{keyed}.lifted")).to_be_visible()
    host.keyboard.press("ArrowDown")
    host.keyboard.press("Space")
    expect(host.locator(f'[data-drop="{goal}"] #card-{keyed}')).to_be_visible()
    expect(host.locator(f"#card-{keyed}")).to_be_focused()
    after_keys = _view(server, room)
    placed_keyed = _theme_of(after_keys, keyed)
    assert str(placed_keyed if placed_keyed is not None else "aside") == goal

    # Name the second theme.
    tools = host.locator(f"#theme-{second} .theme-tools details")
    tools.locator("summary").click()
    tools.get_by_label("Naam").fill(NAME)
    tools.get_by_role("button", name="Thema opslaan").click()
    expect(host.locator(f"#theme-{second} h4 .label")).to_have_text(NAME)
    expect(projector.locator(f"#theme-{second} h1")).to_have_text(NAME)

    # Merge the first theme into the second, then split the second (the engine clusters it again).
    tools = host.locator(f"#theme-{first} .theme-tools details")
    tools.locator("summary").click()
    tools.get_by_label("Samenvoegen met").select_option(str(second))
    tools.get_by_role("button", name="Samenvoegen", exact=True).click()
    expect(host.locator(f"#theme-{first}")).to_have_count(0)
    merged = _view(server, room)
    count = len(merged.themes)
    tools = host.locator(f"#theme-{second} .theme-tools details")
    tools.locator("summary").click()
    tools.get_by_label("Splitsen in").select_option("2")
    tools.get_by_role("button", name="Splitsen", exact=True).click()
    expect(host.locator("#board .board-theme")).to_have_count(count + 1)
    split = _view(server, room)
    named = next(t for t in split.themes if t.id == second)
    assert named.label == NAME and named.label_source == "host"

    # Set aside a card of the named theme, with a reason.
    aside = next(c.id for c in named.cards if c.id != dragged)
    card = host.locator(f"#card-{aside}")
    card.locator("summary").click()
    card.get_by_label("Waarom niet ter zake (mag leeg)").fill("hoort bij een ander gesprek")
    card.get_by_role("button", name="Apart zetten (niet ter zake)").click()
    expect(host.locator(f'[data-drop="aside"] #card-{aside}')).to_be_visible()
    expect(host.locator(f"#card-{aside} .reason")).to_contain_text("hoort bij een ander gesprek")

    # Re-run with three themes: what the host did stays.
    before = _view(server, room)
    host.locator("#board-themes").select_option("3")
    host.locator("#board").get_by_role("button", name="Maak de synthese opnieuw").click()
    expect(host.locator("#board")).to_have_attribute("data-version", str(before.version + 1))
    rerun = _view(server, room)
    assert _theme_of(rerun, dragged) == second
    assert next(t for t in rerun.themes if t.id == second).label == NAME
    assert (
        aside in [c.id for c in rerun.aside] and next(c for c in rerun.aside if c.id == aside).aside == "host"
    )
    if placed_keyed is not None:
        assert _theme_of(rerun, keyed) == placed_keyed
    assert all(COFFEE not in (t.summary, *t.quotes) for t in rerun.themes)
    expect(host.locator(f"#card-{dragged} .badge").first).to_have_text("door jou geplaatst")
    _axe(host)
    _fits(host)
    _shot(host, "board-host", board=True)

    # A stale form (another host's edit came first) is refused and says so.
    stale = host.request.post(
        f"{server.url}/sessions/{room.session_id}/board/themes",
        form={"label": "Te laat", "version": str(before.version), "csrf_token": _csrf(host)},
        headers={"X-Board": "fragment"},
    )
    assert stale.status == 409 and "herlaad het bord" in stale.text()

    # Publish: the report and the projector show the host's version.
    host.get_by_label("Samenvatting van de opbrengst (mag leeg blijven)").fill("Wat we samen vonden.")
    host.get_by_role("button", name="Publiceer de opbrengst").click()
    host.wait_for_load_state()
    final = _view(server, room)
    labels = [t.label for t in final.themes if t.cards]
    report = host.request.get(f"{server.url}/sessions/{room.session_id}/report.html").text()
    assert NAME in report
    positions = [report.find(label) for label in labels]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), (labels, positions)
    aside_text = next(c.text for c in final.aside if c.id == aside)
    assert aside_text not in report and COFFEE not in report

    projector.reload()
    shown = projector.locator(".themes .theme h1").all_inner_texts()
    assert shown == labels
    assert aside_text not in projector.content()
    projector.keyboard.press("ArrowRight")
    _shot(projector, "board-projector")


def _csrf(page: Any) -> str:
    return str(page.locator("#board input[name=csrf_token]").first.get_attribute("value"))


def test_the_board_on_a_phone(live_server: LiveServer, room: Evening, contexts: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=60_000)
    server = live_server
    with server.database.transaction() as session:  # a board still open for edits
        from werkkring.actions import board

        host_member = session.get(Member, room.host)
        assert host_member is not None
        made = evening(session, title="Het bord op de telefoon")
        ws = get_session(session, made.session_id)
    with server.database.transaction() as session:
        ws = get_session(session, made.session_id)
        host_member = session.get(Member, made.host)
        assert host_member is not None
        board.rerun(session, ws, version=None, actor=host_member)
    phone = sign_in(contexts({"width": 390, "height": 844}), server, _email(server, made.host))
    phone.goto(f"{server.url}/sessions/{made.session_id}#board")
    _fits(phone)
    view = _view(server, made)
    card, target = view.themes[0].cards[0].id, view.themes[1].id
    item = phone.locator(f"#card-{card}")
    item.locator("summary").click()
    item.get_by_label("Verplaatsen naar").select_option(str(target))
    item.scroll_into_view_if_needed()
    _shot(phone, "board-phone-form")
    item.get_by_role("button", name="Verplaats").click()
    expect(phone.locator(f'[data-drop="{target}"] #card-{card}')).to_be_visible()
    assert _theme_of(_view(server, made), card) == target
    _fits(phone)
    # The keyboard on the phone too (a tablet with a keyboard): Space, one step back, Space. First the
    # board shows the version the move made (on a loaded machine its refresh can still be on the way).
    _steady(phone, server, made)
    drops = phone.locator("[data-drop]").evaluate_all("els => els.map(e => e.getAttribute('data-drop'))")
    goal = drops[drops.index(str(target)) - 1]
    phone.locator(f"#card-{card}").focus()
    phone.keyboard.press("Space")
    phone.keyboard.press("ArrowUp")
    phone.keyboard.press("Space")
    expect(phone.locator(f'[data-drop="{goal}"] #card-{card}')).to_be_visible()
    _fits(phone)
    _steady(phone, server, made)
    phone.locator(f"#card-{card}").scroll_into_view_if_needed()
    _shot(phone, "board-phone")
    _axe(phone)
    phone.set_viewport_size({"width": 360, "height": 740})  # the narrowest phone the pages are made for
    _fits(phone)


def test_a_co_hosts_edit_reaches_the_other_hosts_board_without_reload(
    live_server: LiveServer, contexts: Any
) -> None:
    from playwright.sync_api import expect

    from werkkring.actions import board

    expect.set_options(timeout=60_000)
    server = live_server
    with server.database.transaction() as session:
        made = evening(session, title="Twee hosts")
    with server.database.transaction() as session:
        host_member = session.get(Member, made.host)
        assert host_member is not None
        board.rerun(session, get_session(session, made.session_id), version=None, actor=host_member)
    url = f"{server.url}/sessions/{made.session_id}#board"
    host = sign_in(contexts({"width": 1280, "height": 900}), server, _email(server, made.host))
    cohost = sign_in(contexts({"width": 1280, "height": 900}), server, _email(server, made.cohost))
    host.goto(url)
    cohost.goto(url)
    view = _view(server, made)
    card, target = view.themes[0].cards[0].id, view.themes[1].id
    item = cohost.locator(f"#card-{card}")
    item.locator("summary").click()
    item.get_by_label("Verplaatsen naar").select_option(str(target))
    item.get_by_role("button", name="Verplaats").click()
    expect(cohost.locator(f'[data-drop="{target}"] #card-{card}')).to_be_visible()
    # The host's board follows (the live stream), so the host's next edit is made on the new version.
    expect(host.locator(f'[data-drop="{target}"] #card-{card}')).to_be_visible()
    expect(host.locator("#board")).to_have_attribute("data-version", str(view.version + 1))


def test_a_failed_draft_reaches_the_hosts_open_board_and_try_again_makes_it(
    live_server: LiveServer, contexts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large board's background draft whose engine raises: the host's open board (desktop, and a phone
    at 390 px) shows it failed with why and "try again" without a reload (the live stream); the button
    runs the draft and the themes appear in place. A participant's page shows none of it."""
    import datetime as dt

    from playwright.sync_api import expect
    from sqlalchemy import update

    from werkkring import queue
    from werkkring.actions import board
    from werkkring.store.models import Job, utcnow

    expect.set_options(timeout=60_000)
    server = live_server
    monkeypatch.setattr(board, "LARGE_BOARD", 10)
    with server.database.transaction() as session:
        made = evening(session, title="Mislukt concept")
    url = f"{server.url}/sessions/{made.session_id}#board"
    host = sign_in(contexts({"width": 1280, "height": 900}), server, _email(server, made.host))
    phone = sign_in(contexts({"width": 390, "height": 844}), server, _email(server, made.cohost))
    person = sign_in(contexts({"width": 390, "height": 844}), server, _email(server, made.participant))
    for page in (host, phone, person):
        page.goto(url)
    expect(host.locator("#board")).to_be_attached()
    real = board.synthesize

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the engine fell over (a test)")

    monkeypatch.setattr(board, "synthesize", broken)
    # Asked from elsewhere (the API, another tab): the job runs right after the commit here and fails;
    # its later attempts are run at once instead of after their back-off.
    started = board.synthesise(server.database, made.host, made.session_id)
    assert started.job is not None
    runner = queue.Runner(server.database, server.settings)
    for _ in range(3):
        with server.database.transaction() as session:
            session.execute(
                update(Job)
                .where(Job.id == started.job, Job.status == "retrying")
                .values(run_after=utcnow() - dt.timedelta(seconds=1))
            )
        runner.run(started.job)
    for page in (host, phone):
        draft = page.locator("#board-draft")
        expect(draft).to_have_attribute("data-state", "failed")
        expect(draft).to_contain_text("kon niet worden gemaakt")
        expect(draft).to_contain_text("Er ging iets mis op de server")
        expect(draft.get_by_role("button", name="Opnieuw proberen")).to_be_visible()
        assert "fell over" not in page.content()
    _shot(host, "board-draft-failed", board=True)
    _shot(phone, "board-draft-failed-phone")
    _fits(phone)
    _axe(host)
    expect(person.locator("#board-draft")).to_have_count(0)
    assert "/board/retry" not in person.content()

    monkeypatch.setattr(board, "synthesize", real)
    host.locator("#board-draft").get_by_role("button", name="Opnieuw proberen").click()
    expect(host.locator("#board-draft")).to_have_attribute("data-state", "done")
    expect(host.locator("#board .board-theme").first).to_be_visible()
    expect(phone.locator("#board-draft")).to_have_attribute("data-state", "done")  # followed live
    expect(phone.locator("#board .board-theme").first).to_be_visible()
    _steady(host, server, made)
    _shot(host, "board-draft-done", board=True)

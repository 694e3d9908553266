"""The connections and self-service pages: paging and filters in "who can help me with X", LIKE wildcards
taken literally, "introduce us" from both sides with the mails in the outbox, and a member's own switches
(named in reports, introduction frequency, calendar address), an admin's circle roles, API token use."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import select

from tests.web import factories
from werkkring.actions.accounts import create_api_token
from werkkring.actions.permissions import SYSTEM
from werkkring.config import Settings
from werkkring.store import Database
from werkkring.store.models import ApiToken, Introduction, Member, Membership


def _mails(settings: Settings) -> list[EmailMessage]:
    found = []
    for path in sorted(settings.outbox_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


def _text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


CONTEXTS = (
    "voor zzp'ers in de zorg",
    "in het onderwijs",
    "bij gemeenten",
    "voor jonge ondernemers",
    "in teams",
    "met de methode van Hendriksen",
    "online en op locatie",
    "voor leidinggevenden",
    "in het sociaal domein",
    "voor coaches",
    "in het Engels",
    "voor startende trainers",
    "in de techniek",
    "voor verpleegkundigen",
    "bij woningcorporaties",
    "voor huisartsen",
    "in de kunstsector",
    "voor ambtenaren",
    "in de bouw",
    "voor vrijwilligers",
)
OTHER_OFFERS = (
    "boekhouding voor kleine bedrijven",
    "fotografie van evenementen",
    "websites bouwen met WordPress",
    "subsidieaanvragen schrijven",
    "tuinontwerp en beplanting",
    "juridisch advies over contracten",
    "vertalen van Engels naar Nederlands",
    "yoga op de werkvloer",
    "social media voor ondernemers",
    "fietsreparatie aan huis",
    "presentatietraining",
    "data-analyse met Python",
    "loopbaancoaching",
    "illustraties en infographics",
    "mediation bij conflicten",
    "belastingaangifte voor zzp",
    "podcasts opnemen en monteren",
    "duurzaam verbouwen",
    "teksten redigeren",
    "Excel-training",
)


def _helpers(database: Database) -> dict[str, Any]:
    """A network where 21 members offer "intervisie begeleiden" (one offers exactly that, 20 in some
    context), among 20 who offer other things."""
    with database.transaction() as session:
        utrecht = factories.circle(session, "Utrecht")
        delft = factories.circle(session, "Delft")
        seeker = factories.member(session, "Sara Zoekt", circles=[utrecht])
        exact = factories.member(session, "Eva Exact", circles=[delft], offers="intervisie begeleiden")
        exact.language = "en"
        others = [
            factories.member(
                session,
                f"Helper {i:02d}",
                circles=[utrecht if i % 2 else delft],
                offers=f"intervisie begeleiden {context}\n{OTHER_OFFERS[(i + 7) % len(OTHER_OFFERS)]}",
            )
            for i, context in enumerate(CONTEXTS)
        ]
        for i, offer in enumerate(OTHER_OFFERS):
            factories.member(session, f"Ander {i:02d}", circles=[utrecht], offers=offer)
        in_delft = {exact.id, *(o.id for i, o in enumerate(others) if i % 2 == 0)}
        return {
            "seeker": seeker.email,
            "exact": exact.id,
            "all": {exact.id, *(o.id for o in others)},
            "delft": in_delft,
        }


def _found(page: str) -> list[int]:
    hits = page.split('<ol class="cards hits"')[1].split("</ol>")[0]
    return [int(i) for i in re.findall(r'<h3><a href="/members/(\d+)"', hits)]


def test_who_can_help_pages_through_every_match_and_filters(database: Database, app_for: Any) -> None:
    people = _helpers(database)
    browser = app_for(database)()
    browser.sign_in(people["seeker"])
    seen: list[int] = []
    url = "/connections?q=intervisie+begeleiden"
    pages = 0
    while url:
        page = browser.get(url).text
        found = _found(page)
        assert 1 <= len(found) <= 10
        seen += found
        pages += 1
        next_link = re.search(r'<a href="([^"]+)" rel="next">', page)
        url = next_link.group(1).replace("&amp;", "&") if next_link else ""
    # Every one of the 21 is reachable, each once, a page at a time; the exact offer comes first.
    assert pages >= 3 and len(seen) == len(set(seen)) and people["all"] <= set(seen)
    assert seen[0] == people["exact"]
    assert set(seen[:21]) == people["all"]  # those who offer it rank above those who merely come close

    query = {"q": "intervisie begeleiden", "circle": "delft"}
    in_delft = _found(browser.get("/connections", params=query).text)
    assert in_delft[0] == people["exact"] and set(in_delft) <= people["delft"] and len(in_delft) == 10
    second = _found(browser.get("/connections", params={**query, "page": 2}).text)
    assert set(second) <= people["delft"] and set(in_delft) | set(second) == people["delft"]
    english = _found(
        browser.get("/connections", params={"q": "intervisie begeleiden", "language": "en"}).text
    )
    assert english == [people["exact"]]

    # The query is kept whole in the box; one too long is refused with a message, not cut.
    long_query = "intervisie " * 20 + "begeleiden"
    page = browser.get("/connections", params={"q": long_query}).text
    assert f'value="{long_query}"' in page
    too_long = browser.get("/connections", params={"q": "x" * 501})
    assert too_long.status_code == 200 and "500" in too_long.text and "hits" not in too_long.text


def test_percent_and_underscore_in_a_search_are_the_characters_themselves(
    database: Database, app_for: Any
) -> None:
    with database.transaction() as session:
        viewer = factories.member(session, "Vera Kijkt")
        factories.member(session, "Honderd Procent", offers="100% inzet op duurzaamheid")
        factories.member(session, "Gewone Naam", offers="coaching")
        factories.member(session, "Onder Streep", offers="snake_case en python")
    browser = app_for(database)()
    browser.sign_in(viewer.email)
    for query, expected in (("%", "Honderd Procent"), ("_", "Onder Streep"), ("0%", "Honderd Procent")):
        page = browser.get("/members", params={"q": query}).text
        assert expected in page, query
        assert "Gewone Naam" not in page and "Vera Kijkt" not in page.split("<main")[1].split("</h1>")[1]
    offers = browser.get("/members", params={"offers": "_"}).text
    assert "Onder Streep" in offers and "Gewone Naam" not in offers


def test_introduce_us_from_a_profile_both_say_yes_and_both_get_the_mail(
    database: Database, app_for: Any, web_settings: Settings
) -> None:
    with database.transaction() as session:
        circle = factories.circle(session, "Utrecht")
        asker = factories.member(session, "Anna Vraagt", circles=[circle], offers="boekhouding voor zzp")
        asker.needs = "een sparringpartner voor mijn strategie"
        asked = factories.member(session, "Bram Antwoordt", circles=[circle], offers="strategie en visie")
        hidden = "geheim aanbod dat niemand mag zien"
        asked.needs = hidden
        asked.visibility = {"needs": "private"}
        ids = (asker.id, asked.id)
    anna, bram = app_for(database)(), app_for(database)()
    anna.sign_in(asker.email)
    bram.sign_in(asked.email)

    profile = anna.get(f"/members/{ids[1]}").text
    assert "Stel ons voor" in profile
    response = anna.post("/connections/introduce", {"member_id": ids[1], "next": f"/members/{ids[1]}"})
    assert response.status_code == 303 and response.headers["location"] == f"/members/{ids[1]}"
    assert "wacht op het antwoord" in anna.get(f"/members/{ids[1]}").text
    (request,) = _mails(web_settings)
    assert request["To"] == asked.email and "Anna Vraagt" in request["Subject"]
    assert "boekhouding voor zzp" in _text(request) and "/connections" in _text(request)

    page = bram.get("/connections").text
    mine = page.split('id="introductions"')[1]
    assert "Anna Vraagt" in mine and "wil je graag ontmoeten" in mine
    with database.reader() as session:
        introduction = session.scalar(select(Introduction))
        assert introduction is not None
    answered = bram.post(f"/connections/introductions/{introduction.id}", {"answer": "yes"})
    assert answered.status_code == 303
    assert "Jullie hebben allebei ja gezegd" in bram.get("/connections").text

    made = _mails(web_settings)[1:]
    assert sorted(m["To"] for m in made) == sorted([asker.email, asked.email])
    to_anna = next(m for m in made if m["To"] == asker.email)
    to_bram = next(m for m in made if m["To"] == asked.email)
    assert "strategie en visie" in _text(to_anna) and asked.email in _text(to_anna)
    assert hidden not in _text(to_anna)  # Bram keeps his needs to himself
    assert "een sparringpartner voor mijn strategie" in _text(to_bram) and asker.email in _text(to_bram)
    # Recorded: the pair is out of each other's suggestions; both pages say they are introduced.
    assert "voorgesteld: jullie zeiden allebei ja" in anna.get("/connections").text
    assert "Stel ons voor" not in anna.get(f"/members/{ids[1]}").text


def test_a_member_switches_report_naming_frequency_and_gets_a_list_of_interests(
    database: Database, app_for: Any
) -> None:
    with database.transaction() as session:
        me = factories.member(session, "Mila Zelf")
        me.interests = "gezondheid;zingeving"
    browser = app_for(database)()
    browser.sign_in(me.email)
    page = browser.get("/me/edit").text
    assert "gezondheid\nzingeving</textarea>" in page
    assert 'name="named_in_reports"' in page and 'name="intro_frequency"' in page
    form = {"name": "Mila Zelf", "interests": "gezondheid\nzingeving", "country": "NL"}
    browser.post("/me/edit", {**form, "named_in_reports": "on", "intro_frequency": "4"})
    with database.reader() as session:
        stored = session.get(Member, me.id)
        assert stored is not None and stored.named_in_reports and stored.intro_frequency == 4
        assert stored.interests == "gezondheid\nzingeving"
    browser.post("/me/edit", {**form, "intro_frequency": "2"})
    with database.reader() as session:
        stored = session.get(Member, me.id)
        assert stored is not None and not stored.named_in_reports and stored.intro_frequency == 2

    # A bad country or frequency is named and nothing is stored.
    browser.post("/me/edit", {**form, "country": "XX", "region": "Nergens"})
    page = browser.get("/me/edit").text
    assert "XX" in page and "ISO 3166" in page
    browser.post("/me/edit", {**form, "intro_frequency": "3"})
    assert "3" in browser.get("/me/edit").text
    with database.reader() as session:
        stored = session.get(Member, me.id)
        assert stored is not None and stored.country == "NL" and stored.region != "Nergens"
        assert stored.intro_frequency == 2

    # A birth year that is no number is named too; it used to be stored as "no birth year" without a word.
    browser.post("/me/edit", {**form, "birth_year": "1984"})
    browser.post("/me/edit", {**form, "birth_year": "19x4", "city": "Zwolle"})
    page = browser.get("/me/edit").text
    assert "19x4" in page and "heel getal" in page
    with database.reader() as session:
        stored = session.get(Member, me.id)
        assert stored is not None and stored.birth_year == 1984 and stored.city != "Zwolle"


def test_a_leaked_calendar_address_is_replaced(database: Database, app_for: Any) -> None:
    with database.transaction() as session:
        me = factories.member(session, "Kees Kalender")
        me.feed_token = "oude-geheime-code"
    browser = app_for(database)()
    browser.sign_in(me.email)
    assert browser.client.get("/feeds/member/oude-geheime-code.ics").status_code == 200
    page = browser.get("/me/calendar").text
    assert "feeds/member/oude-geheime-code.ics" in page
    browser.post("/me/calendar/reset")
    page = browser.get("/me/calendar").text
    assert "oude-geheime-code" not in page and "nieuw adres" in page
    assert browser.client.get("/feeds/member/oude-geheime-code.ics").status_code == 404
    fresh = re.search(r"feeds/member/([^.]+)\.ics", page)
    assert fresh and browser.client.get(f"/feeds/member/{fresh.group(1)}.ics").status_code == 200


def test_an_admin_changes_a_circle_role_from_the_profile(database: Database, app_for: Any) -> None:
    with database.transaction() as session:
        circle = factories.circle(session, "Utrecht")
        admin = factories.member(session, "Ada Admin", role="admin")
        member = factories.member(session, "Henk Lid", circles=[circle])
        plain = factories.member(session, "Piet Gewoon")
        ids = (circle.id, member.id)
        key = (member.id, circle.id)
    browser = app_for(database)()
    browser.sign_in(admin.email)
    page = browser.get(f"/members/{ids[1]}").text
    assert "Rol per kring" in page
    browser.post(f"/admin/members/{ids[1]}/circle-role", {"circle_id": ids[0], "role": "host"})
    with database.reader() as session:
        membership = session.get(Membership, key)
        assert membership is not None and membership.role == "host"
    # Anyone else is refused.
    other = app_for(database)()
    other.sign_in(plain.email)
    other.get("/")
    refused = other.post(f"/admin/members/{ids[1]}/circle-role", {"circle_id": ids[0], "role": "member"})
    assert refused.status_code == 403
    with database.reader() as session:
        membership = session.get(Membership, key)
        assert membership is not None and membership.role == "host"


def test_using_an_api_token_stamps_it_at_most_once_a_minute(database: Database, app_for: Any) -> None:
    with database.transaction() as session:
        me = factories.member(session, "Tom Token")
        row, token = create_api_token(session, "script", actor=me)
        token_id = row.id
    client = app_for(database)().client
    auth = {"Authorization": f"Bearer {token}"}

    def used() -> dt.datetime | None:
        with database.reader() as session:
            found = session.get(ApiToken, token_id)
            assert found is not None
            return found.last_used_at

    assert used() is None
    assert client.get("/api/v1/me", headers=auth).status_code == 200
    first = used()
    assert first is not None
    client.get("/api/v1/me", headers=auth)
    assert used() == first  # within the minute: not written again
    with database.transaction() as session:
        found = session.get(ApiToken, token_id)
        assert found is not None
        found.last_used_at = first - dt.timedelta(minutes=2)
    client.get("/api/v1/me", headers=auth)
    later = used()
    assert later is not None and later >= first
    # The member sees it on the tokens page.
    page = app_for(database)()
    page.sign_in(me.email)
    assert "Laatst gebruikt" in page.get("/me/tokens").text and "nooit" not in page.get("/me/tokens").text


def test_the_mailing_page_names_who_agreed_to_post_without_a_complete_address(
    database: Database, app_for: Any
) -> None:
    with database.transaction() as session:
        admin = factories.member(session, "Ada Admin", role="admin")
        full = factories.member(session, "Volle Adres")
        full.postal_consent, full.street, full.postal_code, full.city = True, "Laan 1", "3511 AA", "Utrecht"
        nostreet = factories.member(session, "Geen Straat")
        nostreet.postal_consent, nostreet.postal_code, nostreet.city = True, "3511 AB", "Utrecht"
        factories.member(session, "Geen Post")
        plain = factories.member(session, "Piet Gewoon")
    browser = app_for(database)()
    browser.sign_in(admin.email)
    page = browser.get("/admin/mailing").text
    assert "1 adres op de lijst." in page
    incomplete = page.split("Post goed, maar het adres is niet compleet")[1]
    assert "Geen Straat" in incomplete and "Straat en huisnummer" in incomplete
    assert "Volle Adres" not in incomplete and "Geen Post" not in incomplete
    assert f'href="/members/{nostreet.id}"' in incomplete
    other = app_for(database)()
    other.sign_in(plain.email)
    assert other.get("/admin/mailing").status_code == 403


def test_a_profile_of_someone_who_opted_out_offers_no_introduction(database: Database, app_for: Any) -> None:
    with database.transaction() as session:
        me = factories.member(session, "Mia Vraagt")
        quiet = factories.member(session, "Stille Wim")
        quiet.intro_opt_in = False
    browser = app_for(database)()
    browser.sign_in(me.email)
    page = browser.get(f"/members/{quiet.id}").text
    assert "Wil nu geen kennismakingen." in page and 'action="/connections/introduce"' not in page
    refused = browser.post("/connections/introduce", {"member_id": quiet.id, "next": f"/members/{quiet.id}"})
    assert refused.status_code == 303
    assert "Stille Wim wil nu geen kennismakingen" in browser.get(f"/members/{quiet.id}").text
    with database.reader() as session:
        assert session.scalar(select(Introduction)) is None


def test_imported_members_are_found_at_the_next_look_without_a_refit(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from werkkring.actions.members import import_members
    from werkkring.io.members_csv import MemberRow
    from werkkring.queries import connections

    people = _helpers(database)
    with database.reader() as session:
        seeker = session.scalar(select(Member).where(Member.email == people["seeker"]))
        assert seeker is not None
    with database.reader() as session:
        me = session.get(Member, seeker.id)
        assert me is not None
        assert "keramiek" not in str(connections.search(session, me, "pottenbakken"))
    with database.transaction() as session:
        rows = [
            MemberRow(line=2, name="Piet Pot", email="piet@example.org", offers="pottenbakken en keramiek")
        ]
        import_members(session, rows, actor=SYSTEM)
    monkeypatch.setattr(connections, "POLL_SECONDS", 0.0)
    refits: list[object] = []
    monkeypatch.setattr(connections, "_refit", lambda session: refits.append(session))
    with database.reader() as session:
        me = session.get(Member, seeker.id)
        assert me is not None
        found = connections.search(session, me, "pottenbakken")
    with database.reader() as session:
        piet = session.scalar(select(Member).where(Member.email == "piet@example.org"))
    assert piet is not None and found[0].member_id == piet.id and refits == []

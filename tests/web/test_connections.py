from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.web import factories
from werkkring.queries import connections
from werkkring.store import Database
from werkkring.store.models import Member


def _by_email(session: Session, email: str) -> Member:
    member = session.scalar(select(Member).where(Member.email == email))
    assert member is not None
    return member


def _network(database: Database) -> dict[str, Any]:
    with database.transaction() as session:
        utrecht = factories.circle(session, "Utrecht")
        seeker = factories.member(session, "Sara Zoekt", circles=[utrecht])
        seeker.needs = "hulp bij mijn boekhouding en belastingaangifte"
        helper = factories.member(
            session, "Bob Boekhouder", circles=[utrecht], offers="boekhouding en belastingaangifte voor zzp"
        )
        hidden = factories.member(
            session,
            "Hanna Verborgen",
            circles=[utrecht],
            offers="boekhouding en belastingaangifte, jarenlange ervaring",
            visibility={"offers": "circles"},
        )
        factories.member(session, "Fenna Fiets", circles=[utrecht], offers="fietsreparatie aan huis")
        return {"seeker": seeker.email, "helper": helper.id, "hidden": hidden.id}


def test_the_connections_page_finds_who_can_help_and_suggests_introductions(
    database: Database, app_for: Any
) -> None:
    people = _network(database)
    browser = app_for(database)()
    browser.sign_in(people["seeker"])
    response = browser.get("/connections", params={"q": "boekhouding"})
    assert response.status_code == 200
    # The page's sections: the search, the suggested introductions, my introductions.
    _, found, suggested, _ = response.text.split("<section")
    assert "Bob Boekhouder" in found and "Bob Boekhouder" in suggested
    assert "Hanna Verborgen" not in response.text  # shows her offers to her circles only
    # The reason is phrased in the member's language from the engine's pieces, not the engine's English.
    assert "Jouw vraag “hulp bij mijn boekhouding en belastingaangifte” sluit aan bij" in suggested
    assert "Your need" not in suggested


def test_suggestions_and_search_use_only_what_members_show_to_the_network(database: Database) -> None:
    people = _network(database)
    with database.reader() as session:
        seeker = _by_email(session, people["seeker"])
        suggested = connections.suggestions(session, seeker, top=3)
        assert suggested and suggested[0].member_id == people["helper"] and suggested[0].match.why
        assert people["hidden"] not in {s.member_id for s in suggested}
        hits = connections.search(session, seeker, "belastingaangifte", top=5)
        assert hits and hits[0].member_id == people["helper"]
        assert people["hidden"] not in {h.member_id for h in hits}


def test_own_needs_kept_to_circles_still_count_and_edits_show_at_once(database: Database) -> None:
    people = _network(database)

    with database.transaction() as session:
        seeker = _by_email(session, people["seeker"])
        seeker.visibility = {"needs": "circles"}
        seeker.offers = "fietsreparatie leren"
        fenna = session.scalar(select(Member).where(Member.name == "Fenna Fiets"))
        assert fenna is not None
        fenna.needs = "iemand die mij fietsreparatie wil leren"
    with database.reader() as session:
        seeker = _by_email(session, people["seeker"])
        first = connections.suggestions(session, seeker, top=3)
        # Her need is not shown to the network, yet her own suggestions use it.
        assert first[0].member_id == people["helper"]
        assert "boekhouding" in first[0].match.need
        # Both-ways gain reaches the page's action: Fenna needs what Sara offers.
        fenna_row = next(s for s in first if s.member_id != people["helper"])
        assert fenna_row.match.reciprocal
    with database.transaction() as session:
        seeker = _by_email(session, people["seeker"])
        seeker.needs = "iemand die mijn fiets repareert"
    with database.reader() as session:
        seeker = _by_email(session, people["seeker"])
        again = connections.suggestions(session, seeker, top=3)
        # The fitted network is reused (minutes), but her own edit counts at once.
        assert again[0].member_id != people["helper"]
        assert "fiets" in again[0].match.need


def test_keep_fitted_fits_before_the_first_request(database: Database, monkeypatch: Any) -> None:
    people = _network(database)
    connections.keep_fitted(database, forever=False)

    def no_fit_in_a_request(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a request had to fit the network")

    monkeypatch.setattr(connections, "Matcher", no_fit_in_a_request)
    monkeypatch.setattr(connections, "SearchIndex", no_fit_in_a_request)

    with database.reader() as session:
        seeker = _by_email(session, people["seeker"])
        assert connections.suggestions(session, seeker, top=3)[0].member_id == people["helper"]
        assert connections.search(session, seeker, "boekhouding", top=3)[0].member_id == people["helper"]


def test_keep_fitted_survives_a_failing_fit(database: Database, monkeypatch: Any, caplog: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("out of memory")

    monkeypatch.setattr(connections, "Matcher", broken)
    connections.keep_fitted(database, forever=False)  # logs, does not raise
    assert "fitting the network for the connections pages failed" in caplog.text

"""The connections index is never older than the profiles it serves (issue 12.4a) and takes edits from the
change feed within seconds, whichever process made them (issue 16), without a refit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pytest
from sqlalchemy import select

from tests.web import factories
from werkkring.actions import connections
from werkkring.store import Database
from werkkring.store.models import Member


def _network(database: Database) -> dict[str, int]:
    with database.transaction() as session:
        seeker = factories.member(session, "Sara Zoekt")
        seeker.needs = "hulp bij mijn boekhouding en belastingaangifte"
        helper = factories.member(
            session, "Bob Boekhouder", offers="boekhouding en belastingaangifte voor zzp"
        )
        factories.member(session, "Fenna Fiets", offers="fietsreparatie aan huis")
        factories.member(session, "Piet Pot", offers="keramiek en draaien op de schijf")
        return {"seeker": seeker.id, "helper": helper.id}


def _ask(database: Database, seeker_id: int) -> tuple[list[int], list[int]]:
    with database.reader() as session:
        seeker = session.get(Member, seeker_id)
        assert seeker is not None
        suggested = [s.member_id for s in connections.suggestions(session, seeker, top=5)]
        found = [h.member_id for h in connections.search(session, seeker, "boekhouding", top=5)]
        return suggested, found


@pytest.mark.parametrize("hide", [{"offers": "private"}, {"offers": "circles"}, "opt_out", "delete"])
def test_a_hidden_offer_is_not_served_from_the_fitted_index_a_moment_later(
    database: Database, hide: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = _network(database)
    monkeypatch.setattr(connections, "POLL_SECONDS", 3600.0)  # the index will not look at the change feed
    suggested, found = _ask(database, people["seeker"])
    assert suggested[0] == people["helper"] and found[0] == people["helper"]
    with database.transaction() as session:
        helper = session.get(Member, people["helper"])
        assert helper is not None
        if hide == "opt_out":
            helper.intro_opt_in = False
        elif hide == "delete":
            session.delete(helper)
        else:
            helper.visibility = hide
    suggested, found = _ask(database, people["seeker"])
    assert people["helper"] not in suggested and people["helper"] not in found


def test_an_edited_offer_is_not_served_in_its_old_words(database: Database, monkeypatch: Any) -> None:
    people = _network(database)
    monkeypatch.setattr(connections, "POLL_SECONDS", 3600.0)
    assert _ask(database, people["seeker"])[1][0] == people["helper"]
    with database.transaction() as session:
        helper = session.get(Member, people["helper"])
        assert helper is not None
        helper.offers = "tuinontwerp"
    suggested, found = _ask(database, people["seeker"])
    assert people["helper"] not in found and people["helper"] not in suggested


def test_edits_from_another_process_arrive_through_the_change_feed_without_a_refit(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = _network(database)
    _ask(database, people["seeker"])  # fitted now

    def no_refit(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the network was fitted again")

    monkeypatch.setattr(connections, "Matcher", no_refit)
    monkeypatch.setattr(connections, "SearchIndex", no_refit)
    monkeypatch.setattr(connections, "POLL_SECONDS", 0.0)
    # Another web worker: a separate Python process changes one profile and adds a member.
    script = textwrap.dedent(
        f"""
        from werkkring.store import Database
        from werkkring.store.models import Member
        database = Database({database.url!r})
        with database.transaction() as session:
            piet = session.query(Member).filter_by(name="Piet Pot").one()
            piet.offers = "boekhouding, jaarrekening en belastingaangifte"
            offers = "who does bookkeeping? I do"
            session.add(Member(name="Nina Nieuw", email="nina@example.org", offers=offers))
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    with database.reader() as session:
        piet = session.scalar(select(Member.id).where(Member.name == "Piet Pot"))
        nina = session.scalar(select(Member.id).where(Member.name == "Nina Nieuw"))
    suggested, found = _ask(database, people["seeker"])
    assert piet in found and piet in suggested
    with database.reader() as session:
        seeker = session.get(Member, people["seeker"])
        assert seeker is not None
        english = [h.member_id for h in connections.search(session, seeker, "bookkeeping", top=10)]
    assert nina in english


def test_many_changes_are_refitted_in_the_background_loop(database: Database, monkeypatch: Any) -> None:
    people = _network(database)
    connections.keep_fitted(database, forever=False)
    monkeypatch.setattr(connections, "POLL_SECONDS", 0.0)
    with database.transaction() as session:
        for member in session.scalars(select(Member)):
            member.offers = (member.offers or "") + "\nmentoring"
    _ask(database, people["seeker"])  # the change feed: every member changed
    fits: list[int] = []
    real = connections._fit
    monkeypatch.setattr(connections, "_fit", lambda session: fits.append(1) or real(session))
    connections.keep_fitted(database, forever=False)
    assert fits == [1]

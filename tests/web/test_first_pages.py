from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from werkkring.demo import DEMO_MEMBER_EMAIL, DEMO_PASSWORD, build_demo_network
from werkkring.store import Database
from werkkring.store.models import Member


def test_home_and_directory_show_the_network_but_not_private_fields(
    sqlite_database: Database, app_for: Any
) -> None:
    with sqlite_database.transaction() as session:
        build_demo_network(session, members=40, seed=3, today=dt.date(2026, 11, 29))
        secret = session.scalars(select(Member).order_by(Member.id)).all()[5]
        secret.offers = "geheime vaardigheid"
        secret.visibility = {"offers": "private"}
        name = secret.name
    browser = app_for(sqlite_database)()
    home = browser.get("/")
    assert home.status_code == 200 and "40</strong> leden" in home.text
    assert browser.get("/members", follow_redirects=False).status_code == 303
    browser.sign_in(DEMO_MEMBER_EMAIL, DEMO_PASSWORD)
    page = browser.get("/members", params={"q": name})
    assert page.status_code == 200 and name in page.text
    assert "geheime vaardigheid" not in page.text
    found = browser.get("/members", params={"q": "geheime"})
    assert name not in found.text
    for path in (
        "/circles",
        "/sessions",
        "/initiatives",
        "/connections",
        "/helix",
        "/helix/network",
        "/me/edit",
    ):
        assert browser.get(path).status_code == 200, path

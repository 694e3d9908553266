from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select

from werkkring.demo import build_demo_network
from werkkring.store import Database
from werkkring.store.models import Member
from werkkring.web.app import create_app


def test_home_and_directory_show_the_network_but_not_private_fields(sqlite_database: Database) -> None:
    with sqlite_database.transaction() as session:
        build_demo_network(session, members=40, seed=3, today=dt.date(2026, 11, 29))
        secret = session.scalars(select(Member).order_by(Member.id)).all()[5]
        secret.offers = "geheime vaardigheid"
        secret.visibility = {"offers": "private"}
        name = secret.name
    client = TestClient(create_app(sqlite_database))
    home = client.get("/")
    assert home.status_code == 200 and "40</strong> leden" in home.text
    page = client.get("/members", params={"q": name})
    assert page.status_code == 200 and name in page.text
    assert "geheime vaardigheid" not in page.text
    found = client.get("/members", params={"q": "geheime"})
    assert name not in found.text

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from tests.web import factories
from werkkring.store import Database


def test_my_helix_chart_shows_my_share_and_the_network_shows_only_aggregates(
    sqlite_database: Database, app_for: Any
) -> None:
    with sqlite_database.transaction() as session:
        people = [factories.member(session, f"Lid {i}") for i in range(6)]
        emails = [p.email for p in people]
    browser = app_for(sqlite_database)
    first = browser()
    first.sign_in(emails[0])
    first.get("/helix")
    today = dt.date.today()
    # 40 hours a week: 8 hours of society work is about 4-5 % of this month's working time.
    entry_form = {"helix": "society", "hours": "8", "date": today.isoformat(), "note": "geheim"}
    logged = first.post("/helix", entry_form)
    assert logged.status_code == 303
    page = first.get("/helix").text
    assert 'role="img"' in page and "<title" in page and "<desc" in page
    month_row = re.findall(r"<tr><th scope=\"row\">[^<]+</th>(.*?)</tr>", page)[-1]
    shares = [float(v.replace(",", ".")) for v in re.findall(r"<td>([\d,.]+)\s*%</td>", month_row)]
    assert shares[0] == 0 and 3 <= shares[1] <= 6 and shares[2] == 0 and shares[3] == shares[1]

    # One member logged: the network dashboard hides the month, and never shows anyone's note.
    network = first.get("/helix/network").text
    assert "te weinig leden" in network and "geheim" not in network
    for email in emails[1:5]:
        other = browser()
        other.sign_in(email)
        other.get("/helix")
        other.post("/helix", {"helix": "private", "hours": "4", "date": today.isoformat()})
    network = first.get("/helix/network").text
    assert network.count("te weinig leden") < 6 and "geheim" not in network

    # Someone else cannot remove my entry.
    other = browser()
    other.sign_in(emails[5])
    other.get("/helix")
    entry = re.search(r'href="/helix/(\d+)/delete"', page)
    assert entry is not None
    assert other.get(f"/helix/{entry.group(1)}/delete").status_code == 403
    assert other.post(f"/helix/{entry.group(1)}/delete", {"confirm": "yes"}).status_code == 403

    # Removing asks first: the link leads to a confirmation; a post without it removes nothing.
    unconfirmed = first.post(f"/helix/{entry.group(1)}/delete")
    assert unconfirmed.headers["location"] == f"/helix/{entry.group(1)}/delete"
    confirm = first.get(f"/helix/{entry.group(1)}/delete").text
    assert "Deze regel verwijderen?" in confirm and 'name="confirm" value="yes"' in confirm
    assert f'href="/helix/{entry.group(1)}/delete"' in first.get("/helix").text
    first.post(f"/helix/{entry.group(1)}/delete", {"confirm": "yes"})
    assert f'href="/helix/{entry.group(1)}/delete"' not in first.get("/helix").text

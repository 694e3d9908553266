"""Sign-in links, password resets and invitations are rate-limited per address and per client; the counters
live in the database (or Redis), so every web process sees the same ones."""

from __future__ import annotations

import re
import uuid
from typing import Any, Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from tests.web import factories
from tests.web.helpers import PASSWORD, outbox_links
from werkkring.actions import accounts
from werkkring.config import Settings
from werkkring.store import Database
from werkkring.store.models import AuditEntry
from werkkring.web.ratelimit import Limit, RateLimiter, RedisCounters, counters_for


def test_links_per_address_are_limited_whether_or_not_it_is_a_member(
    database: Database, app_for: Any, web_settings: Settings
) -> None:
    with database.transaction() as session:
        factories.member(session, "Bert Lid")
    browser = app_for(database)()
    for address in ("bert.lid@example.org", "nobody@example.org"):
        answers = [browser.post("/signin/link", {"email": address}).status_code for _ in range(4)]
        assert answers == [303, 303, 303, 429], address
    assert len(outbox_links(web_settings)) == 3  # three links for the member; the fourth asked for none
    # A password reset for the same address counts towards the same limit.
    refused = browser.post("/password/forgot", {"email": "BERT.lid@example.org"})
    assert refused.status_code == 429
    assert "<h1>Te veel pogingen</h1>" in refused.text and "Wacht een kwartier" in refused.text


def test_links_per_client_are_limited(database: Database, app_for: Any) -> None:
    browser = app_for(database)()
    answers = [browser.post("/signin/link", {"email": f"p{i}@example.org"}).status_code for i in range(11)]
    assert answers == [303] * 10 + [429]


def test_two_apps_on_one_database_share_the_failed_password_limit(database: Database, app_for: Any) -> None:
    """Two web processes are two apps around the same database: five failures spread over them block."""
    with database.transaction() as session:
        factories.member(session, "Bert Lid")
    first, second = app_for(database)(), app_for(database)()
    for attempt in range(5):
        browser = first if attempt % 2 else second
        browser.post("/signin", {"email": "bert.lid@example.org", "password": "wrong"})
    assert first.post("/signin", {"email": "bert.lid@example.org", "password": "x"}).status_code == 429
    assert second.post("/signin", {"email": "bert.lid@example.org", "password": "x"}).status_code == 429


@pytest.mark.parametrize("store", ["database", "redis"])
def test_the_sliding_window_counts_the_previous_window_in_part(sqlite_database: Database, store: str) -> None:
    now = [1000.0 * 60]
    if store == "redis":
        counters: Any = RedisCounters(
            "redis://127.0.0.1:6379/0", prefix=f"werkkring-test:{uuid.uuid4().hex}:"
        )
        try:
            counters.redis.ping()
        except Exception:
            pytest.skip("Redis is not reachable")
    else:
        counters = counters_for(sqlite_database, None)
    limiter = RateLimiter(counters, clock=lambda: now[0])
    limit = Limit(3, 60)
    assert [limiter.hit("k", limit) for _ in range(4)] == [True, True, True, False]
    now[0] += 60 + 30  # half-way into the next window: half of the last window's 4 hits still count
    assert limiter.hit("k", limit) is True  # 1 + 4 * 0.5 = 3
    assert limiter.hit("k", limit) is False
    now[0] += 60 * 3
    assert limiter.hit("k", limit) is True
    limiter.clear("k", limit)
    assert not limiter.exceeded("k", limit)


def test_an_unknown_address_costs_one_password_check_like_a_known_one(
    database: Database, app_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer's time must not tell who is a member: both paths verify one argon2 hash."""
    with database.transaction() as session:
        factories.member(session, "Bert Lid")
    calls: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            calls.append(str(hash)[:10])
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "_hasher", Counting(time_cost=1, memory_cost=1024, parallelism=1))
    browser = app_for(database)()
    browser.post("/signin", {"email": "bert.lid@example.org", "password": "wrong"})
    known = len(calls)
    browser.post("/signin", {"email": "nobody@example.org", "password": "wrong"})
    assert known == 1 and len(calls) == 2


def test_a_lock_out_says_until_when_and_another_admin_lifts_it(database: Database, app_for: Any) -> None:
    with database.transaction() as session:
        factories.member(session, "Bert Lid", role="admin")
        factories.member(session, "Anna Beheer", role="admin")
    locked, other = app_for(database)(), app_for(database)()
    for _ in range(5):
        locked.post("/signin", {"email": "bert.lid@example.org", "password": "wrong"})
    refused = locked.post("/signin", {"email": "bert.lid@example.org", "password": PASSWORD})
    assert refused.status_code == 429
    assert re.search(r"vanaf \d\d:\d\d|from \d\d:\d\d", refused.text), refused.text
    other.sign_in("anna.beheer@example.org")
    other.get("/admin/members")
    lifted = other.post("/admin/unlock", {"email": "bert.lid@example.org"})
    assert lifted.status_code == 303
    assert locked.post("/signin", {"email": "bert.lid@example.org", "password": PASSWORD}).status_code == 303
    with database.reader() as session:
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "account.unlock")) is not None
    unknown = other.post("/admin/unlock", {"email": "niemand@example.org"})
    assert unknown.status_code == 303  # back to the form, with the reason in the flash


def test_invitations_to_one_address_are_limited(database: Database, app_for: Any) -> None:
    with database.transaction() as session:
        factories.member(session, "Anna Beheer", role="admin")
    admin = app_for(database)()
    admin.sign_in("anna.beheer@example.org")
    admin.get("/admin/members")
    codes = [
        admin.post("/admin/members", {"name": "Nieuw Lid", "email": "nieuw@example.org"}).status_code
        for _ in range(5)
    ]
    assert codes[-1] == 429

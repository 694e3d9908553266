from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from tests.web import factories
from tests.web.helpers import PASSWORD, outbox_links
from werkkring.config import Settings
from werkkring.errors import NotFoundError
from werkkring.outreach import read_unsubscribe_token, unsubscribe_token
from werkkring.outreach._newsletter import SALT
from werkkring.store import Database
from werkkring.store.keys import kept_key, site_secret
from werkkring.store.models import AuditEntry, Member, SiteKey
from werkkring.web.app import SESSION_COOKIE, create_app


def _people(database: Database) -> None:
    with database.transaction() as session:
        factories.member(session, "Anna Admin", role="admin")
        factories.member(session, "Bert Lid")


def test_password_sign_in_sets_a_signed_http_only_cookie_and_sign_out_ends_it(
    database: Database, app_for: Any
) -> None:
    _people(database)
    browser = app_for(database)()
    assert browser.get("/members", follow_redirects=False).status_code == 303
    response = browser.sign_in("bert.lid@example.org")
    cookie = response.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "Bert Lid" in browser.get("/members").text
    browser.post("/signout")
    assert browser.get("/members", follow_redirects=False).status_code == 303


def test_a_wrong_password_is_refused_and_sign_in_is_rate_limited(database: Database, app_for: Any) -> None:
    _people(database)
    browser = app_for(database)()
    browser.get("/signin")
    for _ in range(5):
        response = browser.post("/signin", {"email": "bert.lid@example.org", "password": "wrong-password"})
        assert response.headers["location"].startswith("/signin")
    # The sixth attempt is refused even with the right password.
    blocked = browser.post("/signin", {"email": "bert.lid@example.org", "password": PASSWORD})
    assert blocked.status_code == 429
    # Another account from the same client is not blocked yet.
    browser.sign_in("anna.admin@example.org")


def test_a_form_without_a_valid_csrf_token_is_refused(database: Database, app_for: Any) -> None:
    _people(database)
    browser = app_for(database)()
    browser.sign_in("bert.lid@example.org")
    for data in ({}, {"csrf_token": "forged"}):
        response = browser.post("/helix", {"helix": "society", "hours": "2", **data}, csrf=False)
        assert response.status_code == 403
    # A token of another browser's session does not work either.
    other = app_for(database)()
    other.get("/signin")
    response = browser.post(
        "/helix", {"helix": "society", "hours": "2", "csrf_token": other.token}, csrf=False
    )
    assert response.status_code == 403
    assert browser.post("/helix", {"helix": "society", "hours": "2"}).status_code == 303


def test_a_one_time_sign_in_link_works_once(database: Database, app_for: Any, web_settings: Settings) -> None:
    _people(database)
    browser = app_for(database)()
    browser.get("/signin")
    browser.post("/signin/link", {"email": "nobody@example.org"})
    assert outbox_links(web_settings) == []
    browser.post("/signin/link", {"email": "Bert.Lid@example.org"})
    (link,) = outbox_links(web_settings)
    path = "/" + link.split("/", 3)[3]
    page = browser.get(path)
    assert page.status_code == 200 and 'method="post"' in page.text
    assert browser.post(path).headers["location"] == "/"
    assert "Bert Lid" in browser.get("/members").text
    again = app_for(database)()
    again.get(path)
    assert again.post(path).status_code == 403


def test_password_reset_and_invitation_set_a_password(
    database: Database, app_for: Any, web_settings: Settings
) -> None:
    _people(database)
    admin = app_for(database)()
    admin.sign_in("anna.admin@example.org")
    admin.get("/admin/members")
    response = admin.post("/admin/members", {"name": "Chris Nieuw", "email": "chris@example.org"})
    assert response.status_code == 303
    (invite,) = outbox_links(web_settings)
    newcomer = app_for(database)()
    path = "/" + invite.split("/", 3)[3]
    newcomer.get(path)
    newcomer.post(path, {"password": "short", "repeat": "short"})
    newcomer.post(path, {"password": "chris-password-1", "repeat": "chris-password-1"})
    assert "Chris Nieuw" in newcomer.get("/members").text
    newcomer.sign_in("chris@example.org", "chris-password-1")

    # Reset: the old password stops working, the new one works, and other browsers are signed out.
    newcomer.post("/password/forgot", {"email": "chris@example.org"})
    reset = "/" + outbox_links(web_settings)[-1].split("/", 3)[3]
    third = app_for(database)()
    third.get(reset)
    done = third.post(reset, {"password": "chris-password-2", "repeat": "chris-password-2"})
    assert done.headers["location"] == "/"
    assert newcomer.get("/members", follow_redirects=False).status_code == 303
    fresh = app_for(database)()
    fresh.get("/signin")
    bad = fresh.post("/signin", {"email": "chris@example.org", "password": "chris-password-1"})
    assert bad.headers["location"].startswith("/signin")
    fresh.sign_in("chris@example.org", "chris-password-2")


def test_only_an_admin_invites(database: Database, app_for: Any) -> None:
    _people(database)
    member = app_for(database)()
    member.sign_in("bert.lid@example.org")
    assert member.get("/admin/members").status_code == 403
    member.get("/members")
    assert member.post("/admin/members", {"name": "X", "email": "x@example.org"}).status_code == 403
    with database.reader() as session:
        assert session.scalar(select(Member).where(Member.email == "x@example.org")) is None


def test_without_a_configured_key_one_secret_is_generated_and_kept_in_the_database(
    database: Database, tmp_path: Path
) -> None:
    """No constant key anywhere: the first start generates one, every later start (and every other worker,
    the job runner and the CLI) reads the same one, and an unsubscribe token signed by one is valid in all."""
    settings = Settings.from_env(
        {
            "WERKKRING_DATABASE_URL": database.url,
            "WERKKRING_OUTBOX": str(tmp_path / "outbox"),
            "WERKKRING_JOBS_URL": "immediate",
        }
    )
    create_app(database, settings)
    with database.reader() as session:
        (key,) = session.scalars(select(SiteKey.value)).all()
    assert len(key) >= 48 and key not in {"werkkring-outbox-only-not-secret", ""}
    create_app(database, settings)
    assert site_secret(settings, database) == key == site_secret(settings)
    token = unsubscribe_token(7, settings)
    assert read_unsubscribe_token(token, settings) == 7
    forged = URLSafeSerializer("werkkring-outbox-only-not-secret", salt=SALT).dumps(7)
    with pytest.raises(NotFoundError):
        read_unsubscribe_token(forged, settings)


def test_two_processes_generating_the_key_at_once_agree(database: Database) -> None:
    keys: list[str] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        barrier.wait()
        keys.append(kept_key(database))

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 4 and len(set(keys)) == 1


def test_delete_my_account_says_what_happens_and_keeps_contributions_anonymous(
    database: Database, app_for: Any
) -> None:
    _people(database)
    browser = app_for(database)()
    browser.sign_in("bert.lid@example.org")
    page = browser.get("/me/delete")
    assert re.search(r"zonder je naam|without your name", page.text)
    assert browser.post("/me/delete", {}).headers["location"] == "/me/delete"
    assert browser.post("/me/delete", {"confirm": "yes"}).headers["location"] == "/"
    with database.reader() as session:
        assert session.scalar(select(Member).where(Member.email == "bert.lid@example.org")) is None
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "member.delete")) is not None

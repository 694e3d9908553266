"""The headers of every answer: CSP without inline scripts, no-store on pages, one Referrer-Policy, HEAD."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from werkkring.store import Database
from werkkring.web.headers import CSP

TEMPLATES = Path(__file__).parents[2] / "src" / "werkkring" / "web" / "templates"


def test_pages_carry_the_policy_and_are_not_stored(database: Database, app_for: Any) -> None:
    browser = app_for(database)()
    for path in ("/", "/signin", "/no-such-page"):
        answer = browser.get(path)
        assert answer.headers["content-security-policy"] == CSP
        assert "script-src 'self';" in CSP and "unsafe-inline" not in CSP.split("script-src")[1].split(";")[0]
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers.get_list("referrer-policy") == ["same-origin"]
    static = browser.get("/static/style.css")
    assert static.status_code == 200 and static.headers.get("cache-control") != "no-store"


def test_a_route_with_its_own_referrer_policy_sends_only_that_one(database: Database, app_for: Any) -> None:
    browser = app_for(database)()
    answer = browser.get("/newsletter/unsubscribe/forged-token")
    assert answer.status_code == 404
    assert len(answer.headers.get_list("referrer-policy")) == 1


def test_head_is_answered_like_get_without_a_body(database: Database, app_for: Any) -> None:
    browser = app_for(database)()
    got = browser.get("/signin")
    head = browser.client.head("/signin")
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]


def test_no_template_runs_inline_script() -> None:
    """The policy forbids inline scripts, so none may exist: every <script> has a src, no on…= handlers."""
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, (template.name, tag)
        assert not re.search(r"\son[a-z]+=", text), template.name

"""Helpers for the web tests: a client that fills in forms with their CSRF token, sign-in, the outbox."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from werkkring.config import Settings

PASSWORD = "a-good-long-password"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class Browser:
    """A TestClient that reads the CSRF token from the last page, like a person filling in a form."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.token = ""

    def get(self, url: str, **kwargs: Any) -> Any:
        response = self.client.get(url, **kwargs)
        if 'name="csrf_token"' in response.text:
            self.token = csrf_of(response.text)
        return response

    def post(self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any) -> Any:
        if csrf and not self.token:
            self.get("/signin")
        payload = dict(data or {})
        if csrf:
            payload["csrf_token"] = self.token
        kwargs.setdefault("follow_redirects", False)
        return self.client.post(url, data=payload, **kwargs)

    def sign_in(self, email: str, password: str = PASSWORD) -> Any:
        self.get("/signin")
        response = self.post("/signin", {"email": email, "password": password})
        assert response.status_code == 303 and "/signin" not in response.headers["location"], response.text
        self.get("/")
        return response


def make_settings(tmp_path: Path, **extra: str) -> Settings:
    return Settings.from_env(
        {
            "WERKKRING_OUTBOX": str(tmp_path / "outbox"),
            "WERKKRING_SECRET_KEY": "test-secret",
            "WERKKRING_JOBS_URL": "immediate",
            **extra,
        }
    )


def outbox_links(settings: Settings) -> list[str]:
    links = []
    for path in sorted(settings.outbox_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        body = message.get_body(("plain",))
        assert body is not None
        links += re.findall(r"http://\S+", body.get_content())
    return links

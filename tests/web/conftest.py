"""Fixtures for the web tests: an app around a test database and browsers that keep their cookies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from tests.web.helpers import Browser, make_settings
from werkkring.actions import accounts
from werkkring.config import Settings
from werkkring.store import Database
from werkkring.web.app import create_app


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def app_for(web_settings: Settings) -> Iterator[Any]:
    clients: list[TestClient] = []

    def make(database: Database) -> Any:
        app = create_app(database, web_settings)

        def browser() -> Browser:
            client = TestClient(app)
            clients.append(client)
            return Browser(client)

        return browser

    yield make
    for client in clients:
        client.close()


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters in tests; verifying reads the parameters from each hash itself."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))

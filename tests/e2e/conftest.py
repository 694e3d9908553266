"""End-to-end tests in headless Chromium (Debian's package, driven by Playwright) against the real app served
by uvicorn in a thread on a free loopback port, on a temporary SQLite database."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from werkkring.actions import accounts
from werkkring.config import Settings
from werkkring.store import Database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    database: Database
    settings: Settings


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[LiveServer]:
    import uvicorn

    from werkkring.web.app import create_app

    folder = tmp_path_factory.mktemp("e2e")
    shutil.copy(sqlite_template, folder / "werkkring.db")
    database = Database(f"sqlite:///{folder / 'werkkring.db'}")
    port = _free_port()
    settings = Settings.from_env(
        {
            "WERKKRING_OUTBOX": str(folder / "outbox"),
            "WERKKRING_JOBS_URL": "immediate",
            "WERKKRING_SECRET_KEY": "e2e-secret",
            "WERKKRING_BASE_URL": f"http://127.0.0.1:{port}",
        }
    )
    # Cheap hashes keep twelve sign-ins quick; verifying reads the parameters from each hash.
    original = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    config = uvicorn.Config(
        create_app(database, settings), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", database, settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        accounts._hasher = original
        database.dispose()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs it with apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()

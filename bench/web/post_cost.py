"""What one hot room write costs the server, on its own: posts sent one after another straight into the ASGI
app in this process (no HTTP client, no uvicorn, no other request at the same time), on the short path
(``werkkring.web.lean``) and on the long path (FastAPI's router, as before the short path), alternating, so
the machine's load moves both alike. CPU is this process's user + system time per post (the event loop and
the thread pool together); it leaves out uvicorn's HTTP parsing (~0.2-0.3 ms) and what a burst adds (threads
taking turns, other requests' work).

    python bench/web/post_cost.py                      # SQLite and PostgreSQL, 100 posts per round
    python bench/web/post_cost.py --backends sqlite --posts 50
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import select

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

from run import PASSWORD, scratch_database  # noqa: E402

from werkkring import live  # noqa: E402
from werkkring.actions import accounts  # noqa: E402
from werkkring.actions import sessions as session_actions  # noqa: E402
from werkkring.actions import votes as vote_actions  # noqa: E402
from werkkring.config import Settings  # noqa: E402
from werkkring.queries.sessions import get_session  # noqa: E402
from werkkring.store import Database, upgrade  # noqa: E402
from werkkring.store.models import Contribution, Member  # noqa: E402
from werkkring.web import lean  # noqa: E402
from werkkring.web.app import create_app  # noqa: E402

TOKEN = re.compile(r'name="(csrf_token|token)" value="([^"]+)"')
PEOPLE = 20
ROUNDS = 6
"""Rounds per path and request, alternating short and long."""


def prepare(database: Database) -> tuple[int, str, list[str]]:
    """A host, a session with a join code and ``PEOPLE`` members with passwords (not yet signed up)."""
    digest = accounts.hash_password(PASSWORD)
    with database.transaction() as session:
        host = Member(name="Hanna Host", email="host@example.org", role="admin", visibility={}, language="nl")
        session.add(host)
        emails = [f"lid{i}@example.org" for i in range(PEOPLE)]
        for i, email in enumerate(emails):
            session.add(
                Member(name=f"Lid {i}", email=email, password_hash=digest, visibility={}, language="nl")
            )
        session.flush()
        work_session = session_actions.create_session(
            session,
            title="Burgertop",
            question="Wat moet er in onze stad als eerste veranderen?",
            starts_at=dt.datetime.now().replace(microsecond=0) + dt.timedelta(hours=1),
            capacity=PEOPLE + 10,
            group_size=5,
            actor=host,
        )
        assert work_session.join_code is not None
        return work_session.id, work_session.join_code, emails


def seat_everyone(database: Database, session_id: int, emails: list[str]) -> None:
    with database.transaction() as session:
        work_session = get_session(session, session_id)
        host = session.scalars(select(Member).where(Member.role == "admin")).one()
        for email in emails:
            member = session.scalars(select(Member).where(Member.email == email)).one()
            session_actions.register(session, work_session, actor=member)
        session_actions.form_groups(session, work_session, seed=1, actor=host)


class Poster:
    """Raw ASGI requests with one browser's cookie (a signed-in member or a guest)."""

    def __init__(self, app: Any, cookie: str, csrf: str) -> None:
        self.app, self.cookie, self.csrf = app, cookie, csrf

    async def post(self, path: str, fields: dict[str, str], accept: str = "text/html") -> int:
        body = urlencode({**fields, "csrf_token": self.csrf}).encode()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"bench"),
                (b"cookie", self.cookie.encode()),
                (b"accept", accept.encode()),
                (b"content-type", b"application/x-www-form-urlencoded"),
                (b"content-length", str(len(body)).encode()),
            ],
            "client": ("127.0.0.1", 1),
            "server": ("bench", 80),
        }
        sent = False
        status = 0

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])

        await self.app(scope, receive, send)
        return status


async def browsers(
    app: Any, session_id: int, code: str, emails: list[str], database: Database
) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://bench") as member,
        httpx.AsyncClient(transport=transport, base_url="http://bench") as guest,
        httpx.AsyncClient(transport=transport, base_url="http://bench") as host,
    ):
        page = await guest.get(f"/j/{code}")
        answer = await guest.post(f"/j/{code}", data={"name": "Gast Gerda", **dict(TOKEN.findall(page.text))})
        assert answer.status_code == 303, answer.text[:300]
        seat_everyone(database, session_id, emails)
        page = await member.get("/signin")
        fields = dict(TOKEN.findall(page.text))
        await member.post("/signin", data={"email": emails[0], "password": PASSWORD, **fields})
        page = await host.get("/signin")
        await host.post(
            "/signin",
            data={"email": "host@example.org", "password": PASSWORD, **dict(TOKEN.findall(page.text))},
        )
        member_csrf = dict(TOKEN.findall((await member.get(f"/sessions/{session_id}")).text))["csrf_token"]
        guest_csrf = dict(TOKEN.findall((await guest.get(f"/j/{code}")).text))["csrf_token"]

        def cookie(client: httpx.AsyncClient) -> str:
            return "; ".join(f"{k}={v}" for k, v in client.cookies.items())

        return {
            "member": Poster(app, cookie(member), member_csrf),
            "guest": Poster(app, cookie(guest), guest_csrf),
        }


async def measure(
    app: Any, posters: dict[str, Poster], session_id: int, code: str, posts: int
) -> dict[str, Any]:
    member, guest = posters["member"], posters["guest"]
    counter = iter(range(10**9))
    card: list[int] = []

    async def member_post() -> int:
        return await member.post(
            f"/sessions/{session_id}/contributions", {"text": f"Meer groen en fietspaden {next(counter)}"}
        )

    async def guest_post() -> int:
        return await guest.post(f"/j/{code}/contributions", {"text": f"Een vaste plek {next(counter)}"})

    down = [False]

    async def dot() -> int:
        back = "/back" if down[0] else ""
        down[0] = not down[0]
        return await member.post(
            f"/sessions/{session_id}/votes{back}", {"card": str(card[0])}, accept="application/json"
        )

    await member_post()
    database: Database = app.state.database
    with database.transaction() as session:
        card.append(int(session.scalars(select(Contribution.id).order_by(Contribution.id)).first() or 0))
        host = session.scalars(select(Member).where(Member.role == "admin")).one()
        vote_actions.open_voting(session, get_session(session, session_id), actor=host)
    kinds: dict[str, tuple[Callable[[], Awaitable[int]], int]] = {
        "member's contribution": (member_post, 303),
        "guest's contribution": (guest_post, 303),
        "dot down / back (JSON)": (dot, 200),
    }
    found: dict[str, Any] = {}
    for kind, (do, expected) in kinds.items():
        rounds: dict[str, list[float]] = {"short": [], "long": []}
        for _ in range(ROUNDS):
            for path, table in (("short", lean.HOT), ("long", ())):
                lean.HOT = table  # type: ignore[misc]
                for _ in range(20):  # warm
                    warm = await do()
                    assert warm == expected, (kind, path, warm)
                cpu = time.process_time()
                for _ in range(posts):
                    status = await do()
                    assert status == expected, status
                rounds[path].append((time.process_time() - cpu) * 1000 / posts)
        lean.HOT = TABLE  # type: ignore[misc]
        # The least a round cost: the other jobs on a shared machine only ever add to a round's CPU time.
        found[kind] = {path: min(values) for path, values in rounds.items()}
        found[kind].update({f"{path} median": statistics.median(values) for path, values in rounds.items()})
        print(kind, {p: [f"{v:.2f}" for v in vs] for p, vs in rounds.items()}, flush=True)
    return found


TABLE = lean.HOT


def run(backend: str, posts: int, folder: Path) -> dict[str, Any]:
    with scratch_database(backend, folder, "cost") as url:
        upgrade(url)
        database = Database(url)
        try:
            session_id, code, emails = prepare(database)
            settings = Settings.from_env(
                {
                    "WERKKRING_DATABASE_URL": url,
                    "WERKKRING_SECRET_KEY": "bench",
                    "WERKKRING_JOBS_URL": "immediate",
                    "WERKKRING_OUTBOX": str(folder / "outbox"),
                }
            )
            app = create_app(database, settings)
            logging.getLogger("werkkring.web").addHandler(logging.FileHandler(folder / "requests.log"))
            logging.getLogger("werkkring.web").setLevel(logging.INFO)  # one log line per post, as served
            posters = asyncio.run(browsers(app, session_id, code, emails, database))
            return asyncio.run(measure(app, posters, session_id, code, posts))
        finally:
            live._drain_notifiers()  # PostgreSQL: the last NOTIFYs out before the database is dropped
            database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--backends", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"]
    )
    parser.add_argument("--posts", type=int, default=100, help=f"posts per round ({ROUNDS} rounds per path)")
    args = parser.parse_args()
    accounts._hasher = accounts.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    lines = [
        f"Command: `python bench/web/post_cost.py --backends {' '.join(args.backends)} "
        f"--posts {args.posts}`  ",
        f"Machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}; load "
        f"{os.getloadavg()[0]:.1f} at the start  ",
        "",
        f"CPU ms per request: the cheapest of {ROUNDS} rounds (median in brackets).",
        "",
        "| database | request | long path | short path | saved |",
        "|---|---|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        for backend in args.backends:
            for kind, cost in run(backend, args.posts, Path(folder)).items():
                saved = 1 - cost["short"] / cost["long"]
                lines.append(
                    f"| {backend} | {kind} | {cost['long']:.2f} ({cost['long median']:.2f}) | "
                    f"{cost['short']:.2f} ({cost['short median']:.2f}) | {saved:.0%} |"
                )
    lines[1] += f" (at the end {os.getloadavg()[0]:.1f})"
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""Load benchmark of the web app: the directory, work-session and connections pages with 10,000 members, on
SQLite and on PostgreSQL, with 50 concurrent signed-in users. Loopback only, bounded in time.

    python bench/web/run.py                      # both databases, writes bench/results/web.md
    python bench/web/run.py --backends sqlite --seconds 10

Each backend gets a fresh database (a temporary SQLite file, or a new PostgreSQL database on the local server
that is dropped afterwards) with the demo network plus generated members up to 10,000, all written through the
actions. The app runs in its own process (uvicorn, one worker) so the load generator does not share its
interpreter. Two scenarios per backend:

- "users": 50 users who each wait 1-5 s between pages (people reading), the target scenario;
- "saturated": 50 users without pauses, which measures the most requests per second the server gives.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import platform
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select, text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from werkkring.actions.accounts import set_password  # noqa: E402
from werkkring.actions.members import import_members  # noqa: E402
from werkkring.actions.permissions import SYSTEM  # noqa: E402
from werkkring.demo import build_demo_network  # noqa: E402
from werkkring.io.members_csv import MemberRow  # noqa: E402
from werkkring.store import Database, upgrade  # noqa: E402
from werkkring.store.models import Circle, Member, WorkSession  # noqa: E402

PG_ADMIN_URL = os.environ.get("WERKKRING_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "bench-password-1"
FIRST = ["Anna", "Bram", "Cees", "Daan", "Eva", "Fleur", "Gijs", "Hanna", "Ilse", "Joost", "Karin", "Lars"]
LAST = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Vos"]
OFFERS = [
    "mentoring",
    "boekhouding",
    "fotografie",
    "subsidieaanvragen",
    "coaching",
    "webdesign",
    "juridisch advies",
]


@dataclass
class Stats:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0

    def add(self, page: str, seconds: float) -> None:
        self.times.setdefault(page, []).append(seconds)


def fill(database: Database, members: int, users: int) -> tuple[list[str], list[int]]:
    with database.transaction() as session:
        build_demo_network(session, members=300, seed=0)
        slugs = list(session.scalars(select(Circle.slug)))
    rng = random.Random(1)
    rows = [
        MemberRow(
            line=i + 2,
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}",
            email=f"bench{i}@example.org",
            region=rng.choice(["Utrecht", "Noord-Holland", "Zuid-Holland", "Gelderland"]),
            birth_year=rng.randint(1960, 2000),
            joined_on=dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(4000)),
            offers="\n".join(rng.sample(OFFERS, 2)),
            circles=rng.sample(slugs, 1),
            visibility={"offers": rng.choice(["network", "network", "circles", "private"])},
        )
        for i in range(members - 300)
    ]
    with database.transaction() as session:
        import_members(session, rows, "bench", actor=SYSTEM)
    emails = [f"bench{i}@example.org" for i in range(users)]
    with database.transaction() as session:
        for email in emails:
            member = session.scalar(select(Member).where(Member.email == email))
            assert member is not None
            set_password(session, member, PASSWORD, actor=member)
        sessions = list(session.scalars(select(WorkSession.id)))
    # Fresh statistics for the query planner, as after any bulk import (autovacuum would do it a bit later).
    with database.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    return emails, sessions


@contextlib.contextmanager
def scratch_database(backend: str, folder: Path, stem: str) -> Iterator[str]:
    """The URL of an empty database for one run: a SQLite file in ``folder``, or a PostgreSQL database made
    for it and dropped afterwards (even when the run fails)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder}/{stem}.db"
        return
    name = f"werkkring_{stem}_{uuid.uuid4().hex[:10]}".replace("-", "_")
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def sign_in(client: httpx.AsyncClient, email: str) -> None:
    page = await client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    response = await client.post(
        "/signin", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 303 and response.headers["location"] == "/", "sign-in failed"


async def user(
    client: httpx.AsyncClient, sessions: list[int], stop: float, stats: Stats, think: bool, seed: int
) -> None:
    rng = random.Random(seed)
    if think:
        await asyncio.sleep(rng.uniform(0, 3.0))  # people do not all arrive in the same millisecond
    while time.monotonic() < stop:
        choice = rng.random()
        if choice < 0.3:
            name, url = "directory", f"/members?page={rng.randint(1, 400)}"
        elif choice < 0.48:
            name, url = "directory search", f"/members?q={rng.choice(FIRST + OFFERS)}"
        elif choice < 0.78:
            name, url = "session", f"/sessions/{rng.choice(sessions)}"
        elif choice < 0.85:
            name, url = "session list", "/sessions"
        elif choice < 0.93:
            name, url = "connections (suggestions)", "/connections"
        else:
            name, url = "connections + who can help", f"/connections?q={rng.choice(OFFERS)}"
        started = time.perf_counter()
        response = await client.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            stats.errors += 1
        else:
            stats.add(name, elapsed)
        if think:
            await asyncio.sleep(rng.uniform(1.0, 5.0))


async def load(base: str, emails: list[str], sessions: list[int], seconds: float, think: bool) -> Stats:
    """Sign everyone in first (argon2 is slow on purpose and not what is measured), then measure."""
    stats = Stats()
    limits = httpx.Limits(max_connections=len(emails) + 5)
    clients = [httpx.AsyncClient(base_url=base, limits=limits, timeout=30) for _ in emails]
    try:
        for client, email in zip(clients, emails, strict=True):
            await sign_in(client, email)
        stop = time.monotonic() + seconds
        await asyncio.gather(*(user(c, sessions, stop, stats, think, i) for i, c in enumerate(clients)))
    finally:
        for client in clients:
            await client.aclose()
    return stats


def serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = dict(
        os.environ, WERKKRING_DATABASE_URL=url, WERKKRING_SECRET_KEY="bench", PYTHONPATH=str(ROOT / "src")
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "werkkring.web.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(base + "/", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


FITS: dict[str, dict[str, float]] = {}


async def first_requests(base: str, email: str) -> dict[str, float]:
    """The connections pages fit the network's texts on their first request (then every 5 minutes): timed
    here once, before the load, and reported apart from it."""
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        await sign_in(client, email)
        times = {}
        for label, url in (("suggestions fit", "/connections"), ("search fit", "/connections?q=coaching")):
            started = time.perf_counter()
            response = await client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            times[label] = time.perf_counter() - started
        return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def run_backend(
    backend: str, members: int, users: int, seconds: float
) -> list[tuple[str, str, Stats, float]]:
    admin = None
    with tempfile.TemporaryDirectory() as tmp:
        if backend == "sqlite":
            url = f"sqlite:///{tmp}/bench.db"
        else:
            name = f"werkkring_bench_{uuid.uuid4().hex[:10]}"
            admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        try:
            upgrade(url)
            database = Database(url)
            started = time.perf_counter()
            emails, sessions = fill(database, members, users)
            print(f"{backend}: filled {members} members in {time.perf_counter() - started:.0f} s", flush=True)
            database.dispose()
            process, base = serve(url)
            results = []
            try:
                fits = asyncio.run(first_requests(base, emails[0]))
                print(f"{backend}: " + ", ".join(f"{k} {v:.1f} s" for k, v in fits.items()), flush=True)
                FITS[backend] = fits
                for scenario, think in (("users", True), ("saturated", False)):
                    stats = asyncio.run(load(base, emails, sessions, seconds, think))
                    results.append((backend, scenario, stats, seconds))
                    print(report_lines(backend, scenario, stats, seconds), flush=True)
            finally:
                process.terminate()
                process.wait(timeout=10)
            return results
        finally:
            if admin is not None:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


def report_lines(backend: str, scenario: str, stats: Stats, seconds: float) -> str:
    lines = []
    everything = [t for times in stats.times.values() for t in times]
    for page, times in [*sorted(stats.times.items()), ("all pages", everything)]:
        lines.append(
            f"| {backend} | {scenario} | {page} | {len(times)} | {percentile(times, 50) * 1000:.0f} | "
            f"{percentile(times, 95) * 1000:.0f} | {percentile(times, 99) * 1000:.0f} | "
            f"{len(times) / seconds:.0f} |"
        )
    if stats.errors:
        lines.append(f"| {backend} | {scenario} | errors | {stats.errors} | | | | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--backends", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"]
    )
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "web.md")
    args = parser.parse_args()
    results = [
        r for backend in args.backends for r in run_backend(backend, args.members, args.users, args.seconds)
    ]
    command = "python bench/web/run.py " + " ".join(sys.argv[1:])
    header = [
        "# Web load benchmark",
        "",
        f"Command: `{command.strip()}`  ",
        f"Machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}; "
        f"load average when the run ended {os.getloadavg()[0]:.1f} (the machine is shared)  ",
        f"Date: {dt.date.today().isoformat()}  ",
        f"Data: {args.members:,} members (demo network plus generated members), {args.users} concurrent "
        f"signed-in users, {args.seconds:.0f} s per scenario; server: uvicorn, one worker, on loopback.",
        "",
        "Scenario *users*: each user waits 1-5 s between pages (people reading). Scenario *saturated*: "
        "no pauses, so req/s is the most the server gives and latency is mostly queueing. Target: p95 "
        "under 100 ms in the *users* scenario.",
        "",
        "| database | scenario | page | requests | p50 ms | p95 ms | p99 ms | req/s |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    body = [report_lines(b, s, st, sec) for b, s, st, sec in results]
    body += [
        "",
        "First request to the connections pages after start (fits the network's texts; again every 5 "
        "minutes, in the request that finds the fit older than that):",
        "",
        "| database | suggestions (s) | who can help (s) |",
        "|---|---:|---:|",
        *(f"| {b} | {fit['suggestions fit']:.1f} | {fit['search fit']:.1f} |" for b, fit in FITS.items()),
    ]
    args.out.write_text("\n".join(header + body) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

"""Throughput of werkkring's pages beside a bare FastAPI page on the same machine, with the same uvicorn and
the same number of web processes; then the summit burst. Loopback only, bounded in time.

    python bench/web/throughput.py                                   # writes bench/results/web-throughput.md
    python bench/web/throughput.py --backends sqlite --workers 1 --seconds 5
    python bench/web/throughput.py --parts burst --members 2000 --out /tmp/burst.md   # the burst only

Pages (signed in, 50 connections, wrk with keep-alive): the home page, the member directory, a work session's
page; the bare page is FastAPI returning a fixed HTML string, from an ``async def`` and from a ``def`` (our
pages are ``def``, run in uvicorn's thread pool). Each configuration runs 1, 2 and 4 web processes
(``werkkring serve --workers N``) on SQLite and on PostgreSQL, each with 10,000 members.

The summit burst: 300 signed-in participants of one work session (30 groups of 10) each post 5 contributions
as fast as the server answers, all starting at the same moment, each over its own keep-alive connection (a
phone); every post is checked in the database afterwards (lost or doubled), and a post that got no answer
counts as dropped; the web processes' CPU seconds during the burst are reported per post (the figure the
other jobs on a shared machine move least). The pages need `wrk` (Debian: apt-get install wrk); the burst
alone does not.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

from run import PASSWORD, PG_ADMIN_URL, fill, free_port  # noqa: E402

from werkkring.actions import accounts  # noqa: E402
from werkkring.actions import sessions as session_actions  # noqa: E402
from werkkring.actions.accounts import hash_password  # noqa: E402
from werkkring.store import Database, upgrade  # noqa: E402
from werkkring.store.models import Contribution, Member  # noqa: E402

PAGES = {"home": "/", "directory": "/members?page=3", "session": None}
BURST_CLIENTS = 300
BURST_POSTS = 5


@dataclass
class Row:
    backend: str
    workers: int
    page: str
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int
    requests: int
    load: float = 0.0


def wrk(url: str, seconds: float, cookie: str | None) -> dict[str, float]:
    script = str(HERE / "stats.lua")
    command = ["wrk", "-t2", "-c50", f"-d{int(seconds)}s", "--timeout", "10s", "-s", script, url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("{"))
    return json.loads(line)


def start(
    command: list[str], env: dict[str, str], log: Path, health: str
) -> tuple[subprocess.Popen[bytes], str]:
    process = subprocess.Popen(command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(health, timeout=2).status_code == 200:
                return process, health
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        with contextlib.suppress(OSError):
            todo += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
    return pids


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def wait_idle(process: subprocess.Popen[bytes], limit: float = 180.0) -> float:
    """Wait until the server's processes are idle: each fits the connections network when it starts (tens of
    seconds of CPU at 10,000 members), which must not be measured as page time. Returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        pids = _tree(process.pid)
        before = _cpu_seconds(pids)
        time.sleep(2.0)
        if _cpu_seconds(pids) - before < 0.1:
            break
    return time.monotonic() - started


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def cookie_of(base: str, email: str) -> str:
    with httpx.Client(base_url=base, timeout=60) as client:
        page = client.get("/signin")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        answer = client.post(
            "/signin", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
        )
        assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text[:300]
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def summit(database: Database, size: int = BURST_CLIENTS) -> tuple[int, list[str]]:
    """A work session with ``size`` signed-up participants in groups of 10 (through the actions)."""
    emails = [f"summit{i}@example.org" for i in range(size)]
    digest = hash_password(PASSWORD)
    with database.transaction() as session:
        host = session.scalar(select(Member).where(Member.role == "admin").limit(1))
        assert host is not None
        people = []
        for i, email in enumerate(emails):
            member = Member(
                name=f"Deelnemer {i}", email=email, password_hash=digest, visibility={}, language="nl"
            )
            session.add(member)
            people.append(member)
        session.flush()
        work_session = session_actions.create_session(
            session,
            title="Burgertop",
            question="Wat moet er in onze stad als eerste veranderen?",
            starts_at=dt.datetime.now() + dt.timedelta(days=1),
            capacity=size + 10,
            group_size=10,
            actor=host,
        )
        for member in people:
            session_actions.register(session, work_session, actor=member)
        session_actions.form_groups(session, work_session, seed=1, actor=host)
        return work_session.id, emails


async def burst(base: str, session_id: int, emails: list[str], pids: list[int]) -> dict[str, float]:
    """Everyone signed in and on the page first (not measured), then all posts at once."""
    clients = [httpx.AsyncClient(base_url=base, timeout=60) for _ in emails]
    tokens: list[str] = []
    try:
        for start_at in range(0, len(clients), 25):
            batch = list(
                zip(clients[start_at : start_at + 25], emails[start_at : start_at + 25], strict=True)
            )

            async def ready(client: httpx.AsyncClient, email: str) -> str:
                page = await client.get("/signin")
                token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
                await client.post("/signin", data={"email": email, "password": PASSWORD, "csrf_token": token})
                page = await client.get(f"/sessions/{session_id}")
                return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]

            tokens += await asyncio.gather(*(ready(c, e) for c, e in batch))
        times: list[float] = []
        dropped = 0
        failed = 0
        gate = asyncio.Event()

        async def post(index: int, client: httpx.AsyncClient, token: str) -> None:
            nonlocal dropped, failed
            await gate.wait()
            for n in range(BURST_POSTS):
                started = time.perf_counter()
                try:
                    answer = await client.post(
                        f"/sessions/{session_id}/contributions",
                        data={
                            "text": f"Bijdrage {n} van deelnemer {index}: meer groen en veilige fietspaden",
                            "csrf_token": token,
                        },
                    )
                except httpx.TransportError:
                    dropped += 1
                    continue
                times.append(time.perf_counter() - started)
                if answer.status_code != 303:
                    failed += 1

        tasks = [
            asyncio.create_task(post(i, c, t)) for i, (c, t) in enumerate(zip(clients, tokens, strict=True))
        ]
        await asyncio.sleep(0.2)
        print(f"burst: {len(clients)} clients ready, posting", flush=True)
        cpu_before = _cpu_seconds(pids)
        clients_before = time.process_time()
        began = time.perf_counter()
        gate.set()
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - began
        cpu = _cpu_seconds(pids) - cpu_before
        clients_cpu = time.process_time() - clients_before
    finally:
        for client in clients:
            await client.aclose()
    ordered = sorted(times)

    def q(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000 if ordered else 0.0

    return {
        "posts": len(times),
        "p50": q(50),
        "p95": q(95),
        "p99": q(99),
        "dropped": dropped,
        "failed": failed,
        "wall": wall,
        "cpu_ms": cpu * 1000 / max(1, len(times)),
        "client_cpu_ms": clients_cpu * 1000 / max(1, len(times)),
    }


def run_backend(
    backend: str, workers: list[int], seconds: float, members: int, tmp: Path, parts: frozenset[str]
) -> tuple[list[Row], list[str]]:
    admin = None
    name = ""
    if backend == "sqlite":
        url = f"sqlite:///{tmp}/bench-{backend}.db"
    else:
        name = f"werkkring_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    rows: list[Row] = []
    bursts: list[str] = []
    try:
        upgrade(url)
        database = Database(url)
        fill(database, members, 1)
        session_id, summit_emails = summit(database)
        with database.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        PAGES["session"] = f"/sessions/{session_id}"
        for count in workers:
            env = {
                **os.environ,
                "WERKKRING_DATABASE_URL": url,
                "WERKKRING_SECRET_KEY": "bench",
                "WERKKRING_JOBS_URL": f"sqlite:///{tmp}/jobs-{backend}.db",
                "WERKKRING_OUTBOX": str(tmp / "outbox"),
                "PYTHONPATH": str(ROOT / "src"),
            }
            port = free_port()
            log = tmp / f"serve-{backend}-{count}.log"
            process, _ = start(
                [
                    sys.executable,
                    "-m",
                    "werkkring",
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    str(count),
                    "--no-jobs",
                ],
                env,
                log,
                f"http://127.0.0.1:{port}/healthz",
            )
            base = f"http://127.0.0.1:{port}"
            try:
                cookie = cookie_of(base, summit_emails[0])
                waited = wait_idle(process)
                print(f"{backend} x{count}: server idle after {waited:.0f} s", flush=True)
                for page, path in PAGES.items() if "pages" in parts else ():
                    result = wrk(base + str(path), seconds, cookie)
                    errors = int(sum(result[k] for k in ("connect", "read", "write", "status", "timeout")))
                    rows.append(
                        Row(
                            backend,
                            count,
                            page,
                            result["rps"],
                            result["p50"],
                            result["p95"],
                            result["p99"],
                            errors,
                            int(result["requests"]),
                            os.getloadavg()[0],
                        )
                    )
                    print(rows[-1], f"load {os.getloadavg()[0]:.1f}", flush=True)
                if "burst" not in parts:
                    continue
                with database.transaction() as session:
                    session.execute(
                        Contribution.__table__.delete().where(Contribution.session_id == session_id)
                    )
                pids = _tree(process.pid)
                found = asyncio.run(burst(base, session_id, summit_emails, pids))
                with database.reader() as session:
                    stored = session.scalar(
                        select(func.count())
                        .select_from(Contribution)
                        .where(Contribution.session_id == session_id)
                    )
                    distinct = session.scalar(
                        select(func.count(func.distinct(Contribution.text))).where(
                            Contribution.session_id == session_id
                        )
                    )
                answered = int(found["posts"]) - int(found["failed"])
                # Lost: answered "added" but not stored; a post whose answer never came may be stored.
                lost = max(0, answered - int(stored or 0))
                doubled = int(stored or 0) - int(distinct or 0)
                bursts.append(
                    f"| {backend} | {count} | {found['posts']:.0f} | {found['p50']:.0f} | "
                    f"{found['p95']:.0f} | {found['p99']:.0f} | {found['wall']:.1f} | "
                    f"{found['cpu_ms']:.1f} | {found['client_cpu_ms']:.1f} | "
                    f"{found['dropped']:.0f} | {found['failed']:.0f} | "
                    f"{lost} | {doubled} | {os.getloadavg()[0]:.1f} |"
                )
                print(bursts[-1], flush=True)
            finally:
                stop(process)
            if "pages" not in parts:
                continue
            # The bare page, same uvicorn, same number of processes.
            port = free_port()
            process, _ = start(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bare:app",
                    "--app-dir",
                    str(HERE),
                    "--port",
                    str(port),
                    "--workers",
                    str(count),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                env,
                tmp / "bare.log",
                f"http://127.0.0.1:{port}/",
            )
            try:
                for page, path in (("bare (async def)", "/async"), ("bare (def)", "/")):
                    result = wrk(f"http://127.0.0.1:{port}{path}", seconds, None)
                    errors = int(sum(result[k] for k in ("connect", "read", "write", "status", "timeout")))
                    rows.append(
                        Row(
                            backend,
                            count,
                            page,
                            result["rps"],
                            result["p50"],
                            result["p95"],
                            result["p99"],
                            errors,
                            int(result["requests"]),
                            os.getloadavg()[0],
                        )
                    )
                    print(rows[-1], flush=True)
            finally:
                stop(process)
        database.dispose()
        return rows, bursts
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--backends", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"]
    )
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2, 4])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument(
        "--parts",
        nargs="+",
        default=["pages", "burst"],
        choices=["pages", "burst"],
        help="what to measure: the pages beside the bare page, the summit burst, or both (default)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "web-throughput.md")
    args = parser.parse_args()
    if "pages" in args.parts and shutil.which("wrk") is None:
        sys.exit("the pages need wrk: apt-get install wrk (the burst alone does not)")
    # Cheap password hashes for the benchmark's members: signing in 300 people is not what is measured.
    accounts._hasher = accounts.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    rows: list[Row] = []
    bursts: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends:
            found, burst_rows = run_backend(
                backend, args.workers, args.seconds, args.members, Path(tmp), frozenset(args.parts)
            )
            rows += found
            bursts += burst_rows
    bare = {(r.backend, r.workers): r.rps for r in rows if r.page == "bare (async def)"}
    lines = [
        "# Web throughput: werkkring's pages beside a bare FastAPI page",
        "",
        f"Command: `python bench/web/throughput.py {' '.join(sys.argv[1:])}`".replace("  ", " ") + "  ",
        f"Machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}; load "
        f"average at the end {os.getloadavg()[0]:.1f} (shared machine: other jobs ran too)  ",
        f"Date: {dt.date.today().isoformat()}; {args.members:,} members; wrk, 2 threads, 50 connections "
        f"(keep-alive), {args.seconds:.0f} s per row; signed in; `werkkring serve --workers N --no-jobs`.",
        "",
        "| database | web processes | page | req/s | share of bare | p50 ms | p95 ms | p99 ms | errors "
        "| load |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        share = r.rps / bare[(r.backend, r.workers)] if (r.backend, r.workers) in bare else 0
        lines.append(
            f"| {r.backend} | {r.workers} | {r.page} | {r.rps:,.0f} | {share:.0%} | {r.p50:.1f} | "
            f"{r.p95:.1f} | "
            f"{r.p99:.1f} | {r.errors} of {r.requests:,} | {r.load:.1f} |"
        )
    lines += [
        "",
        f"Summit burst: {BURST_CLIENTS} signed-in participants × {BURST_POSTS} contributions at the same "
        "moment, each over its own keep-alive connection. Dropped: a post that got no answer; lost/doubled: "
        "counted in the database afterwards. Server CPU: user + system seconds of the web processes during "
        "the burst, per answered post (what the burst costs the server, less moved by the other jobs on the "
        "machine than the times are); client CPU: the same for the benchmark's own 300 clients (one process "
        "on the same cores: when server and clients together need more than the cores give, the posts "
        "queue behind the clients too).",
        "",
        "| database | web processes | posts answered | p50 ms | p95 ms | p99 ms | all done in s "
        "| server CPU ms per post | client CPU ms per post | dropped | not 303 | lost | doubled | load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *bursts,
    ]
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

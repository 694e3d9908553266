"""A citizens' summit, live: 1,000 people join one work session by its code from their phones, follow it over
server-sent events, and the tables post their input while everyone watches. Loopback only, bounded in time.

    python bench/live/summit.py                          # writes bench/results/live-summit.md
    python bench/live/summit.py --people 200 --backends sqlite --workers 1

What is measured, on SQLite and PostgreSQL, with 1 and 2 web processes (``werkkring serve --workers N``):

1. **Join**: every person opens ``/j/CODE`` and joins as a guest with a name, all at the same moment (the
   QR code on the projector): time per join (p50/p95/max), joins that failed.
2. **Groups announced**: each phone follows the session's live events; the host forms 100 tables of ten and
   locks them; time from the host's click to each phone receiving the news (p50/p95/max) and phones that
   never heard of it within the time-out.
3. **Tables posting**: each phone reconnects to its own table's channel; one person at every table posts at
   the same moment; time from the post to each table-mate's phone receiving it, and the posts' own answer
   times.
4. **The evening** (``--evening SECONDS``, 300 by default, 0 to leave it out): while every phone, the host's
   panel and the projector stay connected, each person posts 3 contributions at random moments in the first
   60 % of the window; then the host opens the voting and each person spends 3 dots on cards of any table at
   random moments in the rest. Reported: posts and dots p50/p95/p99, time from a post to its arrival at every
   table-mate (p95), lost and doubled writes (counted in the database afterwards), live connections that
   dropped, the server's CPU (seconds, and share of one core over the window) and its peak memory (RSS of
   all its processes).

The clients run in one asyncio process on the same 2-core machine as the server, so the figures include the
clients' own work: an upper bound of what phones over a network would see.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench" / "web"))

from run import PASSWORD, free_port, scratch_database  # noqa: E402
from throughput import _cpu_seconds, _tree, cookie_of, start, stop  # noqa: E402

from werkkring.actions import sessions as session_actions  # noqa: E402
from werkkring.actions.accounts import hash_password  # noqa: E402
from werkkring.store import Database, upgrade  # noqa: E402
from werkkring.store.models import Contribution, Member, Vote  # noqa: E402

TIMEOUT = 60.0
MARKER = re.compile(r"\[(e\d+-\d)\]")
TOKEN = re.compile(r'name="(csrf_token|token)" value="([^"]+)"')


def quantiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}

    def q(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

    return {"p50": q(50), "p95": q(95), "p99": q(99), "max": ordered[-1] * 1000}


def prepare(url: str, people: int) -> tuple[int, str, str]:
    """A host and one work session for ``people`` guests in tables of ten (through the actions)."""
    upgrade(url)
    database = Database(url)
    try:
        with database.transaction() as session:
            host = Member(
                name="Hanna Host",
                email="host@example.org",
                role="admin",
                password_hash=hash_password(PASSWORD),
                visibility={},
                language="nl",
            )
            session.add(host)
            session.flush()
            work_session = session_actions.create_session(
                session,
                title="Burgertop",
                question="Wat moet er in onze stad als eerste veranderen?",
                starts_at=dt.datetime.now().replace(microsecond=0) + dt.timedelta(hours=1),
                capacity=people + 10,
                group_size=10,
                actor=host,
            )
            assert work_session.join_code is not None
            return work_session.id, work_session.join_code, host.email
    finally:
        database.dispose()


class Phone:
    """One person's phone: its own cookies, one live connection at a time, what arrived and when."""

    def __init__(self, base: str, index: int) -> None:
        self.client = httpx.AsyncClient(base_url=base, timeout=TIMEOUT)
        self.index = index
        self.arrived: list[tuple[float, dict[str, object]]] = []
        self.listening: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self.fields: dict[str, str] = {}

    async def join(self, code: str) -> float:
        started = time.perf_counter()
        page = await self.client.get(f"/j/{code}")
        fields = dict(TOKEN.findall(page.text))
        answer = await self.client.post(
            f"/j/{code}", data={"name": f"Deelnemer {self.index}", **fields}, follow_redirects=False
        )
        if answer.status_code != 303:
            raise RuntimeError(f"join answered {answer.status_code}")
        return time.perf_counter() - started

    async def listen(self, code: str) -> None:
        async with self.client.stream("GET", f"/j/{code}/events", timeout=None) as answer:
            self.connected.set()
            async for line in answer.aiter_lines():
                if line.startswith("data:"):
                    with contextlib.suppress(ValueError):
                        self.arrived.append((time.perf_counter(), json.loads(line[5:])))

    def follow(self, code: str) -> None:
        self.connected.clear()
        self.arrived.clear()
        self.listening = asyncio.create_task(self.listen(code))

    async def hang_up(self) -> None:
        if self.listening is not None:
            self.listening.cancel()
            with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                await self.listening
            self.listening = None

    async def post(self, code: str, words: str) -> tuple[float, float]:
        """When the post went out and how long its answer took (the form's token is read once, as a phone
        that keeps its page open does)."""
        if not self.fields:
            page = await self.client.get(f"/j/{code}")
            self.fields = dict(TOKEN.findall(page.text))
        started = time.perf_counter()
        answer = await self.client.post(
            f"/j/{code}/contributions", data={"text": words, **self.fields}, follow_redirects=False
        )
        if answer.status_code != 303:
            raise RuntimeError(f"post answered {answer.status_code}")
        return started, time.perf_counter() - started

    async def dot(self, session_id: int, card: int) -> float:
        """Put a dot on a card as the vote page's script does (the form, asking for JSON)."""
        started = time.perf_counter()
        answer = await self.client.post(
            f"/sessions/{session_id}/votes",
            data={"card": str(card), **self.fields},
            headers={"accept": "application/json"},
        )
        if answer.status_code != 200:
            raise RuntimeError(f"dot answered {answer.status_code}: {answer.text[:200]}")
        return time.perf_counter() - started

    @property
    def dropped(self) -> bool:
        """The live connection ended by itself (not hung up by the phone)."""
        return self.listening is not None and self.listening.done() and not self.listening.cancelled()


async def until(condition: object, seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and not condition():  # type: ignore[operator]
        await asyncio.sleep(0.05)


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def _database_pids() -> list[int]:
    """PostgreSQL's server processes on this machine (its backends do the queries' work on the same cores)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    found.append(int(entry.name))
    return found


class Watch:
    """The server's processes during a window: CPU seconds used and the peak of their memory; and the CPU
    seconds of PostgreSQL's processes (0 on SQLite, which works inside the server's own process)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0.0
        self.task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, _rss_mb(_tree(self.pid)))
            await asyncio.sleep(1.0)

    def __enter__(self) -> Watch:
        self.began, self.cpu = time.perf_counter(), _cpu_seconds(_tree(self.pid))
        self.database_cpu = _cpu_seconds(_database_pids())
        self.task = asyncio.create_task(self._sample())
        return self

    def __exit__(self, *_: object) -> None:
        assert self.task is not None
        self.task.cancel()
        self.peak = max(self.peak, _rss_mb(_tree(self.pid)))
        self.cpu = _cpu_seconds(_tree(self.pid)) - self.cpu
        self.database_cpu = _cpu_seconds(_database_pids()) - self.database_cpu
        self.wall = time.perf_counter() - self.began


async def follow_room(client: httpx.AsyncClient, path: str, dropped: list[str]) -> None:
    """The host's panel or the projector: one live connection held for the whole evening."""
    try:
        async with client.stream("GET", path, timeout=None) as answer:
            async for _line in answer.aiter_lines():
                pass
        dropped.append(path)
    except asyncio.CancelledError:
        raise
    except httpx.HTTPError:
        dropped.append(path)


async def whole_evening(
    phones: list[Phone],
    tables: dict[str, list[Phone]],
    code: str,
    session_id: int,
    host: httpx.AsyncClient,
    csrf: str,
    window: float,
    url: str,
    server_pid: int,
) -> dict[str, object]:
    """Step 4: 3 posts and 3 dots per person spread over ``window`` seconds, everyone connected."""
    result: dict[str, object] = {}
    rng = random.Random(7)
    room_dropped: list[str] = []
    room = [
        asyncio.create_task(follow_room(host, f"/sessions/{session_id}/room/events", room_dropped)),
        asyncio.create_task(follow_room(host, f"/sessions/{session_id}/present/events", room_dropped)),
    ]
    table_of = {phone.index: key for key, members in tables.items() if key for phone in members}
    mates = {key: members for key, members in tables.items() if key}
    posts: list[tuple[float, float]] = []  # (sent at, answer time)
    sent: list[tuple[str, float, str]] = []  # (table, sent at, marker) of each answered post
    post_errors: list[str] = []
    dots: list[float] = []
    dot_errors: list[str] = []
    answered_dots: set[tuple[str, int]] = set()  # (voter's name, card) of each answered dot
    answered_posts: set[str] = set()
    origin = time.perf_counter()

    async def at(moment: float) -> None:
        await asyncio.sleep(max(0.0, origin + moment - time.perf_counter()))

    async def writer(phone: Phone) -> None:
        for k, moment in enumerate(sorted(rng.uniform(0, 0.6 * window) for _ in range(3))):
            await at(moment)
            marker = f"e{phone.index}-{k}"
            try:
                began, took = await phone.post(
                    code, f"Inbreng {k + 1} van deelnemer {phone.index} [e{phone.index}-{k}]"
                )
            except (RuntimeError, httpx.HTTPError) as error:
                post_errors.append(str(error)[:120])
                continue
            posts.append((began, took))
            answered_posts.add(marker)
            if phone.index in table_of:
                sent.append((table_of[phone.index], began, marker))

    with Watch(server_pid) as watch:
        await asyncio.gather(*(writer(phone) for phone in phones))
        await at(0.6 * window)
        opened = await host.post(f"/sessions/{session_id}/voting", data={"csrf_token": csrf, "do": "open"})
        assert opened.status_code == 303, opened.text[:300]
        cards = await asyncio.to_thread(_card_ids, url, session_id)

        async def voter(phone: Phone) -> None:
            chosen = rng.sample(cards, min(3, len(cards)))
            moments = sorted(rng.uniform(0.6 * window + 1, window) for _ in chosen)
            for card, moment in zip(chosen, moments, strict=True):
                await at(moment)
                try:
                    dots.append(await phone.dot(session_id, card))
                except (RuntimeError, httpx.HTTPError) as error:
                    dot_errors.append(str(error)[:120])
                    continue
                answered_dots.add((f"Deelnemer {phone.index}", card))

        await asyncio.gather(*(voter(phone) for phone in phones))
        await asyncio.sleep(3.0)  # the last posts' news on their way

    stored_posts, stored_dots, ids = await asyncio.to_thread(_stored, url, session_id)

    def news(phone: Phone, since: float, card: int | None) -> float | None:
        after = [
            arrived
            for arrived, data in phone.arrived
            if data.get("type") == "contribution" and data.get("id") == card
        ]
        return after[0] - since if after else None

    arrivals, missed = [], 0
    for key, since, marker in sent:
        for mate in mates[key]:
            delay = news(mate, since, ids.get(marker))
            if delay is None:
                missed += 1
            else:
                arrivals.append(delay)
    for task in room:
        task.cancel()
    await asyncio.gather(*room, return_exceptions=True)
    answered = len(posts)
    dot_pairs: dict[tuple[str, int], int] = {}
    for pair in stored_dots:
        dot_pairs[pair] = dot_pairs.get(pair, 0) + 1
    per_voter: dict[str, int] = {}
    for name, _card in stored_dots:
        per_voter[name] = per_voter.get(name, 0) + 1
    result.update(
        {
            "window": window,
            "posts": answered,
            "post_failed": len(post_errors),
            "post_errors": sorted(set(post_errors))[:3],
            "evening_post": quantiles([took for _, took in posts]),
            "update": quantiles(arrivals),
            "update_missed": missed,
            "dots": len(dots),
            "dot_failed": len(dot_errors),
            "dot_errors": sorted(set(dot_errors))[:3],
            "evening_dot": quantiles(dots),
            # Lost: answered but not stored. Doubled: stored twice, or more dots than a person has. A request
            # the client gave up on (failed) may still be stored: counted apart, not as lost or doubled.
            "lost_posts": len(answered_posts - set(stored_posts)),
            "doubled_posts": sum(n - 1 for n in stored_posts.values() if n > 1),
            "stored_unanswered_posts": len(set(stored_posts) - answered_posts),
            "lost_dots": len(answered_dots - set(dot_pairs)),
            "doubled_dots": sum(n - 1 for n in dot_pairs.values() if n > 1)
            + sum(n - 3 for n in per_voter.values() if n > 3),
            "stored_unanswered_dots": len(set(dot_pairs) - answered_dots),
            "dropped": sum(p.dropped for p in phones) + len(room_dropped),
            "server_cpu": watch.cpu,
            "server_core_share": watch.cpu / watch.wall,
            "server_rss_mb": watch.peak,
            "database_cpu": watch.database_cpu,
        }
    )
    return result


def _card_ids(url: str, session_id: int) -> list[int]:
    database = Database(url)
    try:
        with database.reader() as session:
            return list(session.scalars(select(Contribution.id).where(Contribution.session_id == session_id)))
    finally:
        database.dispose()


def _stored(url: str, session_id: int) -> tuple[dict[str, int], list[tuple[str, int]], dict[str, int]]:
    """Each evening post's marker with how often it is stored, every dot stored as (voter's name, card),
    and the contribution's id of each marker."""
    database = Database(url)
    try:
        with database.reader() as session:
            rows = session.execute(
                select(Contribution.id, Contribution.text).where(Contribution.session_id == session_id)
            )
            markers: dict[str, int] = {}
            ids: dict[str, int] = {}
            for card, text in rows:
                found = MARKER.search(text)
                if found:
                    markers[found.group(1)] = markers.get(found.group(1), 0) + 1
                    ids[found.group(1)] = card
            dots = session.execute(
                select(Member.name, Vote.contribution_id)
                .join(Member, Member.id == Vote.member_id)
                .where(Vote.session_id == session_id)
            )
            return markers, [(name, int(card)) for name, card in dots], ids
    finally:
        database.dispose()


async def evening(
    base: str, code: str, session_id: int, host_email: str, people: int, window: float, url: str, pid: int
) -> dict[str, object]:
    phones = [Phone(base, i) for i in range(people)]
    result: dict[str, object] = {}
    try:
        # 1. everyone joins at the same moment
        began = time.perf_counter()
        joins = await asyncio.gather(*(phone.join(code) for phone in phones), return_exceptions=True)
        result["join_wall"] = time.perf_counter() - began
        result["join"] = quantiles([j for j in joins if isinstance(j, float)])
        result["join_failed"] = sum(not isinstance(j, float) for j in joins)

        # 2. the host forms the tables; everyone follows the session; the host locks the tables
        host = httpx.AsyncClient(base_url=base, timeout=TIMEOUT)
        host.headers["cookie"] = await asyncio.to_thread(cookie_of, base, host_email)
        page = await host.get(f"/sessions/{session_id}")
        csrf = dict(TOKEN.findall(page.text))["csrf_token"]
        formed = await host.post(f"/sessions/{session_id}/groups", data={"csrf_token": csrf})
        assert formed.status_code == 303, formed.text[:300]
        for phone in phones:
            phone.follow(code)
        await asyncio.wait_for(asyncio.gather(*(p.connected.wait() for p in phones)), TIMEOUT)
        await asyncio.sleep(2.0)
        clicked = time.perf_counter()
        locked = await host.post(
            f"/sessions/{session_id}/groups/lock", data={"csrf_token": csrf, "locked": "yes"}
        )
        assert locked.status_code == 303, locked.text[:300]
        result["lock_answer_ms"] = (time.perf_counter() - clicked) * 1000

        def heard(phone: Phone) -> float | None:
            after = [at for at, data in phone.arrived if at >= clicked and data.get("type") == "groups"]
            return after[0] - clicked if after else None

        await until(lambda: all(heard(p) is not None for p in phones), 30)
        delays = [d for d in (heard(p) for p in phones) if d is not None]
        result["groups_news"] = quantiles(delays)
        result["groups_missed"] = people - len(delays)

        # 3. each phone follows its own table; one person per table posts at the same moment
        for phone in phones:
            await phone.hang_up()
        tables: dict[str, list[Phone]] = {}
        for phone in phones:
            me = await phone.client.get(f"/j/{code}/me")
            group = re.search(r'data-group="(\d+)"', me.text)
            tables.setdefault(group.group(1) if group else "", []).append(phone)
            phone.follow(code)
        await asyncio.wait_for(asyncio.gather(*(p.connected.wait() for p in phones)), TIMEOUT)
        await asyncio.sleep(1.0)
        seated_tables = {key: members for key, members in tables.items() if key}
        posts = await asyncio.gather(
            *(
                members[0].post(code, f"Meer groen en veilige fietspaden, tafel {key}")
                for key, members in seated_tables.items()
            ),
            return_exceptions=True,
        )
        sent = {
            key: answer[0]
            for key, answer in zip(seated_tables, posts, strict=True)
            if isinstance(answer, tuple)
        }
        result["post"] = quantiles([answer[1] for answer in posts if isinstance(answer, tuple)])
        result["post_failed"] = sum(not isinstance(answer, tuple) for answer in posts)
        result["tables"] = len(seated_tables)

        def news(phone: Phone, since: float) -> float | None:
            after = [
                at
                for at, data in phone.arrived
                if at >= since and data.get("type") == "contribution" and "id" in data  # its table's channel
            ]
            return after[0] - since if after else None

        waiting = [
            (phone, sent[key]) for key, members in seated_tables.items() if key in sent for phone in members
        ]
        await until(lambda: all(news(p, since) is not None for p, since in waiting), 30)
        arrivals = [d for d in (news(p, since) for p, since in waiting) if d is not None]
        result["input_news"] = quantiles(arrivals)
        result["input_missed"] = len(waiting) - len(arrivals)
        result["unseated"] = len(tables.get("", []))
        if window > 0:
            result.update(await whole_evening(phones, tables, code, session_id, host, csrf, window, url, pid))
        await host.aclose()
    finally:
        for phone in phones:
            await phone.hang_up()
            await phone.client.aclose()
    return result


def run(backend: str, workers: int, people: int, tmp: Path, window: float) -> dict[str, object]:
    with scratch_database(backend, tmp, f"live-{workers}") as url:
        session_id, code, host_email = prepare(url, people)
        port = free_port()
        env = {
            **os.environ,
            "WERKKRING_DATABASE_URL": url,
            "WERKKRING_SECRET_KEY": "bench",
            "WERKKRING_JOBS_URL": "immediate",
            "WERKKRING_OUTBOX": str(tmp / "outbox"),
            "WERKKRING_LOG_LEVEL": "warning",
            "PYTHONPATH": str(ROOT / "src"),
        }
        command = [sys.executable, "-m", "werkkring", "serve", "--port", str(port), "--workers", str(workers)]
        log = tmp / f"serve-{backend}-{workers}.log"
        process, _ = start([*command, "--no-jobs"], env, log, f"http://127.0.0.1:{port}/healthz")
        try:
            found = asyncio.run(
                evening(
                    f"http://127.0.0.1:{port}", code, session_id, host_email, people, window, url, process.pid
                )
            )
        finally:
            stop(process)
        found.update({"backend": backend, "workers": workers, "people": people, "load": os.getloadavg()[0]})
        return found


def table(rows: list[dict[str, object]], args: argparse.Namespace) -> str:
    def q(row: dict[str, object], key: str) -> str:
        value = row[key]
        assert isinstance(value, dict)
        return f"{value['p50']:.0f} / {value['p95']:.0f} / {value['max']:.0f}"

    def q4(row: dict[str, object], key: str) -> str:
        value = row[key]
        assert isinstance(value, dict)
        return f"{value['p50']:.0f} / {value['p95']:.0f} / {value['p99']:.0f} / {value['max']:.0f}"

    lines = [
        "# A summit, live: 1,000 phones join, follow and post",
        "",
        f"Command: `python bench/live/summit.py --people {args.people} --backends {' '.join(args.backends)} "
        f"--workers {' '.join(map(str, args.workers))} --evening {args.evening:.0f}`  ",
        f"Machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}; "
        "clients and server on the same machine (the clients' own work is in the figures)  ",
        f"Date: {dt.date.today().isoformat()}",
        "",
        "Times in ms as p50 / p95 / max. *Join*: open the code, join as a guest, everyone at once. "
        "*Groups news*: the host locks the tables of ten; time until each phone's live connection says so. "
        "*Post*: one person per table posts at once; *input news*: time until each table-mate's phone shows "
        "it.",
        "",
        "| database | web processes | people | join | join wall s | failed | groups news | missed | post | "
        "input news | missed | load |",
        "|---|---:|---:|---|---:|---:|---|---:|---|---|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['backend']} | {row['workers']} | {row['people']} | {q(row, 'join')} | "
            f"{row['join_wall']:.1f} | {row['join_failed']} | {q(row, 'groups_news')} | "
            f"{row['groups_missed']} | "
            f"{q(row, 'post')} | {q(row, 'input_news')} | {row['input_missed']} | {row['load']:.1f} |"
        )
    evenings = [row for row in rows if "window" in row]
    if evenings:
        lines += [
            "",
            "*The evening*: every phone, the host's panel and the projector connected; each person posts 3 "
            "times in the first 60 % of the window, then spends 3 dots in the rest. Posts and dots in ms as "
            "p50 / p95 / p99 / max; *update*: from a post to its arrival at each table-mate's phone (p95); "
            "*failed*: no answer within 60 s or not the expected one (in brackets: how many of those were "
            "stored all the same); lost (answered, not stored) and doubled (stored twice, or more dots than "
            "a person has) counted in the database; *dropped*: live connections that ended by themselves; "
            "server CPU over the window (seconds, and as a share of one core) and its peak memory.",
            "",
            "| database | web processes | people | window s | posts | failed | post | update p95 | missed | "
            "dots | failed | dot | lost | doubled | dropped | server CPU s (core share) | peak MB | "
            "PostgreSQL CPU s | load |",
            "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---|---|---:|---:|---:|---:|---:|",
        ]
        for row in evenings:
            update = row["update"]
            assert isinstance(update, dict)
            lines.append(
                f"| {row['backend']} | {row['workers']} | {row['people']} | {row['window']:.0f} | "
                f"{row['posts']} | {row['post_failed']} ({row['stored_unanswered_posts']}) | "
                f"{q4(row, 'evening_post')} | {update['p95']:.0f} | {row['update_missed']} | {row['dots']} | "
                f"{row['dot_failed']} ({row['stored_unanswered_dots']}) | {q4(row, 'evening_dot')} | "
                f"posts {row['lost_posts']}, dots {row['lost_dots']} | "
                f"posts {row['doubled_posts']}, dots {row['doubled_dots']} | {row['dropped']} | "
                f"{row['server_cpu']:.0f} ({row['server_core_share']:.0%}) | {row['server_rss_mb']:.0f} | "
                f"{row['database_cpu']:.0f} | {row['load']:.1f} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    parser.add_argument(
        "--evening", type=float, default=300.0, help="seconds of the evening step (0: leave it out)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "live-summit.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for backend in args.backends:
            for workers in args.workers:
                row = run(backend, workers, args.people, Path(folder), args.evening)
                print(json.dumps(row), flush=True)
                rows.append(row)
    args.out.write_text(table(rows, args))
    print(args.out.read_text())


if __name__ == "__main__":
    main()

"""Dots at summit scale: many people spending their dots at once, on SQLite and PostgreSQL, and the print of
the table cards for a hall of tables.

    .venv/bin/python bench/room/dots.py [--people 1000] [--threads 16] [--postgres URL]

Builds a session of ``people`` participants at tables of ten with three cards per table, opens the voting
(3 dots), and lets ``threads`` workers spend everyone's dots at the same time: each person three dots, then a
fourth (refused) and a second dot on a card they voted (refused). Reports the time per dot (p50/p95/p99),
dots per second, and what the database holds afterwards: the dots stored (must be 3 per person), anyone
above 3, any card voted twice by one person. Then the table cards as PDF. Prints a Markdown table."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from werkkring.actions import sessions as session_actions  # noqa: E402
from werkkring.actions import votes as vote_actions  # noqa: E402
from werkkring.actions.permissions import SYSTEM  # noqa: E402
from werkkring.errors import InputError  # noqa: E402
from werkkring.queries import present as present_queries  # noqa: E402
from werkkring.queries.sessions import get_session  # noqa: E402
from werkkring.queries.votes import Voter  # noqa: E402
from werkkring.store import Database, upgrade  # noqa: E402
from werkkring.store.models import Contribution, Member, Registration, Vote  # noqa: E402

TABLE = 10


def build(database: Database, people: int) -> tuple[int, list[int], dict[int, list[int]]]:
    """A session with ``people`` seated at tables of ten, three cards per table; returns the session, the
    people, and the cards of each table."""
    with database.transaction() as session:
        host = Member(name="Host", email="host@bench.example", role="host")
        session.add(host)
        members = [Member(name=f"Deelnemer {i:04d}", email=f"p{i}@bench.example") for i in range(people)]
        session.add_all(members)
        session.flush()
        ws = session_actions.create_session(
            session,
            title="Burgertop",
            question="Wat moet er anders?",
            starts_at=dt.datetime(2026, 12, 20),
            actor=host,
        )
        session.add_all(Registration(session_id=ws.id, member_id=m.id) for m in members)
        session.flush()
        ids = [m.id for m in members]
        groups = [ids[i : i + TABLE] for i in range(0, len(ids), TABLE)]
        made = session_actions.seat_groups(session, ws, groups, actor=host)
        cards: dict[int, list[int]] = {}
        for group in made:
            rows = [
                Contribution(
                    session_id=ws.id, group_id=group.id, author_id=None, text=f"Kaart {group.number}.{k}"
                )
                for k in range(3)
            ]
            session.add_all(rows)
            session.flush()
            cards[group.number] = [row.id for row in rows]
        ws.status = "running"
        session.flush()
        vote_actions.open_voting(session, ws, actor=SYSTEM)
        return ws.id, ids, cards


def spend(
    database: Database, ws_id: int, ids: list[int], cards: dict[int, list[int]], threads: int
) -> dict[str, float]:
    all_cards = [c for group in sorted(cards) for c in cards[group]]
    times: list[float] = []
    refused = {"fourth": 0, "twice": 0, "other": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def work(part: list[tuple[int, int]]) -> None:
        barrier.wait()
        for index, person in part:
            voter = Voter(member_id=person)
            chosen = [all_cards[(index * 7 + k * 31) % len(all_cards)] for k in range(4)]
            for card in chosen[:3]:
                start = time.perf_counter()
                try:
                    vote_actions.cast_vote(database, ws_id, card, voter=voter)
                except InputError:
                    with lock:
                        refused["other"] += 1
                with lock:
                    times.append(time.perf_counter() - start)
            for card, what in ((chosen[3], "fourth"), (chosen[0], "twice")):
                try:
                    vote_actions.cast_vote(database, ws_id, card, voter=voter)
                except InputError:
                    with lock:
                        refused[what] += 1

    people = list(enumerate(ids))
    parts = [people[i::threads] for i in range(threads)]
    workers = [threading.Thread(target=work, args=(part,)) for part in parts]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - start
    times.sort()

    def pct(q: float) -> float:
        return times[min(len(times) - 1, int(q * len(times)))] * 1000

    with database.reader() as session:
        stored = session.scalar(select(func.count()).select_from(Vote).where(Vote.session_id == ws_id)) or 0
        per_voter = (
            select(Vote.voter, func.count().label("n")).where(Vote.session_id == ws_id).group_by(Vote.voter)
        )
        above = (
            session.scalar(select(func.count()).select_from(per_voter.subquery()).where(text("n > 3"))) or 0
        )
        pairs = (
            select(Vote.voter, Vote.contribution_id, func.count().label("n"))
            .where(Vote.session_id == ws_id)
            .group_by(Vote.voter, Vote.contribution_id)
        )
        doubled = session.scalar(select(func.count()).select_from(pairs.subquery()).where(text("n > 1"))) or 0
    return {
        "dots": len(times),
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "mean": statistics.fmean(times) * 1000,
        "per_s": len(times) / wall,
        "wall": wall,
        "stored": stored,
        "expected": 3 * len(ids),
        "above": above,
        "doubled": doubled,
        "refused_fourth": refused["fourth"],
        "refused_twice": refused["twice"],
        "refused_other": refused["other"],
    }


def cards_pdf(database: Database, ws_id: int) -> tuple[int, float]:
    from werkkring.outreach import html_to_pdf
    from werkkring.web.common import templates

    with database.reader() as session:
        ws = get_session(session, ws_id)
        tables = present_queries.tables(session, ws)
        html = templates.get_template("present_cards.html").render(
            ws=ws, tables=tables, index=[], join_code=None, qr=None, locale="nl"
        )
    start = time.perf_counter()
    html_to_pdf(html)
    return len(tables), time.perf_counter() - start


def run(label: str, database: Database, people: int, threads: int, rows: list[str], notes: list[str]) -> None:
    ws_id, ids, cards = build(database, people)
    found = spend(database, ws_id, ids, cards, threads)
    rows.append(
        f"| {label} | {people} | {threads} | {found['dots']:.0f} | {found['p50']:.0f} | {found['p95']:.0f} | "
        f"{found['p99']:.0f} | {found['per_s']:.0f} | {found['stored']:.0f} / {found['expected']:.0f} | "
        f"{found['above']:.0f} | {found['doubled']:.0f} | "
        f"{found['refused_fourth']:.0f} / {found['refused_twice']:.0f} |"
    )
    if label == "SQLite":
        tables, seconds = cards_pdf(database, ws_id)
        notes.append(f"Table cards as PDF: {tables} tables in {seconds:.1f} s.")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--postgres", default=os.environ.get("WERKKRING_BENCH_PG_URL", ""))
    args = parser.parse_args()
    rows = [
        "| database | people | threads | dots | p50 ms | p95 ms | p99 ms | dots/s | stored / expected "
        "| above 3 | doubled | 4th / twice refused |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(f"sqlite:///{tmp}/bench.db")
        upgrade(engine=database.engine)
        run("SQLite", database, args.people, args.threads, rows, notes)
        database.dispose()
    if args.postgres:
        name = f"werkkring_bench_{os.getpid()}"
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
        try:
            upgrade(url)
            database = Database(url)
            run("PostgreSQL", database, args.people, args.threads, rows, notes)
            database.dispose()
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    load = os.getloadavg()
    print(
        f"Machine: {os.cpu_count()} cores ({platform.machine()}), Python {platform.python_version()}, "
        f"load average {load[0]:.1f} at the end.\n"
    )
    print("\n".join(rows))
    print("\n" + "\n".join(notes))


if __name__ == "__main__":
    main()

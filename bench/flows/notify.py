"""What telling people costs: a host cancels a session that N members signed up for, and the weekly digest
goes to N members with five waiting notifications each.

    .venv/bin/python bench/flows/notify.py [--members 100 1000]

Times (on a temporary SQLite file) the host's request (the
cancellation with its notification rows and the mail job, up to the commit) apart from the job that writes
the mails after it (to an outbox folder, as without SMTP), then the digest job. Prints a Markdown table."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from werkkring.actions import session_edits  # noqa: E402
from werkkring.actions import sessions as session_actions  # noqa: E402
from werkkring.config import Settings  # noqa: E402
from werkkring.jobs import notify as notify_jobs  # noqa: E402
from werkkring.jobs.runner import JobBackend  # noqa: E402
from werkkring.queries.sessions import get_session  # noqa: E402
from werkkring.store import Database, upgrade  # noqa: E402
from werkkring.store.models import Member, Notification, Registration  # noqa: E402


def _network(database: Database, members: int) -> tuple[int, int]:
    with database.transaction() as session:
        host = Member(name="Hanna Host", email="host@example.org", role="host")
        session.add(host)
        session.flush()
        session.execute(
            insert(Member),
            [{"name": f"Lid {i}", "email": f"lid{i}@example.org", "language": "nl"} for i in range(members)],
        )
        ws = session_actions.create_session(
            session,
            title="Werksessie",
            question="Wat nu?",
            starts_at=dt.datetime(2027, 5, 1, 19, 30),
            place="Utrecht",
            actor=host,
        )
        ids = session.scalars(select(Member.id).where(Member.id != host.id)).all()
        session.execute(insert(Registration), [{"session_id": ws.id, "member_id": i} for i in ids])
        return host.id, ws.id


def run(members: int, folder: Path) -> list[tuple[str, int, float]]:
    url = f"sqlite:///{folder / f'bench-{members}.db'}"
    upgrade(url)
    database = Database(url)
    settings = Settings.from_env(
        {"WERKKRING_OUTBOX": str(folder / f"outbox-{members}"), "WERKKRING_JOBS_URL": "immediate"}
    )
    rows: list[tuple[str, int, float]] = []
    host_id, session_id = _network(database, members)

    # The request alone: no job runner, so the mail job only waits in the table.
    start = time.perf_counter()
    with database.transaction() as session:
        host = session.get(Member, host_id)
        ws = get_session(session, session_id)
        assert host is not None
        session_edits.cancel_session(session, ws, "De zaal is niet beschikbaar", actor=host)
    rows.append(("cancel: the host's request (to the commit)", members, time.perf_counter() - start))

    backend = JobBackend(database, settings)
    try:
        job_id = (
            database.engine.connect()
            .exec_driver_sql("SELECT id FROM jobs WHERE kind = 'notify.mail'")
            .scalar_one()
        )
        start = time.perf_counter()
        backend.runner.run(job_id)
        rows.append(("cancel: the mail job (one mail each)", members, time.perf_counter() - start))
        sent = len(list(settings.outbox_dir.glob("*.eml")))
        assert sent == members, (sent, members)

        with database.transaction() as session:
            ids = session.scalars(select(Member.id).where(Member.id != host_id)).all()
            session.execute(
                insert(Notification),
                [
                    {
                        "member_id": i,
                        "kind": "initiative_update",
                        "mode": "digest",
                        "params": {"title": f"Initiatief {n}", "path": "/initiatives/1", "text": "Nieuws"},
                        "created_at": dt.datetime(2027, 5, 3),
                    }
                    for i in ids
                    for n in range(5)
                ],
            )
        start = time.perf_counter()
        assert notify_jobs.start_weekly_digest(database, settings, now=dt.datetime(2027, 5, 10, 0, 7))
        rows.append(("weekly digest (5 notifications each)", members, time.perf_counter() - start))
        assert len(list(settings.outbox_dir.glob("*.eml"))) == 2 * members
    finally:
        backend.close()
        database.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, nargs="+", default=[100, 1000])
    args = parser.parse_args()
    rows: list[tuple[str, int, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        for members in args.members:
            rows += run(members, Path(folder))
    print("| step | members | seconds | per member (ms) |")
    print("| --- | ---: | ---: | ---: |")
    for step, members, seconds in rows:
        print(f"| {step} | {members:,} | {seconds:.2f} | {1000 * seconds / members:.2f} |")


if __name__ == "__main__":
    main()

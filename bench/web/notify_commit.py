"""What a NOTIFY inside a transaction costs PostgreSQL's commit rate: 20 threads commit small transactions
(one INSERT each), without and with a ``pg_notify`` in the same transaction, twice in turn. PostgreSQL takes
one lock for every transaction that has notified, from its pre-commit until the commit is done, so those
commits happen one at a time. Loopback only, a scratch table, a few seconds.

    python bench/web/notify_commit.py            # prints transactions per second
"""

from __future__ import annotations

import os
import threading
import time
import uuid

import psycopg

URL = os.environ.get("WERKKRING_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test").replace(
    "postgresql+psycopg://", "postgresql://"
)
THREADS = 20
EACH = 60


def main() -> None:
    table = f"bench_notify_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(URL, autocommit=True) as connection:
        connection.execute(f"CREATE TABLE {table} (id serial PRIMARY KEY, t text)")  # type: ignore[arg-type]
    try:

        def work(notify: bool) -> None:
            with psycopg.connect(URL) as connection:
                for _ in range(EACH):
                    connection.execute(f"INSERT INTO {table} (t) VALUES ('x')")  # type: ignore[arg-type]
                    if notify:
                        connection.execute("SELECT pg_notify('bench_notify', 'x')")
                    connection.commit()

        print("| transactions | tx/s |\n|---|---:|")
        for notify in (False, True, False, True):
            threads = [threading.Thread(target=work, args=(notify,)) for _ in range(THREADS)]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            rate = THREADS * EACH / (time.perf_counter() - began)
            print(f"| INSERT{' + pg_notify' if notify else ''} | {rate:,.0f} |", flush=True)
    finally:
        with psycopg.connect(URL, autocommit=True) as connection:
            connection.execute(f"DROP TABLE {table}")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()

"""Helpers for tests that run the real `werkkring` command."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path


def run_cli(
    *args: str, database_url: str | None = None, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if database_url is not None:
        env["WERKKRING_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "werkkring", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def at_once(*actions: Callable[[], object]) -> list[object]:
    """Run the actions on threads that start at the same moment (two presses, two tabs); each one's result,
    or the error it raised, in the order given."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = actions[index]()
        except Exception as error:  # the test looks at which one lost, and why
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results

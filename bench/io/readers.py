"""How long the file readers take now that every value meets its limit: the strict parse plus the checks.

Writes generated files of realistic shape (a member export, a consultation's contributions, a summit's
participants, member profiles) and times each reader on them, best of three, next to Python's plain csv
module reading the same file (what the readers did before, without checks). Run:

    .venv/bin/python bench/io/readers.py [--rows 100000] [--out bench/results/io-readers.md]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from werkkring.io.contributions import read_contributions
from werkkring.io.members_csv import COLUMNS, read_members_csv
from werkkring.io.members_jsonl import read_members
from werkkring.io.participants import read_participants

WORDS = (
    "samen werken netwerk coaching boekhouding website vertaling subsidie luisteren ruimte vertrouwen "
    "leren delen ondernemen zorg buurt energie jongeren ouderen cultuur veilig plek tijd geld gemeente"
).split()


def sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def members_csv(rng: random.Random, rows: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for i in range(rows):
        writer.writerow(
            [
                f"Lid {i} {rng.choice(WORDS).title()}",
                f"lid{i}@example.org",
                "Utrecht",
                rng.choice(["NL", "BE", "CH"]),
                rng.randint(1950, 2000),
                (dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3000))).isoformat(),
                sentence(rng, 3, 12) + "\n" + sentence(rng, 3, 8),
                sentence(rng, 3, 10),
                ";".join(rng.sample(WORDS, 3)),
                f"Kerkstraat {rng.randint(1, 200)}",
                f"{rng.randint(1000, 9999)} AB",
                "Utrecht",
                rng.choice(["ja", "nee"]),
                "",
                "member",
                rng.choice(["nl", "en"]),
                "email=private" if rng.random() < 0.3 else "",
            ]
        )
    return out.getvalue()


def contributions_tsv(rng: random.Random, rows: int) -> str:
    lines = ["text\tgroup\tauthor"]
    for i in range(rows):
        lines.append(f"{sentence(rng, 6, 40)}\t{i % 500 + 1}\tp{i}")
    return "\n".join(lines) + "\n"


def participants_csv(rng: random.Random, rows: int) -> str:
    lines = ["id,role,age,region,expertise"]
    for i in range(rows):
        lines.append(f"p{i},,{rng.randint(18, 90)},{rng.choice(WORDS)},{';'.join(rng.sample(WORDS, 2))}")
    return "\n".join(lines) + "\n"


def members_jsonl(rng: random.Random, rows: int) -> str:
    records = (
        {"id": f"m{i}", "needs": sentence(rng, 3, 10), "offers": [sentence(rng, 2, 8) for _ in range(3)]}
        for i in range(rows)
    )
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def best_of(runs: int, call: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def plain_csv(path: Path, delimiter: str) -> Callable[[], object]:
    def read() -> object:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.reader(handle, delimiter=delimiter))

    return read


def plain_jsonl(path: Path) -> Callable[[], object]:
    def read() -> object:
        with path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    return read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    rng = random.Random(0)
    folder = Path(tempfile.mkdtemp(prefix="werkkring-bench-io-"))
    cases: list[tuple[str, Path, Callable[[], object], Callable[[], object]]] = []
    path = folder / "members.csv"
    path.write_text(members_csv(rng, args.rows), encoding="utf-8")
    cases.append(
        (
            "members CSV (17 columns)",
            path,
            lambda: read_members_csv(folder / "members.csv"),
            plain_csv(path, ","),
        )
    )
    path = folder / "contributions.tsv"
    path.write_text(contributions_tsv(rng, args.rows), encoding="utf-8")
    cases.append(
        (
            "contributions TSV",
            path,
            lambda: read_contributions(
                folder / "contributions.tsv", group_column="group", author_column="author"
            ),
            plain_csv(path, "\t"),
        )
    )
    path = folder / "participants.csv"
    path.write_text(participants_csv(rng, args.rows), encoding="utf-8")
    cases.append(
        (
            "participants CSV",
            path,
            lambda: read_participants(folder / "participants.csv"),
            plain_csv(path, ","),
        )
    )
    path = folder / "members.jsonl"
    path.write_text(members_jsonl(rng, args.rows), encoding="utf-8")
    cases.append(("members JSONL", path, lambda: read_members(folder / "members.jsonl"), plain_jsonl(path)))

    lines = [
        f"# File readers: strict parse and limits ({args.rows:,} rows a file)",
        "",
        f"`.venv/bin/python bench/io/readers.py --rows {args.rows}`; best of 3; load average "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} at the start "
        "(figures are upper bounds when others run).",
        "",
        "| file | size | werkkring reader | plain parse (no checks) | rows a second |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, file, reader, plain in cases:
        ours = best_of(3, reader)
        base = best_of(3, plain)
        size = file.stat().st_size / 2**20
        lines.append(f"| {name} | {size:.1f} MB | {ours:.2f} s | {base:.2f} s | {args.rows / ours:,.0f} |")
        print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

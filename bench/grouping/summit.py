"""Summit-scale grouping benchmark: 1,000 people at 100 tables of 10 with table hosts. Forming the groups,
seating late arrivals after the lock (all at once, one by one, random legal seats), and the next rounds.

    python bench/grouping/summit.py            # about 30 s of wall clock on 2 shared cores (10 s of CPU)
    python bench/grouping/summit.py --write    # also writes bench/results/grouping-summit.md

Synthetic room from bench/grouping/synthetic.py (seeded): tenure band (2 values), region (7), circle (12), all
skewed, age and years in the network, and 100 table hosts (10 %). No data files are needed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import summit_room

from werkkring.engines.grouping import (
    Participants,
    evaluate,
    form_groups,
    next_round,
    place_arrivals,
)

ROOT = Path(__file__).resolve().parents[2]
TABLES = 100
SIZE = 10


def rule_outside(room: Participants, groups: Sequence[int]) -> int:
    """Persons outside the floor/ceiling of the fair share, over groups and values held by 2+ people."""
    g = np.asarray(groups)
    k = int(g.max()) + 1
    sizes = np.bincount(g, minlength=k)
    n = len(g)
    total = 0
    for values in room.categorical.values():
        labels, codes = np.unique(np.array([v or "" for v in values]), return_inverse=True)
        counts = np.bincount(codes, minlength=len(labels))
        table = np.zeros((k, len(labels)), dtype=np.int64)
        np.add.at(table, (g, codes), 1)
        share = sizes[:, None] * counts[None, :]
        lo, hi = share // n, -(-share // n)
        judged = (counts >= 2) & (labels != "")
        total += int((np.maximum(lo - table, 0) + np.maximum(table - hi, 0))[:, judged].sum())
    return total


def host_spread(room: Participants, groups: Sequence[int], k: int) -> tuple[int, int]:
    """(tables with exactly one host, the most hosts at one table)."""
    per = np.bincount(np.asarray(groups)[np.array(room.hosts)], minlength=k)
    return int((per == 1).sum()), int(per.max())


def row(room: Participants, groups: Sequence[int], k: int, seconds: float | None, **extra: object) -> dict:
    m = evaluate(room, list(groups))
    ones, most = host_spread(room, groups, k)
    sizes = np.bincount(np.asarray(groups), minlength=k)
    return {
        "bss": m.bss_over_tss,
        "num": m.numeric_bss_over_tss,
        "dev": m.max_category_deviation,
        "outside": rule_outside(room, groups),
        "one_host": ones,
        "most_hosts": most,
        "sizes": f"{sizes.min()}-{sizes.max()}",
        "seconds": seconds,
        **extra,
    }


def random_legal(
    seated: Mapping[str, int], arrivals: Sequence[str], capacity: int, k: int, rng: np.random.Generator
) -> dict[str, int]:
    """Each arrival at a random table that still has a seat (what a door list without an engine does)."""
    final = dict(seated)
    sizes = np.bincount(list(seated.values()), minlength=k)
    for pid in arrivals:
        options = np.flatnonzero(sizes < capacity)
        g = int(rng.choice(options))
        final[pid] = g
        sizes[g] += 1
    return final


def fmt(x: object) -> str:
    """A count as a whole number, a mean of counts with one decimal."""
    value = float(x)  # type: ignore[arg-type]
    return f"{value:.0f}" if value.is_integer() else f"{value:.1f}"


def timed(call: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    out = call()
    return out, time.perf_counter() - start


def arrivals_table(
    say: Callable[[str], None],
    people: Participants,
    on_time: int,
    capacity: int,
    seed: int,
    tables: int = TABLES,
    one_by_one: bool = True,
) -> None:
    ids = list(people.ids)
    first = people.subset(range(on_time))
    formed = form_groups(first, groups=tables, seed=seed)
    seated = dict(zip(ids[:on_time], formed.assignment, strict=True))
    arrivals = ids[on_time:]
    rows: list[tuple[str, dict]] = []
    result, secs = timed(lambda: place_arrivals(people, seated, arrivals, capacity=capacity))
    final = {**seated, **result.placed}  # type: ignore[attr-defined]
    rows.append(("engine, all at once", row(people, [final[p] for p in ids], tables, secs)))
    step = dict(seated)
    start = time.perf_counter()
    clicks = []
    for pid in arrivals if one_by_one else []:
        one, s = timed(lambda pid=pid: place_arrivals(people, step, [pid], capacity=capacity))
        clicks.append(s)
        step.update(one.placed)  # type: ignore[attr-defined]
    total = time.perf_counter() - start
    if one_by_one:
        click = f"{np.median(clicks):.3f} / {max(clicks):.3f}"
        rows.append(("engine, one by one", row(people, [step[p] for p in ids], tables, total, click=click)))
    rng = np.random.default_rng(seed)
    randoms = [random_legal(seated, arrivals, capacity, tables, rng) for _ in range(10)]
    stats = [row(people, [r[p] for p in ids], tables, None) for r in randoms]
    mean = {
        key: float(np.mean([s[key] for s in stats]))
        for key in ("bss", "num", "dev", "outside", "one_host", "most_hosts")
    }
    mean["sizes"] = stats[0]["sizes"]
    mean["seconds"] = None
    rows.append(("random free seat (mean of 10)", mean))
    say(
        f"{on_time:,} seated at {tables:,} tables (sizes {formed.sizes[-1]}-{formed.sizes[0]}), "
        f"{len(arrivals)} arrive after the lock, at most {capacity} per table. Before the arrivals the "
        f"floor/ceiling rule held everywhere (max dev {formed.max_category_deviation})."
    )
    say("")
    say(
        "| method | BSS/TSS | numeric BSS/TSS | max dev | persons outside the rule | tables with one host | "
        "most hosts at a table | sizes | seconds | per click (median / max) |"
    )
    say("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for name, r in rows:
        secs = "" if r["seconds"] is None else f"{r['seconds']:.2f}"
        say(
            f"| {name} | {r['bss']:.4f} | {r['num']:.5f} | {fmt(r['dev'])} | {fmt(r['outside'])} | "
            f"{fmt(r['one_host'])} | {fmt(r['most_hosts'])} | {r['sizes']} | {secs} | {r.get('click', '')} |"
        )
    say("")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    seed = args.seed
    lines: list[str] = []

    def say(text: str) -> None:
        lines.append(text)
        print(text, file=sys.stderr)

    load_start = os.getloadavg()
    say("# Grouping at summit scale")
    say("")
    say("Command: `python bench/grouping/summit.py` ")
    say(
        f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}, NumPy {np.__version__}; "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"
    )
    say(
        f"Load average at the start: {load_start[0]:.1f} (1 min), {load_start[1]:.1f} (5 min): other helpers "
        "share the 2 cores, so the seconds are upper bounds."
    )
    say("")
    people = summit_room(1050, hosts=100, seed=seed)
    ids = list(people.ids)
    room = people.subset(range(1000))

    say("## Forming: 1,000 people at 100 tables of 10, 100 table hosts (10 pinned by the organiser)")
    say("")
    pins = {ids[i]: i for i in range(10)}  # the first ten hosts pinned to tables 1-10
    formed, secs = timed(lambda: form_groups(room, groups=TABLES, fixed=pins, seed=seed))
    rng = np.random.default_rng(seed)
    base = row(room, formed.assignment, TABLES, secs)  # type: ignore[attr-defined]
    rand = row(room, rng.permutation(np.arange(1000) % TABLES).tolist(), TABLES, None)
    say(
        "| method | BSS/TSS | numeric BSS/TSS | numeric vs random | max dev | persons outside the rule | "
        "tables with one host | seconds |"
    )
    say("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in (("engine", base), ("random", rand)):
        secs_text = "" if r["seconds"] is None else f"{r['seconds']:.2f}"
        say(
            f"| {name} | {r['bss']:.4f} | {r['num']:.5f} | {100 * r['num'] / rand['num']:.2f} % | "
            f"{r['dev']} | {r['outside']} | {r['one_host']} | {secs_text} |"
        )
    pinned_ok = all(formed.assignment[i] == i for i in range(10))  # type: ignore[attr-defined]
    say("")
    say(f"Pinned hosts at their tables: {'yes' if pinned_ok else 'NO'}.")
    say("")

    say("## Late arrivals after the lock")
    say("")
    say(
        "`engine, all at once` is one `place_arrivals` call for everyone; `one by one` is one call per "
        "arrival in order of arrival (the host clicking each name); `random free seat` puts each arrival "
        "at a random table with a seat left. `persons outside the rule` sums, over tables and values, how "
        "far a table's count of a value lies outside the floor/ceiling of its fair share."
    )
    say("")
    say("### 950 on time, 50 fill the free seats")
    say("")
    arrivals_table(say, people.subset(range(1000)), 950, SIZE, seed)
    say("### 1,000 seated, 50 more, one extra seat per table")
    say("")
    arrivals_table(say, people, 1000, SIZE + 1, seed)

    say("### 10,000 seated at 1,000 tables, 200 more, one extra seat per table")
    say("")
    arrivals_table(
        say, summit_room(10200, hosts=1000, seed=seed), 10000, SIZE + 1, seed, 1000, one_by_one=False
    )
    say("### Exact placement against the search alone (10 arrivals, 1,000 seated, at most 11 per table)")
    say("")
    seated = dict(zip(ids[:1000], formed.assignment, strict=True))  # type: ignore[attr-defined]
    ten = people.subset(list(range(1010)))
    say("| method | BSS/TSS | persons outside the rule | seconds |")
    say("|---|---:|---:|---:|")
    for name, exact in (("exact (dynamic programming)", True), ("search only", False)):
        res, s = timed(lambda exact=exact: place_arrivals(ten, seated, capacity=11, exact=exact))
        final = {**seated, **res.placed}  # type: ignore[attr-defined]
        r = row(ten, [final[p] for p in ten.ids], TABLES, s)
        say(f"| {name} | {r['bss']:.6f} | {r['outside']} | {s:.2f} |")
    say("")

    say("## Next rounds (world café: the table hosts stay, the others move)")
    say("")
    say(
        "Round 1 is the forming above plus the 50 late arrivals of the second case seated by the engine. "
        "Round 2: 30 people have left (the 1,020 others at 100 tables). Round 3 from rounds 1 and 2, the "
        "same room. `pairs meeting again` counts pairs who shared a table in an earlier round; "
        "`form_groups` is the plain forming without the rounds (what happens without `next_round`)."
    )
    say("")
    first_round = {**seated}
    late, _ = timed(lambda: place_arrivals(people, seated, ids[1000:], capacity=11))
    first_round.update(late.placed)  # type: ignore[attr-defined]
    stay = [i for i in range(1050) if not 500 <= i < 530]
    room2 = people.subset(stay)
    ids2 = list(room2.ids)
    previous = [first_round]
    say(
        "| round | method | pairs meeting again | hosts at the same table | BSS/TSS | numeric BSS/TSS | "
        "max dev | persons outside the rule | tables with one host | seconds |"
    )
    say("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    hosts2 = [pid for pid, h in zip(ids2, room2.hosts, strict=True) if h]
    for number in (2, 3):
        met = set()
        for rnd in previous:
            tables: dict[int, list[str]] = {}
            for pid, g in rnd.items():
                tables.setdefault(g, []).append(pid)
            for t in tables.values():
                t.sort()
                met |= {(a, b) for i, a in enumerate(t) for b in t[i + 1 :]}
        nxt, s_next = timed(lambda: next_round(room2, previous, groups=TABLES, seed=seed))
        plain, s_plain = timed(lambda: form_groups(room2, groups=TABLES, seed=seed))
        randomized = np.random.default_rng(seed + number).permutation(np.arange(len(ids2)) % TABLES).tolist()
        for name, assignment, s in (
            ("next_round", nxt.assignment, s_next),  # type: ignore[attr-defined]
            ("form_groups", plain.assignment, s_plain),  # type: ignore[attr-defined]
            ("random", randomized, None),
        ):
            g = dict(zip(ids2, assignment, strict=True))
            again = sum(1 for a, b in met if a in g and b in g and g[a] == g[b])
            same = sum(1 for h in hosts2 if previous[-1].get(h) == g[h])
            r = row(room2, assignment, TABLES, s)
            secs_text = "" if s is None else f"{s:.2f}"
            say(
                f"| {number} | {name} | {again} | {same} of {len(hosts2)} | {r['bss']:.4f} | "
                f"{r['num']:.5f} | {r['dev']} | {r['outside']} | {r['one_host']} | {secs_text} |"
            )
        previous.append(dict(zip(ids2, nxt.assignment, strict=True)))  # type: ignore[attr-defined]
    say("")
    load_end = os.getloadavg()
    say(f"Load average at the end: {load_end[0]:.1f} (1 min), {load_end[1]:.1f} (5 min).")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        (ROOT / "bench" / "results" / "grouping-summit.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

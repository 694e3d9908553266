"""Grouping benchmark: the engine side by side with random assignment, counting off and the exact optimum.

    python bench/grouping/run.py            # everything (about 10 minutes on 2 cores)
    python bench/grouping/run.py --quick    # n = 1,000 and the small rooms only

Writes a Markdown table to stdout (and to bench/results/grouping.md with --write). Synthetic rooms come from
bench/grouping/synthetic.py (seeded); no data files are needed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "grouping"))

from synthetic import room

from werkkring.engines.grouping import Participants, evaluate, form_groups, form_rounds

ROOT = Path(__file__).resolve().parents[2]


def counting_off(people: Participants, k: int) -> list[int]:
    """What a facilitator does by hand: sort the room (by age, then the other attributes), count off 1..k."""
    keys = [np.array(v, dtype=float) for v in people.numeric.values()]
    keys += [np.unique(np.array(v, dtype=str), return_inverse=True)[1] for v in people.categorical.values()]
    order = np.lexsort(keys[::-1])
    out = np.empty(len(people), dtype=np.int64)
    out[order] = np.arange(len(people)) % k
    return out.tolist()


def one_size(n: int, size: int, seed: int) -> dict[str, object]:
    """Engine, random and counting off on one synthetic room; run in its own process for a clean peak RSS."""
    people = room(n, seed=seed)
    k = -(-n // size)
    rows: dict[str, object] = {}
    start = time.perf_counter()
    result = form_groups(people, size=size, seed=seed)
    engine_seconds = time.perf_counter() - start
    rows["engine"] = {
        "bss": result.bss_over_tss,
        "num": result.numeric_bss_over_tss,
        "dev": result.max_category_deviation,
        "seconds": engine_seconds,
    }
    rss_engine = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rng = np.random.default_rng(seed + 1)
    baselines = {
        "random": rng.permutation(np.arange(n) % k).tolist(),
        "counting off": counting_off(people, k),
    }
    for name, assignment in baselines.items():
        m = evaluate(people, assignment)
        rows[name] = {"bss": m.bss_over_tss, "num": m.numeric_bss_over_tss, "dev": m.max_category_deviation}
    return {"n": n, "size": size, "k": k, "rows": rows, "peak_rss_mb": rss_engine}


def small_rooms() -> list[dict[str, object]]:
    """Rooms small enough to enumerate every partition: engine (exact), plain search, exhaustive optimum."""
    from grouping_brute import features, partitions, ratio, rule_holds

    out = []
    for n, size, seed in [(12, 3, 1), (12, 4, 2), (15, 5, 3), (14, 7, 4)]:
        people = room(n, seed=seed)
        k = -(-n // size)
        base, extra = divmod(n, k)
        sizes = [base + 1] * extra + [base] * (k - extra)
        X, _ = features(people)
        start = time.perf_counter()
        feasible = [ratio(X, g) for g in partitions(list(range(n)), sizes) if rule_holds(people, g)]
        brute_seconds = time.perf_counter() - start
        exact = form_groups(people, size=size, seed=seed)
        search = form_groups(people, size=size, seed=seed, exact=False)
        rng = np.random.default_rng(seed)
        rand = evaluate(people, rng.permutation(np.arange(n) % k).tolist())
        off = evaluate(people, counting_off(people, k))
        out.append(
            {
                "n": n,
                "size": size,
                "partitions_meeting_rule": len(feasible),
                "optimum": min(feasible) if feasible else None,
                "brute_seconds": brute_seconds,
                "exact": exact.bss_over_tss,
                "exact_seconds": exact.seconds,
                "search": search.bss_over_tss,
                "search_seconds": search.seconds,
                "random": rand.bss_over_tss,
                "counting_off": off.bss_over_tss,
                "counting_off_dev": off.max_category_deviation,
            }
        )
    return out


def golfer(rounds: int, construction: bool, seed: int, limit: float) -> dict[str, object]:
    people = Participants(ids=[f"g{i}" for i in range(32)])
    result = form_rounds(
        people, rounds=rounds, size=4, seed=seed, time_limit=limit, construction=construction
    )
    return {
        "rounds": rounds,
        "construction": construction,
        "seed": seed,
        "repeat_pairs": result.repeat_pairs,
        "rounds_without_repeat": result.rounds_without_repeat,
        "seconds": result.seconds,
    }


def child(args: list[str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    data: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--golf", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-construction", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--golf-limit", type=float, default=60.0)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one, 6, args.seed)))
        return
    if args.golf:
        print(json.dumps(golfer(args.golf, not args.no_construction, args.seed, args.golf_limit)))
        return

    lines: list[str] = []
    say = lines.append
    say("# Grouping benchmark")
    say("")
    say(f"Command: `python bench/grouping/run.py{' --quick' if args.quick else ''}` ")
    say(
        f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, NumPy {np.__version__}; "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"
    )
    say(f"Load average at the start: {os.getloadavg()[0]:.1f} (the machine is shared; times are wall clock).")
    say("")
    say("## Large rooms, groups of 6")
    say("")
    say(
        "Synthetic rooms (`bench/grouping/synthetic.py`, seed 0): tenure band (2 values), region (7) and "
        "circle (12), all skewed (Zipf-like), plus age and years in the network. `numeric vs random` is the "
        "numeric BSS/TSS as a share of random assignment's (target at most 1 %). `max dev` is the "
        "max_category_deviation (persons outside the floor/ceiling of the fair share; target 0)."
    )
    say("")
    columns = ["n", "groups", "method", "BSS/TSS", "numeric BSS/TSS", "numeric vs random", "max dev"]
    say("| " + " | ".join([*columns, "seconds", "peak RSS"]) + " |")
    say("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    sizes = [1000] if args.quick else [1000, 10000, 100000]
    for n in sizes:
        data = child(["--one", str(n), "--seed", str(args.seed)])
        rows = data["rows"]
        assert isinstance(rows, dict)
        rand_num = rows["random"]["num"]
        for name in ("engine", "counting off", "random"):
            r = rows[name]
            secs = f"{r['seconds']:.2f}" if "seconds" in r else ""
            rss = f"{data['peak_rss_mb']:.0f} MB" if name == "engine" else ""
            say(
                f"| {n:,} | {data['k']:,} | {name} | {r['bss']:.4f} | {r['num']:.5f} | "
                f"{100 * r['num'] / rand_num:.2f} % | {r['dev']} | {secs} | {rss} |"
            )
        print(lines[-3], file=sys.stderr)
    say("")
    say("Peak RSS: the whole process for that room (Python, NumPy, the room), right after the engine ran.")
    say("")
    say("## Small rooms against the exhaustive optimum")
    say("")
    say(
        "Every partition into the given sizes that meets the floor/ceiling rule is enumerated "
        "(`tests/grouping/grouping_brute.py`, independent code); `optimum` is the lowest BSS/TSS among them. "
        "The engine solves rooms up to 15 people exactly (dynamic programming over subsets); `search` is "
        "the same room through the large-room search alone, for comparison."
    )
    say("")
    say(
        "| n | size | partitions meeting the rule | optimum | engine (exact) | engine s | search only | "
        "random | counting off (max dev) |"
    )
    say("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in small_rooms():
        say(
            f"| {r['n']} | {r['size']} | {r['partitions_meeting_rule']:,} | {r['optimum']:.5f} | "
            f"{r['exact']:.5f} | {r['exact_seconds']:.2f} | {r['search']:.5f} | {r['random']:.5f} | "
            f"{r['counting_off']:.5f} ({r['counting_off_dev']}) |"
        )
    say("")
    if not args.quick:
        say("## Repeated rounds: 32 people in groups of 4 (social golfer 8-4-w)")
        say("")
        say(
            f"Time limit {args.golf_limit:.0f} s per run. `search only` is greedy rounds plus the tabu "
            "search, growing the run of repeat-free rounds one round at a time; `with construction` also "
            "uses the affine-geometry rounds (GF(2)^5, 9 rounds at most). `rounds without repeat` is how "
            "many rounds (put first) have no pair meeting twice; `repeat meetings` counts the extra "
            "meetings in all rounds asked for."
        )
        say("")
        say("| rounds asked | method | seed | rounds without repeat | repeat meetings | seconds |")
        say("|---:|---|---:|---:|---:|---:|")
        for rounds, construction in [(8, False), (9, False), (10, False), (9, True), (10, True)]:
            seeds = [0, 1] if not construction and rounds < 10 else [0]
            for seed in seeds:
                extra = [] if construction else ["--no-construction"]
                g = child(
                    ["--golf", str(rounds), "--seed", str(seed), "--golf-limit", str(args.golf_limit), *extra]
                )
                name = "with construction" if construction else "search only"
                say(
                    f"| {rounds} | {name} | {seed} | {g['rounds_without_repeat']} | {g['repeat_pairs']} | "
                    f"{g['seconds']:.1f} |"
                )
                print(lines[-1], file=sys.stderr)
        say("")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
        (ROOT / "bench" / "results" / "grouping.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

"""Introduction rounds: 200 members, 20 weekly rounds. No pair may repeat; everyone who takes part is placed.

    python bench/connections/rounds.py [--members 200] [--rounds 20] [--out FILE.md]

Members get a need and two offers from ../shared/data/sib200-nld (Dutch texts), one of ten circles, and in
the second scenario a mix of frequencies (70 % weekly, 20 % biweekly, 10 % monthly) and 10 % opted out.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from networks import load

from werkkring.engines.connections import (
    Introduction,
    MemberProfile,
    introduction_round,
    pair_values,
    takes_part,
)


def members(n: int, mixed: bool, seed: int = 0) -> list[MemberProfile]:
    texts = [t for t, _ in load("sib200-nld")]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        frequency = "weekly"
        opt_in = True
        if mixed:
            frequency = rng.choices(["weekly", "biweekly", "monthly"], [0.7, 0.2, 0.1])[0]
            opt_in = rng.random() >= 0.1
        out.append(
            MemberProfile(
                id=f"m{i:03d}",
                needs=(rng.choice(texts),),
                offers=(rng.choice(texts), rng.choice(texts)),
                circle=f"circle-{rng.randrange(10)}",
                opt_in=opt_in,
                frequency=frequency,  # type: ignore[arg-type]
            )
        )
    return out


def run(profiles: list[MemberProfile], rounds: int) -> dict[str, str]:
    start = time.perf_counter()
    values = pair_values(profiles)
    t_values = time.perf_counter() - start
    history: list[Introduction] = []
    unplaced = 0
    trios = 0
    times = []
    value_sum = 0.0
    index = {p.id: i for i, p in enumerate(profiles)}
    for round_no in range(1, rounds + 1):
        t = time.perf_counter()
        groups = introduction_round(
            profiles, history, round_no=round_no, no_repeat_within=rounds, values=values
        )
        times.append(time.perf_counter() - t)
        placed = Counter(m for g in groups for m in g)
        expected = {p.id for p in profiles if takes_part(p, round_no)}
        assert all(c == 1 for c in placed.values())
        unplaced += len(expected - set(placed))
        trios += sum(len(g) == 3 for g in groups)
        for g in groups:
            for a, b in itertools.combinations(g, 2):
                history.append(Introduction(a, b, round_no))
                value_sum += float(values[index[a], index[b]])
    pairs = Counter(frozenset((h.a, h.b)) for h in history)
    return {
        "members taking part (opted in)": str(sum(p.opt_in for p in profiles)),
        "rounds": str(rounds),
        "introductions made": str(len(history)),
        "repeated pairs": str(sum(c - 1 for c in pairs.values())),
        "participant-rounds left unplaced": str(unplaced),
        "trios (odd counts)": str(trios),
        "mean match value of an introduction": f"{value_sum / max(1, len(history)):.3f}",
        "pair values (text space), once": f"{t_values:.1f} s",
        "time per round (median)": f"{sorted(times)[len(times) // 2]:.2f} s",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    weekly = run(members(args.members, mixed=False), args.rounds)
    mixed = run(members(args.members, mixed=True), args.rounds)
    lines = ["| measure | all weekly | mixed frequencies, 10 % opted out |", "|---|---:|---:|"]
    lines += [f"| {k} | {weekly[k]} | {mixed[k]} |" for k in weekly]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

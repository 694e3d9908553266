"""`werkkring groups form | rounds | place | next`: groups that are a good mix, late arrivals, rounds."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from werkkring.limits import SEED

_FILE = {"exists": True, "dir_okay": False, "readable": True}

# The options the commands share, declared once.
Participants = Annotated[Path, typer.Argument(help="CSV with id, optional role, attributes.", **_FILE)]
Size = Annotated[int | None, typer.Option("--size", min=1, help="Largest group size.")]
GroupCount = Annotated[int | None, typer.Option("--groups", min=1, help="Number of groups.")]
Apart = Annotated[Path | None, typer.Option("--apart", help="CSV id_a,id_b to keep apart.", **_FILE)]
Together = Annotated[Path | None, typer.Option("--together", help="CSV set,id to keep together.", **_FILE)]
Seed = Annotated[
    int,
    typer.Option("--seed", min=SEED.minimum, max=SEED.maximum, help="Random seed; same seed, same groups."),
]
TimeLimit = Annotated[
    float | None, typer.Option("--time-limit", min=0.0, help="Stop searching after SECONDS.")
]
Report = Annotated[Path | None, typer.Option("--report", help="Write a report (JSON).")]
Numeric = Annotated[str | None, typer.Option("--numeric", help="COL,... to read as numbers.")]
Categorical = Annotated[str | None, typer.Option("--categorical", help="COL,... to read as categories.")]
HistoryWeight = Annotated[
    float, typer.Option("--history-weight", min=0.0, help="Cost of a pair meeting again.")
]
History = Annotated[
    Path | None, typer.Option("--history", help="CSV session,group,id of earlier groups.", **_FILE)
]

groups_app = typer.Typer(
    help="Breakout groups that each resemble the whole room (anticlustering).",
    no_args_is_help=True,
)


def _write(out: Path | None, write: Any) -> None:
    if out is None:
        write(sys.stdout)
    else:
        with out.open("w", encoding="utf-8", newline="") as handle:
            write(handle)


@groups_app.command("form")
def groups_form(
    participants: Participants,
    size: Size = None,
    groups: GroupCount = None,
    history: History = None,
    apart: Apart = None,
    together: Together = None,
    seed: Seed = 0,
    time_limit: TimeLimit = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write id,group here (default: stdout).")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write the quality report (JSON).")] = None,
    numeric: Numeric = None,
    categorical: Categorical = None,
    history_weight: HistoryWeight = 1.0,
) -> None:
    """Split PARTICIPANTS into groups that are each a good mix of the whole room."""
    from werkkring.engines.grouping import form_groups
    from werkkring.io.participants import (
        read_apart,
        read_history,
        read_participants,
        read_together,
        write_groups,
    )

    if size is None and groups is None:
        raise typer.BadParameter("give --size or --groups", param_hint="--size")
    people = read_participants(participants, numeric=numeric, categorical=categorical)
    result = form_groups(
        people,
        size=size,
        groups=groups,
        history=read_history(history) if history else (),
        history_weight=history_weight,
        apart=read_apart(apart, people.ids) if apart else (),
        together=read_together(together, people.ids) if together else {},
        seed=seed,
        time_limit=time_limit,
    )
    _write(out, lambda handle: write_groups(handle, people.ids, result.assignment))
    data = {
        "n": len(people),
        "groups": result.groups,
        "sizes": list(result.sizes),
        "bss_over_tss": result.bss_over_tss,
        "numeric_bss_over_tss": result.numeric_bss_over_tss,
        "max_category_deviation": result.max_category_deviation,
        "repeat_pairs": result.repeat_pairs,
        "seconds": result.seconds,
    }
    if report is not None:
        report.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    typer.echo(
        f"{len(people)} people in {result.groups} groups of {min(result.sizes)}-{max(result.sizes)}: "
        f"BSS/TSS {result.bss_over_tss:.4f} (numeric {result.numeric_bss_over_tss:.5f}), "
        f"max category deviation {result.max_category_deviation}, repeat pairs {result.repeat_pairs}, "
        f"{result.seconds:.2f} s" + (" (exact optimum)" if result.exact else ""),
        err=True,
    )


@groups_app.command("rounds")
def groups_rounds(
    participants: Participants,
    rounds: Annotated[int, typer.Option("--rounds", min=1, help="Number of rounds.")],
    size: Size = None,
    groups: GroupCount = None,
    hosts_stay: Annotated[
        bool,
        typer.Option("--hosts-stay/--hosts-move", help="Table hosts keep one table in every round."),
    ] = False,
    seed: Annotated[int, typer.Option("--seed", min=SEED.minimum, max=SEED.maximum, help="Random seed.")] = 0,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.0, help="Stop searching after SECONDS.")
    ] = 60.0,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write id,round,group here (default: stdout).")
    ] = None,
    report: Report = None,
    numeric: Numeric = None,
    categorical: Categorical = None,
) -> None:
    """Several rounds of groups in which no pair meets twice where possible, each round a good mix."""
    from werkkring.engines.grouping import form_rounds
    from werkkring.io.participants import read_participants, write_rounds

    if size is None and groups is None:
        raise typer.BadParameter("give --size or --groups", param_hint="--size")
    people = read_participants(participants, numeric=numeric, categorical=categorical)
    result = form_rounds(
        people,
        rounds=rounds,
        size=size,
        groups=groups,
        hosts_stay=hosts_stay,
        seed=seed,
        time_limit=time_limit,
    )
    _write(out, lambda handle: write_rounds(handle, people.ids, result.rounds))
    data = {
        "n": len(people),
        "groups": len(result.sizes),
        "sizes": list(result.sizes),
        "rounds": rounds,
        "rounds_without_repeat": result.rounds_without_repeat,
        "repeat_pairs": result.repeat_pairs,
        "bss_over_tss": [m.bss_over_tss for m in result.round_metrics],
        "numeric_bss_over_tss": [m.numeric_bss_over_tss for m in result.round_metrics],
        "max_category_deviation": [m.max_category_deviation for m in result.round_metrics],
        "seconds": result.seconds,
    }
    if report is not None:
        report.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    typer.echo(
        f"{len(people)} people, {rounds} rounds of {len(result.sizes)} groups: "
        f"{result.rounds_without_repeat} rounds without a repeat meeting, "
        f"{result.repeat_pairs} repeat meetings in all, {result.seconds:.1f} s",
        err=True,
    )


@groups_app.command("place")
def groups_place(
    participants: Participants,
    seated: Annotated[
        Path, typer.Option("--seated", help="CSV id,group of who sits where (groups from 1).", **_FILE)
    ],
    arrivals: Annotated[
        Path | None,
        typer.Option(
            "--arrivals", help="CSV id of the arrivals in order (default: all not seated).", **_FILE
        ),
    ] = None,
    capacity: Annotated[
        int | None, typer.Option("--capacity", min=1, help="Most people per group (default: no limit).")
    ] = None,
    groups: Annotated[
        int | None, typer.Option("--groups", min=1, help="Number of groups (default: the highest seated).")
    ] = None,
    pins: Annotated[
        Path | None, typer.Option("--pins", help="CSV id,group pinning arrivals to groups.", **_FILE)
    ] = None,
    history: History = None,
    apart: Apart = None,
    together: Together = None,
    partial: Annotated[
        bool, typer.Option("--partial", help="Seat whoever can be seated; list the others with the reason.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write id,group of everyone here (default: stdout).")
    ] = None,
    report: Report = None,
    numeric: Numeric = None,
    categorical: Categorical = None,
    history_weight: HistoryWeight = 1.0,
) -> None:
    """Seat late arrivals in locked groups, each where the mix suffers least; nobody seated moves."""
    from werkkring.engines.grouping import place_arrivals
    from werkkring.io.participants import (
        read_apart,
        read_history,
        read_ids,
        read_participants,
        read_seating,
        read_together,
        write_seating,
    )

    people = read_participants(participants, numeric=numeric, categorical=categorical)
    sitting = read_seating(seated, people.ids)
    result = place_arrivals(
        people,
        sitting,
        read_ids(arrivals, people.ids) if arrivals else None,
        groups=groups,
        capacity=capacity,
        apart=read_apart(apart, people.ids) if apart else (),
        together=read_together(together, people.ids) if together else {},
        fixed=read_seating(pins, people.ids) if pins else None,
        history=read_history(history) if history else (),
        history_weight=history_weight,
        partial=partial,
    )
    everyone = {**sitting, **result.placed}
    _write(out, lambda handle: write_seating(handle, people.ids, everyone))
    data = {
        "n": sum(result.sizes),
        "groups": len(result.sizes),
        "sizes": list(result.sizes),
        "placed": {pid: g + 1 for pid, g in result.placed.items()},
        "unplaced": [{"id": u.id, "reason": u.reason.message} for u in result.unplaced],
        "bss_over_tss": result.metrics.bss_over_tss,
        "numeric_bss_over_tss": result.metrics.numeric_bss_over_tss,
        "max_category_deviation": result.metrics.max_category_deviation,
        "host_deviation": result.host_deviation,
        "repeat_pairs": result.metrics.repeat_pairs,
        "optimal": result.optimal,
        "seconds": result.seconds,
    }
    if report is not None:
        report.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    for unseated in result.unplaced:
        typer.echo(f"not seated: {unseated.id}: {unseated.reason.message}", err=True)
    typer.echo(
        f"{len(result.placed)} arrivals seated, {len(result.unplaced)} not; {sum(result.sizes)} people in "
        f"{len(result.sizes)} groups of {min(result.sizes)}-{max(result.sizes)}: BSS/TSS "
        f"{result.metrics.bss_over_tss:.4f}, max category deviation {result.metrics.max_category_deviation}, "
        f"{result.seconds:.2f} s" + (" (exact optimum)" if result.optimal else ""),
        err=True,
    )


@groups_app.command("next")
def groups_next(
    participants: Annotated[
        Path, typer.Argument(help="CSV with id, optional role, attributes: who is here now.", **_FILE)
    ],
    previous: Annotated[
        Path, typer.Option("--previous", help="CSV id,round,group of the rounds so far.", **_FILE)
    ],
    size: Size = None,
    groups: GroupCount = None,
    hosts_stay: Annotated[
        bool,
        typer.Option("--hosts-stay/--hosts-move", help="Table hosts keep their table (the world café rule)."),
    ] = True,
    pins: Annotated[
        Path | None, typer.Option("--pins", help="CSV id,group pinning people to groups.", **_FILE)
    ] = None,
    apart: Apart = None,
    together: Together = None,
    seed: Seed = 0,
    time_limit: TimeLimit = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write id,group here (default: stdout).")] = None,
    report: Report = None,
    numeric: Numeric = None,
    categorical: Categorical = None,
) -> None:
    """The next round: nobody meets someone from an earlier round again where possible, each group a mix."""
    from werkkring.engines.grouping import next_round
    from werkkring.io.participants import (
        read_apart,
        read_participants,
        read_rounds,
        read_seating,
        read_together,
        write_groups,
    )

    if size is None and groups is None:
        raise typer.BadParameter("give --size or --groups", param_hint="--size")
    people = read_participants(participants, numeric=numeric, categorical=categorical)
    rounds = read_rounds(previous)
    result = next_round(
        people,
        rounds,
        size=size,
        groups=groups,
        hosts_stay=hosts_stay,
        fixed=read_seating(pins, people.ids) if pins else None,
        apart=read_apart(apart, people.ids) if apart else (),
        together=read_together(together, people.ids) if together else {},
        seed=seed,
        time_limit=time_limit,
    )
    _write(out, lambda handle: write_groups(handle, people.ids, result.assignment))
    data = {
        "n": len(people),
        "groups": result.groups,
        "sizes": list(result.sizes),
        "previous_rounds": len(rounds),
        "repeat_pairs": result.repeat_pairs,
        "bss_over_tss": result.bss_over_tss,
        "numeric_bss_over_tss": result.numeric_bss_over_tss,
        "max_category_deviation": result.max_category_deviation,
        "seconds": result.seconds,
    }
    if report is not None:
        report.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    typer.echo(
        f"round {len(rounds) + 1}: {len(people)} people in {result.groups} groups of "
        f"{min(result.sizes)}-{max(result.sizes)}, {result.repeat_pairs} pairs meeting again, "
        f"max category deviation {result.max_category_deviation}, {result.seconds:.2f} s",
        err=True,
    )

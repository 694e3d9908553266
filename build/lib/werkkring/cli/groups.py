"""`werkkring groups form` and `werkkring groups rounds`: breakout groups that are a good mix."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

_FILE = {"exists": True, "dir_okay": False, "readable": True}

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
    participants: Annotated[Path, typer.Argument(help="CSV with id, optional role, attributes.", **_FILE)],
    size: Annotated[int | None, typer.Option("--size", min=1, help="Largest group size.")] = None,
    groups: Annotated[int | None, typer.Option("--groups", min=1, help="Number of groups.")] = None,
    history: Annotated[
        Path | None, typer.Option("--history", help="CSV session,group,id of earlier groups.", **_FILE)
    ] = None,
    apart: Annotated[
        Path | None, typer.Option("--apart", help="CSV id_a,id_b to keep apart.", **_FILE)
    ] = None,
    together: Annotated[
        Path | None, typer.Option("--together", help="CSV set,id to keep together.", **_FILE)
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same groups.")] = 0,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", min=0.0, help="Stop searching after SECONDS.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write id,group here (default: stdout).")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write the quality report (JSON).")] = None,
    numeric: Annotated[str | None, typer.Option("--numeric", help="COL,... to read as numbers.")] = None,
    categorical: Annotated[
        str | None, typer.Option("--categorical", help="COL,... to read as categories.")
    ] = None,
    history_weight: Annotated[
        float, typer.Option("--history-weight", min=0.0, help="Cost of a pair meeting again.")
    ] = 1.0,
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
    participants: Annotated[Path, typer.Argument(help="CSV with id, optional role, attributes.", **_FILE)],
    rounds: Annotated[int, typer.Option("--rounds", min=1, help="Number of rounds.")],
    size: Annotated[int | None, typer.Option("--size", min=1, help="Largest group size.")] = None,
    groups: Annotated[int | None, typer.Option("--groups", min=1, help="Number of groups.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.0, help="Stop searching after SECONDS.")
    ] = 60.0,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write id,round,group here (default: stdout).")
    ] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write a report (JSON).")] = None,
    numeric: Annotated[str | None, typer.Option("--numeric", help="COL,... to read as numbers.")] = None,
    categorical: Annotated[
        str | None, typer.Option("--categorical", help="COL,... to read as categories.")
    ] = None,
) -> None:
    """Several rounds of groups in which no pair meets twice where possible, each round a good mix."""
    from werkkring.engines.grouping import form_rounds
    from werkkring.io.participants import read_participants, write_rounds

    if size is None and groups is None:
        raise typer.BadParameter("give --size or --groups", param_hint="--size")
    people = read_participants(participants, numeric=numeric, categorical=categorical)
    result = form_rounds(people, rounds=rounds, size=size, groups=groups, seed=seed, time_limit=time_limit)
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

"""Files of the connections commands: MEMBERS.jsonl in, KNOWN.csv / INTROS.csv in, matches and pairs out.

MEMBERS.jsonl has one JSON object a line::

    {"id": "m1", "needs": "help with my website", "offers": ["coaching", "bookkeeping"],
     "tags": ["zzp"], "circle": "Utrecht", "opt_in": true, "frequency": "weekly"}

``id`` (string or integer) is required; ``needs`` and ``offers`` may each be one string or a list of strings
(at least one of the two must be present); ``tags`` a string or list; ``circle`` a string or null;
``opt_in`` a boolean (default true); ``frequency`` one of weekly, biweekly, monthly (default weekly).
Unknown keys are ignored (a profile export may carry more). Blank lines are skipped. Every bad line is
reported with file name and line number, all at once.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from werkkring.engines.connections import FREQUENCIES, Introduction, MemberMatches, MemberProfile
from werkkring.errors import InputError, Problem


def _texts(value: Any, name: str, source: str, line: int, problems: list[Problem]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v for v in value if v.strip())
    problems.append(Problem(f"{name} must be a string or a list of strings", source, line, name))
    return ()


def parse_members(lines: Iterable[str], source: str = "<members>") -> list[MemberProfile]:
    """Member profiles from JSON lines; raises InputError naming every bad line."""
    problems: list[Problem] = []
    profiles: list[MemberProfile] = []
    first_line: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as error:
            problems.append(Problem(f"not valid JSON ({error.msg} at column {error.colno})", source, number))
            continue
        if not isinstance(record, dict):
            problems.append(Problem("each line must be a JSON object", source, number))
            continue
        before = len(problems)
        member_id = record.get("id")
        if isinstance(member_id, bool) or not isinstance(member_id, str | int) or not str(member_id).strip():
            problems.append(Problem("missing or empty 'id'", source, number, "id"))
            continue
        member_id = str(member_id).strip()
        if member_id in first_line:
            problems.append(
                Problem(
                    f"duplicate id {member_id!r} (first on line {first_line[member_id]})",
                    source,
                    number,
                    "id",
                )
            )
            continue
        first_line[member_id] = number
        if "needs" not in record and "offers" not in record:
            problems.append(Problem("needs at least one of 'needs' and 'offers'", source, number, "needs"))
        needs = _texts(record.get("needs"), "needs", source, number, problems)
        offers = _texts(record.get("offers"), "offers", source, number, problems)
        tags = _texts(record.get("tags"), "tags", source, number, problems)
        circle = record.get("circle")
        if circle is not None and not isinstance(circle, str | int):
            problems.append(Problem("circle must be a string or null", source, number, "circle"))
        opt_in = record.get("opt_in", True)
        if not isinstance(opt_in, bool):
            problems.append(Problem("opt_in must be true or false", source, number, "opt_in"))
        frequency = record.get("frequency", "weekly")
        if frequency not in FREQUENCIES:
            problems.append(
                Problem(f"frequency must be one of {', '.join(FREQUENCIES)}", source, number, "frequency")
            )
        if len(problems) > before:
            continue
        profiles.append(
            MemberProfile(
                id=member_id,
                needs=needs,
                offers=offers,
                tags=tags,
                circle=None if circle is None else str(circle),
                opt_in=opt_in,
                frequency=frequency,
            )
        )
    if problems:
        raise InputError(problems)
    return profiles


def read_members(path: Path) -> list[MemberProfile]:
    with _open(path) as handle:
        return parse_members(handle, str(path))


def _open(path: Path) -> TextIO:
    try:
        return path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}", source=str(path)) from error


def _csv_rows(
    path: Path, columns: Sequence[str], optional: Sequence[str] = ()
) -> list[tuple[int, list[str]]]:
    """Rows of a small CSV with a header of ``columns`` (or none), as (line, values)."""
    rows: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    with _open(path) as handle:
        reader = csv.reader(handle)
        for record in reader:
            number = reader.line_num
            if not record or all(not v.strip() for v in record):
                continue
            values = [v.strip() for v in record]
            if number == 1 and [v.casefold() for v in values[: len(columns)]] == list(columns):
                continue
            if len(values) < len(columns) or len(values) > len(columns) + len(optional):
                expected = ",".join([*columns, *(f"[{o}]" for o in optional)])
                problems.append(Problem(f"expected {expected}, got {len(values)} values", str(path), number))
                continue
            missing = [c for c, v in zip(columns, values, strict=False) if not v]
            if missing:
                problems.append(Problem("empty value", str(path), number, missing[0]))
                continue
            rows.append((number, values))
    if problems:
        raise InputError(problems)
    return rows


def read_known(path: Path) -> list[tuple[str, str]]:
    """KNOWN.csv: ``id_a,id_b`` a line (header optional): pairs that already know each other."""
    return [(v[0], v[1]) for _, v in _csv_rows(path, ("id_a", "id_b"))]


def read_intros(path: Path) -> list[Introduction]:
    """INTROS.csv: ``id_a,id_b,round`` a line (header optional): past introductions."""
    intros = []
    problems = []
    for number, v in _csv_rows(path, ("id_a", "id_b", "round")):
        try:
            intros.append(Introduction(v[0], v[1], int(v[2])))
        except ValueError:
            problems.append(
                Problem(f"round must be a whole number, got {v[2]!r}", str(path), number, "round")
            )
    if problems:
        raise InputError(problems)
    return intros


def matches_to_jsonl(results: Sequence[MemberMatches], handle: TextIO) -> None:
    """matches.jsonl: ``{"id", "matches": [{"id", "score", "why"}]}`` one line per member, input order."""
    for result in results:
        record = {
            "id": result.id,
            "matches": [{"id": m.id, "score": m.score, "why": m.why} for m in result.matches],
        }
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def pairs_to_csv(groups: Sequence[tuple[str, ...]], handle: TextIO) -> None:
    """pairs.csv: ``id_a,id_b[,id_c]`` with a header; a trio fills the third column."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["id_a", "id_b", "id_c"])
    for group in groups:
        writer.writerow([*group, *([""] * (3 - len(group)))])

"""Files of the connections commands: MEMBERS.jsonl in, KNOWN.csv / INTROS.csv in, matches and pairs out.

MEMBERS.jsonl has one JSON object a line::

    {"id": "m1", "needs": "help with my website", "offers": ["coaching", "bookkeeping"],
     "tags": ["zzp"], "circle": "Utrecht", "opt_in": true, "frequency": "weekly"}

``id`` (string or integer) is required; ``needs`` and ``offers`` may each be one string or a list of strings
(at least one of the two must be present); ``tags`` a string or list; ``circle`` a string or null;
``opt_in`` a boolean (default true); ``frequency`` one of weekly, biweekly, monthly (default weekly).
Unknown keys are ignored (a profile export may carry more). Blank lines are skipped. UTF-8 with or without
a byte order mark. Every bad line is reported with file name and line number (and the column where the JSON
breaks), all at once; NaN, Infinity and a key given twice in one object are refused.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from werkkring.engines.connections import FREQUENCIES, Introduction, MemberMatches, MemberProfile
from werkkring.errors import InputError, Problem
from werkkring.io._files import read_text, records
from werkkring.limits import FILES, MEMBER, Limit, shown


class _Refused(ValueError):
    """A JSON value werkkring does not take (NaN, Infinity, a key given twice)."""


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number werkkring takes")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, value in pairs:
        if key in record:
            raise _Refused(f"the key {shown(key)!r} appears twice in one object")
        record[key] = value
    return record


def _load(raw: str, source: str, number: int) -> tuple[Any, Problem | None]:
    """One line's JSON value, or the problem with it (with the column where the parser stopped)."""
    try:
        return json.loads(raw, parse_constant=_constant, object_pairs_hook=_object), None
    except json.JSONDecodeError as error:
        problem = Problem(f"not valid JSON ({error.msg})", source, number, column=error.colno)
    except _Refused as error:
        problem = Problem(str(error), source, number)
    except RecursionError:
        problem = Problem("not valid JSON: nested too deeply", source, number)
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        problem = Problem(f"not valid JSON: {shown(str(error))}", source, number)
    return None, problem


def _texts(
    value: Any, name: str, limit: Limit[str], source: str, line: int, problems: list[Problem]
) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        problems.append(Problem(f"{name} must be a string or a list of strings", source, line, name))
        return ()
    texts = []
    for item in items:
        checked = limit.clean(item, field=name, source=source, line=line)
        problems.extend(checked.problems)
        if checked.value:
            texts.append(checked.value)
    return tuple(texts)


def parse_members(lines: Iterable[str], source: str = "<members>") -> list[MemberProfile]:
    """Member profiles from JSON lines; raises InputError naming every bad line (and the column where the
    JSON breaks). Texts meet :data:`werkkring.limits.MEMBER` (needs, offers) and
    :data:`werkkring.limits.FILES` (ids, tags, circles). A file with no member at all is an error too."""
    problems: list[Problem] = []
    profiles: list[MemberProfile] = []
    first_line: dict[str, int] = {}
    seen_any = False
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        seen_any = True
        record, problem = _load(raw, source, number)
        if problem is not None:
            problems.append(problem)
            continue
        if not isinstance(record, dict):
            problems.append(Problem("each line must be a JSON object", source, number))
            continue
        before = len(problems)
        member_id = record.get("id")
        if isinstance(member_id, bool) or not isinstance(member_id, str | int) or not str(member_id).strip():
            problems.append(Problem("missing or empty 'id'", source, number, "id"))
            continue
        checked_id = FILES["participant_id"].clean(str(member_id), field="id", source=source, line=number)
        if checked_id.value is None:
            problems.extend(checked_id.problems)
            continue
        member_id = checked_id.value
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
        needs = _texts(record.get("needs"), "needs", MEMBER["needs"], source, number, problems)
        offers = _texts(record.get("offers"), "offers", MEMBER["offers"], source, number, problems)
        tags = _texts(record.get("tags"), "tags", FILES["tag"], source, number, problems)
        circle = record.get("circle")
        if circle is not None and (isinstance(circle, bool) or not isinstance(circle, str | int)):
            problems.append(Problem("circle must be a string or null", source, number, "circle"))
            circle = None
        elif circle is not None:
            checked_circle = FILES["circle"].clean(str(circle), field="circle", source=source, line=number)
            problems.extend(checked_circle.problems)
            circle = checked_circle.value
        opt_in = record.get("opt_in", True)
        if not isinstance(opt_in, bool):
            problems.append(Problem("opt_in must be true or false", source, number, "opt_in"))
        frequency = record.get("frequency", "weekly")
        if not isinstance(frequency, str) or frequency not in FREQUENCIES:
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
                circle=circle or None,
                opt_in=opt_in,
                frequency=frequency,
            )
        )
    if not seen_any:
        problems.append(Problem("holds no members: one JSON object a line is needed", source, 1))
    if problems:
        raise InputError(problems)
    return profiles


def read_members(path: Path) -> list[MemberProfile]:
    """A MEMBERS.jsonl file: UTF-8 with or without a byte order mark, one JSON object a line."""
    return parse_members(read_text(path).split("\n"), str(path))


_LIMIT_OF = {"group": "group"}
"""Each column's limit in :data:`werkkring.limits.FILES` for the small CSV files; ids otherwise."""


def _csv_rows(
    path: Path, columns: Sequence[str], optional: Sequence[str] = ()
) -> list[tuple[int, list[str]]]:
    """Rows of a small CSV with a header of ``columns`` (or none), as (line, values), read strictly."""
    rows: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    source = str(path)
    for record in records(read_text(path), ",", source, problems):
        number = record.line
        values = [v.strip() for v in record.values]
        if number == 1 and [v.casefold() for v in values[: len(columns)]] == list(columns):
            continue
        if len(values) < len(columns) or len(values) > len(columns) + len(optional):
            expected = ",".join([*columns, *(f"[{o}]" for o in optional)])
            problems.append(Problem(f"expected {expected}, got {len(values)} values", source, number))
            continue
        missing = [c for c, v in zip(columns, values, strict=False) if not v]
        if missing:
            problems.append(Problem("empty value", source, number, missing[0]))
            continue
        found = [
            problem
            for column, value in zip(columns, values, strict=False)
            if column != "round"  # a whole number, read by the caller
            for problem in FILES[_LIMIT_OF.get(column, "participant_id")].problems(value, field=column)
        ]
        if found:
            problems.extend(dataclasses.replace(p, source=source, line=number) for p in found)
            continue
        rows.append((number, values))
    if problems:
        raise InputError(problems)
    return rows


def read_known(path: Path) -> list[tuple[str, str]]:
    """KNOWN.csv: ``id_a,id_b`` a line (header optional): pairs that already know each other."""
    return [(v[0], v[1]) for _, v in _csv_rows(path, ("id_a", "id_b"))]


def read_groups(path: Path) -> list[list[str]]:
    """GROUPS.csv: ``group,id`` a line (header optional): who sat together in recent breakout groups."""
    groups: dict[str, list[str]] = {}
    for _, (group, member_id) in _csv_rows(path, ("group", "id")):
        groups.setdefault(group, []).append(member_id)
    return list(groups.values())


def read_intros(path: Path) -> list[Introduction]:
    """INTROS.csv: ``id_a,id_b,round`` a line (header optional): past introductions."""
    intros = []
    problems = []
    for number, v in _csv_rows(path, ("id_a", "id_b", "round")):
        try:
            round_no = FILES["round"].clean(v[2], field="round").value
            if round_no is None:
                raise ValueError(v[2])
            intros.append(Introduction(v[0], v[1], round_no))
        except ValueError:
            problems.append(
                Problem(f"round must be a whole number, got {shown(v[2])!r}", str(path), number, "round")
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

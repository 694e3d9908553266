"""Participant, history and constraint files for the grouping engine, and the files it writes.

PARTICIPANTS: a header with ``id`` (required), ``role`` (optional) and attributes: numeric when every
non-empty value is a number, a tag set when values hold ``;``, else categorical.
HISTORY: ``session,group,id``. APART: ``id_a,id_b``. TOGETHER: ``set,id``.
Comma, semicolon or tab separated; UTF-8 (with or without BOM); read strictly (:mod:`werkkring.io._files`).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from werkkring.engines.grouping import Participants
from werkkring.errors import InputError, Problem
from werkkring.io._files import Row, Table, guess_delimiter, read_text
from werkkring.io._files import read_table as _read_table
from werkkring.limits import FILES, Limit, shown


def read_table(path: Path | str, required: Sequence[str] = ()) -> Table:
    """A delimited file with a header, read strictly (:func:`werkkring.io._files.read_table`): comma,
    semicolon or tab from the first line (tab for .tsv). Raises InputError when the header is missing or
    lacks a ``required`` column; other problems of shape stay in ``table.problems`` for the reader to
    report together with its own, and the rows they concern are left out of ``table.rows``."""
    path = Path(path)
    text = read_text(path)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else guess_delimiter(text)
    table = _read_table(text, str(path), delimiter=delimiter, required=required)
    index = table.index()
    if not table.header or any(name.lower() not in index for name in required):
        raise InputError(list(table.problems))
    return table


def _cells(
    table: Table, row: Row, limits: dict[int, Limit[str]], problems: list[Problem]
) -> list[str] | None:
    """A row's values, each checked against its column's limit; None when any is refused."""
    values = list(row.values)
    ok = True
    for column, limit in limits.items():
        checked = limit.clean(values[column], field=table.header[column], source=table.source, line=row.line)
        if checked.problems:
            problems.extend(checked.problems)
            ok = False
    return values if ok else None


def _number(text: str, delimiter: str) -> float | None:
    candidate = text.replace(",", ".") if delimiter != "," and text.count(",") == 1 else text
    try:
        value = float(candidate)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _split_names(names: Iterable[str] | str | None) -> list[str]:
    if names is None:
        return []
    if isinstance(names, str):
        names = names.split(",")
    return [n.strip() for n in names if n.strip()]


def read_participants(
    path: Path | str,
    *,
    numeric: Iterable[str] | str | None = None,
    categorical: Iterable[str] | str | None = None,
) -> Participants:
    """Participants from a file; ``numeric``/``categorical`` name columns whose kind is forced. Ids and
    values meet :data:`werkkring.limits.FILES`; every problem in the file is reported at once."""
    table = read_table(path, ["id"])
    index = table.index()
    source = table.source
    problems: list[Problem] = []
    force_num = _split_names(numeric)
    force_cat = _split_names(categorical)
    for name in force_num + force_cat:
        if name.lower() not in index:
            problems.append(Problem(f"column {shown(name)!r} is not in the header", source=source, line=1))
    lower = {name.lower(): name for name in table.header}
    for name in set(n.lower() for n in force_num) & set(n.lower() for n in force_cat):
        problems.append(
            Problem("is named both numeric and categorical", source=source, field=lower.get(name, name))
        )
    if problems:  # the options name columns the file does not have: nothing else can be read right
        raise InputError(problems)
    problems.extend(table.problems)
    num_set = {n.lower() for n in force_num}
    cat_set = {n.lower() for n in force_cat}

    id_col = index["id"]
    limits: dict[int, Limit[str]] = {
        i: FILES["participant_id"] if i == id_col else FILES["attribute"] for i in range(len(table.header))
    }
    rows: list[tuple[int, list[str]]] = []
    first_line: dict[str, int] = {}
    for row in table.rows:
        cells = _cells(table, row, limits, problems)
        if cells is None:
            continue
        pid = cells[id_col]
        if not pid:
            problems.append(Problem("has an empty id", source=source, line=row.line, field="id"))
        elif pid in first_line:
            problems.append(
                Problem(
                    f"duplicate id {pid!r} (first on line {first_line[pid]})",
                    source=source,
                    line=row.line,
                    field="id",
                )
            )
        else:
            first_line[pid] = row.line
        rows.append((row.line, cells))
    ids = [cells[id_col] for _, cells in rows]
    roles: list[str | None] | None = None
    if "role" in index:
        roles = [cells[index["role"]] or None for _, cells in rows]
    nums: dict[str, list[float | None]] = {}
    cats: dict[str, list[str | None]] = {}
    tags: dict[str, list[frozenset[str]]] = {}
    for col, name in enumerate(table.header):
        key = name.lower()
        if key in ("id", "role") or index.get(key) != col:
            continue
        values = [cells[col] for _, cells in rows]
        parsed = [_number(v, table.delimiter) if v else None for v in values]
        looks_numeric = all(p is not None for p, v in zip(parsed, values, strict=True) if v)
        if key in num_set or (key not in cat_set and looks_numeric and any(values)):
            for (line, _), p, v in zip(rows, parsed, values, strict=True):
                if v and p is None:
                    problems.append(
                        Problem(f"{shown(v)!r} is not a number", source=source, line=line, field=name)
                    )
            nums[name] = parsed
        elif key not in cat_set and table.delimiter != ";" and any(";" in v for v in values):
            tags[name] = [frozenset(t.strip() for t in v.split(";") if t.strip()) for v in values]
        else:
            cats[name] = [v or None for v in values]
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    return Participants(ids=ids, numeric=nums, categorical=cats, tags=tags, roles=roles)


def read_history(path: Path | str) -> list[list[str]]:
    """Past groups from ``session,group,id`` rows: one list of ids per (session, group)."""
    table = read_table(path, ["session", "group", "id"])
    index = table.index()
    groups: dict[tuple[str, str], list[str]] = {}
    problems: list[Problem] = list(table.problems)
    limits = _id_limits(index, id_columns=("id",), name_columns=("session", "group"))
    for row in table.rows:
        cells = _cells(table, row, limits, problems)
        if cells is None:
            continue
        line = row.line
        session, group, pid = cells[index["session"]], cells[index["group"]], cells[index["id"]]
        for name, value in (("session", session), ("group", group), ("id", pid)):
            if not value:
                problems.append(Problem(f"has an empty {name}", source=table.source, line=line, field=name))
        if session and group and pid:
            groups.setdefault((session, group), []).append(pid)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    return list(groups.values())


def read_apart(path: Path | str, ids: Sequence[str]) -> list[tuple[str, str]]:
    """Keep-apart pairs from ``id_a,id_b`` rows; every id must be a participant."""
    table = read_table(path, ["id_a", "id_b"])
    index = table.index()
    known = set(ids)
    pairs: list[tuple[str, str]] = []
    problems: list[Problem] = list(table.problems)
    limits = _id_limits(index, id_columns=("id_a", "id_b"))
    for row in table.rows:
        cells = _cells(table, row, limits, problems)
        if cells is None:
            continue
        line = row.line
        a, b = cells[index["id_a"]], cells[index["id_b"]]
        bad = False
        for name, value in (("id_a", a), ("id_b", b)):
            if value not in known:
                problems.append(
                    Problem(f"id {shown(value)!r} is not a participant", table.source, line, name)
                )
                bad = True
        if not bad and a == b:
            problems.append(Problem(f"pairs {a!r} with itself", source=table.source, line=line))
            bad = True
        if not bad:
            pairs.append((a, b))
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    return pairs


def read_together(path: Path | str, ids: Sequence[str]) -> dict[str, list[str]]:
    """Keep-together sets from ``set,id`` rows; every id must be a participant."""
    table = read_table(path, ["set", "id"])
    index = table.index()
    known = set(ids)
    sets: dict[str, list[str]] = {}
    problems: list[Problem] = list(table.problems)
    limits = _id_limits(index, id_columns=("id",), name_columns=("set",))
    for row in table.rows:
        cells = _cells(table, row, limits, problems)
        if cells is None:
            continue
        line = row.line
        name, pid = cells[index["set"]], cells[index["id"]]
        if not name:
            problems.append(Problem("has an empty set name", source=table.source, line=line, field="set"))
        elif pid not in known:
            problems.append(
                Problem(f"id {shown(pid)!r} is not a participant", source=table.source, line=line, field="id")
            )
        else:
            sets.setdefault(name, []).append(pid)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    return sets


def _id_limits(
    index: dict[str, int], *, id_columns: Sequence[str], name_columns: Sequence[str] = ()
) -> dict[int, Limit[str]]:
    limits: dict[int, Limit[str]] = {index[name]: FILES["participant_id"] for name in id_columns}
    limits.update({index[name]: FILES["group"] for name in name_columns})
    return limits


def write_groups(out: TextIO, ids: Sequence[str], assignment: Sequence[int]) -> None:
    """``id,group`` rows in input order, groups numbered from 1."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "group"])
    for pid, group in zip(ids, assignment, strict=True):
        writer.writerow([pid, group + 1])


def write_rounds(out: TextIO, ids: Sequence[str], rounds: Sequence[Sequence[int]]) -> None:
    """``id,round,group`` rows, round by round, participants in input order, numbered from 1."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "round", "group"])
    for r, assignment in enumerate(rounds, start=1):
        for pid, group in zip(ids, assignment, strict=True):
            writer.writerow([pid, r, group + 1])


def _group_number(text: str, source: str, line: int, field: str, problems: list[Problem]) -> int | None:
    """A group number from 1 in a file, as the engine's 0-based group; a problem naming line and column."""
    value = int(text) if text.isdigit() else 0
    if value < 1:
        problems.append(
            Problem(
                f"{shown(text)!r} is not a group number (1, 2, ...)", source=source, line=line, field=field
            )
        )
        return None
    return value - 1


def _known_once(
    pid: str, known: set[str], first: dict[str, int], where: tuple[str, int], problems: list[Problem]
) -> bool:
    """Whether an id is a participant not seen before in this file; a problem naming the line if not."""
    source, line = where
    if pid not in known:
        problems.append(
            Problem(f"id {shown(pid)!r} is not a participant", source=source, line=line, field="id")
        )
        return False
    if pid in first:
        problems.append(
            Problem(
                f"id {pid!r} appears twice (first on line {first[pid]})", source=source, line=line, field="id"
            )
        )
        return False
    first[pid] = line
    return True


def read_seating(path: Path | str, ids: Sequence[str]) -> dict[str, int]:
    """Who sits where, from ``id,group`` rows (what ``groups form`` writes; groups from 1, an empty group
    means not seated): the 0-based group of everyone seated. Every id must be a participant, once."""
    table = read_table(path, ["id", "group"])
    index = table.index()
    known = set(ids)
    seated: dict[str, int] = {}
    first: dict[str, int] = {}
    problems: list[Problem] = list(table.problems)
    limits = _id_limits(index, id_columns=("id",), name_columns=("group",))
    for row in table.rows:
        cells = _cells(table, row, limits, problems)
        if cells is None:
            continue
        pid, group = cells[index["id"]], cells[index["group"]]
        if _known_once(pid, known, first, (table.source, row.line), problems) and group:
            g = _group_number(group, table.source, row.line, "group", problems)
            if g is not None:
                seated[pid] = g
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    return seated


def read_ids(path: Path | str, ids: Sequence[str]) -> list[str]:
    """Ids from the ``id`` column in file order (arrivals in order of arrival); each a participant, once."""
    table = read_table(path, ["id"])
    index = table.index()
    known = set(ids)
    out: list[str] = []
    first: dict[str, int] = {}
    problems: list[Problem] = list(table.problems)
    limits = _id_limits(index, id_columns=("id",))
    for row in table.rows:
        cells = _cells(table, row, limits, problems)
        if cells is not None and _known_once(
            cells[index["id"]], known, first, (table.source, row.line), problems
        ):
            out.append(cells[index["id"]])
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    return out


def read_rounds(path: Path | str) -> list[dict[str, int]]:
    """Earlier rounds from ``id,round,group`` rows (what ``groups rounds`` writes): one mapping id -> 0-based
    group per round, rounds in numeric order (or in order of first appearance when not numbers). Ids of
    people who have left since are fine."""
    table = read_table(path, ["id", "round", "group"])
    index = table.index()
    rounds: dict[str, dict[str, int]] = {}
    lines: dict[tuple[str, str], int] = {}
    problems: list[Problem] = list(table.problems)
    limits = _id_limits(index, id_columns=("id",), name_columns=("round", "group"))
    for row in table.rows:
        cells = _cells(table, row, limits, problems)
        if cells is None:
            continue
        line = row.line
        pid, label, group = cells[index["id"]], cells[index["round"]], cells[index["group"]]
        for name, value in (("id", pid), ("round", label), ("group", group)):
            if not value:
                problems.append(Problem(f"has an empty {name}", source=table.source, line=line, field=name))
        if not (pid and label and group):
            continue
        if (label, pid) in lines:
            problems.append(
                Problem(
                    f"id {pid!r} is in round {label} twice (first on line {lines[(label, pid)]})",
                    source=table.source,
                    line=line,
                    field="id",
                )
            )
            continue
        lines[(label, pid)] = line
        g = _group_number(group, table.source, line, "group", problems)
        if g is not None:
            rounds.setdefault(label, {})[pid] = g
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    labels = list(rounds)
    if all(label.isdigit() for label in labels):
        labels.sort(key=int)
    return [rounds[label] for label in labels]


def write_seating(out: TextIO, ids: Sequence[str], seated: Mapping[str, int]) -> None:
    """``id,group`` rows for every participant in input order, groups from 1, empty for nobody seated."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "group"])
    for pid in ids:
        writer.writerow([pid, seated[pid] + 1 if pid in seated else ""])

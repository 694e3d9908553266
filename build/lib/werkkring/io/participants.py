"""Participant, history and constraint files for the grouping engine, and the files it writes.

PARTICIPANTS: a header with ``id`` (required), ``role`` (optional) and attributes: numeric when every
non-empty value is a number, a tag set when values hold ``;``, else categorical.
HISTORY: ``session,group,id``. APART: ``id_a,id_b``. TOGETHER: ``set,id``.
Comma, semicolon or tab separated; UTF-8 (with or without BOM).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from werkkring.engines.grouping import Participants
from werkkring.errors import InputError, Problem


@dataclass(frozen=True)
class Table:
    source: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    """(line number, cells), blank lines skipped."""
    delimiter: str


def read_table(path: Path | str) -> Table:
    """Read a delimited file with a header; every row must have as many cells as the header."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"is not UTF-8 text ({error.reason})", source=source) from None
    except OSError as error:
        raise InputError(f"cannot be read ({error.strerror})", source=source) from None
    first = text.split("\n", 1)[0]
    if path.suffix.lower() == ".tsv" or "\t" in first:
        delimiter = "\t"
    elif "," in first or ";" not in first:
        delimiter = ","
    else:
        delimiter = ";"
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                continue
            line = reader.line_num
            if len(cells) != len(header):
                problems.append(
                    Problem(f"has {len(cells)} cells, the header has {len(header)}", source=source, line=line)
                )
                continue
            rows.append((line, [c.strip() for c in cells]))
    except csv.Error as error:
        raise InputError(
            [Problem(f"is not valid CSV: {error}", source=source, line=reader.line_num)]
        ) from None
    if header is None:
        raise InputError([Problem("is empty: a header line is needed", source=source, line=1)])
    seen: set[str] = set()
    for name in header:
        key = name.lower()
        if not name:
            problems.append(Problem("the header has an empty column name", source=source, line=1))
        elif key in seen:
            problems.append(Problem("appears twice in the header", source=source, line=1, field=name))
        seen.add(key)
    if problems:
        raise InputError(problems)
    return Table(source=source, header=header, rows=rows, delimiter=delimiter)


def _columns(table: Table, required: Sequence[str]) -> dict[str, int]:
    index = {name.lower(): i for i, name in enumerate(table.header)}
    missing = [name for name in required if name not in index]
    if missing:
        raise InputError(
            [
                Problem(
                    f"has no {name!r} column (the header has: {', '.join(table.header)})",
                    source=table.source,
                    line=1,
                )
                for name in missing
            ]
        )
    return index


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
    """Participants from a file; ``numeric``/``categorical`` name columns whose kind is forced."""
    table = read_table(path)
    index = _columns(table, ["id"])
    source = table.source
    problems: list[Problem] = []
    force_num = _split_names(numeric)
    force_cat = _split_names(categorical)
    lower = {name.lower(): name for name in table.header}
    for name in force_num + force_cat:
        if name.lower() not in lower:
            problems.append(Problem(f"column {name!r} is not in the header", source=source, line=1))
    for name in set(n.lower() for n in force_num) & set(n.lower() for n in force_cat):
        problems.append(
            Problem("is named both numeric and categorical", source=source, field=lower.get(name, name))
        )
    if problems:
        raise InputError(problems)
    num_set = {n.lower() for n in force_num}
    cat_set = {n.lower() for n in force_cat}

    id_col = index["id"]
    ids: list[str] = []
    first_line: dict[str, int] = {}
    for line, cells in table.rows:
        pid = cells[id_col]
        if not pid:
            problems.append(Problem("has an empty id", source=source, line=line, field="id"))
        elif pid in first_line:
            problems.append(
                Problem(
                    f"duplicate id {pid!r} (first on line {first_line[pid]})",
                    source=source,
                    line=line,
                    field="id",
                )
            )
        else:
            first_line[pid] = line
        ids.append(pid)
    roles: list[str | None] | None = None
    if "role" in index:
        roles = [cells[index["role"]] or None for _, cells in table.rows]
    nums: dict[str, list[float | None]] = {}
    cats: dict[str, list[str | None]] = {}
    tags: dict[str, list[frozenset[str]]] = {}
    for col, name in enumerate(table.header):
        key = name.lower()
        if key in ("id", "role"):
            continue
        values = [cells[col] for _, cells in table.rows]
        parsed = [_number(v, table.delimiter) if v else None for v in values]
        looks_numeric = all(p is not None for p, v in zip(parsed, values, strict=True) if v)
        if key in num_set or (key not in cat_set and looks_numeric and any(values)):
            for (line, _), p, v in zip(table.rows, parsed, values, strict=True):
                if v and p is None:
                    problems.append(Problem(f"{v!r} is not a number", source=source, line=line, field=name))
            nums[name] = parsed
        elif key not in cat_set and table.delimiter != ";" and any(";" in v for v in values):
            tags[name] = [frozenset(t.strip() for t in v.split(";") if t.strip()) for v in values]
        else:
            cats[name] = [v or None for v in values]
    if problems:
        raise InputError(problems)
    return Participants(ids=ids, numeric=nums, categorical=cats, tags=tags, roles=roles)


def read_history(path: Path | str) -> list[list[str]]:
    """Past groups from ``session,group,id`` rows: one list of ids per (session, group)."""
    table = read_table(path)
    index = _columns(table, ["session", "group", "id"])
    groups: dict[tuple[str, str], list[str]] = {}
    problems: list[Problem] = []
    for line, cells in table.rows:
        session, group, pid = cells[index["session"]], cells[index["group"]], cells[index["id"]]
        for name, value in (("session", session), ("group", group), ("id", pid)):
            if not value:
                problems.append(Problem(f"has an empty {name}", source=table.source, line=line, field=name))
        if session and group and pid:
            groups.setdefault((session, group), []).append(pid)
    if problems:
        raise InputError(problems)
    return list(groups.values())


def read_apart(path: Path | str, ids: Sequence[str]) -> list[tuple[str, str]]:
    """Keep-apart pairs from ``id_a,id_b`` rows; every id must be a participant."""
    table = read_table(path)
    index = _columns(table, ["id_a", "id_b"])
    known = set(ids)
    pairs: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for line, cells in table.rows:
        a, b = cells[index["id_a"]], cells[index["id_b"]]
        bad = False
        for name, value in (("id_a", a), ("id_b", b)):
            if value not in known:
                problems.append(
                    Problem(f"id {value!r} is not a participant", source=table.source, line=line, field=name)
                )
                bad = True
        if not bad and a == b:
            problems.append(Problem(f"pairs {a!r} with itself", source=table.source, line=line))
            bad = True
        if not bad:
            pairs.append((a, b))
    if problems:
        raise InputError(problems)
    return pairs


def read_together(path: Path | str, ids: Sequence[str]) -> dict[str, list[str]]:
    """Keep-together sets from ``set,id`` rows; every id must be a participant."""
    table = read_table(path)
    index = _columns(table, ["set", "id"])
    known = set(ids)
    sets: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for line, cells in table.rows:
        name, pid = cells[index["set"]], cells[index["id"]]
        if not name:
            problems.append(Problem("has an empty set name", source=table.source, line=line, field="set"))
        elif pid not in known:
            problems.append(
                Problem(f"id {pid!r} is not a participant", source=table.source, line=line, field="id")
            )
        else:
            sets.setdefault(name, []).append(pid)
    if problems:
        raise InputError(problems)
    return sets


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

"""The member CSV format for `werkkring members import` and `export` (the export reads back in unchanged).

Comma or semicolon separated (as a Dutch spreadsheet saves CSV), UTF-8 with or without a byte order mark,
read strictly (:mod:`werkkring.io._files`); every value meets :data:`werkkring.limits.MEMBER`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from werkkring.domain import FILE_COLUMNS, PRIVATE_FIELDS, VISIBILITIES
from werkkring.errors import InputError, Problem
from werkkring.io._files import guess_delimiter, read_table, read_text
from werkkring.io.cells import read_cell, safe_cell
from werkkring.limits import CIRCLE, MEMBER, shown
from werkkring.store.models import ROLES

COLUMNS: Final = FILE_COLUMNS
REQUIRED: Final = ("name", "email")
_TRUE = {"1", "true", "yes", "ja", "y", "j", "x"}
_FALSE = {"0", "false", "no", "nee", "n", ""}


@dataclass
class MemberRow:
    """One valid row of a member file, with its line for later error messages."""

    line: int
    name: str
    email: str
    region: str | None = None
    country: str = "NL"
    birth_year: int | None = None
    joined_on: dt.date | None = None
    offers: str = ""
    needs: str = ""
    interests: str = ""
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    postal_consent: bool = False
    circles: list[str] = field(default_factory=list)
    role: str = "member"
    language: str = "nl"
    visibility: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MemberFile:
    """A member file read in one pass: every data row (as far as it could be read) and every problem.

    Rows with problems are kept so that the import can still check them against the database and report
    everything at once; :func:`werkkring.actions.members.import_members` stores nothing while any problem
    is left."""

    source: str
    rows: tuple[MemberRow, ...]
    problems: tuple[Problem, ...]


def read_members_csv(path: Path, today: dt.date | None = None) -> MemberFile:
    """Read and check a member file; never raises for what is in the file, only when it cannot be read."""
    return read_member_text(read_text(path), source=str(path), today=today)


def parse_members(text: str, source: str = "<input>", today: dt.date | None = None) -> list[MemberRow]:
    """Every row, validated on its own and against the others in the file; raises InputError with every
    problem found (line and column) when any row is bad."""
    parsed = read_member_text(text, source, today)
    if parsed.problems:
        raise InputError(list(parsed.problems))
    return list(parsed.rows)


def read_member_text(text: str, source: str = "<input>", today: dt.date | None = None) -> MemberFile:
    """The rows of a member file and every problem in it: the header, the shape of each row, each value
    against :data:`werkkring.limits.MEMBER`, and duplicate emails within the file."""
    table = read_table(text, source, delimiter=guess_delimiter(text))
    problems = list(table.problems)
    if not table.header:
        return MemberFile(source, (), tuple(problems))
    index = table.index()
    for name in REQUIRED:
        if name not in index:
            problems.append(Problem(f"missing required column {name!r}", source, table.header_line))
    for name in table.header:
        if name and name.casefold() not in COLUMNS:
            problems.append(
                Problem(
                    f"unknown column {shown(name)!r}; known: {', '.join(COLUMNS)}", source, table.header_line
                )
            )
    position: dict[str, int] = {name: index[name] for name in COLUMNS if name in index}

    rows: list[MemberRow] = []
    first_line_of_email: dict[str, int] = {}
    for record in table.rows:
        value = {name: read_cell(record.values[i]) for name, i in position.items()}
        row, row_problems = _member_row(record.line, value, source, today)
        if row.email:
            if row.email in first_line_of_email:
                row_problems.append(
                    Problem(
                        f"duplicate email {row.email!r}: also on line {first_line_of_email[row.email]}",
                        source,
                        record.line,
                        "email",
                    )
                )
            else:
                first_line_of_email[row.email] = record.line
        problems.extend(row_problems)
        rows.append(row)
    problems.sort(key=lambda p: p.line or 0)
    return MemberFile(source, tuple(rows), tuple(problems))


def _member_row(
    line: int, value: dict[str, str], source: str, today: dt.date | None
) -> tuple[MemberRow, list[Problem]]:
    """One row checked field by field against the member limits; failed fields are left at their defaults."""
    problems: list[Problem] = []

    def bad(column: str, message: str) -> None:
        problems.append(Problem(message, source, line, column))

    def clean(name: str, **extra: object) -> object:
        raw = value.get(name, "")
        if not raw:
            return None
        limit = MEMBER[name]
        result = limit.clean(raw, field=name, source=source, line=line, **extra)
        problems.extend(result.problems)
        return result.value

    row = MemberRow(line=line, name="", email="")
    name = clean("name")
    # A missing column is reported once for the header, not again on every row.
    if "name" in value and not value["name"]:
        bad("name", "name is missing")
    row.name = name if isinstance(name, str) else ""
    email = clean("email")
    if "email" in value and not value["email"]:
        bad("email", "email is missing")
    row.email = email if isinstance(email, str) else ""
    country = clean("country")
    row.country = country if isinstance(country, str) else "NL"
    for field_name in ("region", "street", "postal_code", "city"):
        text = clean(field_name)
        setattr(row, field_name, text if isinstance(text, str) and text else None)
    for field_name in ("offers", "needs", "interests"):
        text = clean(field_name)
        setattr(row, field_name, text if isinstance(text, str) else "")
    year = clean("birth_year", today=today)
    row.birth_year = year if isinstance(year, int) else None
    joined = clean("joined_on", today=today)
    row.joined_on = joined if isinstance(joined, dt.date) else None

    consent = value.get("postal_consent", "").lower()
    if consent in _TRUE:
        row.postal_consent = True
    elif consent not in _FALSE:
        bad("postal_consent", f"expected yes or no, not {shown(value['postal_consent'])!r}")
    role = value.get("role", "") or "member"
    if role not in ROLES:
        bad("role", f"role must be one of {', '.join(ROLES)}, not {shown(role)!r}")
    else:
        row.role = role
    language = value.get("language", "") or "nl"
    if language not in ("nl", "en"):
        bad("language", f"language must be nl or en, not {shown(language)!r}")
    else:
        row.language = language
    row.visibility = _parse_visibility(value.get("visibility", ""), bad)
    slug_limit = CIRCLE["slug"]
    for slug in filter(None, (c.strip() for c in value.get("circles", "").split(";"))):
        checked = slug_limit.clean(slug, field="circles", source=source, line=line)
        problems.extend(checked.problems)
        if checked.value:
            row.circles.append(checked.value)
    return row, problems


def _parse_visibility(text: str, bad: Callable[[str, str], None]) -> dict[str, str]:
    """``field=level;field=level`` with level network, circles or private."""
    result: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, _, level = part.partition("=")
        key, level = key.strip(), level.strip()
        if key not in PRIVATE_FIELDS or level not in VISIBILITIES:
            bad(
                "visibility",
                f"{shown(part)!r} is not field=level with a field from {', '.join(PRIVATE_FIELDS)} "
                f"and a level from {', '.join(VISIBILITIES)}",
            )
            continue
        result[key] = level
    return result


def format_visibility(visibility: dict[str, str]) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(visibility.items()) if v != "network")


def write_members(rows: Iterable[dict[str, object]], out: io.TextIOBase | io.StringIO) -> int:
    """The rows in the import format; cells a spreadsheet would run as formulas are neutralised
    (:func:`werkkring.io.cells.safe_cell`) and read back unchanged by the import."""
    rows = iter(rows)
    first = next(rows, None)  # read before the header is written, so a failing query leaves no half file
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in itertools.chain([first] if first is not None else [], rows):
        writer.writerow({k: safe_cell(_cell(v)) for k, v in row.items()})
        count += 1
    return count


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)

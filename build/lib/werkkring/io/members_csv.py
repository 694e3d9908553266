"""The member CSV format for `werkkring members import` and `export` (the export reads back in unchanged)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from werkkring.errors import InputError, Problem
from werkkring.store.models import PRIVATE_FIELDS, ROLES, VISIBILITIES

COLUMNS: Final = (
    "name",
    "email",
    "region",
    "country",
    "birth_year",
    "joined_on",
    "offers",
    "needs",
    "interests",
    "street",
    "postal_code",
    "city",
    "postal_consent",
    "circles",
    "role",
    "language",
    "visibility",
)
REQUIRED: Final = ("name", "email")
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[A-Za-z]{2,}$")
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


def _records(text: str, source: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for record in reader:
        # reader.line_num is the physical line where the record ended; fine for one-line records.
        yield reader.line_num, {k: (v or "") for k, v in record.items() if k is not None}


def read_member_file(path: Path) -> str:
    if not path.exists():
        raise InputError(f"file not found: {path}")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"not UTF-8 text (byte {error.start}); save the file as UTF-8", source=str(path)
        ) from None


def parse_members(text: str, source: str = "<input>", today: dt.date | None = None) -> list[MemberRow]:
    """Every row, validated on its own and against the others in the file; raises InputError with every
    problem found (line and column) when any row is bad."""
    problems: list[Problem] = []
    header = next(csv.reader(io.StringIO(text)), None)
    if not header:
        raise InputError("the file is empty; expected a header line with at least name,email", source=source)
    header = [h.strip() for h in header]
    for name in REQUIRED:
        if name not in header:
            problems.append(Problem(f"missing required column {name!r}", source, 1))
    for name in header:
        if name not in COLUMNS:
            problems.append(Problem(f"unknown column {name!r}; known: {', '.join(COLUMNS)}", source, 1))
    if problems:
        raise InputError(problems)

    this_year = (today or dt.date.today()).year
    rows: list[MemberRow] = []
    first_line_of_email: dict[str, int] = {}
    for line, record in _records(text, source):
        if not any(value.strip() for value in record.values()):
            continue
        row_problems: list[Problem] = []

        def bad(column: str, message: str, line: int = line, sink: list[Problem] = row_problems) -> None:
            sink.append(Problem(message, source, line, column))

        value = {k.strip(): v.strip() for k, v in record.items()}
        name = value.get("name", "")
        email = value.get("email", "").lower()
        if not name:
            bad("name", "name is missing")
        if not email:
            bad("email", "email is missing")
        elif not _EMAIL.match(email):
            bad("email", f"malformed email address {value['email']!r}")
        elif email in first_line_of_email:
            bad("email", f"duplicate email {email!r}: also on line {first_line_of_email[email]}")
        else:
            first_line_of_email[email] = line

        row = MemberRow(line=line, name=name, email=email)
        country = value.get("country", "") or "NL"
        if not re.fullmatch(r"[A-Za-z]{2}", country):
            bad("country", f"country must be a two-letter code such as NL, BE or CH, not {country!r}")
        row.country = country.upper()
        row.region = value.get("region") or None
        if value.get("birth_year"):
            try:
                year = int(value["birth_year"])
            except ValueError:
                bad("birth_year", f"birth year must be a whole number, not {value['birth_year']!r}")
            else:
                if not 1900 <= year <= this_year:
                    bad("birth_year", f"birth year {year} is not between 1900 and {this_year}")
                row.birth_year = year
        if value.get("joined_on"):
            try:
                row.joined_on = dt.date.fromisoformat(value["joined_on"])
            except ValueError:
                bad("joined_on", f"date must be YYYY-MM-DD, not {value['joined_on']!r}")
        consent = value.get("postal_consent", "").lower()
        if consent in _TRUE:
            row.postal_consent = True
        elif consent not in _FALSE:
            bad("postal_consent", f"expected yes or no, not {value['postal_consent']!r}")
        role = value.get("role", "") or "member"
        if role not in ROLES:
            bad("role", f"role must be one of {', '.join(ROLES)}, not {role!r}")
        row.role = role
        language = value.get("language", "") or "nl"
        if language not in ("nl", "en"):
            bad("language", f"language must be nl or en, not {language!r}")
        row.language = language
        row.visibility = _parse_visibility(value.get("visibility", ""), bad)
        row.offers, row.needs, row.interests = (
            value.get("offers", ""),
            value.get("needs", ""),
            value.get("interests", ""),
        )
        row.street = value.get("street") or None
        row.postal_code = value.get("postal_code") or None
        row.city = value.get("city") or None
        row.circles = [c.strip() for c in value.get("circles", "").split(";") if c.strip()]
        problems.extend(row_problems)
        rows.append(row)
    if problems:
        raise InputError(problems)
    return rows


def _parse_visibility(text: str, bad: Callable[[str, str], None]) -> dict[str, str]:
    """``field=level;field=level`` with level network, circles or private."""
    result: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, _, level = part.partition("=")
        key, level = key.strip(), level.strip()
        if key not in PRIVATE_FIELDS or level not in VISIBILITIES:
            bad(
                "visibility",
                f"{part!r} is not field=level with a field from {', '.join(PRIVATE_FIELDS)} "
                f"and a level from {', '.join(VISIBILITIES)}",
            )
            continue
        result[key] = level
    return result


def format_visibility(visibility: dict[str, str]) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(visibility.items()) if v != "network")


def write_members(rows: Iterable[dict[str, object]], out: io.TextIOBase | io.StringIO) -> int:
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
        count += 1
    return count


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)

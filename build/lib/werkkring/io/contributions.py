"""Contributions from a UTF-8 TSV or CSV file with a header (the delimiter follows the extension)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from werkkring.engines.synthesis import Contribution
from werkkring.errors import InputError, Problem

DEFAULT_TEXT_COLUMN = "text"
DEFAULT_GROUP_COLUMN = "group"


@dataclass(frozen=True)
class ContributionFile:
    """The contributions of a file, one per data row in file order, and the 1-based line each started on."""

    contributions: tuple[Contribution, ...]
    lines: tuple[int, ...]
    source: str


def _delimiter(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".tsv", ".tab", ".txt"):
        return "\t"
    if suffix == ".csv":
        return ","
    raise InputError(f"unknown file type {suffix or '(none)'!r}: use a .tsv or .csv file", source=str(path))


def read_contributions(
    path: str | Path,
    *,
    text_column: str = DEFAULT_TEXT_COLUMN,
    group_column: str | None = None,
    author_column: str | None = None,
    require_group_column: bool = False,
) -> ContributionFile:
    """Read contributions; other columns are ignored.

    ``group_column`` is used when the file has it; with ``require_group_column`` a missing group column is
    an error (the user named it), otherwise the contributions simply have no group.
    """
    path = Path(path)
    source = str(path)
    delimiter = _delimiter(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", source=source) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", source=source) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", source=source) from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError([Problem("not valid UTF-8 (save the file as UTF-8)", source, line)]) from None
    if not content.strip():
        raise InputError("the file is empty (it needs a header line and contributions)", source=source)

    reader = csv.reader(content.splitlines(keepends=True), delimiter=delimiter)
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error as error:
        raise InputError([Problem(f"cannot parse the header: {error}", source, 1)]) from None
    problems: list[Problem] = []
    columns = {name: index for index, name in reversed(list(enumerate(header)))}
    wanted = {"text": text_column}
    if group_column is not None and (require_group_column or group_column in columns):
        wanted["group"] = group_column
    if author_column is not None:
        wanted["author"] = author_column
    for name in wanted.values():
        if name not in columns:
            found = ", ".join(repr(h) for h in header) or "none"
            problems.append(Problem(f"no column {name!r} in the header (columns: {found})", source, 1, name))
    if problems:
        raise InputError(problems)

    contributions: list[Contribution] = []
    lines: list[int] = []
    try:
        for row in reader:
            line = reader.line_num
            if not row:  # a blank line is not a row
                continue
            values = {
                key: (row[columns[name]] if columns[name] < len(row) else "") for key, name in wanted.items()
            }
            contributions.append(
                Contribution(
                    text=values["text"],
                    group=values.get("group", "").strip() or None,
                    author=values.get("author", "").strip() or None,
                )
            )
            lines.append(line)
    except csv.Error as error:
        problems.append(Problem(f"cannot parse: {error}", source, reader.line_num))
    if problems:
        raise InputError(problems)
    return ContributionFile(tuple(contributions), tuple(lines), source)

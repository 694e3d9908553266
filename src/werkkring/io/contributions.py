"""Contributions from a UTF-8 TSV or CSV file with a header (the delimiter follows the extension; a .csv may
use commas or semicolons). Read strictly (:mod:`werkkring.io._files`): an unclosed quote is an error on the
line it opens, never rows merged into one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from werkkring.engines.synthesis import Contribution
from werkkring.errors import InputError, Problem
from werkkring.io._files import guess_delimiter, read_table, read_text
from werkkring.limits import CONTRIBUTION, FILES, shown

DEFAULT_TEXT_COLUMN = "text"


@dataclass(frozen=True)
class ContributionFile:
    """The contributions of a file, one per data row in file order, and the 1-based line each started on."""

    contributions: tuple[Contribution, ...]
    lines: tuple[int, ...]
    source: str


def _delimiter(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".tsv", ".tab", ".txt"):
        return "\t"
    if suffix == ".csv":
        return guess_delimiter(text.lstrip("\ufeff"))
    raise InputError(f"unknown file type {suffix or '(none)'!r}: use a .tsv or .csv file", source=str(path))


def read_contributions(
    path: str | Path,
    *,
    text_column: str = DEFAULT_TEXT_COLUMN,
    group_column: str | None = None,
    author_column: str | None = None,
    require_group_column: bool = False,
) -> ContributionFile:
    """Read contributions, one per data row (an empty text stays, so the synthesis can say it skipped it);
    other columns are ignored. Every value meets :data:`werkkring.limits.CONTRIBUTION` (the text) and
    :data:`werkkring.limits.FILES` (group and author); every problem in the file is reported at once.

    ``group_column`` is used when the file has it; with ``require_group_column`` a missing group column is
    an error (the user named it), otherwise the contributions simply have no group.
    """
    path = Path(path)
    source = str(path)
    _delimiter(path, "")  # an unknown file type is refused before the file is read
    content = read_text(path)
    table = read_table(content, source, delimiter=_delimiter(path, content))
    problems = list(table.problems)
    columns = {name: index for index, name in reversed(list(enumerate(table.header)))}
    wanted = {"text": text_column}
    if group_column is not None and (require_group_column or group_column in columns):
        wanted["group"] = group_column
    if author_column is not None:
        wanted["author"] = author_column
    for name in wanted.values():
        if table.header and name not in columns:
            found = ", ".join(repr(shown(h)) for h in table.header) or "none"
            problems.append(
                Problem(f"no column {shown(name)!r} in the header (columns: {found})", source, 1, name)
            )
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))

    limits = {"text": CONTRIBUTION["text"], "group": FILES["group"], "author": FILES["author"]}
    contributions: list[Contribution] = []
    lines: list[int] = []
    for row in table.rows:
        values: dict[str, str | None] = {}
        for key, name in wanted.items():
            checked = limits[key].clean(row.values[columns[name]], field=name, source=source, line=row.line)
            problems.extend(checked.problems)
            values[key] = checked.value or None
        contributions.append(
            Contribution(text=values["text"] or "", group=values.get("group"), author=values.get("author"))
        )
        lines.append(row.line)
    if problems:
        raise InputError(problems)
    return ContributionFile(tuple(contributions), tuple(lines), source)

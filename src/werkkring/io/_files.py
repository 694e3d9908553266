"""What every file reader shares: bytes to text, and a strict delimited-table parser.

Any bytes in give either text or problems with a line and a column, never an exception of Python's own:
a missing or unreadable file, a folder, a file over :data:`~werkkring.limits.FILE_BYTES_MAX`, UTF-16 (what
spreadsheets call "Unicode text"), bytes that are not UTF-8, and NUL bytes are each named. A UTF-8 byte order
mark is accepted.

Delimited files (CSV, TSV) are read strictly, the same way by every reader: a quoted value opened and never
closed is an error on the line it opened (instead of swallowing the rest of the file into one cell), a stray
quote after a closing one is an error, a header column that appears twice or has no name is an error, and a
row with more values than the header (other than empty trailing ones) or fewer is an error — nothing is
dropped or guessed silently. Each row carries the line it starts on, also when a quoted value spans lines.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from werkkring.errors import InputError, Problem
from werkkring.limits import FILE_BYTES_MAX, shown

DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def read_bytes(path: Path | str) -> bytes:
    """The file's bytes, or an InputError that says why there are none."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError("is a folder, not a file", source=source)
        if size <= FILE_BYTES_MAX:
            with path.open("rb") as handle:  # a device or a pipe has no size: read one byte past the most
                data = handle.read(FILE_BYTES_MAX + 1)
            size = len(data)
        if size > FILE_BYTES_MAX:
            raise InputError(
                "holds more than %(limit)s MB, the most a file may hold",
                source=source,
                params={"limit": FILE_BYTES_MAX // 2**20},
            )
        return data
    except FileNotFoundError:
        raise InputError("file not found", source=source) from None
    except PermissionError:
        raise InputError("cannot be read: permission denied", source=source) from None
    except OSError as error:
        raise InputError(
            "cannot be read: %(reason)s", source=source, params={"reason": error.strerror}
        ) from None


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    line = raw.count(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", "replace")) + 1
    return line, column


def decode(raw: bytes, source: str) -> str:
    """UTF-8 text without a byte order mark; bytes that are not UTF-8 and NUL bytes are refused with their
    line and column (a NUL is never text, and it is how UTF-16 and binary files give themselves away)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(
            [
                Problem(
                    "is UTF-16 text (Unicode text, in a spreadsheet); save it as UTF-8 (CSV UTF-8)", source, 1
                )
            ]
        )
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _position(raw, error.start)
        raise InputError(
            [
                Problem(
                    "byte 0x%(byte)02X is not UTF-8 text; save the file as UTF-8",
                    source,
                    line,
                    params={"byte": raw[error.start]},
                    column=column,
                )
            ]
        ) from None
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, column = _position(raw, nul)
        raise InputError(
            [
                Problem(
                    "holds a NUL byte: this is not a text file, or a damaged one", source, line, column=column
                )
            ]
        )
    return text


def read_text(path: Path | str) -> str:
    """A file as text: :func:`read_bytes` then :func:`decode`."""
    return decode(read_bytes(path), str(path))


@dataclass(frozen=True)
class Row:
    """One row of a delimited file: the line it starts on and its values, as many as the header has."""

    line: int
    values: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A delimited file read strictly: its header, its rows and every problem with its shape."""

    source: str
    delimiter: str
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    problems: tuple[Problem, ...]
    header_line: int = 1

    def index(self) -> dict[str, int]:
        """Column positions by header name in lower case (the first one where a name appears twice)."""
        index: dict[str, int] = {}
        for i, name in enumerate(self.header):
            index.setdefault(name.casefold(), i)
        return index


def guess_delimiter(text: str, *, default: str = ",") -> str:
    """Tab, semicolon or comma, from the first line: a Dutch spreadsheet saves CSV with semicolons."""
    first = text.split("\n", 1)[0]
    if "\t" in first:
        return "\t"
    if ";" in first and "," not in first:
        return ";"
    if "," in first:
        return ","
    return default


def records(text: str, delimiter: str, source: str, problems: list[Problem]) -> Iterator[Row]:
    """Every non-blank record with the line it starts on; a malformed record becomes a problem."""
    limit = max(csv.field_size_limit(), FILE_BYTES_MAX)
    csv.field_size_limit(limit)  # the readers' own limits say how long a value may be
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    end = 0
    while True:
        start = end + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            end = reader.line_num
            if "unexpected end of data" in str(error) or reader.line_num == 0:
                problems.append(
                    Problem(
                        "a quoted value opens on this line and is never closed (a quote is missing)",
                        source,
                        start,
                    )
                )
                return
            problems.append(
                Problem(
                    "a quoted value must end at a %(delimiter)s or the end of the line; write a quote inside "
                    'a quoted value twice ("")',
                    source,
                    end,
                    params={"delimiter": DELIMITER_NAMES.get(delimiter, repr(delimiter))},
                )
            )
            continue
        end = reader.line_num
        if any(cell.strip() for cell in cells):
            yield Row(start, tuple(cells))


def read_table(text: str, source: str, *, delimiter: str, required: Sequence[str] = ()) -> Table:
    """The header and the rows of a delimited text, with every problem of shape: header columns that are
    empty or appear twice, required columns that are missing, rows with too many or too few values.
    Values are stripped of surrounding spaces; rows of only empty values are skipped."""
    problems: list[Problem] = []
    rows_in = records(text, delimiter, source, problems)
    first = next(rows_in, None)
    if first is None:
        problems.append(Problem("is empty: a header line is needed", source, 1))
        return Table(source, delimiter, (), (), tuple(problems), 1)
    header = tuple(name.strip() for name in first.values)
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if not name:
            problems.append(
                Problem(
                    "header column %(position)s has no name",
                    source,
                    first.line,
                    params={"position": position},
                )
            )
            continue
        key = name.casefold()
        if key in seen:
            problems.append(
                Problem(
                    "appears twice in the header (columns %(first)s and %(second)s)",
                    source,
                    first.line,
                    name,
                    params={"first": seen[key], "second": position},
                )
            )
        else:
            seen[key] = position
    for name in required:
        if name.casefold() not in seen:
            problems.append(
                Problem(
                    "has no %(name)r column (the header has: %(header)s)",
                    source,
                    first.line,
                    params={"name": name, "header": shown(", ".join(header)) if header else "nothing"},
                )
            )
    rows: list[Row] = []
    for record in rows_in:
        values = [value.strip() for value in record.values]
        while len(values) > len(header) and not values[-1]:
            values.pop()
        if len(values) != len(header):
            problems.append(
                Problem(
                    "has %(count)s cells, the header has %(columns)s columns"
                    + (
                        "; a value holding a %(delimiter)s must be in quotes"
                        if len(values) > len(header)
                        else ""
                    ),
                    source,
                    record.line,
                    params={
                        "count": len(values),
                        "columns": len(header),
                        "delimiter": DELIMITER_NAMES.get(delimiter, repr(delimiter)),
                    },
                )
            )
            continue
        rows.append(Row(record.line, tuple(values)))
    if not rows and not problems:
        problems.append(Problem("has a header but no rows", source, first.line))
    return Table(source, delimiter, header, tuple(rows), tuple(problems), first.line)

"""The file layer every reader shares: bytes to text and the strict delimited-table parser."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from werkkring.errors import InputError
from werkkring.io._files import decode, guess_delimiter, read_bytes, read_table
from werkkring.io.cells import read_cell, safe_cell


def problems_of(call: object) -> list[str]:
    assert callable(call)
    with pytest.raises(InputError) as caught:
        call()
    return [str(p) for p in caught.value.problems]


def test_utf8_with_or_without_bom_is_text_and_other_encodings_say_where_they_break() -> None:
    assert decode(codecs.BOM_UTF8 + "naam\nJosé\n".encode(), "f.csv") == "naam\nJosé\n"
    assert problems_of(lambda: decode("a\nb\nJosé\n".encode("latin-1"), "f.csv")) == [
        "f.csv, line 3, column 4: byte 0xE9 is not UTF-8 text; save the file as UTF-8"
    ]
    assert "UTF-16" in problems_of(lambda: decode("naam\n".encode("utf-16"), "f.csv"))[0]
    assert problems_of(lambda: decode(b"name\nD\x00an\n", "f.csv")) == [
        "f.csv, line 2, column 2: holds a NUL byte: this is not a text file, or a damaged one"
    ]
    # The column counts characters, not bytes: the bad byte after "één " is at column 5.
    assert "line 1, column 5:" in problems_of(lambda: decode("één ".encode() + b"\xff", "f"))[0]


def test_files_that_cannot_be_read_say_why(tmp_path: Path) -> None:
    assert problems_of(lambda: read_bytes(tmp_path / "nope.csv")) == [
        f"{tmp_path / 'nope.csv'}: file not found"
    ]
    assert problems_of(lambda: read_bytes(tmp_path)) == [f"{tmp_path}: is a folder, not a file"]


def test_an_unclosed_quote_is_an_error_on_the_line_it_opens_not_a_merged_row() -> None:
    table = read_table('name,email\nAnna,a@x.org\nBob,"b@x.org\nCor,c@x.org\n', "f.csv", delimiter=",")
    assert [str(p) for p in table.problems] == [
        "f.csv, line 3: a quoted value opens on this line and is never closed (a quote is missing)"
    ]
    assert [row.values for row in table.rows] == [("Anna", "a@x.org")]


def test_a_stray_quote_after_a_closing_one_is_an_error_and_the_next_rows_are_still_read() -> None:
    table = read_table('text\n"veilig" is het\nrustig\n', "f.tsv", delimiter="\t")
    assert [p.line for p in table.problems] == [2]
    assert "a quote inside a quoted value twice" in table.problems[0].message
    assert [row.values for row in table.rows] == [("rustig",)]


def test_rows_keep_the_line_they_start_on_across_quoted_line_breaks() -> None:
    table = read_table('id,offers\n\na,"one\ntwo\nthree"\n\nb,x\r\nc,y', "f.csv", delimiter=",")
    assert [(row.line, row.values[0]) for row in table.rows] == [(3, "a"), (7, "b"), (8, "c")]
    assert table.rows[0].values[1] == "one\ntwo\nthree"


def test_the_header_is_checked_and_every_row_has_exactly_its_columns() -> None:
    table = read_table("name,email,Name,\nA,a,b,c\n", "f.csv", delimiter=",", required=["email", "city"])
    assert [str(p) for p in table.problems] == [
        "f.csv, line 1, column 'Name': appears twice in the header (columns 1 and 3)",
        "f.csv, line 1: header column 4 has no name",
        "f.csv, line 1: has no 'city' column (the header has: name, email, Name, )",
    ]
    table = read_table("a,b\n1,2,3\n1\n1,2,,\n", "f.csv", delimiter=",")
    assert [str(p) for p in table.problems] == [
        "f.csv, line 2: has 3 cells, the header has 2 columns; a value holding a comma must be in quotes",
        "f.csv, line 3: has 1 cells, the header has 2 columns",
    ]
    assert [row.values for row in table.rows] == [("1", "2")]  # empty trailing cells carry nothing
    assert [str(p) for p in read_table("a,b\n\n", "f.csv", delimiter=",").problems] == [
        "f.csv, line 1: has a header but no rows"
    ]
    assert [str(p) for p in read_table(" \n\n", "f.csv", delimiter=",").problems] == [
        "f.csv, line 1: is empty: a header line is needed"
    ]


def test_a_ten_megabyte_value_is_read_so_the_reader_can_name_its_limit() -> None:
    table = read_table("name\n" + "x" * 10_000_000 + "\n", "f.csv", delimiter=",")
    assert table.problems == () and len(table.rows[0].values[0]) == 10_000_000


def test_the_delimiter_follows_the_first_line() -> None:
    assert guess_delimiter("naam;email\nA;a\n") == ";"
    assert guess_delimiter("name,email;x\n") == ","
    assert guess_delimiter("id\tage\n") == "\t"
    assert guess_delimiter("text\nwe, together\n") == ","


@pytest.mark.parametrize(
    "value", ["=SUM(A1)", "+31 6", "-2+3", "@cmd", "\tx", "\rx", "'=x", "''+y", "plain", "'t Hooft", ""]
)
def test_cells_are_neutralised_for_spreadsheets_and_read_back_exactly(value: str) -> None:
    cell = safe_cell(value)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert read_cell(cell) == value


def test_a_file_past_the_largest_size_is_refused_also_when_it_has_no_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from werkkring.io import _files

    monkeypatch.setattr(_files, "FILE_BYTES_MAX", 1000)
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 1001)
    assert problems_of(lambda: read_bytes(big)) == [f"{big}: holds more than 0 MB, the most a file may hold"]
    # A device reports no size; it is read one byte past the most and refused all the same.
    assert "holds more than" in problems_of(lambda: read_bytes("/dev/zero"))[0]
    big.write_bytes(b"x" * 1000)
    assert read_bytes(big) == b"x" * 1000
